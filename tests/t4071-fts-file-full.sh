#!/usr/bin/env bash
# t4071-fts-file-full: a failed write of the search index's own file
# (search.sqlite), which its thread writes and commits batches behind
# index.sqlite (store/write.c), is not silent.  tests/faulthook.c makes
# the writes that would grow search.sqlite or its log fail with ENOSPC
# once B bytes went there, index.sqlite's still working (B: a third and
# two thirds of what a clean build writes there).  `listarc index` must
# stop as on a full disk of the index: exit non-zero, say which file and
# that the disk is full, and how many messages it kept (those in the
# index); the killed search file must hold no message the index lacks nor
# claim one.  With space back, the next run (ASan build) catches the file
# up: the index and its search rows equal a clean build's, word by word.
. "$(dirname "$0")/lib.sh"
HOOK=$ROOT/build/faulthook.so
plan 14
mkcorpus 1000 corpus.mbox 7
n=$(grep -c '^From ' corpus.mbox)
"$RELEASE" index -q --data ref l corpus.mbox 2>/dev/null
FAULT_DIR=$T/count/search.sqlite FAULT_COUNT=$T/count.txt LD_PRELOAD=$HOOK \
	"$RELEASE" index -q --data count l corpus.mbox 2>/dev/null
total=$(cut -d' ' -f2 count.txt)
echo "# a clean build writes $total bytes into search.sqlite's files"
ref=$(fts_vocab ref)
dump_index ref >ref.dump
for b in $((total / 3)) $((total * 2 / 3)); do
	d=sfull$b
	LISTARC_BATCH=100 FAULT_DIR=$T/$d/search.sqlite FAULT_ENOSPC_AFTER=$b LD_PRELOAD=$HOOK \
		"$RELEASE" index --data "$d" l corpus.mbox 2>err.txt
	rc=$?
	sed 's/^/#   /' err.txt | head -4
	check "search.sqlite full after $b bytes: exit status not 0 ($rc)" [ "$rc" -ne 0 ]
	check "...the error names search.sqlite and says the disk is full" \
		grep -qE 'search\.sqlite.*(disk is full|No space left)' err.txt
	kept=$(sqlite3 "$d/index.sqlite" 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)
	said=$(sed -n 's/^listarc: l: \([0-9]*\) messages were indexed before the error and are kept$/\1/p' err.txt)
	check_eq "...the messages it says it kept are those in the index" "${said:-0}" "$kept"
	check_eq "...its search index has no message the index lacks, nor claims one" \
		"$(isql "$d" "SELECT (SELECT count(*) FROM s.fts_docsize WHERE id NOT IN (SELECT id FROM messages)),
			(SELECT coalesce(max(upto), 0) FROM s.fts_state) <= (SELECT coalesce(max(id), 0) FROM messages)")" "0|1"
	"$LISTARC" index --data "$d" l corpus.mbox 2>err.txt
	check_eq "...with space back, the next run (ASan build) exits 0" $? 0
	check "...and the index equals a clean build's" cmp -s ref.dump <(dump_index "$d")
	check "...and so does its search index, word by word, each message once, upto at the last" \
		[ "$(fts_vocab "$d")" = "$ref" -a "$(isql "$d" "SELECT count(*) FROM s.fts_docsize; SELECT (SELECT upto FROM s.fts_state) = (SELECT max(id) FROM messages)")" = "$n
1" ]
done
