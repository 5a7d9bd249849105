#!/usr/bin/env bash
# t4100-crash: `listarc index` killed with SIGKILL at 50 points of a
# 5,000-message run, then run to the end, gives the same index as one
# uninterrupted run, with every message exactly once.
# - 25 kills at random instants after points spread over the file
#   (reading, parsing, between and inside batches), with small batches
#   (LISTARC_BATCH=50: about a hundred commits, as many as the 20,000
#   messages in batches of 200 this test once indexed, in a quarter of
#   the time);
# - 25 kills inside SQLite's own writes, by tests/faulthook.c (LD_PRELOAD):
#   the N-th write, pwrite, fsync or ftruncate of a file of the index
#   kills the process before the call, after it, or after half of its
#   bytes (a torn write): in the middle of a commit or, for the last
#   three (aimed by FAULT_TRACE), of a checkpoint.
# The kills use the release build (for speed; ASan does not preload other
# libraries); the run that finishes, and the checks of the result, use
# the ASan build.  CRASH_SEED=N replays the kill points of an earlier run.
. "$(dirname "$0")/lib.sh"
HOOK=$ROOT/build/faulthook.so
export LISTARC_BATCH=50
seed=${CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
echo "# CRASH_SEED=$seed"

# 18 checks, 7 for each of the two indexes compared with the reference,
# and one for each of the pages of every 1,000th message.
plan $((18 + 2 * 7 + 5000 / 1000))
mkcorpus 5000 corpus.mbox
n=$(grep -c '^From ' corpus.mbox)
size=$(stat -c %s corpus.mbox)
check_eq "the generated corpus has 5,000 From_ lines" "$n" 5000

now() { date +%s.%N; }
# The reference: one uninterrupted run, timed.
t0=$(now)
"$RELEASE" index --data ref crash corpus.mbox 2>err.txt
rc=$?
t1=$(now)
check_eq "one uninterrupted run exits 0" $rc 0
check "...and indexes all 5,000 messages" grep -q '^crash: 5000 messages indexed' err.txt
D=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
echo "# one full run takes ${D} s"

# Kill points spread over the file: run i is killed a random instant
# (up to half of D/25) after the index has committed past a point drawn
# in the i-th 25th of the file, so that each kill lands somewhere new
# whatever the machine's speed and load; the kill itself can fall
# anywhere in a batch: reading, parsing, writing, committing, or in a
# resumed run's start (catching the search file up with the index).
points=$("$PYTHON" -c '
import random, sys
random.seed(int(sys.argv[1])); d = float(sys.argv[2]); size = int(sys.argv[3])
print(" ".join("%d:%.4f" % (size * (i + random.random()) / 25, d * random.random() / 50)
               for i in range(25)))' "$seed" "$D" "$size")
killed=0
passed=0
: >progress.txt
for pt in $points; do
	target=${pt%%:*}
	delay=${pt#*:}
	done_bytes=$(indexed_bytes crash)
	# A run that went on past the next point before its kill (a loaded
	# machine polls slowly) leaves that point behind: every other such
	# run is killed once it has committed more, the others just after
	# they start (before their first commit), so that the kills keep
	# moving along the file whatever the load.
	if [ "$done_bytes" -ge "$target" ]; then
		passed=$((passed + 1))
		[ $((passed % 2)) -eq 0 ] && target=$((done_bytes + 1))
	fi
	# (at a lower priority than this shell's polling, so that on a
	# loaded machine the run does not go on for many commits between
	# two looks at the index: with the batches' journals in memory a
	# run is faster, and under a load of 10 a third of the runs ended
	# before their kill)
	nice -n 10 "$RELEASE" index --data crash crash corpus.mbox 2>/dev/null &
	pid=$!
	# (not a timing: this waits for the run to get past the point)
	while kill -0 "$pid" 2>/dev/null && [ "$(indexed_bytes crash)" -lt "$target" ]; do :; done
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null # (no "Killed" from the shell)
	rc=$?
	[ $rc -eq 137 ] && killed=$((killed + 1))
	after=$(indexed_bytes crash)
	echo "$target $delay $rc $done_bytes $after" >>progress.txt
done
echo "# $passed runs started past their point"
echo "# point (bytes), delay after it (s), exit status, bytes indexed before and after:"
sed 's/^/#   /' progress.txt
check "at least 19 of the 25 timed runs were killed before they finished (killed: $killed)" [ "$killed" -ge 19 ]
# (10 of 25: on a loaded machine a run goes on for a few commits while
# the loop above polls, so that the next one often starts past its point
# and half of those do not move: 12 to 15 seen at a load of 5 to 16.)
points=$(cut -d' ' -f5 progress.txt | sort -u | wc -l)
check "the kills left the index at 10 or more different points ($points)" [ "$points" -ge 10 ]
check "kills landed in the first half of the file" \
	[ "$(awk -v s="$size" '$3 == 137 && $4 < s / 2' progress.txt | wc -l)" -ge 1 ]
check "...and in the second half" \
	[ "$(awk -v s="$size" '$3 == 137 && $4 >= s / 2' progress.txt | wc -l)" -ge 1 ]
echo "# $(awk '$3 == 137 && $4 == $5' progress.txt | wc -l) kills came before the run's first commit"

# ---- 25 kills inside SQLite's writes ----
# The calls a whole run makes to the index's files: the N of each kill is
# drawn so that the runs left get through the rest of the file, roughly
# (the calls per byte grow along the file, so rather fewer); the last
# three are aimed at checkpoints.
calls=$(index_write_calls count crash corpus.mbox)
echo "# a whole run makes $calls write, fsync and ftruncate calls on the index's files"
check "the hook sees the index's writes (more than 500 calls)" [ "$calls" -gt 500 ]
killed=0
: >hook-progress.txt
: >kills.txt
rnd() { # rnd I LO HI: a number in [LO, HI] drawn from the seed and I
	"$PYTHON" -c 'import random, sys; a = list(map(int, sys.argv[1:]))
random.seed(a[0] * 100 + a[1]); print(random.randint(a[2], max(a[2], a[3])))' "$seed" "$@"
}
for i in $(seq 0 24); do
	before=$(indexed_bytes hook)
	if [ "$i" -lt 22 ]; then
		nth=$(rnd "$i" 1 $((2 * calls * (size - before) / size / (25 - i))))
	else
		# The last three die in a checkpoint, copying the log into
		# index.sqlite (the one that ends every run, or, with nothing
		# left to index, the one that finishes a killed run's): the run
		# is traced on a copy of the index first, and dies at one of the
		# calls that wrote or synced index.sqlite itself.  Only that
		# file's calls are counted (FAULT_ONLY), in the trace and in the
		# kill: the search thread checkpoints search.sqlite at the same
		# time, so the N-th of all calls differs from run to run.
		rm -rf hookcopy
		cp -r hook hookcopy
		FAULT_ONLY=index.sqlite FAULT_DIR=$T/hookcopy/ FAULT_TRACE=$T/trace.txt LD_PRELOAD=$HOOK \
			"$RELEASE" index --data hookcopy crash corpus.mbox 2>/dev/null
		awk '$3 == "index.sqlite" { print $1 }' trace.txt >ckpt.txt
		if [ ! -s ckpt.txt ]; then
			# (an earlier one of the three died after the last copy:
			# nothing is left to write into index.sqlite)
			echo "# kill $i: none, the run writes nothing into index.sqlite"
			continue
		fi
		nth=$(sed -n "$(rnd "$i" 1 "$(wc -l <ckpt.txt)")p" ckpt.txt)
		echo "# kill $i: at call $nth of the $(wc -l <ckpt.txt) the run makes into index.sqlite"
		FAULT_ONLY=index.sqlite index_killed_at "$nth" hook crash corpus.mbox
		rc=$?
		[ $rc -eq 137 ] && killed=$((killed + 1))
		echo "$nth $rc $before $(indexed_bytes hook)" >>hook-progress.txt
		continue
	fi
	index_killed_at "$nth" hook crash corpus.mbox
	rc=$?
	[ $rc -eq 137 ] && killed=$((killed + 1))
	echo "$nth $rc $before $(indexed_bytes hook)" >>hook-progress.txt
done
echo "# N-th call, exit status, bytes indexed before and after:"
sed 's/^/#   /' hook-progress.txt
echo "# where the kills landed (call, function, file, offset, bytes, when):"
sed 's/^/#   /' kills.txt
check "at least 20 of the 25 hooked runs were killed inside a write (killed: $killed)" [ "$killed" -ge 20 ]
check "kills landed in the write-ahead log (inside commits)" grep -q ' index\.sqlite-wal ' kills.txt
check "...and in the checkpoint (writes into index.sqlite, or its fsync)" \
	grep -qE '(pwrite64|fsync|fdatasync) index\.sqlite ' kills.txt
check "...some of them tearing a write in half" grep -q ' torn$' kills.txt
check "the hooked kills left the index at 10 or more different points" \
	[ "$(cut -d' ' -f4 hook-progress.txt | sort -u | wc -l)" -ge 10 ]
"$LISTARC" index --data hook crash corpus.mbox 2>err.txt
check_eq "after the hooked kills, a run (ASan build) exits 0" $? 0
check "...and indexes the rest" grep -q '^crash: [0-9]* messages indexed' err.txt

# The last run, with the ASan build, completes the index.
before=$(sqlite3 crash/index.sqlite 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)
"$LISTARC" index --data crash crash corpus.mbox 2>err.txt
check_eq "the final run (ASan build) exits 0" $? 0
check "...and indexes exactly the messages the killed runs had not committed ($((n - before)))" \
	grep -q "^crash: $((n - before)) messages indexed" err.txt
"$LISTARC" index --data crash crash corpus.mbox 2>err.txt
check "a run after it finds nothing new" grep -q '^crash: 0 messages indexed' err.txt

# same_as_ref DIR WHAT: the index in DIR equals the uninterrupted one.
same_as_ref() {
	local d=$1 w=$2
	check_eq "$w: the index is intact (PRAGMA integrity_check)" \
		"$(sqlite3 "$d/index.sqlite" 'PRAGMA integrity_check')" ok
	check_eq "$w: every message is indexed exactly once: as many as From_ lines" \
		"$(sqlite3 "$d/index.sqlite" 'SELECT count(*), count(DISTINCT off) FROM messages')" "$n|$n"
	same_index ref "$d" "$w: message ids, URLs, offsets and thread partitions equal those of one uninterrupted run"
	local q='SELECT d.day, d.count FROM days d ORDER BY d.day'
	check_eq "$w: the day counts (calendars, next free numbers) are the same" \
		"$(sqlite3 "$d/index.sqlite" "$q" | md5sum)" "$(sqlite3 ref/index.sqlite "$q" | md5sum)"
	q='SELECT mid, msgs, parent IS NULL FROM mids ORDER BY mid'
	check_eq "$w: every Message-ID (ghosts too) counts the same messages" \
		"$(sqlite3 "$d/index.sqlite" "$q" | md5sum)" "$(sqlite3 ref/index.sqlite "$q" | md5sum)"
	q="SELECT count(*) FROM fts WHERE fts MATCH 'the'"
	check_eq "$w: the search index holds each message once" \
		"$(isql "$d" "$q")" "$(isql ref "$q")"
	check_eq "$w: the resume point is the end of the file" \
		"$(sqlite3 "$d/index.sqlite" 'SELECT done FROM sources')" "$size"
}
same_as_ref crash "timed kills"
same_as_ref hook "kills inside writes"
# A few pages of the result, with the ASan build.
DATA=$T/crash
sqlite3 crash/index.sqlite "SELECT printf('/crash/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100,
	day % 100, num) FROM messages WHERE id % 1000 = 1 ORDER BY id" >pages.list
getall pages <pages.list
brc=$?
while read -r u; do
	check_eq "$u answers 200 (exit 0, in a batch that exits 0)" \
		"$(awk -v u="$u" '$4 == u { print $2 "/" $3 }' pages.txt)/$brc" "200/0/0"
done <pages.list
