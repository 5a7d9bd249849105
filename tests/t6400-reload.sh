#!/usr/bin/env bash
# t6400-reload: SIGHUP makes `listarc serve` read listarc.conf again: the
# next pages show the new title and descriptions, even those its page
# cache held; a file that does not parse is refused with a line on stderr
# and the configuration in force stays.  The access log is reopened too
# (t6000 checks that).
. "$(dirname "$0")/lib.sh"
plan 7
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
stop_server r
