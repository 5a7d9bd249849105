#!/usr/bin/env bash
# t8100-clients: real clients of lore's URL forms against `listarc serve`
# on a free port.  git: the seed thread's t.mbox.gz downloaded over HTTP
# holds the 7 patches in order, byte for byte, and git mailsplit and git
# mailinfo take each; a series made by git format-patch, archived and
# downloaded again, goes through `git am` to the same tree.  b4 (with
# b4.midmask at the server): `b4 mbox` and `b4 am` fetch the thread from
# listarc and make an am-ready mbox of the 7 patches.  And a thread of
# 5,000 messages streams as t.mbox.gz with the server's memory bounded.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
INDEXER=${LISTARC_RELEASE:-$LISTARC}
[ -x "$INDEXER" ] || INDEXER=$LISTARC
SEEDS=$ROOT/samples/seeds.mbox
ROOTID=155836064844.2441.10911127801797083064.stgit@localhost.localdomain
plan 48
# git and b4 read and write only here.
export HOME=$T/home XDG_CACHE_HOME=$T/home/cache XDG_DATA_HOME=$T/home/data XDG_CONFIG_HOME=$T/home/config
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_DATE="2024-01-02 03:04:05 +0000" GIT_COMMITTER_DATE="2024-01-02 03:04:05 +0000"
mkdir -p "$HOME"
git config --global user.name "Test Person"
git config --global user.email test@example.org
git config --global init.defaultBranch main

la index --data "$DATA" linux-kernel "$SEEDS" 2>/dev/null


# The seed messages' bytes (mboxrd quoting undone, the separating empty
# line dropped) in orig/N, and "N<TAB>SUBJECT" in orig.tsv.
cat >orig.py <<'EOF'
import os, re, sys
data = open(sys.argv[1], "rb").read()
starts = [m.start() for m in re.finditer(rb"^From \S+ +(\S+ +){4}\d{4}\n", data, re.M)]
os.makedirs("orig", exist_ok=True)
for i, s in enumerate(starts):
    e = starts[i + 1] if i + 1 < len(starts) else len(data)
    msg = data[data.index(b"\n", s) + 1:e]
    if msg.endswith(b"\n\n"):
        msg = msg[:-1]
    msg = re.sub(rb"^>(>*From )", rb"\1", msg, flags=re.M)
    open("orig/%d" % (i + 1), "wb").write(msg)
    subj = re.search(rb"^Subject: (.*)", msg, re.M).group(1).decode()
    print("%d\t%s" % (i + 1, subj))
EOF
"$PYTHON" orig.py "$SEEDS" >orig.tsv

start_server main --log "$T/access.log"
check "the server listens" [ -n "$PORT" ]

# ---- HTTP around the new forms ----
# status URL [CURL ARGS...]: the status code; the head in head.out.
status() {
	local url=$1
	shift
	curl -s -o body.out -D head.out -w '%{http_code}' "$@" "$url"
}
hdr() { grep -i "^$1:" head.out | head -1 | cut -d' ' -f2- | tr -d '\r'; }
for p in "/linux-kernel/$ROOTID/" "/linux-kernel/$ROOTID/T/" /linux-kernel/new.atom \
	"/api/v1/linux-kernel/$ROOTID/T/" /api/v1/; do
	status "$U$p" >/dev/null
	etag=$(hdr etag)
	if [ -n "$etag" ] && [ "$(status "$U$p" -H "If-None-Match: $etag")" = 304 ]; then
		ok "GET $p: an ETag that gives 304"
	else
		not_ok "GET $p: an ETag that gives 304"
	fi
	# (/api/v1/ of one list is too short to be worth gzip.)
	[ "$p" = /api/v1/ ] && continue
	if [ "$(status "$U$p" -H 'Accept-Encoding: gzip')" = 200 ] && [ "$(hdr content-encoding)" = gzip ] &&
		cmp -s <(gunzip -c body.out) <(la get --data "$DATA" "$p" 2>/dev/null); then
		ok "GET $p: gzip, of the bytes listarc get prints"
	else
		not_ok "GET $p: gzip, of the bytes listarc get prints"
	fi
