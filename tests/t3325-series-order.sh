#!/usr/bin/env bash
# t3325-series-order: a series' state does not depend on the order the
# indexer met its versions (docs/series.md, "State"): one corpus of
# ../shared/corpora/gen-corpus.py (10,000 messages, seed 1: hundreds of
# series that share a name, an author or a patch, so that the walks over
# their versions are cut at SERIES_CHAIN_MAX) indexed
#   A. in one run, one batch;
#   B. in two runs (half, then the rest appended), batches of 300;
#   C. as A, then its series tables dropped and found again by the
#      upgrade's fill (an index made before series);
# and the series tables, every state, and the list of series (its first
# pages and the JSON) must be the same.  The release build indexes (the
# ASan build takes minutes); the ASan build reads the pages.
. "$(dirname "$0")/lib.sh"
plan 9
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 9 "../shared/corpora is not here"
	exit 0
fi
"$PYTHON" "$GEN" 10000 corpus.mbox 1 >/dev/null
LISTARC_BATCH=1000000 "$RELEASE" index -q --data A gen corpus.mbox 2>A.err
check_eq "A: one batch: exit 0" $? 0
n=$(grep -c '^From ' corpus.mbox)
half=$(grep -b '^From ' corpus.mbox | sed -n "$((n / 2 + 1))p" | cut -d: -f1)
head -c "$half" corpus.mbox >b.mbox
LISTARC_BATCH=300 "$RELEASE" index -q --data B gen b.mbox 2>B.err &&
	tail -c +"$((half + 1))" corpus.mbox >>b.mbox &&
	LISTARC_BATCH=300 "$RELEASE" index -q --data B gen 2>>B.err
check_eq "B: half, then the rest, batches of 300: exit 0" $? 0
cp -r A C
sqlite3 C/index.sqlite "DROP TABLE series; DROP TABLE series_msgs; DROP TABLE series_gone;
	DROP TABLE trailers; DROP TABLE series_state;
	DELETE FROM meta WHERE key IN ('series', 'trailers', 'series_state', 'schema_sql');"
"$RELEASE" index -q --data C gen corpus.mbox 2>C.err
check_eq "C: the upgrade's fill: exit 0" $? 0

series_tables A
series_tables B
series_tables C
check "A has series, hundreds of them with states" [ "$(wc -l <A.state)" -gt 1000 ]
same_files "B: the same series and places as A" A.series B.series
same_files "B: the same states as A (whatever the batches)" A.state B.state
same_files "C: the same series, places and states as A (the upgrade's fill)" <(cat A.series A.state) <(cat C.series C.state)
# The pages that show the states: the list of series, pages 1 to 3, and
# its JSON.
PATHS="/gen/series/
/gen/series/?page=2
/gen/series/?page=3
/api/v1/gen/series/?limit=200"
for d in A B C; do printf '%s\n' "$PATHS" | DATA=$d getall "$d.pages"; done
check_eq "the list of series and its JSON: B's and C's pages byte for byte A's" "$(for d in B C; do for f in 1 2 3 4; do cmp -s "A.pages/$f" "$d.pages/$f" || echo "$d $f differs"; done; done)" ""
check "...and they list series" grep -q 'superseded by v' A.pages/1
