#!/usr/bin/env bash
# t8300-api-walk: the API's keyset pages walk a list of 20,000 messages
# over HTTP while mail keeps arriving (`listarc deliver`, and messages
# appended to the list's mbox and indexed) on days all over the list: the
# walk holds every message that was there when it began, exactly once,
# and nothing else but messages added meanwhile.  Newest first, and a
# date range oldest first; every page valid by docs/api.schema.json.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
DATA=$T/arc
INDEXER=${LISTARC_RELEASE:-$LISTARC}
[ -x "$INDEXER" ] || INDEXER=$LISTARC
plan 20

# 20,000 messages, 100 a day from 2023-01-01 on (200 days), a fifth of
# them replies.
cat >gen.py <<'EOF'
import sys, time
first, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
base = 1672531200  # 2023-01-01
with open(out, "a") as f:
    for i in range(first, first + n):
        if i < 20000:
            t = base + (i // 100) * 86400 + (i % 100) * 600
        else:  # more, later in the day, on the first 30 days
            t = base + (i % 30) * 86400 + 60000 + i % 1000
        f.write("From walk@example.org %s\n" % time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(t)))
        f.write("Message-ID: <walk-%d@example.org>\nFrom: Walker <walk@example.org>\n" % i)
        f.write("Subject: %smessage %d\n" % ("Re: " if i % 5 else "", i))
        f.write("Date: %s\n" % time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t)))
        if i % 5:
            f.write("In-Reply-To: <walk-%d@example.org>\n" % (i - i % 5))
        f.write("\nBody %d.\n\n" % i)
EOF
"$PYTHON" gen.py 0 20000 walk.mbox
"$INDEXER" index --no-search --quiet --data "$DATA" walk walk.mbox
urls() { # the list's message URLs in the index
	sqlite3 "$DATA/index.sqlite" "SELECT printf('/walk/%04d/%02d/%02d/%d', day/10000, day/100%100, day%100, num)
		FROM messages m JOIN lists l ON l.id = m.list_id WHERE l.name = 'walk'" | sort
}
urls >before.txt
check_eq "20,000 messages indexed" "$(wc -l <before.txt)" 20000

start_server server
check "the server listens" [ -n "$PORT" ]

# walk.py START OUT: follows "next" from START; writes every message's
# URL and Message-ID to OUT, one a line; each page validated by the schema and its size
# checked against its limit.  Prints the number of pages.  With
# WALK_WRITE=TAG: after every third page, one message is delivered
# (./deliver1, waited for), and after every tenth a batch is appended
# (./append, not waited for: it runs while the next pages are asked for).
cat >walk.py <<'EOF'
import json, os, subprocess, sys, urllib.request
from jsonschema import Draft202012Validator
schema = json.load(open(os.path.join(os.environ["ROOT"], "docs", "api.schema.json")))
valid = Draft202012Validator(dict(schema, oneOf=[{"$ref": "#/$defs/page"}]))
url, pages = sys.argv[1], 0
appender = None
with open(sys.argv[2], "w") as out:
    while url:
        d = json.load(urllib.request.urlopen("http://127.0.0.1:%s%s" % (os.environ["PORT"], url)))
        pages += 1
        for e in valid.iter_errors(d):
            sys.exit("page %d: %s" % (pages, e.message[:200]))
        if len(d["messages"]) > d["limit"] or (d["next"] and len(d["messages"]) != d["limit"]):
            sys.exit("page %d: %d messages, limit %d" % (pages, len(d["messages"]), d["limit"]))
        for m in d["messages"]:
            out.write("%s\t%s\n" % (m["url"], m["message_id"]))
        out.flush()
        url = d["next"]
        if os.environ.get("WALK_WRITE"):
            if pages % 3 == 0:
                subprocess.run(["./deliver1", "%s-%d" % (os.environ["WALK_WRITE"], pages)], check=False)
            if pages % 10 == 0 and (appender is None or appender.poll() is not None):
                appender = subprocess.Popen(["./append"])
if appender is not None:
    appender.wait()
