#!/usr/bin/env bash
# t3343-index-deferred-rows: a first index makes its deferred indexes
# at its end with the planner's fixed statistics of each (DROP INDEX
# takes an index's rows of sqlite_stat1 with it), and looks up a new
# Message-ID in a filter of mids' hashes before the index (write.c,
# struct midfilter).
# Neither may change a row.  The corpora: samples/, ../shared/corpora
# (lkml, notmuch, seeds, edge, peers) and 3,000 messages of
# gen-corpus.py.  A run that goes on after a kill starts with a
# Message-ID cache that does not hold every row of mids, so its
# look-ups ask the filter (made from mids' rows, added to as it goes).
#   - this build: each list in one run, every deferred index made,
#     stat1 rows for each; killed (SIGKILL) at write calls across the
#     whole run (its batches and its end's passes), and at the two
#     points of the deferred indexes' end, then run to the end: every
#     row of every table is the uninterrupted run's; the pages of a
#     killed run answer as the uninterrupted run's;
#   - with $LISTARC_ANCHOR (`make check-anchor`): the anchor's archives
#     (one run a list, the killed list's uninterrupted run, three runs
#     of a growing mbox a list) hold every row of every table this
#     build's do.
. "$(dirname "$0")/lib.sh"
plan 11
ANCHOR=${LISTARC_ANCHOR:-}
if ! have_shared || [ ! -f "$SHARED/corpora/gen-corpus.py" ]; then
	skip 11 "../shared/corpora is not here"
	exit 0
fi
corpus_mboxes c
"$PYTHON" "$SHARED/corpora/gen-corpus.py" 3000 c/gen.mbox 3343 >/dev/null 2>&1
lists=$(cd c && ls *.mbox | sed 's/\.mbox$//')
check "the corpora are here (gen, lkml, seeds, edge, notmuch, peers)" \
	[ "$(echo "$lists" | wc -w)" -ge 8 -a -s c/gen.mbox ]

DEFERRED="'mids_mid', 'messages_when', 'messages_week', 'messages_ts', 'messages_len'"
# state DIR: "indexes stat1-rows mark" of DIR's archive's deferred indexes.
state() {
	sqlite3 "$1/index.sqlite" "SELECT
		(SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ($DEFERRED))
		|| ' ' || (SELECT count(*) FROM sqlite_stat1 WHERE idx IN ($DEFERRED))
		|| ' ' || coalesce((SELECT value FROM meta WHERE key = 'indexes'), '-')"
}
# (tests/lib.sh: each list in one run, or in three of a growing mbox)
index_all() { lists_index_all "$1" "$2" $lists; }
index_runs() { lists_index_runs "$1" "$2" $lists; }
lists_cut $lists

index_all "$RELEASE" one
check_eq "one run a list: exit 0, the five deferred indexes made, with their statistics, unmarked" \
	"$?/$(state one)" "0/5 5 -"
index_rows one rowid >one.txt

# The gen list killed at write calls, batches of 200: a quarter, half
# and three quarters in, and in the end's passes (the last calls), each
# in an archive of its own then run to the end; and at the deferred
# indexes' two kill points, one after the other, the archive then left
# as the kill left it.
export LISTARC_BATCH=200
"$RELEASE" index -q --no-search --data genref gen c/gen.mbox
index_rows genref rowid >genref.txt
calls=$(FAULT_DIR=$T/gcount/ FAULT_COUNT=$T/calls.txt LD_PRELOAD=$ROOT/build/faulthook.so \
	"$RELEASE" index -q --no-search --data gcount gen c/gen.mbox >/dev/null 2>&1
	cut -d' ' -f1 "$T/calls.txt" 2>/dev/null || echo 0)
killed=0
: >killed.txt
for at in $((calls / 4)) $((calls / 2)) $((calls * 3 / 4)) $((calls - 40)) $((calls - 8)); do
	FAULT_DIR=$T/k$at/ FAULT_KILL_AT=$at FAULT_LOG=$T/kills.txt LD_PRELOAD=$ROOT/build/faulthook.so \
		"$RELEASE" index -q --no-search --data k$at gen c/gen.mbox 2>/dev/null &
	wait $! 2>/dev/null
	[ $? = 137 ] && killed=$((killed + 1))
	"$RELEASE" index -q --no-search --data k$at gen c/gen.mbox || echo "k$at: exit $?" >>killed.txt
	index_rows k$at rowid >k$at.txt
	cmp -s genref.txt k$at.txt || echo "k$at: other rows" >>killed.txt
	[ "$(state k$at)" = "5 5 -" ] || echo "k$at: $(state k$at)" >>killed.txt
