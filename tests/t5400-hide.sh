#!/usr/bin/env bash
# t5400-hide: `listarc hide` takes one message of samples/seeds.mbox off
# every page: its URLs answer 410 with the reason (or without it, with
# --private), it is in no listing, calendar count, search, feed, thread
# page, thread mbox or API answer, its neighbours link past it, the other
# messages keep their numbers; it stays hidden through `index --rebuild`
# and a running server's page cache does not
# serve it; `listarc unhide` gives back every page byte for byte;
# `listarc log` shows each step with time, operator and reason; the
# mistakes (no such list, message or URL, hidden twice, no reason) fail
# with their documented exit codes and change nothing.
. "$(dirname "$0")/lib.sh"
plan 51
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox
# The message hidden: the 4th of 2020-05-09, a reply in the thread of
# PARENT (both from the mbox: its From_ lines and headers).
MID=1767506a-cb92-1e06-d41f-e03136857031@allwinnertech.com
URL=/seeds/2020/05/09/4
PARENT=20200508064004.57898-7-keescook@chromium.org
REASON='Personal data removed at the sender'"'"'s request <GDPR & co>'

la index --data "$DATA" seeds "$SEEDS" 2>/dev/null
check_eq "the message to hide is $URL" "$(get /api/v1$URL | grep -o '"message_id":"[^"]*"')" \
	"\"message_id\":\"$MID\""

# Every page that lists, searches, exports or neighbours it.
cat >paths <<EOF
/
/seeds/
/seeds/2020/
/seeds/2020/05/
/seeds/2020/05/09/
/seeds/2020/05/08/
/seeds/2020/05/09/3
/seeds/2020/05/09/5
/seeds/new.atom
/all/new.atom
/seeds/$PARENT/
/seeds/$PARENT/T/
/seeds/$PARENT/t/
/seeds/$PARENT/t.atom
/seeds/$PARENT/t.mbox.gz
/all/$PARENT/T/
/seeds/?q=console+frontend
/seeds/?q=m:$MID
/?q=console+frontend&x=t
/?q=console+frontend&x=A
/?q=console+frontend&x=m
/seeds/$PARENT/?x=m&q=console
/api/v1/
/api/v1/seeds/
/api/v1/seeds/?limit=100
/api/v1/seeds/$PARENT/
/api/v1/seeds/$PARENT/T/
$URL
$URL/raw
$URL/1
/seeds/$MID/
/seeds/$MID/raw
/seeds/$MID/T/
/seeds/$MID/t.mbox.gz
/all/$MID/
/api/v1$URL
/api/v1/seeds/$MID/
EOF
NLIST=27 # the first 27 are pages other than the message's own
getall before <paths
MSEARCH=$(grep -n "q=m:" paths | cut -d: -f1)

# mentions DIR N: whether page N of DIR (gunzipped when it is gzip)
# names the hidden message: its URL as a link or its Message-ID.
mentions() {
	local f=$1/$2
	if [ "$(head -c2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		zcat "$f" 2>/dev/null | grep -qiE "^Message-ID: <$MID>"
	elif [ "$2" = "$MSEARCH" ]; then
		# The search by Message-ID shows the query itself.
		grep -qF -e "$URL\"" -e "$URL/" "$f"
	else
		grep -qF -e "$URL\"" -e "$URL/" -e "$MID" "$f"
	fi
}
n=0
for ((i = 1; i <= NLIST; i++)); do mentions before "$i" && n=$((n + 1)); done
# The month, day, list, feeds, thread pages and mbox, searches, API
# listings: most name it before (which makes the check below mean
# something); the index page, the year and 2020-05-08's day do not.
check "before: $n of $NLIST listing pages name the message (at least 18)" test "$n" -ge 18

# A typo changes nothing: no such list (67), no such message (67), a
# URL of another list or of no message (64), no reason (64).
cp "$DATA/index.sqlite" before.sqlite
la hide --data "$DATA" seeds-typo "$URL" --reason x >/dev/null 2>err
check_eq "hide in an unknown list: exit 67" "$?" 67
check "... which the error names" grep -q "seeds-typo: no such list" err
la hide --data "$DATA" seeds "<no-such-id@example.org>" --reason x >/dev/null 2>err
check_eq "hide of an unknown Message-ID: exit 67" "$?" 67
la hide --data "$DATA" seeds /seeds/2020/05/09/99 --reason x >/dev/null 2>err
check_eq "hide of an unknown message URL: exit 67" "$?" 67
la hide --data "$DATA" seeds /seeds/2020/05/ --reason x >/dev/null 2>err
check_eq "hide of a URL of no message: exit 64" "$?" 64
la hide --data "$DATA" seeds "$URL" >/dev/null 2>err
check_eq "hide without --reason: exit 64" "$?" 64
la unhide --data "$DATA" seeds "$URL" >/dev/null 2>err
check_eq "unhide of a message not hidden: exit 67" "$?" 67
check_eq "the log is empty" "$(la log --data "$DATA")" ""
check "no list was created" test "$(get /api/v1/ | grep -o '"name"' | wc -l)" = 1

# Hide it, by its full URL under a base path.
USER=alice la hide --data "$DATA" seeds "https://archive.example.org/lists$URL" \
	--reason "$REASON" >out 2>err
check_eq "hide by URL: exit 0" "$?" 0
check_eq "... saying what it hid" "$(cat out)" "hidden <$MID> in seeds: 1 message"
getall hidden <paths
for ((i = NLIST + 1; i <= $(wc -l <paths); i++)); do
	p=$(sed -n "${i}p" paths)
	st=$(awk -v i="$i" '$1 == i {print $2}' hidden.txt)
	case $p in
	/api/*) grep -qF '"reason":"Personal data removed at the sender'"'"'s request <GDPR & co>"' hidden/$i ;;
	*) grep -qF 'Reason: Personal data removed at the sender&#39;s request &lt;GDPR &amp; co&gt;' hidden/$i ;;
	esac
	check_eq "hidden: $p answers 410 with the reason" "$st/$?" 410/0
done
n=0
bad=
for ((i = 1; i <= NLIST; i++)); do
	if mentions hidden "$i"; then
		n=$((n + 1))
		bad="$bad $(sed -n "${i}p" paths)"
	fi
done
check_eq "hidden: no listing, search, feed, thread, mbox or API answer names it" "$n$bad" 0
check_eq "hidden: every other page still answers 200" \
	"$(head -$NLIST hidden.txt | awk '$2 != 200' | wc -l)" 0
check "hidden: the day before's page is unchanged" cmp -s before/6 hidden/6
check "hidden: prev of the 5th is the 3rd" grep -qF 'href="/seeds/2020/05/09/3">&lt;prev' hidden/8
check "hidden: next of the 3rd is the 5th" grep -qF 'href="/seeds/2020/05/09/5">next&gt;' hidden/7
check "hidden: the 5th keeps its number (the same message)" \
	grep -qF '"url":"/seeds/2020/05/09/5"' <(get /api/v1/seeds/2020/05/09/5)
check "hidden: the day's calendar count is one less" \
	test "$(grep -c '<li' hidden/5)" -eq "$(($(grep -c '<li' before/5) - 1))"
check_eq "hidden: the search by its Message-ID finds nothing" \
	"$(get "/api/v1/seeds/$MID/" | grep -o '"status":[0-9]*')" '"status":410'
check "hidden: listarc search does not find it" \
	test -z "$(la search --data "$DATA" "m:$MID" 2>/dev/null)"
check "the mbox is untouched" cmp -s "$SEEDS" "$ROOT/samples/seeds.mbox"

la hide --data "$DATA" seeds "<$MID>" --reason again >/dev/null 2>err
check_eq "hiding it twice: exit 65" "$?" 65
check "... saying since when and why" grep -qF "is hidden already (since" err

# A rebuild indexes it again, hidden.
la index --data "$DATA" --rebuild seeds "$SEEDS" 2>/dev/null
getall rebuilt <paths
check "after --rebuild: every page as while hidden" diff -r hidden rebuilt

# A server's page cache: the page it served is not served once hidden.
la unhide --data "$DATA" seeds "$MID" --by bob --reason "mistake" >/dev/null
start_server s
check_eq "served: the message before hiding (twice: cached)" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$U$URL")/$(curl -s -o /dev/null -w '%{http_code}' "$U$URL")" 200/200
la hide --data "$DATA" seeds "$U$URL" --private --by carol --reason "private reason" >/dev/null
curl -s -o page -w '%{http_code}' "$U$URL" >code
check_eq "served: 410 once hidden" "$(cat code)" 410
check "served: --private: the reason is not shown" test -z "$(grep -F 'private reason' page)"
check "served: the day page no longer lists it" \
	test -z "$(curl -s "$U/seeds/2020/05/09/" | grep -F "$URL\"")"
stop_server s

# Unhide: every page as before, byte for byte.
la unhide --data "$DATA" seeds "$URL" --by dave --reason "cleared" >out
check_eq "unhide: exit 0" "$?" 0
getall after <paths
check "unhide: every page as before the hide, byte for byte" diff -r before after
check "unhide: the statuses too" cmp -s before.txt after.txt

# The log: each hide and unhide, oldest first.
la log --data "$DATA" >log
check_eq "log: four lines" "$(wc -l <log)" 4
check_eq "log: the actions and operators" "$(cut -f2,3,5 log | tr '\t\n' ' |')" \
	"hide seeds alice|unhide seeds bob|hide seeds carol|unhide seeds dave|"
check_eq "log: the Message-ID and the reason" "$(head -1 log | cut -f4,6)" \
	"<$MID>	$REASON"
check "log: times in UTC" grep -qE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z	' log
check_eq "log LIST: the same" "$(la log --data "$DATA" seeds | wc -l)" 4
la log --data "$DATA" nosuch >/dev/null 2>&1
check_eq "log of an unknown list: exit 67" "$?" 67
check "no sanitizer report" test -z "$(cat ./*.err | grep -E 'Sanitizer|runtime error')"
