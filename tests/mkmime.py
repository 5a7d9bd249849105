#!/usr/bin/env python3
"""mkmime.py SEED N: N messages (an mbox, on stdout) of random MIME shapes
for tests that compare two readers of MIME (t5531): nested multiparts
(digest, signed, ...), boundaries with white space or text after them,
missing end boundaries, parts without a blank line or with header lines
that are not fields, quoted-printable, base64, uuencode, named parts
(RFC 2231, encoded words), message/rfc822, LF and CRLF.  Deterministic
for a seed."""
import random, sys

random.seed(int(sys.argv[1]))
def part(depth):
    r = random.random()
    nl = NL
    if depth < 3 and r < 0.25:
        b = random.choice(['b%d' % depth, 'x', '=_%d' % random.randint(0,9), 'a b', 'B%d--' % depth])
        hdr = 'Content-Type: multipart/%s; boundary="%s"%s' % (random.choice(['mixed','alternative','signed','digest','related']), b, nl)
        body = random.choice(['', 'prologue' + nl, nl])
        n = random.randint(0, 3)
        for i in range(n):
            body += '--' + b + random.choice(['', ' ', '\t', '  x', '\r', '--']) + nl + part(depth+1)
        end = random.random()
        if end < 0.8:
            body += '--' + b + '--' + random.choice(['', ' ', 'x']) + nl + random.choice(['', 'epi' + nl])
        return hdr + random.choice([nl, 'X-A: 1' + nl + nl, '']) + body
    ct = random.choice(['text/plain', 'text/html', 'TEXT/Plain', 'application/pgp-signature', 'text/x-diff', 'message/rfc822', 'text', 'image/png', 'text/plain garbage'])
    h = ''
    if random.random() < 0.9:
        h += 'Content-Type: %s%s%s' % (ct, random.choice(['', '; charset=utf-8', '; charset="iso-8859-1"', ';\r\n\tcharset=windows-1252', '; name="a.txt"', '; charset=utf-8; format=flowed', "; name*=utf-8''%E2%82%AC.txt"]), nl)
    enc = random.choice([None, '7bit', '8bit', 'quoted-printable', 'base64', 'x-uuencode', 'QUOTED-PRINTABLE', 'binary'])
    if enc:
        h += 'Content-Transfer-Encoding: %s%s' % (enc, nl)
    if random.random() < 0.3:
        h += 'Content-Disposition: %s%s' % (random.choice(['inline', 'attachment; filename="p.patch"', 'attachment; filename="=?utf-8?q?x=C3=A9?="', 'attachment']), nl)
    if random.random() < 0.1:
        h += random.choice(['Content-Type : text/plain', 'Bogus line', '--x', 'From x']) + nl
    body = random.choice(['hello=20w=C3=A9rld' + nl + 'line2=' + nl + 'more', 'aGVsbG8K', 'diff --git a/f b/f' + nl + '--- a/f' + nl + '+++ b/f' + nl + '@@ -1 +1 @@' + nl + '-a' + nl + '+b', '> quoted' + nl + 'text \xe9', '', '<p>html &amp; x</p>'])
    return h + random.choice([nl, nl, '']) + body + random.choice([nl, '', nl + nl])
out = []
for i in range(int(sys.argv[2])):
    NL = random.choice(['\n', '\r\n', '\n'])
    top = 'From: a@b' + NL + 'Subject: s%d' % i + NL + 'MIME-Version: 1.0' + NL
    msg = top + part(0)
    msg = msg.replace('\nFrom ', '\n>From ')
    out.append('From x@y Mon Jan  1 00:00:00 2024\n' + msg + '\n')
sys.stdout.buffer.write(''.join(out).encode('utf-8', 'surrogateescape'))
