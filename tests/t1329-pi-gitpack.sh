#!/usr/bin/env bash
# t1329-pi-gitpack: a public-inbox inbox indexed through listarc's own
# pack reader (store/gitpack.c: pread, a bounded cache of delta bases)
# makes the same archive as through libgit2 alone (LISTARC_GITPACK=0):
# the same rows (URLs, Message-IDs, threads, blobs and offsets) and the
# same bytes of every message, thread, day, month and list page.  The
# inboxes: listarc's export of lkml.mbox (one pack), the same repacked
# with delta chains up to 250 deep, and split into many small packs
# with a few messages added as loose objects (read by libgit2: the packs
# do not hold them); with search as well, and with the first-parent
# chain read back from its file in small chunks; and inboxes public-inbox
# itself wrote (v2 and v1) if it is installed.  A pack made corrupt stops
# the run with an error naming the object, never a crash; so do commits
# whose first parents make a loop (no object's id is checked against its
# bytes).  A message's page reads its blob from the packs as well, and a
# loose object's through libgit2.
. "$(dirname "$0")/lib.sh"
N=19
plan $N
if ! have_shared; then
	skip $N "../shared/corpora is missing"
	exit 0
fi
C=$SHARED/corpora
sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$C/lkml.mbox" >lore.mbox
la index --data a --quiet --no-search lk lore.mbox
la list --data a set-address lk lk@example.org >/dev/null
la export --data a >/dev/null
IB=a/inbox/lk
G=git/0.git

# facts DIR: what a reader sees of each message, and where its bytes are.
facts() {
	index_facts "$1"
	sqlite3 "$1/index.sqlite" "SELECT day, num, file, off, len FROM messages ORDER BY day, num"
}
# both NAME INBOX [ARGS]: INBOX indexed into NAME-lg with libgit2 alone and
# into NAME-gp with the pack reader (the ASan build); one check that the
# rows are the same, one that every page is.
both() {
	local name=$1 inbox=$2
	shift 2
	LISTARC_GITPACK=0 la index --data $name-lg --quiet "$@" lk "$inbox"
	LISTARC_TEST_GITPACK_STATS=1 la index --data $name-gp --quiet "$@" lk "$inbox" 2>$name-gp.err
	facts $name-lg >$name-lg.facts
	facts $name-gp >$name-gp.facts
	# (The reader's figures: it did read the packs.)
	local used
	used=$(sed -n 's/^gitpack: .* \([0-9]*\) inflated, \([0-9]*\) deltas.*/\1 \2/p' $name-gp.err)
	check "$name: $(wc -l <$name-lg.facts) rows, the same through the pack reader ($used objects and deltas inflated) as through libgit2" \
		eval "[ \$(wc -l <$name-lg.facts) -gt 100 ] && cmp -s $name-lg.facts $name-gp.facts && [ '${used%% *}' -gt 200 ]"
	page_paths $name-lg lk >paths-$name.txt
	same_pages paths-$name.txt "$name: every page ($(wc -l <paths-$name.txt)) the same bytes" \
		$name-lg $name-gp
}

# The export as it is: one pack.
both export $IB --no-search

# Repacked with long chains of deltas (git's own choice of bases), read
# with search on.
rm -rf deep && cp -r $IB deep
git -C deep/$G repack -adfq --depth=250 --window=250
both deep deep

# The chain in chunks of 7 links, all but the newest chunk written to a
# file in the data directory and read back oldest first (ingest/chain.h),
# through a ring of 3 slots: the same archive again.
LISTARC_TEST_GIT_CHAIN=7 LISTARC_TEST_GIT_RING=3 LISTARC_TEST_GITPACK_STATS=1 \
	la index --data deep-ch --quiet lk deep 2>deep-ch.err
facts deep-ch >deep-ch.facts
read -r links spooled reads inmem < <(sed -n 's/^chain: \([0-9]*\) links, \([0-9]*\) spooled, \([0-9]*\) chunks read back, \([0-9]*\) in memory$/\1 \2 \3 \4/p' deep-ch.err)
check "deep, the chain ($links links) in chunks of 7: $spooled links spooled, $reads chunks read back once each, the same rows" \
	eval "[ '${links:-0}' -gt 100 ] && [ '$spooled' = $(((${links:-1} - 1) / 7 * 7)) ] && [ '$reads' = $(((${links:-1} - 1) / 7)) ] && [ '$inmem' = 0 ] && cmp -s deep-lg.facts deep-ch.facts"
same_pages paths-deep.txt "deep, the chain in chunks of 7: every page the same bytes" deep-lg deep-ch

