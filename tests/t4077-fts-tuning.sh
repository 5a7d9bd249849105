#!/usr/bin/env bash
# t4077-fts-tuning: how FTS5 writes search.sqlite (store/store.c,
# fts_tuning: a hash of 4 MB of pending terms, a level merged at 8
# segments, kept in its fts_config) and how its rows are prepared
# (store/write.c: each column's stems taken from its text as folded
# for the index; util/stem.c's scan) change where the terms lie, never
# what the index holds or what a query finds.  One corpus (2,000
# messages of ../shared/corpora/gen-corpus.py, samples/seeds.mbox,
# ../shared's lkml.mbox and notmuch.mbox, and messages of its own with
# folded letters, CJK, diffs, attachments and a List-Id) is indexed in
# small batches (LISTARC_BATCH=97: many segments, merged again and
# again) with the tuning (T) and with FTS5's defaults
# (LISTARC_FTS_DEFAULTS=1: D).  (The build before the tuning was
# compared too, when it was made; its stems differ since search format
# 3.)  Every word at
# every position (fts_vocab) and the answers of queries of every prefix
# class (newest first and by relevance, with counts) must be the same;
# an index made with the defaults takes the tuning at its next writer's
# open and answers the same after it.
. "$(dirname "$0")/lib.sh"
plan 6
if ! have_shared; then
	skip 6 "$SKIP_SHARED"
	exit 0
fi

"$PYTHON" "$SHARED/corpora/gen-corpus.py" 2000 corpus.mbox 7 >/dev/null
cat "$ROOT/samples/seeds.mbox" "$SHARED/corpora/lkml.mbox" "$SHARED/corpora/notmuch.mbox" >>corpus.mbox
cat >>corpus.mbox <<'EOF'
From a@example.org Mon Jan  4 10:00:00 2021
From: Jürgen Groß <jgross@example.org>
To: Ærøskøbing List <list@example.org>
Cc: Œuvre Reviewers <oeuvre@example.org>, "Straße" <strasse@example.org>
List-Id: Tuning tests <tuning.example.org>
Subject: [PATCH v2 1/2] mm: ﬁnalise the Straße of page_alloc
Date: Mon, 04 Jan 2021 10:00:00 +0000
Message-ID: <tune-1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

The encyclopædia says reviewed patches extend the café's straße.
北京曾益科技有限公司 reviewed 東京の議事録 and ﬁnalised it.

> Quoted: extending reviews of œuvres, Großbuchstaben.

diff --git a/mm/page_alloc.c b/mm/page_alloc.c
index 0123456789ab..fedcba987654 100644
--- a/mm/page_alloc.c
+++ b/mm/page_alloc.c
@@ -10,7 +10,7 @@ static void free_pages_ok(struct page *page)
 	unsigned long flags;
-	reviewed_pages(page, straße);
+	finalised_pages(page, 北京);
 	return;
EOF
cat >>corpus.mbox <<'EOF'
From b@example.org Tue Jan  5 10:00:00 2021
From: Ødegård <o@example.org>
To: list@example.org
List-Id: <tuning.example.org>
Subject: Re: [PATCH v2 1/2] mm: ﬁnalise the Straße of page_alloc
Date: Tue, 05 Jan 2021 10:00:00 +0000
Message-ID: <tune-2@example.org>
In-Reply-To: <tune-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Reviewed-by: Ødegård <o@example.org>
Extends the ﬂow: 北京 and 東京 extending.

--b
Content-Type: text/x-patch; name="0001-fix-straße.patch"
Content-Disposition: attachment; filename="0001-fix-straße.patch"

diff --git a/fs/cifs/file.c b/fs/cifs/file.c
index 1111111..2222222 100644
--- a/fs/cifs/file.c
+++ b/fs/cifs/file.c
@@ -1,3 +1,3 @@ int cifs_open(struct inode *inode)
-	old_reviewing();
+	new_extending();
 	ctx = NULL;
--b--
EOF

LISTARC_BATCH=97 la index -q --data T l corpus.mbox 2>T.err &&
	LISTARC_BATCH=97 LISTARC_FTS_DEFAULTS=1 la index -q --data D l corpus.mbox 2>D.err
check_eq "T (the tuning) and D (FTS5's defaults) indexed: exit 0" $? 0
cfg() { sqlite3 "$1/search.sqlite" "SELECT k || '=' || v FROM fts_config WHERE k <> 'version' ORDER BY k" | tr '\n' ' '; }
check_eq "T's search file has the tuning in its fts_config, D's FTS5's defaults" \
	"$(cfg T)|$(cfg D)" "automerge=8 hashsize=4194304 |"

