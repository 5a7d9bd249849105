#!/usr/bin/env bash
# t5420-rebuild: `listarc index --rebuild` changes no URL of an archive
# that was purged, hidden, rethreaded and renamed.  Four messages of
# samples/seeds.mbox (plus one of a day of its own) are purged: one in the
# middle of a day, the last and the first of a day, the only one of a day;
# one is hidden; a thread-break splits a series at its cover letter
# (`listarc rethread`); the list is renamed.  Every page a crawl from / reaches (and the purged and
# hidden URLs) is then byte for byte the same after `--rebuild`, every
# other message keeps its URL, the purged and hidden ones answer 410 with
# their reasons, and new mail takes the next numbers (never a purged one's).
. "$(dirname "$0")/lib.sh"
plan 17
seeds_archive
# msg ID DAY SUBJECT: a message of 2020-05-DAY with a From_ line of that day.
msg() {
	printf 'From x@example.org Sun May %s 10:00:00 2020\n' "$2"
	printf 'From: Lone <lone@example.org>\nSubject: %s\nDate: Sun, %s May 2020 10:00:00 +0000\n' "$3" "$2"
	printf 'Message-ID: <%s>\n\nThe body of %s.\n\n' "$1" "$1"
}
msg lone@example.org 10 "alone on its day" >>"$MBOX"
la index --data "$DATA" seeds "$MBOX" 2>/dev/null
check_eq "the index: 37 messages" "$(sqlite3 "$DATA/index.sqlite" 'SELECT count(*) FROM messages')" 37

# Every message's raw bytes at its URL, before anything is done.
sqlite3 "$DATA/index.sqlite" "SELECT printf('/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100,
	day % 100, num) FROM messages ORDER BY day, num" >nums
sed 's,^,/seeds,; s,$,/raw,' nums | getall before

PURGED="2020/05/09/4 2020/05/09/7 2019/05/20/1 2020/05/10/1"
HIDDEN=2020/05/08/3
BREAK=20200508064004.57898-1-keescook@chromium.org
rc=0
for u in $PURGED; do
	la purge --data "$DATA" seeds "/seeds/$u" --reason "court order $u" >/dev/null 2>>err || rc=1
done
la hide --data "$DATA" seeds "/seeds/$HIDDEN" --reason "privacy" >/dev/null 2>>err || rc=1
get "/seeds/$BREAK/T/" >thread.before
printf '[site]\nthread-break = <%s>\n' "$BREAK" >"$DATA/listarc.conf"
la rethread --data "$DATA" seeds >/dev/null 2>>err || rc=1
get "/seeds/$BREAK/T/" >thread.after
la list --data "$DATA" rename seeds arch >/dev/null 2>>err || rc=1
check_eq "four purges, a hide, a rethread, a rename: exit 0" "$rc" 0
differ() { ! cmp -s "$1" "$2"; }
check "... the thread-break changed its thread's page" differ thread.before thread.after

# The crawl: every page links reach from /, and the purged and hidden
# URLs (by date and by Message-ID) that no page links.
starts() {
	echo /
	for u in $PURGED $HIDDEN; do echo "/arch/$u"; done
	echo /arch/lone@example.org/
	echo /arch/1767506a-cb92-1e06-d41f-e03136857031@allwinnertech.com/
}
"$PYTHON" "$ROOT/tests/spider.py" "$LISTARC" "$DATA" a $(starts) 2>crawl.err
check "crawled before the rebuild (no failure, no sanitizer report)" [ $? -eq 0 ]
check "... more than 250 pages" [ "$(wc -l <a.paths)" -gt 250 ]
cp -a "$DATA" renamed

la index --data "$DATA" --rebuild arch >/dev/null 2>>err
check_eq "index --rebuild: exit 0" "$?" 0
same_index renamed "$DATA" "the index: every message, purged rows too, keeps its day, number and thread"
"$PYTHON" "$ROOT/tests/spider.py" "$LISTARC" "$DATA" b $(starts) 2>>crawl.err
check "crawled after the rebuild" [ $? -eq 0 ]
check "the same pages are reached" cmp a.paths b.paths
if diff -r a b >crawl.diff && cmp -s a.txt b.txt; then ok "every page is byte for byte as before the rebuild"; else
	not_ok "every page is byte for byte as before the rebuild"
	awk 'NR == FNR { p[$1] = $4; next } /^diff/ { n = $NF; sub(".*/", "", n); print "#   differs: " p[n] }' \
		b.txt crawl.diff | head -10
fi
want=""
got=""
for u in $PURGED; do
	want="$want 410"
	get "/arch/$u" >page
	if grep -qF "court order $u" page; then got="$got $STATUS"; else got="$got $STATUS-no-reason"; fi
done
check_eq "each purged URL answers 410 with its reason" "$got" "$want"
get "/arch/$HIDDEN" >page
check_eq "the hidden URL answers 410" "$STATUS" 410

# Every other message: its raw bytes at its old URL (under the new name).
grep -vxF -f <(printf '/%s\n' $PURGED $HIDDEN) nums | sed 's,^,/arch,; s,$,/raw,' | getall after
grep -vxF -f <(printf '/%s\n' $PURGED $HIDDEN) nums >kept
# after/N is the N-th of kept; before/I the I-th of nums.
cmp_raw() {
	local n=0 i p bad=0
	while read -r p; do
		n=$((n + 1))
		i=$(grep -nxF "$p" nums | cut -d: -f1)
		cmp -s "before/$i" "after/$n" || bad=$((bad + 1))
	done <kept
	echo "$n $bad"
}
check_eq "the 32 others: each at its URL, its bytes as before (none differ)" "$(cmp_raw)" "32 0"

# New mail after the rebuild takes the next numbers of its day.
{
	msg new9@example.org 09 "new on the ninth"
	msg new10@example.org 10 "new on the tenth"
} >>"$MBOX"
la index --data "$DATA" arch >/dev/null 2>>err
check_eq "new mail: 2020-05-09 #8 and 2020-05-10 #2 (the purged numbers stay unused)" \
	"$(get /api/v1/arch/2020/05/09/8 | grep -o '"message_id":"[^"]*"') $(get /api/v1/arch/2020/05/10/2 | grep -o '"message_id":"[^"]*"')" \
	'"message_id":"new9@example.org" "message_id":"new10@example.org"'
cp -a "$DATA" grown
la index --data "$DATA" --rebuild arch >/dev/null 2>>err
same_index grown "$DATA" "a second rebuild: the same index again"

la unhide --data "$DATA" arch "/arch/$HIDDEN" >/dev/null 2>>err
get "/arch/$HIDDEN/raw" >raw
check "unhide after the rebuild: its raw bytes as before" cmp -s raw "before/$(grep -n "^/$HIDDEN\$" nums | cut -d: -f1)"
check "no sanitizer report" test -z "$(cat err crawl.err ./*.err "$T/get.err" 2>/dev/null | grep -E 'Sanitizer|runtime error')"
