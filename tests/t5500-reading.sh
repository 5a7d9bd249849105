#!/usr/bin/env bash
# t5500-reading: what every page offers around its content, and how a
# message's text reads.  Every page type (site index, list, year, month,
# day, message, thread flat and nested, Message-ID page, series, latest
# messages, search results and help, a 404) has the skip link, the header
# with the search box of its list (the archive's on pages of no list), its
# feed and OpenSearch <link>s, which answer; the OpenSearch documents are
# XML with the search's template; a message page has its links line above
# the header-and-body block, its date in ISO form with UTC on hover; diffs
# are coloured by class with the diffstat linking each file's header;
# quotes and signatures are marked and folded; lore links to a message the
# archive has point at its page.  One `listarc get --batch` for the pages.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 18

la index --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
# A list of two messages: the second links the first on lore (and a
# message the archive lacks), quotes a long passage and signs.
{
	cat <<'EOF'
From a@example.org Mon Jan  1 10:00:00 2024
From: A <a@example.org>
To: t@example.org
Subject: [PATCH] x: first
Message-ID: <first.1@example.org>
Date: Mon, 1 Jan 2024 10:00:00 -0500

Body.
---
 x.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/x.c b/x.c
index 1..2 100644
--- a/x.c
+++ b/x.c
@@ -1 +1,2 @@
 a
+b
-- 
2.43.0

From b@example.org Mon Jan  1 11:00:00 2024
From: B <b@example.org>
To: t@example.org
Subject: Re: [PATCH] x: first
Message-ID: <second.2@example.org>
In-Reply-To: <first.1@example.org>
Date: Mon, 1 Jan 2024 17:00:00 +0100

See https://lore.kernel.org/lkml/first.1@example.org/ and
https://lore.kernel.org/r/absent.3@example.org and
https://lkml.kernel.org/r/first.1@example.org

EOF
	for i in $(seq 1 14); do echo "> quoted line $i"; done
	cat <<'EOF'

Reply.

-- 
B
Example Org
https://example.org/

EOF
} >two.mbox
la index --data "$DATA" two two.mbox 2>/dev/null

MID=155836081774.2441.16449538600904205092.stgit@localhost.localdomain
COVER=155836064844.2441.10911127801797083064.stgit@localhost.localdomain
cat >paths.txt <<EOF
/
/linux-kernel/
/linux-kernel/2019/
/linux-kernel/2019/05/
/linux-kernel/2019/05/20/
/linux-kernel/2019/05/20/4
/linux-kernel/$MID/
/linux-kernel/$MID/T/
/linux-kernel/$MID/t/
/linux-kernel/$COVER/s/
/linux-kernel/new.html
/linux-kernel/?q=s:copy_page_range
/_/search-help
/linux-kernel/2019/05/20/99
/two/2024/01/01/2
/_/opensearch.xml
/linux-kernel/_/opensearch.xml
/nosuch/_/opensearch.xml
/$(cd "$ROOT" && "$LISTARC" get --data "$DATA" / 2>/dev/null | grep -o '_/listarc-[0-9a-f]*\.css' | head -1)
EOF
getall pages <paths.txt
check "every path answered, no sanitizer report" bash -c "[ \$(wc -l <pages.txt) -eq $(wc -l <paths.txt) ] && [ ! -s pages.err ]"
check_eq "statuses" "$(cut -d' ' -f2 pages.txt | tr '\n' ' ')" \
	"200 200 200 200 200 200 200 200 200 200 200 200 200 404 200 200 200 404 200 "

check "the HTML pages are well formed, only our markup (strict, as a browser builds them)" \
	pagecheck --strict --html5 pages/{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15}