done
status "$U/api/v1/linux-kernel/$ROOTID/T/" -H 'Accept-Encoding: gzip' >/dev/null
gunzip -c body.out >tree.json
status "$U/api/v1/" >/dev/null
cp body.out lists.json
check "the API's answers over HTTP (gunzipped) validate against docs/api.schema.json" \
	bash -c "'$PYTHON' '$ROOT/tests/apischema.py' thread tree.json && '$PYTHON' '$ROOT/tests/apischema.py' lists lists.json"
status "$U/all/$ROOTID/t.mbox.gz" >/dev/null
etag=$(hdr etag)
check_eq "t.mbox.gz has a validator too" "$(status "$U/all/$ROOTID/t.mbox.gz" -H "If-None-Match: $etag")" 304

# ---- git: the seed thread over HTTP ----
git init -q repo
curl -s -D head.out -o t.mbox.gz "$U/linux-kernel/$ROOTID/t.mbox.gz"
check "t.mbox.gz over HTTP: 200" grep -q '^HTTP/1.1 200' head.out
check "as application/gzip, not gzip-encoded (clients gunzip it themselves)" \
	bash -c "grep -qi '^content-type: application/gzip' head.out && ! grep -qi '^content-encoding' head.out"
check "a whole gzip stream" gzip -t t.mbox.gz
gunzip -c t.mbox.gz >t.mbox
mkdir split
check_eq "git mailsplit --mboxrd finds the thread's 15 messages" \
	"$(cd repo && git mailsplit --mboxrd -o../split ../t.mbox)" 15
