#!/usr/bin/env bash
# t3349-index-commit-sums: a commit adds up its batch's figures by key,
# one kind at a time (stats.c, fig_make: a table of the keys, not every
# change sorted), and sorts its mid_words rows as items that name the
# word and the row (write.c, st_mid_words_flush).  Neither may change a
# row.  The mail: samples/, ../shared/corpora, 2,000 messages of
# gen-corpus.py, and a list of its own: two threads that a late message
# joins (its rows moved), senders writing across months and years, and
# Message-IDs with a word twice, words shared by many, runs of
# non-ASCII bytes and words cut at MSGID_WORD_MAX.
#   - each list in runs of a growing mbox (batches of 37), then a
#     message hidden: the figures by thread and period, by sender and
#     period, by thread and sender, and the topics' counts are those
#     SQL counts from the messages shown; the figures (senders,
#     stat_senders, stat_threads, thread_senders, topics) are those the
#     writer counts again from the messages (meta `stats` dropped:
#     stats_fill, 50,000 at a time), and the mid_words rows those it
#     makes again from mids (all of them in one sort: mid_words_fill);
#   - each list in one run (one batch each; the ASan build): the same
#     figures and mid_words rows as the runs of batches of 37;
#   - with $LISTARC_ANCHOR (`make check-anchor`): the anchor's archives
#     of the same mail in the same runs (batches of 37 with search, and
#     one run a list without) hold every row of every table this
#     build's do (but the hide's times).
. "$(dirname "$0")/lib.sh"
plan 9
ANCHOR=${LISTARC_ANCHOR:-}
if ! have_shared || [ ! -f "$SHARED/corpora/gen-corpus.py" ]; then
	skip 9 "../shared/corpora is not here"
	exit 0
fi
corpus_mboxes c
"$PYTHON" "$SHARED/corpora/gen-corpus.py" 2000 c/gen.mbox 3349 >/dev/null 2>&1
"$PYTHON" - <<'EOF'
import random
r = random.Random(3349)
out = open("c/sums.mbox", "w", encoding="utf-8")
def msg(i, mid, subj, refs, y, mo, d):
    out.write(f"From x@example.org Mon Jan  1 00:00:00 {y}\n")
    s = i % 11
    out.write(f"From: Sender {s} <S{s}@Example.org>\n")
    out.write(f"Date: Mon, {d} {['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'][mo - 1]} {y} 10:{i % 60:02d}:00 +0000\n")
    out.write(f"Subject: {subj}\nMessage-ID: <{mid}>\n")
    if refs:
        out.write(f"In-Reply-To: <{refs[-1]}>\nReferences: " + " ".join(f"<{x}>" for x in refs) + "\n")
    out.write(f"Content-Type: text/plain; charset=utf-8\n\nMessage {i}.\n\n")
shared = ["patch", "series", "review", "fix"]
long = "w" * 80
i = 0
roots = []
for t in range(60):
    y, mo = 2018 + t % 3, 1 + t % 12
    kind = t % 4
    if kind == 0:
        root = f"{r.choice(shared)}.{r.choice(shared)}.{t}.{t}@sums.example"
    elif kind == 1:
        root = f"h\u00e9llo.w\u00f6rld.{t}.\u00fcber@sums.example"
    elif kind == 2:
        root = f"{long}.{t}@sums.example"
    else:
        root = f"plain-{t}@sums.example"
    roots.append(root)
    msg(i, root, f"Topic {t}", [], y, mo, 1 + t % 27); i += 1
    prev = [root]
    for k in range(r.randrange(1, 12)):
        mid = f"re.{k}.{r.choice(shared)}.{t}@sums.example"
        msg(i, mid, f"Re: Topic {t}", prev[-2:], y, mo, 1 + (t + k) % 27); i += 1
        prev.append(mid)
# a late message naming two roots: their threads joined (rows moved)
for a, b in [(0, 1), (5, 17), (30, 2)]:
    msg(i, f"join.{a}.{b}@sums.example", "Re: both", [roots[a], roots[b]], 2021, 6, 1); i += 1
EOF
lists=$(cd c && ls *.mbox | sed 's/\.mbox$//')
check "the corpora are here (gen, sums, lkml, seeds, edge, notmuch, peers)" \
	[ "$(echo "$lists" | wc -w)" -ge 9 -a -s c/gen.mbox ]
lists_cut $lists

FIGS="senders stat_senders stat_threads thread_senders topics"
# runs BIN DIR [ARGS]: each list in three runs of a growing mbox
# (batches of 37, with ARGS), then a message of the sums list hidden.
runs() {
	local bin=$1 dir=$2 l p rc=0
	shift 2
	for l in $lists; do
		rm -f "grow-$l.mbox"
		for p in "s-$l".*; do
			cat "$p" >>"grow-$l.mbox"
			[ -s "grow-$l.mbox" ] || continue
			LISTARC_BATCH=37 "$bin" index -q "$@" --data "$dir" "$l" "grow-$l.mbox" || rc=1
		done
	done
	hide1 "$bin" "$dir" || rc=1
	return $rc
}
# hide1 BIN DIR: a message of the sums list hidden by BIN.
hide1() { "$1" hide --data "$2" sums "plain-3@sums.example" --reason test >/dev/null; }
# joined DIR: the threads of two roots and the late message that names
# both, and the rows of mid_words of a non-ASCII run.
joined() {
	sqlite3 "$1/index.sqlite" "SELECT count(DISTINCT m.thread) FROM messages m
		JOIN mids d ON d.id = m.mid WHERE d.mid IN ('héllo.wörld.5.über@sums.example',
			'héllo.wörld.17.über@sums.example', 'join.5.17@sums.example')"
	sqlite3 "$1/index.sqlite" "SELECT count(*) FROM mid_words WHERE w = 'ü'"
}
# again DIR: DIR's figures and mid_words made again from its messages
# and mids by a writer (an index run with nothing new, whose setup fills
# what its meta lacks: store.c).
again() {
	sqlite3 "$1/index.sqlite" "DELETE FROM meta WHERE key IN ('stats', 'mid_words8', 'schema_sql');
		DELETE FROM mid_words" &&
		"$RELEASE" index -q --no-search --data "$1" sums grow-sums.mbox
}

