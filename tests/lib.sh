# lib.sh: helpers for the end-to-end scripts.  Source it first; it makes
# a scratch directory ($T) that is removed on exit.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${LISTARC:=$ROOT/build/asan/listarc}"
: "${SHARED:=$ROOT/../shared}"
# The release build, for the runs where ASan's slowness or its refusal of
# LD_PRELOAD is in the way (the ASan build if there is none).
RELEASE=${LISTARC_RELEASE:-$ROOT/listarc}
[ -x "$RELEASE" ] || RELEASE=$LISTARC
# Debian's python3 has html5lib (python3-html5lib); another python3 on
# PATH may not.
if [ -z "${PYTHON:-}" ]; then
	PYTHON=python3
	[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/listarc-test.XXXXXX")
# At exit, even after a failure: servers and other background processes
# the script registered are killed, its own clean-ups run (at_exit), and
# $T goes.
declare -A SERVER_PID=() SERVER_PORT=() SERVER_LOG_PID=()
BG_PIDS=()
AT_EXIT=()
# at_exit COMMAND: run COMMAND (a string, evaluated) at exit.
at_exit() { AT_EXIT+=("$1"); }
# bg_pid PID: kill -9 PID at exit if it still runs.
bg_pid() { BG_PIDS+=("$1"); }
lib_cleanup() {
	local p c
	for p in "${SERVER_PID[@]}" "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for c in "${AT_EXIT[@]}"; do eval "$c"; done
	cd /
	rm -rf "$T"
}
trap lib_cleanup EXIT
cd "$T"

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
# plan N: this script runs N checks (TAP's "1..N"); tests/run-all fails
# a script that ran fewer or more.  Declare it before the first check.
plan() { echo "1..$1"; }
# skip N REASON: N checks that cannot run here, counted as skipped.
skip() {
	local i
	for ((i = 0; i < $1; i++)); do echo "ok - # SKIP $2"; done
}
# have_shared: true if the extra corpora of ../shared are beside the
# checkout (CI has them; a user's clone does not).
have_shared() { [ -d "$SHARED/corpora" ]; }
SKIP_SHARED="../shared not present"
# have_public_inbox: true if public-inbox is installed (Debian's package:
# its commands and its Perl modules).
have_public_inbox() {
	command -v public-inbox-init >/dev/null && perl -MPublicInbox::Config -e1 2>/dev/null
}
SKIP_PI="public-inbox is not installed (Debian: apt-get install public-inbox)"
# lei_home: HOME and the XDG directories in $T/home, exported, and the
# runtime directory made (mode 700): lei keeps its store, configuration
# and daemon socket there, never in the user's own.
lei_home() {
	export HOME=$T/home XDG_CONFIG_HOME=$T/home/config XDG_DATA_HOME=$T/home/data \
		XDG_STATE_HOME=$T/home/state XDG_CACHE_HOME=$T/home/cache XDG_RUNTIME_DIR=$T/home/run
	mkdir -p "$XDG_RUNTIME_DIR"
	chmod 700 "$XDG_RUNTIME_DIR"
}
# check DESCRIPTION COMMAND...: ok if the command succeeds.  Several
# conditions in one check: check DESCRIPTION eval 'A && B' (in a bare
# `check DESCRIPTION A && B` the check sees A alone; B runs after it).
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		echo "#   got:  $2" | head -5
		echo "#   want: $3" | head -5
	fi
}
la() { "$LISTARC" "$@"; }
# seeds_archive: an archive directory DATA ($T/arc) whose mbox/ holds a
# copy of samples/seeds.mbox, MBOX (not indexed yet: a script may add to
# it first).
seeds_archive() {
	DATA=$T/arc
	mkdir -p "$DATA/mbox"
	MBOX=$DATA/mbox/seeds.mbox
	cp "$ROOT/samples/seeds.mbox" "$MBOX"
}
# series_archive: the patch series of tests/mkseries.py (in a repository
# tests/mkseries-repo.sh makes in $T/repo; the mail in $T/series.mbox)
# indexed as the list widgets of DATA, with git's own configuration out
# of the way (exported); one check: the index run exits 0.
series_archive() {
	export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
	"$ROOT/tests/mkseries-repo.sh" "$T/repo"
	"$PYTHON" "$ROOT/tests/mkseries.py" "$T/repo" "$T/series.mbox"
	la index --data "$DATA" widgets "$T/series.mbox" 2>/dev/null
	check "the series is indexed" [ $? -eq 0 ]
}
# get PATH: page body to stdout; status code in $STATUS, exit code in $RC,
# everything `listarc get` wrote to stderr in $T/get.err.
get() {
	"$LISTARC" get --data "$DATA" "$@" 2>"$T/get.err"
	RC=$?
	STATUS=$(head -1 "$T/get.err" | cut -d' ' -f1)
	return 0
}
# pagecheck FILE...: pages well formed, only markup of our templates.
pagecheck() { "$PYTHON" "$ROOT/tests/pagecheck.py" "$@"; }
# Wraps a single message file as an mbox (mboxrd-quoting From lines).
wrap_mbox() {
	printf 'From test@example.org Mon Jan  1 00:00:00 2024\n'
	sed -e 's/^\(>*From \)/>\1/' "$1"
	[ -n "$(tail -c1 "$1")" ] && echo
	echo
}
# A dump of the index for comparisons: list, URL, Message-ID, and the
# thread as the first URL of the thread.
dump_index() {
	sqlite3 "$1/index.sqlite" "
	  WITH t AS (SELECT thread, min(printf('%08d/%09d', day, num)) AS first FROM messages GROUP BY thread)
	  SELECT l.name, m.day, m.num, mids.mid, t.first, m.off, m.len
	  FROM messages m JOIN lists l ON l.id = m.list_id JOIN mids ON mids.id = m.mid
	  JOIN t ON t.thread = m.thread ORDER BY l.name, m.day, m.num"
}
# index_facts DIR: what a reader sees of every message of the index in
# DIR, for comparing indexes of one mail from different sources: its URL
# (day and number), Message-ID and thread (the thread's first URL).
index_facts() {
	sqlite3 "$1/index.sqlite" "
	  WITH t AS (SELECT thread, min(printf('%08d/%09d', day, num)) AS first FROM messages GROUP BY thread)
	  SELECT m.day, m.num, mids.mid, t.first FROM messages m JOIN mids ON mids.id = m.mid
	  JOIN t ON t.thread = m.thread ORDER BY m.day, m.num"
}
# page_paths DIR LIST: every message page of the archive in DIR (list
# LIST), its thread's page, the day, month and year pages and the list's
# page, one a line (msgs.txt is left with the message pages).
page_paths() {
	sqlite3 "$1/index.sqlite" "SELECT printf('/$2/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num)
		FROM messages" >msgs.txt
	sqlite3 "$1/index.sqlite" "SELECT DISTINCT mids.mid FROM messages m
		JOIN messages r ON r.id = (SELECT min(id) FROM messages WHERE thread = m.thread)
		JOIN mids ON mids.id = r.mid" |
		"$PYTHON" -c 'import sys, urllib.parse as u
for l in sys.stdin: print("/'"$2"'/" + u.quote(l.rstrip("\n"), safe="@!$&*+,;=:~") + "/T/")'
	echo "/$2/"
	cat msgs.txt
	sed 's|/[0-9]*$|/|' msgs.txt | sort -u
	sed 's|/[0-9]*/[0-9]*$|/|' msgs.txt | sort -u
}
# isql DIR SQL...: sqlite3 on DIR's index with its search index's own
# file (search.sqlite, where the table fts is) attached as "s", as
# listarc's readers see them.
isql() {
	local d=$1
	shift
	if [ -e "$d/search.sqlite" ]; then
		sqlite3 -cmd "ATTACH '$d/search.sqlite' AS s" "$d/index.sqlite" "$@"
	else
		sqlite3 "$d/index.sqlite" "$@"
	fi
}
# fts_vocab DIR: a digest of every word of archive DIR's search index at
# every position (term, message's day and number, column, offset), for
# comparing two archives' search indexes word by word.
fts_vocab() {
	isql "$1" "CREATE VIRTUAL TABLE temp.v USING fts5vocab(s, fts, instance);
		SELECT v.term, m.day, m.num, v.col, v.offset FROM temp.v JOIN messages m ON m.id = v.doc
		ORDER BY 1, 2, 3, 4, 5" | md5sum
}
# mid_rule MBOXES VALUE...: what m:VALUE must find in the mail of
# MBOXES (paths, one a line), by the rule (tests/midrule.py): a line a
# VALUE, its Message-IDs sorted and space-separated.
mid_rule() { "$PYTHON" "$ROOT/tests/midrule.py" "$@"; }
# search_mids QUERY [DIR]: the Message-IDs `listarc search` finds in the
# archive DIR (default $DATA), sorted and space-separated.
search_mids() {
	la search --data "${2:-$DATA}" --format=json --limit 10000 "$1" 2>/dev/null |
		"$PYTHON" -c 'import json, sys; print(" ".join(sorted(x["message_id"] for x in json.load(sys.stdin))))'
}
# words_and A B, words_or A B, words_minus A B: sets of space-separated
# words (Message-IDs), sorted and space-separated.
words_lines() { tr ' ' '\n' <<<"$1" | grep . | sort -u; }
words_join() { tr '\n' ' ' | sed 's/ $//'; }
words_and() { comm -12 <(words_lines "$1") <(words_lines "$2") | words_join; }
words_or() { sort -u <(words_lines "$1") <(words_lines "$2") | words_join; }
words_minus() { comm -23 <(words_lines "$1") <(words_lines "$2") | words_join; }
# corpus_mboxes DIR: the corpora as one mbox a list in DIR: samples/'
# lkml.mbox and seeds.mbox, and with ../shared its edge/ messages
# (edge.mbox), notmuch.mbox and peers' peer-*.mbox.
corpus_mboxes() {
	mkdir -p "$1"
	cp "$ROOT/samples/lkml.mbox" "$ROOT/samples/seeds.mbox" "$1/"
	if have_shared; then
		local f
		for f in "$SHARED"/corpora/edge/*; do wrap_mbox "$f"; done >"$1/edge.mbox"
		cp "$SHARED/corpora/notmuch.mbox" "$SHARED"/corpora/peers/peer-*.mbox "$1/"
	fi
}
# index_rows DIR [rowid [TABLE...]]: every row of every table (or of the
# TABLEs named) of DIR's index in the order of all its columns (meta but
# its `updated`), to compare two archives; with `rowid`, a table with
# rowids in rowid order with its rowid first (so that ids must be the
# same too).
index_rows() {
	local t cols db=$1/index.sqlite names
	if [ $# -gt 2 ]; then
		names="${*:3}"
	else
		names=$(sqlite3 "$db" "SELECT name FROM sqlite_schema WHERE type = 'table'
			AND name NOT LIKE 'sqlite_%' ORDER BY name")
	fi
	for t in $names; do
		echo "== $t"
		cols=$(sqlite3 "$db" "SELECT group_concat('\"' || name || '\"', ', ')
			FROM pragma_table_info('$t')")
		if [ "$t" = meta ]; then
			# (not the schema's hash: an anchor from before a new index
			# holds the same rows under another schema)
			sqlite3 "$db" "SELECT * FROM meta WHERE key NOT IN ('updated', 'schema_sql') ORDER BY key"
		elif [ "${2:-}" = rowid ] && [ "$(sqlite3 "$db" "SELECT sql NOT LIKE '%WITHOUT ROWID%'
				FROM sqlite_schema WHERE name = '$t'")" = 1 ]; then
			sqlite3 "$db" "SELECT rowid, $cols FROM \"$t\" ORDER BY rowid"
		else
			sqlite3 "$db" "SELECT $cols FROM \"$t\" ORDER BY $cols"
		fi
	done
}
# lists_cut LIST...: each c/LIST.mbox cut at From_ lines into three
# parts of about as many messages, s-LIST.0, s-LIST.1 and s-LIST.2 (the
# three appended are the mbox again).
lists_cut() {
	local l
	for l in "$@"; do
		"$PYTHON" - "c/$l.mbox" "s-$l" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read()
at = [m.start() for m in re.finditer(rb"^From ", data, re.M)] + [len(data)]
n = len(at) - 1
cuts = [0, at[n // 3], at[2 * n // 3], len(data)]
for i in range(3):
    open(f"{sys.argv[2]}.{i}", "wb").write(data[cuts[i]:cuts[i + 1]])
EOF
	done
}
# lists_index_all BIN DIR LIST...: each c/LIST.mbox indexed in one run
# (`--no-search`) by BIN into DIR; non-zero if any run failed.
lists_index_all() {
	local bin=$1 dir=$2 l rc=0
	shift 2
	for l in "$@"; do
		"$bin" index -q --no-search --data "$dir" "$l" "c/$l.mbox" || rc=1
	done
	return $rc
}
# lists_index_runs BIN DIR LIST...: each list in three runs (batches of
# 37, `--no-search`) of a growing mbox, grow-LIST.mbox, made of
# lists_cut's parts (the same file for every build: its path is in the
# index); non-zero if any run failed.
lists_index_runs() {
	local bin=$1 dir=$2 l p rc=0
	shift 2
	for l in "$@"; do
		rm -f "grow-$l.mbox"
		for p in "s-$l".*; do
			cat "$p" >>"grow-$l.mbox"
			[ -s "grow-$l.mbox" ] || continue # (a list of one message)
			LISTARC_BATCH=37 "$bin" index -q --no-search --data "$dir" "$l" "grow-$l.mbox" || rc=1
		done
	done
	return $rc
}
# series_tables DIR: the series rows and places of DIR's index in
# DIR.series, their states in DIR.state (each in id order), to compare.
series_tables() {
	sqlite3 "$1/index.sqlite" "SELECT * FROM series ORDER BY id" >"$1.series"
	sqlite3 "$1/index.sqlite" "SELECT * FROM series_msgs ORDER BY id" >>"$1.series"
	sqlite3 "$1/index.sqlite" "SELECT * FROM series_state ORDER BY id" >"$1.state"
}
# series_rows DIR: every table series.c writes, each in its key's order,
# in DIR.rows, to compare.
series_rows() {
	sqlite3 "$1/index.sqlite" "SELECT * FROM series ORDER BY id;
		SELECT * FROM series_msgs ORDER BY id;
		SELECT * FROM trailers ORDER BY id, seq;
		SELECT * FROM series_state ORDER BY id;
		SELECT start, hex(members) FROM series_walk_members ORDER BY start;
		SELECT member, hex(starts) FROM series_walk_starts ORDER BY member;
		SELECT * FROM series_gone ORDER BY series, mid" >"$1.rows"
}
# series_walks DIR: the series' states and the walks kept of DIR's index
# (stdout), each in its key's order.
series_walks() {
	sqlite3 "$1/index.sqlite" "SELECT * FROM series_state ORDER BY id;
		SELECT 'm', start, hex(members) FROM series_walk_members ORDER BY start;
		SELECT 's', member, hex(starts) FROM series_walk_starts ORDER BY member"
}
# series_state DIR MSGID: the stored state of the series of the message
# MSGID (without <>), as "msgs|parts|reviewed|latest|newest".
series_state() {
	sqlite3 "$1/index.sqlite" "SELECT ss.msgs, ss.parts, ss.reviewed, ss.latest, ss.newest
		FROM mids JOIN messages m ON m.mid = mids.id JOIN series_msgs sm ON sm.id = m.id
		JOIN series_state ss ON ss.id = sm.series WHERE mids.mid = '$2'"
}
# same_files WHAT FILE-A FILE-B: one check, ok if the files are equal,
# else not ok with their first differences.
same_files() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		not_ok "$1"
		diff "$2" "$3" | head -6 | sed 's/^/#   /'
	fi
}
# same_index REF DIR WHAT: ok (with WHAT) if DIR's index lists the same
# messages as REF's, by dump_index; else the first differences.
same_index() {
	dump_index "$1" >"$T/same-ref.txt"
	dump_index "$2" >"$T/same-got.txt"
	if cmp -s "$T/same-ref.txt" "$T/same-got.txt"; then
		ok "$3"
	else
		not_ok "$3"
		diff "$T/same-ref.txt" "$T/same-got.txt" | head -10 | sed 's/^/#   /'
	fi
}

# same_pages PATHS DESCRIPTION REF DIR...: every path of the file PATHS
# through one `listarc get --batch` (the release build) per archive, REF
# and each DIR (bodies in pages-D/, "N STATUS EXIT PATH" lines in
# pages-D.txt); one check (DESCRIPTION): each DIR answers every path as
# REF does, status and body byte for byte (else the first differences).
same_pages() {
	local paths=$1 what=$2 ref=$3 d
	shift 3
	: >"$T/same-pages.txt"
	for d in "$ref" "$@"; do
		"$RELEASE" get --data "$d" --batch "pages-$d" <"$paths" >"pages-$d.txt" 2>"pages-$d.err" ||
			echo "$d: listarc get --batch failed" >>"$T/same-pages.txt"
	done
	for d in "$@"; do
		cmp -s "pages-$ref.txt" "pages-$d.txt" || echo "$d: another status" >>"$T/same-pages.txt"
		diff -rq "pages-$ref" "pages-$d" >>"$T/same-pages.txt" 2>&1
	done
	check "$what" [ ! -s "$T/same-pages.txt" ]
	head -5 "$T/same-pages.txt" | sed 's/^/#   /'
}

# mkcorpus N OUT [SEED]: an mbox of N messages re-mixed from samples/
# (tests/mkcorpus.py: new Message-IDs, dates and threads, real bodies).
mkcorpus() { "$PYTHON" "$ROOT/tests/mkcorpus.py" "$@"; }

# getall NAME [ARGS...] <PATHS: every path on stdin through one process,
# `listarc get --data "$DATA" ARGS --batch NAME` (ARGS: --headers,
# --base-url URL): the body of the N-th path in NAME/N (with --headers its
# status line and headers in NAME/N.head), the lines "N STATUS EXIT PATH"
# in NAME.txt, its stderr (sanitizer reports) in NAME.err.  Returns its
# exit status (0: every path has its line).
getall() {
	local name=$1
	shift
	"$LISTARC" get --data "$DATA" "$@" --batch "$name" >"$name.txt" 2>"$name.err"
}

# wait_until COMMAND...: runs COMMAND until it succeeds, for what another
# process does (a file it writes, a port it closes): a condition, never a
# time.  It is tried every 20 ms; after a minute it is taken to have
# failed (returns non-zero).  The arguments are expanded once, before the
# first try: a count to wait for goes in a function (or sh -c), not in
# $(...) among the arguments.
wait_until() {
	local i
	for ((i = 0; i < 3000; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	return 1
}

# indexed_bytes DIR: how far into its source the index in DIR has
# committed (its resume point, in bytes; 0 before its first commit).
# Read-only: a connection that may write copies the log into the file
# when it closes, and would finish the checkpoint a killed run left half
# done, which the next run is meant to meet.
indexed_bytes() {
	sqlite3 -readonly "$1/index.sqlite" 'SELECT coalesce(max(done), 0) FROM sources' 2>/dev/null || echo 0
}
# index_write_calls DIR LIST MBOX: how many write, pwrite, fsync and
# ftruncate calls on DIR's files a whole `listarc index --data DIR LIST
# MBOX` (the release build) makes, as tests/faulthook.c counts them.
# index_killed_at N DIR LIST MBOX: the same run killed (SIGKILL) by the
# hook at the N-th of those calls (logged in $T/kills.txt); returns the
# run's exit status (137: killed).
index_write_calls() {
	FAULT_DIR=$T/$1/ FAULT_COUNT=$T/calls.txt LD_PRELOAD=$ROOT/build/faulthook.so \
		"$RELEASE" index --data "$1" "$2" "$3" >/dev/null 2>&1
	cut -d' ' -f1 "$T/calls.txt" 2>/dev/null || echo 0
}
index_killed_at() {
	FAULT_DIR=$T/$2/ FAULT_KILL_AT=$1 FAULT_LOG=$T/kills.txt LD_PRELOAD=$ROOT/build/faulthook.so \
		"$RELEASE" index --data "$2" "$3" "$4" 2>/dev/null &
	wait $! 2>/dev/null # (no "Killed" from the shell)
}

# guard COMMAND...: COMMAND, killed after 10 minutes: a guard against a
# hang (an infinite loop), far above any normal run, not a measure.
guard() { timeout -k 5 600 "$@"; }

# start_server NAME [ARGS...]: `listarc serve --data "$DATA" --listen
# 127.0.0.1:0 ARGS` (the ASan build, or $SERVE_BIN) in the background, on
# a free port, its stderr in $T/NAME.err.  Returns once the server has
# said where it listens and taken a connection there, with PID, PORT and U
# (http://127.0.0.1:PORT) set (use_server NAME sets them again later);
# non-zero if it did not start.  The server is killed at exit if the
# script has not stopped it.
start_server() {
	local name=$1 fifo=$T/.serve-$1.fifo fd line port=
	shift
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	# Its stderr comes through a fifo, read here until the line that
	# says where it listens (no polling), then copied to NAME.err.
	"${SERVE_BIN:-$LISTARC}" serve --data "$DATA" --listen 127.0.0.1:0 "$@" 2>"$fifo" &
	SERVER_PID[$name]=$!
	exec {fd}<"$fifo"
	: >"$T/$name.err"
	while IFS= read -r -t 120 -u "$fd" line; do
		printf '%s\n' "$line" >>"$T/$name.err"
		case $line in
		*' listarc: listening on http://127.0.0.1:'*)
			port=${line#*127.0.0.1:}
			port=${port%%/*}
			break
			;;
		esac
	done
	cat <&"$fd" >>"$T/$name.err" &
	SERVER_LOG_PID[$name]=$!
	exec {fd}<&-
	rm -f "$fifo"
	SERVER_PORT[$name]=$port
	use_server "$name"
	[ -n "$port" ] || return 1
	# Ready: it takes a connection.
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || return 1
	exec {fd}>&-
}
# use_server NAME: PID, PORT and U of server NAME.
use_server() {
	PID=${SERVER_PID[$1]:-}
	PORT=${SERVER_PORT[$1]:-}
	U=http://127.0.0.1:$PORT
}
# stop_server NAME [SIGNAL]: sends SIGTERM (or SIGNAL: INT), then
# reap_server NAME SIGNAL.
stop_server() {
	kill -"${2:-TERM}" "${SERVER_PID[$1]}" 2>/dev/null
	reap_server "$1" "${2:-TERM}"
}
# reap_server NAME [SIGNAL]: waits for server NAME to exit (after a
# signal sent already); one check: it exited 0, with no sanitizer report
# in NAME.err (printed if there is one).
reap_server() {
	local name=$1 rc reports
	wait "${SERVER_PID[$name]}"
	rc=$?
	wait "${SERVER_LOG_PID[$name]}" 2>/dev/null
	unset "SERVER_PID[$name]"
	reports=$(grep -cE 'Sanitizer|runtime error' "$T/$name.err")
	check_eq "$name server: SIG${2:-TERM}: exit 0, no sanitizer report" "$rc/$reports" 0/0
	[ "$reports" = 0 ] || grep -A30 -E 'Sanitizer|runtime error' "$T/$name.err" | head -40 | sed 's/^/#   /'
}

# mail_diff_lines MSGID: a patch as an mbox message on stdout, from its
# From_ line to its last (no blank line after it), the same bytes every
# time: a body with quoted lines, then a diff of two hunks whose lines
# and hunk headers t7020 and t7031 search as phrases and by stem.
mail_diff_lines() {
	cat <<EOM
From a@example.org Mon Mar  3 13:00:00 2025
From: A <a@example.org>
Subject: [PATCH] widget: map the pages
Date: Mon, 03 Mar 2025 13:00:00 +0000
Message-ID: <$1>

Map them earlier so the
pages stay warm.
> As said: the
> earlier the better.
---
diff --git a/mm/widget.c b/mm/widget.c
index 1234567..89abcde 100644
--- a/mm/widget.c
+++ b/mm/widget.c
@@ -10,6 +10,8 @@ static int mapping_pages(struct widget *w)
 	int locked = 0;
 	return walks;
+	foo_begin = alpha;
+	beta = foo_end;
 	releases++;
@@ -40,3 +40,3 @@ static void extends(struct widgets *pages)
-	old_counter = dropped;
-	widgets = 0;
+	new_counter = kept;
 	return;
EOM
}

# mail_attachment tgz|diff MSGID: a message on stdout (for `listarc
# deliver`) with an attachment, the same bytes every time: tgz, a gzipped
# tar of two small files, listarc-test.tgz (application/x-gtar-compressed,
# base64); diff, a patch as text, fix.diff (text/x-diff).
mail_attachment() {
	"$PYTHON" - "$@" <<'PY'
import base64, gzip, io, sys, tarfile
kind, mid = sys.argv[1], sys.argv[2]
if kind == "tgz":
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, text in (("a.txt", b"one\n" * 300), ("b/c.txt", bytes(range(256)) * 8)):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(text), 1700000000
            tar.addfile(info, io.BytesIO(text))
    data = gzip.compress(raw.getvalue(), mtime=0)
    part = ("Content-Type: application/x-gtar-compressed; name=\"listarc-test.tgz\"\n"
            "Content-Disposition: attachment; filename=\"listarc-test.tgz\"\n"
            "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(data).decode())
    subject = "a tarball attached"
else:
    part = ("Content-Type: text/x-diff; charset=us-ascii; name=\"fix.diff\"\n"
            "Content-Disposition: attachment; filename=\"fix.diff\"\n\n"
            "--- a/file.c\n+++ b/file.c\n@@ -1,3 +1,3 @@\n int one;\n-int two;\n+long two;\n int three;\n")
    subject = "[PATCH] a patch attached"
sys.stdout.write("Received: from mx.example.org by list.example.org; Tue, 02 Jan 2024 10:00:00 +0000\n"
                 "Message-ID: <%s>\nFrom: Attacher <att@example.org>\nSubject: %s\n"
                 "Date: Tue, 02 Jan 2024 09:59:00 +0000\nMIME-Version: 1.0\n"
                 "Content-Type: multipart/mixed; boundary=\"=-b\"\n\n"
                 "--=-b\nContent-Type: text/plain\n\nSee the attachment.\n\n--=-b\n%s--=-b--\n" % (mid, subject, part))
PY
}
