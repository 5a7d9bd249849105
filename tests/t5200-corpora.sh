#!/usr/bin/env bash
# t5200-corpora: every message of the real corpora (samples/: lkml.mbox,
# seeds.mbox; and with ../shared, shared/corpora: edge/ one message per
# file, notmuch.mbox, peers/*.mbox) indexes and renders under
# ASan+UBSan+LSan: every message page, every attachment linked from it,
# every day, month, year and list page and the site index answer 200 with
# a well-formed page, and no page links to anything that is not there.
# The pages come from `listarc get --batch`, one process for many paths:
# a sanitizer report stops it, and it exits non-zero on a leak.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
C=$SHARED/corpora

mkdir -p src
cp "$ROOT/samples/lkml.mbox" src/lkml.mbox
cp "$ROOT/samples/seeds.mbox" src/seeds.mbox
if have_shared; then
	for f in "$C"/edge/*; do wrap_mbox "$f"; done >src/edge.mbox
	cp "$C/notmuch.mbox" src/notmuch.mbox
	for f in "$C"/peers/peer-*.mbox; do cp "$f" src/; done
fi
nsrc=$(ls src/*.mbox | wc -l)
# One check per source for indexing and one per list for its message
# pages, 18 more; one for edge/ with ../shared.
plan $((2 * nsrc + 17 + $(have_shared && echo 1 || echo 0)))
if have_shared; then
	check_eq "edge/ wraps to one mbox message per file" \
		"$(grep -c '^From ' src/edge.mbox)" "$(find "$C/edge" -type f | wc -l)"
fi

# crawl NAME FILE: every path of FILE (one a line) through one `listarc
# get --batch` into NAME/ (NAME/N, NAME/N.head); "PATH STATUS EXIT" into
# fetched.txt; what failed (not 200, a non-zero exit, a process that
# stopped early: a sanitizer report, or ended non-zero: a leak) into
# fail.txt.
: >fetched.txt
: >fail.txt
crawl() {
	getall "$1" --headers <"$2"
	local rc=$? got
	awk '{ print $4, $2, $3 }' "$1.txt" >>fetched.txt
	awk '$2 != 200 || $3 != 0 { print $4 ": status " $2 ", exit " $3 }' "$1.txt" >>fail.txt
	got=$(wc -l <"$1.txt")
	if [ "$rc" -ne 0 ] || [ "$got" -ne "$(wc -l <"$2")" ]; then
		{
			echo "$1: listarc get --batch exited $rc after $got of $(wc -l <"$2") paths"
			grep -E 'ERROR|runtime error|SUMMARY|^    #[0-9] ' "$1.err" | head -12
		} >>fail.txt
	fi
}

for mb in src/*.mbox; do
	list=$(basename "$mb" .mbox)
	n=$(grep -c '^From ' "$mb")
	la index --data "$DATA" "$list" "$mb" 2>err.txt
	rc=$?
	if [ $rc -eq 0 ] && grep -q "^$list: $n messages indexed" err.txt; then
		ok "$list: all $n messages indexed"
	else
		not_ok "$list: all $n messages indexed (exit $rc)"
		sed 's/^/#   /' err.txt | head -20
	fi
done

# Every message page.
sqlite3 "$DATA/index.sqlite" "SELECT '/' || l.name || printf('/%04d/%02d/%02d/', m.day / 10000,
	m.day / 100 % 100, m.day % 100) || m.num FROM messages m JOIN lists l ON l.id = m.list_id
	ORDER BY l.name, m.day, m.num" >msgs.txt
check_eq "the index holds every message of every source" "$(wc -l <msgs.txt)" \
	"$(cat src/*.mbox | grep -c '^From ')"
crawl m msgs.txt
for list in $(cut -d/ -f2 msgs.txt | sort -u); do
	total=$(grep -c "^/$list/" msgs.txt)
	good=$(grep "^/$list/" fetched.txt | grep -c ' 200 0$')
	check_eq "$list: every message page is 200 (exit 0, no sanitizer report)" "$good" "$total"
done
pagecheck --strict --links links.txt --lore-links lorelinks.txt m/*[0-9] >bad.txt
check "every message page is well-formed HTML5 with only our templates' markup" [ ! -s bad.txt ]
head -20 bad.txt | sed 's/^/#   /'

# Every message's raw bytes: as many as the mbox holds for it.
sed 's#$#/raw#' msgs.txt >raws.txt
crawl r raws.txt
check_eq "every raw message answers 200 (exit 0, no sanitizer report)" \
	"$(grep -c ' 200 0 ' r.txt)" "$(wc -l <msgs.txt)"
# One '>' less on each mboxrd-quoted line.
check_eq "the raw messages are the indexed bytes, less one '>' per quoted From line" \
	"$(cat r/*[0-9] | wc -c)" \
	"$(($(sqlite3 "$DATA/index.sqlite" 'SELECT sum(len) FROM messages') - $(cat src/*.mbox | grep -c '^>\+From ')))"

# Every attachment linked from a message page.
# (Linked as lore links them, /LIST/MSGID/N-NAME, or by their date URLs
# /LIST/Y/M/D/N/K where a part has no lore number.)
grep -E '	/[^/]+/([0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]+/[0-9]+|[^/]+/[0-9]+(\.[0-9]+)*-[A-Za-z0-9_.-]+)$' links.txt lorelinks.txt | cut -d: -f2- >att.txt
# (samples/ alone link two.)
least=1
have_shared && least=200
check "the corpora have attachments to fetch (more than $least links)" [ "$(wc -l <att.txt)" -gt $least ]
cut -f2 att.txt >attpaths.txt
crawl a attpaths.txt
# And the text attachments' pages, linked below a message's block (no
# dead links, no failed request: the checks at the end).
grep -E '	/[^/]+/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]+/[0-9]+/$' links.txt | cut -f2 | sort -u >attpages.txt
crawl ap attpages.txt
# The link says "(N bytes)"; a non-text attachment is served as exactly
# those bytes, as a download; a text one as UTF-8 text/plain.
cat >attcheck.py <<'EOF2'
import re
served = {int(l.split()[0]) for l in open("a.txt") if l.split()[1:3] == ["200", "0"]}
for i, line in enumerate(open("att.txt"), 1):
    page, u = line.rstrip("\n").split("\t")
    if i not in served:
        continue
    head = open("a/%d.head" % i).read()
    body = open("a/%d" % i, "rb").read()
    m = re.search(r'<a href="%s">([^<]*)</a> of type "[^"]*" \(([0-9]*) bytes\)' % re.escape(u),
                  open(page, encoding="utf-8").read())
    if not m:
        print("%s: no link text 'View/Download attachment ... (N bytes)' on %s" % (u, page))
    elif m.group(1).startswith("Download attachment"):
        if len(body) != int(m.group(2)) or not re.search(r'^Content-Disposition: attachment; filename="', head, re.M):
            print("%s: %d bytes served, the page says %s; %s" % (u, len(body), m.group(2), head.replace("\n", " ")))
    elif m.group(1).startswith("View attachment"):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            head = ""
        if not re.search(r"^Content-Type: text/plain; charset=utf-8$", head, re.M):
            print("%s: a text attachment not served as UTF-8 text/plain" % u)
    else:
        print("%s: no link text 'View/Download attachment ... (N bytes)' on %s" % (u, page))
EOF2
"$PYTHON" attcheck.py >attbad.txt
check_eq "every attachment link answers 200 (exit 0, no sanitizer report)" \
	"$(grep -c ' 200 0 ' a.txt)" "$(wc -l <att.txt)"
check "each attachment is what its link says: a download of N bytes, or UTF-8 text" [ ! -s attbad.txt ]
head -10 attbad.txt | sed 's/^/#   /'

# Every day, month, year and list page, and the site index.
sed 's#/[0-9]*$#/#' msgs.txt | sort -u >days.list
sed 's#/[0-9]*/$#/#' days.list | sort -u >months.list
sed 's#/[0-9]*/$#/#' months.list | sort -u >years.list
sed 's#/[0-9]*/$#/#' years.list | sort -u >lists.list
echo / >>lists.list
echo /_/search-help >>lists.list
for kind in days months years lists; do
	crawl "$kind" "$kind.list"
	good=$(grep -c ' 200 0 ' "$kind.txt")
	check_eq "every one of the $(wc -l <$kind.list) $kind pages is 200" "$good" "$(wc -l <$kind.list)"
	pagecheck --strict --links links-$kind.txt "$kind"/*[0-9] >bad.txt
	check "the $kind pages are well formed, with only our templates' markup" [ ! -s bad.txt ]
	head -10 bad.txt | sed 's/^/#   /'
done

# No dead links: every archive link on any page was fetched with 200.
cat links*.txt | cut -f2 | sort -u >alllinks.txt
grep ' 200 0$' fetched.txt | cut -d' ' -f1 | sort -u >fine.txt
comm -23 alllinks.txt fine.txt >dead.txt
check "no page links to a page that was not fetched with 200" [ ! -s dead.txt ]
head -10 dead.txt | sed 's/^/#   dead: /'

check "no request failed (every path answered 200, exit 0, by processes that exited 0)" [ ! -s fail.txt ]
head -40 fail.txt | sed 's/^/#   /'
