#!/usr/bin/env bash
# t6000-serve: `listarc serve` (the ASan build) seen through curl: every
# page type as `listarc get` makes it, HTTP (validators and 304, gzip, HEAD,
# methods, bad requests, security and cache headers, attachments), a base
# URL, new mail without a restart, busy months and days in pages, limits
# (huge heads, slow clients), the access log, SIGHUP, SIGTERM with a
# response in flight; and one message page in headless Chromium.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
INDEXER=${LISTARC_RELEASE:-$LISTARC}
[ -x "$INDEXER" ] || INDEXER=$LISTARC
# The servers' timeouts are short: 2 s for a request head, for a
# response, and for draining at SIGTERM.
export LISTARC_HTTP_TIMEOUTS="2 2 2"
plan 121

la index --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
mail_attachment tgz tgz@example.org | la deliver --create --data "$DATA" edge
mail_attachment diff diff@example.org | la deliver --create --data "$DATA" edge
# A raw message of 6 MB, to be streamed; and a list with 50,000 messages
# in one month (1,613 a day).
"$PYTHON" - <<'PY'
import random
random.seed(6000)
with open("big.mbox", "w") as f:
    f.write("From big@example.org Sat Jan  2 10:00:00 2021\n")
    f.write("Message-ID: <big@example.org>\nFrom: big@example.org\nSubject: big\n\n")
    for i in range(60000):
        f.write(">From line %d\n" % i if i % 97 == 0 else "line %d %s\n" % (i, "x" * random.randint(0, 180)))
    f.write("\n")
with open("busy.mbox", "w") as f:
    for i in range(50000):
        d = 1 + i * 31 // 50000
        f.write("From s@example.org Sat May %2d 12:00:00 2021\n" % d)
        f.write("Message-ID: <busy-%d@example.org>\nFrom: S <s@example.org>\nSubject: busy %d\n\nb\n\n" % (i, i))
