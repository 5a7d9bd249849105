#!/usr/bin/env bash
# t6021-message-pages-same: every message page is byte for byte the page
# a reference build makes of the same index (render/ made faster must not
# change a byte): each message of the corpora (samples/, and with
# ../shared: edge/, notmuch.mbox, peers/, the pipermail month files),
# by its date URL and by its Message-ID URL, through `listarc get
# --batch` of this tree's release build and of the reference, their
# statuses and the SHA-256 of every body compared.  The archive has two
# lists sharing messages (the outline's list filter) and hidden messages
# (left out of the outlines and the navigation).  The reference is
# $LISTARC_ANCHOR (a release build from before the change: `make
# check-anchor ANCHOR=PATH`); without one, as in `make check`, the
# comparisons are skipped.
. "$(dirname "$0")/lib.sh"
plan 9
REF=${LISTARC_ANCHOR:-}
DATA=$T/arc
C=$SHARED/corpora

corpus_mboxes src
bad=0
for mb in src/*.mbox; do
	"$RELEASE" index -q --data "$DATA" "$(basename "$mb" .mbox)" "$mb" 2>>err.txt || bad=$((bad + 1))
done
# A second list holding the seeds again: messages of one Message-ID in
# two lists, threads that span both.
"$RELEASE" index -q --data "$DATA" again src/seeds.mbox 2>>err.txt || bad=$((bad + 1))
if have_shared && [ -d "$C/pipermail/xepersian-development" ]; then
	"$RELEASE" index -q --data "$DATA" xp "$C"/pipermail/xepersian-development/*.txt 2>>err.txt ||
		bad=$((bad + 1))
fi
check_eq "every source indexes" "$bad" 0

# Every 5th message of the seeds hidden: the outlines and the navigation
# of their threads skip them, and their own pages are 410s.
hidden=0
while read -r url; do
	"$RELEASE" hide --data "$DATA" --reason test seeds "$url" >/dev/null 2>>err.txt &&
		hidden=$((hidden + 1))
done < <(isql "$DATA" "SELECT printf('/seeds/%04d/%02d/%02d/%d', m.day / 10000, m.day / 100 % 100,
	m.day % 100, m.num) FROM messages m JOIN lists l ON l.id = m.list_id
	WHERE l.name = 'seeds' AND m.id % 5 = 3")
check "... some messages hidden ($hidden)" [ "$hidden" -gt 5 ]

# Each message's date URL and Message-ID URL.
isql "$DATA" "SELECT printf('/%s/%04d/%02d/%02d/%d', l.name, m.day / 10000, m.day / 100 % 100,
	m.day % 100, m.num) FROM messages m JOIN lists l ON l.id = m.list_id ORDER BY m.id" >paths
"$PYTHON" - "$DATA/index.sqlite" >>paths <<'EOF'
import sqlite3, sys, urllib.parse
db = sqlite3.connect(sys.argv[1])
for name, mid in db.execute('SELECT l.name, mids.mid FROM messages m JOIN lists l ON l.id = m.list_id'
                            ' JOIN mids ON mids.id = m.mid ORDER BY m.id'):
    seg = urllib.parse.quote(mid, safe='@+=:,!')
    if (len(seg) == 4 and seg.isdigit()) or seg == 'topics':
        seg = '%%%02X' % ord(seg[0]) + seg[1:]
    print('/%s/%s/' % (name, seg))
EOF
n=$(wc -l <paths)
least=400
have_shared && least=1600
check "... $n message URLs (more than $least)" [ "$n" -gt "$least" ]

if [ -z "$REF" ] || [ ! -x "$REF" ]; then
	skip 6 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
# crawl BINARY NAME [DATA [PATHS]]: pages-NAME/N the body of the N-th
# path; pages-NAME.txt: "N STATUS EXIT PATH"; sums-NAME their SHA-256.
crawl() {
	"$1" get --data "${3:-$DATA}" --batch "pages-$2" <"${4:-paths}" >"pages-$2.txt" 2>"pages-$2.err" &&
		(cd "pages-$2" && find . -type f | sort | xargs sha256sum) >"sums-$2"
}
# same NAME1 NAME2 WHAT: one check, the two crawls' statuses and bodies.
same() {
	local ok200
	ok200=$(awk '$2 == 200' "pages-$2.txt" | wc -l)
	if cmp -s "pages-$1.txt" "pages-$2.txt" && cmp -s "sums-$1" "sums-$2"; then
		ok "$3 ($ok200 of $(wc -l <"pages-$2.txt") answered 200)"
	else
		not_ok "$3"
		diff "sums-$1" "sums-$2" | awk '/^[<>]/ { sub("^[.]/", "", $3); print $3 }' | sort -un |
			head -5 | while read -r k; do
			echo "#   differs: $(awk -v k="$k" '$1 == k { print $4 }' "pages-$2.txt")"
		done
		diff "pages-$1.txt" "pages-$2.txt" | head -5 | sed 's/^/#   /'
	fi
}

crawl "$REF" ref
check "the reference answers every URL" [ $? -eq 0 ]
crawl "$RELEASE" new
check "this build answers every URL" [ $? -eq 0 ]
same ref new "every page is byte for byte the reference's"

# The index is input too: a message whose mids row is gone (which the
# writer never leaves) is left out of its thread's outline by both.
cp -r "$DATA" bad
big=$(isql bad "SELECT m.thread FROM messages m JOIN lists l ON l.id = m.list_id
	WHERE l.name = 'lkml' GROUP BY m.thread ORDER BY count(*) DESC, m.thread LIMIT 1")
isql bad "DELETE FROM mids WHERE id = (SELECT mid FROM messages WHERE thread = $big
	ORDER BY ts DESC, id DESC LIMIT 1)"
isql bad "SELECT printf('/%s/%04d/%02d/%02d/%d', l.name, m.day / 10000, m.day / 100 % 100,
	m.day % 100, m.num) FROM messages m JOIN lists l ON l.id = m.list_id
	WHERE m.thread = $big" >bad.paths
check "... a thread of $(wc -l <bad.paths) messages, one without its mids row" [ "$(wc -l <bad.paths)" -gt 2 ]
crawl "$REF" badref bad bad.paths && crawl "$RELEASE" badnew bad bad.paths
check "both builds answer its URLs" [ $? -eq 0 ]
same badref badnew "its pages are byte for byte the reference's"
