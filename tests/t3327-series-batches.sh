#!/usr/bin/env bash
# t3327-series-batches: a commit computes again only the states that may
# have changed (docs/series.md, "State": the series of its threads, and
# those near them whose walks hold one of those), and every state and
# series page is the same as a one-batch index's, however the messages
# were batched.  The corpus: ../shared/corpora/gen-corpus.py (4,000
# messages, seed 3) with a hand-made family of series spread through it,
# each arriving in a later batch than the one it changes:
#   - widgets v1, then v2 (the same name and author, a patch in common),
#     then v3 (renamed: found only by a patch it shares with v2), so that
#     v1 is superseded by a series its own walk reaches only through v2;
#   - a review of v1 1/2 arriving last: it carries to v2 1/2 (the same
#     patch), and v1 becomes reviewed in a batch where nothing of v2 came;
#   - doohickey v1, then v2's patches without their cover letter (named
#     after patch 1: v2 of doohickey by name, v1 superseded), then the
#     cover letter, which renames v2: v1 is the latest again;
#   - a series hidden and shown again (`listarc hide`, `unhide`).
# Indexed A: in one batch; B: in batches of 37, each commit computing
# its states (LISTARC_STATES_EACH_COMMIT=1: a first index otherwise makes
# them once at its end, as A and C's first run do); C: the first 60% in
# one batch, then the rest appended in batches of 500; D and E: A and B
# without search (no patch ids, no trailers).  The series tables, every
# state, the list of series and its JSON, and the series page of every
# hand-made series and of 40 others must be the same in B and C as in A
# (E as in D).
. "$(dirname "$0")/lib.sh"
plan 13
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 13 "../shared/corpora is not here"
	exit 0
fi
"$PYTHON" "$GEN" 4000 gen.mbox 3 >/dev/null 2>&1
"$PYTHON" - gen.mbox corpus.mbox <<'EOF'
import re, sys
gen = open(sys.argv[1], 'rb').read()
msgs = [m for m in re.split(rb'(?m)^(?=From )', gen) if m]
t = [1764590400]

def msg(mid, subj, body, parent=None, who='Pat Person <pat@example.org>'):
    t[0] += 60
    h = 'From pat@example.org Mon Dec  1 12:00:00 2025\nFrom: %s\nDate: %s\nMessage-ID: <%s@late.test>\nSubject: %s\n' % (
        who, __import__('email.utils').utils.formatdate(t[0]), mid, subj)
    if parent:
        h += 'In-Reply-To: <%s@late.test>\nReferences: <%s@late.test>\n' % (parent, parent)
    return (h + '\n' + body + '\n').encode()

def patch(what, f):
    return ('%s.\n\nSigned-off-by: Pat Person <pat@example.org>\n---\n %s | 1 +\n\n'
            'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1,1 +1,2 @@\n line\n+%s\n'
            % (what, f, f, f, f, f, what))

def series(tag, ver, name, parts, cover=True):
    v = '' if ver == 1 else ' v%d' % ver
    n = len(parts)
    out = []
    if cover:
        out.append(msg('%s-0' % tag, '[PATCH%s 0/%d] %s' % (v, n, name), 'Cover.\n'))
    for k, (pname, f, what) in enumerate(parts, 1):
        out.append(msg('%s-%d' % (tag, k), '[PATCH%s %d/%d] %s' % (v, k, n, pname), patch(what, f), '%s-0' % tag))
    return out

late = [
    series('w1', 1, 'widgets: spin', [('widgets: add A', 'a.c', 'add A'), ('widgets: add B', 'b.c', 'add B')]),
    series('d1', 1, 'doohickey: part one', [('doohickey: part one', 'd.c', 'one')], cover=False),
    series('w2', 2, 'widgets: spin', [('widgets: add A', 'a.c', 'add A'), ('widgets: add B', 'b.c', 'add B again')]),
    series('d2', 2, 'doohickey: rework', [('doohickey: part one', 'd.c', 'one, reworked'), ('doohickey: part two', 'e.c', 'two')], cover=False),
    series('w3', 3, 'widgets: spin faster', [('widgets: add A at last', 'a.c', 'add A at last'), ('widgets: add B', 'b.c', 'add B again')]),
    [msg('d2-0', '[PATCH v2 0/2] doohickey: rework', 'Cover.\n')],
    [msg('r1', 'Re: [PATCH 1/2] widgets: add A', '> Patch\n\nReviewed-by: Rita Reviewer <rita@example.org>\n', 'w1-1',
         'Rita Reviewer <rita@example.org>')],
]
# Each hand-made group after its share of the generated messages.
with open(sys.argv[2], 'wb') as f:
    step = len(msgs) // len(late)
    for i, group in enumerate(late):
        f.write(b''.join(msgs[i * step:(i + 1) * step]))
        f.write(b''.join(group))
    f.write(b''.join(msgs[len(late) * step:]))
