#!/usr/bin/env bash
# t5510-figures: a list's life at a glance (src/render/charts.c,
# topics.c; the figures of src/store/stats.c): the bars of the list, year
# and month pages, their top posters and busiest threads, the topics page
# and its feed, the sender pages, against counts made here from the
# messages table with sqlite3; hidden messages left out (hide, unhide);
# the figures of an index made before them made on upgrade; and the list
# page in Debian's chromium, its screenshot in test-output/.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
SHOTS=$ROOT/test-output
plan 41

la index --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
la index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>/dev/null
DB=$DATA/index.sqlite
q() { sqlite3 "$DB" "$@"; }
SHOWN="flags & 1073741824 = 0"
LK=$(q "SELECT id FROM lists WHERE name = 'lkml'")

# recount: the figures made again from the messages, every difference
# printed (nothing when they agree).
recount() {
	q "WITH v AS (SELECT * FROM messages WHERE $SHOWN),
	 s AS (SELECT v.*, x.id AS sid FROM v JOIN senders x ON x.list_id = v.list_id AND x.addr = lower(v.from_addr)),
	 want_t AS (SELECT list_id, thread, count(*), (SELECT count(DISTINCT lower(from_addr)) FROM v v2
	   WHERE v2.list_id = v.list_id AND v2.thread = v.thread AND from_addr <> ''), min(ts), max(ts),
	   (SELECT id FROM v v3 WHERE v3.list_id = v.list_id AND v3.thread = v.thread ORDER BY ts, id LIMIT 1)
	   FROM v GROUP BY list_id, thread),
	 have_t AS (SELECT list_id, thread, n, senders, first_ts, last_ts, starter FROM topics),
	 want_s AS (SELECT list_id, lower(from_addr), count(*) FROM v WHERE from_addr <> '' GROUP BY 1, 2),
	 have_s AS (SELECT list_id, addr, n FROM senders WHERE n > 0),
	 want_ss AS (SELECT list_id, 0, sid, count(*) FROM s GROUP BY 1, 3
	   UNION ALL SELECT list_id, day / 10000, sid, count(*) FROM s GROUP BY 1, 2, 3
	   UNION ALL SELECT list_id, day / 100, sid, count(*) FROM s GROUP BY 1, 2, 3),
	 have_ss AS (SELECT list_id, period, sender, n FROM stat_senders),
	 want_st AS (SELECT list_id, 0, thread, count(*) FROM v GROUP BY 1, 3
	   UNION ALL SELECT list_id, day / 10000, thread, count(*) FROM v GROUP BY 1, 2, 3
	   UNION ALL SELECT list_id, day / 100, thread, count(*) FROM v GROUP BY 1, 2, 3),
	 have_st AS (SELECT list_id, period, thread, n FROM stat_threads),
	 want_ts AS (SELECT list_id, thread, sid, count(*) FROM s GROUP BY 1, 2, 3),
	 have_ts AS (SELECT list_id, thread, sender, n FROM thread_senders)
	SELECT 'topic', * FROM (SELECT * FROM want_t EXCEPT SELECT * FROM have_t)
	UNION ALL SELECT 'topic+', * FROM (SELECT * FROM have_t EXCEPT SELECT * FROM want_t)
	UNION ALL SELECT 'sender', *, 0, 0, 0, 0 FROM (SELECT * FROM want_s EXCEPT SELECT * FROM have_s)
	UNION ALL SELECT 'sender+', *, 0, 0, 0, 0 FROM (SELECT * FROM have_s EXCEPT SELECT * FROM want_s)
	UNION ALL SELECT 'per period', *, 0, 0, 0 FROM (SELECT * FROM want_ss EXCEPT SELECT * FROM have_ss)
	UNION ALL SELECT 'per period+', *, 0, 0, 0 FROM (SELECT * FROM have_ss EXCEPT SELECT * FROM want_ss)
	UNION ALL SELECT 'thread period', *, 0, 0, 0 FROM (SELECT * FROM want_st EXCEPT SELECT * FROM have_st)
	UNION ALL SELECT 'thread period+', *, 0, 0, 0 FROM (SELECT * FROM have_st EXCEPT SELECT * FROM want_st)
	UNION ALL SELECT 'thread sender', *, 0, 0, 0 FROM (SELECT * FROM want_ts EXCEPT SELECT * FROM have_ts)
	UNION ALL SELECT 'thread sender+', *, 0, 0, 0 FROM (SELECT * FROM have_ts EXCEPT SELECT * FROM want_ts)
	UNION ALL SELECT 'unhashed', id, 0, 0, 0, 0, 0, 0 FROM senders WHERE hash IS NULL
	UNION ALL SELECT 'pending', rowid, 0, 0, 0, 0, 0, 0 FROM stats_delta"
}
check_eq "the figures of the index equal a recount of its messages" "$(recount | head -5)" ""

