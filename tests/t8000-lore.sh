#!/usr/bin/env bash
# t8000-lore: lore's URL forms through `listarc get`: messages by
# Message-ID (an ID with '/', one of four digits, one in two lists, one
# nowhere, one only referenced), raw bytes by Message-ID, the thread as
# flat and nested pages, as a gzipped mboxrd and as Atom, the lists'
# feeds, the JSON API (shapes, keyset pagination, date ranges), and the
# reserved names "all" and "api".  Expected values come from the mbox
# files (parsed here), not from the index the pages are made from.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox
LKML=$ROOT/samples/lkml.mbox
ROOTID=155836064844.2441.10911127801797083064.stgit@localhost.localdomain
GHOST=CALCETrU221N6uPmdaj4bRDDsf+Oc5tEfPERuyV24wsYKHn+spA@mail.gmail.com
plan 126

la index --data "$DATA" linux-kernel "$SEEDS" 2>/dev/null
# The same messages in a second list: every Message-ID is in two lists.
la index --data "$DATA" mirror "$SEEDS" 2>/dev/null
la index --data "$DATA" lkml "$LKML" 2>/dev/null
# Odd Message-IDs, in a list of their own.
mail() { # mail MSGID SUBJECT [BODY]: a message on stdin of deliver
	printf 'Received: from mx by list; Mon, 06 Jan 2025 10:00:00 +0000\nMessage-ID: <%s>\n' "$1"
	printf 'From: Odd Sender <odd@example.org>\nSubject: %s\nDate: Mon, 06 Jan 2025 09:00:00 +0000\n\n' "$2"
	printf '%s\n' "${3:-Body of $1.}"
}
mail 'a/b+c=d@example.org' 'slash in the id' | la deliver --create --data "$DATA" odd
mail '2024' 'four digits' | la deliver --create --data "$DATA" odd
mail 'from-lines@example.org' 'From lines' \
	"$(printf 'From the start of a line\n>From a quoted one\n>>From twice\nnot From here')" |
	la deliver --create --data "$DATA" odd
printf 'Received: from mx by list; Mon, 06 Jan 2025 11:00:00 +0000\nMessage-ID: <ctl@example.org>\nFrom: C <c@example.org>\nSubject: ctl \001\002 amp & lt < nonchars \357\277\276\357\277\277 end\n\nx\n' |
	la deliver --create --data "$DATA" odd
printf 'Received: from mx by list; Mon, 06 Jan 2025 12:00:00 +0000\nMessage-ID: <bad@example.org>\nFrom: C <c@example.org>\nSubject: bad \377 byte \033 esc\n\nx\n' |
	la deliver --create --data "$DATA" odd
