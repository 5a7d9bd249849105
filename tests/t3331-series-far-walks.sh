#!/usr/bin/env bash
# t3331-series-far-walks: appends that change the state of a series whose
# walk reaches the series changed from far away (docs/series.md, "State"
# and the walks kept).  A walk asks a name's or a change-id's 64 nearest to
# the series it began from, not to the series that led it there: X
# ("misc: other fix" v3) shares a patch with Y ("misc: fix typo" v2), and
# its walk takes the series of Y's name nearest to X, among them C (v9,
# v10, v11 of that name, appended later); C's own walk is full with the
# dense cluster of its name (40 series of one author, 60 of three others
# between them) and never reaches X, which is of another name and shares
# no patch with C.  The same through a b4 change-id (X2 and Y2) and
# through two shared patches (X3, Y3, C), with reviews at the edges and
# in the middle of the cluster.  A: one index of the final mbox.  B: the
# start at once, then one message a step, each indexed in batches of 3
# (LISTARC_STATES_EACH_COMMIT=1).  C: the start indexed, the rest
# delivered one message at a time; Cref: one index of C's mbox.  B against
# A, C against Cref: every series row and place, every state, every
# series page, and the list of series (HTML and JSON).  D: X of C's own
# name ("misc: hid" v1), C (v5) a hundred series after it and 80 of that
# name right after C, so that X is not among C's 64 nearest though C is
# the nearest to X; C's messages hidden: X's newest must become 2, as
# every state made again (Dref, the fill) says.  The far walks' states
# are found through the walks kept (series_walk), and compared apart.
. "$(dirname "$0")/lib.sh"
plan 9
"$PYTHON" - corpus.mbox <<'EOF'
import email.utils, sys
t = [1764590400]
PAT = 'Pat Person <pat@example.org>'

def msg(mid, subj, body, parent=None, who=PAT):
    t[0] += 7200
    h = 'From x@example.org Mon Dec  1 12:00:00 2025\nFrom: %s\nDate: %s\nMessage-ID: <%s@app.test>\nSubject: %s\n' % (
        who, email.utils.formatdate(t[0]), mid, subj)
    if parent:
        h += 'In-Reply-To: <%s@app.test>\nReferences: <%s@app.test>\n' % (parent, parent)
    return (h + '\n' + body + '\n').encode()

def patch(what, f, extra=''):
    return ('%s.\n\nSigned-off-by: Pat Person <pat@example.org>\n---\n%s %s | 1 +\n\n'
            'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1,1 +1,2 @@\n line\n+%s\n'
            % (what, extra, f, f, f, f, f, what))

def one(mid, ver, name, what, f, who=PAT):
    v = '' if ver == 1 else ' v%d' % ver
    return msg(mid, '[PATCH%s] %s' % (v, name), patch(what, f), who=who)

def series(tag, ver, name, pname, what, f, change=''):
    v = '' if ver == 1 else ' v%d' % ver
    return [msg('%s-0' % tag, '[PATCH%s 0/1] %s' % (v, name), 'Cover.\n' + change),
            msg('%s-1' % tag, '[PATCH%s 1/1] %s' % (v, pname), patch(what, f), '%s-0' % tag)]

def review(mid, parent, subj, who='Rita Reviewer <rita@example.org>'):
    return msg(mid, 'Re: ' + subj, '> Patch\n\nReviewed-by: %s\n' % who, parent, who=who)

OTHERS = ['Oda Other <oda%d@example.org>' % i for i in range(3)]
start, rest = [], []
for i in range(40):  # one name and author, 40 series, 60 of others between
    start.append(one('typo%d' % i, 1, 'misc: fix typo', 'typo %d' % i, 't%d.c' % i))
    if i % 2 == 0:
        for j, who in enumerate(OTHERS):
            start.append(one('o%d-%d' % (i, j), 1, 'misc: fix typo', 'other %d' % i, 'o%d.c' % j, who))
start.append(one('y', 2, 'misc: fix typo', 'shared', 'y.c'))
start.append(one('x', 3, 'misc: other fix', 'shared', 'y.c'))       # Y's patch
start += series('y2', 2, 'misc: fix typo', 'misc: typo two', 'two', 'y2.c',
                'change-id: 20251201-typo-4242\n')
start += series('x2', 4, 'misc: another', 'misc: another one', 'another', 'x2.c',
                'change-id: 20251201-typo-4242\n')
# X3 shares a patch with Y3 ("misc: bridge"), and Y3 its other one with
# C (below): a walk of patches alone, that C's full walk does not reach.
start += [msg('y3-0', '[PATCH 0/2] misc: bridge', 'Cover.\n'),
          msg('y3-1', '[PATCH 1/2] misc: far', patch('far', 'f.c'), 'y3-0'),
          msg('y3-2', '[PATCH 2/2] misc: nine', patch('nine', 'c.c'), 'y3-0')]
