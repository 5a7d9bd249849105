#!/usr/bin/env bash
# t6100-browser: a reader's walk through samples/ in a real browser:
# Debian's chromium driven by playwright-core (tests/browser/walk.js;
# scripts/setup-debian installs it in build/node/).  list -> year -> month
# -> day (calendar) -> message -> [thread-next>] -> [list], at desktop size
# and as a 390-pixel phone, against `listarc serve` (the ASan build), then
# again behind a prefix-stripping proxy with --base-url .../lists/.
# Screenshots of the list, month and message pages go to test-output/.
# Then every page type (tests/browser/pages.js): its search box, feed and
# OpenSearch links at work, axe-core's accessibility check in the light
# and dark themes (skipped when build/node has no axe-core), the dark
# theme's screenshot (test-output/message-dark.png), a 320-pixel screen;
# among the pages, lore's text pages, the mirror page, a series' changes,
# a hidden message's 410, an attachment's page and the preferences (the
# list widgets, made here).
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
INDEXER=${LISTARC_RELEASE:-$LISTARC}
[ -x "$INDEXER" ] || INDEXER=$LISTARC
SHOTS=$ROOT/test-output
plan 219

# Missing tools fail here, at once, rather than hang later.
if ! command -v node >/dev/null 2>&1; then
	not_ok "node is installed (scripts/setup-debian installs it)"
	exit 1
fi
if [ ! -f "$ROOT/build/node/node_modules/playwright-core/package.json" ]; then
	not_ok "playwright-core is in build/node (scripts/setup-debian installs it)"
	exit 1
fi
if [ ! -x /usr/bin/chromium ]; then
	not_ok "chromium is installed (scripts/setup-debian installs it)"
	exit 1
fi

"$INDEXER" index --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
"$INDEXER" index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>/dev/null
# widgets (pages.js): a patch in two versions (the series changes page),
# a message hidden (its 410), a patch attached (its page).
for v in 1 2; do
	pre=PATCH
	[ "$v" = 2 ] && pre="PATCH v2"
	printf 'From: Dev <dev@example.org>\nSubject: [%s] widget: make it spin\nDate: Tue, 0%d Dec 2023 10:00:00 +0100\nMessage-ID: <spin-v%d@example.org>\n\nSpin it.\n---\n w.c | 2 +-\n\ndiff --git a/w.c b/w.c\n--- a/w.c\n+++ b/w.c\n@@ -1 +1 @@\n-int spin = %d;\n+int spin = %d;\n' \
		"$pre" $((v + 1)) "$v" $((v - 1)) "$v" | "$INDEXER" deliver --create --data "$DATA" widgets 2>/dev/null
done
printf 'From: Dev <dev@example.org>\nSubject: oops\nDate: Tue, 07 Nov 2023 10:00:00 +0100\nMessage-ID: <gone-1@example.org>\n\nSent by mistake.\n' |
	"$INDEXER" deliver --data "$DATA" widgets 2>/dev/null
"$INDEXER" hide --data "$DATA" --reason "sent by mistake" widgets gone-1@example.org >/dev/null 2>&1
mail_attachment diff att-1@example.org | "$INDEXER" deliver --data "$DATA" widgets 2>/dev/null

# walk URL [SCREENSHOT_DIR]: the walk in chromium (its checks), under a
# hang guard.
walk() {
	guard node "$ROOT/tests/browser/walk.js" "$@" 2>"$T/walk.err"
	local rc=$?
	[ "$rc" -eq 124 ] && not_ok "the browser walk ended (it hung)"
	[ "$rc" -ne 0 ] && sed 's/^/# walk: /' "$T/walk.err" | grep -v 'unexpected operator' | head -20
	return 0
}

# ---- the walk, straight to the server ----
start_server plain
check "the server starts" [ -n "$PORT" ]
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
walk "http://127.0.0.1:$PORT/linux-kernel/" "$SHOTS"
for page in list month message; do
	for size in desktop phone; do
		check "screenshot test-output/$page-$size.png" [ -s "$SHOTS/$page-$size.png" ]
	done
done

# ---- every page type: chrome, accessibility, dark theme, 320 px ----
PAGES_CHECKS=82
guard node "$ROOT/tests/browser/pages.js" "http://127.0.0.1:$PORT/" "$SHOTS" >pages.out 2>"$T/pages.err"
rc=$?
cat pages.out
[ "$rc" -eq 124 ] && echo "# the pages' checks hung"
ran=$(grep -c '^\(not \)\?ok - ' pages.out)
if [ "$ran" -ne "$PAGES_CHECKS" ]; then
	sed 's/^/# pages: /' "$T/pages.err" | head -20
	for ((i = ran; i < PAGES_CHECKS; i++)); do not_ok "pages.js: a check that did not run"; done
fi
check "dark theme screenshot test-output/message-dark.png" [ -s "$SHOTS/message-dark.png" ]

# ---- the same walk under /lists/, through a proxy that strips it ----
# The proxy starts first (on a free port, written to proxy.port); it reads
# the server's port from upstream.port, as that server needs the proxy's
# port for its --base-url.
cat >proxy.py <<'PY'
import http.client, http.server, sys

port_out, upstream_file = sys.argv[1], sys.argv[2]
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}

class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        # A browser asks the host's root for its icon, not the archive:
        # the site around the archive answers that one.
        if self.path == "/favicon.ico":
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not self.path.startswith("/lists/"):
            self.send_error(404, "outside /lists/")
            return
        upstream = int(open(upstream_file).read())
        c = http.client.HTTPConnection("127.0.0.1", upstream, timeout=20)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        c.request(self.command, self.path[len("/lists"):], headers=headers)
        r = c.getresponse()
        body = r.read()
        self.send_response(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        c.close()

    do_HEAD = do_GET

    def log_message(self, fmt, *args):
        sys.stderr.write("proxy: " + fmt % args + "\n")

s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(port_out + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(port_out + ".tmp", port_out)
s.serve_forever()
PY
python3 proxy.py "$T/proxy.port" "$T/upstream.port" 2>"$T/proxy.err" &
bg_pid $!
wait_until test -s "$T/proxy.port"
PROXY=$(cat "$T/proxy.port" 2>/dev/null)
check "the proxy starts" [ -n "$PROXY" ]
start_server base --base-url "http://127.0.0.1:$PROXY/lists/"
echo "$PORT" >"$T/upstream.port"
check_eq "through the proxy, the list page" \
	"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PROXY/lists/linux-kernel/")" 200
walk "http://127.0.0.1:$PROXY/lists/linux-kernel/"
check "the proxy was asked for nothing outside /lists/ (but the host's favicon)" bash -c \
	"grep -q '\"GET /lists/' '$T/proxy.err' && ! grep '\"[A-Z]* /' '$T/proxy.err' | grep -v '\"GET /favicon.ico ' | grep -qv '\"[A-Z]* /lists/'"

stop_server plain
stop_server base
