#!/usr/bin/env bash
# t6017-plain-messages: a message of one text/plain part is shown without
# GMime's tree (render/mime.c's plain messages, its reply addresses read
# from simple address lists), and every page is byte for byte the page
# GMime's tree makes (LISTARC_MIME_GMIME=1): every page a crawl from the
# site index reaches, of an archive of the corpora (samples/, and with
# ../shared: edge/, notmuch.mbox, peers/, the pipermail month files).
# Every message of those sources, alone, walks to the same blocks and
# reply addresses both ways (fuzz_mime's check, replayed under
# ASan+UBSan).  The crawls use the release build ($RELEASE): the pages
# are its pages, and two crawls of the ASan build take minutes.
. "$(dirname "$0")/lib.sh"
plan 7
DATA=$T/arc
C=$SHARED/corpora

corpus_mboxes src
bad=0
for mb in src/*.mbox; do
	la index -q --data "$DATA" "$(basename "$mb" .mbox)" "$mb" 2>>err.txt || bad=$((bad + 1))
done
if have_shared && [ -d "$C/pipermail/xepersian-development" ]; then
	la index -q --data "$DATA" xp "$C"/pipermail/xepersian-development/*.txt 2>>err.txt ||
		bad=$((bad + 1))
fi
check_eq "every source indexes" "$bad" 0

# Each message of the sources as a file of its own (From_ lines dropped,
# mboxrd quoting undone).
mkdir msgs
"$PYTHON" - src/*.mbox $(have_shared && ls "$C"/pipermail/xepersian-development/*.txt) <<'EOF'
import re, sys
n = 0
for f in sys.argv[1:]:
    for p in re.split(rb'(?m)^From [^\n]*\n', open(f, 'rb').read()):
        if p.strip():
            n += 1
            open('msgs/%05d' % n, 'wb').write(re.sub(rb'(?m)^>(>*From )', rb'\1', p))
EOF
n=$(ls msgs | wc -l)
# (samples/ alone: 246; with ../shared's corpora: about 890.)
least=200
have_shared && least=800
check "... the sources are $n messages (more than $least)" [ "$n" -gt "$least" ]
R=$ROOT/build/asan/replay_mime
if [ -x "$R" ] && "$R" msgs >replay.out 2>replay.err && grep -qx "ok - replayed $n inputs" replay.out; then
	ok "every message walks to the same blocks and reply addresses with and without GMime's tree"
else
	not_ok "every message walks to the same blocks and reply addresses with and without GMime's tree"
	grep -E 'differs|ERROR|SUMMARY' replay.err | head -5 | sed 's/^/# /'
fi

"$PYTHON" "$ROOT/tests/spider.py" "$RELEASE" "$DATA" plain 2>crawl.err
check "crawled the archive" [ $? -eq 0 ]
check "... more than 1000 pages" [ "$(wc -l <plain.paths)" -gt 1000 ]
LISTARC_MIME_GMIME=1 "$PYTHON" "$ROOT/tests/spider.py" "$RELEASE" "$DATA" gmime 2>>crawl.err
check "crawled it again with GMime's tree for every message" [ $? -eq 0 ]
if cmp -s plain.paths gmime.paths && cmp -s plain.txt gmime.txt && diff -r plain gmime >crawl.diff; then
	ok "every page is byte for byte the page GMime's tree makes ($(wc -l <plain.paths) pages)"
else
	not_ok "every page is byte for byte the page GMime's tree makes"
	awk 'NR == FNR { p[$1] = $4; next } /^diff/ { n = $NF; sub(".*/", "", n); print "#   differs: " p[n] }' \
		plain.txt crawl.diff | head -10
fi
