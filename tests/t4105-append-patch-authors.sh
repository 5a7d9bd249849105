#!/usr/bin/env bash
# t4105-append-patch-authors: an append's refresh asks, for each patch id
# of a message that joined, whether 65 series of its author and list had
# the patch before it (series.c, walk_sharers: then no walk can take its
# series by that patch), from the patch id's rows up to the 65th series
# (pid_prefix_full; the row of the 65th kept for the commit's other
# messages), and leaves the tables series.c writes as one index of the
# same mail made from scratch (docs/series.md, "State").  The corpus:
# one author's patch D in 10 series of list gen and 60 of list other
# (fewer than 65 in gen: the other list's must not count), the same
# author's patch E in 70 series of gen (65 before the new one: no walk
# can take it by E), another author's 3 series with E (the first
# author's must not count), the first author's patch F in 20 series of
# gen, a copy in gen of a message of other; appended: a v2 of each (of
# another name: only their patch links it to the old ones, whose states
# it supersedes), more of E, and 50 more of F after F's v2 (the 65th
# series of F comes after the v2 in the same commit: it still counts).  With
# an anchor build ($LISTARC_ANCHOR, `make check-anchor`; skipped
# without): its appends give the same tables.
. "$(dirname "$0")/lib.sh"
plan 7
"$PYTHON" - <<'EOF'
import email.utils
t = [1764590400]

def msg(mid, subj, body, who='Pat Person <pat@example.org>'):
    t[0] += 60
    return ('From x@example.org Mon Dec  1 12:00:00 2025\nFrom: %s\nDate: %s\n'
            'Message-ID: <%s@t4105.test>\nSubject: %s\n\n%s\n'
            % (who, email.utils.formatdate(t[0]), mid, subj, body)).encode()

def patch(what, f):
    return ('%s.\n\nSigned-off-by: Pat Person <pat@example.org>\n---\n %s | 1 +\n\n'
            'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1,1 +1,2 @@\n line\n+%s\n'
            % (what, f, f, f, f, f, what))

D = ('dee change', 'd.c')
E = ('eee change', 'e.c')
F = ('eff change', 'f.c')
RITA = 'Rita Other <rita@example.org>'
gen, other = [], []
for i in range(70):
    if i < 10:
        gen.append(msg('thing%d' % i, '[PATCH] thing %d: take d' % i, patch(*D)))
    if i < 60:
        other.append(msg('other%d' % i, '[PATCH] other %d: take d' % i, patch(*D)))
    if i < 3:
        gen.append(msg('rita%d' % i, '[PATCH] rita %d: take e' % i, patch(*E), RITA))
    gen.append(msg('widget%d' % i, '[PATCH] widget %d: take e' % i, patch(*E)))
    if i < 20:
        gen.append(msg('gizmo%d' % i, '[PATCH] gizmo %d: take f' % i, patch(*F)))
# A copy of other's first message in gen: it joins that series (of the
# list other), whose removal leaves it in none.
gen.append(other[0])
tail = [msg('thingnew', '[PATCH v2] thing new: take d', patch(*D)),
        msg('widgetnew', '[PATCH v2] widget new: take e', patch(*E)),
        msg('ritanew', '[PATCH v2] rita new: take e', patch(*E), RITA)]
tail += [msg('widget%d' % i, '[PATCH] widget %d: take e' % i, patch(*E)) for i in range(70, 75)]
tail += [msg('gizmonew', '[PATCH v2] gizmo new: take f', patch(*F))]
tail += [msg('gizmo%d' % i, '[PATCH] gizmo %d: take f' % i, patch(*F)) for i in range(20, 70)]
open('base.mbox', 'wb').write(b''.join(gen))
open('tail.mbox', 'wb').write(b''.join(tail))
open('other.mbox', 'wb').write(b''.join(other))
EOF
cat base.mbox tail.mbox >all.mbox

