#!/usr/bin/env bash
# t6023-outline-memo: the outline under a message (and a thread page's
# tree) is made from a thread's rows that a reader keeps for its data
# version (store/memo.c, store_thread_ids_memo and
# store_thread_msgs_lean_memo).  Served pages (one render thread, no page
# cache: every page made again, the second time from what was kept) are
# what a fresh `listarc get` makes, byte for byte, at every step: before,
# after a reply is delivered while the server runs (another process's
# commit), after a message that joins two threads is delivered, after a
# message of the thread is hidden and after it is shown again.
. "$(dirname "$0")/lib.sh"
plan 17
DATA=$T/arc

# msg ID SUBJECT DATE [PARENT [REFERENCES]]: one message with a From_ line.
msg() {
	printf 'From x@example.org %s\n' "$3"
	printf 'From: Person %s <p%s@example.org>\nSubject: %s\nMessage-ID: <%s@t6023>\n' "$1" "$1" "$2" "$1"
	printf 'Date: %s +0000\n' "$3"
	[ -n "${4:-}" ] && printf 'In-Reply-To: <%s@t6023>\n' "$4"
	[ -n "${5:-}" ] && printf 'References: %s\n' "$5"
	printf '\nBody of %s.\n\n' "$1"
}
{
	msg a1 'first of a' 'Mon Jan  6 10:00:00 2025'
	msg a2 'Re: second of a' 'Mon Jan  6 11:00:00 2025' a1 '<a1@t6023>'
	msg a3 'Re: third of a' 'Tue Jan  7 09:00:00 2025' a2 '<a1@t6023> <a2@t6023>'
	msg b1 'first of b' 'Tue Jan  7 10:00:00 2025'
} >"$T/thr.mbox"
la index --data "$DATA" --quiet thr "$T/thr.mbox"
check "the threads are indexed" [ $? -eq 0 ]

PAGES="/thr/a1@t6023/ /thr/a2@t6023/ /thr/a3@t6023/ /thr/b1@t6023/ /thr/2025/01/06/1
/thr/a1@t6023/T/ /thr/a1@t6023/t/ /thr/b1@t6023/t/"
# same STEP: every page served twice is what `listarc get` makes; a1's
# page in $T/STEP.html.
same() {
	local p n=0 bad=0
	for p in $PAGES; do
		n=$((n + 1))
		curl -s -o "$T/$1.$n.a" "$U$p"
		curl -s -o "$T/$1.$n.b" "$U$p"
		la get --data "$DATA" "$p" >"$T/$1.$n.get" 2>/dev/null
		if ! cmp -s "$T/$1.$n.a" "$T/$1.$n.get" || ! cmp -s "$T/$1.$n.b" "$T/$1.$n.get"; then
			echo "# $1: $p differs from get's" >&2
			bad=$((bad + 1))
		fi
	done
	cp "$T/$1.1.a" "$T/$1.html"
	check_eq "$1: the served pages are what get makes, twice" "$bad" 0
}

start_server memo --cache-mb 0 --threads 1
same before
check "before: a1's outline shows a3" grep -q 'third of a' "$T/before.html"
check "...and not b" bash -c "! grep -q 'first of b' '$T/before.html'"

deliver() { la deliver --data "$DATA" thr 2>/dev/null; }
msg a4 'Re: fourth of a' 'Wed Jan  8 09:00:00 2025' a1 '<a1@t6023>' | sed 1d | deliver
check "a reply is delivered" [ $? -eq 0 ]
same delivered
check "...a1's outline shows it" grep -q 'fourth of a' "$T/delivered.html"

msg c1 'Re: both' 'Wed Jan  8 10:00:00 2025' a3 '<b1@t6023> <a1@t6023> <a3@t6023>' | sed 1d | deliver
check "a message naming both threads is delivered" [ $? -eq 0 ]
same joined
check "...a1's outline shows b's messages now" grep -q 'first of b' "$T/joined.html"

la hide --data "$DATA" --reason test thr '<a2@t6023>' 2>/dev/null
check "a2 is hidden" [ $? -eq 0 ]
same hidden
check "...a1's outline does not show it" bash -c "! grep -q 'second of a' '$T/hidden.html'"
la unhide --data "$DATA" thr '<a2@t6023>' 2>/dev/null
check "shown again" [ $? -eq 0 ]
same shown
check "...a1's outline shows it again" grep -q 'second of a' "$T/shown.html"
stop_server memo