: >subjects.txt
for f in split/*; do
	grep -m1 '^Subject: ' "$f" | cut -d' ' -f2- >>subjects.txt
done
grep -n '^\[PATCH v2 [1-7]/7\]' subjects.txt >patches.txt
check_eq "the 7 patches, in order" "$(cut -d: -f2- patches.txt | cut -c1-14 | tr '\n' ' ')" \
	"[PATCH v2 1/7] [PATCH v2 2/7] [PATCH v2 3/7] [PATCH v2 4/7] [PATCH v2 5/7] [PATCH v2 6/7] [PATCH v2 7/7] "
bad=0
badinfo=0
while IFS=: read -r k subj; do
	f=split/$(printf '%04d' "$k")
	n=$(awk -F'\t' -v s="$subj" '$2 == s { print $1; exit }' orig.tsv)
	# mailsplit keeps the From_ line and the empty line after the message.
	tail -n +2 "$f" | head -c -1 >one.eml
	cmp -s one.eml "orig/$n" || bad=$((bad + 1))
	if ! (cd repo && git mailinfo ../msg.txt ../patch.txt <"../$f" >../info.txt) ||
		! grep -qxF "Subject: ${subj#\[PATCH v2 ?/7\] }" info.txt || ! grep -q '^Author: Kirill Tkhai' info.txt ||
		! grep -q '^diff --git' patch.txt; then
		badinfo=$((badinfo + 1))
	fi
done <patches.txt
check_eq "each patch byte-identical to the message in seeds.mbox" "$bad" 0
check_eq "git mailinfo takes each: author, subject, and the diff" "$badinfo" 0

# ---- git am: a series made by git format-patch, archived, downloaded ----
git init -q src
(
	cd src
	printf 'one\ntwo\nthree\n' >file.txt
	git add file.txt
	git commit -qm "base"
	git tag base
	printf 'one\n2\nthree\n' >file.txt
	git commit -qam "change two" -m "From the start of a line, quoted in the archive." -m ">From too."
	printf 'one\n2\nthree\nfour\n' >file.txt
	printf 'new\n' >new.txt
	git add new.txt
	git commit -qam "add four and a new file"
	printf 'From here\n' >>new.txt
	git commit -qam "a line starting with From in the diff"
	git format-patch -q --thread --pretty=mboxrd --stdout base >../series.mbox
)
check_eq "git format-patch wrote 3 patches" "$(grep -c '^From [0-9a-f]\{40\} ' series.mbox)" 3
"$INDEXER" index --data "$DATA" series series.mbox 2>/dev/null
FIRST=$(sed -n 's/^Message-Id: <\(.*\)>$/\1/p' series.mbox | head -1)
curl -s -o series.gz "$U/series/$FIRST/t.mbox.gz"
git clone -q src dst
(
	cd dst
	git checkout -q base
	gunzip -c ../series.gz | git am -q --patch-format=mboxrd
) >am.out 2>&1
check "git am takes the downloaded thread" [ $? = 0 ]
check_eq "and makes the same tree" "$(git -C dst rev-parse 'HEAD^{tree}')" "$(git -C src rev-parse 'HEAD^{tree}')"
check_eq "with the same commit messages" "$(git -C dst log --format=%B base..HEAD)" \
	"$(git -C src log --format=%B base..HEAD)"

# ---- b4 ----
if command -v b4 >/dev/null 2>&1; then
	git init -q b4repo
	git -C b4repo config b4.midmask "$U/all/%s"
	git -C b4repo config b4.attestation-policy off
	mkdir out
	(cd b4repo && b4 mbox -o ../out "$ROOTID") >b4mbox.out 2>&1
	check "b4 mbox MSGID: exit 0" [ $? = 0 ]
	check "b4 fetched the thread from listarc's /all/MSGID/t.mbox.gz" \
		grep -qF "\"GET /all/$(echo "$ROOTID" | sed 's/@/%40/')/t.mbox.gz HTTP/1.1\" 200" "$T/access.log"
	check "and saved its mbox" [ -s "out/$ROOTID.mbx" ]
	mkdir b4split
	n=$(cd repo && git mailsplit -o../b4split "../out/$ROOTID.mbx")
	check "holding the cover letter and the 7 patches (and replies: $n)" \
		bash -c "[ $n -ge 8 ] && [ \$(grep -lE '^Subject: \[PATCH v2 [0-7]/7\]' b4split/* | wc -l) = 8 ]"
	(cd b4repo && b4 am -o ../out "$ROOTID") >b4am.out 2>&1
	check "b4 am MSGID: exit 0" [ $? = 0 ]
	check "b4 says: Total patches: 7" grep -q '^Total patches: 7' b4am.out
	AM=$(ls out/v2_*.mbx 2>/dev/null | head -1)
	check "b4 wrote an am-ready mbox" [ -n "$AM" ]
	mkdir amsplit
	check_eq "of 7 messages" "$(cd repo && git mailsplit -o../amsplit "../$AM")" 7
	check_eq "the 7 patches in order" \
		"$(grep -h -m1 '^Subject: ' amsplit/* | cut -c10-23 | tr '\n' ' ')" \
		"[PATCH v2 1/7] [PATCH v2 2/7] [PATCH v2 3/7] [PATCH v2 4/7] [PATCH v2 5/7] [PATCH v2 6/7] [PATCH v2 7/7] "
	bad=0
	for f in amsplit/*; do
		(cd repo && git mailinfo ../msg.txt ../patch.txt <"../$f" >/dev/null) && grep -q '^diff --git' patch.txt ||
			bad=$((bad + 1))
	done
	check_eq "each one a patch git mailinfo takes" "$bad" 0
	check "with b4's cover letter" [ -s "${AM%.mbx}.cover" ]
	# b4 am of the format-patch series, then git am of what b4 made.
	mkdir out2
	(cd b4repo && b4 am -o ../out2 "$FIRST") >b4am2.out 2>&1
	git clone -q src dst2
	(
		cd dst2
		git checkout -q base
		git am -q ../out2/*.mbx
	) >am2.out 2>&1
	check "git am takes b4's mbox of the format-patch series" [ $? = 0 ]
	check_eq "and makes the same tree" "$(git -C dst2 rev-parse 'HEAD^{tree}')" \
		"$(git -C src rev-parse 'HEAD^{tree}')"
	# A midmask of one list: b4 asks for MIDMASK/MSGID and follows the
	# redirect to the list's URL, which must be absolute.
	git -C b4repo config b4.midmask "$U/linux-kernel/%s"
	mkdir out3
	(cd b4repo && b4 mbox -C -o ../out3 "$ROOTID") >b4mbox3.out 2>&1
	check "b4 with the midmask of a list: exit 0" [ $? = 0 ]
	check "...it looked the message up there" \
		grep -qF "\"HEAD /linux-kernel/$(echo "$ROOTID" | sed 's/@/%40/') HTTP/1.1\" 301" "$T/access.log"
	check "...and saved the same thread" cmp -s "out3/$ROOTID.mbx" "out/$ROOTID.mbx"
	curl -s -I "$U/linux-kernel/$ROOTID" >redir.out
	check "/LIST/MSGID redirects to an absolute URL" \
		grep -qi "^location: $U/linux-kernel/$ROOTID/" redir.out
else
	not_ok "b4 is not installed (scripts/setup-debian installs it)"
fi
stop_server main

# ---- a thread of 5,000 messages, streamed ----
# About 55 MB of mail that gzip cannot shrink much: a server that built
# the download in memory would grow by more than that.
"$PYTHON" - <<'EOF'
import base64, random
random.seed(8100)
with open("big.mbox", "w") as f:
    for i in range(5000):
        f.write("From big@example.org Sat Mar  1 %02d:%02d:%02d 2025\n" % (i // 3600, i // 60 % 60, i % 60))
        f.write("Message-ID: <big-%d@example.org>\nFrom: Big <big@example.org>\n" % i)
        f.write("Subject: %sbig thread\n" % ("" if i == 0 else "Re: "))
        if i:
            f.write("In-Reply-To: <big-0@example.org>\n")
        f.write("\n")
        for _ in range(150):
            f.write(base64.b64encode(random.randbytes(54)).decode() + "\n")
        if i % 100 == 1:
            f.write("From a line in a body\n")
        f.write("\n")
EOF
# (Without search: full-text indexing of random text is slow, and beside
# the point here.)
"$INDEXER" index --no-search --data "$DATA" big big.mbox 2>/dev/null
RELEASE=${LISTARC_RELEASE:-}
[ -x "$RELEASE" ] || RELEASE=$LISTARC
SERVE_BIN=$RELEASE start_server big --threads 1
curl -s -o /dev/null "$U/healthz"
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$PID/status"; }
before=$(hwm)
curl -s -o big.gz "$U/big/big-0@example.org/t.mbox.gz"
after=$(hwm)
size=$(wc -c <big.gz)
check "the download is big (over 40 MB gzipped: $((size / 1000000)) MB)" [ "$size" -gt 40000000 ]
check "the server's peak memory grew by less than 24 MB (by $(((after - before) / 1024)) MB)" \
	[ $((after - before)) -lt 24576 ]
gunzip -c big.gz >big.out
check_eq "all 5,000 messages, in order" \
	"$(grep -c '^From mboxrd@z ' big.out) $(grep -m1 '^Message-ID' big.out) $(grep '^Message-ID' big.out | tail -1)" \
	"5000 Message-ID: <big-0@example.org> Message-ID: <big-4999@example.org>"
check_eq "the body lines starting with From quoted" "$(grep -c '^>From a line in a body$' big.out)" 50
rm -f big.out
stop_server big
# The same stream through the ASan build.
start_server bigasan --threads 1
curl -s -o big2.gz "$U/big/big-2@example.org/t.mbox.gz"
check "the ASan server streams the same bytes" cmp -s big.gz big2.gz
stop_server bigasan
