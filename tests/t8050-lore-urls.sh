#!/usr/bin/env bash
# t8050-lore-urls: URLs as lore writes them land where lore lands.  A list
# of lore URLs (T/ flat and t/ nested with their #u and #m... anchors,
# t/ with the #r... of its tree), /r/MSGID, a Message-ID alone, R/,
# parts by lore's numbering such as 2-foo.patch and 4.1.2-inner.bin, t.mbox, raw, new.html, _/text/...)
# is asked of `listarc get --batch`: each answers the status and Location
# lore's does, and the page it ends on holds the fragment's target.  The
# parts' numbers agree with public-inbox's own walk (PublicInbox::Eml)
# when it is installed.  The reply block (#R) has the git send-email
# line and mailto: link built from the headers and listarc.conf's
# address; a Message-ID cut short or mistyped lists the candidates; and
# over real HTTP the redirects are what curl -L and chromium follow, the
# browser scrolled to each link's fragment (tests/browser/lore.js).
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox
ROOTID=155836064844.2441.10911127801797083064.stgit@localhost.localdomain
plan 71

la index -q --data "$DATA" linux-kernel "$SEEDS"
la index -q --data "$DATA" lkml "$ROOT/samples/lkml.mbox"
# A message of nested parts: text, an alternative of two, a patch, and an
# attached message with a part of its own.  Delivered to two lists, so
# that /r/ of it goes to /all/.
cat >parts.py <<'EOF'
import sys
inner = ("From: Inner <inner@example.org>\nSubject: inner\nMessage-ID: <inner@example.org>\n"
         "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=in\n\n"
         "--in\nContent-Type: text/plain\n\ninner text\n"
         "--in\nContent-Type: application/octet-stream; name=inner.bin\n"
         "Content-Transfer-Encoding: base64\n\nAAECAwQF\n--in--\n")
sys.stdout.write(
    "Received: from mx.example.org by list.example.org; Tue, 02 Jan 2024 10:00:00 +0000\n"
    "Message-ID: <parts-1@example.org>\nFrom: Part Sender <Sender@Example.org>\n"
    "To: edge@lists.example.org, Other <other@example.org>\nCc: sender@example.org, c@example.org\n"
    "Subject: [PATCH] parts & pieces\nDate: Tue, 02 Jan 2024 09:59:00 +0000\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=out\n\n"
    "--out\nContent-Type: text/plain\n\nSee the patch.\n"
    "--out\nContent-Type: multipart/alternative; boundary=alt\n\n"
    "--alt\nContent-Type: text/plain\n\nplain alternative\n"
    "--alt\nContent-Type: text/html\n\n<p>html alternative</p>\n--alt--\n"
    "--out\nContent-Type: text/x-patch; name=foo.patch\nContent-Disposition: inline; filename=foo.patch\n\n"
    "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"
    "--out\nContent-Type: message/rfc822\n\n" + inner + "--out--\n")
EOF
"$PYTHON" parts.py >parts.eml
la deliver --data "$DATA" --create edge <parts.eml
la deliver --data "$DATA" --create edge2 <parts.eml
printf '[list linux-kernel]\naddress = linux-kernel@vger.kernel.org\n[list edge]\naddress = edge@lists.example.org\n' >"$DATA/listarc.conf"

