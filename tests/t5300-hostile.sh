#!/usr/bin/env bash
# t5300-hostile: hostile input, one mbox (one list) per case, each hostile
# message between two normal ones: it gets a page or a clear error, its
# neighbours keep theirs, nothing crashes, hangs or leaks (ASan+UBSan+LSan
# build), memory stays bounded, and no markup from a message reaches a
# page: every page parses, and has only the elements and attributes that
# our templates write (tests/pagecheck.py).
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 106

# gen.py CASE: writes CASE.mbox: a normal message on 2024-01-01, the
# hostile one on 2024-01-02, a normal one on 2024-01-03 (truncation cases:
# normal, normal, then the truncated one last, on 2024-01-03).
cat >gen.py <<'EOF'
import base64, os, sys

def normal(case, which, day, extra=b""):
    return (b"From normal@example.org Mon Jan %2d 10:00:00 2024\n" % day +
            b"Message-ID: <%s-%s@example.org>\n" % (case, which) +
            b"From: Normal Sender <normal@example.org>\nTo: list@example.org\n" + extra +
            b"Subject: normal %s %s\nDate: Mon, %d Jan 2024 10:00:00 +0000\n\n" % (case, which, day) +
            b"A normal body %s-%s.\n\n" % (case, which))

FROM2 = b"From hostile@example.org Tue Jan  2 11:00:00 2024\n"
def head(case, subject=None):
    return (b"Message-ID: <%s@example.org>\nFrom: Hostile <h@example.org>\n" % case +
            b"Date: Tue, 2 Jan 2024 11:00:00 +0000\nSubject: %s\n" % (subject or case))

S = b"<script>alert(1)</script>"
E = b'"><img src=x onerror=alert(1)>'

