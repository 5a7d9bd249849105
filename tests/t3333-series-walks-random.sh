#!/usr/bin/env bash
# t3333-series-walks-random: random growth of an archive of patch series
# whose walks cross (docs/series.md, "State": the walks kept in
# series_walk).  For each of three seeds a corpus is made of series that
# share patches across names and authors' names, b4 change-ids, a name
# of 200 one-patch series (so that a name's 64 nearest are not all of
# it), cover letters after their patches and lower patches late
# (renames), and reviews.  A fifth of it is indexed at once, the rest
# appended in random chunks, each indexed in random batches
# (LISTARC_STATES_EACH_COMMIT=1), with messages hidden and shown again
# between.  At each checkpoint a copy of the index has every state and
# walk made again (the fill, as after an upgrade): the states and the
# walks kept must be those the commits left.  At the end the walks
# table is dropped (an index made before it) and the next writer fills
# it the same.
. "$(dirname "$0")/lib.sh"
plan 6
"$PYTHON" - <<'EOF'
import email.utils, random

def corpus(seed):
    rnd = random.Random(seed)
    t = [1764590400]
    out = []
    who = ['Pat Person <pat@example.org>', 'Oda Other <oda@example.org>']
    diffs = ['d%d' % i for i in range(60)]
    nmid = [0]

    def msg(subj, body, parent=None, frm=None):
        t[0] += rnd.randint(60, 4 * 3600)
        nmid[0] += 1
        mid = 'm%d-%d' % (seed, nmid[0])
        h = ('From x@example.org Mon Dec  1 12:00:00 2025\nFrom: %s\nDate: %s\n'
             'Message-ID: <%s@rnd.test>\nSubject: %s\n') % (
            frm or who[0], email.utils.formatdate(t[0]), mid, subj)
        if parent:
            h += 'In-Reply-To: <%s@rnd.test>\nReferences: <%s@rnd.test>\n' % (parent, parent)
        return mid, (h + '\n' + body + '\n').encode()

    def patch(d):
        return ('Change %s.\n\nSigned-off-by: Pat Person <pat@example.org>\n---\n %s.c | 1 +\n\n'
                'diff --git a/%s.c b/%s.c\n--- a/%s.c\n+++ b/%s.c\n@@ -1,1 +1,2 @@\n line\n+%s\n'
                % (d, d, d, d, d, d, d))

    items = []  # (order key, message bytes, mid, subject) in posting order
    names = ['misc: gizmo', 'misc: widget', 'net: frob', 'mm: reclaim', 'fs: knob']
    for i in range(200):  # one dense name
        v = rnd.randint(1, 4)
        vv = '' if v == 1 else ' v%d' % v
        frm = who[rnd.random() < 0.3]
        subj = '[PATCH%s] misc: fix typo' % vv
        mid, b = msg(subj, patch(rnd.choice(diffs)), frm=frm)
        items.append((mid, b, subj))
    for i in range(36):  # series of a few names, versions, shared patches
        name = rnd.choice(names)
        v = rnd.randint(1, 6)
        vv = '' if v == 1 else ' v%d' % v
        n = rnd.randint(1, 3)
        frm = who[rnd.random() < 0.2]
        change = ''
        if rnd.random() < 0.4:
            change = 'change-id: 2025120%d-x-%d\n' % (rnd.randint(1, 3), rnd.randint(1, 3))
        cover_subj = '[PATCH%s 0/%d] %s' % (vv, n, name)
        cmid, cb = msg(cover_subj, 'Cover.\n' + change, frm=frm)
        parts = []
        for k in range(1, n + 1):
            pname = name if rnd.random() < 0.5 else rnd.choice(names)
            subj = '[PATCH%s %d/%d] %s part %d' % (vv, k, n, pname, k)
            mid, b = msg(subj, patch(rnd.choice(diffs)), cmid, frm=frm)
            parts.append((mid, b, subj))
        if rnd.random() < 0.3:
            parts.reverse()  # the lowest last: a rename
        seq = [(cmid, cb, cover_subj)] + parts
        if rnd.random() < 0.3:
            seq = parts + [(cmid, cb, cover_subj)]  # the cover letter last
        items.extend(seq)
    # The dense name's series interleaved with the others, in order.
    dense, rest = items[:200], items[200:]
    items = []
    while dense or rest:
        src = dense if dense and (not rest or rnd.random() < 0.6) else rest
        items.append(src.pop(0))
    # Reviews of earlier patches, spread through.
    for i in range(40):
        at = rnd.randint(1, len(items) - 1)
        pmid, _, psubj = items[rnd.randint(0, at - 1)]
        mid, b = msg('Re: ' + psubj, '> x\n\nReviewed-by: Rita <rita@example.org>\n', pmid,
                     'Rita <rita@example.org>')
        items.insert(at, (mid, b, 'Re: ' + psubj))
    # Some shuffling within small windows (mail arrives out of order).
    for i in range(len(items) - 1):
        if rnd.random() < 0.2:
            items[i], items[i + 1] = items[i + 1], items[i]
    return items

for seed in (1, 2, 3):
    items = corpus(seed)
    with open('corpus%d.mbox' % seed, 'wb') as f:
        f.write(b''.join(b for _, b, _ in items))
    with open('patches%d.txt' % seed, 'w') as f:
        for mid, _, subj in items:
            if subj.startswith('[PATCH'):
                f.write(mid + '\n')
EOF

