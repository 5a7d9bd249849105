#!/usr/bin/env bash
# t7033-search-format: an index whose search rows an older listarc wrote
# (no "search_format" row in meta: before the diffs' lines were kept
# apart and dfhh: had stems) gets them rebuilt by the writers without
# being asked: `listarc deliver` a share at a time (resumed by the next
# delivery, as after a kill between two batches), `listarc index` the
# rest at once; readers answer meanwhile, saying the rebuild is under
# way.  A new index is of the current form and is never rebuilt.
. "$(dirname "$0")/lib.sh"
plan 32
DATA=$T/arc
mkdir -p "$DATA/mbox"
MBOX=$DATA/mbox/lines.mbox
msg() { # ID SUBJECT BODY
	printf 'From a@example.org Mon Mar  3 1%s:00:00 2025\nFrom: A <a@example.org>\nSubject: %s\nDate: Mon, 03 Mar 2025 1%s:00:00 +0000\nMessage-ID: <%s@example.org>\n\n%s\n\n' \
		"${1#z}" "$2" "${1#z}" "$1" "$3"
}
msg z1 'zebra one' 'the first zebra' >"$MBOX"
cat >>"$MBOX" <<'EOM'
From a@example.org Mon Mar  3 12:00:00 2025
From: A <a@example.org>
Subject: [PATCH] widget: map the pages
Date: Mon, 03 Mar 2025 12:00:00 +0000
Message-ID: <lines-1@example.org>

Map them earlier.
---
diff --git a/mm/widget.c b/mm/widget.c
index 1234567..89abcde 100644
--- a/mm/widget.c
+++ b/mm/widget.c
@@ -10,6 +10,8 @@ static int mapping_pages(struct widget *w)
 	int locked = 0;
+	foo_begin = alpha;
+	beta = foo_end;
 	releases++;
@@ -40,3 +40,3 @@ static void extends(struct widgets *pages)
-	old_counter = dropped;
+	new_counter = kept;
 	return;

EOM
msg z3 'zebra three' 'the third zebra' >>"$MBOX"
la index --data "$DATA" lines "$MBOX" 2>new.txt
check 'a new index records the search rows'"'"' form' \
	eval '[ "$(sqlite3 "$DATA/index.sqlite" "SELECT value FROM meta WHERE key = '"'search_format'"'")" = 3 ]'
la index --data "$DATA" lines "$MBOX" 2>again.txt
check '...and listarc index rebuilds nothing of it' eval '! grep -qi rebuil new.txt again.txt'
mids() { la search --data "$DATA" --format=json --limit 100 "$1" 2>search.err |
	"$PYTHON" -c 'import json, sys; print(" ".join(sorted(x["message_id"] for x in json.load(sys.stdin))))'; }
P=lines-1@example.org
# An older listarc's index: no form recorded, and (so that the rebuild
# shows) rows of an older form: the subjects alone.
isql "$DATA" "DELETE FROM meta WHERE key = 'search_format'; INSERT INTO fts(fts) VALUES('delete-all'); INSERT INTO fts(rowid, s) SELECT id, subject FROM messages"
check_eq 'the older index: its subjects find their messages' "$(mids zebra)" "z1@example.org z3@example.org"
check_eq '...its bodies nothing' "$(mids first)" ""
check 'listarc search says what to run' grep -q 'made by an older listarc.*`listarc index` or `listarc reindex --search` rebuilds it' search.err
# A delivery does a share of the rebuild (one message here), in a file
# of its own: searches go on with the index as it was, which gets the
# new message.
msg z4 'zebra four' 'the fourth zebra' | LISTARC_DELIVER_REINDEX=1 la deliver --data "$DATA" lines
check_eq 'deliver: exit 0' $? 0
check_eq '...the rebuild is under way, beside the search index' \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT group_concat(key || '=' || value, ' ') FROM meta WHERE key IN ('search', 'search_build') ORDER BY key") $(sqlite3 "$DATA/search.sqlite.new" 'SELECT upto FROM fts_state')" \
	"search_build=1 1"
check_eq '...searches find what they found, and the new message' "$(mids zebra)" \
	"z1@example.org z3@example.org z4@example.org"
check_eq '...in the index as it was (the bodies of the older rows wait)' "$(mids first) / $(mids fourth)" " / z4@example.org"
check 'listarc search says a rebuild is under way' grep -q 'search index is being rebuilt: .*searches use the previous one' search.err
get '/lines/?q=zebra' >p1.html
check_eq 'the search page answers, saying so' \
	"$STATUS $(grep -c 'full-text index is being rebuilt: until it is done, searches use the previous one' p1.html)" '200 1'
check_eq '...and m: finds every message meanwhile' "$(mids 'm:z4@example.org OR m:z3@example.org')" \
	"z3@example.org z4@example.org"
