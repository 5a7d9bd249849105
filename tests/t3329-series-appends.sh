#!/usr/bin/env bash
# t3329-series-appends: an archive that grows by many small appends
# (`index` of a growing mbox, `deliver` of one message at a time) ends
# with every series' state and series page that one fresh index of the
# same mail gives (docs/series.md, "State": a commit computes again only
# the states that may have changed).  The corpus: gen-corpus.py (1,500
# messages, seed 9) with 70 typos spread through it, then the families:
#   - 70 one-patch series of one author and name ("misc: fix typo"), so
#     that a name's nearest fill every walk, and a v2 of it at the end;
#   - gizmo v1 (its patch 2/2 arriving after v2's cover letter), v2, v3
#     (renamed, found only through a patch it shares with v2), v4 by a
#     b4 change-id alone (another name, no patch in common);
#   - a series whose patches arrive unthreaded before their cover letter,
#     lowest last (renamed twice), and an older version of it arriving
#     after the newer one;
#   - reviews of old versions arriving late (carried to the next version's
#     same patch), one on a patch that is not there yet.
# A: one index of the whole mbox.  B: the mbox grown in 20 steps, each
# indexed in batches of 5 (LISTARC_STATES_EACH_COMMIT=1: every commit of
# the first run computes its states too).  C: the mbox up to gizmo v1
# indexed, the rest (the families, each after its share of the generated
# messages) delivered one message at a time (`listarc deliver`); Cref:
# one index of C's mbox as it ends.  B against A, C against Cref: the series
# tables, every state, the list of series (HTML and JSON) and the series
# page of every hand-made series and of 40 others.
. "$(dirname "$0")/lib.sh"
plan 8
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 8 "../shared/corpora is not here"
	exit 0
fi
"$PYTHON" "$GEN" 1500 gen.mbox 9 >/dev/null 2>&1
"$PYTHON" - gen.mbox corpus.mbox <<'EOF'
import email.utils, re, sys
gen = open(sys.argv[1], 'rb').read()
msgs = [m for m in re.split(rb'(?m)^(?=From )', gen) if m]
t = [1764590400]
PAT = 'Pat Person <pat@example.org>'

def msg(mid, subj, body, parent=None, who=PAT, back=0):
    t[0] += 60
    h = 'From pat@example.org Mon Dec  1 12:00:00 2025\nFrom: %s\nDate: %s\nMessage-ID: <%s@app.test>\nSubject: %s\n' % (
        who, email.utils.formatdate(t[0] - back), mid, subj)
    if parent:
        h += 'In-Reply-To: <%s@app.test>\nReferences: <%s@app.test>\n' % (parent, parent)
    return (h + '\n' + body + '\n').encode()

def patch(what, f):
    return ('%s.\n\nSigned-off-by: Pat Person <pat@example.org>\n---\n %s | 1 +\n\n'
            'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1,1 +1,2 @@\n line\n+%s\n'
            % (what, f, f, f, f, f, what))

def p(tag, ver, k, n, name, what, f, parent=True, back=0):
    v = '' if ver == 1 else ' v%d' % ver
    return msg('%s-%d' % (tag, k), '[PATCH%s %d/%d] %s' % (v, k, n, name), patch(what, f),
               '%s-0' % tag if parent else None, back=back)

def cover(tag, ver, n, name, extra=''):
    v = '' if ver == 1 else ' v%d' % ver
    return msg('%s-0' % tag, '[PATCH%s 0/%d] %s' % (v, n, name), 'Cover.\n' + extra)

def review(mid, parent, subj, who='Rita Reviewer <rita@example.org>'):
    return msg(mid, 'Re: ' + subj, '> Patch\n\nReviewed-by: %s\n' % who, parent, who=who)

groups = []
for i in range(70):  # one name, one author, 70 series
    groups.append([msg('typo%d' % i, '[PATCH] misc: fix typo', patch('typo %d' % i, 't%d.c' % i))])
late = [
    [cover('g1', 1, 2, 'gizmo: spin'), p('g1', 1, 1, 2, 'gizmo: add A', 'add A', 'a.c')],
    [cover('g2', 2, 2, 'gizmo: spin'), p('g2', 2, 1, 2, 'gizmo: add A', 'add A', 'a.c')],
    [p('g1', 1, 2, 2, 'gizmo: add B', 'add B', 'b.c'), p('g2', 2, 2, 2, 'gizmo: add B', 'add B again', 'b.c')],
    [review('rv1', 'g1-1', '[PATCH 1/2] gizmo: add A')],
    [p('u2', 2, 3, 3, 'thing: three', 'three', 'u3.c', parent=False),
     p('u2', 2, 2, 3, 'thing: two', 'two', 'u2.c', parent=False)],
    [cover('g3', 3, 2, 'gizmo: spin faster', 'change-id: 20251201-gizmo-1234\n'),
     p('g3', 3, 1, 2, 'gizmo: add A at last', 'add A at last', 'a.c'),
     p('g3', 3, 2, 2, 'gizmo: add B', 'add B again', 'b.c')],
    [p('u2', 2, 1, 3, 'thing: one', 'one', 'u1.c', parent=False)],
    [review('rv2', 'g2-2', '[PATCH v2 2/2] gizmo: add B'), review('rv3', 'g5-1', '[PATCH v5 1/1] gizmo: later')],
    [cover('u2', 2, 3, 'thing: all three')],
    [p('u1', 1, 1, 3, 'thing: one', 'one', 'u1.c', parent=False, back=7200),
     p('u1', 1, 2, 3, 'thing: two', 'two old', 'u2.c', parent=False, back=7200)],
    [cover('g4', 4, 1, 'gadget: whirl', 'change-id: 20251201-gizmo-1234\n'),
     p('g4', 4, 1, 1, 'gadget: new A', 'new A', 'n.c')],
    [msg('typo-v2', '[PATCH v2] misc: fix typo', patch('typo 69 again', 't69.c')),
     review('rv4', 'typo3', '[PATCH] misc: fix typo')],
    [msg('g5-1', '[PATCH v5 1/1] gizmo: later', patch('later', 'l.c'))],
]
groups += late
with open(sys.argv[2], 'wb') as f:
    step = len(msgs) // len(groups)
    for i, g in enumerate(groups):
        f.write(b''.join(msgs[i * step:(i + 1) * step]))
        f.write(b''.join(g))
    f.write(b''.join(msgs[len(groups) * step:]))
