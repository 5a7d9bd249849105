#!/usr/bin/env bash
# t6025-serve-streams: `listarc serve` makes streamed answers (a thread's
# t.mbox.gz and t.mbox, a list's and a month's mbox.gz, a search's mbox
# by GET and POST) on its render threads, a piece at a time, and the
# loop only sends the pieces made (server.c, stream_send).
# (a) Every streamed kind is the bytes `listarc get` prints (gzip ones
#     also checked whole with gzip -t), through a server with its page
#     cache (small answers finished and cached) and one without (every
#     answer streamed piece by piece), on samples/ and on a generated
#     archive; a HEAD answers 200 with the GET's type and no body.  (The
#     server answers no Range requests today: nothing to compare.)
# (b) A client that reads a big answer (a 60 MB thread, t.mbox) a few KB
#     and then stops (tests/slowread.py: it waits until the kernel shows
#     the server's socket with the window closed and its queue still)
#     leaves the server's RSS within CAP_KB of what it was before (a
#     stream holds its first STREAM_CACHE_MAX, 2 MB, two pieces of 64 KiB
#     and its own state: a few MB; the cap is 16 MB, a quarter of the
#     answer), with most of the answer not yet written; meanwhile a
#     cached page, a page made and another mbox answer whole on the same
#     single loop.
# (c) Clients that go away mid-stream, many times (closed, or reset),
#     leave no leak and no worker stuck: the server (ASan, LeakSanitizer
#     at exit) still answers, then exits 0 on SIGTERM with no report.
# No timings: every wait is for a state.
. "$(dirname "$0")/lib.sh"
command -v ss >/dev/null || { plan 1; skip 1 "no ss (iproute2)"; exit 0; }
plan 31
CAP_KB=16384

# quote MSGID: the Message-ID percent-encoded for a URL.
quote() { "$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="@!$&*+,;=:~"))' "$1"; }
# stream_paths LIST: the streamed answers of LIST: the mboxes of its
# first threads, of the list, of its first months, of searches.
stream_paths() {
	local mid
	isql "$DATA" "SELECT min(mids.mid) FROM messages x JOIN mids ON mids.id = x.mid
		JOIN lists l ON l.id = x.list_id WHERE l.name = '$1' GROUP BY x.thread ORDER BY count(*) DESC LIMIT 6" |
		while IFS= read -r mid; do
			mid=$(quote "$mid")
			printf '/%s/%s/t.mbox.gz\n/%s/%s/t.mbox\n' "$1" "$mid" "$1" "$mid"
		done
	printf '/%s/mbox.gz\n' "$1"
	isql "$DATA" "SELECT DISTINCT printf('/%s/%04d/%02d/mbox.gz', l.name, day / 10000, day / 100 % 100)
		FROM messages m JOIN lists l ON l.id = m.list_id WHERE l.name = '$1' LIMIT 3"
	printf '%s\n' "/$1/?q=s:patch&x=m" "/$1/?q=d:1990..&x=m" "/$1/?q=kernel&x=m&t=1"
}
# same_as_get NAME FILE [POST]: how many of FILE's paths the server ($U)
# answers with the bytes `listarc get` printed into FILE.want/N, 8 at a
# time ("n/N"), gzip ones whole by gzip -t; by POST with an empty body
# if asked.  Each answer's status and type go to NAME/N.type.
same_as_get() {
	local name=$1 list=$2 n=0 i=0 p
	rm -rf "$name"
	mkdir -p "$name"
	awk '{ print NR " " $0 }' "$list" |
		U=$U M=${3:-} xargs -P 8 -L 1 sh -c \
			'n=$1 p=$2; shift 2; if [ -n "$M" ]; then set -- -X POST -d ""; fi
			curl -s "$@" -o "$0/$n" -w "%{http_code} %{content_type}" "$U$p" >"$0/$n.type"' "$name"
	while IFS= read -r p; do
		i=$((i + 1))
		cmp -s "$name/$i" "$list.want/$i" && n=$((n + 1))
		case $p in */t.mbox) ;; *) gzip -t "$name/$i" 2>/dev/null || n=$((n - 1)) ;; esac
	done <"$list"
	echo "$n/$i"
}
# heads FILE NAME: how many of FILE's paths answer HEAD with 200, the
# type of their GET (same_as_get NAME's) and no body ("n/N").
heads() {
	local n=0 i=0 p got
	while IFS= read -r p; do
		i=$((i + 1))
		got=$(curl -s -I -o /dev/null -w '%{http_code} %{content_type} %{size_download}' "$U$p")
		case $(cat "$2/$i.type") in 200\ *) [ "$got" = "$(cat "$2/$i.type") 0" ] && n=$((n + 1)) ;; esac
	done <"$1"
	echo "$n/$i"
}

