#!/usr/bin/env bash
# t3341-writer-tables: the tables the writer fills at each commit, made
# faster (daylines.c: a run of dirty days from one read of their
# messages; write.c: new Message-IDs 16 rows a statement, the words of
# Message-IDs sorted by a merge sort on a prefix), hold the same rows:
# the figures (senders, stat_senders, stat_threads, thread_senders,
# topics), days, the days' lines (day_lines), mids and mid_words, with
# their rowids.  The corpora: samples/, ../shared/corpora (lkml,
# notmuch, seeds, edge, peers), 2,000 messages of gen-corpus.py and a
# list with a day of more than DAY_LINES_MAX (200) messages among quiet
# days (that run of days is made a day at a time).
#   - this build alone: each list indexed in one run, in three runs of
#     a growing mbox (batches of 37), and killed (SIGKILL, by
#     tests/faulthook.c) at write calls inside its commits then run to
#     the end: the same rows;
#   - with $LISTARC_ANCHOR (`make check-anchor`): the anchor's archives
#     of the one-run and three-run indexes hold the same rows as this
#     build's.
. "$(dirname "$0")/lib.sh"
plan 7
ANCHOR=${LISTARC_ANCHOR:-}
if ! have_shared || [ ! -f "$SHARED/corpora/gen-corpus.py" ]; then
	skip 7 "../shared/corpora is not here"
	exit 0
fi
corpus_mboxes c
"$PYTHON" "$SHARED/corpora/gen-corpus.py" 2000 c/gen.mbox 3341 >/dev/null 2>&1
# A busy day (230 messages, a thread of replies among them) between
# quiet ones.
"$PYTHON" - c/busy.mbox <<'EOF'
import sys
out = open(sys.argv[1], "w")
n = 0
def msg(day, hour, i, reply=None):
    global n
    n += 1
    out.write(f"From busy@example.org Tue Mar {day:2d} {hour:02d}:00:00 2021\n"
              f"From: Sender {i % 7} <s{i % 7}@example.org>\n"
              f"Subject: {'Re: ' if reply else ''}busy {i}\n"
              f"Date: Tue, {day:02d} Mar 2021 {hour:02d}:{i % 60:02d}:00 +0000\n"
              f"Message-ID: <busy-{n}@example.org>\n"
              + (f"In-Reply-To: <busy-{reply}@example.org>\n" if reply else "")
              + f"\nbody {i}\n\n")
for d in (1, 2, 4):
    for i in range(3):
        msg(d, 8 + i, i)
for i in range(230):
    msg(5, 1 + i % 20, i, reply=10 if i % 3 else None)
for d in (6, 8, 9):
    for i in range(2):
        msg(d, 9, i, reply=12)
EOF
lists=$(cd c && ls *.mbox | sed 's/\.mbox$//')
check "the corpora are here (gen, busy, lkml, seeds, edge, notmuch, peers)" \
	[ "$(echo "$lists" | wc -w)" -ge 9 -a -s c/gen.mbox ]

# The tables, in rowid order (tables with rowids) or key order.
TABLES="senders stat_senders stat_threads thread_senders topics days day_lines
	day_lines_dirty stats_delta mids mid_words"
tables() {
	index_rows "$1" rowid $TABLES
}
# (tests/lib.sh: each list in one run, or in three of a growing mbox)
index_all() { lists_index_all "$1" "$2" $lists; }
index_runs() { lists_index_runs "$1" "$2" $lists; }
lists_cut $lists

index_all "$RELEASE" one
check_eq "one run a list: exit 0" $? 0
tables one >one.txt
check "...the busy day has no lines row, its quiet neighbours have theirs" \
	[ "$(sqlite3 one/index.sqlite "SELECT group_concat(d.day % 100) FROM days d
	   JOIN lists l ON l.id = d.list_id LEFT JOIN day_lines b
	   ON b.key = d.list_id * 4294967296 + d.day WHERE l.name = 'busy' AND b.key IS NULL")" = 5 \
	-a "$(sqlite3 one/index.sqlite "SELECT count(*) FROM day_lines b JOIN lists l
	   ON b.key / 4294967296 = l.id WHERE l.name = 'busy'")" = 6 ]
index_runs "$RELEASE" runs
tables runs >runs.txt
same_files "three runs of a growing mbox a list (batches of 37) hold the rows of one run ($(wc -l <one.txt) rows)" \
	one.txt runs.txt

# Killed inside commits (gen, batches of 50), then run to the end.
export LISTARC_BATCH=50
"$RELEASE" index -q --no-search --data genref gen c/gen.mbox
calls=$(index_write_calls count gen c/gen.mbox)
killed=0
for i in 1 2 3; do
	index_killed_at $((calls / 4 + i)) hook gen c/gen.mbox
	[ $? = 137 ] && killed=$((killed + 1))
done
"$RELEASE" index -q --no-search --data hook gen c/gen.mbox
unset LISTARC_BATCH
tables genref >genref.txt
tables hook >hook.txt
check "three runs killed at write calls ($calls a whole run), then one to the end" [ $killed = 3 ]
same_files "...the same rows as a run not killed ($(wc -l <genref.txt) rows)" genref.txt hook.txt

if [ -z "$ANCHOR" ] || [ ! -x "$ANCHOR" ]; then
	skip 1 "no anchor build (LISTARC_ANCHOR=path of a listarc)"
	exit 0
fi
index_all "$ANCHOR" aone && index_runs "$ANCHOR" aruns
tables aone >aone.txt
tables aruns >aruns.txt
if cmp -s aone.txt one.txt && cmp -s aruns.txt runs.txt; then
	ok "the anchor's archives, in one run and in three, hold the same rows"
else
	not_ok "the anchor's archives, in one run and in three, hold the same rows"
	{
		diff aone.txt one.txt
		diff aruns.txt runs.txt
	} | head -10 | sed 's/^/#   /'
fi
