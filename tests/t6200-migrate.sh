#!/usr/bin/env bash
# t6200-migrate: old archivers' URLs answer 301 to the message's page.
# pipermail (/pipermail/LIST/YYYY-Month/NNNNNN.html) and MHonArc
# (/mhonarc/LIST/msgNNNNN.html) number a list's messages from 0 in
# archive order: the URL sets generated from samples/seeds.mbox's order
# (expected pages from its From_ lines, not from the index) all redirect
# right; with ../shared, the real pipermail archive's month files, given
# in a shell glob's (wrong) order, are indexed oldest month first, and
# each of its 140 pages' numbers redirects to the message whose
# Message-ID that page names.  HyperKitty's /hyperkitty/list/LIST@HOST/
# message/HASH/ (and /archives/..., thread/HASH/) redirect by the
# Message-ID's hash, tested on pairs taken from real Mailman 3 mail.
. "$(dirname "$0")/lib.sh"
plan 15
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox

la index --data "$DATA" seeds "$SEEDS" 2>/dev/null

# "N<TAB>URL" for every message of the mbox in order, the URL from the
# From_ lines (the N-th message of a day is N), and its Month.
"$PYTHON" - "$SEEDS" >expect.tsv <<'EOF'
import sys, time
seen = {}
n = 0
for line in open(sys.argv[1], "rb"):
    if not line.startswith(b"From "):
        continue
    f = line.decode().split()
    t = time.strptime(" ".join(f[-4:]), "%b %d %H:%M:%S %Y")
    day = "%04d/%02d/%02d" % (t.tm_year, t.tm_mon, t.tm_mday)
    seen[day] = seen.get(day, 0) + 1
    print("%d\t/seeds/%s/%d\t%s" % (n, day, seen[day], time.strftime("%Y-%B", t)))
    n += 1
EOF
check_eq "the sample has 36 messages" "$(wc -l <expect.tsv)" 36
awk -F'\t' '{printf "/pipermail/seeds/%s/%06d.html\n", $3, $1}' expect.tsv >pm.paths
awk -F'\t' '{printf "/mhonarc/seeds/msg%05d.html\n", $1}' expect.tsv >mh.paths
getall pm --headers <pm.paths
getall mh --headers <mh.paths
# where NAME: "N<TAB>Location" of each redirect of getall NAME.
where() {
	local i
	for ((i = 1; i <= $(wc -l <"$1.txt"); i++)); do
		printf '%d\t%s\n' $((i - 1)) "$(sed -n 's/^Location: //p' "$1/$i.head")"
	done
}
cut -f1,2 expect.tsv >want.tsv
check_eq "pipermail URLs: all 301" "$(awk '$2 != 301' pm.txt | wc -l)" 0
check "pipermail URLs: each to the message of that number" diff want.tsv <(where pm)
check_eq "MHonArc URLs: all 301" "$(awk '$2 != 301' mh.txt | wc -l)" 0
check "MHonArc URLs: each to the message of that number" diff want.tsv <(where mh)
get /pipermail/seeds/2020-May/000036.html >/dev/null
check_eq "a number past the last message: 404" "$STATUS" 404
get /pipermail/nosuch/2020-May/000001.html >/dev/null
check_eq "an unknown list: 404" "$STATUS" 404
get /pipermail/seeds/2020-Mai/000001.html >/dev/null
check_eq "a month that is none: 404" "$STATUS" 404

# HyperKitty: Message-IDs whose Message-ID-Hash real Mailman 3 mail
# carries, delivered to a list; each hash redirects to its message.
cat >pairs <<'EOF'
175815674591.268333.2624904445631478642.b4-ty@kernel.org QM74LZKADEYWWGUAL35Y6RZCJL5LZ3SS
20220506141009.18047-1-christian.koenig@amd.com MOGQN3TBLB5ZRRF5VEVBPCWDM3AJXIXR
20230310144733.1546413-1-robh@kernel.org 4GKMX7ISRT2B5265UD4CM4BJCTPSCBS7
EOF
i=0
while read -r id hash; do
	i=$((i + 1))
	printf 'From: A <a@example.org>\nSubject: m%d\nDate: Tue, 02 Jan 2024 10:0%d:00 +0000\nMessage-ID: <%s>\n\nbody %d\n' \
		"$i" "$i" "$id" "$i" | la deliver --create --data "$DATA" alsa-devel 2>/dev/null
