#!/usr/bin/env bash
# t7100-escaping: the escaping proof.  tests/mkhostile.py writes messages
# made to break a page (script tags, event attributes, javascript: URLs,
# broken references, </pre> and --> in bodies, headers and attachment
# names, bidirectional overrides, HTML mail, 10,000 nested parts, a
# gigabyte declared and missing, a gzip bomb).  They are indexed (ASan
# build), and every page made of them (message pages with their thread
# outlines, day, month, year and list pages, the site index, and the
# pages a search query string reaches) is parsed by html5lib as a browser
# would: an element or attribute our templates do not write, a comment,
# a bidirectional override, or a link other than the archive's or http,
# https, ftp, mailto fails (tests/pagecheck.py --strict --html5).
# Attachments and raw messages must come as text/plain or as downloads,
# never as something a browser runs; the bomb is never inflated.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 37

"$PYTHON" "$ROOT/tests/mkhostile.py" hostile.mbox >cases.txt
ncases=$(wc -l <cases.txt)
sed 's/^/# case /' cases.txt
la index --data "$DATA" hostile hostile.mbox 2>err.txt
check_eq "the hostile corpus indexes (exit 0)" $? 0
check "...all $ncases messages" grep -q "^hostile: $ncases messages indexed" err.txt
la index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>/dev/null

# The pages come from `listarc get --batch` (a sanitizer report stops it,
# a leak makes it exit non-zero: both count as a bad status here).
mkdir -p pages att
: >types.txt
bad_status=0
# batch NAME: the paths of NAME.list through one batch; adds its
# failures (not 200 with exit 0, the process stopped or failed) to
# bad_status, but 404s when ALLOW404 is set.
batch() {
	getall "$1" --headers <"$1.list"
	local rc=$? n
	awk -v ok="${ALLOW404:-}" '!($2 == 200 && $3 == 0) && !(ok && $2 == 404) { print "# " $4 ": status " $2 ", exit " $3 }' \
		"$1.txt" >"$1.bad"
	cat "$1.bad"
	n=$(wc -l <"$1.bad")
	if [ $rc -ne 0 ] || [ "$(wc -l <"$1.txt")" -ne "$(wc -l <"$1.list")" ]; then
		n=$((n + 1))
		echo "# $1: listarc get --batch exited $rc after $(wc -l <"$1.txt") of $(wc -l <"$1.list") paths"
		grep -E 'ERROR|SUMMARY|runtime error' "$1.err" | head -3 | sed 's/^/#   /'
	fi
	bad_status=$((bad_status + n))
}
# hdr FILE FIELD: the value of a header field in FILE.
hdr() { grep -i "^$2:" "$1" | cut -d' ' -f2-; }
for d in $(seq -w 1 "$ncases"); do
	printf '%s\n' "/hostile/2024/03/$d/1" "/hostile/2024/03/$d/1/raw" "/hostile/2024/03/$d/"
done >msgs.list
batch msgs
i=0
for d in $(seq -w 1 "$ncases"); do
	cp "msgs/$((i + 1))" "pages/msg-$d.html"
	cp "msgs/$((i + 2))" "att/$d-raw"
	cp "msgs/$((i + 3))" "pages/day-$d.html"
	i=$((i + 3))
done
# Attachments 1, 2, ... of every message, until a 404: in rounds, one
# batch a round, of the messages that had attachment K-1.
seq -w 1 "$ncases" >alive.txt
for k in $(seq 1 40); do
	[ -s alive.txt ] || break
	sed "s|.*|/hostile/2024/03/&/1/$k|" alive.txt >att$k.list
	ALLOW404=1 batch "att$k"
	i=0
	: >alive.next
	while read -r d; do
		i=$((i + 1))
		[ "$(awk -v i=$i '$1 == i { print $2 }' "att$k.txt")" = 404 ] && continue
		echo "$d" >>alive.next
		cp "att$k/$i" "att/$d-$k"
		printf '%s/%s\t%s\t%s\n' "$d" "$k" "$(hdr "att$k/$i.head" Content-Type)" \
			"$(hdr "att$k/$i.head" Content-Disposition)" >>types.txt
	done <alive.txt
	mv alive.next alive.txt
