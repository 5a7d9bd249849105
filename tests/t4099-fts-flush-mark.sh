#!/usr/bin/env bash
# t4099-fts-flush-mark: the search thread writes FTS5's pending terms
# out, with the merges they bring (automerge), as the writer begins its
# commit (store/write.c, FTS_FLUSH: a savepoint in the file's open
# transaction) rather than at the file's COMMIT after the index's.  Only
# when that work is done changes: an archive indexed in batches of 97
# (many segments, merged again and again) and then appended to twice,
# by the thread (P) and by the writer alone (S: LISTARC_FTS_SERIAL=1,
# which flushes at the file's COMMIT), has the same search file rows,
# byte for byte (the same segments, merged the same way), and each run
# left the file covering every message.
. "$(dirname "$0")/lib.sh"
plan 5
if ! have_shared; then
	skip 5 "$SKIP_SHARED"
	exit 0
fi

"$PYTHON" "$SHARED/corpora/gen-corpus.py" 1600 full.mbox 9 >/dev/null
# The first 1,000 messages, then 300, then the rest.
"$PYTHON" - full.mbox <<'EOF'
import re, sys
data = open(sys.argv[1], 'rb').read()
starts = [0] + [m.start() + 1 for m in re.finditer(rb'\nFrom ', data)]
for name, lo, hi in (('a', 0, 1000), ('b', 1000, 1300), ('c', 1300, len(starts))):
    end = starts[hi] if hi < len(starts) else len(data)
    open(name + '.part', 'wb').write(data[starts[lo]:end])
EOF
cp a.part P.mbox
cp a.part S.mbox
rc=0
for part in a b c; do
	if [ $part != a ]; then
		cat $part.part >>P.mbox
		cat $part.part >>S.mbox
	fi
	LISTARC_BATCH=97 la index -q --data P l P.mbox 2>>P.err || rc=1
	LISTARC_BATCH=97 LISTARC_FTS_SERIAL=1 la index -q --data S l S.mbox 2>>S.err || rc=1
	upto() { sqlite3 "$1/search.sqlite" 'SELECT upto FROM fts_state'; }
	last() { sqlite3 "$1/index.sqlite" 'SELECT max(id) FROM messages'; }
	[ "$(upto P)|$(upto S)" = "$(last P)|$(last S)" ] || rc=2
done
check_eq "P (the thread) and S (the writer alone): three runs, each exit 0 and the search file covering every message" \
	"$rc|$(sqlite3 P/index.sqlite 'SELECT count(*) FROM messages')" "0|1600"

rows() { sqlite3 "$1/search.sqlite" 'SELECT id, hex(block) FROM fts_data ORDER BY id' | md5sum; }
check "P's search file holds the same FTS5 rows as S's, byte for byte" \
	[ "$(rows P)" = "$(rows S)" ]
check "and the same documents" \
	[ "$(sqlite3 P/search.sqlite 'SELECT id, hex(sz) FROM fts_docsize ORDER BY id' | md5sum)" = \
		"$(sqlite3 S/search.sqlite 'SELECT id, hex(sz) FROM fts_docsize ORDER BY id' | md5sum)" ]
# 19 commits (11, 4 and 4 batches), each a segment: FTS5 merged them (a segment's rows have
# ids of segid << 37 and up).
segs=$(sqlite3 P/search.sqlite 'SELECT count(DISTINCT id >> 37) FROM fts_data WHERE id >> 37 > 0')
check "the segments were merged (live segments: $segs, of 19 commits)" \
	[ "$segs" -ge 1 -a "$segs" -lt 19 ]

vocab() {
	isql "$1" "CREATE VIRTUAL TABLE temp.v USING fts5vocab(s, fts, instance);
		SELECT v.term, m.day, m.num, v.col, v.offset FROM temp.v JOIN messages m ON m.id = v.doc
		ORDER BY 1, 2, 3, 4, 5" | md5sum
}
check "P's words at their places are S's" [ "$(vocab P)" = "$(vocab S)" ]
