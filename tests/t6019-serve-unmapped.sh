#!/usr/bin/env bash
# t6019-serve-unmapped: `listarc serve`'s render threads read the index
# with pread into their page caches, not through memory maps
# (STORE_READ_UNMAPPED; docs/server-memory.md), so what the server holds
# does not grow with the index: after pages of every kind made on them
# (messages, day, month, year, list, search, Atom, JSON, topics), neither
# index.sqlite nor search.sqlite is mapped into the server
# (/proc/PID/maps; the -shm files, which every WAL connection maps, are
# there: the look is not blind), and every page is the bytes `listarc
# get` prints.  The index grows under the running server (a second list
# indexed): its pages come whole, still without a map.  No timings.
. "$(dirname "$0")/lib.sh"
[ -r /proc/self/maps ] || skip "no /proc/PID/maps here"
plan 7
DATA=$T/arc
la index --data "$DATA" seeds "$ROOT/samples/seeds.mbox" 2>/dev/null

# mapped NAME: how many mappings of the index's file NAME the server has.
mapped() { grep -c "/$1\$" "/proc/$PID/maps"; }
# pages_of LIST: every message page of LIST and its other pages.
pages_of() {
	isql "$DATA" "SELECT printf('/%s/%04d/%02d/%02d/%d', l.name, day / 10000, day / 100 % 100, day % 100, num)
		FROM messages m JOIN lists l ON l.id = m.list_id WHERE l.name = '$1' ORDER BY m.id"
	printf '%s\n' "/$1/" "/$1/?q=kernel" "/$1/?q=s:patch" "/$1/new.atom" "/api/v1/$1/" "/$1/topics/"
	isql "$DATA" "SELECT DISTINCT printf('/%s/%04d/%02d/', l.name, day / 10000, day / 100 % 100)
		FROM messages m JOIN lists l ON l.id = m.list_id WHERE l.name = '$1'"
}
# same_as_get FILE: how many of FILE's paths the server answers with the
# bytes `listarc get` prints (the server's answers asked 8 at a time, on
# its two render threads; listarc get's in one process, --batch).
same_as_get() {
	local n=0 i=0 p
	rm -rf got want
	mkdir -p got
	la get --data "$DATA" --batch want <"$1" >/dev/null 2>&1
	awk '{ print NR " " $0 }' "$1" |
		xargs -P 8 -L 1 sh -c 'curl -s -o "got/$2" "$1$3"' _ "$U"
	while IFS= read -r p; do
		i=$((i + 1))
		cmp -s "got/$i" "want/$i" && n=$((n + 1))
	done <"$1"
	echo "$n/$i"
}

start_server s --threads 2 --cache-mb 0
pages_of seeds >seeds.paths
total=$(wc -l <seeds.paths)
check_eq "every page of a list (messages, day, month, list, search, Atom, JSON) as listarc get prints it" \
	"$(same_as_get seeds.paths)" "$total/$total"
check_eq "the render threads made them without mapping index.sqlite" "$(mapped index.sqlite)" 0
check_eq "... or search.sqlite" "$(mapped search.sqlite)" 0
check "(the server's maps are seen: the WAL index index.sqlite-shm is mapped)" \
	[ "$(mapped index.sqlite-shm)" -gt 0 ]

# The index grows while the server runs.
la index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>/dev/null
pages_of lkml >lkml.paths
total=$(wc -l <lkml.paths)
check_eq "a list indexed under the running server: its pages whole" \
	"$(same_as_get lkml.paths)" "$total/$total"
check_eq "... still without a map of either file" \
	"$(mapped index.sqlite)/$(mapped search.sqlite)" 0/0
stop_server s
