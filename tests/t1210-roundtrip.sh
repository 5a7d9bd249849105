#!/usr/bin/env bash
# t1210-roundtrip: what the archive gives back can be imported again.
# samples/seeds.mbox (as linux-kernel) and samples/lkml.mbox (as lkml) are
# indexed; every thread's t.mbox.gz (`listarc get /LIST/MSGID/t.mbox.gz`)
# and each list's search mbox (/LIST/?q=d:1990..&x=m, every message) are
# downloaded and indexed into a new archive, the thread mboxes of a list
# as one list, its search mbox as another.  Each must give the same
# messages (Message-IDs; each Message-ID once, as the downloads hold it),
# on the same days (the downloads' From_ lines are lore's 1970
# placeholders: the day comes from Received:, as the original's From_ line
# did), in the same threads (the grouping of Message-IDs into threads).
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
NEW=$T/new
LISTS=(linux-kernel lkml)
plan $((${#LISTS[@]} * 2 * 4))

la index --data "$DATA" --quiet linux-kernel "$ROOT/samples/seeds.mbox"
la index --data "$DATA" --quiet lkml "$ROOT/samples/lkml.mbox"

# facts DIR LIST: "MSGID DAY THREAD" for each message of LIST, THREAD being
# the smallest Message-ID of its thread (the same name in any archive).
facts() {
	sqlite3 -separator ' ' "$1/index.sqlite" "
	  WITH m AS (SELECT mids.mid AS mid, printf('%04d-%02d-%02d', x.day / 10000, x.day / 100 % 100,
	                    x.day % 100) AS day, x.thread AS thread
	             FROM messages x JOIN mids ON mids.id = x.mid JOIN lists l ON l.id = x.list_id
	             WHERE l.name = '$2')
	  SELECT DISTINCT m.mid, m.day, (SELECT min(n.mid) FROM m n WHERE n.thread = m.thread)
	  FROM m ORDER BY 1, 2"
}
# compare WHAT LIST NEWLIST: the checks of one download kind.
compare() {
	local what=$1 list=$2 new=$3
	facts "$DATA" "$list" >"$what.ref"
	facts "$NEW" "$new" >"$what.got"
	cut -d' ' -f1 "$what.ref" | sort -u >"$what.ref.ids"
	cut -d' ' -f1 "$what.got" | sort -u >"$what.got.ids"
	if cmp -s "$what.ref.ids" "$what.got.ids"; then
		ok "$list: $what: the same $(wc -l <"$what.ref.ids") Message-IDs"
	else
		not_ok "$list: $what: the same Message-IDs ($(wc -l <"$what.got.ids") imported, $(wc -l <"$what.ref.ids") in the archive)"
		diff "$what.ref.ids" "$what.got.ids" | grep '^[<>]' | head -5 | sed 's/^/#   /'
	fi
	# Days: a Message-ID's day(s) in the new archive are among its days
	# in the old one (copies of one Message-ID may have other days).
	local bad
	bad=$(join -j1 <(cut -d' ' -f1,2 "$what.got" | sort) <(cut -d' ' -f1,2 "$what.ref" | sort) |
		awk '{ok[$1] = ok[$1] || ($2 == $3); seen[$1] = 1} END {for (k in seen) if (!ok[k]) print k}' | sort)
	if [ -z "$bad" ]; then
		ok "$list: $what: every message on its day"
	else
		not_ok "$list: $what: every message on its day ($(echo "$bad" | wc -l) not)"
		for id in $(echo "$bad" | head -5); do
			echo "#   <$id>: got $(grep -F "$id " "$what.got" | cut -d' ' -f2 | head -1)," \
				"want $(grep -F "$id " "$what.ref" | cut -d' ' -f2 | sort -u | xargs)"
		done
	fi
	# Threads: the same partition of the Message-IDs both hold.
	join -j1 <(cut -d' ' -f1,3 "$what.got" | sort -u) <(cut -d' ' -f1,3 "$what.ref" | sort -u) |
		awk '{print $2, $3}' | sort -u >"$what.pairs"
	local split merged
	split=$(cut -d' ' -f2 "$what.pairs" | sort | uniq -d | head -3)
	merged=$(cut -d' ' -f1 "$what.pairs" | sort | uniq -d | head -3)
	if [ -z "$split$merged" ]; then
		ok "$list: $what: the same threads ($(cut -d' ' -f2 "$what.pairs" | sort -u | wc -l))"
	else
		not_ok "$list: $what: the same threads"
		for t in $split; do echo "#   the thread of <$t> comes back split"; done
		for t in $merged; do echo "#   <$t>'s thread comes back merged with another"; done
	fi
}

for list in "${LISTS[@]}"; do
	# Each thread once: the thread's smallest Message-ID names it.
	# (percent-encoded for the URL, as docs/api.md says).
	sqlite3 "$DATA/index.sqlite" "SELECT min(mids.mid) FROM messages x JOIN mids ON mids.id = x.mid
		JOIN lists l ON l.id = x.list_id WHERE l.name = '$list' GROUP BY x.thread" |
		"$PYTHON" -c 'import sys, urllib.parse
for line in sys.stdin:
    print(urllib.parse.quote(line.rstrip("\n"), safe="@+=!$&*,;:~"))' >threads.txt
	mkdir -p "dl/$list"
	fails=0
	i=0
	while read -r enc; do
		i=$((i + 1))
		get "/$list/$enc/t.mbox.gz" >"dl/$list/t$i.mbox.gz"
		if [ "$RC" -ne 0 ] || ! gzip -t "dl/$list/t$i.mbox.gz" 2>/dev/null; then
			fails=$((fails + 1))
			echo "# /$list/$enc/t.mbox.gz: exit $RC, $(head -1 "$T/get.err")"
		fi
		gzip -dc "dl/$list/t$i.mbox.gz" >"dl/$list/t$i.mbox" 2>/dev/null
	done <threads.txt
	check_eq "$list: every thread's t.mbox.gz downloads ($i threads)" "$fails" 0
	la index --data "$NEW" --quiet --no-search "$list-threads" "dl/$list"/t*.mbox
	compare threads "$list" "$list-threads"

	get "/$list/?q=d%3A1990..&x=m" >"dl/$list-search.mbox.gz"
	if [ "$RC" -eq 0 ] && gzip -t "dl/$list-search.mbox.gz" 2>/dev/null; then
		ok "$list: the search mbox of every message downloads"
	else
		not_ok "$list: the search mbox of every message downloads (exit $RC, $(head -1 "$T/get.err"))"
	fi
	gzip -dc "dl/$list-search.mbox.gz" >"dl/$list-search.mbox" 2>/dev/null
	la index --data "$NEW" --quiet --no-search "$list-search" "dl/$list-search.mbox"
	compare search "$list" "$list-search"
done
