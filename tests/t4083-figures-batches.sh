#!/usr/bin/env bash
# t4083-figures-batches: a list's figures (senders, stat_senders,
# stat_threads, thread_senders, topics, days) and the pages that show
# them do not depend on how the mail reached the index.  The corpora
# (samples/, ../shared/corpora through corpus_mboxes, and a corpus of
# gen-corpus.py) are indexed
#   - in one run each (the reference);
#   - in many small runs: each mbox grown a slice at a time, a run after
#     each slice, in batches of 7 (many commits, threads and senders
#     that span them);
#   - by `listarc deliver`, a message at a time (the reference for these
#     is a one-shot index of the mbox deliver wrote: deliver dates the
#     From_ line itself);
#   - killed (SIGKILL, by tests/faulthook.c) at four write calls spread
#     over a run in batches of 50 (inside its commits), then run to the
#     end;
# and every figures table, row for row (ids too: a new sender is
# numbered at its first message), and every list, year, month, day,
# topics and sender page (`listarc get`, status and bytes) is the
# reference's.
. "$(dirname "$0")/lib.sh"
plan 12
if ! have_shared || [ ! -f "$SHARED/corpora/gen-corpus.py" ]; then
	skip 12 "../shared/corpora is not here"
	exit 0
fi
corpus_mboxes c
"$PYTHON" "$SHARED/corpora/gen-corpus.py" 1500 c/gen.mbox 4083 >/dev/null 2>&1
lists=$(cd c && ls *.mbox | sed 's/\.mbox$//')
check "the corpora are here (gen, lkml, seeds, edge, notmuch, peers)" \
	[ "$(echo "$lists" | wc -w)" -ge 8 -a -s c/gen.mbox ]

# figures DIR: every figures table of DIR's index in key order, the list
# by name.
figures() {
	sqlite3 "$1/index.sqlite" "
	  SELECT 'senders', l.name, s.id, s.addr, s.name, s.n, s.last_ts, s.hash
	    FROM senders s JOIN lists l ON l.id = s.list_id ORDER BY s.id;
	  SELECT 'stat_senders', l.name, x.period, x.sender, x.n
	    FROM stat_senders x JOIN lists l ON l.id = x.list_id ORDER BY 2, 3, 4;
	  SELECT 'stat_threads', l.name, x.period, x.thread, x.n
	    FROM stat_threads x JOIN lists l ON l.id = x.list_id ORDER BY 2, 3, 4;
	  SELECT 'thread_senders', l.name, x.thread, x.sender, x.n
	    FROM thread_senders x JOIN lists l ON l.id = x.list_id ORDER BY 2, 3, 4;
	  SELECT 'topics', l.name, t.thread, t.n, t.senders, t.first_ts, t.last_ts, t.starter
	    FROM topics t JOIN lists l ON l.id = t.list_id ORDER BY 2, 3;
	  SELECT 'days', l.name, d.day, d.count FROM days d JOIN lists l ON l.id = d.list_id
	    ORDER BY 2, 3;
	  SELECT 'stats_delta', count(*) FROM stats_delta;"
}
# paths DIR: the site index, and of each list its page, topics page,
# years, months, days (each with a ?page=2) and sender pages.
paths() {
	echo /
	sqlite3 "$1/index.sqlite" "
	  SELECT '/' || l.name || p.q FROM lists l,
	    (SELECT '/' q UNION ALL SELECT '/?page=2' UNION ALL SELECT '/topics/') p;
	  SELECT DISTINCT '/' || l.name || printf('/%04d/', d.day / 10000)
	    FROM days d JOIN lists l ON l.id = d.list_id;
	  SELECT DISTINCT '/' || l.name || printf('/%04d/%02d/', d.day / 10000, d.day / 100 % 100) || p.q
	    FROM days d JOIN lists l ON l.id = d.list_id,
	    (SELECT '' q UNION ALL SELECT '?page=2') p;
	  SELECT '/' || l.name || printf('/%04d/%02d/%02d/', d.day / 10000, d.day / 100 % 100,
	    d.day % 100) FROM days d JOIN lists l ON l.id = d.list_id;
	  SELECT '/' || l.name || '/from/' || s.hash || '/' FROM senders s
	    JOIN lists l ON l.id = s.list_id WHERE s.n > 0 ORDER BY s.id"
}
# same_figures WHAT REF DIR: two checks: the figures tables, then the
# pages.
same_figures() {
	figures "$2" >"$2.figs"
	figures "$3" >"$3.figs"
	same_files "$1: every figures row is the one-shot index's ($(wc -l <"$2.figs") rows)" \
		"$2.figs" "$3.figs"
	paths "$2" >"$2.paths"
	same_pages "$2.paths" "$1: every listing, topics and sender page is the one-shot index's ($(wc -l <"$2.paths") pages)" "$2" "$3"
}

