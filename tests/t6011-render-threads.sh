#!/usr/bin/env bash
# t6011-render-threads: `listarc serve` makes pages on render threads and
# answers from its page cache on the event loop, so a page being made,
# however slow, never holds up the loop's other connections.  A test hook
# (LISTARC_TEST_HOLD=DIR, http_config.test_hold) holds every page a render
# thread makes while DIR/hold exists: with one loop and one page held, a
# cached page is answered (and a 304) while the held one is still
# waiting, then the held one comes out whole.  A client that gives up
# while its page is queued, and SIGTERM while a page is held, leave the
# server clean (ASan watching): the page is made, the server exits 0.
# No timings: each step waits for what the server does.
. "$(dirname "$0")/lib.sh"
plan 14
DATA=$T/arc
la index --data "$DATA" seeds "$ROOT/samples/seeds.mbox" 2>/dev/null
HOLD=$T/hold
mkdir -p "$HOLD"
export LISTARC_TEST_HOLD=$HOLD

# hold_on: from now on every page a render thread makes waits.
hold_on() {
	rm -f "$HOLD/held"
	mkfifo "$HOLD/hold"
}
# hold_off: lets the page held go, and the pages after it.
hold_off() {
	local fd
	exec {fd}>"$HOLD/hold"
	rm -f "$HOLD/hold"
	exec {fd}>&-
}
month=/seeds/2019/05/
la get --data "$DATA" "$month" >month.want 2>/dev/null
la get --data "$DATA" /seeds/ >list.want 2>/dev/null

start_server h --threads 1
curl -s -o warm.out "$U/seeds/"
etag=$(curl -s -D - -o /dev/null "$U/seeds/" | grep -i '^etag:' | cut -d' ' -f2- | tr -d '\r')
check "the list page, made once: the bytes listarc get prints" cmp -s warm.out list.want

hold_on
curl -s -o held.out -w '%{http_code}' "$U$month" >held.code &
held_pid=$!
check "a month page being made is held" wait_until test -e "$HOLD/held"
code=$(curl -s --max-time 60 -o cached.out -w '%{http_code}' "$U/seeds/")
check_eq "meanwhile the cached list page is answered on the same loop" "$code" 200
check "... whole" cmp -s cached.out list.want
code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$U/seeds/")
check_eq "... and a 304 for it" "$code" 304
check "... while the month page is still held" kill -0 "$held_pid"
# A client that gives up while its page waits for the render thread.
exec {c}<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /seeds/2019/ HTTP/1.1\r\nHost: x\r\n\r\n' >&"$c"
exec {c}>&-
hold_off
wait "$held_pid"
check_eq "let go, the month page comes: 200" "$(cat held.code)" 200
check "... the bytes listarc get prints" cmp -s held.out month.want
la get --data "$DATA" /seeds/2019/ >year.want 2>/dev/null
curl -s -o year.out "$U/seeds/2019/"
check "the page whose client gave up is served to the next" cmp -s year.out year.want

# Many pages at once, cached and not, through one loop and one render
# thread: each the bytes of listarc get.
paths=(/ /seeds/ "$month" /seeds/2019/ "/seeds/?q=kernel" /seeds/new.atom /api/v1/seeds/)
for round in 1 2 3; do
	pids=()
	for i in "${!paths[@]}"; do
		curl -s -o "p$round-$i.out" "$U${paths[$i]}" &
		pids+=($!)
	done
	wait "${pids[@]}"
done
same=0
for round in 1 2 3; do
	for i in "${!paths[@]}"; do
		la get --data "$DATA" "${paths[$i]}" >want.out 2>/dev/null
		cmp -s "p$round-$i.out" want.out && same=$((same + 1))
	done
done
check_eq "21 requests at once, 7 pages 3 times: each the bytes listarc get prints" "$same" 21

# SIGTERM while a page is held: the loop waits for it, then exits.
hold_on
curl -s -o last.out -w '%{http_code}' "$U/seeds/2019/05/20/" >last.code &
last_pid=$!
check "a day page being made is held" wait_until test -e "$HOLD/held"
kill -TERM "$PID"
hold_off
wait "$last_pid"
check_eq "SIGTERM with a page held: the page is still sent" "$(cat last.code)" 200
reap_server h
check "the server logged no error" bash -c "! grep -q ' error listarc' '$T/h.err'"
