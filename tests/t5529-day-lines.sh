#!/usr/bin/env bash
# t5529-day-lines: a day's listing lines kept as one row (table day_lines,
# store/daylines.c, what month pages read) are the same however the
# archive grew as in one fresh index of the same mail, and the month
# pages with them.  The mail: ../shared/corpora/gen-corpus.py's 3,000
# messages (over years: most days have a message or two, one has 106,
# more than a month page shows), then tests/mkcorpus.py's 600 (days of
# hundreds: more than DAY_LINES_MAX, read from the messages' rows).
# A: the mbox indexed at once, then one message hidden.  B: the mbox grown in 12 steps, each indexed in batches of
# 7, the same message hidden, then shown and hidden again.  C: the first
# half indexed, the rest delivered one message at a time (`listarc
# deliver`); Cref: one index of C's mbox as it ends.  K: the whole mbox
# indexed by runs the hook kills (SIGKILL) inside SQLite's writes (in the
# middle of commits), then a run to the end.  O: an index as an older
# listarc left it (no day_lines: tables and triggers dropped, the
# schema's mark removed): its month pages come from the messages as
# before, and its next writer (one more message delivered, to A's and
# O's copy alike) makes every day's row.
# Compared: every row (key, count, blob), no day left noted, and every
# month page, byte for byte.
. "$(dirname "$0")/lib.sh"
plan 9
HOOK=$ROOT/build/faulthook.so
GEN=$SHARED/corpora/gen-corpus.py
if ! have_shared || [ ! -f "$GEN" ]; then
	skip 9 "../shared/corpora is not here"
	exit 0
fi

"$PYTHON" "$GEN" 3000 corpus.mbox 5 >/dev/null 2>&1
mkcorpus 600 dense.mbox 5
cat dense.mbox >>corpus.mbox
n=$(grep -c '^From ' corpus.mbox)
size=$(wc -c <corpus.mbox)
cut_at() { grep -b '^From ' corpus.mbox | cut -d: -f1 | sed -n "$(($1 + 1))p"; }

# rows DIR: the rows of day_lines and the days noted but not made.
rows() {
	sqlite3 "$1/index.sqlite" "SELECT key, count, hex(data) FROM day_lines ORDER BY key" >"$1.rows"
	sqlite3 "$1/index.sqlite" "SELECT 'noted', list_id, day FROM day_lines_dirty" >>"$1.rows"
}
# months DIR: every month page (and ?page=2) of DIR, into DIR.pages.
months() {
	sqlite3 "$1/index.sqlite" "SELECT DISTINCT '/gen/' || printf('%04d/%02d/', day / 10000,
		day / 100 % 100) || p.q FROM days, (SELECT '' q UNION ALL SELECT '?page=2') p
		ORDER BY 1" >"$1.paths"
	DATA=$1 getall "$1.pages" <"$1.paths"
}
# differ REF X: how X's month pages differ from REF's ("" if they are
# byte for byte the same, and as many).
differ() {
	cmp "$1.paths" "$2.paths" 2>&1
	diff -r "$1.pages" "$2.pages" 2>&1 | head -3
	cmp "$1.pages.txt" "$2.pages.txt" 2>&1
}

hide_one() { la hide --data "$1" gen "$HIDE" --reason test >/dev/null; }
LISTARC_BATCH=1000000 la index -q --data A gen corpus.mbox 2>A.err
rc_a=$?
HIDE=$(sqlite3 A/index.sqlite "SELECT printf('/gen/%04d/%02d/%02d/%d', day / 10000,
	day / 100 % 100, day % 100, num) FROM messages ORDER BY id LIMIT 1 OFFSET 299")
hide_one A || rc_a=$?
rc_b=0
: >b.mbox
for k in $(seq 1 12); do
	if [ "$k" = 12 ]; then end=$size; else end=$(cut_at $((n * k * k / 144))); fi
	have=$(wc -c <b.mbox)
	tail -c +"$((have + 1))" corpus.mbox | head -c "$((end - have))" >>b.mbox
	LISTARC_BATCH=7 la index -q --data B gen b.mbox 2>>B.err || rc_b=$?
done
hide_one B && la unhide --data B gen "$HIDE" >/dev/null && hide_one B || rc_b=$?
check_eq "A: one index, a message hidden; B: grown in 12 steps, batches of 7, the same message hidden, shown, hidden" \
	"$rc_a $rc_b" "0 0"