start.append(one('x3', 2, 'misc: far', 'far', 'f.c'))
rest.append(review('r20', 'typo20', '[PATCH] misc: fix typo'))         # the middle
rest.append(one('c', 9, 'misc: fix typo', 'nine', 'c.c'))              # the edge: C
rest.append(review('r0', 'typo0', '[PATCH] misc: fix typo'))           # the far end
rest.append(review('rc', 'c', '[PATCH v9] misc: fix typo'))
rest.append(one('o-late', 7, 'misc: fix typo', 'late', 'late.c', OTHERS[1]))
rest.append(review('ry', 'y', '[PATCH v2] misc: fix typo'))            # carried to X
rest.append(one('c10', 10, 'misc: fix typo', 'ten', 'c10.c'))
rest.append(one('x5', 5, 'misc: other fix', 'shared again', 'y.c'))
rest.append(review('r39', 'typo39', '[PATCH] misc: fix typo'))
rest.append(one('c11', 11, 'misc: fix typo', 'eleven', 'c11.c'))
with open(sys.argv[1], 'wb') as f:
    f.write(b''.join(start))
    f.write(b''.join(rest))
# D: X of C's own name, C's messages hidden later; C (v5) a hundred
# series after X, and 80 of its name right after it (C's 64 nearest).
d = [one('hx', 1, 'misc: hid', 'hx', 'hx.c')]
for i in range(100):
    d.append(one('n%d' % i, 1, 'misc: noise %d' % i, 'n%d' % i, 'n%d.c' % i, OTHERS[0]))
d += series('hc', 5, 'misc: hid', 'misc: hid one', 'one', 'h1.c')
for i in range(80):
    d.append(one('k%d' % i, 2, 'misc: hid', 'k%d' % i, 'k%d.c' % i))
open('d.mbox', 'wb').write(b''.join(d))

EOF
n=$(grep -c '^From ' corpus.mbox)
nstart=$((n - 10)) # the last 10 messages are appended
size=$(wc -c <corpus.mbox)
froms() { grep -b '^From ' "$1" | cut -d: -f1; }
cut_at() { froms corpus.mbox | sed -n "$(($1 + 1))p"; } # byte offset of message $1 (0-based)

LISTARC_BATCH=1000000 "$RELEASE" index -q --data A gen corpus.mbox 2>A.err
ok_a=$?
# B: the start at once, then each appended message in its own step.
ok_b=0
: >b.mbox
for k in $(seq "$nstart" "$n"); do
	if [ "$k" = "$n" ]; then end=$size; else end=$(cut_at "$k"); fi
	have=$(wc -c <b.mbox)
	tail -c +"$((have + 1))" corpus.mbox | head -c "$((end - have))" >>b.mbox
	LISTARC_STATES_EACH_COMMIT=1 LISTARC_BATCH=3 "$RELEASE" index -q --data B gen b.mbox 2>>B.err ||
		ok_b=$?
done
check_eq "A: one index; B: the start, then one message a step, in batches of 3" \
	"$ok_a $ok_b $(cmp -s b.mbox corpus.mbox && echo same)" "0 0 same"

mkdir -p C/mbox
head -c "$(cut_at "$nstart")" corpus.mbox >C/mbox/gen.mbox
"$RELEASE" index -q --data C gen C/mbox/gen.mbox 2>C.err
ok_c=$?
"$PYTHON" - corpus.mbox "$(cut_at "$nstart")" deliver <<'EOF'
import os, re, sys
data = open(sys.argv[1], 'rb').read()[int(sys.argv[2]):]
os.makedirs(sys.argv[3], exist_ok=True)
for i, m in enumerate(re.split(rb'(?m)^(?=From )', data)):
    if m:
        open(os.path.join(sys.argv[3], '%05d' % i), 'wb').write(m.split(b'\n', 1)[1])
