#!/usr/bin/env bash
# t5521-times: dates on pages in ISO form with the sender's offset, the
# reader's zone on hover, and attachments as pages.  The index keeps each
# message's offset (messages.tz), and an index made before the column
# gets it from the messages' Date: at its writer's first open.  Day,
# month and list listings, the thread outline, thread pages and search
# results show <time datetime="ISO with the sender's offset"
# title="UTC">; the preferences page (/_/prefs, a GET form) sets a
# validated cookie tz=Area/City and then the titles are in that zone,
# with the page cache keyed on it and Vary: Cookie.  A patch sent as an
# attachment has a page of its own with its diff coloured and escaped,
# linked below the message's block; its raw URL is unchanged.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 29

{
	cat <<'EOF'
From a@example.org Mon Jan  1 15:00:00 2024
From: A <a@example.org>
Subject: first
Message-ID: <tz.1@example.org>
Date: Mon, 1 Jan 2024 10:00:00 -0500

Body one.

From b@example.org Mon Jan  1 16:30:00 2024
From: B <b@example.org>
Subject: Re: first
Message-ID: <tz.2@example.org>
In-Reply-To: <tz.1@example.org>
Date: Mon, 1 Jan 2024 22:00:00 +0530

Body two <script>x</script>.

From c@example.org Mon Jan  1 17:00:00 2024
From: C <c@example.org>
Subject: Re: first
Message-ID: <tz.3@example.org>
In-Reply-To: <tz.1@example.org>
Date: Mon, 1 Jan 2024 17:00:00 -0000

Body three.
EOF
} >tz.mbox
la index --data "$DATA" tzl tz.mbox 2>/dev/null
DB=$DATA/index.sqlite
check_eq "the index keeps each sender's offset (-0000 as +0000)" \
	"$(sqlite3 "$DB" "select coalesce(tz, 'null') from messages order by id" | tr '\n' ' ')" "-300 330 0 "

get /tzl/2024/01/01/ >day.html
check "the day's listing: the sender's time and offset, UTC on hover" \
	grep -qF '<time datetime="2024-01-01T10:00:00-05:00" title="2024-01-01 15:00:00 UTC">10:00 -0500</time>' day.html
check "...a +0530 sender's" \
	grep -qF '<time datetime="2024-01-01T22:00:00+05:30" title="2024-01-01 16:30:00 UTC">22:00 +0530</time>' day.html
check "...and a Date: without a zone in UTC" \
	grep -qF '<time datetime="2024-01-01T17:00:00+00:00" title="2024-01-01 17:00:00 UTC">17:00 +0000</time>' day.html
get /tzl/2024/01/ >month.html
check "the month's listing, by day" \
	grep -qF 'title="2024-01-01 16:30:00 UTC">22:00 +0530</time>' month.html
get /tzl/ >list.html
check "the list page's latest messages" grep -qF '>2024-01-01 10:00 -0500</time>' list.html
get /tzl/2024/01/01/1 >msg.html
check "the thread outline below a message" \
	grep -qF '<span class="date"><time datetime="2024-01-01T22:00:00+05:30" title="2024-01-01 16:30:00 UTC">2024-01-01 22:00 +0530</time></span>' msg.html
check "the message's own date to the second" \
	grep -qF '>2024-01-01 10:00:00 -0500</time>' msg.html
get /tzl/tz.1@example.org/T/ >flat.html
check "a thread page's messages" grep -qF '>2024-01-01 22:00 +0530</time>' flat.html
get '/tzl/?q=body' >search.html
check "search results" grep -qF 'title="2024-01-01 15:00:00 UTC">2024-01-01 10:00 -0500</time>' search.html
check "the pages are well formed" pagecheck day.html month.html list.html msg.html flat.html search.html

# ---- an index made before the offsets ----
cp -r "$DATA" old
sqlite3 old/index.sqlite "ALTER TABLE messages DROP COLUMN tz; DELETE FROM meta WHERE key = 'tz';
	UPDATE meta SET value = 'old' WHERE key = 'schema_sql'"