done <pairs
ok_hk=0
while read -r id hash; do
	get --headers "/hyperkitty/list/alsa-devel@alsa-project.org/message/$hash/" >/dev/null
	loc=$(sed -n 's/^Location: //p' "$T/get.err")
	[ "$STATUS" = 301 ] && [ "$(get "/api/v1$loc" | grep -o '"message_id":"[^"]*"')" = "\"message_id\":\"$id\"" ] &&
		ok_hk=$((ok_hk + 1))
done <pairs
check_eq "HyperKitty message URLs of the known pairs: 301 to their message" "$ok_hk" 3
get --headers /archives/list/alsa-devel@lists.example.org/thread/MOGQN3TBLB5ZRRF5VEVBPCWDM3AJXIXR/ >/dev/null
check_eq "the /archives/ form of a thread URL: 301 to its thread" \
	"$STATUS $(sed -n 's/^Location: //p' "$T/get.err")" \
	"301 /alsa-devel/20220506141009.18047-1-christian.koenig@amd.com/T/"
get /hyperkitty/list/alsa-devel@alsa-project.org/message/MS6QLWERIJLGCRF44J7USBFDELMNT2BW/ >/dev/null
check_eq "a hash of no message of the list: 404" "$STATUS" 404
get /hyperkitty/list/seeds@x/message/QM74LZKADEYWWGUAL35Y6RZCJL5LZ3SS/ >/dev/null
check_eq "a hash of a message of another list: 404" "$STATUS" 404

# The real pipermail archive: the pages map numbers to Message-IDs.
if have_shared; then
	PM=$SHARED/corpora/pipermail/xepersian-development
	# The shell's order: 2009-August before 2009-July.
	la index --data "$DATA" xepersian-development "$PM"/*.txt 2>/dev/null
	check_eq "the pipermail month files, indexed in a glob's order: exit 0" "$?" 0
	# "PATH<TAB>Message-ID" of every page, from its mailto link.
	"$PYTHON" - "$PM" >pages.tsv <<'EOF'
import os, re, sys, urllib.parse
root = sys.argv[1]
for month in sorted(os.listdir(root)):
    d = os.path.join(root, month)
    if not os.path.isdir(d):
        continue
    for f in sorted(os.listdir(d)):
        if re.fullmatch(r"\d{6}\.html", f):
            page = open(os.path.join(d, f), encoding="latin-1").read()
            m = re.search(r'In-Reply-To=([^"&]*)', page)
            print("/pipermail/xepersian-development/%s/%s\t%s" % (month, f,
                  urllib.parse.unquote(m.group(1)).strip("<>")))
EOF
	cut -f1 pages.tsv | getall real --headers
	n=$(wc -l <pages.tsv)
	for ((i = 1; i <= n; i++)); do
		loc=$(sed -n 's/^Location: //p' "real/$i.head")
		printf '/api/v1%s\n' "$loc"
	done | getall realapi
	for ((i = 1; i <= n; i++)); do
		grep -o '"message_id":"[^"]*"' "realapi/$i" | head -1 | sed 's/"message_id":"\(.*\)"/\1/'
	done >got.ids
	check_eq "all 140 pipermail pages' numbers redirect to the message the page names" \
		"$n/$(cmp -s <(cut -f2 pages.tsv) got.ids && echo same)" "140/same"
else
	skip 2 "$SKIP_SHARED"
fi
check "no sanitizer report" test -z "$(cat ./*.err | grep -E 'Sanitizer|runtime error')"