# A chain of 70 replies, each to the one before: deeper than pages and
# the API nest.
"$PYTHON" - <<'EOF'
with open("chain.mbox", "w") as f:
    for i in range(70):
        f.write("From c@example.org Mon Jan  1 %02d:%02d:00 2024\n" % (10 + i // 60, i % 60))
        f.write("Message-ID: <chain-%d@example.org>\nFrom: C <c@example.org>\nSubject: chain %d\n" % (i, i))
        if i:
            f.write("In-Reply-To: <chain-%d@example.org>\n" % (i - 1))
        f.write("\nlink %d\n\n" % i)
EOF
la index --data "$DATA" chain chain.mbox 2>/dev/null
check "five lists indexed" [ "$(sqlite3 "$DATA/index.sqlite" 'SELECT count(*) FROM lists')" = 5 ]

# mbox.py MBOX: one line per message, "MSGID<TAB>N<TAB>DAY", and its raw
# bytes (mboxrd quoting undone, the separating empty line dropped) in
# raw/N.  N counts from 1 in mbox order.
cat >mbox.py <<'EOF'
import os, re, sys, time
data = open(sys.argv[1], "rb").read()
starts = [m.start() for m in re.finditer(rb"^From \S+ +(\S+ +){4}\d{4}\n", data, re.M)]
os.makedirs("raw", exist_ok=True)
for i, s in enumerate(starts):
    e = starts[i + 1] if i + 1 < len(starts) else len(data)
    nl = data.index(b"\n", s)
    msg = data[nl + 1:e]
    if msg.endswith(b"\n\n"):
        msg = msg[:-1]
    msg = re.sub(rb"^>(>*From )", rb"\1", msg, flags=re.M)
    open("raw/%d" % (i + 1), "wb").write(msg)
    head = msg.split(b"\n\n", 1)[0]
    m = re.search(rb"^Message-I[dD]:\s*<([^>]*)>", head, re.M | re.I)
    mid = m.group(1).decode() if m else ""
    t = time.strptime(" ".join(data[s:nl].decode().split()[-4:]), "%b %d %H:%M:%S %Y")
    print("%s\t%d\t%04d/%02d/%02d" % (mid, i + 1, t.tm_year, t.tm_mon, t.tm_mday))
EOF
"$PYTHON" mbox.py "$SEEDS" >seeds.tsv
check_eq "seeds.mbox: 36 messages" "$(wc -l <seeds.tsv)" 36
# Date URLs as the mbox gives them (the N-th message of a day is N).
awk -F'\t' '{ n[$3]++; print $1 "\t" $2 "\t/linux-kernel/" $3 "/" n[$3] }' seeds.tsv >urls.tsv
url_of() { awk -F'\t' -v m="$1" '$1 == m { print $3 }' urls.tsv; }
ROOTURL=$(url_of "$ROOTID")
check_eq "the cover letter is /linux-kernel/2019/05/20/1" "$ROOTURL" /linux-kernel/2019/05/20/1

# ---- /LIST/MSGID/: the message page, with a canonical link ----
get "/linux-kernel/$ROOTID/" >mid.html
check_eq "/linux-kernel/MSGID/: 200" "$STATUS/$RC" 200/0
get "$ROOTURL" >date.html
check "it is the message page of the date URL" grep -q '<title>\[PATCH v2 0/7\] mm: process_vm_mmap()' mid.html
check "naming the date URL as canonical" grep -qx "<link rel=\"canonical\" href=\"$ROOTURL\">" mid.html
check "and else the same bytes as the date URL's page" cmp -s <(grep -v 'rel="canonical"' mid.html) date.html
check "the date page has no canonical link of its own" bash -c '! grep -q canonical date.html'
check "both pages are well formed" pagecheck --strict mid.html date.html
check "the date page links the Message-ID form (Permalink)" \
	grep -qF "Permalink: <a href=\"/linux-kernel/$ROOTID/\">&lt;$ROOTID&gt;</a>" date.html
check "and its raw, thread mbox.gz, thread pages and feed" grep -qF \
	"<a href=\"$ROOTURL/raw\">raw message</a> &middot; <a href=\"/linux-kernel/$ROOTID/t.mbox.gz\">thread mbox.gz</a> &middot; <a href=\"/linux-kernel/$ROOTID/t/#u\">thread</a> (<a href=\"/linux-kernel/$ROOTID/T/#u\">flat</a>) &middot; <a href=\"/linux-kernel/$ROOTID/t.atom\">thread feed</a>" date.html
check "the Message-ID page links the date URL back" grep -qF "&middot; <a href=\"$ROOTURL\">$ROOTURL</a>" mid.html
get "/linux-kernel/$ROOTID" >/dev/null
check_eq "/linux-kernel/MSGID without its slash: 301 (exit 3)" "$STATUS/$RC" 301/3
check "to /linux-kernel/MSGID/" grep -qx "Location: /linux-kernel/$ROOTID/" "$T/get.err"
get "/linux-kernel/$(echo "$ROOTID" | sed 's/@/%40/; s/\./%2E/')/" >enc.html
check "an ID with needless percent-encoding is the same page" cmp -s enc.html mid.html
get /nosuchlist/$ROOTID/ >/dev/null
check_eq "an unknown list: 404" "$STATUS" 404

# An ID with '/': one path segment, %2F.
U=$(sqlite3 "$DATA/index.sqlite" "SELECT printf('/odd/%04d/%02d/%02d/%d', day/10000, day/100%100, day%100, num)
	FROM messages m JOIN mids ON mids.id = m.mid WHERE mids.mid = 'a/b+c=d@example.org'")
get "$U" >slash-date.html
check "the page of an ID with '/' links it as one segment (%2F)" \
	grep -qF 'Permalink: <a href="/odd/a%2Fb+c=d@example.org/">&lt;a/b+c=d@example.org&gt;</a>' slash-date.html
get "/odd/a%2Fb+c=d@example.org/" >slash.html
check_eq "which answers 200" "$STATUS" 200
check "with the message, canonical at its date URL" grep -qx "<link rel=\"canonical\" href=\"$U\">" slash.html
check "well formed" pagecheck --strict slash.html
get "/odd/a%2fb%2Bc%3Dd%40example.org/" >/dev/null
check_eq "lowercase and needless escapes work too" "$STATUS" 200
get "/odd/a/b+c=d@example.org/" >/dev/null
check_eq "with a bare '/' it is another (unknown) path" "$STATUS" 404
get "/odd/a%2Fb+c=d@example.org/raw" >slash.raw
get "$U/raw" >slash-date.raw
check "its raw bytes by Message-ID are those of its date URL" cmp -s slash.raw slash-date.raw
check "...which are the message" grep -q '^Message-ID: <a/b+c=d@example.org>' slash.raw
get "/all/a%2Fb+c=d@example.org/t.mbox.gz" >slash.gz
check "its thread mbox under /all/" bash -c "gunzip -c slash.gz | grep -q '^Message-ID: <a/b+c=d@example.org>'"
# An ID of four digits: after the list, four digits are a year.
U4=$(sqlite3 "$DATA/index.sqlite" "SELECT printf('/odd/%04d/%02d/%02d/%d', day/10000, day/100%100, day%100, num)
	FROM messages m JOIN mids ON mids.id = m.mid WHERE mids.mid = '2024'")
get "$U4" >four-date.html
check "an ID of four digits is linked with its first digit encoded" \
	grep -qF 'Permalink: <a href="/odd/%32024/">&lt;2024&gt;</a>' four-date.html
get /odd/%32024/ >four.html
check_eq "which answers 200" "$STATUS" 200
check "with that message" grep -q "<link rel=\"canonical\" href=\"$U4\">" four.html
get /odd/%32024 >/dev/null
check "its redirect keeps the digit encoded" grep -qx 'Location: /odd/%32024/' "$T/get.err"

# ---- /all/: every list ----
get "/all/$ROOTID/" >all.html
check_eq "/all/MSGID/ of an ID in two lists: 200" "$STATUS" 200
check "a page that lists both copies" grep -q "<p>2 messages have this Message-ID:</p>" all.html
check_eq "linking each by its date URL" \
	"$(grep -o '<li><span class="date">[0-9/]*</span> <a href="[^"]*"' all.html | cut -d'"' -f4)" \
	"$(printf '%s\n%s' "$ROOTURL" "${ROOTURL/linux-kernel/mirror}")"
check "well formed" pagecheck --strict all.html
get "/all/a%2Fb+c=d@example.org/" >all1.html
check "/all/MSGID/ of an ID in one list is that message's page" \
	grep -qx "<link rel=\"canonical\" href=\"$U\">" all1.html
get /all/ >/dev/null
check "/all/ is the site index" grep -qx 'Location: /' "$T/get.err"

# ---- not in the archive: 404 with a search ----
get /linux-kernel/nosuch@example.org/ >404.html
check_eq "an unknown Message-ID: 404 (exit 1)" "$STATUS/$RC" 404/1
check "the page says so" grep -qF 'No message with the Message-ID <code>&lt;nosuch@example.org&gt;</code> is in the list linux-kernel.' 404.html
check "and offers a search of the list for it" \
	grep -qF '<a href="/linux-kernel/?q=%22nosuch%40example.org%22">Search the list for this Message-ID</a>' 404.html
check "well formed" pagecheck --strict 404.html
get /all/nosuch@example.org/ >404all.html
check "under /all/: a search of the archive" \
	grep -qF '<a href="/?q=%22nosuch%40example.org%22">Search the archive for this Message-ID</a>' 404all.html
for f in raw t.mbox.gz t.atom t/ T/; do
	get "/linux-kernel/nosuch@example.org/$f" >x.out
	if [ "$STATUS" = 404 ] && grep -q 'Search the list for this Message-ID' x.out; then
		ok "/LIST/unknown/$f: the same 404"
	else
		not_ok "/LIST/unknown/$f: the same 404 (got $STATUS)"
	fi
done
get "/linux-kernel/$GHOST/" >ghost.html
check_eq "an ID the archive only knows from References: 404" "$STATUS" 404
check "listing the message that replies to it" grep -qF \
	"<a href=\"$(url_of 9638a51c-4295-924f-1852-1783c7f3e82d@virtuozzo.com)\">Re: [PATCH v2 0/7]" ghost.html
get "/odd/$ROOTID/" >other.html
check "an ID in other lists: 404 naming where it is" grep -q '<p>It is in other lists:</p>' other.html
check "...both copies" [ "$(grep -c '<li><span class="date">2019/05/20</span>' other.html)" = 2 ]

# ---- raw by Message-ID: the bytes of the date URL's raw, of the mbox ----
# (All of them through one `listarc get --batch`: the N-th seed's raw by
# Message-ID is raws/(2N-1), by date raws/2N.)
while IFS='	' read -r mid n url; do
	printf '%s\n' "/linux-kernel/$(printf '%s' "$mid" | sed 's/%/%25/g; s|/|%2F|g')/raw" "$url/raw"
done <urls.tsv | getall raws
bad=$?
while IFS='	' read -r mid n url; do
	cmp -s "raws/$((2 * n - 1))" "raws/$((2 * n))" && cmp -s "raws/$((2 * n))" "raw/$n" || {
		bad=$((bad + 1))
		echo "# raw of <$mid> differs"
	}
done <urls.tsv
check_eq "every seed's /LIST/MSGID/raw is its date URL's raw and its mbox bytes" "$bad" 0
get --headers "/linux-kernel/$ROOTID/raw" >/dev/null
check "as text/plain; charset=utf-8" grep -qx 'Content-Type: text/plain; charset=utf-8' "$T/get.err"

# ---- the thread as an mbox ----
# The thread of the cover letter, by delivery (mbox) order: the cover,
# the 7 patches, the 7 replies.
thread_ids() { # the seeds in the thread of the 2019 cover letter, mbox order
	awk -F'\t' '$3 ~ /^2019\//' seeds.tsv
}
thread_ids >thread.tsv
check_eq "the 2019 thread has 15 messages in seeds.mbox" "$(wc -l <thread.tsv)" 15
cat >split.py <<'EOF'
# split.py MBOX OUTDIR: splits an mboxrd written by listarc (or
# public-inbox): every message starts with the From_ line below and is
# followed by an empty line; prints each message's Message-ID.
import os, re, sys
data = open(sys.argv[1], "rb").read()
sep = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"
if not data.startswith(sep):
    sys.exit("no From_ line at the start")
parts = data.split(b"\n" + sep)
parts[0] = parts[0][len(sep):]
os.makedirs(sys.argv[2], exist_ok=True)
for i, p in enumerate(parts):
    # The split took the empty line after each message but the last.
    last = i + 1 == len(parts)
    if not p.endswith(b"\n\n" if last else b"\n"):
        sys.exit("message %d does not end with an empty line" % (i + 1))
    if last:
        p = p[:-1]
    if re.search(rb"^From ", p, re.M):
        sys.exit("message %d has an unquoted From line" % (i + 1))
    p = re.sub(rb"^>(>*From )", rb"\1", p, flags=re.M)
    open(os.path.join(sys.argv[2], "%d" % (i + 1)), "wb").write(p)
    head = p.split(b"\n\n", 1)[0]
    print(re.search(rb"^Message-I[dD]:\s*<([^>]*)>", head, re.M | re.I).group(1).decode())
EOF
get --headers "/linux-kernel/$ROOTID/t.mbox.gz" >t.mbox.gz
check_eq "t.mbox.gz: 200" "$STATUS" 200
check "as application/gzip" grep -qx 'Content-Type: application/gzip' "$T/get.err"
check "with an ETag" grep -q '^ETag: "m-[0-9a-f]\{16\}"$' "$T/get.err"
check "a whole gzip stream" gzip -t t.mbox.gz
gunzip -c t.mbox.gz >t.mbox
"$PYTHON" split.py t.mbox got >got.ids 2>split.err
check "an mboxrd of From mboxrd@z lines and quoted From lines" [ ! -s split.err ]
check_eq "the thread's 15 messages, in delivery order" "$(cat got.ids)" "$(cut -f1 thread.tsv)"
bad=0
i=0
while IFS='	' read -r mid n day; do
	i=$((i + 1))
	cmp -s "got/$i" "raw/$n" || bad=$((bad + 1))
done <thread.tsv
check_eq "each byte-identical to the message in seeds.mbox" "$bad" 0
get "/all/$ROOTID/t.mbox.gz" >all.mbox.gz
"$PYTHON" split.py <(gunzip -c all.mbox.gz) gotall >gotall.ids 2>/dev/null
check_eq "under /all/ (two copies of each): each Message-ID once" "$(cat gotall.ids)" "$(cut -f1 thread.tsv)"
get "/mirror/$(sed -n 3p thread.tsv | cut -f1)/t.mbox.gz" >mirror.gz
check "any message of the thread gives the same thread" cmp -s <(gunzip -c mirror.gz) t.mbox
get /odd/from-lines@example.org/t.mbox.gz >fl.gz
gunzip -c fl.gz >fl.mbox
check "From lines in a body are quoted once more (>From, >>From, >>>From)" \
	bash -c "grep -qx '>From the start of a line' fl.mbox && grep -qx '>>From a quoted one' fl.mbox && grep -qx '>>>From twice' fl.mbox && grep -qx 'not From here' fl.mbox"
get /odd/from-lines@example.org/raw >fl.raw
check "and the raw message has them as written" \
	bash -c "grep -qx 'From the start of a line' fl.raw && grep -qx '>From a quoted one' fl.raw"

# ---- thread pages, as lore's: T/ (flat) and t/ (nested) ----
# lore's anchor of a message: m and the SHA-1 of its Message-ID.
anchor() { printf 'm%s' "$(printf '%s' "$1" | sha1sum | cut -c1-40)"; }
get "/linux-kernel/$ROOTID/T/" >flat.html
check_eq "T/: 200" "$STATUS" 200
get "/linux-kernel/$ROOTID/t/" >nested.html
check_eq "t/: 200" "$STATUS" 200
check "both well formed, with our markup only" pagecheck --strict --lore-links lore.txt --links links.txt flat.html nested.html
check_eq "T/ shows the 15 messages in delivery order, each with lore's anchor" \
	"$(grep -o '<div class="tmsg d0" id="m[0-9a-f]\{40\}">' flat.html | wc -l) $(grep -A1 '<div class="tmsg' flat.html | grep -o '<p class="links"><b>\(<u id="u">\)\{0,1\}<a href="[^"]*"' | cut -d'"' -f4,6 | sed 's/.*"//' | tr '\n' ' ')" \
	"15 $(while read -r m n d; do url_of "$m"; done <thread.tsv | tr '\n' ' ')"
check_eq "each with its header block and body" "$(grep -c '<pre class="msg">' flat.html)" 15
check_eq "t/ shows them too, with the ghost they reply to" "$(grep -c '<div class="tmsg' nested.html)" 16
P1=$(sed -n 2p thread.tsv | cut -f1)
check "as a tree: the replies to patch 1/7 nested under it" grep -q '<div class="tmsg d2" id="m[0-9a-f]\{40\}">' nested.html
check "each reply links its parent on the page" grep -qF "[<a href=\"#$(anchor "$P1")\">parent</a>]" nested.html
check "with the tree on top, linked to the messages below (each entry lore's #r anchor)" \
	grep -q "<li id=\"r$(anchor "$P1" | cut -c2-)\"><a href=\"#$(anchor "$P1")\">\[PATCH v2 1/7\]" nested.html
R1=r$(anchor "$P1" | cut -c2-)
check "T/ ends with lore's thread overview (#t), its entries (#r) linking the messages above, each message's footer its entry" \
	bash -c "grep -q '<div class=\"thread overview\" id=\"t\">' flat.html &&
		grep -q '<li id=\"$R1\"><a href=\"#$(anchor "$P1")\">\[PATCH v2 1/7\]' flat.html &&
		grep -q '<a href=\"#$R1\">15 messages in thread</a>' flat.html"
# A thread of 100 messages: two pages of 50.
BIG=$(sqlite3 "$DATA/index.sqlite" "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid
	JOIN lists l ON l.id = m.list_id WHERE l.name = 'lkml' AND m.thread =
	(SELECT thread FROM messages GROUP BY thread ORDER BY count(*) DESC LIMIT 1) ORDER BY m.ts LIMIT 1")
NBIG=$(sqlite3 "$DATA/index.sqlite" "SELECT count(*) FROM messages m JOIN mids ON mids.id = m.mid
	WHERE m.thread = (SELECT thread FROM mids WHERE mid = '$BIG')")
check_eq "lkml's largest thread has 100 messages" "$NBIG" 100
get "/lkml/$BIG/T/" >p1.html
check "its T/ is page 1 of 2" grep -q 'page 1 of 2\.' p1.html
check "linking page 2" grep -qF "<a href=\"/lkml/$BIG/T/?page=2\">next page&gt;</a>" p1.html
get "/lkml/$BIG/T/?page=2" >p2.html
check_eq "page 2: 200" "$STATUS" 200
get "/lkml/$BIG/T/?page=3" >/dev/null
check_eq "page 3: 404" "$STATUS" 404
check_eq "the two pages show the 100 messages, each once" \
	"$(cat p1.html p2.html | grep -o '<div class="tmsg d0" id="m[0-9a-f]*">' | sort -u | wc -l)" 100
get "/lkml/$BIG/t/?page=2" >n2.html
check "t/ has pages too" grep -q 'page 2 of [0-9]' n2.html
check "all well formed" pagecheck --strict --lore-links lore2.txt --links links2.txt p1.html p2.html n2.html
# Every link on the seed thread's pages leads somewhere.
cat lore.txt links.txt | cut -f2 | sort -u >targets.list
: >deadlinks.txt
getall targets <targets.list || echo "listarc get --batch: exit $?" >>deadlinks.txt
awk '$3 != 0 { print $4, $2 }' targets.txt >>deadlinks.txt
[ "$(wc -l <targets.txt)" = "$(wc -l <targets.list)" ] || echo "listarc get --batch: some paths not answered" >>deadlinks.txt
check "every link of the thread pages answers 200 ($(wc -l <targets.list) links)" [ ! -s deadlinks.txt ]
head -5 deadlinks.txt | sed 's/^/#   dead: /'

# ---- Atom ----
cat >atom.py <<'EOF'
# atom.py FILE N: the feed parses with feedparser (bozo 0) and holds the
# elements RFC 4287 requires, with RFC 3339 dates and absolute ids
# (urn: or http), N entries; prints the entries' alternate links.
import re, sys
import xml.etree.ElementTree as ET
import feedparser
raw = open(sys.argv[1], "rb").read()
d = feedparser.parse(raw)
problems = []
if d.bozo:
    problems.append("feedparser: bozo (%s)" % d.bozo_exception)
A = "{http://www.w3.org/2005/Atom}"
root = ET.fromstring(raw)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ID = re.compile(r"^(urn:[a-z0-9][a-z0-9-]{0,31}:\S+|https?://\S+)$")
def one(el, name, where):
    found = el.findall(A + name)
    if len(found) != 1:
        problems.append("%s: %d <%s>" % (where, len(found), name))
        return None
    return found[0]
if root.tag != A + "feed":
    problems.append("root is %s" % root.tag)
for n in ("id", "title", "updated"):
    one(root, n, "feed")
fid = one(root, "id", "feed")
if fid is not None and not ID.match(fid.text or ""):
    problems.append("feed id %r" % fid.text)
fu = one(root, "updated", "feed")
if fu is not None and not DATE.match(fu.text or ""):
    problems.append("feed updated %r" % fu.text)
if not [l for l in root.findall(A + "link") if l.get("rel") == "self"]:
    problems.append("no self link")
entries = root.findall(A + "entry")
ids = set()
for i, e in enumerate(entries):
    w = "entry %d" % (i + 1)
    for n in ("id", "title", "updated"):
        one(e, n, w)
    eid = e.find(A + "id")
    if eid is not None:
        if not ID.match(eid.text or ""):
            problems.append("%s: id %r" % (w, eid.text))
        if eid.text in ids:
            problems.append("%s: id repeated" % w)
        ids.add(eid.text)
    up = e.find(A + "updated")
    if up is not None and not DATE.match(up.text or ""):
        problems.append("%s: updated %r" % (w, up.text))
    au = e.findall(A + "author")
    if not au or au[0].find(A + "name") is None:
        problems.append("%s: no author name" % w)
    alt = [l.get("href") for l in e.findall(A + "link") if l.get("rel", "alternate") == "alternate"]
    if not alt and e.find(A + "content") is None:
        problems.append("%s: neither content nor an alternate link" % w)
    print(alt[0] if alt else "")
if len(entries) != int(sys.argv[2]):
    problems.append("%d entries, want %s" % (len(entries), sys.argv[2]))
for p in problems:
    print("#   " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
# atom FILE N OUT: atom.py's verdict as a check.
atom() {
	"$PYTHON" atom.py "$1" "$2" >"$3" 2>atom.err
	local rc=$?
	cat atom.err
	return $rc
}
get --headers /linux-kernel/new.atom >new.atom
check "new.atom is application/atom+xml" grep -qx 'Content-Type: application/atom+xml; charset=utf-8' "$T/get.err"
check "/linux-kernel/new.atom is valid Atom with 25 entries" atom new.atom 25 new.links
check_eq "the 25 newest messages by day and number, newest first" "$(cat new.links)" \
	"$(awk -F'\t' '{ split($3, p, "/"); printf "%s %09d %s\n", p[3] p[4] p[5], p[6], $3 }' urls.tsv |
		sort -r | head -25 | cut -d' ' -f3)"
get /all/new.atom >all.atom
check "/all/new.atom is valid Atom with 25 entries" atom all.atom 25 all.links
check "the newest of every list: odd's messages of 2025 first" \
	bash -c "head -5 all.links | grep -c '^/odd/2025/' | grep -qx 5"
get /odd/new.atom >odd.atom
check "a feed of messages with control characters, U+FFFE, U+FFFF and bad bytes in their subjects is valid" \
	atom odd.atom 5 odd.links
check "those characters are shown as '.', & and < escaped" \
	grep -qx '<title type="text">ctl \.\. amp &amp; lt &lt; nonchars \.\. end</title>' odd.atom
check "a bad byte is read as windows-1252 (the indexer's rule) and ESC is '.'" \
	grep -qx '<title type="text">bad ÿ byte \. esc</title>' odd.atom
get "/linux-kernel/$ROOTID/t.atom" >t.atom
check "t.atom is valid Atom with the thread's 15 messages" atom t.atom 15 t.links
check_eq "newest first" "$(cat t.links)" "$(while read -r m n d; do url_of "$m"; done <thread.tsv | tac)"
get /nosuchlist/new.atom >/dev/null
check_eq "the feed of an unknown list: 404" "$STATUS" 404

# ---- the JSON API ----
json() { "$PYTHON" -c "import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
get --headers /api/v1/ >lists.json
check "/api/v1/: application/json" grep -qx 'Content-Type: application/json' "$T/get.err"
check "with an ETag" grep -q '^ETag: "[0-9a-f]\{16\}"$' "$T/get.err"
check_eq "the lists with their message counts" \
	"$(json lists.json '" ".join("%s=%d" % (l["name"], l["messages"]) for l in d["lists"])')" \
	"chain=70 linux-kernel=36 lkml=210 mirror=36 odd=5"
check_eq "and first and last days" "$(json lists.json 'd["lists"][1]["first_day"] + " " + d["lists"][1]["last_day"]')" \
	"2019-05-20 2020-05-09"
"$PYTHON" mbox.py "$LKML" >lkml.tsv
awk -F'\t' '{ n[$3]++; print "/lkml/" $3 "/" n[$3] }' lkml.tsv >lkml.urls
cat >pages.py <<'EOF'
# pages.py START OUTDIR: follows "next" from START through one `listarc
# get --batch OUTDIR`, asked one page at a time (the next path is known
# once the page is read); prints every message's url; checks each page's
# size against its limit, and the page against docs/api.schema.json.
import json, os, subprocess, sys
from jsonschema import Draft202012Validator
schema = json.load(open(os.path.join(os.environ["ROOT"], "docs", "api.schema.json")))
valid = Draft202012Validator(dict(schema, oneOf=[{"$ref": "#/$defs/page"}]))
url, outdir, pages = sys.argv[1], sys.argv[2], 0
get = subprocess.Popen([os.environ["LISTARC"], "get", "--data", os.environ["DATA"], "--batch", outdir],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
while url:
    get.stdin.write(url + "\n")
    get.stdin.flush()
    n, status, rc, _ = get.stdout.readline().split(" ", 3)
    if rc != "0":
        sys.exit("%s: status %s, exit %s" % (url, status, rc))
    d = json.load(open(os.path.join(outdir, n)))
    pages += 1
    for e in valid.iter_errors(d):
        sys.exit("page %d: %s" % (pages, e.message[:200]))
    if len(d["messages"]) > d["limit"] or (d["next"] and len(d["messages"]) != d["limit"]):
        sys.exit("page %d: %d messages, limit %d" % (pages, len(d["messages"]), d["limit"]))
    for m in d["messages"]:
        print(m["url"])
    url = d["next"]
get.stdin.close()
if get.wait() != 0:
    sys.exit("listarc get --batch exited %d" % get.returncode)
print("pages %d" % pages, file=sys.stderr)
EOF
export LISTARC DATA ROOT
"$PYTHON" pages.py "/api/v1/lkml/?limit=7" walk1 >api-new.txt 2>pages.err
check "keyset pages of 7, newest first" grep -qx 'pages 30' pages.err
check_eq "hold every message of the list exactly once, by day and number, newest first" \
	"$(cat api-new.txt)" \
	"$(awk -F/ '{ printf "%s%s%s %09d %s\n", $3, $4, $5, $6, $0 }' lkml.urls | sort -r | cut -d' ' -f3)"
"$PYTHON" pages.py "/api/v1/lkml/?since=2010-06-01&until=2010-08-31&limit=4" walk2 >api-range.txt 2>/dev/null
check_eq "a date range: oldest first, exactly its messages" "$(cat api-range.txt)" \
	"$(awk -F/ '$3 $4 >= "201006" && $3 $4 <= "201008" { printf "%s%s%s %09d %s\n", $3, $4, $5, $6, $0 }' lkml.urls |
		sort | cut -d' ' -f3)"
get "/api/v1/lkml/?limit=100000" >big.json
check_eq "limit is capped at 500" "$(json big.json 'd["limit"], len(d["messages"]), d["next"]')" "(500, 210, None)"
get "/api/v1/lkml/?after=k1x" >bad.json
check_eq "a cursor the archive did not give: 400, in JSON" "$STATUS $(json bad.json 'd["status"]')" "400 400"
get /api/v1/nosuchlist/ >nolist.json
check_eq "an unknown list: 404, in JSON" "$STATUS $(json nolist.json 'd["error"]')" "404 no such list"
P3=$(url_of 155836081774.2441.16449538600904205092.stgit@localhost.localdomain)
get "/api/v1$P3" >msg.json
check_eq "one message: its IDs, both URLs, sender, subject, date, parent" \
	"$(json msg.json '"|".join(str(x) for x in (d["message_id"], d["url"], d["permalink"], d["raw"], d["from"]["name"], d["subject"], d["date"], d["parent"]))')" \
	"155836081774.2441.16449538600904205092.stgit@localhost.localdomain|$P3|/linux-kernel/155836081774.2441.16449538600904205092.stgit@localhost.localdomain/|$P3/raw|Kirill Tkhai|[PATCH v2 3/7] mm: Extend copy_page_range()|2019-05-20T14:00:17Z|$ROOTID"
check "its thread id and attachments (none)" json msg.json 'isinstance(d["thread"], int) and d["attachments"] == [] or exit(1)'
mail_attachment tgz tgz@example.org | la deliver --create --data "$DATA" odd
ATT=$(sqlite3 "$DATA/index.sqlite" "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid ORDER BY m.id DESC LIMIT 1")
get "/api/v1/odd/$ATT/" >att.json
check_eq "a message's attachments: number, type, file name, size, URL" \
	"$(json att.json '[(a["number"], a["type"], a["filename"], a["size"] > 0) for a in d["messages"][0]["attachments"]]')" \
	"[(1, 'application/x-gtar-compressed', 'listarc-test.tgz', True)]"
get "$(json att.json 'd["messages"][0]["attachments"][0]["url"]')" >/dev/null
check_eq "whose URL answers 200" "$STATUS" 200
get "/api/v1/all/$ROOTID/" >two.json
check_eq "/api/v1/all/MSGID/: every copy" "$(json two.json '[m["list"] for m in d["messages"]]')" \
	"['linux-kernel', 'mirror']"
get "/api/v1/linux-kernel/$ROOTID/T/" >tree.json
cat >tree.py <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
nodes = []
def walk(ns, depth, parent):
    for n in ns:
        assert n["depth"] == depth and n["parent"] == parent, n["message_id"]
        nodes.append(n)
        walk(n["replies"], depth + 1, n["message_id"])
walk(d["tree"], 0, None)
root = d["tree"][0]
print(len(d["tree"]), len(nodes), sum(n["ghost"] for n in nodes), d["messages"],
      len(root["replies"]), root["message"]["url"])
EOF
check_eq "the thread as a tree: one root, 16 nodes (1 ghost), 15 messages, 8 replies to the cover" \
	"$("$PYTHON" tree.py tree.json)" "1 16 1 15 8 $ROOTURL"
check_eq "the ghost is the ID only referenced" \
	"$(json tree.json '[n["message_id"] for n in d["tree"][0]["replies"] if n["ghost"]]')" "['$GHOST']"
get /api/v1/chain/chain-0@example.org/T/ >chain.json
cat >chain.py <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def walk(ns, level):
    for n in ns:
        yield n, level
        yield from walk(n["replies"], level + 1)
got = {n["message_id"]: (n["depth"], n["parent"], level) for n, level in walk(d["tree"], 0)}
print(len(got), got["chain-63@example.org"], got["chain-64@example.org"], got["chain-69@example.org"])
EOF
check_eq "a chain of 70: nested 64 deep, deeper ones beside with their true depth and parent" \
	"$("$PYTHON" chain.py chain.json)" \
	"70 (63, 'chain-62@example.org', 63) (64, 'chain-63@example.org', 64) (69, 'chain-68@example.org', 64)"
get /chain/chain-0@example.org/t/ >chain1.html
check "the nested page draws depth 8 at most" \
	bash -c "grep -q '<div class=\"tmsg d8\" id=\"$(anchor chain-19@example.org)\">' chain1.html && ! grep -q 'class=\"tmsg d9' chain1.html"
check "and links each reply's parent, however deep" grep -qF "[<a href=\"#$(anchor chain-48@example.org)\">parent</a>]" chain1.html
get "/chain/chain-0@example.org/t/?page=2" >chain2.html
check "page 2 starts its tree anew (its first row at the left)" grep -q "<div class=\"tmsg d0\" id=\"$(anchor chain-50@example.org)\">" chain2.html
check "the chain's pages are well formed" pagecheck --strict chain1.html chain2.html
get "/api/v1/linux-kernel/nosuch@example.org/" >nomsg.json
check_eq "an unknown Message-ID: 404, in JSON" "$STATUS $(json nomsg.json 'd["status"]')" "404 404"
get "/api/v1/linux-kernel/2019/05/" >nopath.json
check_eq "a path the API does not have: 404, in JSON" "$STATUS $(json nopath.json 'd["error"]')" \
	"404 no such API URL"
get "/api/v1/linux-kernel/?since=2019-5-1" >badq.json
check_eq "a malformed date: 400, in JSON" "$STATUS $(json badq.json 'd["status"]')" "400 400"
schema() { "$PYTHON" "$ROOT/tests/apischema.py" "$@"; }
check "every API response above validates against docs/api.schema.json, as its kind" bash -c "
	$(declare -f schema); PYTHON='$PYTHON' ROOT='$ROOT'
	schema lists lists.json && schema page big.json && schema message msg.json &&
	schema by_msgid att.json two.json && schema thread tree.json chain.json &&
	schema error bad.json nolist.json nomsg.json nopath.json badq.json"
check_eq "(which are all the JSON files fetched but pages.py's, which validates its own)" "$(ls *.json | wc -l)" 12

# ---- "all" and "api" are not list names ----
la index --data "$DATA" all "$SEEDS" >/dev/null 2>res.err
check_eq "listarc index all: refused (exit 2)" $? 2
check "saying why" grep -q "'all' cannot be a list name: /all/ is part of the archive's URLs" res.err
mail x@y z | la deliver --create --data "$DATA" api 2>res.err
check_eq "listarc deliver api: refused (exit 64)" $? 64
check "saying why" grep -q "'api' cannot be a list name" res.err
printf '[list all]\nsources = %s\n' "$SEEDS" >"$DATA/listarc.conf"
la index --data "$DATA" >/dev/null 2>res.err
check_eq "a [list all] in listarc.conf: refused (exit 78)" $? 78
check "saying why" grep -q 'is reserved' res.err
rm "$DATA/listarc.conf"