# C: half indexed, the rest delivered one by one.
mkdir -p C/mbox Cref/mbox
half=$(cut_at $((n / 2)))
head -c "$half" corpus.mbox >C/mbox/gen.mbox
la index -q --data C gen C/mbox/gen.mbox 2>C.err
rc_c=$?
"$PYTHON" - corpus.mbox "$half" deliver 40 <<'EOF'
import os, re, sys
data = open(sys.argv[1], 'rb').read()[int(sys.argv[2]):]
os.makedirs(sys.argv[3], exist_ok=True)
msgs = [m for m in re.split(rb'(?m)^(?=From )', data) if m][:int(sys.argv[4])]
for i, m in enumerate(msgs):
    body = m.split(b'\n', 1)[1]
    body = re.sub(rb'(?m)^>(>*From )', rb'\1', body)  # mboxrd unquoted
    open(os.path.join(sys.argv[3], '%05d' % i), 'wb').write(body)
EOF
for f in deliver/*; do
	la deliver --data C --sender someone@example.org gen <"$f" 2>>C.err || rc_c=$?
done
cp C/mbox/gen.mbox Cref/mbox/gen.mbox
LISTARC_BATCH=1000000 la index -q --data Cref gen Cref/mbox/gen.mbox 2>Cref.err
check_eq "C: half indexed, $(ls deliver | wc -l) messages delivered one by one; Cref: its mbox at once" \
	"$rc_c $?" "0 0"

# K: runs killed inside SQLite's writes, then one to the end.
killed=0
if [ -r "$HOOK" ]; then
	calls=$(LISTARC_BATCH=50 index_write_calls Kcount gen corpus.mbox)
	for i in 1 2 3 4 5 6; do
		LISTARC_BATCH=50 index_killed_at $((calls / 10 + i)) K gen corpus.mbox
		[ $? -eq 137 ] && killed=$((killed + 1))
	done
fi
LISTARC_BATCH=50 la index -q --data K gen corpus.mbox 2>K.err
rc_k=$?
LISTARC_BATCH=1000000 la index -q --data Kref gen corpus.mbox 2>Kref.err
check_eq "K: $killed of 6 runs killed in SQLite's writes (mid-commit), then one to the end" \
	"$rc_k $? $([ "$killed" -ge 4 ] || [ ! -r "$HOOK" ] && echo killed)" "0 0 killed"

for d in A B C Cref K Kref; do rows $d; done
big=$(sqlite3 A/index.sqlite "SELECT count(*) FROM days WHERE count > 200")
check "A has a row for each of its days of at most 200 messages ($(grep -vc '^noted' A.rows)), none for the $big others, none noted" \
	[ "$(grep -vc '^noted' A.rows)" = "$(sqlite3 A/index.sqlite 'SELECT count(*) FROM days WHERE count <= 200')" ] &&
	[ "$big" -gt 0 ] && ! grep -q '^noted' A.rows
same_files "B: the same rows as A" A.rows B.rows
same_files "C: the same rows as Cref; K as Kref" <(cat Cref.rows Kref.rows) <(cat C.rows K.rows)

# O: A as an older listarc left it.
cp -r A O
sqlite3 O/index.sqlite "DROP TRIGGER day_lines_del; DROP TRIGGER day_lines_upd;
	DROP TRIGGER day_lines_hide; DROP TABLE day_lines; DROP TABLE day_lines_dirty;
	DELETE FROM meta WHERE key = 'schema_sql'"
for d in A B C Cref K Kref O; do months $d; done
d=$(differ A B; differ A O; differ Kref K; differ Cref C)
check "every month page of B and O (O's from the messages) is A's, K's Kref's, C's Cref's ($(wc -l <A.paths) paths in A)" \
	[ -z "$d" ]
[ -n "$d" ] && echo "$d" | head -4 | sed 's/^/#   /'
check "...and the pages are month pages with lines" grep -q '^[0-9]* 200 0 /gen/[0-9]*/[0-9]*/$' A.pages.txt
one=$(ls deliver | head -1)
for d in A O; do la deliver --data $d --sender someone@example.org gen <"deliver/$one" 2>>$d.err; done
rows A
rows O
same_files "O's next writer made every day's row: the same rows as A's after the same delivery" \
	A.rows O.rows
