#!/usr/bin/env bash
# t8200-api-input: the lore URL forms and the JSON API on bad input, and
# every API response against docs/api.schema.json.  Message-IDs with '%',
# whitespace, quotes, of 1,000 characters, and none at all: the URL each
# gets, and that it answers (pages and API) there and at its date URL.  A
# thread whose In-Reply-To make a loop: its t.mbox.gz, tree, pages and
# feed (under a hang guard).  Then the API's responses, through `listarc
# get` and over HTTP (the same bytes), each valid by the schema; the
# feeds of these messages, and of the seed series under /all/.
# (t8000 has IDs with '/' and of four digits; t8300 walks the pages.)
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox
ROOTID=155836064844.2441.10911127801797083064.stgit@localhost.localdomain
plan 86
# schema KIND FILE...: the files validate against $defs/KIND.
schema() { "$PYTHON" "$ROOT/tests/apischema.py" "$@"; }
json() { "$PYTHON" -c "import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

check "python3-jsonschema is installed (scripts/setup-debian)" "$PYTHON" -c 'import jsonschema'
check "docs/api.schema.json is a valid draft 2020-12 schema" "$PYTHON" -c '
import json, sys
from jsonschema import Draft202012Validator
Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$ROOT/docs/api.schema.json"
check "docs/api.md links it" grep -qF '(api.schema.json)' "$ROOT/docs/api.md"

la index --data "$DATA" linux-kernel "$SEEDS" 2>/dev/null
la index --data "$DATA" mirror "$SEEDS" 2>/dev/null
LONG=$(printf 'L%.0s' $(seq 988))@example.org
check_eq "the long ID has 1,000 characters" "${#LONG}" 1000
# odd.mbox: one message a line of odd.tsv (SUBJECT<TAB>Message-ID: value
# or "-" for no header<TAB>In-Reply-To or "-"), each on its own day.
cat >odd.tsv <<EOF
pct	<a%41%zz@example.org>	-
space	<sp ace@example.org>	-
quote	<"quoted local"@example.org>	-
long	<$LONG>	-
reply to long	<re-long@example.org>	<$LONG>
none	-	-
EOF
i=0
while IFS='	' read -r subj mid irt; do
	i=$((i + 1))
	printf 'From odd@example.org Mon Jan  %d 10:00:00 2024\n' "$i"
	[ "$mid" = - ] || printf 'Message-ID: %s\n' "$mid"
	[ "$irt" = - ] || printf 'In-Reply-To: %s\n' "$irt"
	printf 'From: Odd <odd@example.org>\nSubject: %s\n\nBody of %s.\n\n' "$subj" "$subj"
done <odd.tsv >odd.mbox
la index --data "$DATA" odd odd.mbox 2>/dev/null
# What the index holds, by the mbox's order (one a day: N is 1).
sqlite3 "$DATA/index.sqlite" "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid
	JOIN lists l ON l.id = m.list_id WHERE l.name = 'odd' ORDER BY m.day" >odd.ids
HASH=$(sed -n 4p odd.ids)
NOMID=$(sed -n 6p odd.ids)
check_eq "Message-IDs as indexed: '%' kept, whitespace dropped, quotes kept, over 512 bytes hashed, none made up" \
	"$(head -3 odd.ids | tr '\n' ' ')$(echo "$HASH" | sed 's/^hash-[0-9a-f]\{16\}@listarc\.invalid$/HASH/') $(echo "$NOMID" | sed 's/^nomid-[0-9a-f]\{16\}@listarc\.invalid$/NOMID/')" \
	'a%41%zz@example.org space@example.org "quotedlocal"@example.org HASH NOMID'
# The made-up ID is a hash of the message: the same in another index.
la index --data "$T/arc2" odd odd.mbox 2>/dev/null
check_eq "the made-up ID is the same when the mbox is indexed again" \
	"$(sqlite3 "$T/arc2/index.sqlite" "SELECT mid FROM mids WHERE mid LIKE 'nomid-%'")" "$NOMID"

# idcase N DATEURL PERMALINK ALIAS...: the message at DATEURL links
# PERMALINK; PERMALINK, each ALIAS, and their API forms answer with it.
idcase() {
	local n=$1 url=$2 perm=$3 mid
	shift 3
	mid=$(sed -n "${n}p" odd.ids)
	get "$url" >d.html
	check_eq "$url: 200" "$STATUS" 200
	check "$url links its Message-ID URL $perm" grep -qF "Permalink: <a href=\"$perm\">" d.html
	for u in "$perm" "$@"; do
		get "$u" >p.html
		check_eq "$u: 200, that message (its canonical URL)" \
			"$STATUS $(grep -o '<link rel="canonical" href="[^"]*">' p.html)" \
			"200 <link rel=\"canonical\" href=\"$url\">"
		get "/api/v1$u" >"api-$n-$RANDOM.json"
		check_eq "/api/v1$u: its metadata" \
			"$STATUS $(json "$(ls -t api-$n-*.json | head -1)" '"%s %s %s %s" % (len(d["messages"]), d["messages"][0]["message_id"], d["messages"][0]["url"], d["messages"][0]["permalink"])')" \
			"200 1 $mid $url $perm"
	done
	get "$perm"raw >r.raw
	get "$url/raw" >d.raw
	check "${perm}raw: the bytes of $url/raw" cmp -s r.raw d.raw
	get "$perm"t.mbox.gz >t.gz
	check_eq "${perm}t.mbox.gz: 200, a gzip stream" "$STATUS $(gzip -t t.gz && echo ok)" "200 ok"
	get "/api/v1$url" >"api-msg-$n.json"
	check_eq "/api/v1$url: permalink and thread URLs" \
		"$(json "api-msg-$n.json" 'd["permalink"] + " " + d["thread_url"] + " " + d["thread_mbox"]')" \
		"$perm ${perm}T/ ${perm}t.mbox.gz"
}
idcase 1 /odd/2024/01/01/1 '/odd/a%2541%25zz@example.org/' '/odd/a%2541%25zz%40example.org/'
get '/odd/a%41%zz@example.org/' >/dev/null
check_eq "an ID with '%' written unencoded: 400 (%zz is no escape)" "$STATUS" 400
get '/api/v1/odd/a%41%zz@example.org/' >bad-pct.json
check_eq "...in the API: 400 in JSON" "$STATUS $(cat bad-pct.json)" '400 {"error":"malformed request","status":400}'
idcase 2 /odd/2024/01/02/1 /odd/space@example.org/ '/odd/sp%20ace@example.org/'
get '/odd/sp%09ace@example.org/' >/dev/null
check_eq "a control character (tab) in a URL: 400" "$STATUS" 400
idcase 3 /odd/2024/01/03/1 '/odd/%22quotedlocal%22@example.org/' '/odd/"quotedlocal"@example.org/' \
	'/odd/%22quoted%20local%22@example.org/'
get /odd/2024/01/03/1 >q.html
check "the quoted ID is escaped in the page's text" \
	grep -qF '>&lt;&quot;quotedlocal&quot;@example.org&gt;</a>' q.html
idcase 4 /odd/2024/01/04/1 "/odd/$HASH/" "/odd/$LONG/" "/odd/${LONG/@/%40}/"
get /api/v1/odd/re-long@example.org/ >re-long.json
check_eq "a reply to the long ID has the hash as its parent" "$(json re-long.json 'd["messages"][0]["parent"]')" "$HASH"
get "/api/v1/odd/$LONG/T/" >long-tree.json
check_eq "and is its reply in the thread tree" \
	"$(json long-tree.json '[(n["message_id"], [r["message_id"] for r in n["replies"]]) for n in d["tree"]]')" \
	"[('$HASH', ['re-long@example.org'])]"
get "/odd/$LONG" >/dev/null
check "/odd/LONGID without its slash: a redirect to the ID as given" \
	grep -qx "Location: /odd/$LONG/" "$T/get.err"
idcase 6 /odd/2024/01/06/1 "/odd/$NOMID/"
get "/api/v1/odd/2024/01/06/1" >nomid.json
check_eq "a message without Message-ID or Date: the made-up ID, date null, no parent" \
	"$(json nomid.json '"%s %s %s %s" % (d["message_id"], d["date"], d["parent"], d["received"])')" \
	"$NOMID None None 2024-01-06T10:00:00Z"
get "/odd/$NOMID/t.mbox.gz" >nomid.gz
check_eq "its t.mbox.gz is that message alone" \
	"$(gunzip -c nomid.gz | grep -c '^From mboxrd@z ') $(gunzip -c nomid.gz | grep -x 'Subject: none')" "1 Subject: none"
get /api/v1/odd/%20/ >blank.json
check_eq "an ID of whitespace alone: 404 in JSON" "$STATUS $(json blank.json 'd["error"]')" \
	"404 no message has this Message-ID"

# ---- a loop: 12 replies to 21, 21 to 12 ----
EDGE=$T/loop
mkdir -p "$EDGE"
for m in 12:21:17 21:12:18; do
	IFS=: read -r me other day <<<"$m"
	printf 'From: Alice <alice@example.org>\nTo: Daniel <daniel@example.org>\nSubject: a reply to %s\nMessage-ID: <mid-loop-%s@example.org>\nIn-Reply-To: <mid-loop-%s@example.org>\nDate: %s Jun 2016 02:14:41 +0000\n\nI reply to %s, which replies to me.\n' \
		"$other" "$me" "$other" "$day" "$other" >"$EDGE/broken_loop_loop-$me.eml"
done
la deliver --create --data "$DATA" loop <"$EDGE/broken_loop_loop-12.eml"
la deliver --create --data "$DATA" loop <"$EDGE/broken_loop_loop-21.eml"
for id in mid-loop-12@example.org mid-loop-21@example.org; do
	guard "$LISTARC" get --data "$DATA" "/loop/$id/t.mbox.gz" >loop.gz 2>/dev/null
	check_eq "t.mbox.gz of <$id> in a loop: both messages, in delivery order (no hang)" \
		"$? $(gunzip -c loop.gz | grep '^Message-ID' | tr '\n' ' ')" \
		"0 Message-ID: <mid-loop-12@example.org> Message-ID: <mid-loop-21@example.org> "
	rm -f loopmsg*
	gunzip -c loop.gz | awk '/^From mboxrd@z /{ n++; next } { print > ("loopmsg" n) }'
	check "...each byte for byte the message delivered" \
		bash -c "cmp -s <(head -c -1 loopmsg1) '$EDGE/broken_loop_loop-12.eml' && cmp -s <(head -c -1 loopmsg2) '$EDGE/broken_loop_loop-21.eml'"
	guard "$LISTARC" get --data "$DATA" "/api/v1/loop/$id/T/" >"loop-$id.json" 2>/dev/null
	check_eq "the tree of <$id>: the loop broken where it closed (21, delivered last, is the root)" \
		"$? $(json "loop-$id.json" '[(n["message_id"], n["parent"], [(r["message_id"], r["parent"], r["replies"]) for r in n["replies"]]) for n in d["tree"]], d["messages"]')" \
		"0 ([('mid-loop-21@example.org', None, [('mid-loop-12@example.org', 'mid-loop-21@example.org', [])])], 2)"
	for p in T/ t/ t.atom; do
		guard "$LISTARC" get --data "$DATA" "/loop/$id/$p" >loop.out 2>/dev/null
		check_eq "/loop/<$id>/$p: 200 (no hang), both messages" \
			"$? $(grep -c 'mid-loop-12@example.org\|/loop/2016/06/17/1' loop.out | sed 's/[1-9][0-9]*/some/') $(grep -c '/loop/2016/06/18/1' loop.out | sed 's/[1-9][0-9]*/some/')" \
			"0 some some"
	done
done
check "the loop's API message of 21 says it replies to nothing" \
	json loop-mid-loop-21@example.org.json 'd["tree"][0]["message"]["parent"] is None or exit(1)'

# ---- Atom: the feeds of these, parsed by feedparser ----
# feed PATH: the entries' links, one a line, if feedparser parses the
# feed without complaint (else "bozo: ...").
feed() {
	get "$1" >feed.xml
	"$PYTHON" -c '
import sys, feedparser
d = feedparser.parse(open("feed.xml", "rb").read())
print("bozo: %s" % d.bozo_exception if d.bozo else "\n".join(e.link for e in d.entries))'
}
check_eq "/odd/new.atom: the six odd messages, newest first" "$(feed /odd/new.atom | tr '\n' ' ')" \
	"/odd/2024/01/06/1 /odd/2024/01/05/1 /odd/2024/01/04/1 /odd/2024/01/03/1 /odd/2024/01/02/1 /odd/2024/01/01/1 "
check_eq "the thread feed of the long ID: its reply, then it" "$(feed "/odd/$LONG/t.atom" | tr '\n' ' ')" \
	"/odd/2024/01/05/1 /odd/2024/01/04/1 "
check_eq "the thread feed of the message without an ID: it alone" "$(feed "/odd/$NOMID/t.atom")" /odd/2024/01/06/1
check_eq "the thread feed of the loop: both, newest first" \
	"$(feed /loop/mid-loop-12@example.org/t.atom | tr '\n' ' ')" "/loop/2016/06/18/1 /loop/2016/06/17/1 "
want=
for d in 21/7 21/6 21/5 21/4 21/3 21/2 21/1 20/8 20/7 20/6 20/5 20/4 20/3 20/2 20/1; do
	want="$want/mirror/2019/05/$d /linux-kernel/2019/05/$d "
done
check_eq "/all/ROOT/t.atom: the seed series in both lists, newest first, the later copy first" \
	"$(feed "/all/$ROOTID/t.atom" | tr '\n' ' ')" "$want"

# ---- every API response: the schema, through listarc get and HTTP ----
# Each URL with the schema's kind for it and the status it must have.
cat >urls.tsv <<EOF
lists	200	/api/v1/
page	200	/api/v1/linux-kernel/
page	200	/api/v1/linux-kernel/?limit=5
page	200	/api/v1/linux-kernel/?since=2019-05-20&until=2019-05-21&limit=3
page	200	/api/v1/linux-kernel/?since=2030-01-01
page	200	/api/v1/odd/?limit=500
page	200	/api/v1/loop/
message	200	/api/v1/linux-kernel/2019/05/20/1
message	200	/api/v1/odd/2024/01/04/1
message	200	/api/v1/odd/2024/01/06/1
by_msgid	200	/api/v1/linux-kernel/$ROOTID/
by_msgid	200	/api/v1/all/$ROOTID/
by_msgid	200	/api/v1/odd/$NOMID/
by_msgid	200	/api/v1/odd/$LONG/
thread	200	/api/v1/linux-kernel/$ROOTID/T/
thread	200	/api/v1/all/$ROOTID/T/
thread	200	/api/v1/loop/mid-loop-12@example.org/T/
thread	200	/api/v1/odd/re-long@example.org/T/
error	404	/api/v1/nosuchlist/
error	404	/api/v1/linux-kernel/nosuch@example.org/
error	404	/api/v1/linux-kernel/nosuch@example.org/T/
error	404	/api/v1/linux-kernel/2019/05/20/99
error	404	/api/v1/linux-kernel/2019/05/
error	404	/api/v1/all/2019/05/20/1
error	400	/api/v1/linux-kernel/?since=2019-5-1
error	400	/api/v1/linux-kernel/?after=k1x
error	400	/api/v1/linux-kernel/?limit=-1
error	400	/api/v1/odd/a%41%zz@example.org/
EOF
: >get-bad.txt
cut -f3 urls.tsv | getall api || echo "listarc get --batch: exit $?" >>get-bad.txt
n=0
while IFS='	' read -r kind want url; do
	n=$((n + 1))
	cp "api/$n" "get-$n.json"
	st=$(awk -v n=$n '$1 == n { print $2 }' api.txt)
	[ "$st" = "$want" ] || echo "$url: $st, want $want" >>get-bad.txt
	echo "$kind get-$n.json" >>get.kinds
done <urls.tsv
schema --pairs <get.kinds >>get-bad.txt
check "listarc get: each of $n API URLs has its status and validates as its kind" [ ! -s get-bad.txt ]
head -10 get-bad.txt
check "every response above validates against the whole schema too" schema any get-*.json api-*.json \
	bad-pct.json re-long.json long-tree.json nomid.json blank.json loop-*.json

start_server server
check "the server listens" [ -n "$PORT" ]
: >http-bad.txt
n=0
while IFS='	' read -r kind want url; do
	n=$((n + 1))
	code=$(curl -s -o "http-$n.json" -D head.out -w '%{http_code}' "http://127.0.0.1:$PORT$url")
	[ "$code" = "$want" ] || echo "$url: HTTP $code, want $want" >>http-bad.txt
	grep -qix $'content-type: application/json\r' head.out || echo "$url: not application/json" >>http-bad.txt
	cmp -s "http-$n.json" "get-$n.json" || echo "$url: not the bytes of listarc get" >>http-bad.txt
	echo "$kind http-$n.json" >>http.kinds
done <urls.tsv
schema --pairs <http.kinds >>http-bad.txt
check "HTTP: each of $n API URLs has its status, is application/json, the bytes of listarc get, valid" \
	[ ! -s http-bad.txt ]
head -10 http-bad.txt
stop_server server
