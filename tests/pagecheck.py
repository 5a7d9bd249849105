#!/usr/bin/env python3
"""pagecheck.py: checks pages that `listarc get` printed.

    pagecheck.py [--links OUT] [--lore-links OUT] [--strict] [--html5] FILE...

For each FILE (an HTML page) it checks that the page is well formed (a
doctype, every element closed in order, nothing after </html>) and that
every element and attribute is one that listarc's templates produce
(src/render/*.c), so that nothing from a message can add markup: no
<script>, no event handler, no javascript: URL.  Link targets must be
paths of the archive (its URL grammar, src/http/route.h: the date forms,
the Message-ID forms, feeds, a search, an anchor #mN on the page) or
http(s)/ftp links with rel="nofollow".
--strict also parses each page with html5lib in strict mode (any HTML5
parse error fails).  --html5 also builds the page's tree as a browser
does (html5lib) and checks that tree: every element and attribute one of
ours, no comment, every link into the archive or http, https, ftp or
mailto, and no bidirectional override or isolate character anywhere (a
page could parse one way here and another way in a browser; the tree is
what a browser shows).  --links writes "FILE<TAB>HREF" for every archive
link of the date forms (/, /LIST/, /LIST/YYYY/..., canonical links) and
of searches and their help page to OUT; --lore-links likewise for the
Message-ID forms and feeds.  Prints one line per problem; exits 1 if there
was any.
"""
import html.parser
import re
import sys

# Element -> attributes the templates use.  Keep in step with src/render/.
ALLOWED = {
    "html": {"lang"},
    "head": set(),
    "meta": {"charset", "name", "content"},
    "title": set(),
    "link": {"rel", "href", "type", "title"},
    "body": set(),
    "div": {"class", "id", "role"},
    "header": set(),
    "nav": {"aria-label"},
    "main": {"id"},
    "footer": set(),
    "a": {"href", "class", "rel", "title"},
    "span": {"class", "id", "data-more"},
    "time": {"datetime", "title"},
    "details": {"class"},
    "summary": set(),
    "pre": {"class", "id"},
    "u": {"id"},
    "b": set(),
    "h1": {"class"},
    "h2": {"id"},
    "h3": {"class", "id"},
    "p": {"class"},
    "code": set(),
    "ul": {"class"},
    "li": {"class", "id"},
    "table": {"class"},
    "caption": set(),
    "tr": set(),
    "th": {"scope"},
    "td": {"class"},
    "br": set(),
    "small": set(),
    "form": {"class", "method", "action"},
    "input": {"type", "name", "size", "value", "aria-label"},
    "button": {"type"},
    # The preferences page's zone (render/zone.c).
    "label": {"for"},
    "select": {"id", "name"},
    "optgroup": {"label"},
    "option": {"value", "selected"},
    "mark": set(),
    "ol": {"class"},
    # The charts (src/render/charts.c): inline SVG, no script.
    "figure": {"class"},
    "figcaption": set(),
    "svg": {"class", "viewbox", "viewBox", "width", "height", "role"},
    "rect": {"class", "x", "y", "width", "height"},
    "text": {"x", "y"},
}
VOID = {"meta", "link", "br", "input"}
LIST = r"[a-z0-9][a-z0-9._-]*"
# A Message-ID as render_path_segment writes it (never "." or "..", and
# never four digits alone, which would be a year).
MSGID = r"(?:[A-Za-z0-9._~@+=:,!-]|%[0-9A-F]{2})+"
ARCHIVE_HREFS = [re.compile(x) for x in (
    # /, /LIST/ and the date forms (busy months and days have pages).
    r"^/(" + LIST + r"/([0-9]{4}/([0-9]{2}/([0-9]{2}/([0-9]+(/[0-9]+/?|/raw)?)?)?)?)?)?(\?page=[1-9][0-9]*)?$",
    # The reader's preferences (render/zone.c).
    r"^/_/prefs$",
    # The Message-ID forms, of a list or of all lists: lore's thread pages
    # (T/ flat, t/ nested, with the anchor of the URL's message, #u, or of
    # any, #m and a SHA-1), parts as lore numbers them, the reply block.
    r"^/(" + LIST + r")/(?P<mid>" + MSGID + r")/(raw|t\.mbox\.gz|t\.mbox|t\.atom|#R|s/|s/mbox|s/mbox\.gz|s/v[1-9][0-9]*\.\.v[1-9][0-9]*/|"
    r"[1-9][0-9]*(\.[1-9][0-9]*)*-[A-Za-z0-9][A-Za-z0-9_.-]+[A-Za-z0-9]|"
    r"[tT]/(\?page=[1-9][0-9]*)?(#u|#m[0-9a-f]{40})?)?$",
    # Feeds, the latest messages, lore's text pages.
    r"^/(" + LIST + r")/new\.(atom|html)$",
    # A list's patch series.
    r"^/(" + LIST + r")/series/(\?page=[1-9][0-9]*)?$",
    # A list's threads, their feed, a sender's page (src/render/topics.c).
    r"^/(" + LIST + r")/topics/(new\.atom|\?page=[1-9][0-9]*)?$",
    r"^/(" + LIST + r")/from/[0-9a-f]{16}/(\?page=[1-9][0-9]*)?$",
    r"^/(" + LIST + r"/)?_/text/(help|config)/(raw)?$",
    # The downloads and the mirror commands (render/mirror.c).
    r"^/(" + LIST + r")/([0-9]{4}/[0-9]{2}/)?mbox\.gz$",
    r"^/(" + LIST + r")/_/text/mirror/(raw)?$",
    # A message further down the same page (thread pages) or its entry in
    # the thread overview (lore's #r...), the thread on a message's page.
    r"^#[mr][0-9a-f]{40}$",
    r"^#[uRr]$",
    # The skip link; a diff's file, from its diffstat line.
    r"^#main$",
    r"^#df-[0-9]+-[0-9]+-[0-9]+$",
    # A changed patch on a series' changes page, and its files.
    r"^#p[0-9]+(-f[0-9]+)?$",
)]
# The <link>s of every page's head: its feed (a list's, all lists', a
# thread's, a search's) and its OpenSearch document.
FEED_HREF = re.compile(r"^/(" + LIST + r")/(new\.atom|" + MSGID + r"/t\.atom)$|"
                       r"^/(" + LIST + r"/)?\?q=[^\s\"<>]*&x=A$")
