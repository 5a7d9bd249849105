#!/usr/bin/env bash
# t7000-search: full-text search on samples/ (`listarc search`): each
# query's exact result set, the output formats, --no-search and
# `reindex --search`, and clear errors for bad queries.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 86
la index -q --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox"

# search QUERY: the sorted URLs it finds.
search() { la search --data "$DATA" --limit 1000 "$@" 2>/dev/null | awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'; }
L=/linux-kernel

check_eq 's:"copy_page_range" finds the seed patch' "$(search 's:"copy_page_range"')" "$L/2019/05/20/4"
check_eq 'f:ktkhai d:2019-05-20..2019-05-21: the v2 series and his replies' \
	"$(search 'f:ktkhai d:2019-05-20..2019-05-21')" \
	"$L/2019/05/20/1 $L/2019/05/20/2 $L/2019/05/20/3 $L/2019/05/20/4 $L/2019/05/20/5 $L/2019/05/20/6 $L/2019/05/20/7 $L/2019/05/20/8 $L/2019/05/21/3 $L/2019/05/21/4 $L/2019/05/21/5 $L/2019/05/21/6"
check_eq 'f:ktkhai d:2019-05-20: the end of a range is a whole day' \
	"$(search 'f:ktkhai d:2019-05-20')" \
	"$L/2019/05/20/1 $L/2019/05/20/2 $L/2019/05/20/3 $L/2019/05/20/4 $L/2019/05/20/5 $L/2019/05/20/6 $L/2019/05/20/7 $L/2019/05/20/8"
check_eq 'dfn:mm/memory.c finds the patch touching it' "$(search 'dfn:mm/memory.c')" "$L/2019/05/20/4"
check_eq 'q:pmsg_size finds the replies that quote it' "$(search 'q:pmsg_size')" "$L/2020/05/09/3 $L/2020/05/09/4"
check_eq 'nq:pmsg_size finds the patches that contain it' "$(search 'nq:pmsg_size')" \
	"$L/2020/05/08/11 $L/2020/05/08/12 $L/2020/05/08/6 $L/2020/05/08/7 $L/2020/05/08/8 $L/2020/05/08/9"
check_eq 'm: finds by Message-ID' \
	"$(search 'm:155836081774.2441.16449538600904205092.stgit@localhost.localdomain')" "$L/2019/05/20/4"
check_eq 'm: accepts angle brackets' \
	"$(search 'm:<8ce09c04-2e68-616b-38de-c574fbc69469@allwinnertech.com>')" "$L/2020/05/09/3"
kees="$L/2020/05/08/1 $L/2020/05/08/10 $L/2020/05/08/11 $L/2020/05/08/12 $L/2020/05/08/13 $L/2020/05/08/14 $L/2020/05/08/2 $L/2020/05/08/3 $L/2020/05/08/4 $L/2020/05/08/5 $L/2020/05/08/6 $L/2020/05/08/7 $L/2020/05/08/8 $L/2020/05/08/9 $L/2020/05/09/7"
check_eq 'f:keescook@chromium.org' "$(search 'f:keescook@chromium.org')" "$kees"
check_eq 'f:keescook (local part only)' "$(search 'f:keescook')" "$kees"
check_eq 'f:chromium.org (domain only)' "$(search 'f:chromium.org')" "$kees"
check_eq 'l: (List-Id) and d: alone' "$(search 'l:linux-mtd d:2020-05-09')" \
	"$L/2020/05/09/1 $L/2020/05/09/2 $L/2020/05/09/3 $L/2020/05/09/4 $L/2020/05/09/5 $L/2020/05/09/6 $L/2020/05/09/7"
check_eq 'NOT: s:pstore -s:blk' "$(search 's:pstore -s:blk')" \
	"$L/2020/05/08/1 $L/2020/05/08/10 $L/2020/05/08/14 $L/2020/05/08/3 $L/2020/05/09/1 $L/2020/05/09/6 $L/2020/05/09/7"
check_eq 'OR and parentheses' "$(search '(s:"copy_page_range" OR s:"copy_vma") -s:Re')" "$L/2019/05/20/3 $L/2019/05/20/4"
check_eq 'a prefix word*' "$(search 's:round_hint*')" "$L/2019/05/20/5"
check_eq 'l: of a List-Id the message lacks finds nothing' "$(search 'l:linux-mtd copy_page_range')" ""

check_eq '--count prints the number of matches' "$(la search --data "$DATA" --count 'f:ktkhai d:2019-05-20..2019-05-21')" 12
la search --data "$DATA" --count 'nothingmatchesthis' >cnt.txt 2>&1
check_eq '--count of nothing: 0, exit 1' "$? $(cat cnt.txt)" "1 0"
la search --data "$DATA" 'subject:foo' 2>err.txt >/dev/null
check_eq 'an unknown prefix exits 2' $? 2
check 'and says which prefix' grep -q "unknown prefix 'subject:'" err.txt
la search --data "$DATA" '(unbalanced' 2>err.txt >/dev/null
check 'unbalanced parentheses are a clear error' grep -q 'unbalanced parentheses' err.txt
la search --data "$DATA" 'nothingmatchesthis' >/dev/null 2>&1
check_eq 'no match exits 1' $? 1

la search --data "$DATA" --format=json 'f:ktkhai d:2019-05-20' >out.json
check 'json output parses and has 8 messages with URLs and Message-IDs' "$PYTHON" -c '
import json, sys
d = json.load(open("out.json"))
assert len(d) == 8, len(d)
assert all(x["url"].startswith("/linux-kernel/2019/05/20/") and "@" in x["message_id"] for x in d)
'
# One JSON shape for a message (render_msg_json): the search's objects are
# the API's, compared whole for the same messages.
get '/api/v1/linux-kernel/?since=2019-05-20&until=2019-05-20' >page.json
: >api-one.txt
for u in $("$PYTHON" -c 'import json; print(" ".join(x["url"] for x in json.load(open("out.json"))))'); do
	get "/api/v1${u}" >>api-one.txt
	echo >>api-one.txt
done
check "search --format=json gives each message the object of the API's listing" "$PYTHON" -c '
import json
d = json.load(open("out.json"))
page = {x["message_id"]: x for x in json.load(open("page.json"))["messages"]}
assert len(d) == 8 and all(x == page[x["message_id"]] for x in d), (d[0], page.get(d[0]["message_id"]))
assert all(x["from"]["name"] == "Kirill Tkhai" and x["date"].startswith("2019-05-20T") for x in d)
'
check "...and the API's single-message object, but for its attachments" "$PYTHON" -c '
import json
d = json.load(open("out.json"))
one = [json.loads(l) for l in open("api-one.txt") if l.strip()]
assert len(one) == len(d) == 8
for x, y in zip(d, one):
    assert "attachments" in y and "attachments" not in x
    del y["attachments"]
    assert x == y, (x, y)
'
"$PYTHON" -c '
import json
for i, x in enumerate(json.load(open("out.json"))):
    json.dump(x, open("entry%d.json" % i, "w"))'
check "...which docs/api.schema.json accepts as a listed message" \
	"$PYTHON" "$ROOT/tests/apischema.py" listed_message entry*.json
la search --data "$DATA" --format=mbox 's:"PATCH v2" -s:Re' >out.mbox
check_eq 'mbox output holds the 8 patches' "$(grep -c '^From listarc@' out.mbox)" 8
mkdir split
check_eq 'git mailsplit reads the mbox' "$(git mailsplit -osplit out.mbox)" 8
check 'git mailinfo accepts the patch 3/7' sh -c 'for f in split/*; do git mailinfo m p <"$f" | grep -q "copy_page_range" && exit 0; done; exit 1'

# --no-search, then reindex --search.
la index -q --data ns --no-search linux-kernel "$ROOT/samples/seeds.mbox"
check_eq 'with --no-search nothing is found' "$(DATA=ns search 's:"copy_page_range"')" ""
check_eq 'the archive remembers --no-search' "$(sqlite3 ns/index.sqlite "select value from meta where key='search'")" off
la reindex --data ns --search 2>err.txt
check 'reindex --search reports its work' grep -q 'search index rebuilt: 36 messages' err.txt
check_eq 'after reindex --search the same results' "$(DATA=ns search 'f:ktkhai d:2019-05-20..2019-05-21')" \
	"$(search 'f:ktkhai d:2019-05-20..2019-05-21')"
check_eq '--explain shows the plan and the translation' "$(la search --explain 'f:ktkhai -s:Re')" \
	'plan: full-text matches, newest first
MATCH ((f : "ktkhai")) NOT (s : "Re") WHERE 1'

# ---- the search pages ----
get '/linux-kernel/?q=dfn:mm/memory.c' >p1.html
check_eq 'a results page is 200' "$STATUS" 200
check 'it lists the patch touching mm/memory.c, linked by its date URL' \
	grep -q '<li><a href="/linux-kernel/2019/05/20/4">' p1.html
check_eq 'and only it' "$(grep -c '^<li><a href=' p1.html)" 1
check 'it says how many match' grep -q '<p>1 message matches; the newest first.</p>' p1.html
get '/linux-kernel/?q=f:ktkhai+d:2019-05-20..2019-05-21' >p2.html
check_eq 'the results page shows the same 12 as the command line' \
	"$(grep -o '^<li><a href="[^"]*"' p2.html | cut -d'"' -f2 | sort | tr '\n' ' ' | sed 's/ $//')" \
	"$(search 'f:ktkhai d:2019-05-20..2019-05-21')"
check 'snippets mark the words, escaped first' grep -q '&lt;<mark>ktkhai</mark>@...tuozzo.com&gt;' p2.html
check 'snippets obfuscate addresses' sh -c '! grep -q "ktkhai@virtuozzo.com" p2.html'
check 'the search box keeps the query' grep -q 'value="f:ktkhai d:2019-05-20..2019-05-21"' p2.html
check 'a link orders by relevance' grep -q '&amp;o=relevance">relevance</a>' p2.html
get '/linux-kernel/?q=f:ktkhai+d:2019-05-20..2019-05-21&o=relevance' >p3.html
check_eq 'the relevance order holds the same messages' \
	"$(grep -o '^<li><a href="[^"]*"' p3.html | sort | md5sum)" "$(grep -o '^<li><a href="[^"]*"' p2.html | sort | md5sum)"
get '/?q=s:patch' >p4.html
check_eq 'searching all lists from the site index' "$(grep -c '^<li><a href=' p4.html)" 25
check 'results across lists name their list' grep -q '<span class="list">linux-kernel</span>' p4.html
check 'a next page when there are more than 25' grep -q '?q=s%3Apatch&amp;page=2">next&gt;</a>' p4.html
get '/?q=s:patch&page=2' >p5.html
check_eq 'page 2 holds the rest' "$(grep -c '^<li><a href=' p5.html)" \
	"$(( $(la search --data "$DATA" --limit 1000 's:patch' 2>/dev/null | wc -l) - 25 ))"
get '/all/?q=s:patch' >p4all.html
check_eq '/all/?q= is the same search as /?q=' "$(md5sum <p4all.html)" "$(md5sum <p4.html)"

# ---- the same results as a feed and as an mbox ----
Q='f:ktkhai+d:2019-05-20..2019-05-21'
check 'the results page links its Atom feed' grep -qF "?q=f%3Aktkhai%20d%3A2019-05-20..2019-05-21&amp;x=A\">Atom feed</a>" p2.html
check 'and the mbox of all 12' grep -qF "&amp;x=m\">mbox.gz</a> (all 12)" p2.html
get "/linux-kernel/?q=$Q&x=A" --headers >feed.xml
check_eq '&x=A: 200' "$STATUS" 200
check 'as application/atom+xml' grep -qx 'Content-Type: application/atom+xml; charset=utf-8' "$T/get.err"
check_eq 'the feed parses and has the 12 results, in the page order' \
	"$("$PYTHON" -c '
import feedparser, sys
d = feedparser.parse("feed.xml")
assert not d.bozo, d.bozo_exception
print(" ".join(e.link for e in d.entries))')" \
	"$(grep -o '^<li><a href="[^"]*"' p2.html | sed 's/^<li><a href="//; s/"$//' | tr '\n' ' ' | sed 's/ $//')"
get "/linux-kernel/?q=$Q&x=m" --headers >res.mbox.gz
check_eq '&x=m: 200' "$STATUS" 200
check 'as application/gzip' grep -qx 'Content-Type: application/gzip' "$T/get.err"
check 'not cut' sh -c '! grep -qi "^X-Listarc-Truncated" "$1"' sh "$T/get.err"
gunzip -c res.mbox.gz >res.mbox
mkdir resplit
check_eq 'git mailsplit --mboxrd finds the 12 messages' "$(git mailsplit --mboxrd -oresplit res.mbox)" 12
check_eq 'in delivery order, each byte-identical to its raw form' "$(
	for u in $(search "f:ktkhai d:2019-05-20..2019-05-21" | tr ' ' '\n' | sort -t/ -k3,3 -k4,4n -k5,5n -k6,6n); do
		la get --data "$DATA" "$u/raw" 2>/dev/null | md5sum
	done | tr '\n' ' ')" "$(
	# (mailsplit keeps the From_ line and the empty line after each.)
	for f in resplit/*; do tail -n +2 "$f" | head -c -1 | md5sum; done | tr '\n' ' ')"
get "/linux-kernel/?q=s:%22PATCH+v2%22+-s:Re&x=m" >v2.mbox.gz
check_eq 'the v2 series as an mbox: its 8 messages in order' \
	"$(gunzip -c v2.mbox.gz | grep '^Subject: ' | grep -o '[0-9]/7')" "$(printf '%s\n' 0/7 1/7 2/7 3/7 4/7 5/7 6/7 7/7)"
get '/?q=nothingmatchesthis&x=m' >/dev/null
check_eq 'no match: 404, not an empty mbox' "$STATUS" 404
get '/?q=subject:foo&x=A' >/dev/null
check_eq 'a bad query as a feed: 400' "$STATUS" 400
get '/?q=s:patch&x=Z' >/dev/null
check_eq 'an unknown x=: 400' "$STATUS" 400
get '/?q=s:patch&x=A&page=2' >feed2.xml
check_eq 'a feed of page 2 holds the page-2 results' \
	"$("$PYTHON" -c '
import feedparser
print(len(feedparser.parse("feed2.xml").entries))')" "$(grep -c '^<li><a href=' p5.html)"

get '/linux-kernel?q=s:pstore+d:2020-05-09&o=relevance' >/dev/null
check_eq 'a search without the slash redirects with its query' "$STATUS $(sed -n 's/^Location: //p' "$T/get.err")" \
	'301 /linux-kernel/?q=s%3Apstore%20d%3A2020-05-09&o=relevance'
get '/linux-kernel/?q=subject:foo' >p6.html
check_eq 'an unknown prefix gets the results page with status 400' "$STATUS" 400
check 'saying what is wrong' grep -q "unknown prefix &#39;subject:&#39;" p6.html
get '/linux-kernel/?q=%22unbalanced' >p7.html
check 'an unbalanced quote is explained, not a 500' grep -q 'unbalanced quote' p7.html
get '/linux-kernel/?q=%3Cscript%3Ealert(1)%3C/script%3E' >p8.html
check 'a hostile query is escaped in the box and the title' sh -c '! grep -qi "<script" p8.html'
get '/nosuchlist/?q=x' >/dev/null
check_eq 'searching a list that does not exist is a 404' "$STATUS" 404
get '/_/search-help' >help.html
check_eq 'the help page is 200' "$STATUS" 200
check 'it documents every prefix' sh -c 'for p in s f t c a b q nq dfn m l d; do grep -q "<code>$p:</code>" help.html || exit 1; done'
get '/linux-kernel/' >list.html
check 'list pages have the search box' grep -q '<form class="search" method="get" action="/linux-kernel/">' list.html
get '/' >index.html
check 'the site index has the search box' grep -q '<form class="search" method="get" action="/">' index.html
pagecheck --strict p1.html p2.html p3.html p4.html p5.html p6.html p7.html p8.html help.html list.html index.html >bad.txt
check 'every search page is well-formed HTML5 with only our markup' [ ! -s bad.txt ]
head -5 bad.txt | sed 's/^/#   /'

# Counts: exact to 1,000 matches, or as far as the page shown; past that
# "more than", and pages go on (to 400).
mkcorpus 1500 big.mbox 3
"$RELEASE" index --data big big big.mbox 2>/dev/null
n=$(la search --data big --count patch)
check "the corpus has more than 1,000 messages with 'patch' ($n)" [ "$n" -gt 1000 ]
DATA=$T/big get '/big/?q=patch' >c1.html
check 'page 1 says more than 1000 match' grep -q '<p>More than 1000 messages match; the newest first.</p>' c1.html
check '...links page 2' grep -q 'href="/big/?q=patch&amp;page=2"' c1.html
check '...and offers the mbox of the newest 10,000 at most' grep -q 'mbox.gz</a> (the newest 10,000 at most)' c1.html
last=$(( (n + 24) / 25 ))
DATA=$T/big get "/big/?q=patch&page=$last" >c2.html
check_eq "the last page ($last) counts them all: $n" \
	"$STATUS $(grep -c "<p>$n messages match; the newest first.</p>" c2.html)" '200 1'
check '...and links no next page' sh -c '! grep -q "next&gt;" c2.html'
check_eq '...and holds the rest of them' "$(grep -c '^<li><a href=' c2.html)" "$((n - (last - 1) * 25))"
DATA=$T/big get "/big/?q=patch&page=$((last + 1))" >/dev/null
check_eq 'the page after it is a 404' "$STATUS" 404
la search --data big --limit 5 patch 2>err.txt >/dev/null
check 'the CLI says it counted to 1000' grep -q '^5 of more than 1000 matching messages shown$' err.txt

# A list indexed again from scratch (--rebuild) leaves the full-text rows
# of its old messages behind (a contentless FTS5 table cannot delete
# them): they are never counted or shown.
la index --data rb a "$ROOT/samples/seeds.mbox" 2>/dev/null
la index --data rb --rebuild a "$ROOT/samples/seeds.mbox" 2>/dev/null
check_eq "after --rebuild, a search of every list counts each message once" \
	"$(la search --data rb --count the)/$(la search --data rb --list a --count 'the')" \
	"$(isql rb "SELECT count(*) FROM fts JOIN messages m ON m.id = fts.rowid WHERE fts MATCH '{s f nq q dfa dfb dfctx} : the'")/$(isql rb "SELECT count(*) FROM fts JOIN messages m ON m.id = fts.rowid WHERE fts MATCH '{s f nq q dfa dfb dfctx} : the'")"
DATA=$T/rb get '/all/?q=the' >rb.html
check "...and so does its page" grep -q "<p>$(la search --data rb --count the) messages match" rb.html
