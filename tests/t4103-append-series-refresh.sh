#!/usr/bin/env bash
# t4103-append-series-refresh: an append's refresh of the series' states
# (store/series.c, series_state_refresh: a state whose walk only gained
# or lost higher versions is its state kept with the newest version made
# again, state_quick; a state computed loads its own and its lower
# versions only) leaves every table series.c writes as one index of the
# same mail made from scratch: series, places, trailers, states, walks
# kept (docs/series.md, "State").  The corpus: gen-corpus.py (2,000
# messages, seed 11: names of hundreds of series, patches reused) and
# hand-made families whose messages come in the appends:
#   - gadget v1 (3 patches and a cover letter) and v2 in the base; in
#     the appends a reply reviewing v1's patch 1 (it joins an old
#     series; carried to v2's same patch), then v3 (an old series gets a
#     higher version: v1 and v2 superseded);
#   - a series of another name whose patch is v2's patch 2 (an old
#     message's patch id: found by rule 3), with v4;
#   - a late v1 resend of "sprocket" (its v2 and v3 in the base: a lower
#     version enters their walks) with a review whose patch v2 and v3
#     carry.
# Each mode (with search and --no-search): A, one index of the whole
# mbox; B, the base then appends of 1, 7 and 150 messages and the rest;
# C, the base then the rest at once in batches of 40; D, the base with a
# message hidden, the rest appended, then shown again (E: one index of
# the whole with it hidden, as D before its unhide).  B, C and D
# against A, D hidden against E, table by table.  With an anchor build
# ($LISTARC_ANCHOR, as `make check-anchor` gives it; skipped without):
# its B with search has the same tables as this build's.
. "$(dirname "$0")/lib.sh"
plan 11
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 11 "../shared/corpora is not here"
	exit 0
fi
"$PYTHON" "$GEN" 2000 gen.mbox 11 >/dev/null 2>&1
"$PYTHON" - gen.mbox base.mbox tail.mbox <<'EOF'
import email.utils, re, sys
gen = open(sys.argv[1], 'rb').read()
msgs = [m for m in re.split(rb'(?m)^(?=From )', gen) if m]
t = [1764590400]
PAT = 'Pat Person <pat@example.org>'
REV = 'Rita Reviewer <rita@example.org>'

def msg(mid, subj, body, parent=None, who=PAT):
    t[0] += 60
    h = ('From pat@example.org Mon Dec  1 12:00:00 2025\nFrom: %s\nDate: %s\n'
         'Message-ID: <%s@t4103.test>\nSubject: %s\n' % (who, email.utils.formatdate(t[0]), mid, subj))
    if parent:
        h += 'In-Reply-To: <%s@t4103.test>\nReferences: <%s@t4103.test>\n' % (parent, parent)
    return (h + '\n' + body + '\n').encode()

def patch(what, f):
    return ('%s.\n\nSigned-off-by: Pat Person <pat@example.org>\n---\n %s | 1 +\n\n'
            'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1,1 +1,2 @@\n line\n+%s\n'
            % (what, f, f, f, f, f, what))

def series(tag, ver, name, parts):
    v = '' if ver == 1 else ' v%d' % ver
    n = len(parts)
    out = [msg('%s-0' % tag, '[PATCH%s 0/%d] %s' % (v, n, name), 'The cover letter of %s.' % tag)]
    for k, (what, f) in enumerate(parts, 1):
        out.append(msg('%s-%d' % (tag, k), '[PATCH%s %d/%d] %s: part %d' % (v, k, n, name, k),
                       patch(what, f), '%s-0' % tag))
    return out

def review(mid, parent, kind='Reviewed-by'):
    return msg(mid, 'Re: review', '> quoted\n\nLooks right.\n\n%s: %s\n' % (kind, REV), parent, REV)

G = [('gadget one', 'g1.c'), ('gadget two', 'g2.c'), ('gadget three', 'g3.c')]
S = [('sprocket one', 's1.c'), ('sprocket two', 's2.c')]
base_fam = (series('gad1', 1, 'gadget: rework', G) + series('gad2', 2, 'gadget: rework', G)
            + series('spr2', 2, 'sprocket: fix', S) + series('spr3', 3, 'sprocket: fix', S))