PY
"$INDEXER" index --data "$DATA" big big.mbox 2>/dev/null
"$INDEXER" index --data "$DATA" busy busy.mbox 2>/dev/null
att=$(sqlite3 "$DATA/index.sqlite" "SELECT printf('/edge/%04d/%02d/%02d/%d', day/10000, day/100%100, day%100, num)
	FROM messages m JOIN lists l ON l.id = m.list_id WHERE l.name = 'edge' ORDER BY m.id")
TGZ=$(echo "$att" | sed -n 1p)/1
TXT=$(echo "$att" | sed -n 2p)/1

# status URL [CURL ARGS...]: the status code; body in body.out, head in head.out.
status() {
	local url=$1
	shift
	rm -f body.out head.out
	curl -s --path-as-is -o body.out -D head.out -w '%{http_code}' "$@" "$url"
}
hdr() { grep -i "^$1:" head.out | head -1 | cut -d' ' -f2- | tr -d '\r'; }
# same_as_get I PATH: PATH answers 200 with the bytes of the I-th page
# of the batch made below (which exited 0).
same_as_get() {
	[ "$(status "$U$2")" = 200 ] && cmp -s body.out "pages/$1" && [ "$PAGES_RC" = 0 ]
}

start_server main --log "$T/access.log"
check "the server says where it listens" [ -n "$PORT" ]
check_eq "the log is created at start" "$(test -f "$T/access.log" && echo yes)" yes

# ---- every page type, the same bytes as listarc get ----
css=$(la get --data "$DATA" / 2>/dev/null | grep -o '_/listarc-[0-9a-f]*\.css' | head -1)
# Pages cached under one address must not answer for another: "/" and its
# search "/?q=", a month and its page 2 are asked for one after the other.
PAGES=(/ "/?q=kernel" /linux-kernel/ "/linux-kernel/?q=memory" /linux-kernel/2019/
	/linux-kernel/2019/05/ /linux-kernel/2019/05/20/ /linux-kernel/2019/05/20/4
	/linux-kernel/2019/05/20/4/raw "$TGZ" "$TXT" "/$css" /robots.txt /healthz
	/big/2021/01/02/1/raw /busy/2021/05/ "/busy/2021/05/?page=2" "/busy/2021/05/03/?page=2"
	/ "/?q=kernel" "/busy/2021/05/?page=2" /busy/2021/05/)
printf '%s\n' "${PAGES[@]}" | getall pages
PAGES_RC=$?
i=0
for p in "${PAGES[@]}"; do
	i=$((i + 1))
	check "GET $p: 200, the bytes listarc get prints" same_as_get "$i" "$p"
done
check "the index and a search of it differ" bash -c "! cmp -s <(curl -s '$U/') <(curl -s '$U/?q=kernel')"
check_eq "favicon.ico: 204" "$(status "$U/favicon.ico")" 204
check "favicon.ico: no body" [ ! -s body.out ]
check_eq "a directory without its slash redirects" "$(status "$U/linux-kernel")" 301
check_eq "to the canonical address" "$(hdr location)" /linux-kernel/

# ---- headers ----
status "$U/linux-kernel/2019/05/20/4" >/dev/null
check_eq "Content-Security-Policy" "$(hdr content-security-policy)" \
	"default-src 'none'; style-src 'self'; img-src 'self'"
check_eq "X-Content-Type-Options" "$(hdr x-content-type-options)" nosniff
check "Referrer-Policy" [ -n "$(hdr referrer-policy)" ]
check_eq "Content-Type of a page" "$(hdr content-type)" "text/html; charset=utf-8"
check_eq "Cache-Control of a message page" "$(hdr cache-control)" "public, max-age=300"
check_eq "Vary: Accept-Encoding, Cookie (the reader's time zone)" "$(hdr vary)" "Accept-Encoding, Cookie"
etag=$(hdr etag)
lastmod=$(hdr last-modified)
check "a strong ETag" grep -qiE '^etag: "[0-9a-f]{16}"' head.out
check "Last-Modified is an HTTP date" grep -qiE '^last-modified: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT' head.out
status "$U/$css" >/dev/null
check "the versioned stylesheet is cached for good" grep -qi '^cache-control: public, max-age=31536000, immutable' head.out
status "$U$TGZ" >/dev/null
check_eq "a binary attachment is a download" "$(hdr content-disposition)" \
	'attachment; filename="listarc-test.tgz"'
check_eq "as application/octet-stream" "$(hdr content-type)" application/octet-stream
status "$U$TXT" >/dev/null
check_eq "a text attachment is shown inline" "$(hdr content-disposition)" \
	'inline; filename="fix.diff"'
check_eq "as text/plain" "$(hdr content-type)" "text/plain; charset=utf-8"

# ---- conditional requests ----
check_eq "If-None-Match with the ETag: 304" \
	"$(status "$U/linux-kernel/2019/05/20/4" -H "If-None-Match: $etag")" 304
check "304 has no body" [ ! -s body.out ]
check_eq "304 repeats the ETag" "$(hdr etag)" "$etag"
check_eq "If-None-Match with a weak form of it: 304" \
	"$(status "$U/linux-kernel/2019/05/20/4" -H "If-None-Match: \"x\", W/$etag")" 304
check_eq "If-None-Match with another tag: 200" \
	"$(status "$U/linux-kernel/2019/05/20/4" -H 'If-None-Match: "0000000000000000"')" 200
check_eq "If-Modified-Since Last-Modified: 304" \
	"$(status "$U/linux-kernel/2019/05/20/4" -H "If-Modified-Since: $lastmod")" 304
check_eq "If-Modified-Since long ago: 200" \
	"$(status "$U/linux-kernel/2019/05/20/4" -H 'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT')" 200
check_eq "If-None-Match wins over If-Modified-Since" \
	"$(status "$U/linux-kernel/2019/05/20/4" -H 'If-None-Match: "x"' -H "If-Modified-Since: $lastmod")" 200
check_eq "a streamed body has a validator too" \
	"$(status "$U$TGZ" -H "If-None-Match: $(status "$U$TGZ" >/dev/null; hdr etag)")" 304

# ---- gzip ----
la get --data "$DATA" /linux-kernel/2019/05/20/4 >page.html 2>/dev/null
check_eq "Accept-Encoding: gzip gets gzip" \
	"$(status "$U/linux-kernel/2019/05/20/4" -H 'Accept-Encoding: gzip, deflate'; hdr content-encoding)" 200gzip
check "which gunzips to the page" cmp -s <(gunzip -c body.out) page.html
check_eq "with Vary" "$(hdr vary)" "Accept-Encoding, Cookie"
gzetag=$(hdr etag)
check "and an ETag of its own" [ -n "$gzetag" -a "$gzetag" != "$etag" ]
check_eq "which validates too" \
	"$(status "$U/linux-kernel/2019/05/20/4" -H 'Accept-Encoding: gzip' -H "If-None-Match: $gzetag")" 304
status "$U/linux-kernel/2019/05/20/4" -H 'Accept-Encoding: gzip;q=0' >/dev/null
check "gzip;q=0 gets the page as it is" cmp -s body.out page.html

