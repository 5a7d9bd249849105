#!/usr/bin/env bash
# t5100-pages: the page types above a message (day, month, year, list,
# site index), `listarc get` statuses and exit codes (200/0, 404/1, 400
# and 414/2, 301/3), `listarc get --batch`, the navigation line, and (with
# ../shared) the pages of shared/spec byte for byte.  Expected values come
# from the mbox From_ lines (and the spec files), never from the index the
# pages are made from.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox
LKML=$ROOT/samples/lkml.mbox
SPEC=$SHARED/spec

la index --data "$DATA" linux-kernel "$SEEDS" 2>/dev/null
rc1=$?
la index --data "$DATA" lkml "$LKML" 2>/dev/null
rc2=$?

# expect.py MBOX LIST: what the pages must show, from the From_ lines
# alone: "URL<TAB>day" per message, in mbox order (the N-th message of a
# day is N).
cat >expect.py <<'EOF'
import sys, time
path, name = sys.argv[1], sys.argv[2]
seen = {}
for line in open(path, "rb"):
    if not line.startswith(b"From "):
        continue
    f = line.decode().split()
    t = time.strptime(" ".join(f[-4:]), "%b %d %H:%M:%S %Y")
    day = "%04d/%02d/%02d" % (t.tm_year, t.tm_mon, t.tm_mday)
    seen[day] = seen.get(day, 0) + 1
    print("/%s/%s/%d\t%s" % (name, day, seen[day], day))
EOF
"$PYTHON" expect.py "$SEEDS" linux-kernel >lk.tsv
"$PYTHON" expect.py "$LKML" lkml >lkml.tsv
# Every month of both lists, as the From_ lines give them.
for tsv in lk.tsv lkml.tsv; do cut -f1 "$tsv" | cut -d/ -f2-4 | sort -u | sed "s|.*|/&/\t$tsv|"; done >months.tsv
# The 404, 301 and 400 cases below.
NOTFOUND="/nosuchlist/ /nosuchlist/2019/05/20/4 /linux-kernel/2019/05/22/ /linux-kernel/2019/04/
	/linux-kernel/2018/ /linux-kernel/2019/02/30/ /linux-kernel/2019/13/ /linux-kernel/2019/05/20/99
	/linux-kernel/2019/05/20/0 /linux-kernel/2019/05/20/4/9 /linux-kernel/2019/05/20/4/raw/x
	/Linux-Kernel/ /linux-kernel/2019/05/20/04 /linux-kernel//2019/ /_/nosuch.css"
MOVED="/linux-kernel:/linux-kernel/ /linux-kernel/2019:/linux-kernel/2019/
	/linux-kernel/2019/05:/linux-kernel/2019/05/ /linux-kernel/2019/05/20:/linux-kernel/2019/05/20/
	/linux-kernel/2019/05/20/4/:/linux-kernel/2019/05/20/4"
BAD="/linux-kernel/../linux-kernel/ /linux-kernel/2019/05/20/%2e%2e/ /linux-kernel/./ /%zz/
	/linux-kernel/%2 /linux-kernel%00/ /linux-kernel/%0a/ linux-kernel/"
