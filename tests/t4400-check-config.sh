#!/usr/bin/env bash
# t4400-check-config: `listarc check-config` finds what would go wrong
# (a malformed file: 78; a missing or unreadable source, a site bar naming
# no list: 1) and notes what is only odd (lists of the index the file does
# not name, lists not indexed yet); robots.txt keeps crawlers off searches,
# raw messages, mbox downloads and the API, under the base path too.
. "$(dirname "$0")/lib.sh"
plan 12
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox
la index --data "$DATA" seeds "$SEEDS" 2>/dev/null

la check-config --data "$DATA" >out 2>&1
check_eq "no listarc.conf: exit 0" "$?" 0
check "... saying there is none" grep -q "listarc.conf: none" out

printf '[site]\nbar = seeds / nolist\n[list seeds]\nsources = %s;%s\n[list other]\n' \
	"$SEEDS" "$T/missing.mbox" >"$DATA/listarc.conf"
la check-config --data "$DATA" >out 2>&1
check_eq "a missing source and a bar naming no list: exit 1" "$?" 1
check "... the missing source named" grep -q "^error: list seeds: $T/missing.mbox: No such file" out
check "... the bar's unknown list named" grep -q "^error: the site bar names nolist, which is no list" out
check "... a list not indexed yet noted" grep -q "^note: list other is not in the index yet" out
check "... and the summary" grep -q "2 lists, 2 sources: 2 problems, 1 note$" out

printf '[list seeds]\ndescription = Seeds\n' >"$DATA/listarc.conf"
la list --data "$DATA" add extra >/dev/null
la check-config --data "$DATA" >out 2>&1
check_eq "a good file: exit 0" "$?" 0
check "... a list of the index the file does not name noted" \
	grep -q "^note: list extra is in the index but not in listarc.conf" out

printf '[list seeds\n' >"$DATA/listarc.conf"
la check-config --data "$DATA" >out 2>&1
check_eq "a malformed file: exit 78" "$?" 78
rm "$DATA/listarc.conf"

get /robots.txt >robots
check_eq "robots.txt: searches, raw, mboxes, git and the API disallowed" \
	"$(grep '^Disallow' robots | tr '\n' ' ')" \
	'Disallow: /*?q= Disallow: /*&q= Disallow: /*/raw Disallow: /*/t.mbox.gz Disallow: /*/mbox.gz Disallow: /*/git/ Disallow: /api/ '
get --base-url https://example.org/lists/ /robots.txt >robots
check "robots.txt under a base path: its patterns start with it" \
	grep -qx 'Disallow: /lists/\*?q=' robots