done
check "five runs killed at write calls ($calls a whole run) then run to the end" [ $killed = 5 ]
check "...each has every row of every table the uninterrupted run has, its indexes and statistics" \
	[ ! -s killed.txt ]
head -5 killed.txt | sed 's/^/#   /'
killed=0
for k in 1 2; do
	LISTARC_TEST_INDEXES_KILL=$k "$RELEASE" index -q --no-search --data hook gen c/gen.mbox \
		2>/dev/null &
	wait $! 2>/dev/null
	[ $? = 137 ] && killed=$((killed + 1))
done
check_eq "two runs killed at the indexes' end: the archive is left without them, marked" \
	"$killed/$(state hook)" "2/0 0 deferred"

# What readers ask of a killed run's archive: the API's topics and
# sender pages, by page and after a key, the list's charts, its topics
# pages, a sender's page, searches by size, date and a Message-ID.
hash=$(sqlite3 genref/index.sqlite "SELECT hash FROM senders ORDER BY n DESC, id LIMIT 1")
mid=$(sqlite3 genref/index.sqlite "SELECT mid FROM mids ORDER BY id LIMIT 1 OFFSET 1500")
"$RELEASE" get --data genref /api/v1/gen/topics/?limit=5 >t1.json 2>/dev/null
after=$(sed -n 's/.*"next": *"[^"]*after=\([^&"]*\).*/\1/p' t1.json | head -1)
"$RELEASE" get --data genref "/api/v1/gen/from/$hash/topics/?limit=3" >t2.json 2>/dev/null
safter=$(sed -n 's/.*"next": *"[^"]*after=\([^&"]*\).*/\1/p' t2.json | head -1)
cat >paths.txt <<EOF
/api/v1/gen/topics/?limit=5
/api/v1/gen/topics/?after=$after&limit=5
/api/v1/gen/from/$hash/topics/?limit=3
/api/v1/gen/from/$hash/topics/?after=$safter&limit=3
/gen/
/gen/topics/
/gen/topics/?by=start
/gen/from/$hash/
/gen/?q=z:2000..6000
/gen/?q=d:2000-01-01..2100-01-01
/gen/?q=m:$mid
EOF
check "...the reference's topics pages go on after a key (topics $after, a sender's $safter)" \
	[ -n "$after" -a -n "$safter" ]
same_pages paths.txt "...its topics, charts and sender pages answer as the reference's" genref hook

"$RELEASE" index -q --no-search --data hook gen c/gen.mbox
check_eq "...the next run exits 0 and makes them, with their statistics, unmarked" \
	"$?/$(state hook)" "0/5 5 -"
index_rows hook rowid >hook.txt
same_files "...every row of every table is the uninterrupted run's ($(wc -l <genref.txt) rows)" \
	genref.txt hook.txt
unset LISTARC_BATCH

if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 2 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
index_runs "$RELEASE" runs
rc=$?
index_rows runs rowid >runs.txt
index_all "$ANCHOR" aone && index_runs "$ANCHOR" aruns &&
	LISTARC_BATCH=200 "$ANCHOR" index -q --no-search --data agenref gen c/gen.mbox
check_eq "this build's three runs a list and the anchor's archives are made" "$rc/$?" 0/0
index_rows aone rowid >aone.txt
index_rows aruns rowid >aruns.txt
index_rows agenref rowid >agenref.txt
if cmp -s aone.txt one.txt && cmp -s aruns.txt runs.txt && cmp -s agenref.txt genref.txt; then
	ok "...one run a list, the killed list's run and three runs a list hold the rows of this build's ($(wc -l <one.txt), $(wc -l <genref.txt), $(wc -l <runs.txt) rows)"
else
	not_ok "...one run a list, the killed list's run and three runs a list hold the rows of this build's"
	{
		diff aone.txt one.txt
		diff agenref.txt genref.txt
		diff aruns.txt runs.txt
	} | head -10 | sed 's/^/#   /'
fi
