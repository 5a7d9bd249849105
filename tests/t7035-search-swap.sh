#!/usr/bin/env bash
# t7035-search-swap: a rebuild of the search index is made beside it, in
# search.sqlite.new, and renamed over search.sqlite when whole
# (store/searchfile.c).  A server running all along answers every search
# completely: from the old rows while deliveries build the new ones a
# share at a time, from the new ones once they are swapped in, without a
# restart, and it follows the deliveries after the swap.  A kill anywhere
# in the swap (or in the build) leaves the old file or the new one whole
# in use, and the next writer finishes.
. "$(dirname "$0")/lib.sh"
plan 15
HOOK=$ROOT/build/faulthook.so
DATA=$T/arc
mkcorpus 150 c.mbox
"$RELEASE" index -q --data "$DATA" big c.mbox
# Rows of an older form (no form recorded): the subjects alone, so that
# a word of the bodies finds nothing until the new rows are in use.
old() { isql "$1" "DELETE FROM meta WHERE key = 'search_format'; INSERT INTO fts(fts) VALUES('delete-all'); INSERT INTO fts(rowid, s) SELECT id, subject FROM messages"; }
old "$DATA"
cp -r "$DATA" kref
# counts DIR: how many messages each query finds (a fresh process).
counts() { for w in s:re signed wrote 'NOT the'; do
	printf '%s=%s ' "$w" "$("$RELEASE" search --data "$1" --count "$w" 2>/dev/null)"; done; }
before=$(counts "$DATA")
start_server arc
# scount QUERY: how many messages the running server's search page says
# match (0 for none).
scount() { local n; n=$(curl -s "$U/big/?q=$1" | grep -o '[0-9,]* messages\? match' | head -1 | cut -d' ' -f1); echo "${n:-0}"; }
served() { printf 's:re=%s signed=%s ' "$(scount s:re)" "$(scount signed)"; }
fresh() { printf 's:re=%s signed=%s ' "$("$RELEASE" search --data "$DATA" --count s:re 2>/dev/null)" "$("$RELEASE" search --data "$DATA" --count signed 2>/dev/null)"; }
s0=$(served)
check_eq 'the old rows: the server finds the subjects, not the bodies' "${s0#*signed=}" "0 "
# Three deliveries, each a share of 50 messages of the rebuild.
log=
for i in 1 2 3; do
	printf 'From: Z <z@example.org>\nSubject: Re: zebra %s\nMessage-ID: <zebra%s@example.org>\nDate: Mon, 03 Mar 2025 10:00:00 +0000\n\nplain words %s\n' "$i" "$i" "$i" |
		LISTARC_DELIVER_REINDEX=50 "$LISTARC" deliver --data "$DATA" big
	log+="$? $(sqlite3 "$DATA/search.sqlite.new" 'SELECT upto FROM fts_state') [$(served)] [$(fresh)] "