"$LISTARC" get --data old /tzl/2024/01/01/ >old-day.html 2>old.err
check "a reader of the old index shows its listings in UTC" \
	grep -qF '<time datetime="2024-01-01T15:00:00Z" title="2024-01-01 15:00:00 UTC">15:00 +0000</time>' old-day.html
"$LISTARC" get --data old '/tzl/?q=body' >old-search.html 2>>old.err
check "...and its search results" grep -qF '>2024-01-01 15:00 +0000</time>' old-search.html
la index --data old tzl tz.mbox >/dev/null 2>&1
check_eq "its writer's first open adds the column and fills it from the messages' Date:" \
	"$(sqlite3 old/index.sqlite "select coalesce(tz, 'null') from messages order by id" | tr '\n' ' ')/$(sqlite3 old/index.sqlite "select value from meta where key = 'tz'")" \
	"-300 330 0 /1"

# ---- attachments as pages ----
mail_attachment diff att.1@example.org | la deliver --data "$DATA" tzl 2>/dev/null
url=$(get /api/v1/tzl/att.1@example.org/ | grep -o '"url":"[^"]*"' | head -1 | sed 's/"url":"\(.*\)"/\1/')
url=${url%/}
get "$url" >att-msg.html
check "the message page links its text attachment's page below the block" \
	eval "grep -q '<p class=\"attachments\">Attachments as pages: <a href=\"$url/1/\">fix.diff</a></p>' att-msg.html"
get "$url/1/" >att.html
check_eq "the attachment's page: 200" "$STATUS" 200
check "...its diff coloured" eval 'grep -qF "<span class=\"d-add\">+long two;</span>" att.html && grep -qF "<span class=\"d-del\">-int two;</span>" att.html'
check "...linking its raw text and its message" \
	eval "grep -qF '<a href=\"$url/1\">raw</a>' att.html && grep -qF '<a href=\"$url\">' att.html"
get "$url/1" >att.txt
check_eq "the raw attachment is as before" "$(head -1 att.txt)" "--- a/file.c"
get "$url/9/" >/dev/null
check_eq "an attachment that is not there: 404" "$STATUS" 404
check "the attachment page is well formed" pagecheck att.html

# ---- the reader's zone ----
start_server z
get_h() { curl -s -D "$T/h.txt" "$@"; }
get_h "$U/_/prefs?tz=Asia/Kolkata" >prefs.html
check "the preferences page sets the cookie" \
	grep -qi '^set-cookie: tz=Asia/Kolkata; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly' "$T/h.txt"
check "...and shows the zone chosen" grep -qF '<option value="Asia/Kolkata" selected>' prefs.html
get_h "$U/_/prefs?tz=Mars/Olympus" >bad.html
check_eq "a zone the tz database lacks: 400, no cookie" \
	"$(head -1 "$T/h.txt" | cut -d' ' -f2)/$(grep -ci '^set-cookie' "$T/h.txt")" "400/0"
get_h "$U/tzl/2024/01/01/" >utc.html
get_h -H 'Cookie: a=b; tz=Asia/Kolkata' "$U/tzl/2024/01/01/" >ist.html
get_h -H 'Cookie: tz=America/New_York' "$U/tzl/2024/01/01/" >ny.html
get_h "$U/tzl/2024/01/01/" >utc2.html
check "with the cookie the titles are in the reader's zone" \
	eval 'grep -qF "title=\"2024-01-01 20:30:00 IST\">10:00 -0500</time>" ist.html && grep -qF "title=\"2024-01-01 10:00:00 EST\">10:00 -0500</time>" ny.html'
check "the cache gives each zone its own page, and UTC to a reader without one" \
	eval 'cmp -s utc.html utc2.html && grep -qF "title=\"2024-01-01 15:00:00 UTC\"" utc2.html'
check "pages say Vary: ... Cookie" grep -qi '^vary: .*cookie' "$T/h.txt"
get_h -H 'Cookie: tz=../../etc/passwd' "$U/tzl/2024/01/01/" >evil.html
check "a cookie that names no zone is ignored" cmp -s utc.html evil.html
stop_server z