# bars FILE: the bars' titles of a page's chart, "WHEN: N".
bars() { grep -o '<rect class="b"[^>]*><title>[^<]*</title>' "$1" | sed 's/.*<title>\(.*\) messages\{0,1\}<\/title>/\1/'; }
# The page key of an address (docs: the first 16 hex digits of the SHA-1
# of the address, ASCII letters lowercased).
hash_of() { printf '%s' "$1" | tr 'A-Z' 'a-z' | sha1sum | cut -c1-16; }
JOE=$(hash_of Joe@Perches.COM)
TOPIC_MID=$(q "SELECT mids.mid FROM topics t JOIN messages m ON m.id = t.starter JOIN mids ON mids.id = m.mid
	WHERE t.list_id = $LK ORDER BY t.n DESC LIMIT 1")

pages() {
	printf '%s\n' /lkml/ /lkml/2010/ /lkml/2010/11/ /lkml/topics/ /lkml/topics/new.atom \
		"/lkml/from/$JOE/" "/lkml/from/$JOE/?page=2" /lkml/2010/11/15/45 /linux-kernel/ \
		/lkml/topics "/lkml/from/$JOE" /lkml/from/0123456789abcdef/ "/lkml/topics/?page=2" \
		/all/topics/ "/lkml/%74opics/"
}
pages | getall p
check_eq "the pages answer 200 (and the others 301, 404)" \
	"$(cut -d' ' -f2 p.txt | tr '\n' ' ')" "200 200 200 200 200 200 200 200 200 301 301 404 404 404 404 "
check "the pages are well formed, only our markup and links" pagecheck --html5 p/1 p/2 p/3 p/4 p/6 p/7 p/8 p/9
check "no sanitizer report while making them" sh -c '! grep -qE "Sanitizer|runtime error" p.err'

# ---- the bars, against counts of the index ----
months() {
	q "SELECT day / 100, count(*) FROM messages WHERE list_id = $LK AND $SHOWN GROUP BY 1" |
		while IFS='|' read -r ym n; do
			printf '%s %s: %s\n' "$(date -u -d "${ym}01" +%B)" "${ym:0:4}" "$n"
		done
}
check_eq "the list page's bars: each month's messages (months without mail at 0)" \
	"$(bars p/1 | grep -v ': 0$')" "$(months)"
check_eq "the list page's bars run from its first month to its last" \
	"$(bars p/1 | sed -n '1p;$p' | cut -d: -f1 | tr '\n' ,)" "November 2009,February 2011,"
check "the list page still has its table of numbers" grep -q '<table class="years">' p/1
check_eq "the year page's twelve bars: the months of 2010" \
	"$(bars p/2 | grep -v ': 0$')" "$(months | grep ' 2010:')"
check_eq "the year page's table holds the same numbers" \
	"$(grep -A3 'class="years chart-data"' p/2 | grep -o '<td>[0-9]*</td>' | tr -d '<>/td' | tr '\n' ' ')" \
	"$(bars p/2 | sed 's/.*: //' | tr '\n' ' ')"
check_eq "the month page's bars: the days of 2010/11" \
	"$(bars p/3 | grep -v ': 0$')" \
	"$(q "SELECT printf('2010-11-%02d: %d', day % 100, count(*)) FROM messages WHERE list_id = $LK
		AND day / 100 = 201011 AND $SHOWN GROUP BY day")"
check_eq "the month page has a bar for each of its 30 days" "$(bars p/3 | wc -l)" 30
check "each bar has its title, the chart its accessible name" \
	grep -q '<svg class="chart" [^>]*role="img"><title>Messages per day in November 2010' p/3

# ---- top posters and busiest threads ----
# tops FILE N: the N-th list of "busiest" of a page, as "HREF COUNT".
tops() {
	awk -v n="$2" '/<ol class="top">/{k++; on = 1} /<\/ol>/{on = 0} on && k==n && /<li class="top">/' "$1" |
		sed 's/<li class="top"><a href="\([^"]*\)".*<span class="count">\([0-9]*\) message.*/\1 \2/'
}
q "SELECT lower(from_addr), count(*) FROM messages WHERE list_id = $LK AND day / 10000 = 2010
	AND $SHOWN AND from_addr <> '' GROUP BY 1 ORDER BY 2 DESC" |
	while IFS='|' read -r a n; do echo "/lkml/from/$(hash_of "$a")/ $n"; done >senders2010.txt
check_eq "the year's top posters: the ten biggest counts of the index, most first" \
	"$(tops p/2 1 | cut -d' ' -f2 | tr '\n' ' ')" "$(head -10 senders2010.txt | cut -d' ' -f2 | tr '\n' ' ')"
check_eq "each of them links the page of the sender with that count" \
	"$(tops p/2 1 | grep -vxFf senders2010.txt)" ""
check_eq "the month's busiest threads: their messages that month" \
	"$(tops p/3 2 | cut -d' ' -f2 | tr '\n' ' ')" \
	"$(q "SELECT count(*) FROM messages WHERE list_id = $LK AND day / 100 = 201011 AND $SHOWN
		GROUP BY thread ORDER BY 1 DESC LIMIT 10" | tr '\n' ' ')"
check "a busiest thread links its thread page" grep -q "<a href=\"/lkml/$TOPIC_MID/T/\">" p/1

# ---- topics ----
NTOP=$(q "SELECT count(DISTINCT thread) FROM messages WHERE list_id = $LK AND $SHOWN")
check "the topics page counts the list's threads" grep -q "<p>$NTOP threads, latest activity first</p>" p/4
# rows FILE: subject-link href, messages, participants, first, last.
rows() {
	grep '^<tr><td><a href' "$1" | sed 's/<time [^>]*>//g; s/<\/time>//g' | sed 's/<tr><td><a href="\([^"]*\)".*<td class="n">\([0-9]*\)<\/td><td class="n">\([0-9]*\)<\/td><td class="date">\([^<]*\)<\/td><td class="date">\([^<]*\)<\/td><\/tr>/\1 \2 \3 \4 \5/'
}
check_eq "one line per thread, latest activity first, with messages, participants, first and last day" \
	"$(rows p/4 | cut -d' ' -f2-)" \
	"$(q "SELECT count(*), count(DISTINCT lower(from_addr)), date(min(ts), 'unixepoch'), date(max(ts), 'unixepoch')
		FROM messages WHERE list_id = $LK AND $SHOWN GROUP BY thread ORDER BY max(ts) DESC, thread DESC" | tr '|' ' ')"
check_eq "its dates give the time to the second, UTC, on hover (title) and in datetime" \
	"$(grep '^<tr><td><a href' p/4 | grep -o '<td class="date"><time datetime="[^"]*" title="[^"]*">' | head -2 | sed 's/.*datetime="\([^"]*\)" title="\([^"]*\)">/\1|\2/')" \
	"$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(ts), 'unixepoch') || '|' || datetime(min(ts), 'unixepoch') || ' UTC' || char(10) ||
		strftime('%Y-%m-%dT%H:%M:%SZ', max(ts), 'unixepoch') || '|' || datetime(max(ts), 'unixepoch') || ' UTC'
		FROM messages WHERE list_id = $LK AND $SHOWN GROUP BY thread ORDER BY max(ts) DESC, thread DESC LIMIT 1")"
check "a line links the thread and its starter's page" \
	grep -q "<tr><td><a href=\"/lkml/$TOPIC_MID/T/\">.*<a href=\"/lkml/from/$JOE/\">Joe Perches</a>" p/4
check "the topics page links its feed" grep -q 'href="/lkml/topics/new.atom"' p/4
check "the feed of new threads is well-formed XML" "$PYTHON" -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' p/5
check_eq "the feed has an entry per thread, newest first" \
	"$(grep -c '<entry>' p/5)" "$NTOP"
check "the list page links the topics" grep -q 'href="/lkml/topics/">' p/1

# ---- a sender ----
NJOE=$(q "SELECT count(*) FROM messages WHERE list_id = $LK AND lower(from_addr) = 'joe@perches.com' AND $SHOWN")
check "the sender page counts their messages" grep -q "$NJOE messages in lkml" p/6
check_eq "its two pages list every message of theirs, newest first" \
	"$(cat p/6 p/7 | sed 's/<time [^>]*>//g; s/<\/time>//g' | grep -o '<li><span class="date">[^<]*</span> <a href="[^"]*"' | sed 's/.*href="//; s/"$//')" \
	"$(q "SELECT printf('/lkml/%d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num) FROM messages
		WHERE list_id = $LK AND lower(from_addr) = 'joe@perches.com' AND $SHOWN ORDER BY day DESC, num DESC")"
check "no page shows the address the pages obfuscate (outside Message-IDs in links)" \
	sh -c 'sed "s/<[^>]*>//g" p/4 p/6 p/7 p/1 | grep -qi "joe@perches.com"; [ $? = 1 ]'
check "the message page links its sender's page" grep -q "<a href=\"/lkml/from/$JOE/\">Joe Perches</a>" p/8

# ---- hidden messages ----
la hide --data "$DATA" --reason test lkml "$TOPIC_MID" >/dev/null 2>&1
check_eq "after a hide, the figures still equal a recount (the message left out)" "$(recount | head -5)" ""
printf '%s\n' /lkml/topics/ "/lkml/from/$JOE/" /lkml/ | getall h
check_eq "the hidden message's thread has one message less on the topics page" \
	"$(rows h/1 | grep "^/lkml/[^ ]*/T/ " | wc -l) $(rows p/4 | awk '{s += $2} END {print s}')" \
	"$NTOP $(($(rows h/1 | awk '{s += $2} END {print s}') + 1))"
check "its sender's page counts one message less" grep -q "$((NJOE - 1)) messages in lkml" h/2
check_eq "the list page's bars count it no more" \
	"$(bars h/3 | grep 'November 2010')" \
	"November 2010: $(($(bars p/1 | grep 'November 2010' | sed 's/.*: //') - 1))"
la unhide --data "$DATA" lkml "$TOPIC_MID" >/dev/null 2>&1
check_eq "after the unhide, the figures are as before" "$(recount | head -5)" ""
check_eq "and the topics page too" "$(get /lkml/topics/ | rows /dev/stdin)" "$(rows p/4)"

# ---- an index made before the figures ----
cp -r "$DATA" old
sqlite3 old/index.sqlite "DROP TRIGGER IF EXISTS stats_add; DROP TRIGGER stats_del; DROP TRIGGER stats_hide;
	DROP TRIGGER stats_unhide; DROP TRIGGER stats_rethread; DROP TABLE senders; DROP TABLE stat_senders;
	DROP TABLE stat_threads; DROP TABLE topics; DROP TABLE thread_senders; DROP TABLE stats_delta;
	DROP INDEX messages_from; DELETE FROM meta WHERE key = 'stats'; UPDATE meta SET value = 'old' WHERE key = 'schema_sql'"
la get --data old /lkml/ >old-list.html 2>/dev/null
check "a server on an index without figures still shows the list page" grep -q 'Messages per month' old-list.html
la index --data old lkml "$ROOT/samples/lkml.mbox" >/dev/null 2>&1
DB=old/index.sqlite
check_eq "a writer makes them once on upgrade, equal to a recount" "$(recount | head -5)" ""
check_eq "the upgraded index's topics page is the same" \
	"$("$LISTARC" get --data old /lkml/topics/ 2>/dev/null | rows /dev/stdin)" "$(rows p/4)"
DB=$DATA/index.sqlite

# ---- an index made when a trigger counted each message added ----
# (store_add counts them now: an upgraded writer drops the trigger, and
# nothing is counted twice.)
la index --data trig linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
sqlite3 trig/index.sqlite "CREATE TRIGGER stats_add AFTER INSERT ON messages
	WHEN (NEW.flags & 1073741824 = 0) BEGIN INSERT INTO stats_delta(list_id, thread, addr, name,
	day, ts, d, moved) VALUES(NEW.list_id, NEW.thread, NEW.from_addr, NEW.from_name, NEW.day,
	NEW.ts, 1, 0); END; UPDATE meta SET value = 'old' WHERE key = 'schema_sql'"
la index --data trig lkml "$ROOT/samples/lkml.mbox" >/dev/null 2>&1
DB=trig/index.sqlite
check_eq "an index with the old trigger loses it on upgrade" \
	"$(q "SELECT count(*) FROM sqlite_schema WHERE name = 'stats_add'")" "0"
check_eq "and its figures after more messages equal a recount" "$(recount | head -5)" ""
DB=$DATA/index.sqlite

# ---- the list page in a browser ----
if [ -x /usr/bin/chromium ]; then
	# The release build serves (libh2o's buffers that a browser's open
	# connection holds at SIGTERM are no concern of this test).
	SERVE_BIN=$RELEASE start_server plain
	mkdir -p "$SHOTS"
	rm -f "$SHOTS/charts-list.png"
	guard chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1400 \
		--screenshot="$SHOTS/charts-list.png" "$U/lkml/" >/dev/null 2>&1
	check "screenshot of the list page and its chart: test-output/charts-list.png" [ -s "$SHOTS/charts-list.png" ]
	stop_server plain
else
	skip 1 "chromium is not installed"
fi