# rows DIR: every table series.c writes, each in its key's order.
rows() {
	sqlite3 "$1/index.sqlite" "SELECT * FROM series ORDER BY id;
		SELECT * FROM series_msgs ORDER BY id;
		SELECT * FROM series_state ORDER BY id;
		SELECT start, hex(members) FROM series_walk_members ORDER BY start;
		SELECT member, hex(starts) FROM series_walk_starts ORDER BY member" >"$1.rows"
}
# grow BIN DIR: other, then gen's base, then an append of 1 and the rest.
grow() {
	local rc=0
	cp base.mbox "$2.mbox"
	"$1" index -q --data "$2" other "$PWD/other.mbox" 2>>"$2.err" || rc=1
	"$1" index -q --data "$2" gen "$PWD/$2.mbox" 2>>"$2.err" || rc=1
	head -n "$(grep -n '^From ' tail.mbox | sed -n 2p | cut -d: -f1)" tail.mbox | sed '$d' >>"$2.mbox"
	"$1" index -q --data "$2" gen 2>>"$2.err" || rc=1
	"$PYTHON" -c 'import re,sys; m=[x for x in re.split(rb"(?m)^(?=From )", open(sys.argv[1],"rb").read()) if x]; sys.stdout.buffer.write(b"".join(m[1:]))' tail.mbox >>"$2.mbox"
	"$1" index -q --data "$2" gen 2>>"$2.err" || rc=1
	echo $rc
}
n_all=$(grep -c '^From ' all.mbox)

"$RELEASE" index -q --data a other "$PWD/other.mbox" 2>a.err
"$RELEASE" index -q --data a gen "$PWD/all.mbox" 2>>a.err
check_eq "one index of both lists: every message" \
	"$? $(sqlite3 a/index.sqlite 'SELECT count(*) FROM messages')" "0 $((n_all + 60))"
check_eq "the v2s supersede their patch's old series (thing, rita, gizmo 0), not widget 0's (65 before it)" \
	"$(sqlite3 a/index.sqlite "SELECT group_concat(x, ' ') FROM (SELECT ss.latest || ss.newest x
		FROM series s JOIN series_state ss ON ss.id = s.id WHERE s.name IN ('thing 0: take d',
		'rita 0: take e', 'widget 0: take e', 'gizmo 0: take f', 'other 0: take d')
		ORDER BY s.id)")" \
	"11 02 02 11 02"
rc=$(grow "$RELEASE" b)
rows a
rows b
check_eq "other, gen's base, then appends of 1 and the rest: the tables of one index" \
	"$rc $(cmp -s a.rows b.rows && echo same)" "0 same"
rc=$(LISTARC_BATCH=2 grow "$RELEASE" c)
rows c
check_eq "the same in commits of 2 messages: the tables of one index" \
	"$rc $(cmp -s a.rows c.rows && echo same)" "0 same"

# With a message hidden (the groups' rows of messages shown only, every
# row read): as one index with it hidden.
cp base.mbox d.mbox
"$RELEASE" index -q --data d other "$PWD/other.mbox" 2>d.err
"$RELEASE" index -q --data d gen "$PWD/d.mbox" 2>>d.err
"$RELEASE" hide --data d --reason test gen '<thing3@t4105.test>' >>d.err 2>&1
rc=$?
cat tail.mbox >>d.mbox
"$RELEASE" index -q --data d gen 2>>d.err
rc="$rc $?"
cp -a a e
"$RELEASE" hide --data e --reason test gen '<thing3@t4105.test>' >>e.err 2>&1
rc="$rc $?"
rows d
rows e
check_eq "a message hidden, then the rest appended: the tables of one index with it hidden" \
	"$rc $(cmp -s d.rows e.rows && echo same)" "0 0 0 same"
"$RELEASE" unhide --data d --reason test gen '<thing3@t4105.test>' >>d.err 2>&1
rows d
check_eq "shown again: the tables of one index" "$? $(cmp -s a.rows d.rows && echo same)" "0 same"

ANCHOR=${LISTARC_ANCHOR:-}
if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 1 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
rc=$(grow "$ANCHOR" anc)
rows anc
check_eq "the anchor's appends: the tables of this build's" \
	"$rc $(cmp -s b.rows anc.rows && echo same)" "0 same"
