/* test_render.c: escaping, links and address obfuscation, HTML-to-text. */
#include <stdlib.h>

#include "../../tests/check.h"
#include "render/html.h"
#include "render/render.h"
#include "render/render_int.h"
#include "msg/htmltext.h"

static void body_case(const char *in, unsigned flags, const char *want)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	html_body(&b, in, strlen(in), flags);
	CHECK_STR(buf_cstr(&b), want, "html_body(\"%s\")", in);
	buf_free(&b);
}

static void test_escape(void)
{
	const unsigned LO = HTML_LINKS | HTML_OBFUSCATE;
	body_case("<script>alert('x')</script>", LO,
	          "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	body_case("a & b \"c\"", LO, "a &amp; b &quot;c&quot;");
	body_case("tab\tand\r\nCR", LO, "tab\tand\nCR");
	body_case("bell\a nul-ish \x1b[0m", LO, "bell. nul-ish .[0m");
	body_case("bad \xFF byte", LO, "bad \xEF\xBF\xBD byte");
	body_case("rtl \xE2\x80\xAE override", LO, "rtl . override");
	body_case("c1 \xC2\x85 control", LO, "c1 . control");
	body_case("brouer@redhat.com", LO, "brouer@...hat.com");
	body_case("<ktkhai@virtuozzo.com>", LO, "&lt;ktkhai@...tuozzo.com&gt;");
	body_case("guro@fb.com", LO, "guro@...com");
	body_case("@kmsg_size and @size", LO, "@kmsg_size and @size");
	body_case("@@ -9,11 +9,13 @@", LO, "@@ -9,11 +9,13 @@");
	body_case("x@a.b", LO, "x@...");
	body_case("user@localhost", LO, "user@localhost");
	body_case(
		"see https://lore.kernel.org/r/1-x@allwinnertech.com.", LO,
		"see <a href=\"https://lore.kernel.org/r/1-x@allwinnertech.com\" rel=\"nofollow\">"
		"https://lore.kernel.org/r/1-x@allwinnertech.com</a>.");
	body_case(
		"(http://example.org/a_(b))", LO,
		"(<a href=\"http://example.org/a_(b)\" rel=\"nofollow\">http://example.org/a_(b)</a>)");
	body_case(
		"http://x.org/?a=1&b=\"2\"", LO,
		"<a href=\"http://x.org/?a=1&amp;b=\" rel=\"nofollow\">http://x.org/?a=1&amp;b=</a>"
		"&quot;2&quot;");
	body_case("javascript:alert(1) data:text/html,x", LO,
	          "javascript:alert(1) data:text/html,x");
	body_case("xhttp://notalink.org", LO, "xhttp://notalink.org");
	body_case("http://", LO, "http://");
	body_case(
		"ftp://ftp.example.org/pub", LO,
		"<a href=\"ftp://ftp.example.org/pub\" rel=\"nofollow\">ftp://ftp.example.org/pub</a>");
	body_case("user@example.com", 0, "user@example.com");
	body_case("<a href=x>", 0, "&lt;a href=x&gt;");
	/* A long URL is shown but not linked. */
	struct buf in, b;
	buf_init(&in, 1 << 16);
	buf_adds(&in, "http://example.org/");
	for (int i = 0; i < 3000; i++)
		buf_addc(&in, 'a');
	buf_init(&b, 1 << 16);
	html_body(&b, in.data, in.len, LO);
	CHECK(b.len == in.len && !strstr(buf_cstr(&b), "<a "), "a URL over LINK_MAX is not linked");
	buf_free(&in);
	buf_free(&b);
	/* A URL followed by a million ')' (each one is dropped from it) is
	 * linear: this took hours when each drop recounted the URL. */
	buf_init(&in, 4 << 20);
	buf_adds(&in, "(http://example.org/a_(b)");
	for (int i = 0; i < 1000000; i++)
		buf_addc(&in, ')');
	buf_init(&b, 8 << 20);
	html_body(&b, in.data, in.len, LO);
	CHECK(strncmp(buf_cstr(&b), "(<a href=\"http://example.org/a_(b)\" rel=\"nofollow\">",
	              51) == 0 &&
	              b.len == in.len + 54,
	      "a URL followed by a million ')' keeps only its own (and is fast)");
	buf_free(&in);
	buf_free(&b);
	buf_init(&b, 100);
	url_encode(&b, "a b/c?", 6, NULL);
	CHECK_STR(buf_cstr(&b), "a%20b%2Fc%3F", "url_encode");
	buf_free(&b);
}

