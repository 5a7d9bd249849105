#!/usr/bin/env bash
# t4085-index-deferred: a first index (an empty archive) leaves out the
# indexes only readers use (mids_mid, messages_when, messages_week,
# messages_ts, messages_len) and makes them at the end of its run, marked missing
# meanwhile by meta indexes='deferred' (store.c, store_indexes_defer).
# Killed (SIGKILL, $LISTARC_TEST_INDEXES_KILL) before they are made (1)
# or with them made and not committed (2), the archive has every
# message, the mark and none of them, and searches by size, date,
# delivery time and a Message-ID's text and a 404's near misses answer
# as the one-shot archive's; the next run makes them and leaves every
# row of every table as one uninterrupted run does.  A first run killed
# so and continued by a run that adds the rest of the mbox stays
# without them to its end.  The kills use the release build, the runs
# that finish the ASan build.
. "$(dirname "$0")/lib.sh"
plan 19
export LISTARC_BATCH=100
mkcorpus 1000 corpus.mbox
# The first 600 messages: the first run of the continued archive.
awk '/^From / { n++ } n <= 600' corpus.mbox >half.mbox

IDX="'mids_mid', 'messages_when', 'messages_ts', 'messages_len', 'messages_week'"
# state DIR: "messages indexes mark" of DIR's archive.
state() {
	sqlite3 "$1/index.sqlite" "SELECT (SELECT count(*) FROM messages) || ' '
		|| (SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ($IDX)) || ' '
		|| coalesce((SELECT value FROM meta WHERE key = 'indexes'), '-')"
}

la index -q --data ref l corpus.mbox 2>ref.err
check_eq "one uninterrupted first index exits 0" $? 0
check_eq "...and has its 1,000 messages and the five indexes, unmarked" "$(state ref)" "1000 5 -"
index_rows ref >ref.rows

# What readers ask of those indexes: sizes, dates, delivery times, a
# part of a Message-ID and a whole one, and a 404's near misses.
mid=$(sqlite3 ref/index.sqlite "SELECT mid FROM mids ORDER BY id LIMIT 1 OFFSET 500")
part=${mid%%@*}
cat >paths.txt <<EOF
/l/?q=z:2000..6000
/l/?q=z:..1500&x=t
/l/?q=d:2000-01-01..2100-01-01
/l/?q=rt:2000-01-01..
/l/?q=m:$part
/l/?q=m:$mid
/l/${part}x@nowhere/
/all/?q=z:3000..
EOF

for k in 1 2; do
	LISTARC_TEST_INDEXES_KILL=$k "$RELEASE" index -q --data k$k l corpus.mbox 2>k$k.err
	check_eq "kill point $k: the first index is killed" $? 137
	check_eq "...every message is in, without the five indexes, marked deferred" \
		"$(state k$k)" "1000 0 deferred"
	same_pages paths.txt "...searches and a 404 answer as the one-shot archive's" ref k$k
	la index -q --data k$k l corpus.mbox 2>>k$k.err
	check_eq "...the next run exits 0" $? 0
	check_eq "...and makes the five indexes, the mark gone" "$(state k$k)" "1000 5 -"
	index_rows k$k >k$k.rows
	same_files "...every row of every table is the one-shot archive's" ref.rows k$k.rows
done

# Continued: 600 messages killed before the end, then the whole mbox.
# Its reference is indexed in the same two runs, uninterrupted (of the
# same path: the sources' rows hold it).
cp half.mbox c.mbox
la index -q --data ref2 l c.mbox 2>ref2.err && cp corpus.mbox c.mbox &&
	la index -q --data ref2 l c.mbox 2>>ref2.err
check_eq "the reference in two runs exits 0" $? 0
cp half.mbox c.mbox
LISTARC_TEST_INDEXES_KILL=1 "$RELEASE" index -q --data c l c.mbox 2>c.err
check_eq "a first index of 600 messages, killed at its end" $? 137
cp corpus.mbox c.mbox
LISTARC_TEST_INDEXES_KILL=1 "$RELEASE" index -q --data c l c.mbox 2>>c.err
check_eq "...the run that adds the other 400 stays without the indexes to its end" \
	"$(state c)" "1000 0 deferred"
la index -q --data c l c.mbox 2>>c.err
check_eq "...and the next run makes them" "$(state c)" "1000 5 -"
index_rows ref2 >ref2.rows
index_rows c >c.rows
same_files "...every row of every table is the two uninterrupted runs' archive's" ref2.rows c.rows
