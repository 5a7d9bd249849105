#!/usr/bin/env bash
# t5200-corpora: every message of the real corpora (shared/corpora: edge/
# one message per file, lkml.mbox, notmuch.mbox, peers/*.mbox) indexes
# and renders under ASan+UBSan+LSan: every message page, every attachment
# linked from it, every day, month, year and list page and the site index
# answer 200 with a well-formed page, and no page links to anything that
# is not there.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
C=$SHARED/corpora

mkdir -p src pages
for f in "$C"/edge/*; do wrap_mbox "$f"; done >src/edge.mbox
cp "$C/lkml.mbox" src/lkml.mbox
cp "$C/notmuch.mbox" src/notmuch.mbox
for f in "$C"/peers/*.mbox; do cp "$f" src/; done
check_eq "edge/ wraps to one mbox message per file" \
	"$(grep -c '^From ' src/edge.mbox)" "$(find "$C/edge" -type f | wc -l)"

# fetch URL FILE: the page into FILE; "URL STATUS EXIT" into fetched.txt;
# sanitizer reports (which make the exit non-zero) into fail.txt.
: >fetched.txt
: >fail.txt
fetch() {
	"$LISTARC" get --data "$DATA" --headers "$1" >"$2" 2>"$T/err"
	local rc=$?
	local st
	st=$(head -1 "$T/err" | cut -d' ' -f1)
	echo "$1 $st $rc" >>fetched.txt
	if [ "$rc" -ne 0 ] || [ "$st" != 200 ]; then
		{
			echo "$1: status $st, exit $rc"
			grep -E 'ERROR|runtime error|SUMMARY|^    #[0-9] ' "$T/err" | head -12
		} >>fail.txt
	fi
	cp "$T/err" "$2.err"
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
i=0
while read -r u; do
	i=$((i + 1))
	fetch "$u" "pages/m$i.html"
done <msgs.txt
for list in $(cut -d/ -f2 msgs.txt | sort -u); do
	total=$(grep -c "^/$list/" msgs.txt)
	good=$(grep "^/$list/" fetched.txt | grep -c ' 200 0$')
	check_eq "$list: every message page is 200 (exit 0, no sanitizer report)" "$good" "$total"
done
pagecheck --strict --links links.txt pages/m*.html >bad.txt
check "every message page is well-formed HTML5 with only our templates' markup" [ ! -s bad.txt ]
head -20 bad.txt | sed 's/^/#   /'

# Every message's raw bytes: as many as the mbox holds for it.
before=$(wc -l <fetched.txt)
i=0
while read -r u; do
	i=$((i + 1))
	fetch "$u/raw" "pages/r$i.txt"
done <msgs.txt
check_eq "every raw message answers 200 (exit 0, no sanitizer report)" \
	"$(tail -n +$((before + 1)) fetched.txt | grep -c ' 200 0$')" "$(wc -l <msgs.txt)"
# One '>' less on each mboxrd-quoted line.
check_eq "the raw messages are the indexed bytes, less one '>' per quoted From line" \
	"$(cat pages/r*.txt | wc -c)" \
	"$(($(sqlite3 "$DATA/index.sqlite" 'SELECT sum(len) FROM messages') - $(cat src/*.mbox | grep -c '^>\+From ')))"

# Every attachment linked from a message page.
grep -E '	/[^/]+/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]+/[0-9]+$' links.txt >att.txt
check "the corpora have attachments to fetch (more than 200 links)" [ "$(wc -l <att.txt)" -gt 200 ]
: >attbad.txt
before=$(wc -l <fetched.txt)
i=0
while IFS='	' read -r page u; do
	i=$((i + 1))
	fetch "$u" "pages/a$i.bin"
	grep -q "^$u 200 0$" fetched.txt || continue
	# The link says "(N bytes)"; a non-text attachment is served as
	# exactly those bytes, as a download.
	k=${u##*/}
	line=$(grep -o "<a href=\"$u\">[^<]*</a> of type \"[^\"]*\" ([0-9]* bytes)" "$page" | head -1)
	size=$(echo "$line" | sed 's/.*(\([0-9]*\) bytes)$/\1/')
	case $line in
	*'">Download attachment'*)
		got=$(wc -c <"pages/a$i.bin")
		if [ "$got" != "$size" ] || ! grep -q '^Content-Disposition: attachment; filename="' "pages/a$i.bin.err"; then
			echo "$u: $got bytes served, the page says $size; $(grep Content- "pages/a$i.bin.err" | tr '\n' ' ')" >>attbad.txt
		fi
		;;
	*'">View attachment'*)
		if ! grep -q '^Content-Type: text/plain; charset=utf-8$' "pages/a$i.bin.err" ||
			! iconv -f UTF-8 -t UTF-8 "pages/a$i.bin" >/dev/null 2>&1; then
			echo "$u: a text attachment not served as UTF-8 text/plain" >>attbad.txt
		fi
		;;
	*) echo "$u: no link text 'View/Download attachment ... (N bytes)' on $page (K=$k)" >>attbad.txt ;;
	esac
done <att.txt
check_eq "every attachment link answers 200 (exit 0, no sanitizer report)" \
	"$(tail -n +$((before + 1)) fetched.txt | grep -c ' 200 0$')" "$(wc -l <att.txt)"
check "each attachment is what its link says: a download of N bytes, or UTF-8 text" [ ! -s attbad.txt ]
head -10 attbad.txt | sed 's/^/#   /'

# Every day, month, year and list page, and the site index.
sed 's#/[0-9]*$#/#' msgs.txt | sort -u >days.txt
sed 's#/[0-9]*/$#/#' days.txt | sort -u >months.txt
sed 's#/[0-9]*/$#/#' months.txt | sort -u >years.txt
sed 's#/[0-9]*/$#/#' years.txt | sort -u >lists.txt
echo / >>lists.txt
echo /_/search-help >>lists.txt
for kind in days months years lists; do
	before=$(wc -l <fetched.txt)
	i=0
	while read -r u; do
		i=$((i + 1))
		fetch "$u" "pages/$kind$i.html"
	done <$kind.txt
	good=$(tail -n +$((before + 1)) fetched.txt | grep -c ' 200 0$')
	check_eq "every one of the $(wc -l <$kind.txt) $kind pages is 200" "$good" "$(wc -l <$kind.txt)"
	pagecheck --strict --links links-$kind.txt pages/$kind*.html >bad.txt
	check "the $kind pages are well formed, with only our templates' markup" [ ! -s bad.txt ]
	head -10 bad.txt | sed 's/^/#   /'
done

# No dead links: every archive link on any page was fetched with 200.
cat links*.txt | cut -f2 | sort -u >alllinks.txt
grep ' 200 0$' fetched.txt | cut -d' ' -f1 | sort -u >fine.txt
comm -23 alllinks.txt fine.txt >dead.txt
check "no page links to a page that was not fetched with 200" [ ! -s dead.txt ]
head -10 dead.txt | sed 's/^/#   dead: /'

if [ -s fail.txt ]; then
	not_ok "no request failed"
	head -40 fail.txt | sed 's/^/#   /'
fi
