#!/usr/bin/env bash
# t4095-fts-prepared: the search index's rows are prepared (CJK spacing,
# folded letters, stems: msg/ftsrow.c) by ingest's reader threads, mbox
# and public-inbox, and handed to the search thread as they are, which
# only inserts them.  A reader prepares a row only while it is ahead of
# the writer (ingest_prep_here), else hands the texts over for the
# search thread to prepare: LISTARC_FTS_PREP=1 makes the readers prepare
# every row, LISTARC_FTS_PREP=0 none (store/write.c).  The same corpus
# (samples/, ../shared's edge messages, notmuch and peers when present,
# and a message of CJK, accented and ligature text) is indexed both
# ways, and with the writer alone (LISTARC_FTS_SERIAL=1): every word at
# every position of every column must be the same.  An index made
# before the stems (lore's columns, no stems) still gets its rows as it
# did: CJK spaced, letters not folded, no stems.  With $LISTARC_ANCHOR
# (`make check-anchor`), the anchor's archives of the same runs are
# compared too.
. "$(dirname "$0")/lib.sh"
plan 10
ANCHOR=${LISTARC_ANCHOR:-}

corpus_mboxes src
cat >src/edges.mbox <<EOF
From a@example.org Mon Jan  4 10:00:00 2021
From: =?utf-8?q?J=C3=BCrgen_Gro=C3=9F?= <jgross@example.org>
To: =?utf-8?b?5YyX5Lqs?= <list@example.org>
Subject: [PATCH] mm: Straße café ﬁnalised 北京曾益科技有限公司 reviews
Date: Mon, 04 Jan 2021 10:00:00 +0000
Message-ID: <prep-1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Café CAFÉ naïve ÉCOLE résumé ﬁnalise ﬂow œuvre Æsir ß Straße ΑΒΓ Кириллица
北京曾益科技有限公司 東京の議事録 한국어 ａｂｃ extends reviewed Reviewed-by

> Quoted: extending reviews of œuvres, Großbuchstaben, 東京.

diff --git a/mm/café.c b/mm/café.c
index 0123456789ab..fedcba987654 100644
--- a/mm/café.c
+++ b/mm/café.c
@@ -10,7 +10,7 @@ static void naïve_pages(struct page *page)
 	unsigned long flags; /* ÉCOLE 東京 */
-	reviewed_pages(page, straße);
+	ﬁnalised_pages(page, 北京—“x”);
 	return;
EOF
n=$(cat src/*.mbox | grep -c '^From ')

LISTARC_FTS_PREP=1 LISTARC_TEST_MEMORY=1 la index -q --data P l src/*.mbox 2>P.err
check_eq "P: rows prepared by the reader (LISTARC_FTS_PREP=1): exit 0" $? 0
LISTARC_TEST_MEMORY=1 la index -q --data D l src/*.mbox 2>D.err
check_eq "D: rows prepared by the reader while it is ahead (the default): exit 0" $? 0
LISTARC_FTS_PREP=0 LISTARC_TEST_MEMORY=1 la index -q --data O l src/*.mbox 2>O.err
check_eq "O: rows prepared by the search thread (LISTARC_FTS_PREP=0): exit 0" $? 0
LISTARC_FTS_SERIAL=1 la index -q --data S l src/*.mbox 2>S.err
ready() { sed -n 's/.* search_ready=\([0-9]*\).*/\1/p' "$1"; }
docs=$(isql P 'SELECT count(*) FROM s.fts_docsize')
check_eq "P: every row handed over prepared; O: none" "$(ready P.err) $(ready O.err) $docs" "$n 0 $n"
ref=$(fts_vocab O)
check "P (and D, some rows each way, and S, the writer alone) hold every word at every position as O ($n messages)" \
	[ "$(fts_vocab P)" = "$ref" -a "$(fts_vocab D)" = "$ref" -a "$(fts_vocab S)" = "$ref" ]
echo "# D: $(ready D.err) of $n rows prepared by the reader"
q='SELECT p.pid, m.day, m.num FROM patchids p JOIN messages m ON m.id = p.id ORDER BY 1, 2, 3'
check "...and the same patch ids" [ "$(isql P "$q" | md5sum)" = "$(isql O "$q" | md5sum)" ]
found=
for w in strasse cafe finalise 北京 議事録 review extend ecole 'dfb:finalised_pages' 's:北京'; do
	[ "$(la search --data P --count "$w" 2>&1)" -gt 0 ] 2>/dev/null && found="$found $w"
done
check_eq "P finds the edge message's words (folded, CJK, stems)" "$found" \
	" strasse cafe finalise 北京 議事録 review extend ecole dfb:finalised_pages s:北京"

# A public-inbox v2 inbox: its reader prepares the rows too.
if have_public_inbox; then
	export HOME=$T PI_CONFIG=$T/pi.config
	sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' src/edges.mbox "$ROOT/samples/seeds.mbox" >pi.mbox
	public-inbox-init -V2 -L basic v2 "$T/v2" http://example.org/v2 v2@example.org 2>pi.err &&
		"$ROOT/bench/pi-import" v2 v2 pi.mbox >/dev/null 2>>pi.err
	LISTARC_FTS_PREP=1 LISTARC_TEST_MEMORY=1 la index -q --data G l v2 2>G.err
	LISTARC_FTS_PREP=0 la index -q --data GO l v2 2>GO.err
	gn=$(isql G 'SELECT count(*) FROM s.fts_docsize')
	check "a v2 inbox: its $gn rows prepared by the git reader, the words as the thread's" \
		[ "$(ready G.err)" = "$gn" -a "$gn" -gt 30 -a "$(fts_vocab G)" = "$(fts_vocab GO)" ]
else
	skip 1 "$SKIP_PI"
fi

# An index made before the stems (lore's columns only; as t7010 makes
# one): a delivered message gets its row as that index's form has it.
la index -q --data nostem l "$ROOT/samples/seeds.mbox"
rm -f nostem/search.sqlite*
sqlite3 nostem/index.sqlite "CREATE VIRTUAL TABLE fts USING fts5(s, f, t, c, nq, q, dfn, dfa, dfb, dfctx, dfhh, dfpre, dfpost, n, l, content='', tokenize='unicode61 remove_diacritics 2'); UPDATE meta SET value = 'old' WHERE key = 'schema_sql'"
cp -r nostem nostem-a
LISTARC_DELIVER_REINDEX=0 la deliver --data nostem l <src/edges.mbox 2>/dev/null
terms() {
	sqlite3 "$1/index.sqlite" "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, instance);
		SELECT term, col, offset FROM temp.v ORDER BY 1, 2, 3"
}
terms nostem >nostem.txt
check "before the stems: CJK spaced, ß not folded, no column of stems" \
	eval 'grep -q "^北|s|" nostem.txt && grep -q "^straße|nq|" nostem.txt &&
		! grep -q "^strasse|" nostem.txt && [ "$(sqlite3 nostem/index.sqlite "SELECT count(*) FROM pragma_table_info('"'"'fts'"'"')")" = 15 ]'

if [ -n "$ANCHOR" ] && [ -x "$ANCHOR" ]; then
	"$ANCHOR" index -q --data A l src/*.mbox 2>A.err
	LISTARC_DELIVER_REINDEX=0 "$ANCHOR" deliver --data nostem-a l <src/edges.mbox 2>/dev/null
	check "the anchor's archives: the same words at the same positions (index, and before the stems)" \
		[ "$(fts_vocab A)" = "$ref" -a "$(terms nostem-a | md5sum)" = "$(md5sum <nostem.txt)" ]
else
	skip 1 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
fi
