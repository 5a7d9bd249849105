#!/usr/bin/env bash
# t4100-crash: `listarc index` killed with SIGKILL at 20 random points of a
# 20,000-message run, then run to the end, gives the same index as one
# uninterrupted run, with every message exactly once.  The kills use the
# release build (for speed) with small batches (LISTARC_BATCH=200: about
# a hundred commits, so kills also land inside them); the run that
# finishes, and the checks of the result, use the ASan build.
# CRASH_SEED=N replays the kill points of an earlier run.
. "$(dirname "$0")/lib.sh"
RELEASE=${LISTARC_RELEASE:-$ROOT/listarc}
[ -x "$RELEASE" ] || RELEASE=$LISTARC
export LISTARC_BATCH=200
seed=${CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
echo "# CRASH_SEED=$seed"

"$PYTHON" "$SHARED/corpora/gen-corpus.py" 20000 corpus.mbox >/dev/null 2>&1
n=$(grep -c '^From ' corpus.mbox)
size=$(stat -c %s corpus.mbox)
check_eq "the generated corpus has 20,000 From_ lines" "$n" 20000

now() { date +%s.%N; }
# The reference: one uninterrupted run, timed.
t0=$(now)
"$RELEASE" index --data ref crash corpus.mbox 2>err.txt
rc=$?
t1=$(now)
check_eq "one uninterrupted run exits 0" $rc 0
check "...and indexes all 20,000 messages" grep -q '^crash: 20000 messages indexed' err.txt
D=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
echo "# one full run takes ${D} s"

# Kill points spread over the run: point i is drawn in the i-th twentieth
# of the full run's duration D.  A run resumes where the last one
# committed, so it is killed after (point - time the run would have taken
# to get this far), the latter estimated from the bytes already indexed.
points=$("$PYTHON" -c '
import random, sys
random.seed(int(sys.argv[1])); d = float(sys.argv[2])
print(" ".join("%.4f" % (d * (i + random.random()) / 20) for i in range(20)))' "$seed" "$D")
killed=0
: >progress.txt
for p in $points; do
	done_bytes=$(sqlite3 crash/index.sqlite 'SELECT coalesce(max(done), 0) FROM sources' 2>/dev/null || echo 0)
	delay=$(awk -v p="$p" -v d="$D" -v dn="$done_bytes" -v size="$size" \
		'BEGIN { x = p - d * dn / size; printf "%.4f", (x > 0.002 ? x : 0.002) }')
	"$RELEASE" index --data crash crash corpus.mbox 2>/dev/null &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null # (no "Killed" from the shell)
	rc=$?
	[ $rc -eq 137 ] && killed=$((killed + 1))
	after=$(sqlite3 crash/index.sqlite 'SELECT coalesce(max(done), 0) FROM sources' 2>/dev/null || echo 0)
	echo "$p $delay $rc $done_bytes $after" >>progress.txt
done
echo "# kill point (s), delay (s), exit status, bytes indexed before and after:"
sed 's/^/#   /' progress.txt
check "at least 15 of the 20 runs were killed before they finished (killed: $killed)" [ "$killed" -ge 15 ]
check "the kills left the index at 10 or more different points" \
	[ "$(cut -d' ' -f5 progress.txt | sort -u | wc -l)" -ge 10 ]
check "kills landed in the first half of the file" \
	[ "$(awk -v s="$size" '$3 == 137 && $4 < s / 2' progress.txt | wc -l)" -ge 1 ]
check "...and in the second half" \
	[ "$(awk -v s="$size" '$3 == 137 && $4 >= s / 2' progress.txt | wc -l)" -ge 1 ]
echo "# $(awk '$3 == 137 && $4 == $5' progress.txt | wc -l) kills came before the run's first commit"

# The last run, with the ASan build, completes the index.
before=$(sqlite3 crash/index.sqlite 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)
"$LISTARC" index --data crash crash corpus.mbox 2>err.txt
check_eq "the final run (ASan build) exits 0" $? 0
check "...and indexes exactly the messages the killed runs had not committed ($((n - before)))" \
	grep -q "^crash: $((n - before)) messages indexed" err.txt
"$LISTARC" index --data crash crash corpus.mbox 2>err.txt
check "a run after it finds nothing new" grep -q '^crash: 0 messages indexed' err.txt

check_eq "the index is intact (PRAGMA integrity_check)" \
	"$(sqlite3 crash/index.sqlite 'PRAGMA integrity_check')" ok
check_eq "every message is indexed exactly once: as many as From_ lines" \
	"$(sqlite3 crash/index.sqlite 'SELECT count(*), count(DISTINCT off) FROM messages')" "$n|$n"
dump_index ref >ref.txt
dump_index crash >crash.txt
if cmp -s ref.txt crash.txt; then
	ok "message ids, URLs, offsets and thread partitions equal those of one uninterrupted run"
else
	not_ok "message ids, URLs, offsets and thread partitions equal those of one uninterrupted run"
	diff ref.txt crash.txt | head -10 | sed 's/^/#   /'
fi
q='SELECT d.day, d.count FROM days d ORDER BY d.day'
check_eq "the day counts (calendars, next free numbers) are the same" \
	"$(sqlite3 crash/index.sqlite "$q" | md5sum)" "$(sqlite3 ref/index.sqlite "$q" | md5sum)"
q='SELECT mid, msgs, parent IS NULL FROM mids ORDER BY mid'
check_eq "every Message-ID (ghosts too) counts the same messages" \
	"$(sqlite3 crash/index.sqlite "$q" | md5sum)" "$(sqlite3 ref/index.sqlite "$q" | md5sum)"
check_eq "the resume point is the end of the file" \
	"$(sqlite3 crash/index.sqlite 'SELECT done FROM sources')" "$size"
# A few pages of the result, with the ASan build.
DATA=$T/crash
for u in $(sqlite3 crash/index.sqlite "SELECT printf('/crash/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100,
	day % 100, num) FROM messages WHERE id % 4000 = 1"); do
	get "$u" >page.html
	check_eq "$u answers 200" "$STATUS/$RC" "200/0"
done