# counted DIR: DIR's messages shown counted in SQL as the figures count
# them: by (list, period: all, year, month, thread) and (list, period,
# sender), by (list, thread, sender) and by (list, thread); figures DIR:
# those rows of its figures (those not zero).
SHOWN="m.flags & 1073741824 = 0"
PERIOD="CASE k WHEN 0 THEN 0 WHEN 1 THEN m.day / 10000 ELSE m.day / 100 END"
counted() {
	sqlite3 "$1/index.sqlite" "
	SELECT 'T', list_id, p, thread, count(*) FROM (SELECT m.list_id, m.thread, $PERIOD AS p
		FROM messages m CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2)
		WHERE $SHOWN) GROUP BY 2, 3, 4 ORDER BY 2, 3, 4;
	SELECT 'S', list_id, p, sender, count(*) FROM (SELECT m.list_id, s.id AS sender, $PERIOD AS p
		FROM messages m JOIN senders s ON s.list_id = m.list_id AND s.addr = lower(m.from_addr)
		CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2)
		WHERE $SHOWN AND m.from_addr <> '') GROUP BY 2, 3, 4 ORDER BY 2, 3, 4;
	SELECT 'P', m.list_id, m.thread, s.id, count(*) FROM messages m JOIN senders s
		ON s.list_id = m.list_id AND s.addr = lower(m.from_addr)
		WHERE $SHOWN AND m.from_addr <> '' GROUP BY 2, 3, 4 ORDER BY 2, 3, 4;
	SELECT 'O', list_id, thread, count(*) FROM messages m WHERE $SHOWN GROUP BY 2, 3 ORDER BY 2, 3"
}
figures() {
	sqlite3 "$1/index.sqlite" "
	SELECT 'T', list_id, period, thread, n FROM stat_threads WHERE n > 0 ORDER BY 2, 3, 4;
	SELECT 'S', list_id, period, sender, n FROM stat_senders WHERE n > 0 ORDER BY 2, 3, 4;
	SELECT 'P', list_id, thread, sender, n FROM thread_senders WHERE n > 0 ORDER BY 2, 3, 4;
	SELECT 'O', list_id, thread, n FROM topics WHERE n > 0 ORDER BY 2, 3"
}

runs "$RELEASE" b37 --no-search
check_eq "batches of 37, a message hidden: every run exits 0, two threads joined by a late message, a non-ASCII run's words, one hidden" \
	"$?/$(joined b37 | tr '\n' ' ')/$(sqlite3 b37/index.sqlite "SELECT count(*) FROM hide_log")" \
	"0/1 15 /1"
index_rows b37 "" $FIGS mid_words >b37.txt
counted b37 >b37-counted.txt
figures b37 >b37-figures.txt
same_files "batches of 37: the figures of threads, senders, each thread's senders and topics are the messages' counts (SQL)" \
	b37-counted.txt b37-figures.txt
cp -a b37 b37again
again b37again
check_eq "counted again: exit 0, meta stats and mid_words8 set again" \
	"$?/$(sqlite3 b37again/index.sqlite "SELECT group_concat(key) FROM meta WHERE key IN ('stats', 'mid_words8') ORDER BY key")" \
	"0/mid_words8,stats"
index_rows b37again "" $FIGS mid_words >b37again.txt
same_files "the figures and mid_words rows of batches of 37 are those counted again from the messages" \
	b37.txt b37again.txt

lists_index_all "$LISTARC" one $lists
check_eq "one run a list: every run exits 0" "$?" 0
hide1 "$LISTARC" one
index_rows one "" $FIGS mid_words >one.txt
same_files "one batch a list: the same figures and mid_words rows as batches of 37" b37.txt one.txt

if [ -z "$ANCHOR" ]; then
	skip 2 "no anchor (make check-anchor ANCHOR=...)"
else
	# (the hide's times aside)
	untimed() { sqlite3 "$1/index.sqlite" "UPDATE hidden SET since = 0; UPDATE hide_log SET at = 0"; }
	runs "$RELEASE" s37 >/dev/null
	runs "$ANCHOR" a-s37 >/dev/null
	untimed s37
	untimed a-s37
	index_rows s37 rowid >s37.txt
	index_rows a-s37 rowid >a-s37.txt
	same_files "the anchor's archive, batches of 37 with search: every row this build's" \
		a-s37.txt s37.txt
	lists_index_all "$ANCHOR" a-one $lists
	hide1 "$ANCHOR" a-one
	untimed one
	untimed a-one
	index_rows one rowid >one-all.txt
	index_rows a-one rowid >a-one.txt
	same_files "the anchor's archive, one run a list: every row this build's" a-one.txt one-all.txt
fi
