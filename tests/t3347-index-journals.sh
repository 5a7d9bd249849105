#!/usr/bin/env bash
# t3347-index-journals: a batch's statement journals (SQLite's undo of
# one statement that writes several rows) are kept in memory for the
# batch's transaction and never written to a temporary file (write.c,
# st_journals: a first index spent 30% of its CPU writing them), and a
# thread of any size merges into another in steps of a bounded number of
# rows (merge_threads), so that a journal in memory stays small.
#   - a thread of 700 messages that a late message joins to an older
#     one (References naming both), and the corpora (samples/,
#     ../shared/corpora), indexed with and without search, in one batch
#     and in batches of 50: no write call reaches a file of SQLite's
#     temporary directory (etilqs_*, tests/faulthook.c's trace); the
#     joined thread is one thread of 703 messages, its messages and
#     Message-IDs all moved, the thread's page counts them all;
#   - the merge appended to an archive of the two threads (a run of its
#     own) gives the same rows as the mail in one run;
#   - a list removed and a list purged after batches in the same archive
#     (statements over a whole list: their journals on file) leave the
#     other lists' rows as they were;
#   - with $LISTARC_ANCHOR (`make check-anchor`): the anchor's archives
#     of the same mail, in the same runs, hold every row of every table
#     this build's do.
. "$(dirname "$0")/lib.sh"
plan 9
ANCHOR=${LISTARC_ANCHOR:-}

# The joined thread: a0 (2019-03-01), then b0 and 700 replies to it
# (each naming b0 and the reply before it), then m naming a0 and b0:
# 703 messages.
"$PYTHON" - <<'EOF'
def msg(out, i, mid, subj, refs, day, hour):
    out.write(f"From x@example.org Mon Mar  {day:2d} {hour:02d}:00:00 2019\n")
    out.write(f"From: Sender {i % 37} <s{i % 37}@example.org>\n")
    out.write(f"Date: Mon, {day} Mar 2019 {hour:02d}:{i % 60:02d}:00 +0000\n")
    out.write(f"Subject: {subj}\nMessage-ID: <{mid}>\n")
    if refs:
        out.write(f"In-Reply-To: <{refs[-1]}>\nReferences: " + " ".join(f"<{r}>" for r in refs) + "\n")
    out.write(f"\nMessage {i} of the thread.\n\n")
with open("two.mbox", "w") as two, open("late.mbox", "w") as late:
    msg(two, 0, "a0@t3347", "The older thread", [], 1, 8)
    msg(two, 1, "b0@t3347", "The larger thread", [], 2, 8)
    prev = "b0@t3347"
    for i in range(700):
        mid = f"b{i + 1}@t3347"
        refs = ["b0@t3347"] + ([prev] if prev != "b0@t3347" else [])
        msg(two, i + 2, mid, "Re: The larger thread", refs, 3 + i // 25, i % 24)
        prev = mid
    msg(late, 703, "m@t3347", "Re: both", ["a0@t3347", "b0@t3347"], 31, 8)
EOF
cat two.mbox late.mbox >joined.mbox
corpus_mboxes c
cp joined.mbox c/joined.mbox
lists=$(cd c && ls *.mbox | sed 's/\.mbox$//')

# run BIN DIR [ARGS]: every list of c/ indexed by BIN into DIR with
# ARGS, faulthook tracing every write call into DIR.trace; the exit
# statuses, joined.
run() {
	local bin=$1 dir=$2 l rcs=""
	shift 2
	for l in $lists; do
		FAULT_TRACE=$T/$dir.trace LD_PRELOAD=$ROOT/build/faulthook.so \
			"$bin" index -q "$@" --data "$dir" "$l" "c/$l.mbox"
		rcs="$rcs$?"
	done
	echo "$rcs"
}
# temp DIR: the write calls of DIR's runs on SQLite's temporary files.
temp() { grep -c 'etilqs_' "$T/$1.trace"; }
# joined DIR: "threads messages mids-moved" of the joined list.
joined() {
	sqlite3 "$1/index.sqlite" "SELECT count(DISTINCT m.thread) || ' ' || count(*)
		|| ' ' || (SELECT count(*) FROM mids x WHERE x.mid LIKE '%@t3347'
			AND x.thread = m.thread)
		FROM messages m JOIN lists l ON l.id = m.list_id WHERE l.name = 'joined'"
}
ok_rcs=$(echo $lists | sed 's/[^ ]*/0/g; s/ //g')

rc=$(run "$RELEASE" one --no-search)
check_eq "no search, one batch a list: every run exits 0, no write to a temporary file, the joined thread one of 703" \
	"$rc/$(temp one)/$(joined one)" "$ok_rcs/0/1 703 703"
rc=$(LISTARC_BATCH=50 run "$RELEASE" fifty --no-search)
check_eq "no search, batches of 50: the same" "$rc/$(temp fifty)/$(joined fifty)" "$ok_rcs/0/1 703 703"
rc=$(run "$RELEASE" srch)
check_eq "with search: the same" "$rc/$(temp srch)/$(joined srch)" "$ok_rcs/0/1 703 703"
index_rows one rowid >one.txt
index_rows fifty rowid >fifty.txt

# The merge as an append: the two threads, then the late message
# appended to their mbox.
cp two.mbox grow.mbox
"$RELEASE" index -q --no-search --data app joined grow.mbox
cat late.mbox >>grow.mbox
FAULT_TRACE=$T/app.trace LD_PRELOAD=$ROOT/build/faulthook.so \
	"$RELEASE" index -q --no-search --data app joined grow.mbox
check_eq "the merge appended: one thread of 703, no write to a temporary file" \
	"$?/$(joined app)/$(temp app)" "0/1 703 703/0"
"$RELEASE" index -q --no-search --data oneg joined grow.mbox
same_index oneg app "the appended merge's rows are those of the same mbox in one run"

DATA=one get /joined/m@t3347/T/ >page.html
check_eq "the late message's thread page: 200, one thread of all 703 messages" \
	"$STATUS/$(grep -c '703 messages in this thread' page.html)" "200/1"

# Whole-list statements after batches, in the one archive: the lkml
# list removed, seeds forgotten and indexed again (--rebuild); then a
# thread of the joined list again (rethread).
la list remove --data one lkml >/dev/null 2>&1
rm_rc=$?
la index -q --no-search --rebuild --data one seeds c/seeds.mbox >/dev/null 2>&1
rb_rc=$?
la rethread --data one joined >/dev/null 2>&1
rt_rc=$?
check_eq "a list removed, one rebuilt and one rethreaded after batches: each exits 0, the joined thread stays one of 703, lkml is gone" \
	"$rm_rc/$rb_rc/$rt_rc/$(joined one)/$(sqlite3 one/index.sqlite "SELECT count(*) FROM lists WHERE name = 'lkml'")" \
	"0/0/0/1 703 703/0"

if [ -z "$ANCHOR" ]; then
	skip 2 "no anchor (make check-anchor ANCHOR=...)"
else
	run "$ANCHOR" a-one --no-search >/dev/null
	check "the anchor's archive, one batch a list: every row this build's" \
		cmp -s one.txt <(index_rows a-one rowid)
	LISTARC_BATCH=50 run "$ANCHOR" a-fifty --no-search >/dev/null
	check "the anchor's archive, batches of 50: every row this build's" \
		cmp -s fifty.txt <(index_rows a-fifty rowid)
fi
