#!/usr/bin/env bash
# t4073-first-index-states: a first `listarc index` makes the series'
# states once at its end (store_states_finish), not at each commit
# (docs/series.md, "State"), and ends with the states each commit would
# have made, however it was killed and run again.  The corpus:
# ../shared/corpora/gen-corpus.py (3,000 messages, seed 5: patch series
# throughout), in batches of 100.
#   - ref: one run; each: every commit computing its states
#     (LISTARC_STATES_EACH_COMMIT=1): the same series_state rows, meta
#     series_state 1 in both;
#   - killed: the run killed by tests/faulthook.c at the middle of its
#     writes: messages committed, meta series_state 0, and the list of
#     series a reader shows then (computed from the rows) is the one an
#     index of the same messages with its states shows; run again to the
#     end: the same series_state rows and series pages as ref;
#   - an index left with meta series_state 0 and nothing new to index (a
#     run killed inside its last step): a no-op `index` makes the states.
. "$(dirname "$0")/lib.sh"
plan 11
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 11 "../shared/corpora is not here"
	exit 0
fi
export LISTARC_BATCH=100
"$PYTHON" "$GEN" 3000 corpus.mbox 5 >/dev/null 2>&1
state() { sqlite3 "$1/index.sqlite" "SELECT * FROM series_state ORDER BY id"; }
meta() { sqlite3 "$1/index.sqlite" "SELECT value FROM meta WHERE key = 'series_state'"; }

"$RELEASE" index -q --data ref gen corpus.mbox 2>ref.err &&
	LISTARC_STATES_EACH_COMMIT=1 "$RELEASE" index -q --data each gen corpus.mbox 2>each.err
check_eq "indexed in one run, and with the states made at each commit" $? 0
check "...the index has series states (more than 100)" \
	[ "$(sqlite3 ref/index.sqlite 'SELECT count(*) FROM series_state')" -gt 100 ]
check_eq "...the same states both ways, and meta series_state 1 in both" \
	"$(state ref | md5sum) $(meta ref) $(meta each)" "$(state each | md5sum) 1 1"

calls=$(index_write_calls count gen corpus.mbox)
index_killed_at $((calls / 2)) killed gen corpus.mbox
check_eq "a first index killed at the middle of its writes (call $((calls / 2)) of $calls)" $? 137
n=$(sqlite3 killed/index.sqlite "SELECT count(*) FROM messages")
check_eq "...left messages committed, and meta series_state 0" \
	"$([ "$n" -gt 0 ] && [ "$n" -lt 3000 ] && echo yes) $(meta killed)" "yes 0"
# The same messages indexed with their states made at each commit: the
# killed run's committed messages, cut from the mbox at its resume point.
head -c "$(indexed_bytes killed)" corpus.mbox >part.mbox
LISTARC_STATES_EACH_COMMIT=1 "$RELEASE" index -q --data part gen part.mbox 2>part.err
"$LISTARC" get --data killed /gen/series/ >killed.html 2>killed.err &&
	"$LISTARC" get --data part /gen/series/ >part.html 2>>killed.err
check_eq "...a reader lists the series meanwhile, as an index of those messages with their states does" \
	"$?:$(cmp -s killed.html part.html && echo same)" "0:same"

"$RELEASE" index -q --data killed gen corpus.mbox 2>rerun.err
check_eq "run again, it ends" $? 0
check_eq "...with the states of one run, meta series_state 1" \
	"$(state killed | md5sum) $(meta killed)" "$(state ref | md5sum) 1"
ok_pages=yes
for u in /gen/series/ "/gen/series/?page=2" /api/v1/gen/series/; do
	"$LISTARC" get --data ref "$u" >a.out 2>/dev/null
	"$LISTARC" get --data killed "$u" >b.out 2>/dev/null
	cmp -s a.out b.out || ok_pages="no: $u"
done
check_eq "...and the same series pages as one run's" "$ok_pages" yes

sqlite3 killed/index.sqlite "UPDATE meta SET value = '0' WHERE key = 'series_state';
	UPDATE series_state SET msgs = msgs + 7"
"$RELEASE" index -q --data killed gen 2>noop.err
check_eq "an index left with meta series_state 0: a run with nothing new exits 0" $? 0
check_eq "...and makes the states again" "$(state killed | md5sum) $(meta killed)" \
	"$(state ref | md5sum) 1"