# ---- HEAD, methods ----
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'HEAD /linux-kernel/2019/05/20/4 HTTP/1.1\r\nHost: t\r\n\r\nGET /robots.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >&3
cat <&3 >pipelined.out
exec 3<&-
check_eq "HEAD: 200, then the next response right after its head" \
	"$(grep -c '^HTTP/1.1 200 OK' pipelined.out)" 2
check "HEAD says the length of the GET" grep -q "^Content-Length: $(wc -c <page.html)" pipelined.out
check "HEAD has no body" bash -c '! grep -q "<html" pipelined.out'
check_eq "POST: 405" "$(status "$U/" -X POST -d x=1)" 405
check_eq "with Allow" "$(hdr allow)" "GET, HEAD"
check_eq "DELETE: 405" "$(status "$U/linux-kernel/" -X DELETE)" 405

# ---- bad requests ----
check_eq "broken percent-encoding: 400" "$(status "$U/a%zz/")" 400
check_eq "an encoded NUL: 400" "$(status "$U/linux-kernel%00/")" 400
check_eq "..: 400" "$(status "$U/linux-kernel/../etc/passwd")" 400
check_eq "an encoded ..: 400" "$(status "$U/%2e%2e/etc/passwd")" 400
check_eq "an impossible date: 404" "$(status "$U/l/2019/13/45/999999999999")" 404
check "the 404 page says so" grep -q 'There is no such page in this archive' body.out
check_eq "an unknown list: 404" "$(status "$U/no-such-list/")" 404
check "the page says so" grep -q 'There is no such list' body.out
check_eq "an unknown message: 404" "$(status "$U/linux-kernel/2019/05/20/999")" 404
check_eq "a page past the last of a month: 404" "$(status "$U/busy/2021/05/?page=999")" 404
long=$(head -c 5000 /dev/zero | tr '\0' a)
check_eq "an over-long path: 414" "$(status "$U/$long")" 414
check_eq "a path of 30 KB: 414 too" "$(status "$U/$long$long$long$long$long$long")" 414
printf 'GET /a\0b HTTP/1.1\r\nHost: t\r\n\r\n' >raw-nul.req
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
cat raw-nul.req >&3
head -c 12 <&3 >nul.out
exec 3<&-
check_eq "a raw NUL in the request line: 400" "$(cat nul.out)" "HTTP/1.1 400"
big=$(head -c 65536 /dev/zero | tr '\0' a)
check_eq "64 KB of header fields: 431" "$(status "$U/" -H "X-Big: $big")" 431
check_eq "200 header fields: 400" \
	"$(status "$U/" $(for i in $(seq 200); do printf -- '-H X-F%d:v ' "$i"; done))" 400
check_eq "and the server still answers" "$(status "$U/healthz")" 200

# ---- a month of 50,000 messages ----
check_eq "a month of 50,000 messages answers" "$(status "$U/busy/2021/05/")" 200
check "its page is bounded (under 400 KB)" [ "$(wc -c <body.out)" -lt 400000 ]
check "and links the next page" grep -q 'href="/busy/2021/05/?page=2">next page&gt;</a>' body.out
check "page 1 of 7, days 1 to 5" grep -q 'page 1 of 7: days 1 to 5' body.out
check_eq "page 7 is the last" "$(status "$U/busy/2021/05/?page=7")" 200
check "it ends with day 31" grep -q 'page 7 of 7: days 31 to 31' body.out
check_eq "a busy day's second page" "$(status "$U/busy/2021/05/03/?page=2")" 200
check "holds messages 1001 on" grep -q 'page 2 of 2: messages 1001 to 1613' body.out
check_eq "with 613 of them" "$(grep -c '<li><a href="/busy/2021/05/03/' body.out)" 613

# ---- new mail without a restart ----
status "$U/linux-kernel/" >/dev/null
cp body.out list-before.html
cat >live.eml <<'M'
Received: from mx.example.org by list.example.org; Sat, 02 Jan 2021 10:00:00 +0000
Message-ID: <serve-live@example.org>
From: Live Sender <live@example.org>
Subject: [linux-kernel] arrives while serving
Date: Sat, 02 Jan 2021 09:59:00 +0000

Delivered while the server runs.
M
la deliver --create --data "$DATA" linux-kernel <live.eml
check_eq "a message delivered while serving has its page at once" \
	"$(status "$U/linux-kernel/2021/01/02/1")" 200
