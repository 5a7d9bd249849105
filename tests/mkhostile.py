#!/usr/bin/env python3
"""mkhostile.py: the hostile corpus of t7100-escaping.

    mkhostile.py OUT.mbox

Writes an mbox of messages made to break a page: <script> tags, event
attributes, javascript: and other foreign URLs, broken character
references, </pre> and --> in bodies, headers and attachment names
(raw, RFC 2047 and RFC 2231 encoded), bidirectional overrides, HTML mail,
an embedded message, 10,000 nested MIME parts, a gigabyte of content that
is declared but missing, and a gzip bomb (1 GiB of zeros in about 1 MB)
attached as application/gzip.  One message a day from 2024-03-01, so that
every message is first on its day page: /hostile/2024/03/DD/1.  Prints
one line per message: "DAY<TAB>what it is".
"""
import base64
import sys
import zlib

S = "<script>alert(1)</script>"
E = '"><img src=x onerror=alert(1)>'
A = "' onmouseover='alert(1)' x='"
J = "javascript:alert(1)"
P = "</pre><script>alert(2)</script><pre>"
C = "--><script>alert(3)</script><!--"
RLO = "\u202e"
ISO = "\u2066isolated\u2069"
ENT = "&amp &lt;script&gt &#x3c;script&#x3e; &#0; &#xD800; &#99999999; &notanentity; & &#; &#x;"
ALL = " ".join([S, E, A, J, P, C, ENT, "exe." + RLO + "gnp", ISO])
URLS = "\n".join([
    J, "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)", "mailto:x@example.org?subject=<script>alert(1)</script>",
    'http://example.org/"onmouseover=alert(1)//', "http://example.org/'onmouseover='alert(1)",
    "http://example.org/<script>alert(1)</script>", "https://example.org/?a=1&b=2&amp;c=<d>",
    "ftp://example.org/';alert(1)//", "http://example.org/javascript:alert(1)",
    "http://" + RLO + "example.org/", "http://example.org/" + RLO + "gnp.exe",
    "//evil.example/protocol-relative", "<a href=\"javascript:alert(1)\">click</a>",
    "http://example.org/&quot;onmouseover=alert(1)", "https://[::1]/\"><svg onload=alert(1)>",
])


def ew(text, enc="b"):
    """An RFC 2047 encoded word of text."""
    raw = text.encode()
    if enc == "b":
        return "=?utf-8?b?%s?=" % base64.b64encode(raw).decode()
    return "=?utf-8?q?%s?=" % "".join(
        chr(c) if chr(c).isalnum() else "=%02X" % c for c in raw)


def rfc2231(text):
    return "utf-8''" + "".join(chr(c) if chr(c).isalnum() or chr(c) in ".-_" else "%%%02X" % c
                               for c in text.encode())


msgs = []


def add(what, head, body):
    msgs.append((what, head, body))


def head(n, subject, extra=""):
    return ("Message-ID: <hostile-%d@example.org>\nFrom: Hostile <h@example.org>\n"
            "To: list@example.org\nDate: %s\nSubject: %s\n%s") % (n, "Fri, %d Mar 2024 10:00:00 +0000" % n,
                                                             subject, extra)


# 1. Every payload raw in every shown header, and in the body.
add("payloads raw in every header and the body",
    "Message-ID: <%s@example.org>\nDate: %s Fri, 1 Mar 2024 10:00:00 +0000\n"
    "From: %s <x%s@example.org>\nTo: %s <to@example.org>, %s\nCc: %s <cc@example.org>\n"
    "Subject: [hostile] %s\nReferences: <%s> <%s>\nIn-Reply-To: <%s>\n"
    % (S + P, S, S + E + RLO, S, E + A, C, P + C, ALL, S, P, E),
    "Body: " + ALL + "\n\n" + URLS + "\n\n" + P + "\n" + C + "\n<!--\n]]>\n</textarea></title></script>\n"
    + RLO + "right-to-left override in the body\n" + (S * 2000) + "\n")

