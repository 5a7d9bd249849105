#!/usr/bin/env bash
# t4081-fts-tokens: the writer's unicode61 (store/ftstok.c: the tokens
# of runs of ASCII word characters made without SQLite's per-character
# tables, every run with another byte handed to SQLite's unicode61 as it
# is) gives the search index the same tokens at the same positions as
# SQLite's own (LISTARC_FTS_SQLITE_TOKENS=1), so every query the same
# answers.  The corpora (samples/, and ../shared's edge messages,
# notmuch and peers when present), generated mail, and a message of
# text where the two ways could part: accents before and after ASCII
# letters and apart from them (a combining mark after a space),
# separators that are not ASCII (no-break space, em dash, curly quotes),
# '_' and digits in words, upper case, private-use characters (the diff
# lines' U+E000), CJK, and a word of 400 letters.
. "$(dirname "$0")/lib.sh"
plan 4

corpus_mboxes src
if have_shared; then
	"$PYTHON" "$SHARED/corpora/gen-corpus.py" 500 src/gen.mbox 5 >/dev/null
fi
long=$(printf 'Abc%.0s' $(seq 1 133))
cat >src/edges.mbox <<EOF
From a@example.org Mon Jan  4 10:00:00 2021
From: =?utf-8?q?J=C3=BCrgen_Gro=C3=9F?= <jgross@example.org>
To: list@example.org
Subject: [PATCH] mm: café_au_lait naïve ÉCOLE résumé
Date: Mon, 04 Jan 2021 10:00:00 +0000
Message-ID: <tok-1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Café CAFÉ café's cafe-au-lait e$(printf '\xcc\x81')clair $(printf '\xcc\x81')alone x$(printf '\xcc\x81')
word word—dash “quoted” ‘single’ a b c foo_bar FOO_Bar_9 x86_64 0xDEADbeef
Ünïcödé MiXeD123 ﬁnalise ß Straße ΑΒΓ αβγ Кириллица 北京曾益科技有限公司 東京の議事録
$long tail
trailing-é é-leading mid¡dle inverted¿ ½half ²sup №1 ™mark ©2021 ａｂｃ fullwidth

> Quoted: extending reviews of œuvres, Großbuchstaben, naïveté.

diff --git a/mm/café.c b/mm/café.c
index 0123456789ab..fedcba987654 100644
--- a/mm/café.c
+++ b/mm/café.c
@@ -10,7 +10,7 @@ static void naïve_pages(struct page *page)
 	unsigned long flags; /* ÉCOLE */
-	reviewed_pages(page, straße);
+	finalised_pages(page, 北京—“x”);
 	return;
EOF

la index -q --data F l src/*.mbox 2>F.err &&
	LISTARC_FTS_SQLITE_TOKENS=1 la index -q --data S l src/*.mbox 2>S.err
check_eq "F (the writer's unicode61) and S (SQLite's) indexed: exit 0" $? 0
n=$(isql S 'SELECT count(*) FROM s.fts_docsize')
check "the same tokens at the same positions in F's search index as in S's ($n messages)" \
	[ "$(fts_vocab F)" = "$(fts_vocab S)" -a "$n" -gt 10 ]

cat >queries.txt <<'EOF'
cafe
café
"cafe au lait"
cafe_au_lait
ecole
naive
resume
eclair
alone
"word dash"
quoted
foo_bar
x86_64
0xdeadbeef
unicode
mixed123
finalise
strasse
αβγ
кириллица
北京
議事録
abcabc*
tail
leading
"mid dle"
fullwidth
q:naivete
dfn:mm/café.c
dfhh:naïve_pages
dfctx:ecole
dfb:"finalised_pages 北京"
s:café_au_lait
f:groß
review
the
patch
EOF
ans() {
	local q
	while IFS= read -r q; do
		echo "== $q"
		"$RELEASE" search --data "$1" --order=relevance --limit 1000 "$q" 2>&1
		"$RELEASE" search --data "$1" --count "$q" 2>&1
	done <queries.txt
}
ans S >ans-S.txt
ans F >ans-F.txt
check "F answers the $(wc -l <queries.txt) queries as S does (by relevance, counts)" \
	cmp -s ans-S.txt ans-F.txt
diff ans-S.txt ans-F.txt | head -6 | sed 's/^/#   /'
none=
for q in cafe ecole eclair alone quoted foo_bar x86_64 0xdeadbeef mixed123 αβγ кириллица 北京 \
	abcabc* leading fullwidth q:naivete dfctx:ecole s:café_au_lait; do
	[ "$("$RELEASE" search --data F --count "$q" 2>&1)" -gt 0 ] 2>/dev/null || none="$none $q"
done
check_eq "...and those queries find the edge message's words" "${none:-none empty}" "none empty"