ref=$(fts_vocab D)
check "T's search index holds the same words at the same places as D's" \
	[ "$(fts_vocab T)" = "$ref" -a "$(isql T 'SELECT count(*) FROM s.fts_data')" -gt 10 ]

cat >queries.txt <<'EOF'
the
patch
review
extends
"signed off by"
"the patch"
inter*
brigh*
s:cifs
s:regist*
s:finalise
s:straße
subject:page_alloc
d:2010-01-01..2010-12-31
d:2005..2014
d:20210101..20210110
dt:20210104000000..20210105120000
rt:2021-01-01..
b:reviewed
bs:straße
nq:reviewed
q:reviews
q:großbuchstaben
f:perches
f:groß
f:jgross
a:oeuvre
t:trivial
t:ærøskøbing
c:strasse
tc:oeuvre
tcf:groß
l:tuning.example.org
lid:tuning.example.org
m:tune-1@example.org
mid:tune-2@example.org
n:0001-fix-straße.patch
n:patch
z:1..2000
z:2000..
dfn:fs/cifs/file.c
dfn:Makefile
dfn:page_alloc.c
dfa:reviewed_pages
dfa:reviewing
dfa:old_reviewing
dfb:finalised_pages
dfb:extending
dfb:new_extending
dfb:return
dfhh:free_pages_ok
dfhh:pages
dfhh:cifs_open
dfctx:flags
dfctx:ctx
dfpre:0123456789ab
dfpost:fedcba987654
dfblob:2222222
patchid:0*
strasse
encyclopaedia
oeuvre
finalised
flow
北京
東京
議事録
s:議事録
café
cafe
should NOT s:patch
maildir OR mutt
(s:notmuch OR s:semicolons) -s:rfc d:2012..2018
f:perches s:semicolons d:2005..2015
+review -s:re
"reviewed patches extend"
EOF
ans() {
	local q order
	while IFS= read -r q; do
		for order in newest relevance; do
			echo "== $q $order"
			"$2" search --data "$1" --order="$order" --limit 1000 "$q" 2>&1
			"$2" search --data "$1" --count "$q" 2>&1
		done
	done <queries.txt
}
ans D "$RELEASE" >ans-D.txt
ans T "$RELEASE" >ans-T.txt
check "T answers the $(wc -l <queries.txt) queries as D does (newest first, by relevance, counts)" \
	cmp -s ans-D.txt ans-T.txt
diff ans-D.txt ans-T.txt | head -6 | sed 's/^/#   /'
# The folded, CJK, stemmed and diff queries among them find messages.
none=
for q in strasse encyclopaedia oeuvre flow 北京 東京 議事録 s:straße s:finalise review f:groß \
	c:strasse l:tuning.example.org n:0001-fix-straße.patch dfhh:pages dfhh:cifs_open \
	dfa:reviewed_pages dfb:new_extending dfpre:0123456789ab dfblob:2222222 q:großbuchstaben; do
	[ "$("$RELEASE" search --data D --count "$q" 2>&1)" -gt 0 ] 2>/dev/null || none="$none $q"
done
check_eq "...and the queries find messages ($(grep -c '^20[0-9][0-9]-' ans-D.txt) results; folded, CJK, stemmed and diff queries among them)" \
	"${none:-none empty}|$([ "$(grep -c '^20[0-9][0-9]-' ans-D.txt)" -gt 1000 ] && echo many)" "none empty|many"

# D's file opened by a writer (a no-op run): it takes the tuning, and
# answers the same after a message more.
la index -q --data D l corpus.mbox 2>>D.err
cp corpus.mbox more.mbox
"$PYTHON" "$SHARED/corpora/gen-corpus.py" 50 extra.mbox 8 >/dev/null
cat extra.mbox >>more.mbox
LISTARC_BATCH=97 la index -q --data D l more.mbox 2>>D.err &&
	LISTARC_BATCH=97 la index -q --data T l more.mbox 2>>T.err
check_eq "D, opened again by a writer, has the tuning; both took 50 messages more" \
	"$(cfg D)|$(isql D 'SELECT count(*) FROM s.fts_docsize')" \
	"automerge=8 hashsize=4194304 |$(isql T 'SELECT count(*) FROM s.fts_docsize')"