# chrome.py N LIST FEED...: page N's skip link, landmarks, search box
# (action /LIST/ or /), feed <link> and OpenSearch <link>, and that each
# target it names was asked for in paths.txt or answers in the batch.
cat >chrome.py <<'EOF'
import re, sys
bad = []
pages = {1: "", 2: "linux-kernel", 3: "linux-kernel", 4: "linux-kernel", 5: "linux-kernel",
         6: "linux-kernel", 7: "linux-kernel", 8: "linux-kernel", 9: "linux-kernel",
         10: "linux-kernel", 11: "linux-kernel", 12: "linux-kernel", 13: "", 14: "linux-kernel",
         15: "two"}
mid = sys.argv[1]
for n, lst in pages.items():
    s = open("pages/%d" % n, encoding="utf-8").read()
    pre = "/%s/" % lst if lst else "/"
    # Page 14 is the 404 of a list's page: its box is the archive's.
    if n == 14:
        pre = "/"
    want = [
        '<a class="skiplink" href="#main">',
        '<header>', '<nav aria-label="lists">', '<main id="main">', '<footer>',
        '<div role="search"><form class="search" method="get" action="%s">' % pre,
        '<a href="/_/search-help">help</a>',
        'rel="search" type="application/opensearchdescription+xml"',
        'href="%s_/opensearch.xml"' % pre,
    ]
    for w in want:
        if w not in s:
            bad.append("page %d: missing %s" % (n, w))
    feed = re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]*)">', s)
    if not feed:
        bad.append("page %d: no feed link" % n)
        continue
    href = feed.group(1).replace("&amp;", "&")
    expect = {1: "/all/new.atom", 6: "/linux-kernel/%s/t.atom" % mid, 7: "/linux-kernel/%s/t.atom" % mid,
              8: "/linux-kernel/%s/t.atom" % mid, 9: "/linux-kernel/%s/t.atom" % mid,
              12: "/linux-kernel/?q=s%3Acopy_page_range&x=A", 13: "/all/new.atom", 14: "/all/new.atom",
              15: "/two/second.2@example.org/t.atom"}.get(n, "/linux-kernel/new.atom")
    if href != expect:
        bad.append("page %d: feed %s, want %s" % (n, href, expect))
    print(href)
    # Headings in order: one h1 and no level skipped.
    levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", s)]
    if levels.count(1) != 1 or any(b > a + 1 for a, b in zip(levels, levels[1:])):
        bad.append("page %d: headings %s" % (n, levels))
