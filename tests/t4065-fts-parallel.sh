#!/usr/bin/env bash
# t4065-fts-parallel: the search index is written into its own file
# (search.sqlite) by a thread of its own through a second connection,
# beside the writer of index.sqlite (store/write.c); LISTARC_FTS_SERIAL=1
# turns that thread off (the writer prepares and inserts the rows
# itself).  One corpus (1,000 messages of ../shared/corpora/gen-corpus.py,
# tests/mkseries.py's series and samples/seeds.mbox) is indexed both
# ways, in one run and in small batches (LISTARC_BATCH=37: the thread's
# rows committed after each of index.sqlite's commits), and the
# numbering, the search index (every word at every position of every
# column, by message), the patch ids, the searches and the pages must
# be the same, byte for byte.  So must an index whose reader lets the
# kernel drop the mbox's pages behind it at each move of its 2 MB
# window (LISTARC_TEST_DROP_BEHIND=4096; for an mbox larger than a quarter of
# the memory it is every 64 MB: ingest.c, drop_behind_every).
. "$(dirname "$0")/lib.sh"
plan 12
if ! have_shared; then
	skip 12 "$SKIP_SHARED"
	exit 0
fi
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

"$PYTHON" "$SHARED/corpora/gen-corpus.py" 1000 corpus.mbox 3 >/dev/null
"$ROOT/tests/mkseries-repo.sh" "$T/repo" >/dev/null
"$PYTHON" "$ROOT/tests/mkseries.py" "$T/repo" "$T/series.mbox"
cat "$T/series.mbox" "$ROOT/samples/seeds.mbox" >>corpus.mbox
n=$(grep -c '^From ' corpus.mbox)

la index -q --data P l corpus.mbox 2>P.err
check_eq "P: the parallel writer (the default), one run: exit 0" $? 0
LISTARC_FTS_SERIAL=1 la index -q --data S l corpus.mbox 2>S.err
check_eq "S: the serial writer (LISTARC_FTS_SERIAL=1): exit 0" $? 0
LISTARC_BATCH=37 la index -q --data B l corpus.mbox 2>B.err
check_eq "B: the parallel writer, batches of 37: exit 0" $? 0
sync corpus.mbox
LISTARC_TEST_DROP_BEHIND=4096 la index -q --data D l corpus.mbox 2>D.err
check_eq "D: the mbox's pages dropped behind the reader: exit 0" $? 0

check_eq "P: the search index is in its own file, and covers every message" \
	"$(sqlite3 P/index.sqlite "SELECT count(*) FROM sqlite_schema WHERE name = 'fts'")|$(sqlite3 P/search.sqlite 'SELECT upto FROM fts_state')|$(isql P 'SELECT count(*) FROM s.fts_docsize')" \
	"0|$(sqlite3 P/index.sqlite 'SELECT max(id) FROM messages')|$n"
same_index P S "S: the same numbers, threads and offsets as P"
same_index P D "D: the same numbers, threads and offsets as P"

# Every word at every position, by message (its URL's day and number).
vocab() {
	isql "$1" "CREATE VIRTUAL TABLE temp.v USING fts5vocab(s, fts, instance);
		SELECT v.term, m.day, m.num, v.col, v.offset FROM temp.v JOIN messages m ON m.id = v.doc
		ORDER BY 1, 2, 3, 4, 5" | md5sum
}
ref=$(vocab P)
check "S and B: the search index holds the same words at the same places as P's" \
	[ "$(vocab S)" = "$ref" -a "$(vocab B)" = "$ref" -a "$(isql P 'SELECT count(*) FROM s.fts_data')" -gt 10 ]
q='SELECT p.pid, m.day, m.num FROM patchids p JOIN messages m ON m.id = p.id ORDER BY 1, 2, 3'
check "S and B: the same patch ids" \
	[ "$(isql S "$q" | md5sum)" = "$(isql P "$q" | md5sum)" -a "$(isql B "$q" | md5sum)" = "$(isql P "$q" | md5sum)" ]
ans() {
	for q in the review '"the patch"' 'dfb:return' 's:re' 'f:a*' 'patchid:0*' 'nq:fix AND NOT s:re'; do
		"$LISTARC" search --data "$1" --limit 1000 "$q" 2>&1
	done | md5sum
}
check "S and B: searches answer the same" [ "$(ans S)" = "$(ans P)" -a "$(ans B)" = "$(ans P)" ]

sqlite3 P/index.sqlite "
  SELECT printf('/l/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num) FROM messages
  UNION ALL SELECT DISTINCT printf('/l/%04d/%02d/', day / 10000, day / 100 % 100) FROM messages
  UNION ALL SELECT printf('/l/%s/s/', mids.mid) FROM series s JOIN messages m ON m.id = s.cover
    JOIN mids ON mids.id = m.mid
  UNION ALL SELECT '/l/' UNION ALL SELECT '/' UNION ALL SELECT '/l/topics/'
  UNION ALL SELECT '/l/?q=the' UNION ALL SELECT '/l/?q=review' UNION ALL SELECT '/l/?q=s%3Apatch'
  UNION ALL SELECT '/l/?q=dfb%3Areturn&x=t' UNION ALL SELECT '/all/?q=the+patch'
  UNION ALL SELECT '/l/?q=series%3Areviewed' UNION ALL SELECT '/l/?q=the&x=A'
  UNION ALL SELECT '/l/new.atom'" >paths.txt
: >diff.txt
for d in P S B D; do
	"$RELEASE" get --data "$d" --batch "pages-$d" <paths.txt >"pages-$d.txt" 2>"pages-$d.err" ||
		echo "$d: listarc get --batch failed" >>diff.txt
done
for d in S B D; do
	cmp -s pages-P.txt "pages-$d.txt" || echo "$d: another status" >>diff.txt
	diff -rq pages-P "pages-$d" >>diff.txt 2>&1
done
check "the $(wc -l <paths.txt) pages (messages, months, series, searches) of S, B and D are P's, byte for byte" \
	[ ! -s diff.txt ]
head -5 diff.txt | sed 's/^/#   /'
check "...and they are pages (200s among them: $(grep -c ' 200 ' pages-P.txt))" \
	[ "$(grep -c ' 200 ' pages-P.txt)" -gt "$((n / 2))" ]