OPENSEARCH_HREF = re.compile(r"^/(" + LIST + r"/)?_/opensearch\.xml$")
# The reply block's link, as lore writes it.
MAILTO_HREF = re.compile(r"^mailto:[^?\s\"<>]+\?In-Reply-To=%3C[^\s\"<>&]*%3E"
                         r"(&Cc=[^\s\"<>&]*)?&Subject=[^\s\"<>&]*$")


# Search results (?q=..., of a list or of all lists) and the help page of
# the query language.
SEARCH_HREF = re.compile(r"^/(" + LIST + r"/)?\?q=[^\s\"<>]*$|^/_/search-help$")


def archive_href(href):
    for r in ARCHIVE_HREFS:
        m = r.match(href)
        if m:
            mid = m.groupdict().get("mid")
            return mid is None or (mid not in (".", "..") and not re.match(r"^[0-9]{4}$", mid))
    return False


# The date URL of the message a Message-ID form shows.
CANONICAL_HREF = re.compile(r"^/" + LIST + r"/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]+$")
CSS_HREF = re.compile(r"^/_/listarc-[0-9a-f]{8}\.css$")
EXTERNAL_HREF = re.compile(r"^(https?|ftp)://", re.I)
# A URL that runs or embeds something, as a browser reads the scheme:
# leading spaces and control characters dropped, tabs and newlines inside
# ignored.  ("http://x/javascript:..." is an http URL.)
FOREIGN_SCHEME = re.compile(r"^[\x00-\x20]*(j[\t\n\r]*a[\t\n\r]*v[\t\n\r]*a[\t\n\r]*"
                            r"s[\t\n\r]*c[\t\n\r]*r[\t\n\r]*i[\t\n\r]*p[\t\n\r]*t|"
                            r"vbscript|data)[\t\n\r]*:", re.I)


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.links = []
        self.lore_links = []
        self.doctype = False
        self.ended = False

    def where(self):
        return "line %d" % self.getpos()[0]

    def bad(self, what):
        self.problems.append("%s: %s" % (self.where(), what))

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.bad("unexpected declaration <!%s>" % decl)
        self.doctype = True

    def handle_starttag(self, tag, attrs):
        self.check_tag(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.check_tag(tag, attrs)
        if tag not in VOID:
            self.bad("self-closing <%s/>" % tag)

    def check_tag(self, tag, attrs):
        if self.ended:
            self.bad("<%s> after </html>" % tag)
        if tag not in ALLOWED:
            self.bad("element <%s> that no template writes" % tag)
            return
        names = [a for a, _ in attrs]
        if len(set(names)) != len(names):
            self.bad("repeated attribute in <%s>" % tag)
        for a, v in attrs:
            if a not in ALLOWED[tag]:
                self.bad("attribute %s= on <%s> that no template writes" % (a, tag))
            if v is None:
                self.bad("attribute %s without a value on <%s>" % (a, tag))
                continue
            if FOREIGN_SCHEME.match(v):
                self.bad("a %s URL in %s= of <%s>" % (v.split(":")[0].strip()[:20], a, tag))
        d = dict(attrs)
        if tag == "a":
            href = d.get("href")
            if href is None:
                self.bad("<a> without href")
            elif EXTERNAL_HREF.match(href):
                if d.get("rel") != "nofollow":
                    self.bad("external link without rel=nofollow: %s" % href[:80])
            elif SEARCH_HREF.match(href):
                self.links.append(href)
            elif MAILTO_HREF.match(href):
                pass
            elif archive_href(href):
                if ARCHIVE_HREFS[0].match(href):
                    self.links.append(href)
                elif not href.startswith("#"):
                    # The page; the fragment is the browser's.
                    self.lore_links.append(href.split("#")[0])
            else:
                self.bad("link to something that is not an archive page: %r" % href[:80])
        if tag == "form":
            action = d.get("action") or ""
            if d.get("method") != "get" or not re.match(r"^/(" + LIST + r"/)?$|^/_/prefs$", action):
                self.bad("a form that is not our search box: %r" % action[:80])
        if tag == "link":
            href = d.get("href") or ""
            if d.get("rel") == "canonical":
                # The date URL of the message a Message-ID form shows.
                if not CANONICAL_HREF.match(href):
                    self.bad("canonical <link> to %r" % href[:80])
                else:
                    self.links.append(href)
            elif d.get("rel") == "alternate":
                if d.get("type") != "application/atom+xml" or not FEED_HREF.match(href):
                    self.bad("feed <link> to %r" % href[:80])
            elif d.get("rel") == "search":
                if (d.get("type") != "application/opensearchdescription+xml"
                        or not OPENSEARCH_HREF.match(href)):
                    self.bad("search <link> to %r" % href[:80])
            elif d.get("rel") != "stylesheet" or not CSS_HREF.match(href):
                self.bad("<link> to %r" % href[:80])

    def handle_endtag(self, tag):
        if tag in VOID:
            self.bad("end tag </%s> of a void element" % tag)
            return
        if not self.stack or self.stack[-1] != tag:
            self.bad("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "html":
            self.ended = True

    def handle_data(self, data):
        if self.ended and data.strip():
            self.bad("text after </html>")

    def handle_comment(self, data):
        self.bad("comment in page")

    def handle_pi(self, data):
        self.bad("processing instruction in page")


LINK_SCHEMES = re.compile(r"^(https?|ftp|mailto):", re.I)
# Elements the HTML5 parser adds by itself around our markup.
IMPLIED = {"tbody"}
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def check_tree(raw):
    """The html5lib tree of a page against the allow-list."""
    import html5lib

    problems = []
    root = html5lib.parse(raw, treebuilder="etree", namespaceHTMLElements=False,
                          transport_encoding="utf-8")
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            problems.append("tree: a comment")
            continue
        # The charts' SVG elements, in their namespace.
        if tag.startswith("{http://www.w3.org/2000/svg}"):
            tag = tag.split("}", 1)[1]
        if BIDI.search((el.text or "") + (el.tail or "")):
            problems.append("tree: a bidirectional override in the text of <%s>" % tag)
        if tag in IMPLIED and not el.attrib:
            continue
        if tag not in ALLOWED:
            problems.append("tree: element <%s> that no template writes" % tag)
            continue
        for a, v in el.attrib.items():
            if a not in ALLOWED[tag]:
                problems.append("tree: attribute %s= on <%s> that no template writes" % (a, tag))
            if BIDI.search(v):
                problems.append("tree: a bidirectional override in %s= of <%s>" % (a, tag))
        href = el.attrib.get("href")
        if tag == "a" and href is not None and not (
                archive_href(href) or SEARCH_HREF.match(href)
                or (LINK_SCHEMES.match(href) and not href.startswith("//"))):
            problems.append("tree: a link that is neither the archive's nor http(s), ftp or mailto: %r"
                            % href[:80])
        rel = el.attrib.get("rel")
        if tag == "link" and not (CSS_HREF.match(href or "") or (
                rel == "canonical" and CANONICAL_HREF.match(href or "")) or (
                rel == "alternate" and FEED_HREF.match(href or "")) or (
                rel == "search" and OPENSEARCH_HREF.match(href or ""))):
            problems.append("tree: <link> to %r" % (href or "")[:80])
    return problems


def check(path, strict, html5=False):
    with open(path, "rb") as f:
        raw = f.read()
    problems = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return ["not UTF-8: %s" % e], [], []
    c = Checker()
    c.feed(text)
    c.close()
    problems += c.problems
    if not c.doctype:
        problems.append("no doctype")
    if c.stack:
        problems.append("unclosed elements at the end: %s" % " ".join(c.stack))
    if not c.ended:
        problems.append("no </html>")
    if strict:
        import html5lib

        p = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            p.parse(raw, transport_encoding="utf-8")
        except Exception as e:  # html5lib.html5parser.ParseError
            problems.append("html5lib: %s" % e)
    if html5:
        problems += check_tree(raw)
    return problems, c.links, c.lore_links


def main(argv):
    links_out = None
    lore_out = None
    strict = False
    html5 = False
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "--links":
            links_out = open(argv[i + 1], "w")
            i += 2
            continue
        if argv[i] == "--lore-links":
            lore_out = open(argv[i + 1], "w")
            i += 2
            continue
        if argv[i] == "--strict":
            strict = True
        elif argv[i] == "--html5":
            html5 = True
        else:
            files.append(argv[i])
        i += 1
    failed = 0
    for path in files:
        problems, links, lore_links = check(path, strict, html5)
        for p in problems[:10]:
            print("%s: %s" % (path, p))
        failed += bool(problems)
        if links_out:
            for h in links:
                links_out.write("%s\t%s\n" % (path, h))
        if lore_out:
            for h in lore_links:
                lore_out.write("%s\t%s\n" % (path, h))
    if links_out:
        links_out.close()
    if lore_out:
        lore_out.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