check "showing it" grep -q 'Subject: arrives while serving' body.out
status "$U/linux-kernel/" >/dev/null
check "the list page (cached before) shows it too" grep -q 'arrives while serving' body.out
check "and was not shown before" bash -c '! grep -q "arrives while serving" list-before.html'

# ---- slow clients ----
la get --data "$DATA" /big/2021/01/02/1/raw >big.raw 2>/dev/null
# A download that keeps moving is never cut, however long it takes (3 s
# or more here, against a response timeout of 2 s).  The slow clients
# pace themselves (that is what they test); what is checked is what the
# server did to them, never how long it took.
curl -s --limit-rate 2M -o steady.out "$U/big/2021/01/02/1/raw" &
STEADY=$!
"$PYTHON" - "$PORT" >slow.out <<'PY'
import socket, sys, time
port = int(sys.argv[1])
import select, socket, sys, time
port = int(sys.argv[1])
# A head trickled a field every quarter second (for 20 s, ten times the
# head timeout) is cut before it ends.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
try:
    for i in range(80):
        s.sendall(b"X-Slow-%d: v\r\n" % i)
        time.sleep(0.25)
    print("slow head: still open after 80 fields")
except OSError:
    print("slow head: closed after %d fields" % i)
# A client that stops reading a big response: the server lets it go (a
# reset or a close: POLLRDHUP, seen without reading a byte).
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(b"GET /big/2021/01/02/1/raw HTTP/1.1\r\nHost: t\r\n\r\n")
p = select.poll()
p.register(s, select.POLLRDHUP)
ev = p.poll(60000)
print("slow reader: %s" % ("reset" if ev and ev[0][1] & (select.POLLERR | select.POLLHUP)
                           else "closed" if ev else "still open"))
PY
check "a trickled request head is cut before it ends (at the head timeout)" grep -qE '^slow head: closed after' slow.out
check "a client that stops reading is reset" grep -qE '^slow reader: (reset|closed)' slow.out
wait "$STEADY"
check "a slow but steady download outlasts the response timeout" cmp -s steady.out big.raw
check_eq "the server still answers" "$(status "$U/healthz")" 200

# ---- the connection cap ----
# A head timeout of 30 s here: an idle connection is closed for a new one
# long before it would time out.
LISTARC_HTTP_TIMEOUTS="30 2 2" start_server cap --threads 1 --max-conns 2
"$PYTHON" - "$PORT" >cap.out <<'PY'
import select, socket, sys, time
port = int(sys.argv[1])
def gone(s, ms=0):
    """True if the server has closed or reset s (waiting up to ms for
    it), seen without reading it."""
    p = select.poll()
    p.register(s, select.POLLRDHUP)
    return bool(p.poll(ms))
def get(path, rcvbuf=0):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    return s
def served(s):
    """The status line of the response on s (up to 20 s: a guard)."""
    s.settimeout(20)
    try:
        return s.recv(12).decode()
    except (socket.timeout, OSError):
        return "nothing"
# Two idle connections fill the cap (each answered once, 10 ms apart so
# that the server's millisecond clock tells their ages); a third is
# served, and the one idle the longest is closed for it, not the other.
a, b = get(b"/healthz"), None
print("first:", served(a))
time.sleep(0.01)
b = get(b"/healthz")
print("second:", served(b))
for s in (a, b):
    s.settimeout(20)
    s.recv(4096)  # the rest of the response: now idle
c = get(b"/healthz")
print("third answered:", served(c))
print("then the oldest idle one is closed, the other not:", gone(a, 20000), gone(b))
for s in (a, b, c):
    s.close()
# Two connections busy with responses their clients do not read: a third
# is served only once the response timeout has cut one of them.
busy = [get(b"/big/2021/01/02/1/raw", 4096) for _ in range(2)]
for s in busy:
    s.settimeout(20)
    s.recv(1)  # its response has begun
c = get(b"/healthz")
print("with both busy, third answered:", served(c))
print("by then one of them was cut:", gone(busy[0]) or gone(busy[1]))
PY
check "at the connection cap a third client is served (before the head timeout)" \
	grep -q '^third answered: HTTP/1.1 200' cap.out
check "...and the connection idle the longest is closed for it, not the other" \
	grep -q '^then the oldest idle one is closed, the other not: True False' cap.out
check "with every connection busy answering, a third client waits: it is served" \
	grep -q '^with both busy, third answered: HTTP/1.1 200' cap.out
check "...only once one of them was cut" grep -q '^by then one of them was cut: True' cap.out
stop_server cap
use_server main