EOF
froms() { grep -b '^From ' "$1" | cut -d: -f1; }
n=$(grep -c '^From ' corpus.mbox)
size=$(wc -c <corpus.mbox)
cut_at() { froms corpus.mbox | sed -n "$(($1 + 1))p"; } # byte offset of message $1 (0-based)

LISTARC_BATCH=1000000 "$RELEASE" index -q --data A gen corpus.mbox 2>A.err
ok_b=0
: >b.mbox
for k in $(seq 1 20); do
	if [ "$k" = 20 ]; then end=$size; else end=$(cut_at $((n * k * k / 400))); fi
	have=$(wc -c <b.mbox)
	tail -c +"$((have + 1))" corpus.mbox | head -c "$((end - have))" >>b.mbox
	LISTARC_STATES_EACH_COMMIT=1 LISTARC_BATCH=5 "$RELEASE" index -q --data B gen b.mbox 2>>B.err ||
		ok_b=$?
done
check_eq "A: one index; B: the mbox grown in 20 steps, each indexed in batches of 5" \
	"$? $ok_b $(cmp -s b.mbox corpus.mbox && echo same)" "0 0 same"

# C: up to gizmo v1 indexed from C's own mbox, the rest delivered one by
# one.
mkdir -p C/mbox
c80=$(grep -b '^Message-ID: <g1-0@app.test>' corpus.mbox | cut -d: -f1)
c80=$(head -c "$c80" corpus.mbox | grep -b '^From ' | tail -1 | cut -d: -f1)
head -c "$c80" corpus.mbox >C/mbox/gen.mbox
"$RELEASE" index -q --data C gen C/mbox/gen.mbox 2>C.err
ok_c=$?
"$PYTHON" - corpus.mbox "$c80" deliver <<'EOF'
import os, re, sys
data = open(sys.argv[1], 'rb').read()[int(sys.argv[2]):]
os.makedirs(sys.argv[3], exist_ok=True)
for i, m in enumerate(re.split(rb'(?m)^(?=From )', data)):
    if m:
        body = m.split(b'\n', 1)[1]
        body = re.sub(rb'(?m)^>(>*From )', rb'\1', body)  # mboxrd unquoted
        open(os.path.join(sys.argv[3], '%05d' % i), 'wb').write(body)
EOF
for f in deliver/*; do
	"$RELEASE" deliver --data C --sender pat@example.org gen <"$f" 2>>C.err || ok_c=$?
done
mkdir -p Cref/mbox
cp C/mbox/gen.mbox Cref/mbox/gen.mbox
LISTARC_BATCH=1000000 "$RELEASE" index -q --data Cref gen Cref/mbox/gen.mbox 2>Cref.err
check_eq "C: $(ls deliver | wc -l) messages delivered one by one; Cref: its mbox indexed at once" \
	"$ok_c $?" "0 0"

for d in A B C Cref; do series_tables $d; done
state() { series_state "$1" "$2@app.test"; } # "msgs|parts|reviewed|latest|newest"
check_eq "A: gizmo v1 and v2 superseded by v4 (the change-id of v3), v2 reviewed whole (a review carried from v1), v4 the latest" \
	"$(state A g1-0) / $(state A g2-0) / $(state A g4-0)" "3|2|1|0|4 / 3|2|2|0|4 / 2|1|0|1|4"
same_files "B: the same series and places as A" A.series B.series
same_files "B: the same states as A" A.state B.state
same_files "C: the same series, places and states as Cref" <(cat Cref.series Cref.state) <(cat C.series C.state)

{
	printf '%s\n' /gen/series/ '/gen/series/?page=2' '/gen/series/?page=3' '/api/v1/gen/series/?limit=200'
	for m in g1-0 g2-0 g3-0 g4-0 g5-1 u1-1 u2-0 u2-3 typo0 typo3 typo35 typo69 typo-v2; do
		printf '/gen/%s@app.test/s/\n' "$m"
	done
	sqlite3 A/index.sqlite "SELECT mids.mid FROM series_msgs sm JOIN messages m ON m.id = sm.id
		JOIN mids ON mids.id = m.mid WHERE sm.part = 0 ORDER BY sm.id LIMIT 40" | sed 's|.*|/gen/&/s/|'
} >paths
check "40 generated series pages among them" [ "$(wc -l <paths)" -ge 57 ]
for d in A B C Cref; do DATA=$d getall "$d.pages" <paths; done
differs() { # differs REF X: the pages of X not byte for byte REF's
	for f in $(seq 1 "$(wc -l <paths)"); do
		cmp -s "$1.pages/$f" "$2.pages/$f" || echo "$2 $(sed -n "${f}p" paths) differs"
	done | head -5
}
check_eq "every page of B byte for byte A's, of C byte for byte Cref's" "$(differs A B)$(differs Cref C)" ""
