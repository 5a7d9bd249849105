#!/usr/bin/env bash
# t7049-search-weeks: a date range (d:, dt:) that the whole query
# requires bounds the search by the smallest and largest id of the weeks
# it meets (messages_week: two lookups a week, store/search.c,
# week_bounds), wide ranges too (d:2005..2014 of 2005-2021), alone, with
# words, prefixes, NOTs and ORs, newest first and by relevance, in every
# list and in one: the matches must be those of the same range written so
# that the planner sees no range it can rely on ("(R OR R)": an OR
# requires none), message for message, their count the same, and a page
# past the matches as empty.  `listarc search --explain` names the
# bounds for the queries that take them and not for the others; ranges
# outside the archive, contradicting or empty find nothing; a hidden
# message stays unfound; a message of an old date appended last is the
# newest of its range; and an index without messages_week (an older
# listarc's) answers the same through the ranges' messages.
. "$(dirname "$0")/lib.sh"
plan 17
if ! have_shared; then
	skip 17 "$SKIP_SHARED"
	exit 0
fi

# 3,000 messages, 2005-2021, in two lists (the second the newer third),
# after a list of one message indexed first whose Date: is in 2017 (a
# range that meets 2017 is bounded from the first id).
"$PYTHON" "$SHARED/corpora/gen-corpus.py" 3000 corpus.mbox 11 >/dev/null 2>&1
n=$(grep -c '^From ' corpus.mbox)
cut=$(grep -b '^From ' corpus.mbox | sed -n "$((n * 2 / 3 + 1))p" | cut -d: -f1)
head -c "$cut" corpus.mbox >a.mbox
tail -c +"$((cut + 1))" corpus.mbox >b.mbox
printf 'From x@example.org Mon Jan  3 00:00:00 2005
From: x@example.org
Subject: early patch
Message-ID: <early@t7049>
Date: Wed, 1 Mar 2017 00:00:00 +0000

the patch

' >e.mbox
"$RELEASE" index -q --data arc e e.mbox 2>err.txt &&
	"$RELEASE" index -q --data arc a a.mbox 2>>err.txt &&
	"$RELEASE" index -q --data arc b b.mbox 2>>err.txt
check_eq "three lists indexed: exit 0" $? 0
check_eq "...with messages_week" \
	"$(sqlite3 arc/index.sqlite "SELECT count(*) FROM sqlite_schema WHERE name = 'messages_week'")" 1