# Many packs (the history cut in 5), and the last 5 messages as loose
# objects (their objects in no pack: libgit2 reads them).
rm -rf many && cp -r $IB many
MG=many/$G
git -C $MG rev-list --reverse master >order.txt
total=$(wc -l <order.txt)
cut=$((total - 5))
last=$(sed -n "${cut}p" order.txt)
prev=
for k in 1 2 3 4 5; do
	to=$(sed -n "$((k * cut / 5))p" order.txt)
	(cd $MG && git rev-list --objects $to ${prev:+^$prev} |
		git pack-objects -q --delta-base-offset objects/pack/pack >/dev/null)
	prev=$to
done
(cd $MG && git rev-list --objects master "^$last" | git pack-objects -q --stdout >"$T/tail.pack")
for p in $IB/$G/objects/pack/pack-*.pack; do
	rm -f $MG/objects/pack/$(basename "$p" .pack).*
done
git -C $MG unpack-objects -q <tail.pack
packs=$(ls $MG/objects/pack/*.pack | wc -l)
loose=$(find $MG/objects/?? -type f 2>/dev/null | wc -l)
check "many: $packs packs and $loose loose objects, every object there" \
	eval "[ $packs = 5 ] && [ $loose -ge 15 ] && git -C $MG fsck --connectivity-only 2>/dev/null"
both many many --no-search

# A message's page reads its blob from the packs (store/git.c: libgit2,
# in listarc-ext.so, is not loaded), a loose one's through libgit2; every
# page the same as with libgit2 alone (LISTARC_GITPACK=0).
LISTARC_GITPACK=0 "$RELEASE" get --data many-gp --batch pages-many-lg0 <paths-many.txt >pages-many-lg0.txt 2>/dev/null
same_files "many: every page ($(wc -l <paths-many.txt)) the same with the blobs read by libgit2 alone" pages-many-gp.txt pages-many-lg0.txt
check "many: ... byte for byte" diff -rq pages-many-gp pages-many-lg0
# url_of BLOB: the URL of the message whose blob is BLOB, in many-gp.
url_of() {
	sqlite3 many-gp/index.sqlite "SELECT '/lk/' || substr(day, 1, 4) || '/' || substr(day, 5, 2) || '/' ||
		substr(day, 7, 2) || '/' || num FROM messages WHERE file = '0/$1'"
}
loose_blob=$(git -C $MG rev-parse master:m)
packed_blob=$(git -C $MG rev-parse "$last:m")
loose_url=$(url_of $loose_blob)
packed_url=$(url_of $packed_blob)
git -C $MG cat-file blob $loose_blob | sed -n 's/^Message-I[Dd]: *<\(.*\)>.*/\1/p' | head -1 >loose.mid
git -C $MG cat-file blob $packed_blob | sed -n 's/^Message-I[Dd]: *<\(.*\)>.*/\1/p' | head -1 >packed.mid
LD_DEBUG=files "$RELEASE" get --data many-gp "$packed_url" >packed.html 2>packed.ld
LD_DEBUG=files "$RELEASE" get --data many-gp "$loose_url" >loose.html 2>loose.ld
check "many: a packed message's page ($packed_url) holds its message, read without loading libgit2" \
	eval "[ -s packed.mid ] && grep -qF \"\$(sed 's/@.*//' packed.mid)\" packed.html && ! grep -q 'file=libgit2' packed.ld"
check "many: a loose message's page ($loose_url) holds its message, read through libgit2" \
	eval "[ -s loose.mid ] && grep -qF \"\$(sed 's/@.*//' loose.mid)\" loose.html && grep -q 'file=libgit2' loose.ld"

# The server's render thread keeps a repository's packs open with their
# bases (store/git.c) if it has at most 4 (GITPACK_PAGE_PACKS), else opens
# them for each page; a repository repacked since (its packs replaced) is
# opened again and the packs of before let go.  The same pages all along.
# packs_held: the server's descriptors of the inbox's packs ("N M": open,
# of them deleted).
packs_held() {
	local fds
	fds=$(ls -l /proc/$PID/fd 2>/dev/null | grep "$T/$MG/objects/pack/")
	echo "$(grep -c . <<<"$fds") $(grep -c '(deleted)' <<<"$fds")"
}
pages_now() {
	curl -s "$U$packed_url" >srv-packed$1.html
	curl -s "$U$loose_url" >srv-loose$1.html
}
DATA=many-gp start_server many --cache-mb 0 --threads 1
pages_now 1
held1=$(packs_held)
git -C $MG repack -adq
pages_now 2
held2=$(packs_held)
git -C $MG repack -adfq --depth=7 --window=7
pages_now 3
held3=$(packs_held)
check "server: a packed and a loose message's pages, the same with 5 packs and loose objects, after a repack into one pack and after another" \
	eval "grep -qF \"\$(sed 's/@.*//' packed.mid)\" srv-packed1.html && grep -qF \"\$(sed 's/@.*//' loose.mid)\" srv-loose1.html && cmp -s srv-packed1.html srv-packed2.html && cmp -s srv-loose1.html srv-loose2.html && cmp -s srv-packed1.html srv-packed3.html && cmp -s srv-loose1.html srv-loose3.html"
check_eq "server: 5 packs not kept open; one pack kept (its .pack and .idx); after the second repack, the new one kept and none of before (descriptors, deleted)" \
	"$held1 / $held2 / $held3" "0 0 / 2 0 / 2 0"
stop_server many

# public-inbox's own inboxes, v2 and v1 (its fast-import packs).
if have_public_inbox; then
	export HOME=$T PI_CONFIG=$T/pi.config
	public-inbox-init -V2 -L basic pi2 "$T/pi2" http://example.org/pi2 pi2@example.org 2>>pi.err
	"$ROOT/bench/pi-import" v2 pi2 lore.mbox >/dev/null 2>>pi.err
	LISTARC_GITPACK=0 la index --data pi2-lg --quiet lk pi2
	la index --data pi2-gp --quiet lk pi2
	facts pi2-lg >pi2-lg.facts
	facts pi2-gp >pi2-gp.facts
	check "public-inbox v2: $(wc -l <pi2-lg.facts) rows, the same through the pack reader" \
		eval "[ \$(wc -l <pi2-lg.facts) -gt 100 ] && cmp -s pi2-lg.facts pi2-gp.facts"
else
	skip 1 "$SKIP_PI"
fi

# A pack made corrupt: a byte of a blob's zlib data flipped.  The run stops
# with an error naming the blob (the object's place in the pack checked
# by zlib), and no crash.
rm -rf bad && cp -r $IB bad
p=$(ls "$T"/bad/$G/objects/pack/pack-*.pack)
blob=$(git -C bad/$G rev-parse master:m)
off=$(git -C bad/$G verify-pack -v "${p%.pack}.idx" | awk -v b=$blob '$1 == b {print $5}')
"$PYTHON" - "$p" "$off" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2]) + 8
with open(p, 'r+b') as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 0x5a]))
PY
la index --data bad-gp --quiet --no-search lk bad >bad.out 2>&1
rc=$?
check "a corrupt blob in the pack: the run fails (exit $rc) naming it, no crash" \
	eval "[ $rc != 0 ] && [ $rc -lt 128 ] && grep -q 'blob $blob' bad.out && ! grep -q 'Sanitizer' bad.out"