def hostile(case):
    if case == b"nul":
        return (FROM2 + b"Message-ID: <nul\x00id@example.org>\nFrom: N\x00ul <nul@exa\x00mple.org>\n"
                b"Date: Tue, 2 Jan 2024 11:00:00 +0000\nSubject: nul \x00 in subject\nX-Nul: \x00\x00\n\n"
                b"body with a \x00 nul\x00byte\n\x00\n\n")
    if case == b"longline":
        return (FROM2 + b"Message-ID: <longline@example.org>\nFrom: Hostile <h@example.org>\n"
                b"Date: Tue, 2 Jan 2024 11:00:00 +0000\nSubject: " + b"s" * (1 << 20) + b"\n\n"
                b"the body after a 1 MB header line\n\n")
    if case == b"refs":
        refs = b"".join(b" <ref%d@example.org>\n" % i for i in range(1, 9999))
        return (FROM2 + head(case) + b"References: <refs-before@example.org>\n" + refs +
                b" <refs-last@example.org>\nIn-Reply-To: <refs-before@example.org>\n\n"
                b"a reply with 10,000 References\n\n")
    if case == b"big":
        out = [FROM2 + head(case) + b"MIME-Version: 1.0\n"
               b"Content-Type: multipart/mixed; boundary=\"BIG\"\n\n--BIG\n"
               b"Content-Type: text/plain\n\nSee the attachment.\n--BIG\n"
               b"Content-Type: application/octet-stream; name=\"big.bin\"\n"
               b"Content-Disposition: attachment; filename=\"big.bin\"\n"
               b"Content-Transfer-Encoding: base64\n\n"]
        chunk = os.urandom(1048575)  # a multiple of 3: chunks join as one base64 stream
        enc = base64.encodebytes(chunk)
        out += [enc] * 100
        out.append(base64.encodebytes(os.urandom(100)))  # 100 MiB in all
        out.append(b"--BIG--\n\n")
        return b"".join(out)
    if case == b"charset":
        return (FROM2 + b"Message-ID: <charset@example.org>\n"
                b"From: =?x-unknown-cs?q?caf=E9?= <c@example.org>\n"
                b"To: \xe9t\xe9 <t@example.org>\nDate: Tue, 2 Jan 2024 11:00:00 +0000\n"
                b"Subject: bad \xff\xfe utf8 \xc3 and =?utf-8?b?/w==?= and =?no-such-charset?q?=E9t=E9?=\n"
                b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"CS\"\n\n"
                b"--CS\nContent-Type: text/plain; charset=utf-8\n\n"
                b"invalid \xff\xfe\xc3\x28 utf-8 \xed\xa0\x80 surrogate \xf4\x90\x80\x80 too big\n"
                b"--CS\nContent-Type: text/plain; charset=x-no-such-charset\n\nunknown charset caf\xe9\n"
                b"--CS\nContent-Type: text/plain; charset=\"" + b"A" * 300 + b"\"\n\nlong charset name \xe9\n"
                b"--CS\nContent-Type: text/plain; charset=iso-2022-jp\n\n\x1b$B\xff\xff\x1b(B broken iso-2022-jp\n"
                b"--CS\nContent-Type: text/plain; charset=utf-16\n\n\xff\xfeh\x00i\x00\x00\xd8\n"
                b"--CS\nContent-Type: text/plain; charset=utf-7\n\n+ADw-script+AD4-alert(1)+ADw-/script+AD4-\n"
                b"--CS--\n\n")
    if case == b"script":
        return (FROM2 +
                b"Message-ID: <" + S + b"@example.org>\n"
                b"Date: " + S + b" Tue, 2 Jan 2024 11:00:00 +0000\n"
                b"From: " + S + b" <x" + S + b"@example.org>\n"
                b"To: " + E + b" <to@example.org>, " + S + b"\n"
                b"Cc: =?utf-8?q?=3Cscript=3Ealert=281=29=3C/script=3E?= <cc@example.org>, " + E + b"\n"
                b"Subject: " + S + b" =?utf-8?b?PHNjcmlwdD5hbGVydCgyKTwvc2NyaXB0Pg==?= " + E + b"\n"
                b"References: <" + S + b">\nIn-Reply-To: <" + E + b">\n"
                b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n"
                b"--XX\nContent-Type: text/plain\n\nbody " + S + b" http://example.org/\"onmouseover=alert(1)//\n"
                b"--XX\nContent-Type: text/html\nContent-Disposition: attachment; filename=\"" + S + b".html\"\n\n"
                b"<html><body onload=alert(1)>" + S + b"</body></html>\n"
                b"--XX\nContent-Type: application/octet-stream; name=\"" + E.replace(b'"', b"'") + b".bin\"\n"
                b"Content-Transfer-Encoding: base64\n\naGVsbG8=\n"
                b"--XX\nContent-Type: text/plain; name*=utf-8''%3Cscript%3Ealert(3)%3C%2Fscript%3E.txt\n\n"
                b"a text attachment\n"
                b"--XX\nContent-Type: message/rfc822\n"
                b"Content-Disposition: attachment; filename=\"=?utf-8?q?=3Cscript=3E?=.eml\"\n\n"
                b"From: " + S + b"\nSubject: " + S + b"\nTo: " + E + b"\n\ninner " + S + b"\n"
                b"--XX--\n\n")
    if case == b"noheaders":
        return FROM2 + b"a body line, and no header at all\nanother line\n\n"
    if case == b"nested":
        n = 10000
        out = [FROM2 + head(case) + b"MIME-Version: 1.0\n"
               b"Content-Type: multipart/mixed; boundary=\"b0\"\n\n"]
        out += [b"--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n" % (i, i + 1) for i in range(n)]
        out.append(b"--b%d\nContent-Type: text/plain\n\ninnermost text\n" % n)
        out += [b"--b%d--\n" % i for i in range(n, -1, -1)]
        return b"".join(out) + b"\n"
    if case == b"fromline":
        return (b"From " + b"x" * 3000 + b" Tue Jan  2 11:00:00 2024\n" + head(case) +
                b"\nafter a From_ line of 3 KB\n\n")
    if case == b"parens":
        return FROM2 + head(case) + b"\nhttp://example.org/" + b")" * (1 << 20) + b"\n\n"
    raise SystemExit("no case %s" % case)

