#!/usr/bin/env bash
# t7031-search-lines: what a search compares beyond plain words, without
# public-inbox (t7020 checks the same sets against it when installed):
# a phrase in a diff's lines stays inside one line (dfa: dfb: dfctx:
# dfhh:), while body and quoted lines run on as lore's do; dfhh: finds
# a word by its English stem; the results page marks words as the index
# compares them (ß as ss, accents, ligatures, combining marks), in the
# subject and in the snippet; z: and m: answer through their indexes
# (test_store checks the plans) with the right messages.
. "$(dirname "$0")/lib.sh"
plan 30
DATA=$T/arc
cat >lines.mbox <<'EOM'
From a@example.org Mon Mar  3 10:00:00 2025
From: A <a@example.org>
Subject: Straße café, the ﬁnal widget
Date: Mon, 03 Mar 2025 10:00:00 +0000
Message-ID: <fold-1@example.org>
Content-Type: text/plain; charset=utf-8

Die Straßenbahn hält an der STRASSE, near the cafe
and the CafeACUTE (decomposed) with its Ærø tables.

EOM
# (ACUTE: U+0301, a combining accent on the e before it.)
sed -i "s/ACUTE/$(printf '\xcc\x81')/" lines.mbox
{
	mail_diff_lines lines-1@example.org
	echo
} >>lines.mbox
la index -q --data "$DATA" lines lines.mbox
mids() { la search --data "$DATA" --format=json --limit 100 "$1" 2>/dev/null |
	"$PYTHON" -c 'import json, sys; print(" ".join(sorted(x["message_id"] for x in json.load(sys.stdin))))'; }
P=lines-1@example.org
# ---- phrases and lines ----
check_eq 'dfb: a phrase inside an added line' "$(mids 'dfb:"foo_begin alpha"')" "$P"
check_eq 'dfb: no phrase from one added line into the next' "$(mids 'dfb:"alpha beta"')" ""
check_eq 'nor as a bare phrase' "$(mids '"alpha beta"')" ""
check_eq 'dfctx: no phrase across context lines' "$(mids 'dfctx:"0 return"')" ""
check_eq 'dfctx: one inside a line' "$(mids 'dfctx:"return walks"')" "$P"
check_eq 'dfa: no phrase across removed lines' "$(mids 'dfa:"dropped widgets"')" ""
check_eq 'dfhh: no phrase from one hunk header into the next' "$(mids 'dfhh:"w static"')" ""
check_eq 'dfhh: one inside a header' "$(mids 'dfhh:"void extends"')" "$P"
check_eq 'body lines run on (as public-inbox indexes them)' "$(mids 'nq:"the pages"')" "$P"
check_eq 'quoted lines too' "$(mids 'q:"the earlier"')" "$P"
# ---- dfhh: by stem ----
check_eq 'dfhh: a word finds its stem (extend: extends)' "$(mids 'dfhh:extend')" "$P"
check_eq 'dfhh: page finds pages' "$(mids 'dfhh:page')" "$P"
check_eq 'dfhh: quoted, only itself' "$(mids 'dfhh:"page"')" ""
check_eq 'dfhh: capitalised, only itself' "$(mids 'dfhh:Page')" ""
check_eq 'dfhh: a prefix finds the word' "$(mids 'dfhh:exten*')" "$P"
check_eq 'dfhh: no stem of an added line' "$(mids 'dfhh:kept')" ""
check_eq 'dfb: no stem of a hunk header' "$(mids 'dfb:extend')" ""
# ---- z: and m: ----
check_eq 'z: a size range' "$(mids 'z:1..2000')" "fold-1@example.org lines-1@example.org"
check_eq 'z: from a size up' "$(mids 'z:100000..')" ""
check_eq 'm: one Message-ID' "$(mids 'm:lines-1@example.org')" "$P"
check_eq 'a bare Message-ID' "$(mids 'lines-1@example.org')" "$P"
# ---- highlighting as the index folds ----
get '/lines/?q=strasse' >h1.html
check 'strasse marks Straße in the subject' grep -q '<mark>Straße</mark> café' h1.html
get '/lines/?q=Strasse' >h1.html
check 'Strasse (no stem) marks STRASSE in the snippet, not Straßenbahn' \
	sh -c 'grep -q "<mark>STRASSE</mark>" h1.html && ! grep -q "<mark>Straßenbahn" h1.html'
get '/lines/?q=Stra%C3%9Fe' >h2.html
check 'Straße marks STRASSE' grep -q '<mark>STRASSE</mark>' h2.html
get '/lines/?q=stras*' >h3.html
check 'stras* marks Straßenbahn whole' grep -q '<mark>Straßenbahn</mark>' h3.html
get '/lines/?q=cafe' >h4.html
check 'cafe marks café' grep -q '<mark>café</mark>' h4.html
check 'and the decomposed Café with its accent' grep -q "<mark>Cafe$(printf '\xcc\x81')</mark>" h4.html
get '/lines/?q=final' >h5.html
check 'final marks ﬁnal (a ligature)' grep -q '<mark>ﬁnal</mark>' h5.html
get '/lines/?q=aero' >h6.html
check 'aero marks Ærø' grep -q '<mark>Ærø</mark>' h6.html
check_eq 'every page is 200' "$STATUS" 200
