#!/usr/bin/env bash
# t4093-fts-spool: what the writer hands the search index's thread and
# the thread has not taken yet goes to a spool, an unnamed file in the
# data directory (store/write.c, spool_put), which the thread reads
# first, in order, commit marks among the rows: the writer never waits
# for the thread.  LISTARC_FTS_SPOOL=all sends every hand-off (rows and
# commit marks) through it in small records; LISTARC_FTS_SPOOL=fail too,
# its third write failing as with a full disk (the writer then waits for
# the thread as without a spool).  Each gives the search index of the
# serial writer (LISTARC_FTS_SERIAL=1), word by word, and the same pages;
# `listarc index` killed (SIGKILL, tests/faulthook.c) at calls spread
# over a spooled run's writes, the spool's among them, leaves no search
# row without its message and no spool file, and a run then ends with
# every message searchable exactly once.
. "$(dirname "$0")/lib.sh"
HOOK=$ROOT/build/faulthook.so
plan 15
mkcorpus 1000 corpus.mbox 31
n=$(grep -c '^From ' corpus.mbox)

LISTARC_FTS_SERIAL=1 la index -q --data S l corpus.mbox 2>S.err
check_eq "S: the serial writer (LISTARC_FTS_SERIAL=1): exit 0" $? 0
LISTARC_FTS_SPOOL=all LISTARC_TEST_MEMORY=1 la index -q --data A l corpus.mbox 2>A.err
check_eq "A: every hand-off through the spool: exit 0" $? 0
line=$(grep '^memory:' A.err)
val() { sed -n "s/.* $1=\([-0-9]*\).*/\1/p" <<<" ${line#memory:}"; }
spooled=$(val search_spooled)
echo "# A: $spooled records spooled, at most $(val search_spool_max) bytes held"
check "...through $spooled records of the spool (more than 20)" [ "${spooled:-0}" -gt 20 ]
check_eq "...and every message has its row, upto at the last message" \
	"$(isql A 'SELECT count(*) FROM s.fts_docsize')|$(sqlite3 A/search.sqlite 'SELECT upto FROM fts_state')" \
	"$n|$(sqlite3 A/index.sqlite 'SELECT max(id) FROM messages')"

LISTARC_FTS_SPOOL=all LISTARC_BATCH=37 LISTARC_FTS_LAG=2 la index -q --data B l corpus.mbox 2>B.err
check_eq "B: the spool, batches of 37, the thread holding 2 batches' marks: exit 0" $? 0
LISTARC_FTS_SPOOL=fail LISTARC_TEST_MEMORY=1 la index -q --data F l corpus.mbox 2>F.err
rc=$?
line=$(grep '^memory:' F.err)
check_eq "F: the spool's third write fails: exit 0, nothing said, two records spooled" \
	"$rc|$(grep -Evc '^(memory|states):' F.err)|$(val search_spooled)" "0|0|2"

ref=$(fts_vocab S)
check "A, B and F: the search index holds the same words at the same places as S's" \
	[ "$(fts_vocab A)" = "$ref" -a "$(fts_vocab B)" = "$ref" -a "$(fts_vocab F)" = "$ref" \
	-a "$(isql S 'SELECT count(*) FROM s.fts_data')" -gt 10 ]
ans() {
	for q in the review '"the patch"' 'dfb:return' 's:re' 'f:a*' 'nq:fix AND NOT s:re'; do
		"$LISTARC" search --data "$1" --limit 1000 "$q" 2>&1
	done | md5sum
}
check "A, B and F: searches answer as S's" \
	[ "$(ans A)" = "$(ans S)" -a "$(ans B)" = "$(ans S)" -a "$(ans F)" = "$(ans S)" ]
sqlite3 S/index.sqlite "
  SELECT printf('/l/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num) FROM messages
    WHERE id % 7 = 0
  UNION ALL SELECT DISTINCT printf('/l/%04d/%02d/', day / 10000, day / 100 % 100) FROM messages
  UNION ALL SELECT '/l/' UNION ALL SELECT '/l/?q=the' UNION ALL SELECT '/l/?q=review&x=t'
  UNION ALL SELECT '/l/?q=s%3Are' UNION ALL SELECT '/l/new.atom'" >paths.txt
same_pages paths.txt "A and F: the $(wc -l <paths.txt) pages (messages, months, searches) are S's, byte for byte" S A F

# Kills over a spooled run's writes (small batches: many commits).
export LISTARC_FTS_SPOOL=all LISTARC_BATCH=40
FAULT_DIR=$T/tr/ FAULT_TRACE=$T/trace.txt LD_PRELOAD=$HOOK "$RELEASE" index -q --data tr l corpus.mbox 2>/dev/null
total=$(wc -l <trace.txt)
# 8 kill points spread over the run's writes (the schema's first writes
# skipped; the hook's), and 4 once the spool's N-th record is written
# (LISTARC_FTS_SPOOL=kill:N, spread over A's records).
"$PYTHON" -c "
t, s = $total, $spooled
print('\n'.join(str(t // 10 + k * (t - t // 10) // 8) for k in range(8)))
print('\n'.join('s' + str(1 + k * (s - 1) // 4) for k in range(4)))" | sort -u >points.txt
echo "# $total write calls; $(wc -l <points.txt) kill points"

killed=0 bad=0 left=0
for p in $(cat points.txt); do
	d=k-$p
	if [ "${p#s}" != "$p" ]; then
		LISTARC_FTS_SPOOL=kill:${p#s} "$RELEASE" index -q --data "$d" l corpus.mbox 2>/dev/null &
	else
		FAULT_DIR=$T/$d/ FAULT_KILL_AT=$p FAULT_LOG=$T/kills.txt LD_PRELOAD=$HOOK \
			"$RELEASE" index -q --data "$d" l corpus.mbox 2>/dev/null &
	fi
	wait $! 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
	state=$(isql "$d" "SELECT (SELECT count(*) FROM s.fts_docsize WHERE id NOT IN (SELECT id FROM messages)),
		(SELECT coalesce(max(upto), 0) FROM s.fts_state) <= (SELECT coalesce(max(id), 0) FROM messages)" 2>&1)
	if [ "$state" != "0|1" ]; then
		bad=$((bad + 1))
		echo "# $d: $state"
	fi
	ls -A "$d" | grep -qv -e '^index\.sqlite' -e '^search\.sqlite' -e '^lock$' &&
		left=$((left + 1)) && ls -A "$d" | sed "s/^/# $d: /"
done
runs=$(wc -l <points.txt)
check "at least 3/4 of the $runs runs were killed (killed: $killed)" [ $((killed * 4)) -ge $((runs * 3)) ]
check_eq "no killed archive's search index has a message its pages lack, nor claims one" "$bad" 0
check_eq "...and none has a spool file left in its directory" "$left" 0

fails=0 notsame=0 notonce=0
for p in $(cat points.txt); do
	d=k-$p
	la index -q --data "$d" l corpus.mbox 2>"$d.err" || fails=$((fails + 1))
	[ "$(fts_vocab "$d")" = "$ref" ] || notsame=$((notsame + 1))
	[ "$(isql "$d" "PRAGMA integrity_check; SELECT count(*), count(DISTINCT id) FROM s.fts_docsize; SELECT (SELECT upto FROM s.fts_state) = (SELECT max(id) FROM messages)")" = "ok
$n|$n
1" ] || notonce=$((notonce + 1))
done
check_eq "then a run (ASan build, spooled) of each exits 0" "$fails" 0
check_eq "...each message once in the search index, upto at the last message, both files intact" "$notonce" 0
check_eq "...and each search index equals S's, word by word" "$notsame" 0