# Each query with its date ranges as the planner uses them, and again
# inside an OR that keeps the planner from them.
queries=(
	'd:2005..2014|(d:2005..2014 OR d:2005..2014)'
	'd:2005..2014 patch|(d:2005..2014 OR d:2005..2014) patch'
	'd:2008..2016 the|(d:2008..2016 OR d:2008..2016) the'
	'd:2006..2018 inter*|(d:2006..2018 OR d:2006..2018) inter*'
	'd:2005..2015 s:patch -s:rfc|s:patch -s:rfc (d:2005..2015 OR d:2005..2015)'
	'd:2012..2018 NOT patch|(d:2012..2018 OR d:2012..2018) NOT patch'
	'd:2010..2019 (s:patch OR z:..3000)|(d:2010..2019 OR d:2010..2019) (s:patch OR z:..3000)'
	'd:2015-06|(d:2015-06 OR d:2015-06)'
	'd:2015-06 wrote|(d:2015-06 OR d:2015-06) wrote'
	'd:..2009 s:patch|(d:..2009 OR d:..2009) s:patch'
	'd:2017..|(d:2017.. OR d:2017..)'
	'd:2009 dt:20090301000000..20090401000000 the|(d:2009 OR d:2009) (dt:20090301000000..20090401000000 OR dt:20090301000000..20090401000000) the'
	'd:2010 waterfallsxyzzy|(d:2010 OR d:2010) waterfallsxyzzy'
	'd:1990..1995|(d:1990..1995 OR d:1990..1995)'
	'd:2030 patch|(d:2030 OR d:2030) patch'
	'd:2014..2012|(d:2014..2012 OR d:2014..2012)'
)
compare() { # compare LABEL ARGS...: every query both ways with ARGS
	local label=$1 q a b bad=0 cnt=0
	shift
	for q in "${queries[@]}"; do
		a=${q%%|*} b=${q#*|}
		la search --data arc "$@" --limit 10000 "$a" >x.txt 2>&1
		la search --data arc "$@" --limit 10000 "$b" >y.txt 2>&1
		la search --data arc "$@" --count "$a" >>x.txt 2>&1
		la search --data arc "$@" --count "$b" >>y.txt 2>&1
		if ! cmp -s x.txt y.txt; then
			bad=$((bad + 1))
			echo "# $label: '$a' and '$b' differ"
			diff x.txt y.txt | head -5 | sed 's/^/# /'
		fi
		cnt=$((cnt + $(grep -c . x.txt)))
	done
	check "$label: every query finds what the same query without a usable range finds ($cnt lines)" \
		eval '[ $bad -eq 0 ] && [ $cnt -gt 1000 ]'
}
compare "newest first"
compare "by relevance" --order=relevance
compare "one list" --list a

# The bounds named by --explain: for a range the query requires, not for
# one inside an OR, nor for one that meets every week of the archive.
bounds() { la search --data arc --explain "$@" | grep '^date range bounds:'; }
b=$(bounds 'd:2005..2014 patch')
check "--explain names the weeks' bounds of a required range ($b)" \
	eval '[[ $b == "date range bounds: ids "*", from its weeks'\'' (messages_week)" ]]'
check_eq "...not for a range inside an OR, nor for none" \
	"$(bounds '(d:2005..2014 OR d:2005..2014) patch'; bounds 'patch'; bounds 'd:2010 OR s:patch')" ""
check_eq "...nor for one that meets every week" "$(bounds 'd:1990..2030')" ""
check_eq "...ranges outside the archive, and an empty one, bound to no id" \
	"$(bounds 'd:1990..1995'; bounds 'd:2030 patch'; bounds 'd:2014..2012')" \
	"date range bounds: no ids, from its weeks' (messages_week)
date range bounds: no ids, from its weeks' (messages_week)
date range bounds: no ids, from an empty range's"

# The bounds hold every message of the range and stop at its last week.
read -r lo hi < <(bounds 'd:2005..2014' | sed 's/.*ids \([0-9]*\)\.\.\([0-9]*\),.*/\1 \2/')
read -r mn mx wk < <(sqlite3 -separator ' ' arc/index.sqlite \
	"SELECT min(id), max(id), (SELECT max(id) FROM messages WHERE coalesce(date, ts) / 604800
	   <= (1420070400 - 1) / 604800) FROM messages
	 WHERE coalesce(date, ts) >= 1104537600 AND coalesce(date, ts) < 1420070400")
check "...ids $lo..$hi hold the range's $mn..$mx, and no message after its last week ($wk)" \
	eval '[ "$lo" -le "$mn" ] && [ "$hi" -ge "$mx" ] && [ "$hi" -le "$wk" ] && [ "$hi" -lt "$(sqlite3 arc/index.sqlite "SELECT max(id) FROM messages")" ]'

# A page past the matches is as empty both ways (the search page).
page() { # page Q N: the message links of page N of Q's results
	"$LISTARC" get --data arc "/a/?q=$1&page=$2" 2>/dev/null | grep -o 'href="/a/[0-9][^"?#]*"' | sort -u | tr '\n' ' '
}
p1=$(page 'd:2015-06' 1) p1b=$(page '(d:2015-06%20OR%20d:2015-06)' 1)
p9=$(page 'd:2015-06' 40) p9b=$(page '(d:2015-06%20OR%20d:2015-06)' 40)
check "a page of the results is the same both ways, and a page past the matches empty both ways" \
	eval '[ -n "$p1" ] && [ "$p1" = "$p1b" ] && [ -z "$p9" ] && [ -z "$p9b" ]'

# A message of 2010 hidden: neither way finds it.
id=$(sqlite3 arc/index.sqlite "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid
	JOIN lists l ON l.id = m.list_id WHERE l.name = 'a'
	AND coalesce(m.date, m.ts) >= 1262304000 AND coalesce(m.date, m.ts) < 1293840000
	ORDER BY m.id DESC LIMIT 1")
in=$(la search --data arc --count 'd:2005..2014')
la hide --data arc --reason test a "$id" >/dev/null 2>&1
c1=$(la search --data arc --count 'd:2005..2014')
c2=$(la search --data arc --count '(d:2005..2014 OR d:2005..2014)')
check "a hidden message of 2010 is found neither way ($c1, $c2; $in before)" \
	eval '[ "$c1" = "$c2" ] && [ "$c1" = "$((in - 1))" ] && ! la search --data arc --limit 10000 d:2005..2014 2>/dev/null | grep -qF "$id"'

# Messages of 2008 appended last to the newest list: the bounds take
# them, they are the newest of d:2005..2014.
{
	for k in 1 2 3; do
		printf 'From x@example.org Tue Jun  3 00:00:0%d 2008\n' "$k"
		printf 'From: x@example.org\nSubject: late %d\nMessage-ID: <late%d@t7049>\n' "$k" "$k"
		printf 'Date: Tue, 3 Jun 2008 00:00:0%d +0000\n\nwaterfalls late\n\n' "$k"
	done
} >>b.mbox
"$RELEASE" index -q --data arc b b.mbox 2>>err.txt
got=$(la search --data arc --limit 3 'd:2005..2014' 2>/dev/null | grep -c 'late')
check_eq "messages of 2008 appended last are the newest of d:2005..2014" "$got" 3
got=$(la search --data arc --limit 3 'd:2005..2014 waterfalls' 2>/dev/null | grep -c 'late')
check_eq "...and of d:2005..2014 waterfalls" "$got" 3
compare "with them"

# An index without messages_week (an older listarc's): the same answers,
# d:2010 bounded through its messages (messages_when) as before.
cp -a arc old
sqlite3 old/index.sqlite "DROP INDEX messages_week"
check_eq "without messages_week: d:2010 is bounded through its messages" \
	"$(la search --data old --explain 'd:2010' | grep -c "from its messages' (messages_when)")" 1
bad=0
for q in "${queries[@]}"; do
	a=${q%%|*}
	for o in newest relevance; do
		x=$(la search --data arc --order=$o --limit 10000 "$a" 2>&1)
		y=$(la search --data old --order=$o --limit 10000 "$a" 2>&1)
		[ "$x" = "$y" ] || {
			bad=$((bad + 1))
			echo "# $a ($o) differs without messages_week"
		}
	done
done
check_eq "...and every query finds the same as with it" "$bad" 0
