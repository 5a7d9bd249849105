#!/usr/bin/env bash
# t8051-new-html: lore's /LIST/new.html, the latest messages as a page:
# exactly the 25 newest messages of the list by day and number (from the
# index, not from the page code), newest first, each linked by its date
# URL with its date, subject and sender; the same messages, in the same
# order, as new.atom; /all/new.html the same as /all/new.atom, each
# message once, with its list's name.  A list with fewer messages shows
# them all.
. "$(dirname "$0")/lib.sh"
plan 9
la index -q --data arc linux-kernel "$ROOT/samples/seeds.mbox"
la index -q --data arc lkml "$ROOT/samples/lkml.mbox"
head -c "$(grep -b -m 3 '^From ' "$ROOT/samples/seeds.mbox" | tail -1 | cut -d: -f1)" "$ROOT/samples/seeds.mbox" >two.mbox
la index -q --data arc small two.mbox
g() { la get --data arc "$1" 2>/dev/null; }
html_links() { grep -o '^<li><span class="date">[0-9/]*</span> <a href="[^"]*"' | sed 's/.*href="//; s/"$//'; }
atom_links() { grep -o '<link rel="alternate" type="text/html" href="/[^"]*/[0-9]\{4\}/[^"]*"' | sed 's/.*href="//; s/"$//'; }
want() {
	sqlite3 arc/index.sqlite "SELECT printf('/%s/%04d/%02d/%02d/%d', l.name, m.day / 10000, m.day / 100 % 100, m.day % 100, m.num)
	  FROM messages m JOIN lists l ON l.id = m.list_id WHERE l.name = '$1' ORDER BY m.day DESC, m.num DESC LIMIT 25"
}
g /linux-kernel/new.html >new.html
check_eq '/LIST/new.html: the 25 newest messages by day and number, newest first' \
	"$(html_links <new.html)" "$(want linux-kernel)"
check_eq '...the same, in the same order, as new.atom' \
	"$(html_links <new.html)" "$(g /linux-kernel/new.atom | atom_links)"
first=$(want linux-kernel | head -1)
day=$(echo "$first" | cut -d/ -f3-5)
subj=$(sqlite3 arc/index.sqlite "SELECT m.subject FROM messages m JOIN lists l ON l.id = m.list_id WHERE l.name = 'linux-kernel' ORDER BY m.day DESC, m.num DESC LIMIT 1" |
	sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
check '...each with its date and subject' grep -qF "<li><span class=\"date\">$day</span> <a href=\"$first\">$subj</a>" new.html
check '...and links its Atom feed' grep -q '<a href="/linux-kernel/new.atom">' new.html
check_eq 'a list of 2 messages: both' "$(g /small/new.html | html_links)" "$(want small)"
g /all/new.html >all.html
check_eq '/all/new.html: the same as /all/new.atom' \
	"$(html_links <all.html)" "$(g /all/new.atom | atom_links)"
check_eq '...25 messages, each once' "$(html_links <all.html | sort -u | wc -l)" 25
check_eq '...each named with its list' "$(grep -c '^<li><span class="date">[0-9/]*</span> <a href="/\([a-z-]*\)/[0-9/]*">\1: ' all.html)" 25
g /nosuch/new.html >/dev/null
check_eq 'an unknown list: 404' "$?" 1
