#!/usr/bin/env bash
# t7061-fts-crash: the search index's rows are handed to a thread that
# prepares them (folding, CJK spacing, stems) and inserts them into the
# search index's own file (search.sqlite), committed after index.sqlite
# (store/write.c; docs/INDEX.md).  `listarc index` killed inside the
# writes of either file (tests/faulthook.c, as t4100-crash does) while
# rows are prepared, waiting or being inserted, then run to the end (the
# writer catching the file up first), gives a search index equal to one uninterrupted
# run's, term by term: every word at every position of every column of
# every message (fts5vocab's `instance` table), every patch id, and the
# same answers to searches.  The uninterrupted run uses the default
# batches (5,000 messages: the rows are flushed several times inside a
# batch), the killed runs small ones (LISTARC_BATCH=40).  FTS_CRASH_SEED=N
# replays the kill points of an earlier run.
. "$(dirname "$0")/lib.sh"
seed=${FTS_CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
echo "# FTS_CRASH_SEED=$seed"

plan 11
mkcorpus 3000 corpus.mbox
n=$(grep -c '^From ' corpus.mbox)
size=$(stat -c %s corpus.mbox)

"$RELEASE" index --data ref fts corpus.mbox 2>err.txt
check_eq "one uninterrupted run exits 0" $? 0

export LISTARC_BATCH=40
calls=$(index_write_calls count fts corpus.mbox)
echo "# a whole run in batches of 40 makes $calls write, fsync and ftruncate calls"
killed=0
: >kills.txt
: >progress.txt
for i in $(seq 0 11); do
	before=$(indexed_bytes hook)
	nth=$("$PYTHON" -c 'import random, sys; a = list(map(int, sys.argv[1:]))
random.seed(a[0] * 100 + a[1]); print(random.randint(1, max(1, a[2])))' \
		"$seed" "$i" $((2 * calls * (size - before) / size / (12 - i))))
	index_killed_at "$nth" hook fts corpus.mbox
	rc=$?
	[ $rc -eq 137 ] && killed=$((killed + 1))
	echo "$nth $rc $before $(indexed_bytes hook)" >>progress.txt
done
echo "# N-th call, exit status, bytes indexed before and after:"
sed 's/^/#   /' progress.txt
check "at least 9 of the 12 hooked runs were killed inside a write (killed: $killed)" [ "$killed" -ge 9 ]
check "the kills left the index at 6 or more different points" \
	[ "$(cut -d' ' -f4 progress.txt | sort -u | wc -l)" -ge 6 ]
"$LISTARC" index --data hook fts corpus.mbox 2>err.txt
check_eq "after the kills, a run (ASan build) exits 0" $? 0
check_eq "the index is intact (PRAGMA integrity_check, and FTS5's own)" \
	"$(isql hook "PRAGMA integrity_check; INSERT INTO fts(fts, rank) VALUES('integrity-check', 0)")" ok
check_eq "every message is indexed once" \
	"$(sqlite3 hook/index.sqlite 'SELECT count(*), count(DISTINCT off) FROM messages')" "$n|$n"
same_index ref hook "message ids, URLs and threads equal those of one uninterrupted run"

# Every word at every position, by message (its URL's day and number).
vocab() {
	isql "$1" "CREATE VIRTUAL TABLE temp.v USING fts5vocab(s, fts, instance);
		SELECT v.term, m.day, m.num, v.col, v.offset FROM temp.v JOIN messages m ON m.id = v.doc
		ORDER BY 1, 2, 3, 4, 5" | md5sum
}
check_eq "the search index holds the same words at the same places as one uninterrupted run's" \
	"$(vocab hook)" "$(vocab ref)"
check "...and it is not empty" [ "$(isql ref "SELECT count(*) FROM fts WHERE fts MATCH 'the'")" -gt 100 ]
q='SELECT p.pid, m.day, m.num FROM patchids p JOIN messages m ON m.id = p.id ORDER BY 1, 2, 3'
check_eq "the patch ids are the same" \
	"$(sqlite3 hook/index.sqlite "$q" | md5sum)" "$(sqlite3 ref/index.sqlite "$q" | md5sum)"
ans() {
	for q in the 'review' '"the patch"' 'dfb:return' 's:re' 'f:a*'; do
		"$LISTARC" search --data "$1" --limit 1000 "$q" 2>&1
	done | md5sum
}
check_eq "searches answer the same" "$(ans hook)" "$(ans ref)"
