#!/usr/bin/env bash
# t4101-append-end: the end of an append (`listarc index` of messages
# added to an indexed mbox): index.sqlite's checkpoint made by the writer
# while the search index's thread commits search.sqlite and copies its
# own log (store_checkpoint, st_fts_checkpoint_ask).
# - Killed (SIGKILL, tests/faulthook.c) at every fsync, fdatasync and
#   ftruncate of the append and at the first and last write of each
#   checkpoint into index.sqlite and search.sqlite, a rerun ends with the
#   archive of one whole run: every message once, with the same URLs, and
#   searchable exactly once.
# - Stopped at each fsync and fdatasync (FAULT_PAUSE_AT), a reader opened
#   then (`listarc get --batch`, `listarc search`) sees the archive
#   before the append or after it, never a mix.
# - Over 20 appends with a server reading between them, both -wal files
#   stay bounded (no larger than after the first appends), and are empty
#   once the last connection closes.
. "$(dirname "$0")/lib.sh"
HOOK=$ROOT/build/faulthook.so
plan 13
[ -e "$HOOK" ] || make -s -C "$ROOT" build/faulthook.so >/dev/null
mkcorpus 600 full.mbox 41
"$PYTHON" - <<'EOF'
data = open('full.mbox', 'rb').read()
import re
cuts = [0] + [m.start() + 1 for m in re.finditer(b'\nFrom ', data)] + [len(data)]
open('head.mbox', 'wb').write(data[:cuts[500]])
open('tail.mbox', 'wb').write(data[cuts[500]:])
# The tail again, in 20 pieces of 5 messages.
for k in range(20):
    open('piece%02d.mbox' % k, 'wb').write(data[cuts[500 + 5 * k]:cuts[505 + 5 * k]])
EOF
n=$(grep -c '^From ' full.mbox)
cp head.mbox l.mbox
la index -q --data base l l.mbox 2>base.err
check_eq "the archive of the first 500 messages: exit 0" $? 0
cat tail.mbox >>l.mbox
cp -r base new
la index -q --data new l l.mbox 2>new.err
check_eq "...and its append of $((n - 500)) (the reference): exit 0, $n messages" \
	"$?|$(sqlite3 new/index.sqlite 'SELECT count(*) FROM messages')" "0|$n"

# What a whole archive must be: its messages' URLs and places, and
# every message once in the search index, upto at the last one.
facts() {
	sqlite3 "$1/index.sqlite" 'PRAGMA integrity_check' | tr '\n' ' '
	sqlite3 "$1/search.sqlite" 'PRAGMA integrity_check' | tr '\n' ' '
	sqlite3 "$1/index.sqlite" 'SELECT list_id, day, num, off, len, thread FROM messages ORDER BY id' |
		md5sum
	isql "$1" 'SELECT count(*), count(DISTINCT m.id) FROM messages m JOIN s.fts_docsize d ON d.id = m.id'
	isql "$1" 'SELECT (SELECT count(*) FROM s.fts_docsize),
	                  (SELECT upto FROM s.fts_state) = (SELECT max(id) FROM messages)'
}
ref=$(facts new)

# The append's calls, traced on a copy.
cp -r base tr
FAULT_DIR=$T/tr/ FAULT_TRACE=$T/trace.txt LD_PRELOAD=$HOOK "$RELEASE" index -q --data tr l l.mbox \
	2>tr.err
check_eq "the traced append: exit 0, the reference's archive" "$?|$(facts tr)" "0|$ref"
# Each call as (its rank among the calls on its file, call, file): the
# same call from run to run (FAULT_ONLY), where the two threads' calls
# interleave differently.
awk '{ print ++c[$3], $2, $3 }' trace.txt >calls.txt
{
	awk '$2 ~ /^(fsync|fdatasync|ftruncate)$/ { print $1, $3 }' calls.txt
	for f in index.sqlite search.sqlite; do
		awk -v f=$f '$3 == f && $2 ~ /write/ { print $1, $3 }' calls.txt | sed -n '1p;$p'
	done
} | sort -u >points.txt
echo "# the append's calls ($(wc -l <trace.txt)); its syncs and truncations, in order:"
awk '$2 ~ /^(fsync|fdatasync|ftruncate)$/' trace.txt | sed 's/^/#   /'
check "...syncs both logs and both files (their checkpoints)" \
	[ "$(awk '$2 ~ /sync/ { print $3 }' trace.txt | sort -u | tr '\n' ' ')" = \
	"index.sqlite index.sqlite-wal search.sqlite search.sqlite-wal " ]

# Killed at each point, then run again.
: >kills.txt
: >bad.txt
killed=0
while read -r nth file; do
	rm -rf k
	cp -r base k
	FAULT_DIR=$T/k/ FAULT_ONLY=$file FAULT_KILL_AT=$nth FAULT_LOG=$T/kills.txt LD_PRELOAD=$HOOK \
		"$RELEASE" index -q --data k l l.mbox 2>/dev/null </dev/null &
	wait $! 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
	"$RELEASE" index -q --data k l l.mbox 2>k.err || echo "$nth: the rerun failed" >>bad.txt
	[ "$(facts k)" = "$ref" ] || echo "$nth $file: $(facts k | tr '\n' ' ')" >>bad.txt
done <points.txt
echo "# where the kills landed (call on its file, function, file, offset, bytes, when):"
sed 's/^/#   /' kills.txt
echo "# the points (call on its file, file):"; sed 's/^/#   /' points.txt
check "killed at each of the $(wc -l <points.txt) points (killed: $killed)" \
	[ "$killed" -eq "$(wc -l <points.txt)" ]
