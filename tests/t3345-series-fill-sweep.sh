#!/usr/bin/env bash
# t3345-series-fill-sweep: the series' states pass of a first index
# (series_state_fill, store/series.c) loads the versions in the order of
# the series' ids (a sweep: the message rows in page order) and holds
# each walk pending until the sweep has loaded its members (docs/series.md,
# "State").  The order in which versions are loaded and states computed
# changes no state: on a generated 10,000 messages (gen-corpus.py, seed 1:
# names of dozens of series each across the archive, so that a walk
# reaches series thousands of ids ahead) the pass makes the same
# series_state rows and walks kept, row for row,
#   - as the anchor's pass (ids in order, versions loaded as each walk
#     asked them; $LISTARC_ANCHOR, `make check-anchor`: skipped without),
#     with and without search;
#   - with its versions and walks pending bounded small
#     (LISTARC_TEST_STATES_TINY=2: 512 versions, 64 walks; a few thousand
#     series: versions dropped, walks done before the sweep reached their
#     members, which are loaded as they ask them), and at their least
#     (=1);
#   - as the commits' refreshes (LISTARC_STATES_EACH_COMMIT=1, batches of
#     500).
. "$(dirname "$0")/lib.sh"
plan 9
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 9 "$SKIP_SHARED"
	exit 0
fi
ANCHOR=${LISTARC_ANCHOR:-}
"$PYTHON" "$GEN" 10000 gen.mbox 1 >/dev/null 2>&1
field() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<" $1"; }

"$RELEASE" index -q --data ref gen gen.mbox 2>ref.err
rc=$?
n=$(sqlite3 ref/index.sqlite "SELECT count(*) FROM series_state")
w=$(sqlite3 ref/index.sqlite "SELECT count(*) FROM series_walk_members")
check_eq "gen 10,000 indexed: states and walks kept of thousands of series" \
	"$rc $([ "$n" -gt 2000 ] && echo many) $([ "$w" -gt 2000 ] && echo many)" "0 many many"

LISTARC_TEST_MEMORY=1 LISTARC_TEST_STATES_TINY=2 "$RELEASE" index -q --data small gen \
	gen.mbox 2>small.err
rc=$?
max=$(sed -n 's/^states: max //p' small.err | tail -1)
held=$(sed -n 's/^states: held //p' small.err | tail -1)
echo "# max: $max"
echo "# held: $held"
check_eq "small bounds: exit 0; walks held pending (64 at most), versions within 512 and a walk's" \
	"$rc $(field "$max" versions) $(field "$max" walks)
$([ "$(field "$held" walks)" -gt 1 ] && [ "$(field "$held" walks)" -le 64 ] && echo pending)
$([ "$(field "$held" versions)" -ge 256 ] && [ "$(field "$held" versions)" -le 544 ] && echo within)" \
	"0 512 64
pending
within"
check_eq "...the same states and walks kept as with its own bounds ($n series)" \
	"$(series_walks small | md5sum)" "$(series_walks ref | md5sum)"

LISTARC_TEST_STATES_TINY=1 "$RELEASE" index -q --data tiny gen gen.mbox 2>tiny.err
check_eq "least bounds (one walk pending, 66 versions): the same states and walks" \
	"$? $(series_walks tiny | md5sum)" "0 $(series_walks ref | md5sum)"

LISTARC_BATCH=500 LISTARC_STATES_EACH_COMMIT=1 "$RELEASE" index -q --data each gen \
	gen.mbox 2>each.err
check_eq "the states made at each commit (batches of 500): the same states and walks" \
	"$? $(series_walks each | md5sum)" "0 $(series_walks ref | md5sum)"

"$RELEASE" index -q --no-search --data ns gen gen.mbox 2>ns.err
rc=$?
LISTARC_TEST_STATES_TINY=2 "$RELEASE" index -q --no-search --data ns-small gen gen.mbox \
	2>ns-small.err
check_eq "--no-search: small bounds make the same states and walks as its own" \
	"$rc $? $(series_walks ns-small | md5sum)" "0 0 $(series_walks ns | md5sum)"

if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 3 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
"$ANCHOR" index -q --data a gen gen.mbox 2>a.err
check_eq "the anchor's pass: the same states and walks kept" \
	"$? $(series_walks a | md5sum)" "0 $(series_walks ref | md5sum)"
"$ANCHOR" index -q --no-search --data a-ns gen gen.mbox 2>a-ns.err
check_eq "...and --no-search" "$? $(series_walks a-ns | md5sum)" "0 $(series_walks ns | md5sum)"
# The anchor's index, its states made again by this pass (as after a
# run killed before them: meta series_state 0, a no-op index resumes it).
sqlite3 a/index.sqlite "UPDATE meta SET value = '0' WHERE key = 'series_state'"
"$RELEASE" index -q --data a gen gen.mbox 2>a2.err
check_eq "the anchor's index, its states made again by this pass: the same" \
	"$? $(sqlite3 a/index.sqlite "SELECT value FROM meta WHERE key = 'series_state'") $(series_walks a | md5sum)" \
	"0 1 $(series_walks ref | md5sum)"
