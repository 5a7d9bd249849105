#!/usr/bin/env bash
# t1321-export-repack: an exported epoch past its bound of packs rolls
# only its small recent packs into one (size tiers, src/export/export.c),
# leaving its big packs as they are; a rolled-up pack is retired (a
# marker in GITDIR/listarc-retired/, no longer named in
# objects/info/packs, still on disk for dumb HTTP clients that read the
# old list; git sees no garbage) and deleted by a later
# run once its grace is over.  A run killed (-9) at every write of its
# repack, then rerun, leaves an epoch git fsck accepts, with every pack
# objects/info/packs names on disk and every message; the retired packs
# deleted afterwards were not needed.  Needs git only.
. "$(dirname "$0")/lib.sh"
N=14
plan $N
if ! command -v git >/dev/null; then
	skip $N "git is not installed"
	exit 0
fi
export LISTARC_EXPORT_BATCH=2 LISTARC_EXPORT_PACKS=4

# The first K messages of samples/seeds.mbox (36), lore's From_ lines.
first() {
	sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$ROOT/samples/seeds.mbox" |
		awk -v k="$1" '/^From mboxrd@z /{n++} n<=k'
}
G=a/inbox/v2/git/0.git
PK=$G/objects/pack
named() { grep -c '^P ' "$1/objects/info/packs"; }
retired() { ls "$1/listarc-retired" 2>/dev/null | wc -l; }
# Every pack objects/info/packs names is on disk with its index, and none
# of them is retired.
names_ok() {
	local g=$1 p
	for p in $(sed -n 's/^P //p' "$g/objects/info/packs"); do
		[ -f "$g/objects/pack/$p" ] && [ -f "$g/objects/pack/${p%.pack}.idx" ] &&
			[ ! -e "$g/listarc-retired/${p%.pack}" ] || return 1
	done
}

first 16 >live.mbox
la index --data a --quiet v2 live.mbox
la export --data a >r1.out
check_eq "16 messages in batches of 2, bound 4: the 8 packs rolled into one, the 8 retired but kept" \
	"$(grep -c repacked r1.out) $(named $G) $(retired $G) $(ls $PK/*.pack | wc -l)" "1 1 8 9"
check "...objects/info/packs names only the new pack" names_ok $G
big=$(sed -n 's/^P //p' $G/objects/info/packs)

first 26 >live.mbox
la index --data a --quiet v2 live.mbox
la export --data a >r2.out
check_eq "10 more: the 5 new small packs rolled into one; the big pack left as it was" \
	"$(grep -c repacked r2.out) $(named $G) $(grep -c "^P $big\$" $G/objects/info/packs) $(retired $G)" \
	"1 2 1 13"
check "...its file not written again" sh -c "[ ! $PK/$big -nt r1.out ]"
check "...git fsck finds nothing wrong (retired packs still there)" git -C $G fsck --strict --no-progress

la export --data a >r3.out
check_eq "a run within the grace period deletes no retired pack" "$(retired $G) $(grep -c deleted r3.out)" "13 0"
find $G/listarc-retired -type f -exec touch -d '2 hours ago' {} +
la export --data a >r4.out
check "...once the grace is over, the next run deletes them" grep -q '13 retired packs deleted' r4.out
check_eq "...their files gone: the packs on disk are those objects/info/packs names" \
	"$(retired $G) $(ls $PK | grep -vc '\.\(pack\|idx\|rev\|bitmap\)$') $(ls $PK/*.pack | wc -l) $(named $G) $(git -C $G count-objects -v 2>&1 | grep -c '^warning: garbage')" "0 0 2 2 0"
check_eq "...every message still there; git fsck finds nothing wrong" \
	"$(git -C $G fsck --strict --no-progress 2>&1)$(git -C $G rev-list --count master)" 26

# kill -9 at each write of a run's repack (tests/faulthook.c), from the
# state before it: 10 new messages (5 packs) past the bound.
HOOK=$ROOT/build/faulthook.so
rm -rf a
first 16 >live.mbox
la index --data a --quiet v2 live.mbox
la export --data a >/dev/null
first 26 >live.mbox
la index --data a --quiet v2 live.mbox
cp -a a pre
FAULT_TRACE=$T/trace.txt LD_PRELOAD=$HOOK "$RELEASE" export --data a >/dev/null
# The repack's calls: after the last batch's record (its WAL writes),
# up to the dumb HTTP files it writes (objects/info/packs, info/refs);
# the record's checkpoint at close comes after them.
info=$(grep -n ' packs\.tmp' trace.txt | tail -1 | cut -d: -f1)
first_call=$(($(head -n "$info" trace.txt | grep -n 'sqlite3-wal$' | tail -1 | cut -d: -f1) + 1))
last_call=$((info + 1))
echo "# repack: calls $first_call..$last_call of $(wc -l <trace.txt):"
sed -n "${first_call},${last_call}p" trace.txt | awk '{print $2, $3}' | uniq -c | sed 's/^/#   /'
# Its first writes, every 8th of the pack's, and its last 12 (the pack's
# end, its index, the syncs, the lists) each in a run of its own.
points=$( (seq "$first_call" $((first_call + 2)); seq "$first_call" 8 "$last_call"
	seq $((last_call - 11)) "$last_call") | sort -nu)
killed=0 bad=""
for c in $points; do
	rm -rf k && cp -a pre k
	FAULT_KILL_AT=$c FAULT_LOG=$T/kills.txt LD_PRELOAD=$HOOK "$RELEASE" export --data k >/dev/null 2>&1 &
	wait $! 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
	KG=k/inbox/v2/git/0.git
	"$RELEASE" export --data k >k.out 2>k.err || bad="$bad $c:rerun"
	names_ok $KG || bad="$bad $c:names"
	git -C $KG fsck --strict --no-progress >/dev/null 2>&1 || bad="$bad $c:fsck"
	[ "$(git -C $KG rev-list --count master)" = 26 ] || bad="$bad $c:count"
	# The retired packs were not needed.
	find $KG/listarc-retired -type f -exec touch -d '2 hours ago' {} + 2>/dev/null || true
	"$RELEASE" export --data k >/dev/null 2>&1 || bad="$bad $c:delete"
	git -C $KG fsck --strict --no-progress >/dev/null 2>&1 || bad="$bad $c:fsck-after"
	[ "$(retired $KG)" = 0 ] && names_ok $KG || bad="$bad $c:left"
done
np=$(echo $points | wc -w)
check "$np of the repack's $((last_call - first_call + 1)) writes, each killed in a run of its own ($killed killed)" \
	sh -c "[ $np -ge 15 ] && [ $killed -ge $((np * 2 / 3)) ]"
check_eq "...after each, a rerun: every message, git fsck content, objects/info/packs naming packs on disk; the same once the retired packs are deleted" "$bad" ""

# An epoch within its bound is left alone.
rm -rf b
first 6 >live.mbox
la index --data b --quiet v2 live.mbox
la export --data b >b.out
check_eq "an epoch within its bound (3 packs) is not repacked" \
	"$(grep -c repacked b.out) $(named b/inbox/v2/git/0.git) $(retired b/inbox/v2/git/0.git)" "0 3 0"
check "...and git fsck finds nothing wrong in it" git -C b/inbox/v2/git/0.git fsck --strict --no-progress
check_eq "...its objects/info/packs names every pack on disk" \
	"$(ls b/inbox/v2/git/0.git/objects/pack/*.pack | wc -l)" 3