# Commits whose first parents make a loop: a pack added to the export
# holding made-up ids (no object's id is checked against its bytes) whose
# commits name each other: the tip X, then Y, Z, Y, ...  The chain is read
# from the commits (no commit-graph): the run stops with an error naming
# the loop, where it would have read the loop for ever.
rm -rf loop && cp -r $IB loop
tree=$(git -C loop/$G rev-parse 'master^{tree}')
"$PYTHON" - "$T/loop/$G" "$tree" <<'PY'
import hashlib, struct, sys, zlib
repo, tree = sys.argv[1], sys.argv[2]
ids = {k: bytes([b]) * 20 for k, b in (('x', 0x11), ('y', 0x22), ('z', 0x33))}
parent = {'x': 'y', 'y': 'z', 'z': 'y'}
objs = []
for k in 'xyz':
    body = ('tree %s\nparent %s\nauthor a <a@b> 1 +0000\ncommitter a <a@b> 1 +0000\n\nloop\n'
            % (tree, ids[parent[k]].hex())).encode()
    objs.append((ids[k], body))
pack = bytearray(b'PACK' + struct.pack('>II', 2, len(objs)))
offs = {}
for oid, body in objs:
    offs[oid] = len(pack)
    n = len(body)
    h = [(1 << 4) | (n & 15)]
    n >>= 4
    while n:
        h[-1] |= 0x80
        h.append(n & 0x7f)
        n >>= 7
    pack += bytes(h) + zlib.compress(body)
pack += hashlib.sha1(pack).digest()
order = sorted(offs)
idx = bytearray(b'\xfftOc' + struct.pack('>I', 2))
for b in range(256):
    idx += struct.pack('>I', sum(1 for o in order if o[0] <= b))
for o in order:
    idx += o
for o in order:
    idx += struct.pack('>I', 0)
for o in order:
    idx += struct.pack('>I', offs[o])
idx += pack[-20:]
idx += hashlib.sha1(idx).digest()
name = '%s/objects/pack/pack-%s' % (repo, pack[-20:].hex())
open(name + '.pack', 'wb').write(pack)
open(name + '.idx', 'wb').write(idx)
open(repo + '/refs/heads/master', 'w').write(ids['x'].hex() + '\n')
PY
rm -f loop/$G/packed-refs.lock
la index --data loop-gp --quiet --no-search lk loop >loop.out 2>&1
rc=$?
check "commits whose first parents loop: the run fails (exit $rc) naming the loop, no crash" \
	eval "[ $rc != 0 ] && [ $rc -lt 128 ] && grep -q 'first parents make a loop' loop.out && ! grep -q 'Sanitizer' loop.out"