# 2. The same through RFC 2047 encoded words.
add("payloads in encoded words",
    head(2, ew(ALL) + " " + ew(P, "q"), "Cc: %s <cc@example.org>\nTo: %s <to@example.org>\n"
         % (ew(S + E), ew(C + RLO, "q"))).replace("From: Hostile <h@example.org>",
                                                    "From: %s <h@example.org>" % ew(S + RLO + P)),
    "encoded words above\n")

# 3. Attachments with hostile names, raw, RFC 2047 and RFC 2231, and
# types a browser would run.
parts = [  # type and parameters, Content-Disposition (or ""), content
    ("text/plain", "", "the text part " + S + "\n"),
    ('text/html; name="%s.html"' % S, 'attachment; filename="%s.html"' % S,
     "<html><body onload=alert(1)>" + S + "</body></html>\n"),
    ("application/octet-stream; name=\"%s.bin\"" % E.replace('"', "'"), "", "bytes\n"),
    ("text/plain; name*=" + rfc2231(P + ".txt"), "", "a text attachment\n"),
    ("application/pdf", 'attachment; filename="%s"' % ew(C + ".pdf"), "%PDF-1.4\n"),
    ('image/svg+xml; name="x.svg"', "attachment", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>\n'),
    ("application/x-msdownload", "attachment; filename*=" + rfc2231("invoice" + RLO + "fdp.exe"), "MZ\n"),
    ('text/plain; name="%s.txt"' % J, "", J + "\n"),
    ('application/javascript; name="x.js"', 'attachment; filename="%s.js"' % S, "alert(1)\n"),
    ('text/html; charset=utf-7; name="u7.html"', "", "+ADw-script+AD4-alert(1)+ADw-/script+AD4-\n"),
]
body = ""
for ctype, disp, content in parts:
    body += "--XX\nContent-Type: %s\n%s\n%s" % (ctype, "Content-Disposition: %s\n" % disp if disp else "",
                                                 content)
add("attachments with hostile names and types",
    head(3, "attachments " + S, 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n'),
    body + "--XX--\n")

# 4. HTML mail only: shown as text, never as HTML.
add("an HTML-only message",
    head(4, "html only", "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n"),
    "<html><head><base href=\"javascript:alert(1)//\"><meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">"
    "<style>body{background:url(javascript:alert(1))}</style><script>alert(1)</script></head>"
    "<body onload=alert(1)><a href=\"javascript:alert(1)\">click</a><img src=x onerror=alert(1)>"
    "<iframe src=\"javascript:alert(1)\"></iframe><form action=\"javascript:alert(1)\"><input></form>"
    "<!-- " + C + " --><![CDATA[" + S + "]]><p>" + ENT + "</p><pre>" + P + "</pre>"
    "<svg><script>alert(1)</script></svg><math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>"
    + RLO + "</body></html>\n")

# 5. multipart/alternative with no text/plain, and an unknown type.
add("multipart/alternative with only HTML",
    head(5, "alternative", 'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="AA"\n'),
    "--AA\nContent-Type: text/x-evil\n\n" + S + "\n--AA\nContent-Type: text/html\n\n<b onclick=alert(1)>"
    + S + "</b>" + E + "\n--AA--\n")

# 6. An embedded message with hostile headers.
add("an embedded message",
    head(6, "embedded", 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="EM"\n'),
    "--EM\nContent-Type: text/plain\n\nsee below\n--EM\nContent-Type: message/rfc822\n"
    'Content-Disposition: inline; filename="%s.eml"\n\nFrom: %s\nSubject: %s\nTo: %s\nMessage-ID: <%s>\n\ninner %s\n--EM--\n'
    % (ew(P), S + RLO, ALL, E, C, P + C))

# 7. 10,000 nested MIME parts.
n = 10000
nested = "".join("--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n" % (i, i + 1) for i in range(n))
nested += "--b%d\nContent-Type: text/plain\n\ninnermost %s\n" % (n, S)
nested += "".join("--b%d--\n" % i for i in range(n, -1, -1))
add("10,000 nested MIME parts",
    head(7, "nested", 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0"\n'), nested)

# 8. A gigabyte declared, and missing: Content-Length, a size=
# parameter, a closing boundary that never comes, base64 cut mid-quantum,
# message/partial of a hundred thousand parts.
add("1 GB of declared but missing content",
    head(8, "declared " + S, "Content-Length: 1073741824\nMIME-Version: 1.0\n"
         'Content-Type: multipart/mixed; boundary="GB"\n'),
    "--GB\nContent-Type: text/plain\n\nwhere is the gigabyte?\n"
    "--GB\nContent-Type: application/octet-stream; name=\"big.iso\"\n"
    "Content-Disposition: attachment; filename=\"big.iso\"; size=1073741824\n"
    "Content-Length: 1073741824\nContent-Transfer-Encoding: base64\n\nAAAA\nAAA\n"
    "--GB\nContent-Type: message/partial; id=\"x@y\"; number=1; total=100000\n\nFrom: a\n\n"
    "--GB\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n\n"
    "cut in an escape =E2=80=\n")

# 9. A gzip bomb, attached three ways.
# 1,024 gzip members of 1 MiB of zeros each: gunzip reads them as one
# stream of 1 GiB (and they take a moment to make, not seconds).
member = zlib.compressobj(9, zlib.DEFLATED, 31)
gz = (member.compress(b"\0" * (1 << 20)) + member.flush()) * 1024
b64 = base64.encodebytes(gz).decode()
add("a gzip bomb (1 GiB of zeros) as an attachment",
    head(9, "bomb", 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="ZB"\n'),
    "--ZB\nContent-Type: text/plain\n\nthree gzip bombs\n"
    "--ZB\nContent-Type: application/gzip; name=\"zeros.gz\"\nContent-Disposition: attachment; filename=\"zeros.gz\"\n"
    "Content-Transfer-Encoding: base64\n\n" + b64 +
    "--ZB\nContent-Type: text/plain; charset=utf-8; name=\"zeros.txt\"\nContent-Encoding: gzip\n"
    "Content-Disposition: attachment; filename=\"zeros.txt\"\nContent-Transfer-Encoding: base64\n\n" + b64 +
    "--ZB\nContent-Type: application/x-gzip; name=\"%s.gz\"\nContent-Transfer-Encoding: base64\n\n" % S + b64 +
    "--ZB--\n")

# 10. Control characters, NULs and overrides in names and subjects.
add("control characters and overrides",
    head(10, "ctl \x01\x1b[31m red \x7f " + RLO + "txt.exe \u2067x\u2069 \u200f",
         'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="CT"\n').replace(
        "From: Hostile", "From: \x1b[2J" + RLO + "Hostile\x00"),
    "--CT\nContent-Type: text/plain\n\nbell \x07 escape \x1b[0m nul \x00 " + RLO + "\n"
    "--CT\nContent-Type: application/octet-stream; name=\"a\x00b\x1b" + RLO + ".bin\"\n\nx\n--CT--\n")

# 11. Broken character references and markup cut in the middle, in the
# subject (which the listings show) and the attachment name.
add("broken references and cut markup",
    head(11, ENT + " <scr" + "ipt <img src=x onerror=alert(1)// <a href='", 'MIME-Version: 1.0\n'
         'Content-Type: multipart/mixed; boundary="BR"\n'),
    "--BR\nContent-Type: text/plain\n\n<scr\nipt>alert(1)</scr\nipt> <img\nsrc=x\nonerror=alert(1)> &#x3c;\n"
    "--BR\nContent-Type: text/plain; name=\"" + ENT.replace('"', "") + "\"\n\nx\n--BR--\n")

with open(sys.argv[1], "w", encoding="utf-8", newline="\n", errors="surrogateescape") as f:
    for i, (what, h, b) in enumerate(msgs):
        day = i + 1
        f.write("From hostile@example.org Fri Mar %2d 10:00:00 2024\n" % day)
        # mboxrd: body lines starting with From get a '>'.
        text = h + "\n" + b
        text = "\n".join(">" + l if l.lstrip(">").startswith("From ") else l for l in text.split("\n"))
        f.write(text.rstrip("\n") + "\n\n")
        print("%02d\t%s" % (day, what))