EOF
for f in deliver/*; do
	"$RELEASE" deliver --data C --sender pat@example.org gen <"$f" 2>>C.err || ok_c=$?
done
mkdir -p Cref/mbox
cp C/mbox/gen.mbox Cref/mbox/gen.mbox
LISTARC_BATCH=1000000 "$RELEASE" index -q --data Cref gen Cref/mbox/gen.mbox 2>Cref.err
check_eq "C: $(ls deliver | wc -l) messages delivered one by one; Cref: its mbox indexed at once" \
	"$ok_c $?" "0 0"

# D: indexed, then C's messages hidden (each a commit that refreshes);
# Dref: D's index with every state made again (the fill, as an upgrade).
"$RELEASE" index -q --data D gen d.mbox 2>D.err &&
	"$RELEASE" hide --data D gen "<hc-0@app.test>" --reason t >/dev/null 2>>D.err &&
	"$RELEASE" hide --data D gen "<hc-1@app.test>" --reason t >/dev/null 2>>D.err &&
	cp -r D Dref && sqlite3 Dref/index.sqlite "UPDATE meta SET value = '0' WHERE key = 'series_state'" &&
	"$RELEASE" index -q --data Dref gen d.mbox 2>Dref.err
ok_d=$?
for d in A B C Cref D Dref; do series_tables $d; done
state() { series_state "$1" "$2@app.test"; } # "msgs|parts|reviewed|latest|newest"
check_eq "D: C's messages hidden; Dref: every state made again; C shows none, X's newest is 2" \
	"$ok_d $(state Dref hx) / $(state Dref hc-1)" "0 1|1|0|0|2 / 0|0|0|0|2"
check_eq "A: X superseded by v11 of Y's name (through Y's patch), X2 by it through Y2's change-id, X3 by it through Y3's two patches; $(wc -l <A.state) states" \
	"$(state A x) / $(state A x2-0) / $(state A x3) / $(wc -l <A.state)" \
	"1|1|1|0|11 / 2|1|0|0|11 / 1|1|0|0|11 / 111"
# The series whose walk reaches a series changed through another one
# (X, X2, X3, Y3 and X's v5): the refresh finds them by the walks kept
# (docs/series.md, "State"); their states and the lists that show them
# are compared apart.
far=$(for m in x x2-0 x3 x5 y3-0; do
	sqlite3 A/index.sqlite "SELECT sm.series FROM mids JOIN messages m ON m.mid = mids.id
		JOIN series_msgs sm ON sm.id = m.id WHERE mids.mid = '$m@app.test'"
done | paste -sd'|')
hx=$(sqlite3 D/index.sqlite "SELECT sm.series FROM mids JOIN messages m ON m.mid = mids.id
	JOIN series_msgs sm ON sm.id = m.id WHERE mids.mid = 'hx@app.test'")
grep -Ev "^$hx\|" D.state >D.near
grep -Ev "^$hx\|" Dref.state >Dref.near
grep -E "^$hx\|" D.state >D.far
grep -E "^$hx\|" Dref.state >Dref.far
for d in A B C Cref; do
	grep -Ev "^($far)\|" $d.state >$d.near
	grep -E "^($far)\|" $d.state >$d.far
done
for d in A B C Cref; do cat $d.series $d.near >$d.cmp; done
same_files "B: the same series and places as A, and the same states but the far walks' ($(wc -l <A.near))" A.cmp B.cmp
same_files "C: the same series and places as Cref, and the same states but the far walks' ($(wc -l <Cref.near))" Cref.cmp C.cmp
same_files "D: the same states as Dref but X's ($(wc -l <Dref.near))" Dref.near D.near

{
	printf '%s\n' /gen/series/ '/gen/series/?page=2' '/gen/series/?page=3' '/api/v1/gen/series/?limit=200'
	sqlite3 A/index.sqlite "SELECT DISTINCT mids.mid FROM series_msgs sm JOIN messages m ON m.id = sm.id
		JOIN mids ON mids.id = m.mid WHERE sm.part <= 1 GROUP BY sm.series ORDER BY sm.series" |
		sed 's|.*|/gen/&/s/|'
} >paths
for d in A B C Cref; do DATA=$d getall "$d.pages" <paths; done
differs() { # differs REF X [FROM]: the pages of X (from line FROM) not byte for byte REF's
	for f in $(seq "${3:-1}" "$(wc -l <paths)"); do
		cmp -s "$1.pages/$f" "$2.pages/$f" || echo "$2 $(sed -n "${f}p" paths) differs"
	done | head -5
}
check_eq "every series page ($(($(wc -l <paths) - 4))) of B byte for byte A's, of C byte for byte Cref's" \
	"$(differs A B 5)$(differs Cref C 5)" ""
got="$(diff A.far B.far)
$(diff Cref.far C.far)
$(diff Dref.far D.far)
$(differs A B)$(differs Cref C)"
if [ -z "$(printf '%s' "$got" | tr -d '\n')" ]; then
	ok "the far walks' states and the lists of series of B and C the same as A's and Cref's"
else
	not_ok "the far walks' states and the lists of series of B and C the same as A's and Cref's"
	printf '%s\n' "$got" | head -30 | sed 's/^/#   /'
fi