froms() { grep -b '^From ' "$1" | cut -d: -f1; }
# walks DIR: DIR's states and walks kept, each in order.
walks() {
	sqlite3 "$1/index.sqlite" "SELECT * FROM series_state ORDER BY id" >"$1.st"
	sqlite3 "$1/index.sqlite" "SELECT 'm', start, hex(members) FROM series_walk_members ORDER BY start;
		SELECT 's', member, hex(starts) FROM series_walk_starts ORDER BY member" >"$1.wk"
}
# refill DIR REF: REF a copy of DIR with every state and walk made again.
refill() {
	rm -rf "$2"
	cp -r "$1" "$2"
	sqlite3 "$2/index.sqlite" "UPDATE meta SET value = '0' WHERE key = 'series_state'"
	"$RELEASE" index -q --data "$2" gen >>"$2.err" 2>&1
}
for seed in 1 2 3; do
	RANDOM=$seed
	mb=corpus$seed.mbox
	size=$(wc -c <"$mb")
	froms "$mb" >offs$seed
	n=$(wc -l <offs$seed)
	d=arc$seed
	mkdir -p "$d"
	at=$((n / 5))
	head -c "$(sed -n "$((at + 1))p" offs$seed)" "$mb" >grow$seed.mbox
	"$RELEASE" index -q --data "$d" gen "$PWD/grow$seed.mbox" 2>"$d.err"
	bad="" steps=0 checks=0 hidden=""
	while [ "$at" -lt "$n" ]; do
		at=$((at + 1 + RANDOM % 25))
		if [ "$at" -ge "$n" ]; then at=$n end=$size; else end=$(sed -n "$((at + 1))p" offs$seed); fi
		have=$(wc -c <grow$seed.mbox)
		tail -c +"$((have + 1))" "$mb" | head -c "$((end - have))" >>grow$seed.mbox
		LISTARC_STATES_EACH_COMMIT=1 LISTARC_BATCH=$((1 + RANDOM % 7)) \
			"$RELEASE" index -q --data "$d" gen >>"$d.err" 2>&1 || bad="$bad index:$?"
		steps=$((steps + 1))
		# A message of a series hidden, or the one hidden shown again.
		if [ $((RANDOM % 3)) = 0 ]; then
			if [ -n "$hidden" ]; then
				"$RELEASE" unhide --data "$d" gen "<$hidden>" >/dev/null 2>>"$d.err" ||
					bad="$bad unhide"
				hidden=""
			else
				hidden=$(sqlite3 "$d/index.sqlite" "SELECT mids.mid FROM series_msgs sm JOIN messages m
					ON m.id = sm.id JOIN mids ON mids.id = m.mid ORDER BY sm.id
					LIMIT 1 OFFSET $RANDOM % (SELECT count(*) FROM series_msgs)")
				"$RELEASE" hide --data "$d" gen "<$hidden>" --reason t >/dev/null 2>>"$d.err" ||
					bad="$bad hide"
			fi
		fi
		if [ $((steps % 4)) = 0 ] || [ "$at" -ge "$n" ]; then
			checks=$((checks + 1))
			refill "$d" ref$seed || bad="$bad refill"
			walks "$d"
			walks ref$seed
			cmp -s "$d.st" ref$seed.st || bad="$bad states@$at"
			cmp -s "$d.wk" ref$seed.wk || bad="$bad walks@$at"
		fi
	done
	check_eq "seed $seed: $n messages in $steps appends, $checks checkpoints ($(wc -l <$d.st) states, $(wc -l <$d.wk) walk rows kept): the states and walks kept are those made again" \
		"${bad:-same}" "same"
done

# An index made when the walks were kept as rows of their far members
# (series_walk, meta.series_walk = 1 and the schema's text of then): the
# next writer fills the sets, and drops the old table.
cp -r arc1 old
sqlite3 old/index.sqlite "DROP TABLE series_walk_members; DROP TABLE series_walk_starts;
	CREATE TABLE series_walk(member INTEGER NOT NULL, start INTEGER NOT NULL,
		PRIMARY KEY(member, start)) WITHOUT ROWID;
	INSERT INTO series_walk VALUES(1, 2);
	UPDATE meta SET value = '0123456789abcdef' WHERE key = 'schema_sql'"
"$RELEASE" index -q --data old gen >old.err 2>&1
ok_old=$?
walks old
check_eq "an index of the far walks' rows: the next writer fills the sets as the fill makes them" \
	"$ok_old $(cmp -s old.wk ref1.wk && echo same-walks) $(cmp -s old.st ref1.st && echo same-states) $(sqlite3 old/index.sqlite "SELECT count(*) FROM sqlite_schema WHERE name = 'series_walk'")" \
	"0 same-walks same-states 0"
# A reader of it (no writer since) serves the series pages as before.
cp -r arc1 old2
sqlite3 old2/index.sqlite "DROP TABLE series_walk_members; DROP TABLE series_walk_starts;
	DELETE FROM meta WHERE key IN ('series_walk', 'schema_sql')"
printf '%s\n' /gen/series/ '/api/v1/gen/series/?limit=200' >paths
DATA=arc1 getall a1 <paths
DATA=old2 getall o2 <paths
check_eq "a reader of an index without series_walk: the list of series as before" \
	"$(diff -r a1 o2 >/dev/null && echo same) $(cat o2/* | wc -c | awk '$1 > 1000 {print "pages"}')" "same pages"
# Walks kept at all: the far members of some walk (not every member of
# these walks is of its start's own name).
check_eq "some walks keep far members" \
	"$(sqlite3 arc1/index.sqlite 'SELECT count(*) > 0 FROM series_walk_starts')" 1