EOF
n=$(grep -c '^From ' corpus.mbox)
cut=$(grep -b '^From ' corpus.mbox | sed -n "$((n * 6 / 10 + 1))p" | cut -d: -f1)
head -c "$cut" corpus.mbox >c.mbox
LISTARC_BATCH=1000000 "$RELEASE" index -q --data A gen corpus.mbox 2>A.err &&
	LISTARC_STATES_EACH_COMMIT=1 LISTARC_BATCH=37 "$RELEASE" index -q --data B gen corpus.mbox 2>B.err &&
	LISTARC_BATCH=1000000 "$RELEASE" index -q --data C gen c.mbox 2>C.err &&
	tail -c +"$((cut + 1))" corpus.mbox >>c.mbox &&
	LISTARC_BATCH=500 "$RELEASE" index -q --data C gen 2>>C.err &&
	LISTARC_BATCH=1000000 "$RELEASE" index -q --no-search --data D gen corpus.mbox 2>D.err &&
	LISTARC_STATES_EACH_COMMIT=1 LISTARC_BATCH=37 "$RELEASE" index -q --no-search --data E gen corpus.mbox 2>E.err
check_eq "indexed in one batch, in batches of 37, 60% then the rest; and without search" $? 0
# Hidden and shown again, in B: the states come back (hiding turns every
# skip off; showing again too).
"$RELEASE" hide --data B gen "<w2-2@late.test>" --reason test >/dev/null &&
	"$RELEASE" unhide --data B gen "<w2-2@late.test>" >/dev/null
check_eq "a patch hidden and shown again: exit 0" $? 0

for d in A B C D E; do series_tables $d; done
# state of the series of Message-ID MID in index D: "msgs parts reviewed latest newest"
state() { series_state "$1" "$2@late.test"; } # "msgs|parts|reviewed|latest|newest"
check_eq "A: widgets v1 (1/2 reviewed), v2 (1/2 carried from v1), v3 (by a patch of v2) the latest" \
	"$(state A w1-0) / $(state A w2-0) / $(state A w3-0)" "3|2|1|0|3 / 3|2|1|0|3 / 3|2|0|1|3"
check_eq "A: doohickey v1 the latest (v2 renamed by its cover letter), v2 alone" \
	"$(state A d1-1) / $(state A d2-0)" "1|1|0|1|1 / 3|2|0|1|2"
same_files "B: the same series and places as A" A.series B.series
same_files "B: the same states as A (batches of 37, a patch hidden and shown again)" A.state B.state
same_files "C: the same series, places and states as A (60%, then appended)" <(cat A.series A.state) <(cat C.series C.state)
same_files "E: the same series, places and states as D (--no-search)" <(cat D.series D.state) <(cat E.series E.state)
check "D: the hand-made series without search: widgets v1 superseded by name" [ "$(state D w1-0)" = "3|2|0|0|2" ]

# The pages: the list of series (pages 1 to 3), its JSON, the series
# page of every hand-made series and of 40 covers of the generated ones.
{
	printf '%s\n' /gen/series/ '/gen/series/?page=2' '/gen/series/?page=3' '/api/v1/gen/series/?limit=200'
	for m in w1-0 w2-0 w3-0 d1-1 d2-0 w1-1 w2-1; do printf '/gen/%s@late.test/s/\n' "$m"; done
	sqlite3 A/index.sqlite "SELECT mids.mid FROM series_msgs sm JOIN messages m ON m.id = sm.id
		JOIN mids ON mids.id = m.mid WHERE sm.part = 0 ORDER BY sm.id LIMIT 40" | sed 's|.*|/gen/&/s/|'
} >paths
check "40 generated series pages among them" [ "$(wc -l <paths)" -ge 51 ]
for d in A B C D E; do DATA=$d getall "$d.pages" <paths; done
differs() { # differs REF X...: the pages of each X not byte for byte REF's
	local ref=$1 d f
	shift
	for d in "$@"; do
		for f in $(seq 1 "$(wc -l <paths)"); do
			cmp -s "$ref.pages/$f" "$d.pages/$f" || echo "$d $(sed -n "${f}p" paths) differs"
		done
	done | head -5
}
check_eq "every page of B and C byte for byte A's" "$(differs A B C)" ""
check_eq "every page of E byte for byte D's" "$(differs D E)" ""
check "the pages show the states (superseded by v3)" grep -q 'superseded by v3' A.pages/1