case = sys.argv[1].encode()
with open(sys.argv[1] + ".mbox", "wb") as f:
    if case.startswith(b"trunc"):
        f.write(normal(case, b"before", 1))
        f.write(normal(case, b"after", 2))
        f.write(b"From hostile@example.org Wed Jan  3 11:00:00 2024\n")
        if case == b"trunc-header":
            f.write(b"Message-ID: <trunc-header@example.org>\nFrom: T <t@example.org>\nSubject: cut in the mid")
        else:
            f.write(b"Message-ID: <trunc-body@example.org>\nFrom: T <t@example.org>\n"
                    b"Subject: cut in the body\n\nfirst line\nsecond li")
    else:
        f.write(normal(case, b"before", 1))
        f.write(hostile(case))
        extra = b"In-Reply-To: <refs@example.org>\n" if case == b"refs" else b""
        f.write(normal(case, b"after", 3, extra))
EOF

# The URL of the message that is N-th of day D of CASE.
url() { echo "/$1/2024/01/0$2/${3:-1}"; }
mkdir -p pages
# neighbours CASE: the messages before and after the hostile one have
# their pages, with their own bodies.
neighbours() {
	local c=$1 d which
	for which in before after; do
		d=1
		[ $which = after ] && d=3
		[ $which = after ] && [ "${c#trunc}" != "$c" ] && d=2
		get "$(url "$c" $d)" >"pages/$c-n$d.html"
		if [ "$STATUS/$RC" = 200/0 ] && grep -q "A normal body $c-$which\.$" "pages/$c-n$d.html"; then
			ok "$c: the message $which it has its page"
		else
			not_ok "$c: the message $which it has its page (status $STATUS, exit $RC)"
			grep -E 'ERROR|SUMMARY|runtime error' "$T/get.err" | head -5 | sed 's/^/#   /'
		fi
	done
}
# hostile CASE: indexes CASE.mbox (three messages) and fetches the
# hostile message's page into pages/CASE.html.
hostile() {
	local c=$1
	"$PYTHON" gen.py "$c"
	la index --data "$DATA" "$c" "$c.mbox" 2>"$c.err"
	local rc=$?
	if [ $rc -eq 0 ] && grep -q "^$c: 3 messages indexed" "$c.err"; then
		ok "$c: indexes, three messages"
	else
		not_ok "$c: indexes, three messages (exit $rc)"
		head -5 "$c.err" | sed 's/^/#   /'
	fi
	get "$(url "$c" 2)" >"pages/$c.html"
	if [ "$STATUS/$RC" = 200/0 ]; then
		ok "$c: the hostile message has its page"
	else
		not_ok "$c: the hostile message has its page (status $STATUS, exit $RC)"
		grep -E 'ERROR|SUMMARY|runtime error|^    #[0-9] ' "$T/get.err" | head -12 | sed 's/^/#   /'
	fi
	neighbours "$c"
}
# The <pre> of a page as text.
cat >pre.py <<'EOF'
import html, re, sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre class="msg">\n(.*?)</pre>', s, re.S)
sys.stdout.write(html.unescape(re.sub(r"<[^>]*>", "", m.group(1))) if m else "(no <pre>)\n")
EOF
pre() { "$PYTHON" pre.py "$1"; }

# ---- a truncated last message (cut mid-header, cut mid-line) ----
# Where no lock can be taken (a directory without write permission), the
# last message of a file that changed a moment ago waits until it has
# settled (LISTARC_SETTLE); then, no writer having finished it, it is
# indexed as it is.  Where locks can be taken and nobody holds one, the
# file is whole as it is: all three at once.
for c in trunc-header trunc-body; do
	"$PYTHON" gen.py "$c"
	mkdir "ro-$c" && cp "$c.mbox" "ro-$c/" && chmod a-w "ro-$c"
	LISTARC_SETTLE=10 la index --data "$DATA" "$c" "ro-$c/$c.mbox" 2>"$c.err"
	rc=$?
	check_eq "$c: a fresh mbox in a read-only directory whose last message is cut indexes (exit 0)" $rc 0
	check "$c: ...the two complete messages" grep -q "^$c: 2 messages indexed" "$c.err"
	check "$c: ...and says the cut one is left for the next run" \
		grep -q "ro-$c/$c.mbox: the message at offset [0-9]* may still be being written (no lock can be taken, and the file changed less than LISTARC_SETTLE seconds ago, .*left for the next run" "$c.err"
	neighbours "$c"
	# Once the file has settled (no writer finishes it), it is indexed as is.
	touch -d '-1 minute' "ro-$c/$c.mbox"
	LISTARC_SETTLE=10 la index --data "$DATA" "$c" 2>"$c.err"
	check "$c: once the file is older than the settle time the cut message is indexed" \
		grep -q "^$c: 1 messages indexed" "$c.err"
	get "$(url "$c" 3)" >"pages/$c.html"
	check_eq "$c: ...and has a page" "$STATUS/$RC" "200/0"
	chmod u+w "ro-$c"
	LISTARC_SETTLE=10 la index --data "$T/rw-$c" "$c" "$c.mbox" 2>"$c.err"
	check "$c: in a writable directory, nobody holding a lock, all three are indexed at once" \
		grep -q "^$c: 3 messages indexed" "$c.err"
	check "$c: ...and no lock file is left beside it" [ ! -e "$c.mbox.lock" ]