tail_fam = [
    review('gad1-r1', 'gad1-1'),
    *series('gad3', 3, 'gadget: rework', G[:2] + [('gadget three again', 'g3.c')]),
    *series('oth1', 1, 'other: take gadget two', [('gadget two', 'g2.c')]),
    *series('oth4', 4, 'other: take gadget two', [('gadget two', 'g2.c')]),
    *series('spr1', 1, 'sprocket: fix', S),
    review('spr1-r1', 'spr1-1', 'Acked-by'),
]
cut = 1500
base = msgs[:cut // 2] + base_fam + msgs[cut // 2:cut]
rest = msgs[cut:]
tail = []
# The families spread through the rest (each after its share).
step = len(rest) // (len(tail_fam) + 1)
for i, m in enumerate(tail_fam):
    tail += rest[i * step:(i + 1) * step] + [m]
tail += rest[len(tail_fam) * step:]
open(sys.argv[2], 'wb').write(b''.join(base))
open(sys.argv[3], 'wb').write(b''.join(tail))
EOF
cat base.mbox tail.mbox >all.mbox

# same_rows WHAT REF DIR: one check, the rows of DIR as REF's.
same_rows() {
	series_rows "$2"
	series_rows "$3"
	same_files "$1" "$2.rows" "$3.rows"
}
# grow DIR FLAGS... -- SIZES...: DIR made of base.mbox, then the first
# SIZES messages of tail.mbox appended one append a size (the rest last).
grow() {
	local d=$1 flags=() rc=0 n from=1
	shift
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	cp base.mbox "$d.mbox"
	"$RELEASE" index -q "${flags[@]}" --data "$d" gen "$PWD/$d.mbox" 2>>"$d.err" || rc=1
	for n in "$@" rest; do
		if [ "$n" = rest ]; then
			"$PYTHON" -c 'import re,sys; m=[x for x in re.split(rb"(?m)^(?=From )", open(sys.argv[1],"rb").read()) if x]; sys.stdout.buffer.write(b"".join(m[int(sys.argv[2])-1:]))' tail.mbox "$from" >>"$d.mbox"
		else
			"$PYTHON" -c 'import re,sys; m=[x for x in re.split(rb"(?m)^(?=From )", open(sys.argv[1],"rb").read()) if x]; a=int(sys.argv[2])-1; sys.stdout.buffer.write(b"".join(m[a:a+int(sys.argv[3])]))' tail.mbox "$from" "$n" >>"$d.mbox"
			from=$((from + n))
		fi
		"$RELEASE" index -q "${flags[@]}" --data "$d" gen 2>>"$d.err" || rc=1
	done
	echo $rc
}
mid_of() {
	sqlite3 "$1/index.sqlite" "SELECT count(*) FROM mids JOIN messages m ON m.mid = mids.id
		WHERE mids.mid = '$2'"
}

for mode in search no-search; do
	flags=()
	[ $mode = no-search ] && flags=(--no-search)
	"$RELEASE" index -q "${flags[@]}" --data a-$mode gen "$PWD/all.mbox" 2>a-$mode.err
	check_eq "$mode: the whole mbox indexed, with the families" \
		"$? $(mid_of a-$mode gad3-2@t4103.test) $(mid_of a-$mode spr1-r1@t4103.test)" "0 1 1"
	check_eq "$mode: base, then appends of 1, 7, 150 and the rest" \
		"$(grow b-$mode "${flags[@]}" -- 1 7 150)" 0
	same_rows "$mode: appends of 1, 7, 150 and the rest: the tables of one index" a-$mode b-$mode
	rc=$(LISTARC_BATCH=40 grow c-$mode "${flags[@]}" --)
	series_rows a-$mode
	series_rows c-$mode
	check_eq "$mode: the rest appended at once in batches of 40: the tables of one index" \
		"$rc $(cmp -s a-$mode.rows c-$mode.rows && echo same)" "0 same"
done

# A message hidden in the base (a patch of gadget v2), the rest appended
# (no state is kept as it was: every one computed), then shown again.
cp base.mbox d.mbox
"$RELEASE" index -q --data d gen "$PWD/d.mbox" 2>d.err
"$RELEASE" hide --data d --reason test gen '<gad2-2@t4103.test>' >>d.err 2>&1
cat tail.mbox >>d.mbox
"$RELEASE" index -q --data d gen 2>>d.err
rc1=$?
cp all.mbox e.mbox
"$RELEASE" index -q --data e gen "$PWD/e.mbox" 2>e.err
"$RELEASE" hide --data e --reason test gen '<gad2-2@t4103.test>' >>e.err 2>&1
series_rows d
series_rows e
check_eq "a message hidden, then the rest appended: the tables of one index with it hidden" \
	"$rc1 $(cmp -s d.rows e.rows && echo same) $(sqlite3 d/index.sqlite "SELECT count(*) FROM messages WHERE flags & 1073741824")" \
	"0 same 1"
"$RELEASE" unhide --data d --reason test gen '<gad2-2@t4103.test>' >>d.err 2>&1
same_rows "shown again: the tables of one index of the whole" a-search d

ANCHOR=${LISTARC_ANCHOR:-}
if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 1 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
rc=$(RELEASE=$ANCHOR grow anchor-b -- 1 7 150)
series_rows b-search
series_rows anchor-b
check_eq "the anchor's appends of 1, 7, 150 and the rest: the tables of this build's" \
	"$rc $(cmp -s b-search.rows anchor-b.rows && echo same)" "0 same"
