#!/usr/bin/env bash
# t8055-pi-ring: a public-inbox v2 inbox (several epochs, a removal) is
# indexed the same whatever the depth of the reader's ring (ingest/git.c:
# without search a ring of thousands of slots, each summary packed, so
# that the reader reads on while the writer commits a batch; with search
# 256 slots, each text kept up to 16 kB) and with or without git's commit-graph file: every row of the
# index (ids and all) and every word of the search index are those of the
# default run.  The ring is made small (LISTARC_TEST_GIT_RING) and the
# batches too (LISTARC_BATCH), so that the reader goes round the ring many
# times and the writer commits in the middle of it.  A run killed (-9) at
# a write in mid-epoch, then run again: nothing lost or doubled.  With
# $LISTARC_ANCHOR (`make check-anchor`): the anchor build's index of the
# same inbox, with and without a graph, is this build's, row for row and
# word for word.
. "$(dirname "$0")/lib.sh"
N=11
plan $N

# The inbox: seeds and lkml (246 messages) exported in epochs of 100 kB,
# then one message hidden and exported (an "rm" commit writing "d").
{
	sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$ROOT/samples/seeds.mbox"
	sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$ROOT/samples/lkml.mbox"
} >lore.mbox
la index --data a --quiet v2 lore.mbox
la export --data a --to "$T/plain" --epoch-size 100K v2 >/dev/null
la hide --data a v2 "$(sqlite3 a/index.sqlite 'SELECT mid FROM mids ORDER BY id LIMIT 1 OFFSET 7')" \
	--reason test >/dev/null