done
i=0
for d in $(seq -w 1 "$ncases"); do
	i=$((i + 3))
	printf '%s/raw\t%s\t\n' "$d" "$(hdr "msgs/$((i - 1)).head" Content-Type)" >>types.txt
done
check_eq "every hostile message, attachment and raw message answers 200, without a sanitizer report" \
	"$bad_status" 0
LISTS=(/ /hostile/ /hostile/2024/ /hostile/2024/03/ /lkml/
	"/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E" "/hostile/?q=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E"
	"/hostile/2024/03/?q=javascript%3Aalert(1)&page=1")
printf '%s\n' "${LISTS[@]}" | getall lists
i=0
for u in "${LISTS[@]}"; do
	i=$((i + 1))
	cp "lists/$i" "pages/list-$(echo "$u" | tr -c 'a-z0-9\n' _).html"
	st=$(awk -v i=$i '$1 == i { print $2 }' lists.txt)
	# A query that is not one (an unbalanced quote) is a 400 page.
	case "$st/$u" in
	200/* | 400/*\?q=*) ;;
	*) not_ok "$u: status $st" ;;
	esac
done
echo "# $(ls pages | wc -l) pages, $(wc -l <types.txt) attachments and raw messages"

# ---- the proof: every page, as a browser parses it ----
pagecheck --strict --html5 pages/*.html >bad.txt
check "every page parses as HTML5, with only our elements, attributes and link schemes, and no override" \
	[ ! -s bad.txt ]
head -20 bad.txt | sed 's/^/#   /'
check_eq "no '<script' from a message reaches any page" "$(cat pages/*.html | grep -ci '<script')" 0
# Our escapers write '<', '>' and '"' in attribute values as references:
# a tag ends at the first '>', and its values are the "..." in it.
check_eq "no event attribute from a message reaches any page" \
	"$(cat pages/*.html | grep -oE '<[a-zA-Z][^>]*>' | sed -E 's/"[^"]*"/""/g' |
		grep -ciE '[[:space:]"'"'"'/]on[a-z]+[[:space:]]*=')" 0
check_eq "no href other than the archive's, anchors on the page, http(s)/ftp (no mailto:, not even the reply block's)" \
	"$(cat pages/*.html | grep -oiE 'href="[^"]*"' | grep -viE '^href="(/|#[A-Za-z0-9]+"|https?://|ftp://)' | wc -l)" 0
# Addresses are obfuscated everywhere, the reply block's git send-email
# line too: no address of a message's From, To, Cc or Reply-To shows
# whole on any page (a Message-ID of the same spelling aside).
"$PYTHON" - hostile.mbox pages/*.html >whole.txt <<'EOF'
import email.utils, mailbox, re, sys
addrs, mids = set(), set()
for m in mailbox.mbox(sys.argv[1]):
    for h in ("From", "To", "Cc", "Reply-To"):
        for _, a in email.utils.getaddresses([str(v) for v in m.get_all(h, [])]):
            if re.fullmatch(r"[\w.+-]+@[\w-]+\.[\w.-]+", a):
                addrs.add(a.lower())
    mids.add(str(m.get("Message-ID", "")).strip().strip("<>").lower())
addrs -= mids
for f in sys.argv[2:]:
    text = open(f, encoding="utf-8", errors="replace").read().lower()
    for a in sorted(addrs):
        if re.search(r"(?<![\w.+-])" + re.escape(a) + r"(?![\w-])", text):
            print(f, a)
print("# %d addresses looked for" % len(addrs), file=sys.stderr)
EOF
check_eq "no address of a message's headers shows whole on any page (reply blocks included)" \
	"$(head -5 whole.txt)" ""
check "the payloads are there, as text (the page of case 1 shows <script> escaped)" \
	grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' pages/msg-01.html
check "</pre> in a body stays inside the <pre>" \
	grep -qF '&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;pre&gt;' pages/msg-01.html
check "--> in a body is text" grep -qF -- '--&gt;&lt;script&gt;alert(3)' pages/msg-01.html
check "a right-to-left override shows as '.'" grep -qF 'exe..gnp' pages/msg-01.html
check "encoded words decode to text, escaped" grep -qF 'Subject: &lt;script&gt;alert(1)&lt;/script&gt;' pages/msg-02.html
check "a javascript: URL in a body is not a link" bash -c "! grep -qi 'href=\"javascript' pages/*.html"
check "an HTML-only message is shown as text" grep -qF 'click' pages/msg-04.html
check "10,000 nested parts: the page says they nest too deep" \
	grep -qF '[MIME parts nested too deep to show: see the raw message]' pages/msg-07.html

# ---- attachments and raw messages: never something a browser runs ----
check_eq "attachments and raw messages are text/plain or a download of a safe type" \
	"$(cut -f2 types.txt | grep -vE '^(text/plain; charset=[A-Za-z0-9_-]+|application/(octet-stream|pdf|gzip|x-gzip))$' | sort | uniq -c)" ""
check_eq "anything not text is a download (Content-Disposition: attachment)" \
	"$(awk -F'\t' '$2 !~ /^text\/plain/ && $3 !~ /^attachment;/' types.txt)" ""
check_eq "file names are reduced to letters, digits, '.', '_' and '-'" \
	"$(cut -f3 types.txt | grep -v '^$' | grep -vE '^(attachment|inline); filename="[A-Za-z0-9._-]+"$')" ""
cut -f2,3 types.txt | sort | uniq -c | sed 's/^/# /'

# ---- the gigabyte and the bomb ----
gzsize=$("$PYTHON" - hostile.mbox <<'EOF'
import base64, re, sys
data = open(sys.argv[1], "rb").read()
b64 = data.split(b'filename="zeros.gz"\nContent-Transfer-Encoding: base64\n\n', 1)[1].split(b"--ZB", 1)[0]
open("zeros.gz", "wb").write(base64.decodebytes(b64))
print(len(base64.decodebytes(b64)))
EOF
)
check "the bomb attachment is the gzip bytes as sent, not inflated (${gzsize} bytes)" cmp -s att/09-1 zeros.gz
check "...and inflates to 1 GiB (it is a bomb)" \
	[ "$(gzip -dc zeros.gz | wc -c)" = 1073741824 ]
check "the text one with Content-Encoding: gzip is not inflated either (under 4 MB)" \
	[ "$(wc -c <att/09-2)" -lt 4000000 ]
check "the declared gigabyte is not there: its attachment is a few bytes" [ "$(wc -c <att/08-1)" -lt 100 ]
peak() {
	/usr/bin/time -f %M -o rss.txt "$@" >/dev/null 2>&1
	tail -1 rss.txt
}
for p in /hostile/2024/03/09/1 /hostile/2024/03/09/1/1 /hostile/2024/03/09/1/2 /hostile/2024/03/08/1 \
	/hostile/2024/03/08/1/1 /hostile/2024/03/07/1; do
	kb=$(peak "$RELEASE" get --data "$DATA" "$p")
	check "peak RSS of $p (release build) is under 64 MiB (${kb} KiB)" [ "$kb" -lt 65536 ]
done

# ---- the same through the server ----
LISTARC_HTTP_TIMEOUTS="3 3 2" start_server serve
port=$PORT
hdrs() { curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$1" | tr -d '\r'; }
hdrs /hostile/2024/03/09/1/1 >h.txt
check "the server sends the bomb as application/gzip" grep -qx 'content-type: application/gzip' h.txt
check "...as a download" grep -q '^content-disposition: attachment; filename="zeros.gz"' h.txt
check "...never with Content-Encoding: gzip (a browser would inflate it)" bash -c '! grep -qi "^content-encoding" h.txt'
hdrs /hostile/2024/03/03/1/1 >h.txt
check "an HTML attachment is sent as text/plain" grep -qx 'content-type: text/plain; charset=utf-8' h.txt
check "...with nosniff" grep -qx 'x-content-type-options: nosniff' h.txt
hdrs /hostile/2024/03/01/1 >h.txt
check "every page carries a Content-Security-Policy without scripts" \
	grep -qx "content-security-policy: default-src 'none'; style-src 'self'; img-src 'self'" h.txt
curl -s "http://127.0.0.1:$port/hostile/2024/03/01/1" >served.html
check "the server's message page is the one checked above" cmp -s served.html pages/msg-01.html
stop_server serve