# lore's anchor of a message: m and the SHA-1 of its Message-ID.
anchor() { printf 'm%s' "$(printf '%s' "$1" | sha1sum | cut -c1-40)"; }
# ...and of its entry in a thread overview (the nested view's tree).
ranchor() { printf 'r%s' "$(printf '%s' "$1" | sha1sum | cut -c1-40)"; }
midof() { sqlite3 "$DATA/index.sqlite" "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid
	JOIN lists l ON l.id = m.list_id WHERE l.name = '$1' AND m.thread = (SELECT thread FROM mids WHERE mid = '$2')
	ORDER BY m.ts, m.id LIMIT 1 OFFSET $3"; }
P1=$(midof linux-kernel "$ROOTID" 1)
LAST=$(midof linux-kernel "$ROOTID" 14)
BIG=$(sqlite3 "$DATA/index.sqlite" "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid
	JOIN lists l ON l.id = m.list_id WHERE l.name = 'lkml' AND m.thread =
	(SELECT thread FROM messages GROUP BY thread ORDER BY count(*) DESC LIMIT 1) ORDER BY m.ts LIMIT 1")
B80=$(midof lkml "$BIG" 79)
check "the seed thread and lkml's thread of 100 are there" eval '[ -n "$P1" ] && [ -n "$LAST" ] && [ -n "$B80" ]'

# ---- the lore URL list: PATH STATUS LOCATION FRAGMENT ("-": none) ----
# A fragment is looked for on the page the URL ends on (after its
# redirect): an element with that id, and for #u, the message it marks.
cat >urls.txt <<EOF
/linux-kernel/$ROOTID/T/#u 200 - u
/linux-kernel/$ROOTID/t/#u 200 - u
/linux-kernel/$LAST/T/#u 200 - u
/linux-kernel/$P1/t/#u 200 - u
/linux-kernel/$ROOTID/T/#$(anchor "$LAST") 200 - $(anchor "$LAST")
/linux-kernel/$ROOTID/t/#$(anchor "$P1") 200 - $(anchor "$P1")
/all/$ROOTID/T/#$(anchor "$P1") 200 - $(anchor "$P1")
/linux-kernel/$ROOTID/T 301 /linux-kernel/$ROOTID/T/#u u
/linux-kernel/$ROOTID/t 301 /linux-kernel/$ROOTID/t/#u u
/linux-kernel/$ROOTID/R/ 301 /linux-kernel/$ROOTID/#R R
/linux-kernel/$ROOTID/f/ 301 /linux-kernel/$ROOTID/ -
/linux-kernel/$ROOTID/#R 200 - R
/linux-kernel/$ROOTID/#r 200 - r
/r/$ROOTID 302 /linux-kernel/$ROOTID/ -
/r/$ROOTID/ 302 /linux-kernel/$ROOTID/ -
/r/$ROOTID/T/#$(anchor "$P1") 302 /linux-kernel/$ROOTID/T/ $(anchor "$P1")
/r/$P1/t.mbox.gz 302 /linux-kernel/$P1/t.mbox.gz -
/$ROOTID/ 302 /linux-kernel/$ROOTID/ -
/$ROOTID/t/#u 302 /linux-kernel/$ROOTID/t/ u
/r/parts-1@example.org/ 302 /all/parts-1@example.org/ -
/r/nosuch@example.org/ 404 - -
/edge/parts-1@example.org/3-foo.patch 200 - -
/edge/parts-1@example.org/1-a.txt 200 - -
/edge/parts-1@example.org/2.2-a.bin 200 - -
/edge/parts-1@example.org/4.1.2-inner.bin 200 - -
/edge/parts-1@example.org/5-a.bin 404 - -
/edge/parts-1@example.org/4.1.3-a.bin 404 - -
/linux-kernel/$ROOTID/t.mbox 200 - -
/linux-kernel/$ROOTID/raw 200 - -
/linux-kernel/new.html 200 - -
/linux-kernel/_/text/help/ 200 - -
/linux-kernel/_/text/help 301 /linux-kernel/_/text/help/ -
/_/text/help/ 200 - -
/linux-kernel/_/text/config/raw 200 - -
/lkml/$BIG/T/#$(anchor "$B80") 200 - $(anchor "$B80")
/lkml/$B80/T/#u 200 - u
/linux-kernel/$ROOTID/t/#$(ranchor "$P1") 200 - $(ranchor "$P1")
/linux-kernel/$P1/t/#$(ranchor "$LAST") 200 - $(ranchor "$LAST")
/linux-kernel/$ROOTID/T/#$(ranchor "$P1") 200 - $(ranchor "$P1")
/linux-kernel/$LAST/T/#t 200 - t
/lkml/$BIG/T/#$(ranchor "$B80") 200 - $(ranchor "$B80")
/lkml/$B80/T/#$(ranchor "$BIG") 200 - $(ranchor "$BIG")
EOF
check "the list of lore URLs: $(wc -l <urls.txt)" [ "$(wc -l <urls.txt)" -gt 30 ]
cut -d' ' -f1 urls.txt | sed 's/#.*//' >paths.txt
"$LISTARC" get --data "$DATA" --headers --batch pages <paths.txt >batch.txt 2>batch.err
check_eq "listarc get --batch answers every path" "$(wc -l <batch.txt)" "$(wc -l <paths.txt)"
# Each line: status, Location and fragment as listed; a redirect's target
# is asked for too, and the fragment looked for there.
: >wrong.txt
: >targets.txt
i=0
while read -r url want loc frag; do
	i=$((i + 1))
	got=$(sed -n "${i}p" batch.txt | cut -d' ' -f2)
	gotloc=$(grep -i '^Location: ' "pages/$i.head" | head -1 | cut -d' ' -f2- | tr -d '\r')
	[ "$got" = "$want" ] || echo "$url: status $got, not $want" >>wrong.txt
	[ "$loc" = - ] || [ "$gotloc" = "$loc" ] || echo "$url: Location $gotloc, not $loc" >>wrong.txt
	[ "$loc" = - ] || echo "${loc%%#*}" >>targets.txt
done <urls.txt
"$LISTARC" get --data "$DATA" --batch targets <targets.txt >targets.out 2>/dev/null
i=0
j=0
while read -r url want loc frag; do
	i=$((i + 1))
	page=pages/$i
	src=$url
	if [ "$loc" != - ]; then
		j=$((j + 1))
		page=targets/$j
		src=$loc
		tst=$(sed -n "${j}p" targets.out | cut -d' ' -f2)
		[ "$tst" = 200 ] || echo "$url: its target answers $tst" >>wrong.txt
	fi
	[ "$frag" = - ] && continue
	grep -q "id=\"$frag\"" "$page" || echo "$url: no id=\"$frag\" on the page" >>wrong.txt
	# #u: the mark is inside the div of the message the URL names.
	if [ "$frag" = u ]; then
		mid=${src#/*/}
		mid=${mid%%/*}
		awk -v a="id=\"$(anchor "$mid")\"" 'index($0, a) { getline; if (index($0, "<u id=\"u\">")) ok = 1 } END { exit !ok }' "$page" ||
			echo "$url: #u is not on <$mid>" >>wrong.txt
	fi
done <urls.txt
check "every lore URL answers as listed and lands on its fragment" [ ! -s wrong.txt ]
sed 's/^/#   /' wrong.txt | head -20
check "the pages are well formed, with our markup only" \
	pagecheck --strict pages/1 pages/2 pages/5 pages/6 pages/12 "pages/$(grep -n '/lkml/' urls.txt | head -1 | cut -d: -f1)"

# ---- the thread pages' shapes ----
check "T/ is flat: every message at depth 0" bash -c "! grep -q 'class=\"tmsg d[1-9]' pages/1"
check "t/ is nested: replies deeper than the cover" grep -q 'class="tmsg d1"' pages/2
check_eq "T/ holds each of the 15 messages in full" "$(grep -c '<pre class="msg">' pages/1)" 15
check "T/ links t/ (nested) and t/ links T/ (flat), at #u" bash -c \
	"grep -qF '<a href=\"/linux-kernel/$ROOTID/t/#u\">nested</a>' pages/1 && grep -qF '<a href=\"/linux-kernel/$ROOTID/T/#u\">flat</a>' pages/2"
n=$(grep -n "^/lkml/$B80/T/#u" urls.txt | cut -d: -f1)
check "a thread over two pages: T/ of its 80th message opens page 2, where it is" grep -q 'page 2 of 2\.' "pages/$n"
n=$(grep -n "^/lkml/$BIG/T/#m" urls.txt | cut -d: -f1)
check "page 1 keeps an anchor for each message of page 2, linking it there" \
	grep -qF "<li id=\"$(anchor "$B80")\"><a href=\"/lkml/$BIG/T/?page=2#$(anchor "$B80")\">" "pages/$n"
check "and says which page" grep -q "id=\"$(anchor "$B80")\">.*(page 2)</li>" "pages/$n"

# ---- parts, as lore numbers them ----
part() { grep -n "^/edge/parts-1@example.org/$1-" urls.txt | cut -d: -f1; }
check_eq "3-foo.patch: the patch" "$(cat "pages/$(part 3)")" "$(printf -- '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b')"
check_eq "1-a.txt: the first text" "$(cat "pages/$(part 1)")" "See the patch."
check_eq "2.2-a.bin: the alternative's second part" "$(cat "pages/$(part 2.2)")" "<p>html alternative</p>"
check_eq "4.1.2-inner.bin: the attached message's part, decoded" "$(od -An -tx1 "pages/$(part 4.1.2)" | tr -d ' \n')" 000102030405
check "served as a download" grep -qi '^Content-Disposition: attachment; filename="inner.bin"' "pages/$(part 4.1.2).head"
if perl -MPublicInbox::Eml -e 1 2>/dev/null; then
	# public-inbox's own walk of the message: every index it gives has the
	# bytes it gives (text as listarc shows it: UTF-8, the same here).
	perl -MPublicInbox::Eml -e '
		my $e = PublicInbox::Eml->new(do { local $/; <STDIN> });
		mkdir "pi";
		$e->each_part(sub {
			my ($p, $depth, $idx) = @{$_[0]};
			return if $p->{is_submsg} || ($p->content_type // "") =~ m{^(multipart|message)/}i;
			open my $f, ">", "pi/$idx" or die;
			print $f $p->body;
			print "$idx\n";
		}, undef, 1);' <parts.eml >pi.txt
	sed 's|.*|/edge/parts-1@example.org/&-x.bin|' pi.txt >pi.paths
	"$LISTARC" get --data "$DATA" --batch pip <pi.paths >pi.out 2>/dev/null
	bad=0
	i=0
	while read -r idx; do
		i=$((i + 1))
		cmp -s "pi/$idx" "pip/$i" || { bad=$((bad + 1)); echo "#   part $idx differs"; }
	done <pi.txt
	check_eq "public-inbox numbers the parts $(tr '\n' ' ' <pi.txt)" "$(tr '\n' ' ' <pi.txt)" "1 2.1 2.2 3 4.1.1 4.1.2 "
	check_eq "and each has the bytes listarc serves at its number" "$bad" 0
else
	skip 2 "public-inbox (PublicInbox::Eml) is not installed"
fi

# The message page links its parts by lore's numbers (View.pm's
# attach_link: the file name, or a.bin), and each link gives the bytes
# of the date URL that linked them before (which still works).
get /edge/parts-1@example.org/ >partspage.html
grep -o 'href="[^"]*"' partspage.html | sed 's/^href="//; s/"$//' |
	grep -E '^/edge/(parts-1@example.org/[0-9.]+-|2024/01/02/1/[0-9]+$)' >partlinks.txt
check_eq "the message page links its attachments as lore numbers them" "$(tr '\n' ' ' <partlinks.txt)" \
	"/edge/parts-1@example.org/3-foo.patch /edge/parts-1@example.org/4.1.2-inner.bin "
printf '%s\n' /edge/2024/01/02/1/1 /edge/2024/01/02/1/2 >olddate.list
getall olddate <olddate.list
check "the date URLs of the same attachments still answer, with the same bytes" bash -c \
	"cmp -s olddate/1 pages/$(part 3) && cmp -s olddate/2 pages/$(part 4.1.2)"

# ---- t.mbox, raw, new.html, the text pages ----
get "/linux-kernel/$ROOTID/t.mbox.gz" >t.mbox.gz
n=$(grep -n "^/linux-kernel/$ROOTID/t.mbox " urls.txt | cut -d: -f1)
check "t.mbox is t.mbox.gz uncompressed" cmp -s <(gunzip -c t.mbox.gz) "pages/$n"
check "as application/mbox, named after the thread as lore names it" bash -c \
	"grep -qx 'Content-Type: application/mbox' pages/$n.head && grep -qx 'Content-Disposition: inline; filename=\"PATCH-v2-0-7-mm-process_vm_mmap-syscall-for-duplication-a-process-mapping.mbox\"' pages/$n.head"
n=$(grep -n "^/linux-kernel/$ROOTID/raw " urls.txt | cut -d: -f1)
check "raw: text/plain, inline, named SUBJECT.txt as lore names it" bash -c \
	"grep -qx 'Content-Type: text/plain; charset=utf-8' pages/$n.head && grep -qx 'Content-Disposition: inline; filename=\"PATCH-v2-0-7-mm-process_vm_mmap-syscall-for-duplication-a-process-mapping.txt\"' pages/$n.head"
# Every raw message of lkml.mbox comes with the headers public-inbox's
# own code (PublicInbox::Mbox::mbox_hdr) gives it: the charset its
# Content-Type names (ISO-8859-1, us-ascii, ...), the file name.
"$PYTHON" - "$ROOT/samples/lkml.mbox" <<'EOF'
import os, re, sys, urllib.parse
data = open(sys.argv[1], "rb").read()
os.makedirs("rawmsgs", exist_ok=True)
seen = set()
with open("raw.paths", "w") as paths:
    for i, m in enumerate(re.split(rb"\n(?=From )", data)):
        head = m.split(b"\n\n", 1)[0]
        mid = re.search(rb"^Message-ID:\s*<([^>\s]+)>", head, re.M | re.I)
        if not mid or mid.group(1) in seen or b"/" in mid.group(1):
            continue
        seen.add(mid.group(1))
        open("rawmsgs/%d" % len(seen), "wb").write(m.split(b"\n", 1)[1])
        paths.write("/lkml/%s/raw\n" % urllib.parse.quote(mid.group(1), safe="@+=:,!~$&'()*;"))
EOF
if perl -MPublicInbox::Mbox -MPublicInbox::Eml -e 1 2>/dev/null; then
	getall rawp --headers <raw.paths
	for i in $(seq 1 "$(wc -l <raw.paths)"); do
		grep -E '^Content-(Type|Disposition):' "rawp/$i.head"
	done >raw.got
	perl -MPublicInbox::Mbox -MPublicInbox::Eml -e '
		for my $i (1..$ARGV[0]) {
			open my $f, "<", "rawmsgs/$i" or die;
			my $e = PublicInbox::Eml->new(do { local $/; <$f> });
			my $h = PublicInbox::Mbox::mbox_hdr({ ibx => {}, eml => $e })->[1];
			my ($fn) = ($h->[3] =~ /filename=(.*)/);
			print "Content-Type: $h->[1]\nContent-Disposition: inline; filename=\"$fn\"\n";
		}' "$(wc -l <raw.paths)" >raw.want
	check_eq "raw's Content-Type and file name are public-inbox's, for each of lkml.mbox's $(wc -l <raw.paths) messages" \
		"$(diff raw.want raw.got | head -6)" ""
	check "...among them other charsets than UTF-8" grep -q 'charset=ISO-8859-1$' raw.got
else
	skip 2 "public-inbox (PublicInbox::Mbox) is not installed"
fi
n=$(grep -n "^/linux-kernel/new.html " urls.txt | cut -d: -f1)
check "new.html lists the latest messages, linked" grep -q '<li><span class="date">2019/05/21</span> <a href="/linux-kernel/2019/05/21/' "pages/$n"
n=$(grep -n "^/linux-kernel/_/text/help/ " urls.txt | cut -d: -f1)
check "_/text/help/ is the query language's help" grep -q '<code>dfhh:</code>' "pages/$n"
get /linux-kernel/_/text/help/raw >help.txt
check "and .../raw the same as text" bash -c "grep -q 'dfhh:' help.txt && ! grep -q '<code>' help.txt"
n=$(grep -n "^/linux-kernel/_/text/config/raw " urls.txt | cut -d: -f1)
check_eq "_/text/config/raw: a public-inbox config snippet, as lei reads it" \
	"$(git config -f "pages/$n" --get publicinbox.linux-kernel.address)" linux-kernel@vger.kernel.org
check "named inbox.config" grep -qx 'Content-Disposition: inline; filename="inbox.config"' "pages/$n.head"

# ---- the reply block (#R) ----
cat >reply.py <<'EOF'
# reply.py MSGFILE LISTADDR [plain]: the git send-email line lore writes,
# built here with Python's own address parser; its addresses but the
# list's obfuscated as public-inbox's obfuscate mode writes them (the
# first dot of the domain as $(echo .)), or plain.
import email, email.utils, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
seen, to = {}, None
addrs = [a for h in ("From", "To", "Cc", "Reply-To") for _, a in email.utils.getaddresses(m.get_all(h, []))]
for a in addrs + [sys.argv[2]]:
    if a and a.lower() not in seen:
        seen[a.lower()] = a
        to = to or a.lower()
cc = sorted(v for k, v in seen.items() if k != to)
mid = m["Message-ID"].strip().strip("<>")
def obf(a):
    if len(sys.argv) > 3 or a.lower() == sys.argv[2].lower():
        return a
    return re.sub(r"@([^.]+)\.", r"@\1$(echo .)", a, count=1)
print(" \\\n    ".join(["git send-email", "--in-reply-to=" + mid, "--to=" + obf(to)] +
                       ["--cc=" + obf(c) for c in cc] + ["/path/to/YOUR_REPLY"]))
EOF
get /edge/parts-1@example.org/ >parts.html
want=$("$PYTHON" reply.py parts.eml edge@lists.example.org)
got=$("$PYTHON" -c 'import html, re, sys; t = open(sys.argv[1]).read(); print(html.unescape(re.search(r"\n  (git send-email.*?YOUR_REPLY)", t, re.S).group(1)))' parts.html)
check_eq "the git send-email line: From first (lowercased), everyone else once, sorted, addresses obfuscated" "$got" "$want"
check "with the list's address from listarc.conf, as it is" grep -q -- '--cc=edge@lists.example.org\|--to=edge@lists.example.org' <(echo "$got")
# Pasted into a shell, the line gives git send-email the addresses whole.
check_eq "pasted into a shell, the addresses are whole again" \
	"$(bash -c "printf '%s\n' ${got#git send-email}" 2>&1)" \
	"$("$PYTHON" reply.py parts.eml edge@lists.example.org plain | sed 's/^git send-email//; s/ *\\$//; s/^ *//' | grep -v '^$')"
check "no mailto: link (it would carry the addresses whole)" bash -c '! grep -q "mailto:" parts.html'
check_eq "no address of the message's headers appears whole on its page" \
	"$(grep -oiE '(sender|other|c)@example\.org' parts.html | sort -u)" ""
check "the seed cover letter's block has its many Cc" bash -c "grep -c -- '--cc=' pages/12 | grep -qx '[1-9][0-9]*'"
check "the reply page is well formed" pagecheck --strict parts.html

# ---- a Message-ID that matches nothing: the candidates ----
get "/linux-kernel/${ROOTID:0:20}/" >cut.html
check_eq "an ID cut short: 300, as lore" "$STATUS" 300
check "listing the ID it starts" grep -qF "<a href=\"/all/$ROOTID/\">&lt;$ROOTID&gt;</a>" cut.html
get "/linux-kernel/${ROOTID}x/" >junk.html
check "an ID with junk after it lists the ID" grep -qF "<a href=\"/all/$ROOTID/\">" junk.html
get "/linux-kernel/${ROOTID%.localdomain}.localdomian/" >typo.html
check "a typo in its last word lists the ID" grep -qF "<a href=\"/all/$ROOTID/\">" typo.html
get "/linux-kernel/nosuch-at-all@example.org/" >none.html
check_eq "an ID near nothing: 404" "$STATUS" 404
check "these pages are well formed" pagecheck --strict cut.html junk.html typo.html none.html
# The candidates by prefix are a range of the index of IDs by text: any
# ID however old, read without a scan of the IDs.
check "the prefix's candidates: a range of mids_mid, no scan" \
	bash -c "sqlite3 '$DATA/index.sqlite' \"EXPLAIN QUERY PLAN SELECT mid FROM (SELECT mid, msgs FROM mids WHERE mid >= '155' AND mid < '156' ORDER BY mid LIMIT 1000) WHERE msgs > 0 LIMIT 25\" | grep -q 'SEARCH mids USING INDEX mids_mid (mid>? AND mid<?)'"

# ---- over HTTP ----
start_server main
check "the server listens" [ -n "$PORT" ]
hd() { curl -s -o /dev/null -D - "$U$1" | tr -d '\r'; }
check_eq "/r/MSGID: 302 to the message's list, an absolute URL" \
	"$(hd "/r/$ROOTID" | sed -n '1s/^HTTP[^ ]* //p;s/^location: //ip' | tr '\n' ' ')" "302 Found $U/linux-kernel/$ROOTID/ "
check_eq "curl -L follows it to the message page" \
	"$(curl -s -L -o /dev/null -w '%{http_code} %{url_effective}' "$U/$ROOTID/")" "200 $U/linux-kernel/$ROOTID/"
check_eq "T without its slash: 301 to T/#u" "$(hd "/linux-kernel/$ROOTID/T" | grep -i '^location:' | cut -d' ' -f2)" \
	"/linux-kernel/$ROOTID/T/#u"
check_eq "a part: 200 with its Content-Type" \
	"$(hd /edge/parts-1@example.org/3-foo.patch | grep -i '^content-type:' | cut -d' ' -f2-)" "text/plain; charset=utf-8"
# In chromium: each link lands on its page, and the browser scrolls to
# the element its fragment names (screenshots in test-output/lore-*.png).
cat >browser.txt <<EOF
/linux-kernel/$ROOTID/T/#u u lore-flat-u
/r/$ROOTID/t/#$(anchor "$P1") $(anchor "$P1") lore-nested-m
/linux-kernel/$ROOTID/R/ R lore-reply
/linux-kernel/$LAST/T u -
/lkml/$BIG/T/#$(anchor "$B80") $(anchor "$B80") lore-other-page
EOF
if command -v node >/dev/null 2>&1 && [ -x /usr/bin/chromium ] &&
	[ -f "$ROOT/build/node/node_modules/playwright-core/package.json" ]; then
	mkdir -p "$ROOT/test-output"
	guard node "$ROOT/tests/browser/lore.js" "$U" "$ROOT/test-output" <browser.txt 2>browser.err
	[ -s browser.err ] && sed 's/^/# browser: /' browser.err | head -5
else
	skip 20 "chromium and playwright-core (scripts/setup-debian installs them)"
fi
stop_server main