# ---- (a) samples/ and a generated archive ----
DATA=$T/arc
la index --data "$DATA" seeds "$ROOT/samples/seeds.mbox" 2>/dev/null
la index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>/dev/null
mkcorpus 400 "$T/gen.mbox" 7
la index --data "$DATA" gen "$T/gen.mbox" 2>/dev/null
{ stream_paths seeds; stream_paths lkml; stream_paths gen; echo "/all/?q=s:patch&x=m"; } >paths
total=$(wc -l <paths)
grep -q 'x=m' paths && grep -q '/t.mbox$' paths && grep -q '/[0-9]*/[0-9]*/mbox.gz' paths
check "every streamed kind is asked ($total paths)" [ $? -eq 0 ]
grep 'x=m' paths >posts
np=$(wc -l <posts)
getall paths.want <paths
getall posts.want <posts

HOLD=$T/hold
mkdir -p "$HOLD"
LISTARC_TEST_HOLD=$HOLD start_server c --threads 1
check_eq "with the page cache: each the bytes of listarc get (gzip whole)" "$(same_as_get c1 paths)" "$total/$total"
check_eq "... asked again (from the cache)" "$(same_as_get c2 paths)" "$total/$total"
check_eq "... a search's mbox by POST (lei)" "$(same_as_get c3 posts POST)" "$np/$np"
check_eq "HEAD: 200, the GET's type, no body" "$(heads paths c1)" "$total/$total"
# A search's mbox is made on the render thread (held there by the test
# hook, t6011's), not on the loop, which answers from its cache meanwhile.
q="/seeds/?q=s:patch+d:2000..&x=m"
la get --data "$DATA" "$q" >q.want 2>/dev/null
la get --data "$DATA" /seeds/ >list.want 2>/dev/null
curl -s -o /dev/null "$U/seeds/"
rm -f "$HOLD/held"
mkfifo "$HOLD/hold"
curl -s -o q.got "$U$q" &
q_pid=$!
check "a search's mbox being made is held on the render thread" wait_until test -e "$HOLD/held"
curl -s -o list.got "$U/seeds/"
check "... while the loop answers a cached page, whole" cmp -s list.got list.want
exec {fd}>"$HOLD/hold"
rm -f "$HOLD/hold"
exec {fd}>&-
wait "$q_pid"
check "let go, the search's mbox comes: the bytes of listarc get" cmp -s q.got q.want
stop_server c

start_server n --threads 1 --cache-mb 0
check_eq "without a cache (streamed piece by piece): each the bytes of listarc get" "$(same_as_get n1 paths)" "$total/$total"
check_eq "... by POST" "$(same_as_get n2 posts POST)" "$np/$np"
check_eq "... HEAD" "$(heads paths n1)" "$total/$total"
stop_server n

# ---- (b) a 60 MB thread, read slowly ----
# One thread of 2,500 messages of 24 KB (base64 of random bytes, which
# gzip cannot shrink much), over two days.
"$PYTHON" - "$T/big.mbox" <<'EOF'
import base64, random, sys, time
r = random.Random(25)
with open(sys.argv[1], 'wb') as f:
    for i in range(2500):
        t = 1704067200 + 60 * i
        body = base64.encodebytes(r.randbytes(18000))
        f.write(b'From big@example.org %s\n' % time.strftime('%a %b %e %H:%M:%S %Y', time.gmtime(t)).encode())
        f.write(b'From: Big <big@example.org>\nSubject: %s\nMessage-ID: <big-%d@example.org>\n'
                % (b'big thread' if i == 0 else b'Re: big thread', i))
        if i:
            f.write(b'In-Reply-To: <big-0@example.org>\nReferences: <big-0@example.org>\n')
        f.write(b'Date: %s\n\n' % time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(t)).encode())
        f.write(body + b'\n')
