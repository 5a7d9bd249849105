#!/usr/bin/env bash
# t4107-append-reviews: an append's refresh reads a thread's reviews as
# the rows of its messages that have a Reviewed-by: or Acked-by: trailer
# (store/series.c, Q_ST_REVIEWS: one row a message, found by EXISTS, not
# a join made DISTINCT, which opened a temporary b-tree a thread) and the
# series of a thread as its messages' rows (Q_THREAD_SERIES: repeats
# skipped by the refresh, not by DISTINCT), and leaves every table
# series.c writes, and the series' pages, as one index of the same mail
# (docs/series.md, "State").  The mail: widget v1 (a cover letter, 3
# patches), a reply to patch 1 with both a Reviewed-by: and an Acked-by:
# (two review trailers, one message), a reply to patch 2 with two
# Reviewed-by: lines, one to patch 3 with only a Tested-by: (no review);
# then v2 with the same patches (1 and 2 reviewed by carry) and a reply
# under a reply to its patch 3 with an Acked-by: and a Reviewed-by:;
# plain messages between.  A: one index of the whole; B: the first part,
# then one append a message.  With an anchor build ($LISTARC_ANCHOR,
# `make check-anchor`; skipped without): its B has the same tables.
. "$(dirname "$0")/lib.sh"
plan 6
cd "$T" || exit 1
"$PYTHON" - <<'EOF'
import email.utils
t = [1764590400]
PAT = 'Pat Person <pat@example.org>'
RITA = 'Rita Reviewer <rita@example.org>'
OTTO = 'Otto Other <otto@example.org>'

def msg(mid, subj, body, parent=None, who=PAT):
    t[0] += 60
    h = ('From x@example.org Mon Dec  1 12:00:00 2025\nFrom: %s\nDate: %s\n'
         'Message-ID: <%s@t4107.test>\nSubject: %s\n' % (who, email.utils.formatdate(t[0]), mid, subj))
    if parent:
        h += 'In-Reply-To: <%s@t4107.test>\nReferences: <%s@t4107.test>\n' % (parent, parent)
    return (h + '\n' + body + '\n').encode()

def patch(what, f):
    return ('%s.\n\nSigned-off-by: %s\n---\n %s | 1 +\n\n'
            'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1,1 +1,2 @@\n line\n+%s\n'
            % (what, PAT, f, f, f, f, f, what))

P = [('widget one', 'w1.c'), ('widget two', 'w2.c'), ('widget three', 'w3.c')]

def series(tag, ver):
    v = '' if ver == 1 else ' v%d' % ver
    out = [msg('%s-0' % tag, '[PATCH%s 0/3] widget: rework' % v, 'The cover letter.')]
    for k, (what, f) in enumerate(P, 1):
        out.append(msg('%s-%d' % (tag, k), '[PATCH%s %d/3] widget: part %d' % (v, k, k),
                       patch(what, f), '%s-0' % tag))
    return out

def reply(mid, parent, who, *trailers):
    body = '> quoted\n\nLooks right.\n\n' + ''.join('%s\n' % x for x in trailers)
    return msg(mid, 'Re: widget', body, parent, who)

def plain(n):
    return msg('plain-%d' % n, 'note %d' % n, 'Nothing to do with widgets, %d.' % n)

first = [plain(i) for i in range(5)] + series('w1', 1)
rest = [
    reply('r1', 'w1-1', RITA, 'Reviewed-by: ' + RITA, 'Acked-by: ' + RITA),
    plain(10),
    reply('r2', 'w1-2', OTTO, 'Reviewed-by: ' + RITA, 'Reviewed-by: ' + OTTO),
    reply('r3', 'w1-3', OTTO, 'Tested-by: ' + OTTO),
    plain(11),
    *series('w2', 2),
    reply('r4', 'w2-3', PAT, 'Thanks.'),
    reply('r5', 'r4', RITA, 'Acked-by: ' + RITA, 'Reviewed-by: ' + RITA),
    plain(12),
]
open('first.mbox', 'wb').write(b''.join(first))
open('all.mbox', 'wb').write(b''.join(first + rest))
for i, m in enumerate(rest):
    open('rest-%02d.mbox' % i, 'wb').write(m)
EOF

# grow BIN DIR: DIR made of first.mbox by BIN, then one append a
# message of the rest; prints the failures' count.
grow() {
	local bin=$1 d=$2 fails=0 f
	cp first.mbox "$d.mbox"
	"$bin" index -q --data "$d" w "$PWD/$d.mbox" 2>>"$d.err" || fails=$((fails + 1))
	for f in rest-*.mbox; do
		cat "$f" >>"$d.mbox"
		"$bin" index -q --data "$d" w 2>>"$d.err" || fails=$((fails + 1))
	done
	echo $fails
}

"$LISTARC" index -q --data a w "$PWD/all.mbox" 2>a.err
check_eq "A: the whole mbox indexed" "$? $(sqlite3 a/index.sqlite 'SELECT count(*) FROM messages')" \
	"0 $(grep -c '^From ' all.mbox)"
# v1: 2 of its 3 patches reviewed (a Tested-by: is no review), not the
# latest; v2: all 3 (1 and 2 carried, 3 under a reply to it), latest.
check_eq "A: the states (msgs|parts|reviewed|latest|newest) of v1 and v2" \
	"$(series_state a w1-1@t4107.test) $(series_state a w2-1@t4107.test)" "4|3|2|0|2 4|3|3|1|2"
check_eq "B: the first part, then one append a message" "$(grow "$LISTARC" b)" 0
series_rows a
series_rows b
same_files "B: the tables series.c writes as A's" a.rows b.rows
printf '%s\n' /w/series/ /api/v1/w/series/ >paths.txt
same_pages paths.txt "B: the list of series and its JSON as A's, byte for byte" a b

ANCHOR=${LISTARC_ANCHOR:-}
if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 1 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
rc=$(grow "$ANCHOR" anchor-b)
series_rows anchor-b
check_eq "the anchor's appends: the tables of this build's" \
	"$rc $(cmp -s b.rows anchor-b.rows && echo same)" "0 same"
