#!/usr/bin/env bash
# t4097-fts-same-rows: what makes the search thread cheaper leaves the
# search index's file as it was, row for row: FTS5's own tables (fts_data,
# every segment's blocks; fts_idx; fts_docsize; fts_config) are the same
# bytes
#   - with the writer's unicode61 (store/ftstok.c, which makes the diffs'
#     line breaks and dfhh's stem marks, U+E000 and U+E001, itself) and
#     with SQLite's alone (LISTARC_FTS_SQLITE_TOKENS=1), through the
#     search thread and through the writer's own inserts
#     (LISTARC_FTS_SERIAL=1);
#   - as an anchor build's ($LISTARC_ANCHOR, `make check-anchor`; skipped
#     without it), whose rows were bound with their lengths (this build
#     binds each text ended by a NUL, save one with a NUL of its own).
# The corpus: 1,200 generated messages (patches throughout: diffs' lines,
# hunk headers' stems), samples/, and messages with the marks' bytes in
# their words, a NUL in their text, accents beside ASCII letters.
. "$(dirname "$0")/lib.sh"
plan 6
ANCHOR=${LISTARC_ANCHOR:-}
export LISTARC_BATCH=300

cp "$ROOT/samples/seeds.mbox" "$ROOT/samples/lkml.mbox" .
if have_shared && [ -f "$SHARED/corpora/gen-corpus.py" ]; then
	"$PYTHON" "$SHARED/corpora/gen-corpus.py" 1200 gen.mbox 5 >/dev/null 2>&1
fi
{
	printf 'From a@example.org Mon Jan  4 10:00:00 2021\n'
	printf 'From: A <a@example.org>\nTo: list@example.org\n'
	printf 'Subject: [PATCH] marks\xee\x80\x81Inside caf\xc3\xa9 x\xee\x80\x80y\n'
	printf 'Date: Mon, 04 Jan 2021 10:00:00 +0000\nMessage-ID: <same-1@example.org>\n'
	printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n'
	printf 'Content-Transfer-Encoding: 8bit\n\n'
	printf 'Words\xee\x80\x80Joined \xee\x80\x81stem \xee\x80 cut \xee\x80\x82other \xee\x80\x81\n'
	printf 'before\x00after NUL in the text; Na\xc3\xafve r\xc3\xa9sum\xc3\xa9\xee\x80\x81X\n\n'
	printf '> quoted\x00 with a NUL too\n\n'
	printf 'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n'
	printf '@@ -1,2 +1,2 @@ static int pages_alloc(struct page *page)\n'
	printf -- '-old\xee\x80\x81line\n+new\x00line\n context\n\n'
} >edge.mbox

# ARCHIVE BIN [ENV...]: the mboxes indexed into ARCHIVE by BIN, with
# the environment ENV.
index_all() {
	local d=$1 bin=$2 f
	shift 2
	for f in seeds lkml edge gen; do
		[ -f $f.mbox ] || continue
		env "$@" "$bin" index -q --data "$d" "$f" $f.mbox 2>>"$d.err" || return 1
	done
}
# FTS5's tables of ARCHIVE's search index, every row's bytes.
fts_dump() {
	local t
	for t in fts_data fts_idx fts_docsize fts_config; do
		echo "== $t"
		sqlite3 "$1/search.sqlite" ".mode quote" "SELECT * FROM $t ORDER BY 1, 2"
	done
}

index_all fast "$RELEASE" &&
	index_all slow "$RELEASE" LISTARC_FTS_SQLITE_TOKENS=1 &&
	index_all sfast "$RELEASE" LISTARC_FTS_SERIAL=1 &&
	index_all sslow "$RELEASE" LISTARC_FTS_SERIAL=1 LISTARC_FTS_SQLITE_TOKENS=1
check_eq "the archives made, four ways" $? 0
n=$(sqlite3 fast/index.sqlite "SELECT count(*) FROM messages")
check "...with every message ($n)" [ "$n" -ge 5 ]

for d in fast slow sfast sslow; do fts_dump $d >$d.rows; done
blocks=$(sqlite3 fast/search.sqlite "SELECT count(*) FROM fts_data")
check "the search thread: FTS5's rows (fts_data's $blocks blocks) are the same bytes with SQLite's tokenizer" \
	cmp -s fast.rows slow.rows
check "the writer's own inserts: the same" cmp -s sfast.rows sslow.rows
id=$(sqlite3 fast/index.sqlite "SELECT id FROM messages WHERE subject LIKE '[PATCH] marks%'")
found=
for q in cafe naive before after quoted 'dfb:new' "s:\"marks$(printf '\xee\x80\x81')inside\""; do
	found="$found$(sqlite3 fast/search.sqlite "SELECT count(*) FROM fts WHERE fts MATCH '$q' AND rowid = $id")"
done
check "the edge message found by its words beside the marks, accents and NULs ($found)" \
	[ "$found" = 1111111 ]

if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 1 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
index_all anchor "$ANCHOR" && fts_dump anchor >anchor.rows
if cmp -s anchor.rows fast.rows; then
	ok "the anchor's rows, byte for byte ($(wc -l <fast.rows) rows)"
else
	not_ok "the anchor's rows, byte for byte"
	diff anchor.rows fast.rows | head -5 | cut -c1-200 | sed 's/^/#   /'
fi
