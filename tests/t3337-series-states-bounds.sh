#!/usr/bin/env bash
# t3337-series-states-bounds: the series' states pass of a first index
# (series_state_fill, store/series.c) holds what its bounds let it
# (docs/INDEX.md, "What the indexer holds"; struct cache_max): with
# LISTARC_TEST_MEMORY=1 it prints its bounds and the most each cache
# held, and the bounds are the documented ones.  Its caches change only
# how often a row is read again, never a state: with every bound at its
# least (LISTARC_TEST_STATES_TINY=1: each cache emptied at once, the
# walks not kept, the series read one at a time) the pass makes the same
# states and walks kept, row for row, as with its own bounds, on
# ../shared/corpora/lkml.mbox and on a generated 10,000 messages
# (gen-corpus.py, seed 1: hundreds of series' names, versions, reused
# patches); and so do the commits' refreshes (LISTARC_STATES_EACH_COMMIT=1,
# batches of 500), which share those caches.  Memory itself is bench/'s.
. "$(dirname "$0")/lib.sh"
plan 10
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ] || [ ! -f "$SHARED/corpora/lkml.mbox" ]; then
	skip 10 "$SKIP_SHARED"
	exit 0
fi
"$PYTHON" "$GEN" 10000 gen.mbox 1 >/dev/null 2>&1
# (The last "states:" lines are the pass's: a new index's setup runs a
# fill of no series first.)
# field LINE NAME: NAME's value in a "states: ..." line.
field() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<" $1"; }
DEFAULT="rows=32768 names=1048576 groupm=131072 reviews=16384 parents=32768 versions=32768 walks=4096 ids=4096"
TINY="rows=1 names=1 groupm=1 reviews=1 parents=1 versions=66 walks=1 ids=1"

LISTARC_TEST_MEMORY=1 "$RELEASE" index -q --data lk lkml "$SHARED/corpora/lkml.mbox" 2>lk.err
rc=$?
max=$(sed -n 's/^states: max //p' lk.err | tail -1)
check_eq "lkml.mbox indexed; the pass's bounds are the documented ones" "$rc $max" "0 $DEFAULT"
held=$(sed -n 's/^states: held //p' lk.err | tail -1)
echo "# held: $held"
check "...it read its series in one go and kept its versions and walks within them" \
	[ "$(field "$held" ids)" -ge 1 -a "$(field "$held" ids)" -le 4096 \
	-a "$(field "$held" versions)" -le 32800 -a "$(field "$held" walks)" -le 4096 ]
n=$(sqlite3 lk/index.sqlite "SELECT count(*) FROM series_state")
LISTARC_TEST_MEMORY=1 LISTARC_TEST_STATES_TINY=1 "$RELEASE" index -q --data lkt lkml \
	"$SHARED/corpora/lkml.mbox" 2>lkt.err
rc=$?
check_eq "with the least bounds: exit 0, and those are its bounds" \
	"$rc $(sed -n 's/^states: max //p' lkt.err | tail -1)" "0 $TINY"
check_eq "...the same states and walks as with its own ($n series)" \
	"$([ "$n" -gt 0 ] && echo some) $(series_walks lkt | md5sum)" "some $(series_walks lk | md5sum)"

LISTARC_TEST_MEMORY=1 "$RELEASE" index -q --data g gen gen.mbox 2>g.err
rc=$?
held=$(sed -n 's/^states: held //p' g.err | tail -1)
echo "# held: $held"
check_eq "gen 10,000 indexed, with the documented bounds" \
	"$rc $(sed -n 's/^states: max //p' g.err | tail -1)" "0 $DEFAULT"
check "...held within them, its versions, walks, patch ids' groups and reviews kept" \
	[ "$(field "$held" versions)" -gt 100 -a "$(field "$held" versions)" -le 32800 \
	-a "$(field "$held" walks)" -le 4096 -a "$(field "$held" ids)" -le 4096 \
	-a "$(field "$held" groupm)" -gt 0 -a "$(field "$held" reviews)" -gt 0 ]
LISTARC_TEST_MEMORY=1 LISTARC_TEST_STATES_TINY=1 "$RELEASE" index -q --data gt gen \
	gen.mbox 2>gt.err
rc=$?
held=$(sed -n 's/^states: held //p' gt.err | tail -1)
echo "# held: $held"
check_eq "with the least bounds: exit 0, its series read one at a time" \
	"$rc $(field "$held" ids) $(field "$held" walks)" "0 1 1"
n=$(sqlite3 g/index.sqlite "SELECT count(*) FROM series_state")
check_eq "...the same states and walks as with its own ($n series)" \
	"$([ "$n" -gt 500 ] && echo many) $(series_walks gt | md5sum)" "many $(series_walks g | md5sum)"

# The commits' refreshes (each commit's walks, through the same caches).
LISTARC_BATCH=500 LISTARC_STATES_EACH_COMMIT=1 LISTARC_TEST_STATES_TINY=1 \
	"$RELEASE" index -q --data ge gen gen.mbox 2>ge.err
check_eq "indexed again with the states made at each commit (batches of 500), least bounds" $? 0
check_eq "...the same states and walks as the pass's" "$(series_walks ge | md5sum)" "$(series_walks g | md5sum)"