EOF
BIG=$T/bigarc
"$RELEASE" index --data "$BIG" big "$T/big.mbox" 2>/dev/null
thread=/big/big-0@example.org/t.mbox
DATA=$BIG "$RELEASE" get --data "$BIG" "$thread" >big.want 2>/dev/null
size=$(stat -c %s big.want)
check "the big thread's mbox is over 50 MB ($size bytes)" [ "$size" -gt 50000000 ]

DATA=$BIG
SERVE_BIN=$RELEASE start_server b --threads 1
curl -s -o /dev/null "$U/big/"
la get --data "$BIG" /big/ >list.want 2>/dev/null
curl -s -o /dev/null "$U/big/2024/01/"
base_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
"$PYTHON" "$ROOT/tests/slowread.py" "$PORT" "$PID" "$thread" "$T/ready" "$T/go" >slow.out 2>slow.err &
slow_pid=$!
bg_pid "$slow_pid"
check "a slow client's answer stops: the server waits for it" wait_until test -e "$T/ready"
rss=$(sed -n 's/.*rss_max_kb=\([0-9]*\).*/\1/p' slow.out)
sent=$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' slow.out)
echo "# RSS before ${base_kb} kB, at most ${rss:-?} kB while the client reads slowly; ${sent:-?} of $size bytes written"
check "... with most of the answer not written yet" test "${sent:-$size}" -lt $((size / 2))
check "... and the server's RSS within $CAP_KB kB of before (the answer is $((size / 1024)) kB)" \
	test $((${rss:-999999999} - base_kb)) -lt "$CAP_KB"
code=$(curl -s -o cached.out -w '%{http_code}' "$U/big/")
check_eq "meanwhile a cached page answers" "$code" 200
check "... whole" cmp -s cached.out list.want
la get --data "$BIG" /big/2024/01/02/ >day.want 2>/dev/null
curl -s -o day.out "$U/big/2024/01/02/"
check "... a page made on the render thread" cmp -s day.out day.want
la get --data "$BIG" "/big/big-2499@example.org/raw" >raw.want 2>/dev/null
curl -s -o raw.out "$U/big/big-2499@example.org/raw"
check "... a raw message" cmp -s raw.out raw.want
code=$(curl -s -o srch.out -w '%{http_code}' "$U/big/?q=m:big-2400@example.org&x=m")
check_eq "... a search's mbox" "$code" 200
touch "$T/go"
wait "$slow_pid"
check_eq "the slow client goes away mid-stream" "$?" 0
curl -s -o big.got "$U$thread"
check "the whole thread's mbox, read at once: the bytes of listarc get" cmp -s big.got big.want
stop_server b

# ---- (c) clients that go away mid-stream, under ASan ----
start_server a --threads 2 --cache-mb 0
"$PYTHON" - "$PORT" <<'EOF' >gone.out
import socket, struct, sys
port = int(sys.argv[1])
paths = ['/big/big-0@example.org/t.mbox', '/big/big-0@example.org/t.mbox.gz', '/big/mbox.gz',
         '/big/2024/01/mbox.gz', '/big/?q=big&x=m']
n = 0
for i in range(60):
    s = socket.socket()
    s.connect(('127.0.0.1', port))
    s.sendall(('GET %s HTTP/1.1\r\nHost: t\r\n\r\n' % paths[i % len(paths)]).encode())
    want = (0, 1, 20000, 200000)[i % 4]
    got = 0
    while got < want:
        b = s.recv(65536)
        if not b:
            break
        got += len(b)
    if i % 3 == 0:  # a reset, not a close
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
    n += 1
print(n)
EOF
check_eq "60 clients went away mid-stream" "$(cat gone.out)" 60
curl -s -o after.out "$U/big/"
check "the server still answers a page" cmp -s after.out list.want
DATA=$BIG "$RELEASE" get --data "$BIG" /big/2024/01/mbox.gz >month.want 2>/dev/null
curl -s -o month.got "$U/big/2024/01/mbox.gz"
check "... and a whole mbox, the bytes of listarc get" cmp -s month.got month.want
kill -TERM "$PID"
# exited PID: the process is gone (or a zombie waiting for wait).
exited() { [ ! -e "/proc/$1" ] || grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
check "SIGTERM: the server exits (no worker stuck)" wait_until exited "$PID"
reap_server a
check "the server logged no error" bash -c "! grep -q ' error listarc' '$T/a.err'"
