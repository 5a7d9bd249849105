#!/usr/bin/env bash
# t4061-batch-pages: the index run's batching changes nothing a reader
# sees, with the search index and the figures and series that are made at
# each commit (t4050 covers the plain pages without search).  One corpus
# (1,000 messages of ../shared/corpora/gen-corpus.py: threads and numbered
# patch series; then tests/mkseries.py's series with its reviews, and
# samples/seeds.mbox) is indexed three ways:
#   A. in one run, the default batches (what a fresh index takes);
#   B. a commit after every message (LISTARC_BATCH=1): the serial path,
#      every cache written and every series' state and the figures made
#      again at each message;
#   C. in two runs, the first half then the rest appended (batches of 97):
#      an index that is not new, its series states and figures kept
#      between runs, and the no-op run's shortcut taken once between them;
# and the numbering, threads and offsets (dump_index), then every message
# page, the list, topics and series pages, each series' page, each
# sender's page, the series API and a few searches (one `listarc get
# --batch` per archive) must be those of A, byte for byte.
. "$(dirname "$0")/lib.sh"
plan 8
if ! have_shared; then
	skip 8 "$SKIP_SHARED"
	exit 0
fi
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

"$PYTHON" "$SHARED/corpora/gen-corpus.py" 1000 corpus.mbox 5
"$ROOT/tests/mkseries-repo.sh" "$T/repo" >/dev/null
"$PYTHON" "$ROOT/tests/mkseries.py" "$T/repo" "$T/series.mbox"
cat "$T/series.mbox" "$ROOT/samples/seeds.mbox" >>corpus.mbox
n=$(grep -c '^From ' corpus.mbox)

la index -q --data A l corpus.mbox 2>A.err
check_eq "A: one run, the default batches: exit 0" $? 0
LISTARC_BATCH=1 la index -q --data B l corpus.mbox 2>B.err
check_eq "B: a commit after every message: exit 0" $? 0

half=$(grep -b '^From ' corpus.mbox | sed -n "$((n / 2 + 1))p" | cut -d: -f1)
head -c "$half" corpus.mbox >c.mbox
LISTARC_BATCH=97 la index -q --data C l c.mbox 2>C.err &&
	LISTARC_BATCH=97 la index -q --data C l 2>>C.err &&
	tail -c +"$((half + 1))" corpus.mbox >>c.mbox &&
	LISTARC_BATCH=97 la index -q --data C l 2>>C.err
check_eq "C: half, a run with nothing new, then the rest: exit 0" $? 0

series=$(sqlite3 A/index.sqlite 'SELECT count(*) FROM series_state WHERE msgs > 0')
check "A holds every message and some patch series ($series)" \
	[ "$(sqlite3 A/index.sqlite 'SELECT count(*) FROM messages')" = "$n" -a "$series" -gt 10 ]
same_index A B "B: the same numbers, threads and offsets as A"
same_index A C "C: the same numbers, threads and offsets as A"

# The pages.  Series and senders by their keys in A (the same in B and C
# if the pages are).
sqlite3 A/index.sqlite "
  SELECT printf('/l/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num) FROM messages
  UNION ALL SELECT DISTINCT printf('/l/%04d/%02d/', day / 10000, day / 100 % 100) FROM messages
  UNION ALL SELECT DISTINCT printf('/l/%04d/', day / 10000) FROM messages
  UNION ALL SELECT printf('/l/%s/s/', mids.mid) FROM series s JOIN messages m ON m.id = s.cover
    JOIN mids ON mids.id = m.mid
  UNION ALL SELECT printf('/l/from/%s/', hash) FROM senders WHERE n > 0
  UNION ALL SELECT printf('/l/topics/?page=%d', value) FROM generate_series(1, 4)
  UNION ALL SELECT printf('/l/series/?page=%d', value) FROM generate_series(1, 4)
  UNION ALL SELECT '/l/' UNION ALL SELECT '/' UNION ALL SELECT '/api/v1/l/series/'
  UNION ALL SELECT '/l/?q=series%3Areviewed' UNION ALL SELECT '/l/?q=v%3A2'
  UNION ALL SELECT '/l/?q=series%3Alatest' UNION ALL SELECT '/l/?q=s%3Apatch'
  UNION ALL SELECT '/l/?q=d%3A2000..' UNION ALL SELECT '/l/new.atom'" >paths.txt
pages=$(wc -l <paths.txt)
same_pages paths.txt \
	"the $pages pages (messages, months, list, topics, series, senders, searches) of B and C are A's, byte for byte" A B C
check "...and they are pages (200s among them: $(grep -c ' 200 ' pages-A.txt))" \
	[ "$(grep -c ' 200 ' pages-A.txt)" -gt "$((n / 2))" ]