done
check "the page of a message cut mid-header shows the header as far as it goes" \
	grep -qx 'Subject: cut in the mid' <(pre pages/trunc-header.html)
check_eq "the page of a message cut mid-line shows the body as far as it goes" \
	"$(pre pages/trunc-body.html | tail -2)" "$(printf 'first line\nsecond li')"

# ---- NUL bytes in headers and body ----
hostile nul
check_eq "NULs show as '.' in headers and body" \
	"$(pre pages/nul.html | grep -E '^(From|Subject|body)|^\.$' | tr '\n' '|')" \
	'From: N.ul <nul@exa.mple.org>|Subject: nul . in subject|body with a . nul.byte|.|'
check "a NUL inside a Message-ID does not cut it short in the index" \
	[ "$(sqlite3 "$DATA/index.sqlite" "SELECT count(*) FROM mids WHERE mid = 'nul'")" = 0 ]

# ---- a 1 MB header line ----
hostile longline
check "the header block cut at HEAD_MAX is reported" grep -q '1 header blocks cut at 256 KiB' longline.err
check_eq "the page shows the 1 MB field cut at HDR_SHOW_MAX (64 KiB) and marked" \
	"$(pre pages/longline.html | grep '^Subject:' | wc -c)" $((9 + 65535 + 6 + 1))
check "...the marker" grep -q 's \[\.\.\.\]$' pages/longline.html
check "...and the body after it" grep -qx 'the body after a 1 MB header line' pages/longline.html
get /longline/2024/01/02/ >pages/longline-day.html
check_eq "the day page shows the subject cut at SUBJECT_MAX (1024 bytes)" \
	"$(grep -o '<li><a href="/longline/2024/01/02/1">s*</a>' pages/longline-day.html | sed 's/<[^>]*>//g' | tr -d '\n' | wc -c)" 1024

# ---- 10,000 References ----
hostile refs
check "the message still threads: In-Reply-To names its parent (thread-prev)" \
	grep -q 'href="/refs/2024/01/01/1">&lt;thread-prev' pages/refs.html
check "...and a reply to it is its thread-next" \
	grep -q 'href="/refs/2024/01/03/1">thread-next&gt;' pages/refs.html
# Kept: the first (the message before, which is in the archive) and the
# last 63 (ref9937..ref9998 and refs-last), which become ghosts.
check_eq "only REFS_MAX (64) references are kept: the first and the last 63" \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT group_concat(mid, ' ') FROM (SELECT mid FROM mids
		WHERE msgs = 0 AND (mid LIKE 'ref_%@example.org') ORDER BY mid)")" \
	"$(for i in $(seq 9937 9998); do echo "ref$i@example.org"; done | sort | tr '\n' ' ')refs-last@example.org"

