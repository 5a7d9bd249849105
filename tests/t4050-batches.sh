#!/usr/bin/env bash
# t4050-batches: how the indexer batches its work changes nothing a
# reader sees.  One corpus (1,000 messages of tests/mkcorpus.py, then
# samples/seeds.mbox and samples/lkml.mbox, whose dates go back in time)
# is indexed three ways with the ASan build:
#   A. in one run, with the default batch (one transaction: the reader
#      thread's ring handed over in halves, the Message-ID cache of a new
#      index trusted without look-ups, its rows written in hash order);
#   B. in one run, a commit after every message (LISTARC_BATCH=1: the
#      cache written out at each commit, as the serial path did);
#   C. in two runs, the first half then the rest appended (batches of 97):
#      the second run starts with an index that is not new, so every
#      Message-ID goes through the index's look-up;
# and every message, day, month, year and list page of each (one
# `listarc get --batch` per archive) must be byte for byte those of A,
# as must the numbering, threads and offsets (dump_index).
. "$(dirname "$0")/lib.sh"
plan 7

mkcorpus 1000 corpus.mbox 7
cat "$ROOT/samples/seeds.mbox" "$ROOT/samples/lkml.mbox" >>corpus.mbox
n=$(grep -c '^From ' corpus.mbox)

la index -q --no-search --data A l corpus.mbox 2>A.err
check_eq "A: one run, the default batch: exit 0" $? 0
LISTARC_BATCH=1 la index -q --no-search --data B l corpus.mbox 2>B.err
check_eq "B: a commit after every message: exit 0" $? 0

# C: the first half (cut at a From_ line), then the whole file.
half=$(grep -b '^From ' corpus.mbox | sed -n "$((n / 2 + 1))p" | cut -d: -f1)
head -c "$half" corpus.mbox >c.mbox
LISTARC_BATCH=97 la index -q --no-search --data C l c.mbox 2>C.err &&
	tail -c +"$((half + 1))" corpus.mbox >>c.mbox &&
	LISTARC_BATCH=97 la index -q --no-search --data C l 2>>C.err
check_eq "C: half, then the rest appended, batches of 97: exit 0" $? 0

count=$(sqlite3 A/index.sqlite 'SELECT count(*) FROM messages')
check_eq "A holds every message of the corpus" "$count" "$n"
same_index A B "B: the same numbers, threads and offsets as A"
# C's source is another file (c.mbox): compare everything but its name.
same_index A C "C: the same numbers, threads and offsets as A"

# Every page of A, of B and of C.
sqlite3 A/index.sqlite "
  SELECT printf('/l/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num) FROM messages
  UNION ALL SELECT DISTINCT printf('/l/%04d/%02d/%02d/', day / 10000, day / 100 % 100, day % 100) FROM messages
  UNION ALL SELECT DISTINCT printf('/l/%04d/%02d/', day / 10000, day / 100 % 100) FROM messages
  UNION ALL SELECT DISTINCT printf('/l/%04d/', day / 10000) FROM messages
  UNION ALL SELECT '/l/' UNION ALL SELECT '/'" >paths.txt
pages=$(wc -l <paths.txt)
same_pages paths.txt \
	"the $pages pages (messages, days, months, years, list) of B and C are those of A, byte for byte" A B C