# ---- the access log, SIGHUP ----
curl -s -o /dev/null -e 'https://ref.example/a' -A 'agent "quoted"' "$U/linux-kernel/2019/05/20/4"
wait_until grep -q 'ref\.example' "$T/access.log"
check "an access log line in the combined format" grep -qE \
	'^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\] "GET /linux-kernel/2019/05/20/4 HTTP/1\.1" 200 [0-9]+ "https://ref\.example/a" "agent \\x22quoted\\x22"$' \
	"$T/access.log"
check "a 404 is logged with its status" grep -qE '"GET /no-such-list/ HTTP/1\.1" 404 [0-9]+ ' "$T/access.log"
check "a HEAD is logged without a size" grep -qE '"HEAD /linux-kernel/2019/05/20/4 HTTP/1\.1" 200 - ' "$T/access.log"
mv "$T/access.log" "$T/access.log.1"
kill -HUP "$PID"
wait_until test -e "$T/access.log"
curl -s -o /dev/null "$U/robots.txt?after-hup"
wait_until grep -q 'after-hup' "$T/access.log" "$T/access.log.1"
check "SIGHUP reopens the log: new lines go to a new file" grep -q 'robots.txt?after-hup' "$T/access.log"
check "and not to the moved one" bash -c "! grep -q 'after-hup' '$T/access.log.1'"

# ---- a base URL ----
start_server base --base-url https://example.org/lists/
check "with --base-url, pages are the bytes of listarc get --base-url" bash -c \
	"curl -s '$U/linux-kernel/2019/05/20/4' | cmp -s - <('$LISTARC' get --data '$DATA' --base-url https://example.org/lists/ /linux-kernel/2019/05/20/4 2>/dev/null)"
curl -s "$U/linux-kernel/2019/05/20/4" >base.html
check "links carry the prefix" grep -q 'href="/lists/linux-kernel/2019/05/20/"' base.html
check "the stylesheet too" grep -q "href=\"/lists/$css\"" base.html
check "no link without it" bash -c "! grep -q 'href=\"/linux-kernel' base.html"
status "$U/linux-kernel" >/dev/null
check_eq "redirects too" "$(hdr location)" /lists/linux-kernel/
stop_server base INT
use_server main

# ---- one page in a real browser ----
if command -v chromium >/dev/null 2>&1; then
	chrome() {
		guard chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$(mktemp -d -p "$T")" --enable-logging=stderr --v=0 "$@" 2>>chromium.err
	}
	chrome --screenshot="$T/page.png" --window-size=1200,900 "$U/linux-kernel/2019/05/20/4" >/dev/null
	chrome --dump-dom "$U/linux-kernel/2019/05/20/4" >dom.html
	[ -n "${LISTARC_SCREENSHOT:-}" ] && cp "$T/page.png" "$LISTARC_SCREENSHOT"
	check "Chromium renders a message page" [ -s "$T/page.png" ]
	check "its DOM has the navigation line" \
		grep -q '<div class="nav">\[<a href="/linux-kernel/2019/05/20/3">&lt;prev</a>\]' dom.html
	check "and the header block in a pre" grep -q '<pre class="msg">' dom.html
	check "with the body" grep -q 'Signed-off-by: Kirill Tkhai' dom.html
	check "no Content-Security-Policy violation" bash -c '! grep -qi "security policy" chromium.err'
	# The stylesheet applied: the site bar is light grey (#f2f2f2), and
	# the page below it white.
	check "the stylesheet applied (grey site bar, white page)" "$PYTHON" - "$T/page.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        bpp = {2: 3, 6: 4}[ctype]
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride, rows, prev = w * bpp, [], bytearray(w * bpp)
for y in range(120):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
px = lambda x, y: tuple(rows[y][x * bpp:x * bpp + 3])
sys.exit(0 if px(1100, 5) == (242, 242, 242) and px(1100, 110) == (255, 255, 255) else 1)
PY
else
	not_ok "Chromium is not installed (scripts/setup-debian installs it)"
fi

# ---- SIGTERM with a response in flight ----
curl -s --limit-rate 5M -o inflight.out "$U/big/2021/01/02/1/raw" &
CURL=$!
wait_until test -s inflight.out
kill -TERM "$PID"
refused() { [ "$(status "$U/healthz")" = 000 ]; }
check "after SIGTERM no new connection is taken" wait_until refused
wait "$CURL"
check "a response in flight at SIGTERM is finished" cmp -s inflight.out big.raw
reap_server main
