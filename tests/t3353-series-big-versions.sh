#!/usr/bin/env bash
# t3353-series-big-versions: a version of many messages is read whole
# and kept at exactly its messages (sver_load, store/series.c: read into
# 64 on the stack, then into an array doubled as it fills, kept in one
# allocation; a grown array shrunk by realloc fragmented the states
# pass's heap, docs/INDEX.md "What the indexer holds").  Series of 63,
# 64 (one part missing), 65 and 129 (two missing) patches, and one of
# 100 in two versions (v2 keeps patches 1-50 unchanged: their reviews
# carry; 51-60 reviewed again), indexed by the ASan build:
#   - each state is what the rules give: messages shown, places arrived,
#     reviewed, latest, newest;
#   - the same states and walks kept from the commits' refreshes
#     (batches of 40) and from the least bounds (one walk pending);
#     with v2 appended by a later run (a refresh reading v1 again), the
#     same states (v2's series made last: its id differs);
#   - with $LISTARC_ANCHOR (`make check-anchor`): the anchor's states
#     and walks, row for row.
. "$(dirname "$0")/lib.sh"
plan 6
cd "$T" || exit 1
cat >gen.py <<'EOF'
import email.utils, sys
out = open(sys.argv[1], 'w')
only = sys.argv[2] if len(sys.argv) > 2 else None
t = [1764590400]
def msg(mid, subj, body, irt=None, frm='Pat Sender <pat@example.org>', keep=True):
    t[0] += 60
    if not keep:
        return
    h = [f'From pat@example.org {email.utils.formatdate(t[0], usegmt=True)}', f'From: {frm}',
         'To: big@lists.example.org', f'Subject: {subj}', f'Date: {email.utils.formatdate(t[0])}',
         f'Message-ID: <{mid}>']
    if irt:
        h += [f'In-Reply-To: <{irt}>', f'References: <{irt}>']
    out.write('\n'.join(h) + '\n\n' + body + '\n\n')
def patch(tag, n):
    return (f'Change {tag}.\n\nSigned-off-by: Pat Sender <pat@example.org>\n---\n'
            f' drivers/big/f{n}.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\n'
            f'diff --git a/drivers/big/f{n}.c b/drivers/big/f{n}.c\n--- a/drivers/big/f{n}.c\n'
            f'+++ b/drivers/big/f{n}.c\n@@ -1,3 +1,3 @@\n int a;\n-int b{n} = 0;\n'
            f'+int b{n} = {tag};\n int c;\n--\n2.43.0')
def series(name, ver, total, tags, skip=(), reviews=()):
    keep = only is None or only == f'{name}-v{ver}' or (only.startswith('-') and only[1:] != f'{name}-v{ver}')
    pre = 'PATCH' if ver == 1 else f'PATCH v{ver}'
    w = len(str(total))
    cover = f'{name}-v{ver}-0@big.test'
    msg(cover, f'[{pre} {0:0{w}}/{total}] big: {name}', f'The {name} series, version {ver}.',
        keep=keep)
    for i in range(1, total + 1):
        if i in skip:
            continue
        mid = f'{name}-v{ver}-{i}@big.test'
        msg(mid, f'[{pre} {i:0{w}}/{total}] big: {name} part {i}', patch(tags(i), f'{name}{i}'),
            cover, keep=keep)
        if i in reviews:
            msg(f'r-{mid}', f'Re: [{pre} {i:0{w}}/{total}] big: {name} part {i}',
                '> Change.\n\nReviewed-by: Rita Reviewer <rita@example.org>', mid,
                'Rita Reviewer <rita@example.org>', keep=keep)
series('hundred', 1, 100, lambda i: 1, reviews=set(range(1, 101)) - {37})
series('hundred', 2, 100, lambda i: 1 if i <= 50 else 2, reviews=set(range(51, 61)))
series('sixtythree', 1, 63, lambda i: 1)
series('sixtyfour', 1, 64, lambda i: 1, skip={40})
series('sixtyfive', 1, 65, lambda i: 1, reviews=set(range(1, 66)))
series('onetwentynine', 1, 129, lambda i: 1, skip={1, 129})
EOF
"$PYTHON" gen.py big.mbox
"$PYTHON" gen.py before.mbox -hundred-v2
"$PYTHON" gen.py v2.mbox hundred-v2
# Each series' state by its cover letter's Message-ID, in that order.
states() {
	sqlite3 "$1/index.sqlite" "SELECT mids.mid, ss.msgs, ss.parts, ss.reviewed, ss.latest,
		ss.newest FROM series_state ss JOIN series_msgs sm ON sm.series = ss.id AND sm.part = 0
		JOIN messages m ON m.id = sm.id JOIN mids ON mids.id = m.mid ORDER BY mids.mid"
}

la index -q --data ref big big.mbox 2>ref.err
check_eq "first index (ASan): msgs, parts, reviewed, latest, newest of each version" \
	"$? $(states ref | tr '\n' ' ')" \
	"0 hundred-v1-0@big.test|101|100|99|0|2 hundred-v2-0@big.test|101|100|59|1|2 \
onetwentynine-v1-0@big.test|128|127|0|1|1 sixtyfive-v1-0@big.test|66|65|65|1|1 \
sixtyfour-v1-0@big.test|64|63|0|1|1 sixtythree-v1-0@big.test|64|63|0|1|1 "

LISTARC_BATCH=40 LISTARC_STATES_EACH_COMMIT=1 la index -q --data each big big.mbox 2>each.err
check_eq "the states made at each commit (batches of 40): the same states and walks" \
	"$? $(series_walks each | md5sum)" "0 $(series_walks ref | md5sum)"

LISTARC_TEST_STATES_TINY=1 la index -q --data tiny big big.mbox 2>tiny.err
check_eq "least bounds (one walk pending): the same states and walks" \
	"$? $(series_walks tiny | md5sum)" "0 $(series_walks ref | md5sum)"

la index -q --data app big before.mbox 2>app.err
rc=$?
v1=$(states app | grep '^hundred-v1')
la index -q --data app big v2.mbox 2>>app.err
check_eq "v2 appended by a later run: v1 latest before, superseded after; the same states" \
	"$rc $? $v1 $(states app | md5sum)" \
	"0 0 hundred-v1-0@big.test|101|100|99|1|1 $(states ref | md5sum)"

ANCHOR=${LISTARC_ANCHOR:-}
if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 2 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
"$ANCHOR" index -q --data a big big.mbox 2>a.err
check_eq "the anchor's first index: the same states and walks" \
	"$? $(series_walks a | md5sum)" "0 $(series_walks ref | md5sum)"
"$ANCHOR" index -q --data a-app big before.mbox 2>a-app.err &&
	"$ANCHOR" index -q --data a-app big v2.mbox 2>>a-app.err
check_eq "...and the anchor's append of v2" "$? $(series_walks a-app | md5sum)" \
	"0 $(series_walks app | md5sum)"
