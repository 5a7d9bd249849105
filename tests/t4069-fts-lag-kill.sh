#!/usr/bin/env bash
# t4069-fts-lag-kill: the search index's own file (search.sqlite) is
# committed by its own thread, batches behind index.sqlite (store/write.c,
# st_fts_commit: a commit mark handed over after the index's COMMIT).
# LISTARC_FTS_LAG=3 makes the thread leave the rows until more than three
# batches' commit marks wait, so that the file lags up to four batches;
# `listarc index` is then killed (SIGKILL) at calls spread over a traced
# clean run's writes, on either file.  Each killed archive must never
# search a message its pages lack (no row of the search index without its
# message, upto never past the last message), some must have been killed
# with the file more than one batch behind, and a run then (the ASan build)
# must end with the search index of one uninterrupted run.  And an
# uninterrupted run with the lag ends with the file whole: `listarc
# search` right after it finds everything.  A reader whose snapshot of
# the index lacks a message the search file has (the file committed
# between its two reads) neither shows it nor counts it, nor fails: the
# message's row taken out of index.sqlite stands in for such a snapshot.
. "$(dirname "$0")/lib.sh"
HOOK=$ROOT/build/faulthook.so
plan 10
mkcorpus 400 corpus.mbox 13
n=$(grep -c '^From ' corpus.mbox)
export LISTARC_BATCH=20

"$RELEASE" index -q --data ref l corpus.mbox 2>/dev/null
export LISTARC_FTS_LAG=3
LISTARC_FTS_LAG=3 la index -q --data lag l corpus.mbox 2>/dev/null
check_eq "a run whose search file lags 3 batches exits 0" $? 0
ans() {
	for q in the review '"the patch"' 'dfb:return' 's:re'; do
		"$LISTARC" search --data "$1" --limit 1000 "$q" 2>&1
	done | md5sum
}
check_eq "...and its search index is whole at its end: searches answer as a run without the lag" \
	"$(ans lag)" "$(ans ref)"

first=$("$LISTARC" search --data lag --limit 1 the 2>/dev/null | awk 'NR == 1 { print $2 }')
count() { "$LISTARC" search --data lag --limit 1 the 2>&1 | sed -n 's/.* of \([0-9]*\) matching.*/\1/p'; }
before=$(count)
day=$(echo "$first" | awk -F/ '{ print $3 $4 $5 }')
num=${first##*/}
sqlite3 lag/index.sqlite "DELETE FROM messages WHERE day = $day AND num = $num"
out=$("$LISTARC" search --data lag --limit 1000 the 2>&1)
without_first() { [ -n "$first" ] && [ -n "$out" ] && ! grep -qF " $first " <<<"$out"; }
check "a search whose newest match has no message row in the reader's index answers without it ($first)" \
	without_first
check_eq "...and counts one match fewer" "$(count)" "$((before - 1))"

FAULT_DIR=$T/tr/ FAULT_TRACE=$T/trace.txt LD_PRELOAD=$HOOK "$RELEASE" index -q --data tr l corpus.mbox 2>/dev/null
total=$(wc -l <trace.txt)
# 24 kill points over the run's writes (the schema's first writes
# skipped), on any file.
"$PYTHON" -c "
import sys
t = $total
print(' '.join(str(t // 10 + k * (t - t // 10) // 24) for k in range(24)))" >points.txt

killed=0 lagging=0 bad=0 runs=0
for p in $(cat points.txt); do
	d=k-$p
	runs=$((runs + 1))
	FAULT_DIR=$T/$d/ FAULT_KILL_AT=$p LD_PRELOAD=$HOOK "$RELEASE" index -q --data "$d" l corpus.mbox 2>/dev/null &
	wait $! 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
	# What a reader sees now, before any writer has run.
	state=$(isql "$d" "SELECT (SELECT count(*) FROM s.fts_docsize WHERE id NOT IN (SELECT id FROM messages)),
		(SELECT coalesce(max(upto), 0) FROM s.fts_state) <= (SELECT coalesce(max(id), 0) FROM messages),
		(SELECT coalesce(max(id), 0) FROM messages) - (SELECT coalesce(max(upto), 0) FROM s.fts_state) > $LISTARC_BATCH" 2>&1)
	case $state in
	"0|1|1") lagging=$((lagging + 1)) ;;
	"0|1|0") ;;
	*)
		bad=$((bad + 1))
		echo "# $d: $state"
		;;
	esac
done
check "at least 3/4 of the $runs runs were killed (killed: $killed)" [ $((killed * 4)) -ge $((runs * 3)) ]
check_eq "no killed archive's search index has a message its pages lack, nor claims one" "$bad" 0
check "some were killed with the search file more than a batch behind the index ($lagging)" \
	[ "$lagging" -ge 3 ]

ref=$(fts_vocab ref)
dump_index ref >ref.dump
fails=0 notsame=0 notonce=0
for p in $(cat points.txt); do
	d=k-$p
	la index -q --data "$d" l corpus.mbox 2>"$d.err" || fails=$((fails + 1))
	dump_index "$d" | cmp -s - ref.dump || notsame=$((notsame + 1))
	[ "$(fts_vocab "$d")" = "$ref" ] || notsame=$((notsame + 1))
	[ "$(isql "$d" "PRAGMA integrity_check; SELECT count(*) FROM s.fts_docsize; SELECT (SELECT upto FROM s.fts_state) = (SELECT max(id) FROM messages)")" = "ok
$n
1" ] || notonce=$((notonce + 1))
done
check_eq "then a run (ASan build, the lag still asked for) of each exits 0" "$fails" 0
check_eq "...and each archive's messages and search index equal the uninterrupted run's, word by word" "$notsame" 0
check_eq "...each message once in the search index, upto at the last message, both files intact" "$notonce" 0
