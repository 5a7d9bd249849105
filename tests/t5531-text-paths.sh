#!/usr/bin/env bash
# t5531-text-paths: a message's search text is the same whichever way it
# is read.  The indexer reads a message of one text/plain part in
# quoted-printable or base64 with GMime's decoder alone, and gives
# GMime's parser only the Content-* fields (then the body) of any other
# message that is not plain (msg/text.c); the reference
# (tests/drv_text -g) reads both with GMime's parser over the whole
# message, as before.  For every message of samples/ and ../shared's
# corpora (lkml, notmuch, seeds, edge/, peers/) and of a generated
# corpus of 10,000 (gen-corpus.py, seed 7) and of 9,000 messages of
# random MIME shapes (tests/mkmime.py), the summary, every field of
# the search text (quoted, not quoted, the diffs' parts, file names,
# attachment names, List-Id, patch ids) and the prepared search row
# must be the reference's.  With $LISTARC_ANCHOR (`make check-anchor`),
# the same corpora indexed by the anchor and by this build give the
# same rows (summaries) and the same words at the same places.
. "$(dirname "$0")/lib.sh"
plan 6
ANCHOR=${LISTARC_ANCHOR:-}
DRV=$ROOT/build/asan/drv_text
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 6 "$SKIP_SHARED"
	exit 0
fi

corpus_mboxes src
cp "$SHARED/corpora/lkml.mbox" src/shared-lkml.mbox
cp "$SHARED/corpora/notmuch.mbox" src/shared-notmuch.mbox
cp "$SHARED/corpora/seeds.mbox" src/shared-seeds.mbox
"$PYTHON" "$GEN" 10000 gen.mbox 7 >/dev/null 2>&1

"$DRV" src/*.mbox >new.txt 2>new.err && "$DRV" -g src/*.mbox >ref.txt 2>ref.err
check_eq "the corpora read both ways: exit 0" "$?" 0
n=$(wc -l <ref.txt)
enc=$(cat src/*.mbox | grep -ciE '^content-transfer-encoding: *(quoted-printable|base64)')
multi=$(cat src/*.mbox | grep -ciE '^content-type: *multipart/')
if cmp -s new.txt ref.txt; then
	ok "the corpora's $n messages ($enc quoted-printable or base64 parts, $multi multiparts): summaries, search texts and rows are the reference's"
else
	not_ok "the corpora's $n messages: summaries, search texts and rows are the reference's"
	diff ref.txt new.txt | head -20 | sed 's/^/# /'
fi

"$DRV" gen.mbox >gnew.txt 2>gnew.err && "$DRV" -g gen.mbox >gref.txt 2>gref.err
gn=$(wc -l <gref.txt)
check_eq "a generated corpus of $gn messages read both ways: exit 0" "$?" 0
if [ "$gn" = 10000 ] && cmp -s gnew.txt gref.txt; then
	ok "its 10,000 messages: summaries, search texts and rows are the reference's"
else
	not_ok "its 10,000 messages ($gn): summaries, search texts and rows are the reference's"
	diff gref.txt gnew.txt | head -20 | sed 's/^/# /'
fi

for s in 1 2 3; do "$PYTHON" "$ROOT/tests/mkmime.py" $s 3000; done >shapes.mbox
"$DRV" shapes.mbox >snew.txt 2>snew.err && "$DRV" -g shapes.mbox >sref.txt 2>sref.err
sn=$(wc -l <sref.txt)
if [ "$sn" = 9000 ] && cmp -s snew.txt sref.txt; then
	ok "9,000 messages of random MIME shapes: summaries, search texts and rows are the reference's"
else
	not_ok "9,000 messages of random MIME shapes ($sn): summaries, search texts and rows are the reference's"
	diff sref.txt snew.txt | head -20 | sed 's/^/# /'
fi

if [ -n "$ANCHOR" ] && [ -x "$ANCHOR" ]; then
	rows() {
		index_rows "$1"
		echo "== fts"
		fts_vocab "$1"
	}
	"$ANCHOR" index -q --data A l src/*.mbox 2>A.err && "$ANCHOR" index -q --data A g gen.mbox 2>>A.err
	"$RELEASE" index -q --data B l src/*.mbox 2>B.err && "$RELEASE" index -q --data B g gen.mbox 2>>B.err
	rows A >rows-A.txt
	rows B >rows-B.txt
	if [ -s rows-A.txt ] && cmp -s rows-A.txt rows-B.txt; then
		ok "the anchor's archive of the same corpora: every row (summaries), every word at every place"
	else
		not_ok "the anchor's archive of the same corpora: every row, every word at every place"
		diff rows-A.txt rows-B.txt | head -10 | sed 's/^/# /'
	fi
else
	skip 1 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
fi
