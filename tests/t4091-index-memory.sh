#!/usr/bin/env bash
# t4091-index-memory: what `listarc index` is set to hold, as a running
# indexer reports it (LISTARC_TEST_MEMORY=1, cmd/cmd-index.c): the page
# caches of index.sqlite (8 MB for a first index, 16 MB for a later
# run: an append's walks read their pages again and again, 4x the reads
# with 8 MB, bench/README.md "Appending") and search.sqlite (2 MB), SQLite's
# temporary files on disk rather than in memory (temp_store 0: the
# sorter of a first index's CREATE INDEX bounded by the cache at any
# size), and the search rows handed to the thread that writes
# search.sqlite never more than FTS_PEND_BYTES (1 MiB) and one row at
# once (store/write.c), however fast that thread runs.  Memory figures
# themselves are bench/'s (docs/INDEX.md, "What the indexer holds").
. "$(dirname "$0")/lib.sh"
plan 6
if ! have_shared; then
	skip 6 "$SKIP_SHARED"
	exit 0
fi

"$PYTHON" "$SHARED/corpora/gen-corpus.py" 3000 corpus.mbox 5 >/dev/null
# One message with search text near the cap (SEARCH_TEXT_MAX, 512 KiB):
# the longest row the thread may be handed on top of 1 MiB.
{
	printf 'From big@example.org Mon Jan  4 10:00:00 2021\n'
	printf 'From: Big <big@example.org>\nTo: list@example.org\n'
	printf 'Subject: a long one\nDate: Mon, 04 Jan 2021 10:00:00 +0000\n'
	printf 'Message-ID: <big-1@example.org>\n\n'
	for i in $(seq 12000); do echo "line $i of a long message with many words in it"; done
	echo
} >>corpus.mbox
n=$(grep -c '^From ' corpus.mbox)

LISTARC_TEST_MEMORY=1 la index -q --data A l corpus.mbox 2>A.err
check_eq "indexed with search: exit 0" $? 0
line=$(grep '^memory:' A.err)
val() { sed -n "s/.* $1=\([-0-9]*\).*/\1/p" <<<" ${line#memory:}"; }
check_eq "the writer's page caches and temporary storage as set (index 8 MB, search 2 MB, temp files)" \
	"$(val cache_size)|$(val search_cache_size)|$(val temp_store)" "-8192|-2048|0"

limit=$(val search_handed_limit) handed=$(val search_handed) held=$(val search_held_max)
echo "# handed $handed bytes, held at most $held, limit $limit"
check "the search rows handed over came to more than 4 times the limit" [ "$limit" = 1048576 -a "$handed" -gt $((limit * 4)) ]
check "...and the thread was never handed more than the limit and one row at once" \
	[ "$held" -gt 0 -a "$held" -le $((limit + 512 * 1024 + 64 * 1024)) ]
check_eq "every message has its search row (the thread's buffers freed at the end lose none)" \
	"$(isql A 'SELECT count(*) FROM s.fts_docsize')|$(sqlite3 A/search.sqlite 'SELECT upto FROM fts_state')" \
	"$n|$(sqlite3 A/index.sqlite 'SELECT max(id) FROM messages')"

# A later run (an append) keeps the 16 MB cache.
{
	printf 'From late@example.org Tue Jan  5 10:00:00 2021\n'
	printf 'From: Late <late@example.org>\nTo: list@example.org\n'
	printf 'Subject: appended\nDate: Tue, 05 Jan 2021 10:00:00 +0000\n'
	printf 'Message-ID: <late-1@example.org>\n\nappended\n\n'
} >>corpus.mbox
LISTARC_TEST_MEMORY=1 la index -q --data A l 2>B.err
rc=$?
line=$(grep '^memory:' B.err)
check_eq "an append: index 16 MB, search 2 MB, temp files" \
	"$rc $(val cache_size)|$(val search_cache_size)|$(val temp_store)" "0 -16384|-2048|0"