check "...among them both checkpoints' syncs of their files" \
	[ "$(grep -cE '(fsync|fdatasync) (index|search)\.sqlite ' kills.txt)" -ge 2 ]
check "...and after each, a rerun leaves every message once, at its URL, searchable once" \
	[ ! -s bad.txt ]
sed 's/^/#   /' bad.txt | head -5

# Stopped at each sync: a reader then sees the old or the new archive.
sqlite3 new/index.sqlite "
  SELECT printf('/l/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num) FROM messages
    WHERE id % 25 = 0 OR id > (SELECT max(id) - 5 FROM messages)
  UNION ALL SELECT DISTINCT printf('/l/%04d/%02d/', day / 10000, day / 100 % 100) FROM messages
  UNION ALL SELECT '/l/' UNION ALL SELECT '/l/new.atom'" >paths.txt
view() { # view DIR OUT: the pages and a search, as one reader sees them
	"$RELEASE" get --data "$1" --batch "$2" <paths.txt >"$2.txt" 2>/dev/null
	"$RELEASE" search --data "$1" --limit 1000 the >"$2.search" 2>&1
}
pages_of() { # pages_of V: old or new, the view whose pages V's are, else mix
	local w
	for w in old new; do
		cmp -s "$1.txt" "v-$w.txt" && diff -rq "$1" "v-$w" >/dev/null && echo $w && return
	done
	echo mix
}
search_of() {
	local w
	for w in old new; do
		cmp -s "$1.search" "v-$w.search" && echo $w && return
	done
	echo mix
}
view base v-old
view new v-new
check "the two views differ (the append's messages are seen, and found)" \
	[ "$(pages_of v-old)|$(search_of v-old)|$(pages_of v-new)|$(search_of v-new)" = "old|old|new|new" ]
: >mix.txt
: >seen.txt
paused=0
while read -r nth file; do
	rm -rf p p.pause p.pause.go v-p
	cp -r base p
	FAULT_DIR=$T/p/ FAULT_ONLY=$file FAULT_PAUSE_AT=$nth FAULT_PAUSE=$T/p.pause LD_PRELOAD=$HOOK \
		"$RELEASE" index -q --data p l l.mbox 2>p.err </dev/null &
	pid=$!
	if wait_until [ -s p.pause ]; then
		paused=$((paused + 1))
		view p v-p
		# (The search index's file lags the pages, never leads them.)
		seen="$(pages_of v-p) $(search_of v-p)"
		echo "$(cat p.pause): pages $seen" >>seen.txt
		case $seen in
		"old old" | "new old" | "new new") ;;
		*) echo "$(cat p.pause): pages and search: $seen" >>mix.txt ;;
		esac
	fi
	touch p.pause.go
	wait $pid || echo "$nth $file: the paused append failed" >>mix.txt
	[ "$(facts p)" = "$ref" ] || echo "$nth $file: the paused append's archive differs" >>mix.txt
done < <(awk '$2 ~ /sync$/ { print $1, $3 }' calls.txt)
echo "# stopped at each sync (call on its file, call, file): what a reader saw, pages and search:"
sed 's/^/#   /' seen.txt
check "stopped at every sync of the append" \
	[ "$paused" -eq "$(awk '$2 ~ /sync$/' trace.txt | wc -l)" -a "$paused" -gt 3 ]
check "...a reader saw the old archive or the new one, never a mix (search never ahead), and each ended whole" \
	[ ! -s mix.txt ] && grep -q 'pages old old' seen.txt && grep -q 'pages new new' seen.txt
sed 's/^/#   /' mix.txt | head -5

# 20 appends, a server reading between them: the logs stay bounded.
cp head.mbox g.mbox
la index -q --data grow l g.mbox 2>grow.err
# copied SHM: whether the log's every frame is in its file (the -shm's
# nBackfill = mxFrame): its next writer then starts it from its beginning.
copied() {
	"$PYTHON" -c 'import struct, sys; b = open(sys.argv[1], "rb").read(100)
print("copied" if struct.unpack_from("<I", b, 16) == struct.unpack_from("<I", b, 96) else "left")' "$1"
}
DATA=$T/grow
start_server s || echo "# the server did not start"
: >wal.txt
for k in $(seq -w 0 19); do
	cat piece$k.mbox >>g.mbox
	"$RELEASE" index -q --data grow l g.mbox 2>>grow.err || echo "append $k failed" >>wal.txt
	curl -s -o /dev/null -o /dev/null "$U/l/" "$U/l/?q=the"
	echo "$k $(stat -c %s grow/index.sqlite-wal) $(stat -c %s grow/search.sqlite-wal)" \
		"$(copied grow/index.sqlite-shm) $(copied grow/search.sqlite-shm)" >>wal.txt
done
stop_server s
echo "# append, index.sqlite-wal and search.sqlite-wal bytes after it, whether each log was copied whole:"
sed 's/^/#   /' wal.txt
max=$(awk '{ if ($2 > i) i = $2; if ($3 > s) s = $3 } END { print i + 0, s + 0 }' wal.txt)
check "over 20 appends (a server reading between them) each run copied both logs whole, at most 4 MB each ($max)" \
	[ "$(grep -c ' copied copied$' wal.txt)" -eq 20 -a "${max% *}" -le 4194304 -a "${max#* }" -le 4194304 ]
"$RELEASE" index -q --data grow l g.mbox 2>>grow.err
check_eq "...and once the last connection closes, both are empty; every message searchable once" \
	"$(stat -c %s grow/index.sqlite-wal grow/search.sqlite-wal | tr '\n' ' ')$(facts grow | tail -2 | tr '\n' ' ')" \
	"0 0 $n|$n $n|1 "