# The reference: one run a list.
rc=0
for l in $lists; do "$RELEASE" index -q --data ref "$l" "c/$l.mbox" || rc=1; done
check_eq "the one-shot index of every list" $rc 0

# Many small runs: each mbox in 6 slices (by its From_ lines), grown and
# indexed again after each, in batches of 7.
slices() { # MBOX N OUTPREFIX: the mbox's messages in N files
	awk -v n="$2" -v out="$3" -v total="$(grep -c '^From ' "$1")" '
	  /^From / { i++ } { print > (out "." int((i - 1) * n / total)) }' "$1"
}
rc=0
for l in $lists; do
	slices "c/$l.mbox" 6 "s-$l"
	: >"grow-$l.mbox"
	for p in "s-$l".*; do
		cat "$p" >>"grow-$l.mbox"
		LISTARC_BATCH=7 "$RELEASE" index -q --data runs "$l" "grow-$l.mbox" || rc=1
	done
done
check_eq "the same mail in six runs a list, batches of 7" $rc 0
same_figures "six runs a list, batches of 7" ref runs

# deliver: seeds, lkml and notmuch a message at a time; the reference
# is the mbox deliver wrote, indexed in one run.
rc=0
for l in seeds notmuch lkml; do
	"$PYTHON" - "c/$l.mbox" "msg-$l" <<'EOF'
import re, sys
data = open(sys.argv[1], 'rb').read()
parts = re.split(rb'(?m)^From [^\n]*\n', data)[1:]
for i, p in enumerate(parts):
    p = re.sub(rb'(?m)^>(>*From )', rb'\1', p)
    open('%s.%05d' % (sys.argv[2], i), 'wb').write(p)
EOF
	first=--create
	for m in "msg-$l".*; do
		"$RELEASE" deliver --data dlv $first "$l" <"$m" || rc=1
		first=
	done
done
check_eq "every message delivered" $rc 0
rc=0
for l in seeds notmuch lkml; do
	cp "dlv/mbox/$l.mbox" "dl-$l.mbox"
	"$RELEASE" index -q --data dlref "$l" "dl-$l.mbox" || rc=1
done
check_eq "...and the mboxes deliver wrote indexed in one run each" $rc 0
same_figures "deliver, a message at a time" dlref dlv

# Killed inside commits: four runs of the generated corpus in batches of
# 50, each killed at the write call a fifth of a whole run's (so each
# resumes where the last one was killed, a fifth further), then a run to
# the end.
export LISTARC_BATCH=50
"$RELEASE" index -q --data genref gen c/gen.mbox
calls=$(index_write_calls count gen c/gen.mbox)
killed=0
for i in 1 2 3 4; do
	index_killed_at $((calls / 5 + i)) hook gen c/gen.mbox
	[ $? = 137 ] && killed=$((killed + 1))
done
"$RELEASE" index -q --data hook gen c/gen.mbox
check "four runs killed at write calls ($calls calls a whole run), then one to the end" \
	[ $killed = 4 -a "$(sqlite3 hook/index.sqlite 'SELECT count(*) FROM messages')" = \
	"$(sqlite3 genref/index.sqlite 'SELECT count(*) FROM messages')" ]
same_figures "killed four times" genref hook
