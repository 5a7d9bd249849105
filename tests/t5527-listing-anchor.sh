#!/usr/bin/env bash
# t5527-listing-anchor: every list, year, month and day page (and their
# ?page=2, and the site index) of samples/, of ../shared/corpora's mboxes
# and of a generated corpus, as this build makes them and as an anchor
# build does (LISTARC_ANCHOR: a release build from before the change,
# `make check-anchor ANCHOR=PATH`; skipped without one, as in `make
# check`), on the same
# data directory: status and body byte for byte.  The faster statements
# and line writer of render/listing.c and store/read.c must not change a
# byte.  Skipped where there is no anchor build.
. "$(dirname "$0")/lib.sh"
ANCHOR=${LISTARC_ANCHOR:-}
plan 7

if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 7 "no anchor build at $ANCHOR (set LISTARC_ANCHOR)"
	exit 0
fi

# paths DATA: the site index, and of each list its page, years, months
# and days, each with a ?page=2 (a 404 on most: compared as well).
paths() {
	local db=$1/index.sqlite
	echo /
	sqlite3 "$db" "
		SELECT '/' || l.name || '/' FROM lists l;
		SELECT '/' || l.name || '/?page=2' FROM lists l;
		SELECT DISTINCT '/' || l.name || printf('/%04d/', d.day / 10000)
		  FROM days d JOIN lists l ON l.id = d.list_id;
		SELECT DISTINCT '/' || l.name || printf('/%04d/%02d/', d.day / 10000, d.day / 100 % 100) || p.q
		  FROM days d JOIN lists l ON l.id = d.list_id, (SELECT '' q UNION ALL SELECT '?page=2'
		  UNION ALL SELECT '?page=3') p;
		SELECT '/' || l.name || printf('/%04d/%02d/%02d/', d.day / 10000, d.day / 100 % 100,
		  d.day % 100) || p.q
		  FROM days d JOIN lists l ON l.id = d.list_id, (SELECT '' q UNION ALL SELECT '?page=2') p;"
}

# same DATA WHAT: every path of DATA through the anchor and through this
# build (one `get --batch` each); one check.
same() {
	local data=$1 what=$2 n
	paths "$data" >"$data.paths"
	n=$(wc -l <"$data.paths")
	"$ANCHOR" get --data "$data" --batch "$data.ref" <"$data.paths" >"$data.ref.txt" 2>/dev/null
	"$LISTARC" get --data "$data" --batch "$data.got" <"$data.paths" >"$data.got.txt" 2>"$data.got.err"
	: >"$data.diff"
	cmp -s "$data.ref.txt" "$data.got.txt" || diff "$data.ref.txt" "$data.got.txt" | head -5 >>"$data.diff"
	diff -rq "$data.ref" "$data.got" >>"$data.diff" 2>&1
	[ -s "$data.got.err" ] && head -5 "$data.got.err" >>"$data.diff"
	check "$what ($n paths)" [ ! -s "$data.diff" ]
	head -5 "$data.diff" | sed 's/^/#   /'
}

# samples/: two lists in one archive.
la index -q --data s lkml "$ROOT/samples/lkml.mbox" &&
	la index -q --data s seeds "$ROOT/samples/seeds.mbox"
check_eq "samples/ indexes" $? 0
same s "samples/: every listing page is the anchor's"
check "... months with lines among them" grep -q ' 200 0 /lkml/[0-9]*/[0-9]*/$' s.got.txt

# ../shared/corpora: its mboxes, a list each.
if have_shared; then
	rc=0
	for f in "$SHARED"/corpora/*.mbox; do
		b=$(basename "$f" .mbox)
		la index -q --data c "$b" "$f" || rc=1
	done
	check_eq "../shared/corpora indexes" $rc 0
	same c "../shared/corpora: every listing page is the anchor's"
else
	skip 2 "$SKIP_SHARED"
fi

# A generated corpus: 4,000 messages a few minutes apart, so that days
# have more than MONTH_DAY_SHOW messages ("N more messages") and months
# more than MONTH_PAGE_LINES lines (?page=2), and a late delivery now
# and then.
mkcorpus 4000 gen.mbox 5527 && la index -q --data g gen gen.mbox
check_eq "the generated corpus indexes" $? 0
same g "the generated corpus: every listing page is the anchor's"
