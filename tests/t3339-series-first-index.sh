#!/usr/bin/env bash
# t3339-series-first-index: a first index skips the lookups of
# series_note that its filter shows can find nothing (store/series.c,
# struct sfilter; docs/series.md, "Which series a message joins"), and
# writes the same rows as before.  The corpus: 3,000 messages of
# ../shared/corpora/gen-corpus.py (seed 5: names of hundreds of series,
# versions, unthreaded series of one author) with 400 of them again at
# its end, half with another version in their subject (copies: the same
# Message-ID joins its original's series, whatever its subject says),
# and samples/lkml.mbox (threaded, chained and unthreaded series).
#   - A first index (the filter kept across its batches of 300) gives the
#     rows of one whose states are made at each commit (no filter), with
#     and without search: series, places, trailers, states, walks kept.
#   - The same archive made in two runs (the first half a first index,
#     the rest appended: no filter) gives the same rows.
#   - Two lists of listarc.conf holding the same mail, in one first
#     index (the second list's messages, copies, join the first's
#     series): the same rows as with the states made at each commit.
#   - With an anchor build ($LISTARC_ANCHOR, as `make check-anchor`
#     gives it; skipped without): its index of the corpus and of
#     samples/lkml.mbox, with and without search, has the same rows of
#     every table series.c writes as this build's.
. "$(dirname "$0")/lib.sh"
plan 9
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 9 "../shared/corpora is not here"
	exit 0
fi
ANCHOR=${LISTARC_ANCHOR:-}
"$PYTHON" "$GEN" 3000 gen.mbox 5 >/dev/null 2>&1
"$PYTHON" - gen.mbox corpus.mbox <<'EOF'
import re, sys
gen = open(sys.argv[1], 'rb').read()
msgs = [m for m in re.split(rb'(?m)^(?=From )', gen) if m]
out = list(msgs)
# Copies: 400 messages again, every other one with a version added to a
# patch's subject (a copy keeps its original's series all the same).
for i, m in enumerate(msgs[100:2900:7][:400]):
    if i % 2:
        m = re.sub(rb'(?m)^Subject: \[PATCH ', b'Subject: [PATCH v7 ', m, count=1)
    out.append(m)
open(sys.argv[2], 'wb').write(b''.join(out))
EOF
half=$(grep -b '^From ' corpus.mbox | sed -n 1701p | cut -d: -f1)
head -c "$half" corpus.mbox >half.mbox

# rows DIR: every table series.c writes, each in its key's order.
rows() {
	sqlite3 "$1/index.sqlite" "SELECT * FROM series ORDER BY id;
		SELECT * FROM series_msgs ORDER BY id;
		SELECT * FROM trailers ORDER BY id, seq;
		SELECT * FROM series_state ORDER BY id;
		SELECT start, hex(members) FROM series_walk_members ORDER BY start;
		SELECT member, hex(starts) FROM series_walk_starts ORDER BY member;
		SELECT * FROM series_gone ORDER BY series, mid" >"$1.rows"
}
series_n() { sqlite3 "$1/index.sqlite" "SELECT count(*) FROM series"; }

for mode in no-search search; do
	flags=()
	[ $mode = no-search ] && flags=(--no-search)
	LISTARC_BATCH=300 "$RELEASE" index -q "${flags[@]}" --data one-$mode gen \
		"$PWD/corpus.mbox" 2>one-$mode.err
	ok1=$?
	LISTARC_BATCH=300 LISTARC_STATES_EACH_COMMIT=1 "$RELEASE" index -q "${flags[@]}" \
		--data each-$mode gen "$PWD/corpus.mbox" 2>each-$mode.err
	ok2=$?
	rows one-$mode
	rows each-$mode
	check_eq "$mode: a first index (filtered lookups) has the rows of one made commit by commit" \
		"$ok1 $ok2 $(cmp -s one-$mode.rows each-$mode.rows && echo same) $(series_n one-$mode | awk '$1 > 500 {print "series"}')" \
		"0 0 same series"
done

cp half.mbox grow.mbox
"$RELEASE" index -q --no-search --data two gen "$PWD/grow.mbox" 2>two.err
ok1=$?
cat corpus.mbox >grow.mbox
"$RELEASE" index -q --data two gen 2>>two.err
ok2=$?
rows two
check_eq "half a first index, the rest appended: the rows of one index" \
	"$ok1 $ok2 $(cmp -s two.rows one-no-search.rows && echo same)" "0 0 same"

for how in one each; do
	mkdir -p lists-$how
	printf '[list a]\nsources = %s\n\n[list b]\nsources = %s\n' "$PWD/corpus.mbox" \
		"$PWD/gen.mbox" >lists-$how/listarc.conf
	if [ $how = each ]; then
		LISTARC_STATES_EACH_COMMIT=1 "$RELEASE" index -q --no-search --data lists-$how \
			2>lists-$how.err
	else
		"$RELEASE" index -q --no-search --data lists-$how 2>lists-$how.err
	fi
	echo $? >lists-$how.rc
	rows lists-$how
done
check_eq "two lists of the same mail in one first index: the rows of one made commit by commit" \
	"$(cat lists-one.rc lists-each.rc | tr '\n' ' ')$(cmp -s lists-one.rows lists-each.rows && echo same) $(sqlite3 lists-one/index.sqlite "SELECT count(*) > 1000 FROM series_msgs sm JOIN messages m ON m.id = sm.id JOIN lists l ON l.id = m.list_id WHERE l.name = 'b'")" \
	"0 0 same 1"

if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 5 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
for mode in no-search search; do
	flags=()
	[ $mode = no-search ] && flags=(--no-search)
	"$ANCHOR" index -q "${flags[@]}" --data anchor-$mode gen "$PWD/corpus.mbox" \
		2>anchor-$mode.err
	ok1=$?
	rows anchor-$mode
	check_eq "$mode: the anchor's rows of the corpus, with its copies, are this build's" \
		"$ok1 $(cmp -s anchor-$mode.rows one-$mode.rows && echo same)" "0 same"
	"$ANCHOR" index -q "${flags[@]}" --data lk-a-$mode lkml "$ROOT/samples/lkml.mbox" \
		2>lk-a-$mode.err
	ok1=$?
	"$RELEASE" index -q "${flags[@]}" --data lk-b-$mode lkml "$ROOT/samples/lkml.mbox" \
		2>lk-b-$mode.err
	ok2=$?
	rows lk-a-$mode
	rows lk-b-$mode
	check_eq "$mode: samples/lkml.mbox, the anchor's rows and this build's" \
		"$ok1 $ok2 $(cmp -s lk-a-$mode.rows lk-b-$mode.rows && echo same) $(series_n lk-b-$mode | awk '$1 > 3 {print "series"}')" \
		"0 0 same series"
done
mkdir -p anchor-lists && cp lists-one/listarc.conf anchor-lists/
"$ANCHOR" index -q --no-search --data anchor-lists 2>anchor-lists.err
ok1=$?
rows anchor-lists
check_eq "two lists of the same mail: the anchor's rows and this build's" \
	"$ok1 $(cmp -s anchor-lists.rows lists-one.rows && echo same)" "0 same"