words() { echo $#; }
plan $((62 + $(wc -l <months.tsv) + $(words $NOTFOUND) + $(words $MOVED) + $(words $BAD)))
check_eq "index seeds.mbox as linux-kernel" $rc1 0
check_eq "index lkml.mbox as lkml" $rc2 0
check_eq "the From_ lines of seeds.mbox give 36 messages" "$(wc -l <lk.tsv)" 36
check_eq "the From_ lines of lkml.mbox give 210 messages" "$(wc -l <lkml.tsv)" 210

# Text of the element with class=CLASS (nav) of a page, tags kept.
nav_of() { sed -n 's/.*<div class="nav">\(.*\)<\/div>.*/\1/p' "$1"; }

# ---- day pages ----
get /linux-kernel/2019/05/21/ >day.html
check_eq "a day page is 200 (exit 0)" "$STATUS/$RC" "200/0"
check "the day page is well formed" pagecheck day.html
check_eq "the day page's navigation: prev day, next day (the next day with mail), month, year, list" \
	"$(nav_of day.html)" \
	'[<a href="/linux-kernel/2019/05/20/">&lt;prev day</a>] [<a href="/linux-kernel/2020/05/08/">next day&gt;</a>] [<a href="/linux-kernel/2019/05/">month</a>] [<a href="/linux-kernel/2019/">year</a>] [<a href="/linux-kernel/">list</a>] '
check "the day page's heading is 'LIST mailing list - YYYY/MM/DD'" \
	grep -qx '<h1>linux-kernel mailing list - 2019/05/21</h1>' day.html
check "the day page's <title> is the same" \
	grep -qx '<title>linux-kernel mailing list - 2019/05/21</title>' day.html
check "the day page counts '7 messages'" grep -qx '<p>7 messages</p>' day.html
check_eq "the day page links every message of the day, in order" \
	"$(grep -o '<li><a href="[^"]*"' day.html | cut -d'"' -f2)" \
	"$(awk -F'\t' '$2 == "2019/05/21" { print $1 }' lk.tsv)"
check "a day line is 'Subject (From)', then the sender's time with its offset (UTC on hover)" grep -qF \
	'<li><a href="/linux-kernel/2019/05/21/2">Re: [PATCH v2 2/7] mm: Extend copy_vma()</a> <span class="from">(Kirill A. Shutemov)</span> <span class="date"><time datetime="2019-05-21T11:18:21+03:00" title="2019-05-21 08:18:21 UTC">11:18 +0300</time></span></li>' day.html
get /linux-kernel/2019/05/20/ >first.html
check "the first day has no prev day link" sh -c '! grep -q "prev day" first.html'
check "the first day links the next day" grep -q 'href="/linux-kernel/2019/05/21/">next day&gt;' first.html
get /linux-kernel/2020/05/09/ >last.html
check "the last day has no next day link" sh -c '! grep -q "next day" last.html'
get /lkml/2010/12/05/ >one.html
check "a day page with one message says '1 message'" grep -qx '<p>1 message</p>' one.html

# ---- month pages: every month of both lists against the From_ lines ----
cat >month.py <<'EOF'
# month.py TSV URL PAGE: checks a month page's calendar.
import calendar, re, sys
tsv, url, page = sys.argv[1:4]
_, name, y, m, _ = url.split("/")
y, m = int(y), int(m)
counts = {}
for line in open(tsv):
    u, day = line.rstrip("\n").split("\t")
    if day.startswith("%04d/%02d/" % (y, m)):
        d = int(day[8:])
        counts[d] = counts.get(d, 0) + 1
html = open(page).read()
cal = re.search(r'<table class="cal">\n(.*?)</table>', html, re.S).group(1)
rows = re.findall(r"<tr>(.*?)</tr>", cal, re.S)
problems = []
head = re.findall(r"<th>(.*?)</th>", rows[0])
if head != ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]:
    problems.append("week header %s" % head)
cells = []
for r in rows[1:]:
    c = re.findall(r"<td[^>]*>(.*?)</td>", r)
    if len(c) != 7:
        problems.append("a week of %d days" % len(c))
    cells += c
first = calendar.weekday(y, m, 1)  # Monday = 0
ndays = calendar.monthrange(y, m)[1]
if cells[:first] != [""] * first or cells[first] == "":
    problems.append("the 1st is not in column %d (Monday first)" % (first + 1))
days = cells[first:first + ndays]
for d in range(1, ndays + 1):
    cell = days[d - 1] if d - 1 < len(days) else None
    if d in counts:
        want = '<a href="/%s/%04d/%02d/%02d/">%d</a><br><small>%d</small>' % (name, y, m, d, d, counts[d])
    else:
        want = "%d" % d
    if cell != want:
        problems.append("day %d: %r, want %r" % (d, cell, want))
if any(cells[first + ndays:]):
    problems.append("cells after the last day")
total = sum(counts.values())
if "<p>%d message%s</p>" % (total, "" if total == 1 else "s") not in html:
    problems.append("no total of %d" % total)
for p in problems:
    print("#   %s: %s" % (url, p))
sys.exit(1 if problems else 0)
EOF
# (One `listarc get --batch` for all of them; the N-th month in months/N.)
cut -f1 months.tsv | getall months
mrc=$?
pagecheck months/* >months.bad
i=0
while IFS='	' read -r m tsv; do
	i=$((i + 1))
	st=$(awk -v i=$i '$1 == i { print $2 }' months.txt)
	if [ "$st/$mrc" = 200/0 ] && ! grep -q "^months/$i:" months.bad && "$PYTHON" month.py "$tsv" "$m" "months/$i"; then
		ok "month page $m: Monday-first calendar with each day's count linked"
	else
		not_ok "month page $m: Monday-first calendar with each day's count linked (status $st)"
		grep "^months/$i:" months.bad | sed 's/^/#   /'
	fi
done <months.tsv
# 2010/11 starts on a Monday (no empty cell), 2010/08 on a Sunday (six).
get /lkml/2010/11/ >m1.html
check "a month starting on Monday has no empty cell before the 1st" \
	grep -q '<tr><td><a href="/lkml/2010/11/01/">1</a>\|^<tr><td>1</td>' m1.html
get /lkml/2010/08/ >m2.html
check "a month starting on Sunday has six empty cells before the 1st" \
	grep -q '^<tr>\(<td class="empty"></td>\)\{6\}<td>\(<a href="/lkml/2010/08/01/">\)\?1' m2.html
get /lkml/2010/08/ >m.html
check_eq "a month page links the previous and next months with mail" \
	"$(nav_of m.html)" \
	'[<a href="/lkml/2010/06/">&lt;prev month</a>] [<a href="/lkml/2010/11/">next month&gt;</a>] [<a href="/lkml/2010/">year</a>] [<a href="/lkml/">list</a>] [<a href="/lkml/2010/08/mbox.gz">mbox.gz</a>] '
check_eq "a month page lists its days' messages under each day" \
	"$(grep -o '<li><a href="[^"]*"' m.html | cut -d'"' -f2)" \
	"$(awk -F'\t' '$2 ~ /^2010\/08\// { print $1 }' lkml.tsv)"

# ---- year pages ----
get /lkml/2010/ >year.html
check_eq "a year page is 200" "$STATUS" 200
check "the year page is well formed" pagecheck year.html
check_eq "a year page has twelve calendars" "$(grep -c '<table class="cal">' year.html)" 12
check_eq "captioned January to December, the months with mail linked" \
	"$(grep -o '<caption>.*</caption>' year.html | tr '\n' ' ')" \
	'<caption>January</caption> <caption>February</caption> <caption>March</caption> <caption>April</caption> <caption>May</caption> <caption><a href="/lkml/2010/06/">June</a></caption> <caption>July</caption> <caption><a href="/lkml/2010/08/">August</a></caption> <caption>September</caption> <caption>October</caption> <caption><a href="/lkml/2010/11/">November</a></caption> <caption><a href="/lkml/2010/12/">December</a></caption> '
check "the year page counts the year's messages" \
	grep -qx "<p>$(grep -c '	2010/' lkml.tsv) messages</p>" year.html
check_eq "the year page links prev and next years" "$(nav_of year.html)" \
	'[<a href="/lkml/2009/">&lt;prev year</a>] [<a href="/lkml/2011/">next year&gt;</a>] [<a href="/lkml/">list</a>] '
check_eq "every day with mail of the year is linked from its calendar" \
	"$(grep -o 'href="/lkml/2010/[0-9]*/[0-9]*/"' year.html | cut -d'"' -f2 | sort)" \
	"$(awk -F'\t' '$2 ~ /^2010\// { print "/lkml/" $2 "/" }' lkml.tsv | sort -u)"

# ---- list pages ----
get /lkml/ >list.html
check_eq "a list page is 200" "$STATUS" 200
check "the list page is well formed" pagecheck list.html
check "the list page's heading" grep -qx '<h1>lkml mailing list</h1>' list.html
check "the list page counts all messages" grep -q '^<p>210 messages &middot; ' list.html
# Years (newest first) by months: each cell the month's count.
cat >years.py <<'EOF'
import re, sys
tsv, name, page = sys.argv[1:4]
n = {}
for line in open(tsv):
    day = line.rstrip("\n").split("\t")[1]
    y, m = int(day[:4]), int(day[5:7])
    n[(y, m)] = n.get((y, m), 0) + 1
rows = []
for y in sorted({y for y, _ in n}, reverse=True):
    r = '<tr><th><a href="/%s/%04d/">%04d</a></th>' % (name, y, y)
    for m in range(1, 13):
        c = n.get((y, m))
        r += '<td><a href="/%s/%04d/%02d/">%d</a></td>' % (name, y, m, c) if c else "<td></td>"
    r += "<td>%d</td></tr>" % sum(c for (yy, _), c in n.items() if yy == y)
    rows.append(r)
html = open(page).read()
got = re.search(r'<table class="years">\n<tr><th></th>.*?</tr>\n(.*?)</table>', html, re.S).group(1).split("\n")[:-1]
for g, w in zip(got, rows):
    if g != w:
        print("#   got:  %s\n#   want: %s" % (g, w))
sys.exit(0 if got == rows else 1)
EOF
check "the list page's table of years by months holds each month's count" \
	"$PYTHON" years.py lkml.tsv lkml list.html
check "the list page shows 'The 100 most recent messages'" \
	grep -qx '<h2>The 100 most recent messages</h2>' list.html
# The newest 100: by day, then number, newest first.
check_eq "which are the 100 newest by day and number, newest first" \
	"$(grep -o '<li><span class="date"><time [^>]*>[^<]*</time></span> <a href="[^"]*"' list.html | cut -d'"' -f8)" \
	"$(awk -F'\t' '{ split($1, p, "/"); printf "%s %09d %s\n", $2, p[6], $1 }' lkml.tsv |
		sort -r | head -100 | cut -d' ' -f3)"
get /linux-kernel/ >list2.html
check "a list with fewer than 100 messages lists all of them" \
	grep -qx '<h2>The 36 most recent messages</h2>' list2.html
check_eq "...all 36" "$(grep -c '^<li><span class="date">' list2.html)" 36

# ---- site index ----
get / >index.html
check_eq "the site index is 200" "$STATUS" 200
check "the site index is well formed" pagecheck index.html
check "the site index lists each list with its count and latest day" grep -qF \
	'<tr><td><a href="/lkml/">lkml</a></td><td></td><td>210</td><td><a href="/lkml/2011/02/14/">2011/02/14</a></td></tr>' index.html
check "...in name order" grep -qF \
	'<tr><td><a href="/linux-kernel/">linux-kernel</a></td><td></td><td>36</td><td><a href="/linux-kernel/2020/05/09/">2020/05/09</a></td></tr>' index.html
check "the site bar names every list" grep -qF \
	'<a href="/">lists</a> <span class="sep">/</span> <a href="/linux-kernel/">linux-kernel</a> <a href="/lkml/">lkml</a></div>' index.html

# ---- 404, 301, 400, 414 and exit codes ----
# (Each case through `listarc get --batch`; the exit status on its line is
# the one `listarc get PATH` has, which the batch check below compares;
# the batch's own (a sanitizer's or Valgrind's report) must be 0.)
printf '%s\n' $NOTFOUND | getall nf
nfrc=$?
pagecheck nf/* >nf.bad
i=0
for u in $NOTFOUND; do
	i=$((i + 1))
	got=$(awk -v i=$i '$1 == i { print $2 "/" $3 }' nf.txt)/$nfrc
	if [ "$got" = 404/1/0 ] && grep -q '<h1>Not Found</h1>' "nf/$i" && ! grep -q "^nf/$i:" nf.bad; then
		ok "$u: 404 (exit 1) with the Not Found page"
	else
		not_ok "$u: 404 (exit 1) with the Not Found page (got $got)"
	fi
done
printf '%s\n' $MOVED | cut -d: -f1 | getall mv --headers
mvrc=$?
i=0
for pair in $MOVED; do
	i=$((i + 1))
	from=${pair%%:*} to=${pair#*:}
	got=$(awk -v i=$i '$1 == i { print $2 "/" $3 }' mv.txt)/$mvrc
	if [ "$got" = 301/3/0 ] && grep -qx "Location: $to" "mv/$i.head"; then
		ok "$from: 301 (exit 3) to $to"
	else
		not_ok "$from: 301 (exit 3) to $to (got $got: $(tr '\n' ' ' <"mv/$i.head"))"
	fi
done
get --base-url https://example.org/archive /linux-kernel >/dev/null
check "a redirect carries the base URL's path" grep -qx 'Location: /archive/linux-kernel/' "$T/get.err"
printf '%s\n' $BAD | getall bad
badrc=$?
i=0
for u in $BAD; do
	i=$((i + 1))
	got=$(awk -v i=$i '$1 == i { print $2 "/" $3 }' bad.txt)/$badrc
	if [ "$got" = 400/2/0 ] && grep -q '<h1>Bad Request</h1>' "bad/$i"; then
		ok "'$u': 400 (exit 2)"
	else
		not_ok "'$u': 400 (exit 2) (got $got)"
	fi
done
get "/linux-kernel/$(head -c 5000 /dev/zero | tr '\0' a)" >/dev/null
check_eq "a path longer than URL_MAX is 414 (exit 2)" "$STATUS/$RC" "414/2"
get /linux-kernel/2019/05/20/4 >/dev/null
check_eq "a message is 200 (exit 0)" "$STATUS/$RC" "200/0"
la get --data "$T/nothing" / >/dev/null 2>err.txt
check_eq "no index at all: exit 4" $? 4
check "and it says to run listarc index" grep -q 'listarc index' err.txt

# ---- listarc get --batch ----
# A page of each kind and each status, against `listarc get PATH` one by
# one (the release build, for speed): the same body, status line and
# headers, and exit status.
printf '%s\n' / /linux-kernel/ /linux-kernel/2019/ /linux-kernel/2019/05/ /linux-kernel/2019/05/20/ \
	/linux-kernel/2019/05/20/4 /linux-kernel/2019/05/20/4/raw /linux-kernel/new.atom \
	'/linux-kernel/?q=s:copy_page_range' /api/v1/ "/linux-kernel/$(head -c 5000 /dev/zero | tr '\0' a)" \
	/nosuchlist/ /linux-kernel/2019/05/20/99 /%zz/ linux-kernel/ /linux-kernel /linux-kernel/2019/05/20/4/ >batch.list
getall batch --headers <batch.list
brc=$?
: >batch.diff
i=0
while IFS= read -r u; do
	i=$((i + 1))
	"$RELEASE" get --data "$DATA" --headers "$u" >one.out 2>one.head
	rc=$?
	cmp -s one.out "batch/$i" || echo "$u: another body" >>batch.diff
	cmp -s one.head "batch/$i.head" || echo "$u: other headers" >>batch.diff
	[ "$(awk -v i=$i '$1 == i { print $2 " " $3 }' batch.txt)" = "$(head -1 one.head | cut -d' ' -f1) $rc" ] ||
		echo "$u: another status or exit status" >>batch.diff
done <batch.list
check_eq "--batch: exit 0, one line per path, numbered from 1, ending with the path" \
	"$brc $(awk '{ print $1 }' batch.txt | tr '\n' ' ')$(cut -d' ' -f4- batch.txt | cmp -s - batch.list && echo same)" \
	"0 $(seq "$(wc -l <batch.list)" | tr '\n' ' ')same"
check "--batch: each path's body, status line, headers and exit status are those of listarc get PATH" \
	[ ! -s batch.diff ]
head -5 batch.diff | sed 's/^/#   /'
la get --data "$T/nothing" --batch nothing </dev/null 2>err.txt
check_eq "--batch without an index: exit 4, saying so" "$?/$(grep -c 'listarc index' err.txt)" 4/1
la get --data "$DATA" --batch b2 / </dev/null 2>/dev/null
check_eq "--batch with a PATH too: a usage error (exit 2)" $? 2

# ---- the message page: navigation ----
get /linux-kernel/2019/05/20/4 >msg.html
check "the message page is well formed" pagecheck --strict msg.html
check_eq "navigation of /linux-kernel/2019/05/20/4 (3/7): prev 2/7, next 4/7, thread-prev 2/7, thread-next 4/7" \
	"$(nav_of msg.html)" \
	'[<a href="/linux-kernel/2019/05/20/3">&lt;prev</a>] [<a href="/linux-kernel/2019/05/20/5">next&gt;</a>] [<a href="/linux-kernel/2019/05/20/3">&lt;thread-prev</a>] [<a href="/linux-kernel/2019/05/20/5">thread-next&gt;</a>] [<a href="/linux-kernel/2019/05/20/">day</a>] [<a href="/linux-kernel/2019/05/">month</a>] [<a href="/linux-kernel/2019/">year</a>] [<a href="/linux-kernel/">list</a>] '
check "its title is the subject and the list" \
	grep -qx '<title>\[PATCH v2 3/7\] mm: Extend copy_page_range() - linux-kernel</title>' msg.html
# The last message of the 2019 thread (by delivery time) is 2019/05/21/7;
# the next message of the list is the first of 2020.
get /linux-kernel/2019/05/21/7 >last.html
check_eq "the last message of a thread has no [thread-next>]" \
	"$(nav_of last.html)" \
	'[<a href="/linux-kernel/2019/05/21/6">&lt;prev</a>] [<a href="/linux-kernel/2020/05/08/1">next&gt;</a>] [<a href="/linux-kernel/2019/05/21/6">&lt;thread-prev</a>] [<a href="/linux-kernel/2019/05/21/">day</a>] [<a href="/linux-kernel/2019/05/">month</a>] [<a href="/linux-kernel/2019/">year</a>] [<a href="/linux-kernel/">list</a>] '
get /linux-kernel/2020/05/08/1 >first.html
check_eq "the first message of a thread has no [<thread-prev]" \
	"$(nav_of first.html)" \
	'[<a href="/linux-kernel/2019/05/21/7">&lt;prev</a>] [<a href="/linux-kernel/2020/05/08/2">next&gt;</a>] [<a href="/linux-kernel/2020/05/08/2">thread-next&gt;</a>] [<a href="/linux-kernel/2020/05/08/">day</a>] [<a href="/linux-kernel/2020/05/">month</a>] [<a href="/linux-kernel/2020/">year</a>] [<a href="/linux-kernel/">list</a>] '
get /linux-kernel/2020/05/09/7 >end.html
check "the last message of the list has no [next>]" sh -c '! grep -q "next&gt;</a>" end.html'
# A reply arriving on another day is thread-next of its parent's
# predecessor in delivery order: 2019/05/20/8 (7/7) -> 2019/05/21/1.
get /linux-kernel/2019/05/20/8 >x.html
check "thread-next crosses days in delivery order" \
	grep -q 'href="/linux-kernel/2019/05/21/1">thread-next&gt;' x.html

# ---- the pages of shared/spec, byte for byte ----
# The <pre> with tags stripped and entities decoded.
cat >pre.py <<'EOF'
import html, re, sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre class="msg">\n(.*?)</pre>', s, re.S)
sys.stdout.write(html.unescape(re.sub(r"<[^>]*>", "", m.group(1))))
EOF
if have_shared; then
"$PYTHON" pre.py msg.html >got.txt
sed -n 6,504p "$SPEC/linux-kernel-2019-05-20-patch.txt" >want.txt
if cmp -s got.txt want.txt; then
	ok "the <pre> of /linux-kernel/2019/05/20/4 is lines 6-504 of the spec page, byte for byte"
else
	not_ok "the <pre> of /linux-kernel/2019/05/20/4 is lines 6-504 of the spec page, byte for byte"
	diff got.txt want.txt | head -10 | sed 's/^/#   /'
fi
# 2020: only the linux-mtd copy exists, whose headers differ; its body is
# the spec page's (from line 19 to the line before the blank line before
# "Powered by blists"), then the footer that linux-mtd's Mailman added.
get /linux-kernel/2020/05/09/3 >reply.html
"$PYTHON" pre.py reply.html | sed '1,/^$/d' >got.txt
spec=$SPEC/linux-kernel-2020-05-09-reply.txt
end=$(grep -n '^Powered by blists' "$spec" | head -1 | cut -d: -f1)
{
	sed -n "19,$((end - 2))p" "$spec"
	get /linux-kernel/2020/05/09/3/raw | tail -4
} >want.txt
check_eq "the raw copy ends with Mailman's footer" "$(tail -2 want.txt | head -1)" "Linux MTD discussion mailing list"
if cmp -s got.txt want.txt; then
	ok "the body of /linux-kernel/2020/05/09/3 is the spec page's body and the list footer, byte for byte"
else
	not_ok "the body of /linux-kernel/2020/05/09/3 is the spec page's body and the list footer, byte for byte"
	diff got.txt want.txt | head -10 | sed 's/^/#   /'
fi
else
	skip 3 "$SKIP_SHARED"
	get /linux-kernel/2020/05/09/3 >reply.html
fi
check "a URL in a body is a link with rel=nofollow" grep -qF \
	'<a href="http://lists.infradead.org/mailman/listinfo/linux-mtd/" rel="nofollow">http://lists.infradead.org/mailman/listinfo/linux-mtd/</a>' reply.html
"$PYTHON" pre.py reply.html | sed '/^$/q' | grep -o '^[A-Za-z-]*:' >fields.txt
check_eq "the header block: Message-ID, Date, From, To, Cc, Subject in that order" \
	"$(tr '\n' ' ' <fields.txt)" "Message-ID: Date: From: To: Cc: Subject: "
