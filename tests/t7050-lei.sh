#!/usr/bin/env bash
# t7050-lei: lei (public-inbox's local email interface) uses listarc as a
# remote external: `lei q -I URL/LIST/ -o mboxrd:OUT QUERY` POSTs
# /LIST/?x=m&q=QUERY (with &t=1 for whole threads) and reads the gzipped
# mboxrd.  For each query, the Message-IDs lei writes are exactly those
# `listarc search` finds.  Also: x=m by GET and POST give the same bytes,
# and POST is refused everywhere else.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
LEI_STOP=
at_exit '[ -n "$LEI_STOP" ] && lei daemon-kill >/dev/null 2>&1'
plan 31
lei_home
la index -q --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox"
la index -q --data "$DATA" lkml "$ROOT/samples/lkml.mbox"

start_server serve --log "$T/access.log"
check "the server listens" [ -n "$PORT" ]

# ---- x=m by POST, as lei and public-inbox do it ----
Q='f%3Aktkhai+d%3A2019-05-20..2019-05-21'
curl -s -o get.gz -w '%{http_code}' "$U/linux-kernel/?q=$Q&x=m" >get.code
curl -s -o post.gz -D post.head -w '%{http_code}' -d '' "$U/linux-kernel/?x=m&q=$Q" >post.code
check_eq "POST ?x=m&q=: 200" "$(cat post.code)" 200
check "the same gzipped mbox as GET" cmp -s get.gz post.gz
check_eq "POST of a search page (no x=m): 405" \
	"$(curl -s -o /dev/null -D h405 -w '%{http_code}' -d '' "$U/linux-kernel/?q=$Q")" 405
check "Allow: GET, HEAD (POST is for x=m only)" grep -qi '^allow: GET, HEAD.$' h405
# Within one thread (POST /LIST/MSGID/?x=m, as b4 asks): the thread's
# matches only.
TM=155836081774.2441.16449538600904205092.stgit@localhost.localdomain
curl -s -o tpost.gz -w '%{http_code}' -d '' "$U/linux-kernel/$TM/?x=m&q=d%3A2019-05-21.." >tpost.code
check_eq "POST /LIST/MSGID/?x=m&q=: 200" "$(cat tpost.code)" 200
mbox_mids() { gzip -dc "$1" | grep -i '^message-id:' | tr -d '<>\r' | awk '{print $2}' | sort; }
curl -s -o thread.gz "$U/linux-kernel/$TM/t.mbox.gz"
la search --data "$DATA" --format=json --limit 1000 'd:2019-05-21..' 2>/dev/null |
	"$PYTHON" -c 'import json, sys; print("\n".join(sorted(x["message_id"] for x in json.load(sys.stdin))))' >since.txt
check_eq "...the thread's messages that match ($(mbox_mids tpost.gz | wc -l)), and no other" \
	"$(mbox_mids tpost.gz | tr '\n' ' ')" "$(comm -12 <(mbox_mids thread.gz) since.txt | tr '\n' ' ')"
check_eq "POST of a message page: 405" \
	"$(curl -s -o /dev/null -D h405b -w '%{http_code}' -d '' "$U/linux-kernel/2019/05/20/4")" 405
check "Allow: GET, HEAD" grep -qi '^allow: GET, HEAD.$' h405b
# (A head that announces a body past the cap, and no body: the answer
# comes on the head alone, so the body is never read.  curl sending the
# body races the server's close.)
check_eq "POST with a body past the cap (1 MB): refused, not read" \
	"$("$PYTHON" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /linux-kernel/?x=m&q=" + sys.argv[2].encode() + b" HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n")
s.settimeout(60)
print(s.recv(12).decode()[9:])' "$PORT" "$Q")" 413
check_eq "the server still answers" "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")" 200

# ---- lei ----
if ! command -v lei >/dev/null 2>&1; then
	not_ok "lei is installed (scripts/setup-debian installs it)"
	exit 1
fi
LEI_STOP=1
# mids MBOX: the sorted Message-IDs of an mbox, without brackets.
cat >mids.py <<'EOF'
import mailbox, sys
ids = set()
for m in mailbox.mbox(sys.argv[1]):
    ids.add((m["Message-ID"] or "").strip().strip("<>"))
print(" ".join(sorted(ids)))
EOF
# want QUERY [--list L]: the sorted Message-IDs listarc search finds.
want() {
	la search --data "$DATA" --format=json --limit 10000 "$@" 2>/dev/null |
		"$PYTHON" -c 'import json, sys; print(" ".join(sorted({x["message_id"] for x in json.load(sys.stdin)})))'
}
n=0
for q in 's:"copy_page_range"' 'f:ktkhai d:2019-05-20..2019-05-21' 'dfn:mm/memory.c' \
	'q:pmsg_size' 'nq:pmsg_size' 'm:155836081774.2441.16449538600904205092.stgit@localhost.localdomain'; do
	n=$((n + 1))
	rm -f "out$n.mbox"
	guard lei q -I "$U/linux-kernel/" -o "mboxrd:$T/out$n.mbox" "$q" >"lei$n.log" 2>&1
	check_eq "lei q $q: exit 0" $? 0
	check_eq "lei q $q: exactly the messages listarc search finds" \
		"$("$PYTHON" mids.py "out$n.mbox")" "$(want --list linux-kernel "$q")"
done
check "lei asked by POST with x=m" grep -qF '"POST /linux-kernel/?x=m&q=s%3A%22copy_page_range%22 HTTP/1.1" 200' access.log
# Whole threads (-t: &t=1): every message of the matches' threads.
guard lei q -t -I "$U/linux-kernel/" -o "mboxrd:$T/thread.mbox" 's:"copy_page_range"' >leit.log 2>&1
check_eq "lei q -t: exit 0" $? 0
check "lei asked with t=1" grep -qF '"POST /linux-kernel/?x=m&t=1&q=' access.log
ROOTID=155836064844.2441.10911127801797083064.stgit@localhost.localdomain
la get --data "$DATA" "/linux-kernel/$ROOTID/t.mbox.gz" 2>/dev/null | gunzip -c >t.mbox
check_eq "lei q -t: the whole thread of the patch, as t.mbox.gz has it" \
	"$("$PYTHON" mids.py thread.mbox)" "$("$PYTHON" mids.py t.mbox)"
check "the thread is more than the match" [ "$(wc -w <<<"$("$PYTHON" mids.py thread.mbox)")" -gt 1 ]
# Across lists: /all/ (and the site root) as the external.
guard lei q -I "$U/all/" -o "mboxrd:$T/all.mbox" 'f:keescook@chromium.org' >leiall.log 2>&1
check_eq "lei q against /all/: exit 0" $? 0
check_eq "lei q against /all/: the same messages as a search of every list" \
	"$("$PYTHON" mids.py all.mbox)" "$(want 'f:keescook@chromium.org')"

stop_server serve
