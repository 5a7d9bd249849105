#!/usr/bin/env bash
# t3335-series-walks-anchor: an archive an anchor build made (a listarc
# of before the walks were kept as sets: $LISTARC_ANCHOR; skipped
# without it, as in `make check`) and this build appends to: the first
# writer of this build makes every walk kept again (docs/series.md,
# "State"), and after its append of the rest every state and walk kept is
# the one a single index of the whole mail by this build gives.  The
# corpus: 3,000 messages of ../shared/corpora/gen-corpus.py (seed 1, as
# bench/append: names of hundreds of series, versions); the anchor
# indexes the first 2,400 (with search, and apart --no-search), this
# build appends the rest in batches of 100 (LISTARC_STATES_EACH_COMMIT).
# `make check-anchor ANCHOR=/path/to/old/listarc`.
. "$(dirname "$0")/lib.sh"
plan 4
ANCHOR=${LISTARC_ANCHOR:-}
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 4 "../shared/corpora is not here"
	exit 0
fi
if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 4 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
"$PYTHON" "$GEN" 3000 full.mbox 1 >/dev/null 2>&1
cut=$(grep -b '^From ' full.mbox | sed -n 2401p | cut -d: -f1)
head -c "$cut" full.mbox >grow.mbox
# walks DIR: DIR's states and walks kept (both sets), each in order.
walks() {
	sqlite3 "$1/index.sqlite" "SELECT * FROM series_state ORDER BY id" >"$1.st"
	sqlite3 "$1/index.sqlite" "SELECT 'm', start, hex(members) FROM series_walk_members ORDER BY start;
		SELECT 's', member, hex(starts) FROM series_walk_starts ORDER BY member" >"$1.wk"
}
for mode in search no-search; do
	flags=()
	[ $mode = no-search ] && flags=(--no-search)
	head -c "$cut" full.mbox >grow.mbox
	"$ANCHOR" index -q "${flags[@]}" --data a-$mode gen "$PWD/grow.mbox" 2>a-$mode.err
	ok_a=$?
	cat full.mbox >grow.mbox
	LISTARC_STATES_EACH_COMMIT=1 LISTARC_BATCH=100 "$RELEASE" index -q --data a-$mode gen \
		2>>a-$mode.err
	ok_b=$?
	"$RELEASE" index -q "${flags[@]}" --data ref-$mode gen "$PWD/full.mbox" 2>ref-$mode.err
	ok_r=$?
	walks a-$mode
	walks ref-$mode
	series_tables a-$mode
	series_tables ref-$mode
	check_eq "$mode: the anchor's 2,400, this build's 600 appended: series, states and walks kept as one index of the 3,000 by this build" \
		"$ok_a $ok_b $ok_r $(cmp -s a-$mode.series ref-$mode.series && echo same-series) $(cmp -s a-$mode.st ref-$mode.st && echo same-states) $(cmp -s a-$mode.wk ref-$mode.wk && echo same-walks) $(wc -l <ref-$mode.st | awk '$1 > 500 {print "states"}')" \
		"0 0 0 same-series same-states same-walks states"
	check_eq "$mode: the anchor's table of far members (series_walk) dropped" \
		"$(sqlite3 a-$mode/index.sqlite "SELECT count(*) FROM sqlite_schema WHERE name = 'series_walk'")" "0"
done