done
re0=${s0#s:re=}
re0=${re0%% *}
check_eq 'three deliveries, each a share of the rebuild: the server answers as a fresh reader, every message found, no body yet' \
	"$log" "0 50 [s:re=$((re0 + 1)) signed=0 ] [s:re=$((re0 + 1)) signed=0 ] 0 100 [s:re=$((re0 + 2)) signed=0 ] [s:re=$((re0 + 2)) signed=0 ] 0 150 [s:re=$((re0 + 3)) signed=0 ] [s:re=$((re0 + 3)) signed=0 ] "
check_eq '...the rebuild under way, the old file in use' \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT value FROM meta WHERE key = 'search_build'") $(cd "$DATA" && echo search.sqlite*)" \
	"1 search.sqlite search.sqlite-shm search.sqlite-wal search.sqlite.new"
# The next share finds no message left: the swap.
printf 'From: Z <z@example.org>\nSubject: Re: zebra 4\nMessage-ID: <zebra4@example.org>\nDate: Mon, 03 Mar 2025 10:00:00 +0000\n\nplain words 4\n' |
	LISTARC_DELIVER_REINDEX=50 "$LISTARC" deliver --data "$DATA" big
check_eq 'a delivery finishes the rebuild and swaps the new file in' \
	"$? $(sqlite3 "$DATA/index.sqlite" "SELECT group_concat(key || '=' || value, ' ') FROM meta WHERE key IN ('search', 'search_build', 'search_format') ORDER BY key") $(cd "$DATA" && echo search.sqlite*)" \
	"0 search=on search_format=3 search.sqlite search.sqlite-shm search.sqlite-wal"
f=$(fresh)
check 'the new rows: a fresh reader finds the bodies' eval '[ "${f#*signed=}" != "0 " ]'
check_eq '...and the server, running across the swap, the same' "$(served)" "$f"
printf 'From: Z <z@example.org>\nSubject: Re: zebra 5\nMessage-ID: <zebra5@example.org>\nDate: Mon, 03 Mar 2025 10:00:00 +0000\n\nsigned words 5\n' |
	"$LISTARC" deliver --data "$DATA" big
f2=$(fresh)
check_eq 'a delivery after the swap: the server follows the new file' "$(served) $(scount zebra)" "$f2 5"
check 'the new file has the delivery' eval '[ "$f2" != "$f" ]'
stop_server arc
check_eq '...the index and both parts of the search index intact' \
	"$(isql "$DATA" "PRAGMA integrity_check; INSERT INTO fts(fts, rank) VALUES('integrity-check', 0)")" ok

# A delivery opens the index before it takes the archive lock: a file
# renamed over search.sqlite while it waits for the lock (a rebuild
# swapped in by another writer) is the one its rows go to
# (store_fts_follow), not the file it had open.
cp -r kref fl
"$RELEASE" reindex -q --data fl --search
exec 9>fl/lock
flock 9
printf 'From: Z <z@example.org>\nSubject: quokka\nMessage-ID: <q1@example.org>\n\nquokka body\n' |
	"$LISTARC" deliver --data fl big 9>&- &
dpid=$!
# (Waiting for the archive lock: its file open as well.  Before it the
# delivery opens the index for a moment to see whether the message is
# indexed already, and closes it: seen then, the file was not open a
# moment later, on a loaded machine.)
for _ in $(seq 2400); do
	fds=$(ls -l /proc/$dpid/fd 2>/dev/null)
	grep -q "fl/lock$" <<<"$fds" && grep -q "fl/search.sqlite$" <<<"$fds" && break
	sleep 0.05
done
opened=$(ls -l /proc/$dpid/fd 2>/dev/null | grep -c "fl/search.sqlite$")
(cd fl && cp search.sqlite x && rm -f search.sqlite-wal search.sqlite-shm && mv x search.sqlite)
exec 9>&-
wait $dpid
check_eq 'a delivery waiting for the lock with search.sqlite open, renamed over meanwhile: its message is searched in the new file' \
	"$? $opened $("$RELEASE" search --data fl --count quokka 2>/dev/null)" "0 1 1"

# Kills: the calls (writes and syncs) of a clean `reindex --search` of the
# older index are traced; a run is killed at each call from the last
# commit of the new file, at the first and the last few of its log's
# copy into it, and at each one after (the new file synced, "swap"
# recorded, the rename, the index's side, the new file opened, the
# index's checkpoint at close), and at two calls of the build.
cp -r kref k
FAULT_DIR=$T/k/ FAULT_TRACE=$T/trace.txt LD_PRELOAD=$HOOK "$RELEASE" reindex -q --data k --search
after=$(counts k)
check 'the rebuild changes the answers (the bodies found)' eval '[ "$before" != "$after" ]'
first=$(grep -n 'search.sqlite.new-wal' trace.txt | tail -1 | cut -d: -f1)
synced=$(grep -n 'sync search.sqlite.new$' trace.txt | tail -1 | cut -d: -f1)
total=$(wc -l <trace.txt)
check 'the trace has the new file'"'"'s last commit and its copy into the file' eval '[ -n "$first" ] && [ -n "$synced" ]'
bad=
killed=0
for at in $((first / 3)) $((first * 2 / 3)) $(seq $((first - 2)) $((first + 3))) $(seq $((synced - 6)) "$total"); do
	rm -rf k
	cp -r kref k
	FAULT_DIR=$T/k/ FAULT_KILL_AT=$at LD_PRELOAD=$HOOK "$RELEASE" reindex -q --data k --search 2>/dev/null &
	wait $! 2>/dev/null
	[ $? = 137 ] && killed=$((killed + 1))
	mid=$(counts k)
	[ "$mid" = "$before" ] || [ "$mid" = "$after" ] || bad+="killed at $at: $mid; "
	"$RELEASE" index -q --data k big c.mbox 2>/dev/null || bad+="index after $at failed; "
	end=$(counts k)
	[ "$end" = "$after" ] || bad+="after $at and index: $end; "
	[ "$(cd k && echo search.sqlite*)" = "search.sqlite search.sqlite-shm search.sqlite-wal" ] ||
		bad+="after $at: $(cd k && echo search.sqlite*); "
	[ "$(isql k "PRAGMA integrity_check; INSERT INTO fts(fts, rank) VALUES('integrity-check', 0)")" = ok ] ||
		bad+="after $at: not intact; "
done
check_eq "killed $killed times in the swap and the build: each left the old answers or the new ones, and the next listarc index the new ones, intact" \
	"$bad" ""
check 'most of them killed the run' [ "$killed" -gt 30 ]
