#!/usr/bin/env bash
# t6400-reload: SIGHUP makes `listarc serve` read listarc.conf again: the
# next pages show the new title and descriptions, even those its page
# cache held; a file that does not parse is refused with a line on stderr
# and the configuration in force stays.  The access log is reopened too
# (t6000 checks that).  Many reloads while pages are asked for (ASan
# watching) keep at most one configuration per loop and render thread
# and one more in memory.
. "$(dirname "$0")/lib.sh"
plan 11
DATA=$T/arc
la index --data "$DATA" seeds "$ROOT/samples/seeds.mbox" 2>/dev/null
printf '[site]\ntitle = First Title\n' >"$DATA/listarc.conf"
start_server r --threads 1
curl -s "$U/" >before
curl -s "$U/" >before2
check "the title of the file at start" grep -q 'First Title' before2

printf '[site]\ntitle = Second Title\n[list seeds]\ndescription = Seeds of trouble\n' \
	>"$DATA/listarc.conf"
kill -HUP "$PID"
check "SIGHUP: the server says it read the file again" \
	wait_until grep -q 'listarc.conf read again' "$T/r.err"
curl -s "$U/" >after
check "the cached site index shows the new title" grep -q 'Second Title' after
check "... and the new description" grep -q 'Seeds of trouble' after

printf '[site\n' >"$DATA/listarc.conf"
kill -HUP "$PID"
check "a malformed file: refused, saying so" \
	wait_until grep -q 'the configuration in force is kept' "$T/r.err"
curl -s "$U/" >kept
check "... and the pages keep the last good one" grep -q 'Second Title' kept
check "server lines: ISO time, level, listarc:" \
	grep -qE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z warning listarc: SIGHUP: .*the configuration in force is kept$' "$T/r.err"

# 60 reloads, each file different, while a client asks for pages.
( while :; do curl -s -o /dev/null "$U/" "$U/seeds/" "$U/seeds/2020/05/"; done ) &
bg_pid $!
# reloads_said N: the server has said N times that it read the file again
# (a function, so that wait_until counts the lines anew at each try).
reloads_said() { [ "$(grep -c 'listarc.conf read again' "$T/r.err")" -ge "$1" ]; }
for ((i = 1; i <= 60; i++)); do
	printf '[site]\ntitle = Title %d\n' "$i" >"$DATA/listarc.conf"
	kill -HUP "$PID"
	wait_until reloads_said $((i + 1)) || break
done
kill "${BG_PIDS[-1]}" 2>/dev/null
check_eq "60 reloads: each said" "$(grep -c 'listarc.conf read again' "$T/r.err")" 61
check "... at most 3 configurations kept with one loop and its render thread" \
	test "$(grep -o '([0-9]* read by SIGHUP' "$T/r.err" | tr -d '(' | sort -n | tail -1 | cut -d' ' -f1)" -le 3
curl -s "$U/" >last
check "... and the last one in force" grep -q 'Title 60' last
stop_server r