la export --data a --to "$T/plain" --epoch-size 100K v2 >/dev/null
ne=$(ls plain/git | grep -c '^[0-9]*\.git$')
rm -f plain/git/*.git/objects/info/commit-graph
cp -r plain graphed
for g in graphed/git/*.git; do git -C "$g" commit-graph write --reachable 2>/dev/null; done
check "the inbox: $ne epochs, a removal, a commit-graph in each epoch of the copy" \
	eval '[ "$ne" -ge 3 ] && [ "$(ls graphed/git/*.git/objects/info/commit-graph | wc -l)" = "$ne" ] &&
	      git -C plain/git/$((ne - 1)).git ls-tree --name-only HEAD | grep -qx d'

# run DIR INBOX OPTION [ENV...]: a first index of INBOX into DIR.
run() {
	local d=$1 ib=$2 opt=$3
	shift 3
	rm -rf "$d"
	env "$@" "$LISTARC" index --data "$d" --quiet ${opt:+"$opt"} v2 "$T/$ib"
}
# rows DIR: every row of DIR's index, the inbox named by one path (the
# sources row holds it) whichever copy it read.
rows() { index_rows "$1" rowid | sed "s|$T/graphed|$T/plain|g"; }

run ref plain --no-search LISTARC_BATCH=4
rows ref >ref.rows
check "the default run: 245 messages, the hidden one gone" \
	eval '[ "$(sqlite3 ref/index.sqlite "SELECT count(*) FROM messages")" = 245 ] &&
	      [ "$(sqlite3 ref/index.sqlite "SELECT count(*) FROM gone")" = 1 ]'

# What the summaries hold, as the mbox's index of the same mail has it
# (but the message hidden there and removed here): every message's URL,
# Message-ID, parent, thread, subject, sender, date and flags.
summaries() {
	sqlite3 "$1/index.sqlite" "
	  WITH t AS (SELECT thread, min(printf('%08d/%09d', day, num)) AS first FROM messages GROUP BY thread)
	  SELECT m.day, m.num, mids.mid, p.mid, t.first, m.subject, m.from_name, m.from_addr, m.ts,
	         m.date, m.tz, m.flags
	  FROM messages m JOIN mids ON mids.id = m.mid LEFT JOIN mids p ON p.id = m.parent
	  JOIN t ON t.thread = m.thread WHERE mids.mid <> '$2' ORDER BY m.day, m.num"
}
hidden=$(sqlite3 a/index.sqlite 'SELECT mid FROM mids ORDER BY id LIMIT 1 OFFSET 7')
la index --data mb --quiet --no-search v2 lore.mbox
check "the summaries packed in the ring: the mbox index's (Message-IDs, parents, threads, subjects, senders, dates)" \
	eval '[ "$(summaries mb "$hidden" | wc -l)" = 245 ] && cmp -s <(summaries mb "$hidden") <(summaries ref "$hidden")'

ok_rings=""
for r in 2 3 7; do
	run ring$r plain --no-search LISTARC_BATCH=4 LISTARC_TEST_GIT_RING=$r
	rows ring$r >ring$r.rows
	cmp -s ref.rows ring$r.rows && ok_rings="$ok_rings $r"
done
check_eq "rings of 2, 3 and 7 slots, a commit every 4 messages: every row the default run's" \
	"$ok_rings" " 2 3 7"

run graph3 graphed --no-search LISTARC_BATCH=4 LISTARC_TEST_GIT_RING=3
rows graph3 >graph3.rows
check "with a commit-graph, a ring of 3 slots: every row the run without a graph's" \
	cmp -s ref.rows graph3.rows
run graph graphed --no-search
run plainb plain --no-search
rows graph >graph.rows
rows plainb >plainb.rows
check "default batches, with and without a graph: every row the same" cmp -s plainb.rows graph.rows

# With search (256 slots, each with its text, trimmed past 16 kB).
run sref plain "" LISTARC_BATCH=4
run sring plain "" LISTARC_BATCH=4 LISTARC_TEST_GIT_RING=2
rows sref >sref.rows
rows sring >sring.rows
check "with search, a ring of 2 slots: every row and every word the default run's" \
	eval 'cmp -s sref.rows sring.rows && [ "$(fts_vocab sref)" = "$(fts_vocab sring)" ] &&
	      [ "$(isql sref "SELECT count(*) FROM fts")" -ge 245 ]'

# Killed (SIGKILL, by tests/faulthook.c) at a third and at two thirds of
# the run's writes, a ring of 3 slots and a commit every 5 messages: the
# rerun gives the archive of a run never killed.
calls=$(LISTARC_BATCH=5 LISTARC_TEST_GIT_RING=3 index_write_calls counted v2 "$T/plain")
index_facts ref >ref.facts
ok_kills=""
for at in $((calls / 3)) $((calls * 2 / 3)); do
	rm -rf "k$at"
	LISTARC_BATCH=5 LISTARC_TEST_GIT_RING=3 index_killed_at "$at" "k$at" v2 "$T/plain"
	st=$?
	mid=$(sqlite3 "k$at/index.sqlite" 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)
	LISTARC_BATCH=5 LISTARC_TEST_GIT_RING=3 "$LISTARC" index --data "k$at" --quiet v2 "$T/plain"
	index_facts "k$at" >"k$at.facts"
	[ "$st" = 137 ] && [ "$mid" -lt 245 ] && cmp -s ref.facts "k$at.facts" && ok_kills="$ok_kills $at"
done
check_eq "killed at writes $((calls / 3)) and $((calls * 2 / 3)) of $calls, then rerun: nothing lost or doubled" \
	"$ok_kills" " $((calls / 3)) $((calls * 2 / 3))"

# A rerun over the indexed inbox: nothing to do.
"$LISTARC" index --data ring3 v2 "$T/plain" 2>rerun.err
check "a rerun: nothing read" grep -q "^v2: 0 messages indexed" rerun.err

# The anchor's index of the same inboxes.
ANCHOR=${LISTARC_ANCHOR:-}
if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 2 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
for ib in plain graphed; do
	rm -rf "an-$ib" "this-$ib"
	"$ANCHOR" index --data "an-$ib" --quiet v2 "$T/$ib"
	"$RELEASE" index --data "this-$ib" --quiet v2 "$T/$ib"
	"$ANCHOR" index --data "ann-$ib" --quiet --no-search v2 "$T/$ib"
	"$RELEASE" index --data "thisn-$ib" --quiet --no-search v2 "$T/$ib"
done
check "the anchor's index of the inbox, with search and without: row for row and word for word" \
	eval 'cmp -s <(rows an-plain) <(rows this-plain) && cmp -s <(rows ann-plain) <(rows thisn-plain) &&
	      [ "$(fts_vocab an-plain)" = "$(fts_vocab this-plain)" ]'
check "the anchor's index of the inbox with a commit-graph: row for row and word for word" \
	eval 'cmp -s <(rows an-graphed) <(rows this-graphed) && cmp -s <(rows ann-graphed) <(rows thisn-graphed) &&
	      [ "$(fts_vocab an-graphed)" = "$(fts_vocab this-graphed)" ]'