print(pages)
EOF
export ROOT PORT

# The writers, each recording the Message-IDs it added once they are
# indexed, both started by the walk itself: deliver1 N, one message
# delivered on a random day of the list (in the part walked already, or
# still to walk), after every third page; append, 50 messages appended
# to walk.mbox and indexed (days of the first month: far from the
# newest, walked late), started after every tenth page and running while
# the next pages are asked for.
cat >deliver1 <<'EOF'
#!/usr/bin/env bash
day=$((RANDOM % 200))
printf 'Received: from mx by list; %s\nMessage-ID: <added-%s@example.org>\nFrom: A <a@example.org>\nSubject: added %s\n\nx\n' \
	"$(date -u -d "@$((1672531200 + day * 86400 + 43210))" '+%a, %d %b %Y %H:%M:%S +0000')" "$1" "$1" |
	"$INDEXER" deliver --create --data "$DATA" walk 2>>deliver.err &&
	echo "added-$1@example.org" >>added.txt
EOF
cat >append <<'EOF'
#!/usr/bin/env bash
k=$(cat append.next)
echo $((k + 50)) >append.next
"$PYTHON" gen.py "$k" 50 walk.mbox
"$INDEXER" index --no-search --quiet --data "$DATA" walk walk.mbox 2>>append.err &&
	seq -f 'walk-%g@example.org' "$k" $((k + 49)) >>added.txt
EOF
chmod +x deliver1 append
echo 20000 >append.next
export INDEXER DATA PYTHON
# walk_check NAME START [DAYS]: the walk from START while the writers
# write.  DAYS: a regex of the URLs of the walk's range.
WALKS=0
walk_check() {
	local name=$1 start=$2 days=${3:-.}
	urls | grep -E "$days" >base.txt
	: >added.txt
	WALKS=$((WALKS + 1))
	WALK_WRITE=w$WALKS "$PYTHON" walk.py "$start" walked.tsv >pages.txt 2>walk.err
	local rc=$?
	check_eq "$name: the walk ends, every page valid and full" "$rc$(cat walk.err)" 0
	local n_added added_seen
	cut -f1 walked.tsv >walked.txt
	n_added=$(wc -l <added.txt)
	check "$name: mail arrived meanwhile ($n_added messages, walk of $(cat pages.txt) pages)" [ "$n_added" -gt 20 ]
	check_eq "$name: no message twice" "$(sort walked.txt | uniq -d | head -3)" ""
	check_eq "$name: every message there when it began" "$(sort walked.txt | comm -23 base.txt - | head -3)" ""
	sort walked.txt | comm -13 base.txt - >new.txt
	awk -F'\t' 'NR == FNR { n[$1]; next } $1 in n { print $2 }' new.txt walked.tsv | sort >new.mids
	check_eq "$name: the others all added meanwhile" "$(sort added.txt | comm -23 new.mids - | head -3)" ""
	added_seen=$(wc -l <new.txt)
	check "$name: some added ones were met on the way ($added_seen)" [ "$added_seen" -gt 0 ]
	check_eq "$name: the writers had no errors" "$(cat deliver.err append.err 2>/dev/null | head -3)" ""
}
walk_check "newest first" "/api/v1/walk/?limit=137"
check "the archive grew by what was added" [ "$(urls | wc -l)" -gt 20000 ]
# Oldest first over a range: the first 100 days.
walk_check "since/until, oldest first" "/api/v1/walk/?since=2023-01-01&until=2023-04-10&limit=211" \
	'^/walk/2023/(0[1-3]/|04/(0|10/))' 
check_eq "the range walk held only its days" "$(grep -vcE '^/walk/2023/(0[1-3]/|04/(0|10/))' walked.txt)" 0
# At rest: a walk is exactly the index.
"$PYTHON" walk.py "/api/v1/walk/?limit=500" walked.tsv >/dev/null
check_eq "at rest, a walk of pages of 500 is the index, exactly" "$(cut -f1 walked.tsv | sort | md5sum)" "$(urls | md5sum)"

stop_server server