# ---- a 100 MiB attachment (base64) ----
hostile big
get /big/2024/01/02/1/1 >big.bin
check_eq "the 100 MiB attachment downloads whole (ASan build)" "$STATUS/$RC/$(wc -c <big.bin)" "200/0/104857600"
check "...as the bytes that were encoded" cmp -s big.bin <("$PYTHON" -c '
import base64, sys
data = open("big.mbox", "rb").read()
b64 = data.split(b"Content-Transfer-Encoding: base64\n\n", 1)[1].split(b"--BIG--", 1)[0]
sys.stdout.buffer.write(base64.decodebytes(b64))')
check "the page links it with its size, estimated without decoding 100 MiB" \
	grep -q '<a href="/big/big@example.org/2-big.bin">Download attachment "big.bin"</a> of type "application/octet-stream" (about 104857600 bytes)' pages/big.html
rm -f big.bin
# Peak memory, measured on the release build: ASan's allocator keeps
# freed memory in quarantine (256 MiB by default) and its shadow adds an
# eighth, so its RSS says little about ours.  Bounds:
# - index: the scanner keeps a 2 MiB window and a 256 KiB header block,
#   whatever the message size: 64 MiB is far above that and far below the
#   141 MB message.
# - the page: GMime parses a message over MSG_INMEM_MAX (16 MiB) from the
#   file, and text shown is capped: 64 MiB again, below the message size.
# - the attachment: a response is built in memory, so its body (100 MiB)
#   is there once; 100 MiB + 64 MiB allows for that and nothing like a
#   second copy or the whole message.
peak() { # peak RSS in KiB of a command; its output is discarded
	/usr/bin/time -f %M -o rss.txt "$@" >/dev/null 2>&1
	tail -1 rss.txt
}
rm -rf rel
kb=$(peak "$RELEASE" index --data rel big big.mbox)
check "peak RSS of 'listarc index' of the 141 MB mbox is under 64 MiB (was ${kb} KiB)" [ "$kb" -lt 65536 ]
kb=$(peak "$RELEASE" get --data rel /big/2024/01/02/1)
check "peak RSS of 'listarc get' of its page is under 64 MiB (was ${kb} KiB)" [ "$kb" -lt 65536 ]
kb=$(peak "$RELEASE" get --data rel /big/2024/01/02/1/1)
check "peak RSS of 'listarc get' of the attachment is under 164 MiB (was ${kb} KiB)" [ "$kb" -lt 167936 ]
rm -rf rel big.mbox

# 100,000 empty MIME parts in 3 MB: GMime would build them all (140 MB);
# listarc does not hand such a message to GMime and says so.
"$PYTHON" -c '
import sys
body = "".join("--b\nContent-Type: text/plain\n\nx\n" for _ in range(100000))
sys.stdout.write("From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <parts@x>\nSubject: parts\n"
  "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n" + body + "--b--\n\n")' >parts.mbox
rm -rf rel
kb=$(peak "$RELEASE" index --data rel parts parts.mbox)
check "peak RSS of indexing a message of 100,000 MIME parts is under 64 MiB (was ${kb} KiB)" [ "$kb" -lt 65536 ]
kb=$(peak "$RELEASE" get --data rel /parts/2024/01/01/1)
check "peak RSS of its page is under 64 MiB (was ${kb} KiB)" [ "$kb" -lt 65536 ]
"$RELEASE" get --data rel /parts/2024/01/01/1 2>/dev/null | grep -q 'too many MIME parts to show'
check_eq "its page says why its parts are not shown one by one" $? 0
rm -rf rel parts.mbox

# ---- invalid UTF-8 and unknown charsets ----
hostile charset
pre pages/charset.html >charset.txt
check "invalid UTF-8 in a UTF-8 part: stray bytes read as windows-1252, forbidden sequences U+FFFD" \
	grep -qx 'invalid ÿþÃ( utf-8 ��� surrogate ���� too big' charset.txt
check "an unknown charset is read as UTF-8 or windows-1252" grep -qx 'unknown charset café' charset.txt
check "so is an over-long charset name" grep -qx 'long charset name é' charset.txt
check "raw 8-bit header bytes are windows-1252 when not UTF-8" grep -qx 'To: été <t@...mple.org>' charset.txt
check "an encoded word in an unknown charset is decoded, not dropped" grep -q '^From: café <c@' charset.txt
check "broken ISO-2022-JP and UTF-16 still show" grep -q 'broken iso-2022-jp' charset.txt
check "UTF-7 '<script>' stays text" grep -qx '<script>alert(1)</script>' charset.txt

# ---- <script> in every header and in attachment names ----
hostile script
pre pages/script.html >script.txt
for f in Message-ID Date From To Cc Subject; do
	check "<script> in $f: shown as text" grep -q "^$f: .*<script>alert(1)</script>" script.txt
done
check "an attachment name with <script> is shown as text" \
	grep -qF 'View attachment "&lt;script&gt;alert(1)&lt;/script&gt;.html"' pages/script.html
check "an RFC 2231 attachment name with <script> is shown as text" \
	grep -qF 'View attachment "&lt;script&gt;alert(3)&lt;/script&gt;.txt"' pages/script.html
: >att.txt
for k in 1 2 3 4; do
	get --headers "/script/2024/01/02/1/$k" >"pages/script-att$k"
	grep '^Content-' "$T/get.err" >>att.txt
	check_eq "attachment $k of the <script> message is 200" "$STATUS/$RC" "200/0"
done
check_eq "attachments are served as text/plain or a download, under safe file names" "$(cat att.txt)" \
	'Content-Type: text/plain; charset=utf-8
Content-Disposition: inline; filename="script_alert_1_script_.html"
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="img_src_x_onerror_alert_1_.bin"
Content-Type: text/plain; charset=utf-8
Content-Disposition: inline; filename="script_alert_3_script_.txt"
Content-Type: text/plain; charset=utf-8
Content-Disposition: inline; filename="script_.eml"'

# ---- a message with no headers at all ----
hostile noheaders
check "a message without headers shows its body" grep -qx 'a body line, and no header at all' pages/noheaders.html
check "...and is listed as (no subject)" sh -c \
	"'$LISTARC' get --data '$DATA' /noheaders/2024/01/02/ 2>/dev/null | grep -q '\">(no subject)</a>'"

# ---- 10,000 nested MIME parts ----
hostile nested
check "nesting deeper than MIME_DEPTH_MAX says so" \
	grep -qxF '[MIME parts nested too deep to show: see the raw message]' pages/nested.html

# ---- a From_ line longer than 1 KB ----
hostile fromline
check "the message after a 3 KB From_ line is a message of its own" \
	grep -qx 'after a From_ line of 3 KB' pages/fromline.html
check "...not part of the one before" sh -c '! grep -q "From_ line of 3 KB" pages/fromline-n1.html'

# ---- a URL followed by a million ')' (was quadratic) ----
"$PYTHON" gen.py parens
la index --data "$DATA" parens parens.mbox 2>/dev/null
guard "$LISTARC" get --data "$DATA" /parens/2024/01/02/1 >pages/parens.html 2>/dev/null
check_eq "a URL followed by a million ')' renders (exit 0)" $? 0
check "...linked without them" grep -q '^<a href="http://example.org/" rel="nofollow">http://example.org/</a>)))' pages/parens.html

# ---- every page of every case: no markup from a message ----
for c in $(sqlite3 "$DATA/index.sqlite" "SELECT name FROM lists"); do
	printf '%s\n' "/$c/" /$c/2024/ /$c/2024/01/ /$c/2024/01/01/ /$c/2024/01/02/ /$c/2024/01/03/
done >listings.list
echo / >>listings.list
getall listings <listings.list
brc=$?
check_eq "every list, year, month and day page and the site index is 200 (exit 0), in a batch that exits 0" \
	"$(awk '$2 != 200 || $3 != 0 { print $4 ": " $2 }' listings.txt | head -3)$brc/$(wc -l <listings.txt)" \
	"0/$(wc -l <listings.list)"
for f in listings/*; do cp "$f" "pages/listing-${f#listings/}.html"; done
pagecheck --strict pages/*.html >bad.txt
check "every page parses as HTML5 and has only our templates' elements and attributes" [ ! -s bad.txt ]
head -20 bad.txt | sed 's/^/#   /'
check_eq "no '<script' from a message reaches any page" "$(cat pages/*.html | grep -ci '<script')" 0
check_eq "no event attribute from a message reaches any page" \
	"$(cat pages/*.html | grep -ciE '<[^>]* on[a-z]+=')" 0
