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
plan 10
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 10 "../shared/corpora is not here"
	exit 0
fi
ANCHOR=${LISTARC_ANCHOR:-}
"$PYTHON" "$GEN" 3000 gen.mbox 5 >/dev/null 2>&1
"$PYTHON" - gen.mbox corpus.mbox <<'EOF'
import email.utils, re, sys, time
gen = open(sys.argv[1], 'rb').read()
msgs = [m for m in re.split(rb'(?m)^(?=From )', gen) if m]
out = list(msgs)
W = 6 * 3600
K = 1766000000 // W * W  # a start of SERIES_WINDOW

def msg(mid, subj, ts, parent=None, frm='Pat Person <pat@example.org>'):
    d = email.utils.formatdate(ts)
    h = 'From x@example.org %s\nFrom: %s\nDate: %s\nMessage-ID: <%s>\nSubject: %s\n' % (
        time.asctime(time.gmtime(ts)), frm, d, mid, subj)
    if parent:
        h += 'In-Reply-To: <%s>\nReferences: <%s>\n' % (parent, parent)
    return (h + '\nbody of %s\n\n' % mid).encode()

# Each series found by one rule alone (the others fail: hours apart,
# another address): chained patches 7 hours apart; patches 7 hours after
# their cover letter; a cover letter after its patches; patches replying
# to what their cover letter replies to, from another address and name;
# unthreaded patches across the start of a window; a patch found by the
# first date a lower patch lowered (no name: the name rule cannot);
# one author under two addresses.
out += [
    msg('ch1@t', '[PATCH 1/3] chain: one', K + 100),
    msg('ch2@t', '[PATCH 2/3] chain: two', K + 100 + 7 * 3600, 'ch1@t'),
    msg('ch3@t', '[PATCH 3/3] chain: three', K + 100 + 14 * 3600, 'ch2@t'),
    msg('cv0@t', '[PATCH v2 0/2] late: cover', K + 200),
    msg('cv1@t', '[PATCH v2 1/2] late: one', K + 200 + 7 * 3600, 'cv0@t'),
    msg('cv2@t', '[PATCH v2 2/2] late: two', K + 200 + 8 * 3600, 'cv0@t'),
    msg('lt1@t', '[PATCH v3 1/2] after: one', K + 300, 'lt0@t'),
    msg('lt2@t', '[PATCH v3 2/2] after: two', K + 300 + 9 * 3600, 'lt0@t'),
    msg('lt0@t', '[PATCH v3 0/2] after: cover', K + 300 + 20 * 3600),
    msg('sb-prev@t', 'sib: the previous version', K + 400),
    msg('sb0@t', '[PATCH v4 0/2] sib: cover', K + 500, 'sb-prev@t'),
    msg('sb1@t', '[PATCH v4 1/2] sib: one', K + 600, 'sb-prev@t', 'Other One <o@other.example>'),
    msg('sb2@t', '[PATCH v4 2/2] sib: two', K + 700, 'sb-prev@t', 'Else Two <e@else.example>'),
    msg('ed1@t', '[PATCH v5 1/2] edge: one', K + 10 * W - 60),
    msg('ed2@t', '[PATCH v5 2/2] edge: two', K + 10 * W + 3600),
    msg('lo2@t', '[PATCH v6 2/3] low: two', K + 20 * W + 100, None, 'lo@example.org'),
    msg('lo1@t', '[PATCH v6 1/3] low: one', K + 20 * W + 100 - 5 * 3600, None, 'lo@example.org'),
    msg('lo3@t', '[PATCH v6 3/3] low: three', K + 20 * W + 100 - 10 * 3600, None, 'lo@example.org'),
    msg('nm1@t', '[PATCH v8 1/2] name: one', K + 30 * W, None, 'Sam Sender <sam@one.example>'),
    msg('nm2@t', '[PATCH v8 2/2] name: two', K + 30 * W + 3600, None, 'Sam Sender <sam@two.example>'),
]
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
	series_rows one-$mode
	series_rows each-$mode
	check_eq "$mode: a first index (filtered lookups) has the rows of one made commit by commit" \
		"$ok1 $ok2 $(cmp -s one-$mode.rows each-$mode.rows && echo same) $(series_n one-$mode | awk '$1 > 500 {print "series"}')" \
		"0 0 same series"
done

# family DIR PREFIX: the series of the hand-made messages PREFIX*@t, as
# "series:messages".
family() {
	sqlite3 "$1/index.sqlite" "SELECT count(DISTINCT sm.series) || ':' || count(*)
		FROM mids JOIN messages m ON m.mid = mids.id JOIN series_msgs sm ON sm.id = m.id
		WHERE mids.mid LIKE '$2%@t' AND mids.mid <> 'sb-prev@t'"
}
got=""
for f in ch cv lt sb ed lo nm; do got="$got $(family one-no-search $f)"; done
check_eq "each hand-made series is one series, found by its one rule" "$got" \
	" 1:3 1:3 1:3 1:3 1:2 1:3 1:2"

cp half.mbox grow.mbox
"$RELEASE" index -q --no-search --data two gen "$PWD/grow.mbox" 2>two.err
ok1=$?
cat corpus.mbox >grow.mbox
"$RELEASE" index -q --data two gen 2>>two.err
ok2=$?
series_rows two
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
	series_rows lists-$how
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
	series_rows anchor-$mode
	check_eq "$mode: the anchor's rows of the corpus, with its copies, are this build's" \
		"$ok1 $(cmp -s anchor-$mode.rows one-$mode.rows && echo same)" "0 same"
	"$ANCHOR" index -q "${flags[@]}" --data lk-a-$mode lkml "$ROOT/samples/lkml.mbox" \
		2>lk-a-$mode.err
	ok1=$?
	"$RELEASE" index -q "${flags[@]}" --data lk-b-$mode lkml "$ROOT/samples/lkml.mbox" \
		2>lk-b-$mode.err
	ok2=$?
	series_rows lk-a-$mode
	series_rows lk-b-$mode
	check_eq "$mode: samples/lkml.mbox, the anchor's rows and this build's" \
		"$ok1 $ok2 $(cmp -s lk-a-$mode.rows lk-b-$mode.rows && echo same) $(series_n lk-b-$mode | awk '$1 > 3 {print "series"}')" \
		"0 0 same series"
done
mkdir -p anchor-lists && cp lists-one/listarc.conf anchor-lists/
"$ANCHOR" index -q --no-search --data anchor-lists 2>anchor-lists.err
ok1=$?
series_rows anchor-lists
check_eq "two lists of the same mail: the anchor's rows and this build's" \
	"$ok1 $(cmp -s anchor-lists.rows lists-one.rows && echo same)" "0 same"