static void text_case(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	htmltext(&b, in, strlen(in));
	CHECK_STR(buf_cstr(&b), want, "htmltext(\"%s\")", in);
	buf_free(&b);
}

static void test_htmltext(void)
{
	text_case("<p>Hello <b>world</b></p><p>Second</p>", "Hello world\n\nSecond\n");
	text_case("a<br>b<br/>c", "a\nb\nc\n");
	text_case("a<br><br>b", "a\n\nb\n");
	text_case("<script>alert(1)</script>x<style>p{}</style>y", "xy\n");
	text_case("<script>if (a<b && c>d) x();</script>shown", "shown\n");
	text_case("<style>a > b { }</style><title>Title</title>body", "body\n");
	text_case("<head><meta charset=utf-8><title>t</title></head><body>in body</body>",
	          "in body\n");
	text_case("<head>no closing head<body>shown</body>", "shown\n");
	text_case("&lt;tag&gt; &amp; &#65;&#x42; &nbsp;.", "<tag> & AB \xC2\xA0.\n");
	text_case("<!-- hidden --> shown", "shown\n");
	text_case("<!DOCTYPE html><?xml version=\"1.0\"?><![CDATA[x]]>text", "text\n");
	text_case("<ul><li>one<li>two</ul>", "* one\n* two\n");
	text_case("unclosed <b", "unclosed\n");
	text_case("a < b and c > d", "a < b and c > d\n");
	text_case("<a title=\"x>y\" href=\"u\">link</a> text", "link text\n");
	/* Named references: every HTML5 name, the legacy ones also
	 * without ';', the longest match, two-code-point ones. */
	text_case("&auml;&Auml;&szlig;&hellip;&euro;&mdash;&rsquo;",
	          "\xC3\xA4\xC3\x84\xC3\x9F\xE2\x80\xA6\xE2\x82\xAC\xE2\x80\x94\xE2\x80\x99\n");
	text_case("&CounterClockwiseContourIntegral;&fjlig;", "\xE2\x88\xB3"
	                                                      "fj\n");
	text_case("&nbsp;x", "\xC2\xA0x\n");
	text_case("&copy 2024 &amp &lt;", "\xC2\xA9 2024 & <\n");
	text_case("&notit; &notin;", "\xC2\xACit; \xE2\x88\x89\n");
	text_case("&ampfoo &hellip &bogus; & &;", "&foo &hellip &bogus; & &;\n");
	text_case("&acE;", "\xE2\x88\xBE\xCC\xB3\n");
	/* Numeric references: windows-1252 for 0x80..0x9F, U+FFFD for 0,
	 * surrogates and beyond U+10FFFF. */
	text_case("&#x80;&#150;&#x9D;", "\xE2\x82\xAC\xE2\x80\x93\xC2\x9D\n");
	text_case("&#0; &#xD800; &#x110000; &#99999999999999;",
	          "\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD\n");
	text_case("&#x1F600;&#X41;&#65 x &#; &#x;", "\xF0\x9F\x98\x80"
	                                            "AA x &#; &#x;\n");
	/* Layout. */
	text_case("<h1>Title</h1><p>text</p>", "Title\n\ntext\n");
	text_case("<div>one</div><div>two</div><div><br></div><div>three</div>",
	          "one\ntwo\n\nthree\n");
	text_case("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b\n");
	text_case("<ol start=\"7\"><li>a<li>b</ol>", "7. a\n8. b\n");
	text_case("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "* a\n  * b\n* c\n");
	text_case("<ul><li><p>para</p></li><li><p>two</p></li></ul>", "* para\n\n* two\n");
	text_case("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
	          "A | B\n1 | 2\n");
	text_case("<table><tr><td><p>layout</p></td><td><p>cells</p></td></tr></table>",
	          "layout\n\ncells\n");
	text_case("<blockquote type=\"cite\">quoted<br>text</blockquote>reply",
	          "> quoted\n> text\n\nreply\n");
	text_case("<pre>  code\n    indented &lt;x&gt;\n\n\n\nend</pre>after",
	          "  code\n    indented <x>\n\nend\n\nafter\n");
	text_case("<pre>\nfirst</pre>", "first\n");
	text_case("a<hr>b", "a\n\n-----\n\nb\n");
	text_case("see <img src=\"x.png\" alt=\"the &amp; logo\">here", "see [the & logo] here\n");
	text_case("  lots   of\n\n  space  ", "lots of space\n");
	text_case("", "\n");

	static const struct {
		const char *in, *want;
	} metas[] = {
		{"<html><head><meta charset=\"windows-1251\"></head>", "windows-1251"},
		{"<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=koi8-r\">",
	         "koi8-r"},
		{"<meta content='text/html;charset=ISO-2022-JP' http-equiv=content-type>",
	         "ISO-2022-JP"},
		{"<metadata charset=x><p>charset=utf-8</p>", NULL},
		{"<meta name=\"viewport\" content=\"width=device-width\">", NULL},
	};
	for (size_t i = 0; i < sizeof metas / sizeof *metas; i++) {
		char cs[64];
		bool found = htmltext_meta_charset(metas[i].in, strlen(metas[i].in), cs, sizeof cs);
		CHECK(metas[i].want ? found && !strcmp(cs, metas[i].want) : !found,
		      "<meta> charset of %s: %s", metas[i].in,
		      metas[i].want ? metas[i].want : "none");
	}

	/* Hostile input: deep nesting and a huge line stay linear. */
	struct buf in, out;
	buf_init(&in, 8 << 20);
	for (int i = 0; i < 200000; i++)
		buf_adds(&in, "<ul><li><blockquote><div>");
	buf_adds(&in, "deep");
	buf_init(&out, 64 << 20);
	htmltext(&out, in.data, in.len);
	CHECK(!out.err && out.len > 4 && strstr(out.data, "deep"),
	      "200,000 nested lists and quotes");
	buf_reset(&in);
	buf_reset(&out);
	for (int i = 0; i < 500000; i++)
		buf_adds(&in, "<a title=\"x");
	htmltext(&out, in.data, in.len);
	CHECK(!out.err, "500,000 unclosed tags with open quotes");
	buf_reset(&in);
	buf_reset(&out);
	for (int i = 0; i < 500000; i++)
		buf_adds(&in, "&#x1;&a &notin<script>");
	htmltext(&out, in.data, in.len);
	CHECK(!out.err, "500,000 references and unclosed scripts");
	buf_free(&in);
	buf_free(&out);
}

/* The text of HTML p: its tags taken out (entities stay). */
static char *strip_tags(const char *p)
{
	char *out = malloc(strlen(p) + 1), *o = out;
	for (bool tag = false; *p; p++) {
		if (*p == '<')
			tag = true;
		else if (*p == '>' && tag)
			tag = false;
		else if (!tag)
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* body_html of in is want, and its text is html_body's, byte for byte
 * (what t5100 checks against shared/spec on two pages). */
static void fmt_case(const char *in, const char *want)
{
	const struct render_ctx c = {.base = "/"};
	struct body_fmt *f = calloc(1, sizeof *f);
	*f = (struct body_fmt){.c = &c, .day = 20190520, .num = 4};
	struct buf b, plain;
	buf_init(&b, 1 << 20);
	buf_init(&plain, 1 << 20);
	const unsigned LO = HTML_LINKS | HTML_OBFUSCATE;
	body_html(f, &b, in, strlen(in), LO);
	html_body(&plain, in, strlen(in), LO);
	if (want)
		CHECK_STR(buf_cstr(&b), want, "body_html(\"%.40s...\")", in);
	char *got = strip_tags(buf_cstr(&b)), *ref = strip_tags(buf_cstr(&plain));
	CHECK_STR(got, ref, "the text of body_html(\"%.40s...\") is html_body's", in);
	free(got);
	free(ref);
	buf_free(&b);
	buf_free(&plain);
	free(f);
}

static void test_body_fmt(void)
{
	fmt_case("plain <text>\n", "plain &lt;text&gt;\n");
	/* A git diff: the diffstat's name links the file's header line. */
	fmt_case(
		" a.c | 2 +-\n\ndiff --git a/a.c b/a.c\nindex 1..2 100644\n--- a/a.c\n+++ "
		"b/a.c\n@@ -1,2 +1,2 @@\n ctx\n-old\n+new\n-- \n2.20.1\n",
		" <span class=\"d-stat\"><a href=\"#df-20190520-4-0\">a.c</a></span> | 2 +-\n\n"
		"<span class=\"diff\"><span class=\"d-file\" id=\"df-20190520-4-0\">diff --git a/a.c "
		"b/a.c</span>\n<span class=\"d-file\">index 1..2 100644</span>\n<span "
		"class=\"d-file\">--- a/a.c</span>\n<span class=\"d-file\">+++ b/a.c</span>\n<span "
		"class=\"d-hunk\">@@ -1,2 +1,2 @@</span>\n ctx\n<span class=\"d-del\">-old</span>\n"
		"<span class=\"d-add\">+new</span>\n</span><span class=\"sig\">-- \n2.20.1</span>\n");
	/* The hunk's counts end it: "-- " after them is a signature, not a
	 * removed line; a blank line inside is context. */
	fmt_case(
		"--- x\n+++ y\n@@ -1 +1,2 @@\n\n+a\nafter\n",
		"<span class=\"diff\"><span class=\"d-file\">--- x</span>\n"
		"<span class=\"d-file\" id=\"df-20190520-4-0\">+++ y</span>\n<span class=\"d-hunk\">@@ -1 +1,2 @@</span>\n"
		"\n<span class=\"d-add\">+a</span>\n</span>after\n");
	/* "--- " alone is no diff. */
	fmt_case("--- not a diff\ntext\n", "--- not a diff\ntext\n");
	/* A short quote is marked; a long one folded, its last lines open. */
	fmt_case("> a\n> b\nreply\n", "<span class=\"q\">&gt; a\n&gt; b\n</span>reply\n");
	fmt_case("> 1\n> 2\n> 3\n> 4\n> 5\n> 6\n> 7\n> 8\n> 9\n> 10\n> 11\n> 12\nok\n",
	         "<details class=\"q\"><summary>&gt; 1<span class=\"fold\" data-more=\"8 more "
	         "lines\"></span>\n</summary>&gt; 2\n&gt; 3\n&gt; 4\n&gt; 5\n&gt; 6\n&gt; 7\n&gt; "
	         "8\n&gt; 9\n</details><span class=\"q\">&gt; 10\n&gt; 11\n&gt; 12\n</span>ok\n");
	fmt_case("text\n-- \nName\nhttp://example.org/\n\n",
	         "text\n<details class=\"sig\"><summary>-- <span class=\"fold\" data-more=\"2 more "
	         "lines\"></span>\n</summary>Name\n<a href=\"http://example.org/\" "
	         "rel=\"nofollow\">http://example.org/</a></details>\n\n");
	/* Without an index, lore links stay lore's. */
	fmt_case("https://lore.kernel.org/lkml/1-x@example.com/\n",
	         "<a href=\"https://lore.kernel.org/lkml/1-x@example.com/\" "
	         "rel=\"nofollow\">https://lore.kernel.org/lkml/1-x@example.com/</a>\n");
	/* Hostile shapes keep the text. */
	fmt_case("diff --git\n@@\n@@ -a +b @@\n+\n-\n \n>\n-- \n", NULL);
	fmt_case("@@ -1,99999999999999999 +1 @@\n+x\n", NULL);
	fmt_case(" x | 1 +\n ...x | 2\ndiff --git a/x b/x\n+++ b/x\n", NULL);
	fmt_case("\n\n\n", "\n\n\n");
	fmt_case("", "");
	fmt_case(">", "<span class=\"q\">&gt;</span>");
}

/* Mailman 3's Message-ID-Hash (HyperKitty's URLs): pairs from Mailman's
 * own documentation (<ant>) and from the Message-ID-Hash headers of real
 * mail through Mailman 3 lists (alsa-devel, dri-devel, nvdimm). */
static void test_msgid_hash(void)
{
	static const struct {
		const char *msgid, *hash;
	} t[] = {
		{"<ant>", "MS6QLWERIJLGCRF44J7USBFDELMNT2BW"},
		{"ant", "MS6QLWERIJLGCRF44J7USBFDELMNT2BW"},
		{"175815674591.268333.2624904445631478642.b4-ty@kernel.org",
	         "QM74LZKADEYWWGUAL35Y6RZCJL5LZ3SS"},
		{"<20220506141009.18047-1-christian.koenig@amd.com>",
	         "MOGQN3TBLB5ZRRF5VEVBPCWDM3AJXIXR"},
		{"20230310144733.1546413-1-robh@kernel.org", "4GKMX7ISRT2B5265UD4CM4BJCTPSCBS7"},
		{"CAPcyv4jF6ofAmXrcNXsK-vaSD8ptzhH4SrcaksD_wSwrsYi0KA@mail.gmail.com",
	         "LOAUX6IDCXJAJ6HP5ZDNJW3NNUTOPFKX"},
		{"20200426095232.27524-1-redhairer.li@intel.com",
	         "PKZPQ3YQH4223CJAA7KWJMB2QM7HSWTL"},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		char h[33];
		render_msgid_hash(t[i].msgid, h);
		CHECK_STR(h, t[i].hash, "Message-ID-Hash of %s", t[i].msgid);
	}
}

/* html_text on runs longer than its 16-byte blocks: each byte that is
 * not kept as it is, at every position of a run of plain letters, is
 * written as the byte loop writes it (and the letters around it too). */
static void test_text_blocks(void)
{
	static const struct {
		const char *in, *out;
	} special[] = {
		{"&", "&amp;"},
		{"<", "&lt;"},
		{">", "&gt;"},
		{"\"", "&quot;"},
		{"'", "&#39;"},
		{"\t", "\t"},
		{"\n", "\n"},
		{"\r", ""},
		{"\x01", "."},
		{"\x1f", "."},
		{"\x7f", "."},
		{" ", " "},
		{"~", "~"},
		{"\x80", "\xEF\xBF\xBD"},
		{"\xC3\xA9", "\xC3\xA9"},
		{"\xE2\x80\xAE", "."},
		{"\xFF", "\xEF\xBF\xBD"},
	};
	char in[128], want[128];
	for (size_t k = 0; k < sizeof special / sizeof *special; k++)
		for (size_t at = 0; at <= 40; at++) {
			size_t il = strlen(special[k].in), ol = strlen(special[k].out);
			memset(in, 'a', at);
			memcpy(in + at, special[k].in, il);
			memset(in + at + il, 'z', 40 - at);
			memcpy(want, in, at);
			memcpy(want + at, special[k].out, ol);
			memset(want + at + ol, 'z', 40 - at);
			struct buf b;
			buf_init(&b, 1024);
			html_text(&b, in, 40 + il);
			CHECK(b.len == 40 + ol && memcmp(b.data, want, b.len) == 0,
			      "html_text: special byte %zu at %zu", k, at);
			buf_free(&b);
		}
}

int main(void)
{
	test_escape();
	test_text_blocks();
	test_htmltext();
	test_msgid_hash();
	test_body_fmt();
	return check_status();
}
