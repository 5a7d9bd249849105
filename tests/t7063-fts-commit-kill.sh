#!/usr/bin/env bash
# t7063-fts-commit-kill: the search index's own file (search.sqlite) is
# committed after index.sqlite, at each batch (store/write.c,
# store_commit), and records how far it is whole (fts_state.upto); a
# writer (index, deliver: under the archive lock) indexes the text of the messages after
# that again (store/store.c, store_search_catch_up).  A clean run's writes are
# traced (tests/faulthook.c, FAULT_TRACE), and `listarc index` is killed
# (SIGKILL) from an empty archive at calls aimed around those two
# commits: index.sqlite's last WAL write of a batch, the file's first,
# one in its middle, its last (a torn or whole write, as the hook
# decides), with the parallel writer and the serial one
# (LISTARC_FTS_SERIAL=1).  Each killed archive must never search a
# message its pages lack (no row of the search index without its
# message, upto never past the last message), and a run then must end
# with the search index of one uninterrupted run: every word at every
# position of every message, each message once, upto at the last one.
. "$(dirname "$0")/lib.sh"
HOOK=$ROOT/build/faulthook.so
plan 9
mkcorpus 400 corpus.mbox 11
n=$(grep -c '^From ' corpus.mbox)

"$RELEASE" index -q --data ref l corpus.mbox 2>/dev/null
check_eq "one uninterrupted run exits 0" $? 0
export LISTARC_BATCH=40
# The trace is of the serial writer: the parallel one's search thread
# commits batches behind, when the scheduler lets it, so where its writes
# fall in the sequence of calls varies from run to run.  The same call
# numbers then aim the parallel writer's runs near the same places.
LISTARC_FTS_SERIAL=1 FAULT_DIR=$T/tr/ FAULT_TRACE=$T/trace.txt LD_PRELOAD=$HOOK \
	"$RELEASE" index -q --data tr l corpus.mbox 2>/dev/null
# The calls where search.sqlite's writes follow index.sqlite's (a batch's
# two commits): the one before, the first, the middle and the last of
# the file's run of writes, for the 2nd and 5th batch.
awk '{ sub(".*/", "", $3); print $1, $3 }' trace.txt >calls.txt
"$PYTHON" - calls.txt >points.txt <<'PY'
import sys
calls = [l.split() for l in open(sys.argv[1])]
runs, i = [], 0
while i < len(calls):
    if calls[i][1] == "search.sqlite-wal" and i > 0 and calls[i - 1][1] == "index.sqlite-wal":
        j = i
        while j + 1 < len(calls) and calls[j + 1][1] == "search.sqlite-wal":
            j += 1
        runs.append((int(calls[i - 1][0]), int(calls[i][0]), int(calls[j][0])))
        i = j
    i += 1
for k in (1, 4):
    if k < len(runs):
        before, first, last = runs[k]
        print(before, first, (first + last) // 2, last)
PY
check "the trace shows the two commits of at least 5 batches ($(wc -l <points.txt) aimed at)" \
	[ "$(wc -l <points.txt)" -ge 2 ]

: >kills.txt
killed=0 between=0 bad=0 runs=0
for p in $(cat points.txt); do
	for serial in 0 1; do
		d=k-$p-$serial
		runs=$((runs + 1))
		LISTARC_FTS_SERIAL=$serial FAULT_DIR=$T/$d/ FAULT_KILL_AT=$p FAULT_LOG=$T/kills.txt \
			LD_PRELOAD=$HOOK "$RELEASE" index -q --data "$d" l corpus.mbox 2>/dev/null &
		wait $! 2>/dev/null
		[ $? -eq 137 ] && killed=$((killed + 1))
		# What a reader sees now, before any writer has run.
		state=$(isql "$d" "SELECT (SELECT count(*) FROM s.fts_docsize WHERE id NOT IN (SELECT id FROM messages)),
			(SELECT coalesce(max(upto), 0) FROM s.fts_state) <= (SELECT coalesce(max(id), 0) FROM messages),
			(SELECT coalesce(max(upto), 0) FROM s.fts_state) < (SELECT coalesce(max(id), 0) FROM messages)" 2>&1)
		case $state in
		"0|1|1") between=$((between + 1)) ;;
		"0|1|0") ;;
		*)
			bad=$((bad + 1))
			echo "# $d: $state"
			;;
		esac
	done
done
check "at least 3/4 of the $runs aimed runs were killed (killed: $killed)" [ $((killed * 4)) -ge $((runs * 3)) ]
check_eq "no killed archive's search index has a message its pages lack, nor claims one" "$bad" 0
check "some kills fell between the two commits: the batch in index.sqlite, not yet searchable ($between)" \
	[ "$between" -ge 3 ]

ref=$(fts_vocab ref)
fails=0 notsame=0 notonce=0
for p in $(cat points.txt); do
	for serial in 0 1; do
		d=k-$p-$serial
		LISTARC_FTS_SERIAL=$serial la index -q --data "$d" l corpus.mbox 2>"$d.err" || fails=$((fails + 1))
		dump_index ref >ref.dump
		dump_index "$d" | cmp -s - ref.dump || notsame=$((notsame + 1))
		[ "$(fts_vocab "$d")" = "$ref" ] || notsame=$((notsame + 1))
		[ "$(isql "$d" "PRAGMA integrity_check; SELECT count(*) FROM s.fts_docsize; SELECT (SELECT upto FROM s.fts_state) = (SELECT max(id) FROM messages)")" = "ok
$n
1" ] || notonce=$((notonce + 1))
	done
done
check_eq "then a run (ASan build) of each exits 0" "$fails" 0
check_eq "...and each archive's messages and search index equal the uninterrupted run's, word by word" "$notsame" 0
check_eq "...each message once in the search index, upto at the last message, both files intact" "$notonce" 0
ans() {
	for q in the review '"the patch"' 'dfb:return' 's:re'; do
		"$LISTARC" search --data "$1" --limit 1000 "$q" 2>&1
	done | md5sum
}
d=k-$(head -1 points.txt | cut -d' ' -f2)-0
check_eq "searches answer as the uninterrupted run's" "$(ans "$d")" "$(ans ref)"