for b in bad:
    print("# " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
"$PYTHON" chrome.py "$MID" >feeds.txt 2>chrome.err
check "every page: skip link, landmarks, its search box, feed and OpenSearch links, headings in order" \
	bash -c '[ ! -s chrome.err ] || { sed "s/^/#   /" chrome.err | head -10; false; }'
# The feeds the pages name answer, as Atom.
sort -u feeds.txt >feeds.u
getall feeds <feeds.u
check "each feed a page names answers 200 with an Atom feed" bash -c \
	"[ \$(grep -c ' 200 0 ' feeds.txt) -eq \$(wc -l <feeds.u) ] && for f in feeds/[0-9]*; do grep -q '<feed xmlns=\"http://www.w3.org/2005/Atom\"' \$f || exit 1; done"

# ---- the OpenSearch documents ----
cat >osd.py <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {"o": "http://a9.com/-/spec/opensearch/1.1/"}
for path, want in (("pages/16", "/?q={searchTerms}"), ("pages/17", "/linux-kernel/?q={searchTerms}")):
    r = ET.parse(path).getroot()
    urls = {u.get("type"): u.get("template") for u in r.findall("o:Url", ns)}
    assert r.find("o:ShortName", ns).text, path
    assert len(r.find("o:ShortName", ns).text) <= 16, path
    assert urls["text/html"] == want, (path, urls)
    assert urls["application/atom+xml"] == want + "&x=A", (path, urls)
print("ok")
EOF
check "the OpenSearch documents are XML with the search's URL template" "$PYTHON" osd.py
check_eq "the OpenSearch document of a list that does not exist: 404" "$(sed -n 18p pages.txt | cut -d' ' -f2)" 404
check "the stylesheet has a dark theme, a print style and visible focus" bash -c \
	"grep -q 'prefers-color-scheme:dark' pages/19 && grep -q '@media print' pages/19 && grep -q ':focus-visible' pages/19"

# ---- a message page ----
cat >msg.py <<'EOF'
import html, re, sys
s = open("pages/6", encoding="utf-8").read()
mid = sys.argv[1]
links = s.index('<p class="msglinks">')
pre = s.index('<pre class="msg">')
outline = s.index('<div class="thread"')
assert links < pre < outline, "the links line is above the block, the outline below"
line = s[links:s.index("</p>", links)]
for want in ['<time datetime="2019-05-20T17:00:17+03:00" title="2019-05-20 14:00:17 UTC">2019-05-20 17:00:17 +0300</time>',
             'href="/linux-kernel/%s/" rel="bookmark">permalink</a>' % mid,
             'href="/linux-kernel/2019/05/20/4/raw">raw</a>',
             'href="/linux-kernel/%s/T/#u">flat</a>' % mid,
             'href="/linux-kernel/%s/t/#u">nested</a>' % mid,
             'href="/linux-kernel/%s/t.mbox.gz">mbox.gz</a>' % mid,
             'href="#R">reply</a>']:
    assert want in line, want
assert 'id="R"' in s
print("ok")
EOF
check "the message page: date, permalink, raw, thread flat and nested, mbox.gz and reply above the block" \
	"$PYTHON" msg.py "$MID"
check_eq "the block keeps the Date: line as received" \
	"$(grep -c '^Date:   Mon, 20 May 2019 17:00:17 +0300$' pages/6)" 1

# ---- diffs ----
cat >diff.py <<'EOF'
import re
s = open("pages/6", encoding="utf-8").read()
body = s[s.index('<pre class="msg">'):s.index("</pre>")]
counts = {c: len(re.findall(r'<span class="%s"' % c, body)) for c in ("d-add", "d-del", "d-hunk", "d-file")}
# From the patch itself: 141 insertions, 68 deletions (its diffstat).
assert counts["d-add"] == 141 and counts["d-del"] == 68, counts
assert counts["d-hunk"] > 5 and counts["d-file"] >= 15, counts
ids = re.findall(r'id="(df-[^"]*)"', body)
hrefs = re.findall(r'<span class="d-stat"><a href="#(df-[^"]*)">([^<]*)</a>', body)
assert len(ids) == 5 and [h for h, _ in hrefs] == ids, (ids, hrefs)
for h, name in hrefs:
    line = re.search(r'id="%s">diff --git a/(\S+) b/' % h, body).group(1)
    assert line == name, (line, name)
# No diff line wraps: the diff's block keeps its lines whole.
assert body.count('<span class="diff">') == 1
print("ok")
EOF
check "diffs: added, removed, hunk and file lines by class; each diffstat name links its file's header" \
	"$PYTHON" diff.py

# ---- quotes, signatures, lore links ----
cat >reply.py <<'EOF'
s = open("pages/15", encoding="utf-8").read()
body = s[s.index('<pre class="msg">'):s.index("</pre>")]
assert '<a href="/two/first.1@example.org/" title="this archive\'s copy">https://lore.kernel.org/lkml/first.1@example.org/</a>' in body, "lore /LIST/MSGID"
assert '<a href="/two/first.1@example.org/" title="this archive\'s copy">https://lkml.kernel.org/r/first.1@example.org</a>' in body, "/r/MSGID"
assert '<a href="https://lore.kernel.org/r/absent.3@example.org" rel="nofollow">' in body, "absent"
assert '<details class="q"><summary>&gt; quoted line 1<span class="fold" data-more="10 more lines"></span>\n</summary>' in body
assert '<span class="q">&gt; quoted line 12\n&gt; quoted line 13\n&gt; quoted line 14\n</span>' in body
assert '<details class="sig"><summary>-- <span class="fold" data-more="3 more lines"></span>\n</summary>B\n' in body
assert '<time datetime="2024-01-01T17:00:00+01:00" title="2024-01-01 16:00:00 UTC">' in s
print("ok")
EOF
check "lore links to a message the archive has point at its page, others stay lore's" "$PYTHON" reply.py
cat >text.py <<'EOF'
import html, re
# The block's text is the message's: folding adds no text.
s = open("pages/15", encoding="utf-8").read()
m = re.search(r'<pre class="msg">\n(.*?)</pre>', s, re.S)
text = html.unescape(re.sub(r"<[^>]*>", "", m.group(1)))
raw = open("two.mbox", encoding="utf-8").read().split("\nFrom b@example.org")[1]
body = raw.split("\n\n", 1)[1].rstrip("\n") + "\n"
body = body.replace("b@example.org", "b@...mple.org")
got = text.split("\n\n", 1)[1]
assert got == body, (got[-200:], body[-200:])
print("ok")
EOF
check "folded quotes and signature: the block's text is still the body's, byte for byte" "$PYTHON" text.py
if have_shared; then
	check "with the spec: the block of /linux-kernel/2019/05/20/4 is lines 6-504 of the spec page" bash -c \
		"'$PYTHON' -c 'import html,re,sys; s=open(\"pages/6\").read(); m=re.search(r\"<pre class=\\\"msg\\\">\\n(.*?)</pre>\", s, re.S); sys.stdout.write(html.unescape(re.sub(r\"<[^>]*>\", \"\", m.group(1))))' >spec-got.txt && sed -n 6,504p '$SHARED/spec/linux-kernel-2019-05-20-patch.txt' | cmp -s - spec-got.txt"
else
	skip 1 "$SKIP_SHARED"
fi

# Text attachments: one "inline" with a file name (shown in the block,
# after its link, coloured like a body's diff), one "attachment" (only
# linked: its URL sends its text as it is, for tools; no page colours it).
# The table: part number, disposition, file name, type, the file the
# diff changes, and its changed lines.
ATTACHMENTS='2 inline inl.patch text/x-patch x.c +b
3 attachment att.diff text/x-diff y.c -c +b'
{
	printf 'From a@example.org Mon Jan  1 10:00:00 2024\nFrom: A <a@example.org>\n'
	printf 'Subject: [PATCH] attached\nMessage-ID: <att.1@example.org>\n'
	printf 'Date: Mon, 1 Jan 2024 10:00:00 -0500\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="XX"\n\n'
	printf -- '--XX\nContent-Type: text/plain\n\nPatch attached twice.\n\n'
	while read -r k disp name type file lines; do
		printf -- '--XX\nContent-Type: %s; name="%s"\n' "$type" "$name"
		printf 'Content-Disposition: %s; filename="%s"\n\n' "$disp" "$name"
		printf 'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1 +1,2 @@\n a\n' \
			"$file" "$file" "$file" "$file"
		printf '%s\n' $lines
		echo
	done <<<"$ATTACHMENTS"
	printf -- '--XX--\n\n'
} >att.mbox
la index --data "$DATA" att att.mbox 2>/dev/null
get /att/2024/01/01/1 >att.html
while read -r k disp name type file lines; do
	get "/att/att.1@example.org/$k-$name" >"att-$k.txt"
	sed -n "/^diff --git a\/$file/,/^${lines##* }\$/p" att.mbox >"want-$k.txt"
	check "the $disp attachment's URL sends its text unchanged" cmp "att-$k.txt" "want-$k.txt"
	if [ "$disp" = inline ]; then
		shown=" ($(wc -c <"want-$k.txt") bytes)"$'\n\n''<span class="diff"><span class="d-file"'
		check "an inline patch attachment is shown after its link, its diff coloured" \
			eval '[[ $(<att.html) == *"$shown"* ]]'
	else
		check "an attached one is only linked" eval "grep -qF '<a href=\"/att/att.1@example.org/$k-$name\">View attachment \"$name\"</a>' att.html && ! grep -q '$file' att.html"
	fi
done <<<"$ATTACHMENTS"
