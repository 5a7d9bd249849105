#!/usr/bin/env bash
# t1323-pi-corpora: the corpora of ../shared (lkml.mbox, notmuch.mbox and
# the messages of edge/) written into public-inbox v2 and v1 inboxes by
# public-inbox itself (bench/pi-import), indexed by listarc, and compared
# page by page with the archive listarc makes from the same mail as an
# mbox.  public-inbox keeps what it accepts, as it accepts it (a message
# whose Message-ID it has seen with other content gets a new one in v2,
# is dropped in v1; a few headers go), so the mbox is made from each
# inbox's blobs, in its commits' order, with lore's placeholder From_
# lines: the same mail, through listarc's mbox path.  Checked per corpus: the same URLs,
# Message-IDs and threads, and the same bytes of every message page,
# thread page, day, month and list page.  edge/ messages whose Date: has
# no year are left out: a message without a usable date takes the one
# before it, or its source's (the mbox file's time, the commit's), which
# differ by source.  Skipped without public-inbox or ../shared.
. "$(dirname "$0")/lib.sh"
N=15
plan $N
if ! have_public_inbox; then
	skip $N "$SKIP_PI"
	exit 0
fi
if ! have_shared; then
	skip $N "../shared/corpora is missing"
	exit 0
fi
export HOME=$T PI_CONFIG=$T/pi.config
C=$SHARED/corpora
PI_IMPORT=$ROOT/bench/pi-import
sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$C/lkml.mbox" >lkml.mbox
sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$C/notmuch.mbox" >notmuch.mbox
# edge/: one message a file (a From_ line some were saved with dropped),
# in name order, as an mboxrd.
"$PYTHON" - "$C/edge" edge.mbox <<'PY'
import os, re, sys
d, out = sys.argv[1], sys.argv[2]
with open(out, 'wb') as o:
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if not os.path.isfile(p):
            continue
        b = open(p, 'rb').read().replace(b'\r\n', b'\n')
        if b.startswith(b'From '):
            b = b.split(b'\n', 1)[1]  # a file saved with its mbox From_ line
        head = b.split(b'\n\n', 1)[0]
        m = re.search(rb'(?mi)^date:(.*(?:\n[ \t].*)*)', head)
        if not m or not re.search(rb'\b(19|20)\d\d\b', m.group(1)):
            continue
        b = re.sub(rb'(?m)^(>*From )', rb'>\1', b)
        o.write(b'From mboxrd@z Thu Jan  1 00:00:00 1970\n' + b + (b'' if b.endswith(b'\n') else b'\n') + b'\n')
PY
# An inbox's blobs (v2: an epoch's), oldest first, as an mboxrd with
# lore's From_ lines.
blobs_mbox() { "$PYTHON" "$ROOT/tests/piblobs.py" "$1" "$2"; }

for c in lkml notmuch edge; do
	given=$(grep -c '^From mboxrd@z ' $c.mbox)
	public-inbox-init -V2 -L basic $c-2 "$T/$c-v2" http://example.org/$c-2 $c-2@example.org 2>>pi.err
	public-inbox-init -V1 -L basic $c-1 "$T/$c-v1" http://example.org/$c-1 $c-1@example.org 2>>pi.err
	"$PI_IMPORT" v2 $c-2 $c.mbox >/dev/null 2>>pi.err
	"$PI_IMPORT" v2 $c-1 $c.mbox >/dev/null 2>>pi.err
	kept=$(git -C $c-v2/git/0.git rev-list --count HEAD)
	kept1=$(git -C $c-v1 rev-list --count HEAD)
	blobs_mbox $c-v2/git/0.git $c-ref.mbox
	blobs_mbox $c-v1 $c-ref1.mbox
	la index --data ref-$c --quiet t $c-ref.mbox
	la index --data ref1-$c --quiet t $c-ref1.mbox
	la index --data g2-$c --quiet t $c-v2
	la index --data g1-$c --quiet t $c-v1
	index_facts ref-$c >ref.facts
	index_facts ref1-$c >ref1.facts
	index_facts g2-$c >g2.facts
	index_facts g1-$c >g1.facts
	check "$c: public-inbox kept $kept (v2) and $kept1 (v1) of $given messages; indexed: the same URLs, Message-IDs and threads as the mbox's archive" \
		sh -c "[ $kept1 -ge $((given * 4 / 5)) ] && [ \$(wc -l <ref.facts) = $kept ] && [ \$(wc -l <ref1.facts) = $kept1 ] && cmp -s ref.facts g2.facts && cmp -s ref1.facts g1.facts"
	page_paths ref-$c t >paths-$c.txt
	page_paths ref1-$c t >paths1-$c.txt
	for d in ref g2; do DATA=$T/$d-$c getall "pages-$d-$c" <paths-$c.txt; done
	for d in ref1 g1; do DATA=$T/$d-$c getall "pages-$d-$c" <paths1-$c.txt; done
	check "$c: $(wc -l <paths-$c.txt) pages answer 200 from the v2 inbox" \
		[ "$(awk '$2 != 200' pages-g2-$c.txt | wc -l)" = 0 ]
	check "$c: ...every page the same bytes as from the mbox (v2)" diff -r -q pages-ref-$c pages-g2-$c
	check "$c: ...and from the v1 inbox ($(wc -l <paths1-$c.txt) pages)" diff -r -q pages-ref1-$c pages-g1-$c
	check_eq "$c: ...and a rerun over the inbox indexes nothing" \
		"$(la index --data g2-$c t $c-v2 2>&1 | grep -c '^t: 0 messages indexed')" 1
done
