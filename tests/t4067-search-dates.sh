#!/usr/bin/env bash
# t4067-search-dates: a date range that is a small and old part of the
# archive (d:2010 of 2005-2021) is searched within the ids it spans
# (store/search.c, date_bounds), alone and with words, newest first and by
# relevance, in every list and in one: the matches must be those of the
# same range written so that the planner sees no range it can rely on
# ("(d:2010 OR d:2010)": an OR requires none), message for message, and
# their count the same.  A message hidden inside the range stays unfound,
# ranges that contradict each other find nothing, and the ids' bounds
# follow the messages appended later (dates going back to 2010).
. "$(dirname "$0")/lib.sh"
plan 9
if ! have_shared; then
	skip 9 "$SKIP_SHARED"
	exit 0
fi

# 3,000 messages, 2005-2021 (about 10% of them in 2010), in two lists.
"$PYTHON" "$SHARED/corpora/gen-corpus.py" 3000 corpus.mbox 7 >/dev/null 2>&1
n=$(grep -c '^From ' corpus.mbox)
cut=$(grep -b '^From ' corpus.mbox | sed -n "$((n * 2 / 3 + 1))p" | cut -d: -f1)
head -c "$cut" corpus.mbox >a.mbox
tail -c +"$((cut + 1))" corpus.mbox >b.mbox
"$RELEASE" index -q --data arc a a.mbox 2>err.txt &&
	"$RELEASE" index -q --data arc b b.mbox 2>>err.txt
check_eq "two lists of the corpus indexed: exit 0" $? 0

# The ids of d:2010 are a small part of the archive, before most of it.
read -r in all after < <(sqlite3 -separator ' ' arc/index.sqlite \
	"SELECT sum(coalesce(date, ts) >= 1262304000 AND coalesce(date, ts) < 1293840000), count(*),
	        sum(coalesce(date, ts) >= 1293840000) FROM messages")
check "d:2010 is a small, old part of the archive ($in of $all, $after after it)" \
	eval '[ "$in" -gt 50 ] && [ $((in * 4)) -le "$all" ] && [ $((in * 2)) -le "$after" ]'

# Each query with its date ranges as the planner uses them, and again
# inside an OR that keeps the planner from them.
queries=(
	'd:2010|(d:2010 OR d:2010)'
	'd:2010 patch|(d:2010 OR d:2010) patch'
	'd:2010 the|(d:2010 OR d:2010) the'
	'd:2010 s:patch|s:patch (d:2010 OR d:2010)'
	'd:2010 -patch|(d:2010 OR d:2010) -patch'
	'd:20100101..20100201|(d:20100101..20100201 OR d:20100101..20100201)'
	'd:20100101..20100201 the|(d:20100101..20100201 OR d:20100101..20100201) the'
	'd:2006..2007 wrote|(d:2006..2007 OR d:2006..2007) wrote'
	'd:..2006 s:patch|(d:..2006 OR d:..2006) s:patch'
	'd:2010 dt:20100301000000..20100401000000|(d:2010 OR d:2010) (dt:20100301000000..20100401000000 OR dt:20100301000000..20100401000000)'
)
compare() { # compare LABEL ARGS...: every query both ways with ARGS
	local label=$1 q a b bad=0 cnt=0
	shift
	for q in "${queries[@]}"; do
		a=${q%%|*} b=${q#*|}
		la search --data arc "$@" --limit 10000 "$a" >x.txt 2>&1
		la search --data arc "$@" --limit 10000 "$b" >y.txt 2>&1
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

# A message of 2010 hidden: neither way finds it.
id=$(sqlite3 arc/index.sqlite "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid
	JOIN lists l ON l.id = m.list_id WHERE l.name = 'a'
	AND coalesce(m.date, m.ts) >= 1262304000 AND coalesce(m.date, m.ts) < 1293840000
	ORDER BY m.id DESC LIMIT 1")
la hide --data arc --reason test a "$id" >/dev/null 2>&1
c1=$(la search --data arc --count 'd:2010')
c2=$(la search --data arc --count '(d:2010 OR d:2010)')
check "a hidden message of 2010 is found neither way ($c1, $c2; $in before)" \
	eval '[ "$c1" = "$c2" ] && [ "$c1" = "$((in - 1))" ]'

# The ends of the calendar (UBSan: the day keys of the guess).  --count
# exits 1 when it counts none.
ext=0
for q in 'd:0001..0002 patch' 'd:9999 patch' 'dt:..99991231235959 the' 'd:0001..2010'; do
	c=$(la search --data arc --count "$q" 2>&1)
	[ $? -le 1 ] || ext=1
	case $c in '' | *[!0-9]*) ext=1 ;; esac
done
check_eq "ranges at the ends of the calendar are searched (a count, no error)" "$ext" 0

# Ranges that contradict each other find nothing.
check_eq "d:2010 d:2012 finds nothing" "$(la search --data arc --count 'd:2010 d:2012 patch')" 0

# Messages of 2010 appended to the newest list: the bounds take them.
{
	for k in 1 2 3; do
		printf 'From x@example.org Tue Jun  1 00:00:0%d 2010\n' "$k"
		printf 'From: x@example.org\nSubject: late %d\nMessage-ID: <late%d@t4067>\n' "$k" "$k"
		printf 'Date: Tue, 1 Jun 2010 00:00:0%d +0000\n\nwaterfalls late\n\n' "$k"
	done
} >>b.mbox
"$RELEASE" index -q --data arc b b.mbox 2>>err.txt
got=$(la search --data arc --limit 3 'd:2010' 2>/dev/null | grep -c 'late')
check_eq "messages of 2010 appended last are the newest of d:2010" "$got" 3
