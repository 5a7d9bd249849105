#!/usr/bin/env bash
# t8310-api-figures: the JSON API of the topics and sender pages
# (/api/v1/LIST/topics/, /api/v1/LIST/from/HASH/ and its topics/, in
# src/render/topics.c): walked by their keyset cursors in small pages, each
# page valid by docs/api.schema.json, the walks equal to the index's own
# rows (sqlite3) in the pages' order, the figures equal to the topics
# page's; a hidden message leaves the walks; bad cursors, unknown senders
# and lists, and the path without its slash.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 22

la index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>/dev/null
la index --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
DB=$DATA/index.sqlite
q() { sqlite3 "$DB" "$@"; }
LK=$(q "SELECT id FROM lists WHERE name = 'lkml'")
json_of() { "$PYTHON" -c "import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
hash_of() { printf '%s' "$1" | tr 'A-Z' 'a-z' | sha1sum | cut -c1-16; }
# The sender with the most messages in lkml, and their page key.
ADDR=$(q "SELECT addr FROM senders WHERE list_id = $LK ORDER BY n DESC, id LIMIT 1")
SID=$(q "SELECT id FROM senders WHERE list_id = $LK AND addr = '$ADDR'")
H=$(hash_of "$ADDR")

# walk.py KIND START FIELD OUT: follows "next" from START with `listarc
# get`; every page valid as $defs/KIND and no fuller than its limit (and
# full unless last); writes one line per item of FIELD (topics: thread,
# messages, participants, theirs, starter's URL; messages: the URL) to
# OUT.  Prints the number of pages.
cat >walk.py <<'EOF'
import json, os, subprocess, sys
from jsonschema import Draft202012Validator
schema = json.load(open(os.path.join(os.environ["ROOT"], "docs", "api.schema.json")))
kind, url, field, out = sys.argv[1:5]
valid = Draft202012Validator(dict(schema, oneOf=[{"$ref": "#/$defs/" + kind}]))
pages = 0
with open(out, "w") as f:
    while url:
        d = json.loads(subprocess.run([os.environ["LISTARC"], "get", "--data", os.environ["DATA"], url],
                                      capture_output=True, check=True).stdout)
        pages += 1
        for e in valid.iter_errors(d):
            sys.exit("page %d (%s): %s" % (pages, url, e.message[:200]))
        items = d[field]
        if len(items) > d["limit"] or (d["next"] and len(items) != d["limit"]):
            sys.exit("page %d: %d items, limit %d" % (pages, len(items), d["limit"]))
        for i in items:
            if field == "topics":
                f.write("%d|%d|%d|%s|%s\n" % (i["thread"], i["messages"], i["participants"],
                                               i.get("theirs", ""), i["starter"]["url"]))
            else:
                f.write(i["url"] + "\n")
        url = d["next"]
print(pages)
EOF
export ROOT DATA LISTARC
walk() { "$PYTHON" walk.py "$@" 2>walk.err; }
URLS="printf('/lkml/%04d/%02d/%02d/%d', m.day / 10000, m.day / 100 % 100, m.day % 100, m.num)"
want_topics() { # the list's (or sender $1's) topics in the pages' order
	local join="" theirs="''"
	[ -n "${1:-}" ] && join="JOIN thread_senders x ON x.list_id = t.list_id AND x.thread = t.thread AND x.sender = $1" theirs="x.n"
	q "SELECT t.thread, t.n, t.senders, $theirs, $URLS FROM topics t $join JOIN messages m ON m.id = t.starter
		WHERE t.list_id = $LK ORDER BY t.last_ts DESC, t.thread DESC"
}
want_msgs() {
	q "SELECT $URLS FROM messages m WHERE m.list_id = $LK AND lower(m.from_addr) = '$ADDR'
		AND m.flags & 1073741824 = 0 ORDER BY m.day DESC, m.num DESC"
}

NT=$(q "SELECT count(*) FROM topics WHERE list_id = $LK")
PAGES=$(walk topics_page "/api/v1/lkml/topics/?limit=4" topics topics.txt)
check_eq "the topics walk ends, every page valid and full" "$?$(cat walk.err)" 0
check_eq "it took the pages of 4 it should ($NT topics)" "$PAGES" $(((NT + 3) / 4))
check_eq "the walk is the list's topics, latest activity first, with their figures" \
	"$(cat topics.txt)" "$(want_topics)"
get /lkml/topics/ >topics.html
check "the topics page counts as many threads" grep -q "<p>$NT threads, latest activity first</p>" topics.html
get "/api/v1/lkml/topics/" >t1.json
check_eq "without limit=, one page of up to 100" "$(json_of t1.json 'd["limit"], len(d["topics"]), d["total"], d["next"]' 2>/dev/null)" \
	"(100, $NT, $NT, None)"

PAGES=$(walk sender_page "/api/v1/lkml/from/$H/?limit=3" messages msgs.txt)
check_eq "the sender walk ends, every page valid and full" "$?$(cat walk.err)" 0
check_eq "it is the sender's messages, newest first" "$(cat msgs.txt)" "$(want_msgs)"
check "the sender has messages on several pages ($PAGES)" [ "$PAGES" -gt 1 ]
get "/api/v1/lkml/from/$H/" >s1.json
check_eq "the sender's figures: address, messages, threads, links" \
	"$(json_of s1.json 'd["sender"]["address"], d["sender"]["messages"], d["sender"]["threads"], d["sender"]["url"], d["sender"]["topics"]')" \
	"('$ADDR', $(want_msgs | wc -l), $(q "SELECT count(*) FROM thread_senders WHERE list_id = $LK AND sender = $SID"), '/lkml/from/$H/', '/api/v1/lkml/from/$H/topics/')"
walk topics_page "/api/v1/lkml/from/$H/topics/?limit=2" topics s-topics.txt >/dev/null
check_eq "the sender's topics walk ends, every page valid and full" "$?$(cat walk.err)" 0
check_eq "it is the threads they took part in, with their messages in each" \
	"$(cat s-topics.txt)" "$(want_topics "$SID")"
check_eq "the page and the API agree on the address's page key" \
	"$(get /lkml/ | grep -o "/lkml/from/$H/" | head -1)" "/lkml/from/$H/"

# Hidden: a message of the sender leaves both walks.
MID=$(q "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid WHERE m.list_id = $LK
	AND lower(m.from_addr) = '$ADDR' ORDER BY m.day, m.num LIMIT 1")
la hide --data "$DATA" --reason test lkml "$MID" >/dev/null 2>&1
walk sender_page "/api/v1/lkml/from/$H/?limit=3" messages msgs2.txt >/dev/null
check_eq "after a hide, the sender walk has one message less" "$(wc -l <msgs2.txt)" "$(($(wc -l <msgs.txt) - 1))"
check_eq "and is still the index's" "$(cat msgs2.txt)" "$(want_msgs)"
walk topics_page "/api/v1/lkml/topics/?limit=5" topics topics2.txt >/dev/null
check_eq "the topics walk still equals the index's topics" "$(cat topics2.txt)" "$(want_topics)"
la unhide --data "$DATA" lkml "$MID" >/dev/null 2>&1

# Errors, as JSON, each valid.
get "/api/v1/lkml/topics/?after=k12"
check_eq "a message cursor is no topics cursor: 400" "$STATUS" 400
get "/api/v1/lkml/from/$H/?after=t1-2" >e.json
check_eq "a topics cursor is no message cursor: 400" "$STATUS" 400
get /api/v1/lkml/from/0123456789abcdef/ >e2.json
check_eq "an unknown sender: 404" "$STATUS" 404
get /api/v1/nosuch/topics/ >e3.json
check_eq "an unknown list: 404" "$STATUS" 404
check "the errors are the schema's" "$PYTHON" "$ROOT/tests/apischema.py" error e.json e2.json e3.json
get /api/v1/lkml/topics
check_eq "without its slash, a redirect" "$STATUS $(grep -i '^Location' "$T/get.err" | tr -d '\r')" \
	"301 Location: /api/v1/lkml/topics/"
get "/lkml/from/$H/topics/" >/dev/null
check_eq "the sender's topics exist in the API only" "$STATUS" 404