# The next delivery goes on where the last one stopped; the answers stay
# those of the index as it was.
msg z5 'zebra five' 'the fifth zebra' | LISTARC_DELIVER_REINDEX=1 la deliver --data "$DATA" lines
check_eq 'a second delivery goes on (two messages of five done)' \
	"$(sqlite3 "$DATA/search.sqlite.new" 'SELECT upto FROM fts_state')" 2
check_eq '...every subject still found, the patch not yet by dfhh:' "$(mids zebra) / $(mids 'dfhh:extend')" \
	"z1@example.org z3@example.org z4@example.org z5@example.org / "
# listarc index finishes it, at once, and renames the new file over the
# old one.
la index --data "$DATA" lines "$MBOX" 2>up.txt
check 'listarc index goes on with the rebuild, saying so' grep -q 'rebuild was not finished: going on with it' up.txt
check 'and says it is done' grep -q 'search index rebuilt' up.txt
check_eq '...every message is found, once' "$(mids zebra)" \
	"z1@example.org z3@example.org z4@example.org z5@example.org"
check_eq '...by its body too: the new rows are searched' "$(mids first) / $(mids 'dfhh:extend')" "z1@example.org / $P"
check '...in search.sqlite, nothing left beside it' \
	eval '[ "$(cd "$DATA" && echo search.sqlite*)" = "search.sqlite search.sqlite-shm search.sqlite-wal" ]'
check_eq '...its patch ids once each' "$(sqlite3 "$DATA/index.sqlite" 'SELECT count(*), count(DISTINCT id) FROM patchids')" "1|1"
check_eq '...dfhh: by its stem' "$(mids 'dfhh:page')" "$P"
check_eq '...a phrase stays inside one added line' "$(mids 'dfb:"alpha beta"')" ""
check_eq '...and matches inside it' "$(mids 'dfb:"foo_begin alpha"')" "$P"
check_eq '...the form is recorded, the rebuild over' \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT group_concat(kv, ' ') FROM (SELECT key || '=' || value AS kv FROM meta WHERE key IN ('search', 'search_format', 'search_build') ORDER BY key)")" \
	"search=on search_format=3"
get '/lines/?q=zebra' >p2.html
check_eq 'the page says nothing of a rebuild' "$STATUS $(grep -c 'rebuilt' p2.html)" '200 0'
la index --data "$DATA" lines "$MBOX" 2>again2.txt
check 'the next listarc index rebuilds nothing' eval '! grep -qi rebuil again2.txt'
# An index made with --no-search stays without search rows.
la index -q --no-search --data ns lines "$MBOX"
sqlite3 ns/index.sqlite "DELETE FROM meta WHERE key = 'search_format'"
la index --data ns lines "$MBOX" 2>ns.txt
check 'an index made with --no-search is not rebuilt' eval '! grep -qi rebuil ns.txt'
# A rebuild killed inside a write (tests/faulthook.c) is finished by the
# next listarc index: the same answers as an index made in one go.
HOOK=$ROOT/build/faulthook.so
mkcorpus 2500 big.mbox
counts() { for w in the patch wrote signed '"signed off by"' s:re dfn:makefile 'NOT the' "m:$(sqlite3 "$1/index.sqlite" 'SELECT mid FROM mids LIMIT 1') OR patch"; do
	printf '%s=%s ' "$w" "$(DATA=$1 la search --data "$1" --count "$w" 2>/dev/null)"; done; }
"$RELEASE" index -q --data ref big big.mbox
"$RELEASE" index -q --data kill big big.mbox
old() { sqlite3 "$1/index.sqlite" "DELETE FROM meta WHERE key = 'search_format'"; }
old kill
cp -r kill count
FAULT_DIR=$T/count/ FAULT_COUNT=$T/calls.txt LD_PRELOAD=$HOOK "$RELEASE" index -q --data count big big.mbox 2>/dev/null
calls=$(cut -d' ' -f1 calls.txt)
FAULT_DIR=$T/kill/ FAULT_KILL_AT=$((calls / 2)) LD_PRELOAD=$HOOK "$RELEASE" index -q --data kill big big.mbox 2>/dev/null &
wait $! 2>/dev/null
check_eq "an upgrade killed halfway (the $((calls / 2))th of $calls writes): 137, the rebuild under way" \
	"$? $(sqlite3 kill/index.sqlite "SELECT value FROM meta WHERE key = 'search_build'")" "137 1"
check_eq '...meanwhile every word finds what it found' "$(counts kill)" "$(counts ref)"
"$LISTARC" index --data kill big big.mbox 2>kill.txt
check 'the next listarc index goes on with it' grep -q 'going on with it' kill.txt
check_eq '...then every word finds what it finds in an index made in one go, once' "$(counts kill)" "$(counts ref)"
check_eq '...and the index is intact (PRAGMA integrity_check, and FTS5'"'"'s own)' \
	"$(isql kill "PRAGMA integrity_check; INSERT INTO fts(fts, rank) VALUES('integrity-check', 0)")" ok
