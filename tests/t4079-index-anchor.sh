#!/usr/bin/env bash
# t4079-index-anchor: the archive this build's `listarc index` makes is
# the one an anchor build makes (a listarc before a change to the
# indexer, of the same index and search formats: $LISTARC_ANCHOR;
# skipped without it, as in `make check`), row for row and page for
# page.  For a change to the indexer that must not change the archive:
# `make check-anchor ANCHOR=/path/to/old/listarc`.  The corpus: 600 messages of
# ../shared/corpora/gen-corpus.py (seed 5: patch series throughout) with
# samples/seeds.mbox as the list gen, samples/lkml.mbox as the list lk;
# each archive is made by the same runs (gen then lk, in batches of 300,
# so that there are first and later runs, and many commits):
#   - every row of every table of index.sqlite, in key order (and
#     rowid), search.sqlite's fts_state and every word of its search
#     index at every place are the anchor's, but meta's `updated` (the
#     time of the last commit);
#   - every page a crawl reaches from /, the lists' topics, series and
#     senders pages (tests/spider.py), and the JSON API of every list,
#     topic page, sender and 200 messages, through this build's
#     `listarc get`, is the anchor archive's, status and bytes.
. "$(dirname "$0")/lib.sh"
plan 7
ANCHOR=${LISTARC_ANCHOR:-}
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 7 "../shared/corpora is not here"
	exit 0
fi
if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 7 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
export LISTARC_BATCH=300
"$PYTHON" "$GEN" 600 gen.mbox 5 >/dev/null 2>&1
cat "$ROOT/samples/seeds.mbox" >>gen.mbox
cp "$ROOT/samples/lkml.mbox" lk.mbox

for b in anchor new; do
	bin=$RELEASE
	[ $b = anchor ] && bin=$ANCHOR
	"$bin" index -q --data $b gen gen.mbox 2>$b.err && "$bin" index -q --data $b lk lk.mbox 2>>$b.err
	check_eq "$b: the two lists indexed" $? 0
done
check "...the lists hold their messages" \
	[ "$(sqlite3 new/index.sqlite 'SELECT count(*) FROM messages')" -gt 600 ]

# Every table's rows in the order of all their columns (and of its
# rowid, if it has one: ids must be the same too).
rows() {
	index_rows "$1" rowid
	echo "== fts_state"
	sqlite3 "$1/search.sqlite" "SELECT * FROM fts_state"
	echo "== fts (every word at every place)"
	fts_vocab "$1"
}
rows anchor >rows-anchor.txt
rows new >rows-new.txt
if cmp -s rows-anchor.txt rows-new.txt; then
	ok "every row of every table is the anchor's ($(wc -l <rows-new.txt) rows, $(grep -c '^==' rows-new.txt) tables)"
else
	not_ok "every row of every table is the anchor's"
	diff rows-anchor.txt rows-new.txt | head -10 | sed 's/^/#   /'
fi
check "...among them the figures, series and their states" \
	[ "$(grep -A1 -E '^== (topics|stat_threads|senders|series_state|series)$' rows-new.txt | grep -vc '^==\|^--')" -eq 5 ]

starts() {
	echo /
	for l in gen lk; do
		echo "/$l/topics/"
		echo "/$l/series/"
		echo "/api/v1/$l/"
		echo "/api/v1/$l/topics/?limit=500"
		echo "/api/v1/$l/series/?limit=500"
	done
	echo /api/v1/
	sqlite3 new/index.sqlite "
	  SELECT printf('/%s/from/%s/', l.name, s.hash) FROM senders s JOIN lists l ON l.id = s.list_id
	  UNION ALL SELECT printf('/api/v1/%s/from/%s/', l.name, s.hash)
	    FROM senders s JOIN lists l ON l.id = s.list_id
	  UNION ALL SELECT * FROM (SELECT printf('/api/v1/%s/%04d/%02d/%02d/%d', l.name, day / 10000,
	    day / 100 % 100, day % 100, num) FROM messages m JOIN lists l ON l.id = m.list_id
	    ORDER BY m.id % 97, m.id LIMIT 200)"
}
for b in anchor new; do
	"$PYTHON" "$ROOT/tests/spider.py" "$RELEASE" $b crawl-$b $(starts) 2>crawl-$b.err
done
check "both crawled (no failure), more than 3,000 pages" \
	[ $? -eq 0 -a "$(wc -l <crawl-new.paths)" -gt 3000 ]
if cmp -s crawl-anchor.paths crawl-new.paths && cmp -s crawl-anchor.txt crawl-new.txt &&
	diff -r crawl-anchor crawl-new >crawl.diff; then
	ok "the same $(wc -l <crawl-new.paths) pages, status and bytes"
else
	not_ok "the same pages, status and bytes"
	cmp crawl-anchor.paths crawl-new.paths | sed 's/^/#   /'
	awk 'NR == FNR { p[$1] = $4; next } /^diff/ { n = $NF; sub(".*/", "", n); print "#   differs: " p[n] }' \
		crawl-new.txt crawl.diff | head -10
fi
