#!/usr/bin/env bash
# t7047-mid-plans: the plans m: takes besides t7045's lookup find exactly
# what the rule finds (the Message-IDs holding the value's words in a row,
# computed here by Python from the mbox, as t7045 does):
# - a word more Message-IDs have than the list of them is worth
#   (mid_words' rows past search_mids' walk_min, 1,000 here) is tested
#   message by message while the messages are walked newest first
#   (m:shared, a prefix of it, two such words, with NOT and s:);
# - a value without an ASCII word (m:日本) looks inside the runs of
#   non-ASCII bytes mid_words holds, those cut at 64 bytes too;
# - a full-text term ANDed with an m: that few rows give (m:w77 s:cifs)
#   is read from the m: side;
# and mid_words, written sorted at each commit, is the same table
# (word, Message-ID) after a run killed inside its writes at 8 points
# and resumed as after one uninterrupted run, and after `deliver`.
. "$(dirname "$0")/lib.sh"
plan 39
DATA=$T/arc

# The mail: 1,200 messages whose Message-IDs share "shared" and
# "example"; one in a hundred of them non-ASCII in several shapes (a
# run of é longer than the 64 bytes mid_words keeps, 日本 after it); a
# third of the subjects say cifs.
cat >gen.py <<'EOF'
import sys
out = open(sys.argv[1], 'w', encoding='utf-8')
def mid(i):
    k = i % 100
    if k == 10: return f'日本-{i}@jp.example'
    if k == 20: return f'東京日本-{i}@jp.example'
    if k == 30: return f'x.本.{i}@jp.example'
    if k == 40: return f'abc日本def{i}@x.example'
    if k == 50: return 'é' * 40 + f'日本-{i}@long.example'
    if k == 60: return f'Ü.ï-{i}@x.example'
    return f'w{i}-{i * 2654435761 % 4294967296:08x}@shared.example'
for i in range(1200):
    day = 1 + i % 28
    print(f'From a@example.org Mon Jan  6 10:00:00 2025', file=out)
    print(f'From: A <a@example.org>', file=out)
    print(f'Subject: {"cifs fix" if i % 3 == 0 else "other change"} {i}', file=out)
    print(f'Date: Mon, {day:02d} Jan 2025 10:{i % 60:02d}:00 +0000', file=out)
    print(f'Message-ID: <{mid(i)}>', file=out)
    if i % 100 == 70:
        print(f'In-Reply-To: <日本-ghost-{i}@nowhere.example>', file=out)
    print('', file=out)
    print(f'body {i}', file=out)
    print('', file=out)
EOF
"$PYTHON" gen.py gen.mbox
la index -q --data "$DATA" gen gen.mbox
MBOX=gen.mbox

# want VALUE...: the Message-IDs m:VALUE finds, by the rule (t7045's).
want() { mid_rule "$MBOX" "$@"; }
got() { search_mids "$@"; }
# subj WORD: the Message-IDs whose subject has WORD, from the mbox.
subj() {
	"$PYTHON" - "$MBOX" "$1" <<'EOF'
import mailbox, re, sys
mb = mailbox.mbox(sys.argv[1], create=False)
heads = [mb.get_bytes(k).split(b'\n\n', 1)[0].decode() for k in mb.keys()]
print(' '.join(sorted(re.search(r'(?m)^Message-ID: <([^>]*)>', h).group(1) for h in heads
                      if sys.argv[2] in re.search(r'(?m)^Subject: (.*)$', h).group(1).split())))
EOF
}
mq() {
	local desc=$1 v=$2 n=${3:-}
	local w
	w=$(want "$v")
	if [ -n "$n" ] && [ "$(wc -w <<<"$w")" != "$n" ]; then
		not_ok "$desc: the rule finds $(wc -w <<<"$w") (not $n) for m:$v"
		return
	fi
	check_eq "$desc" "$(got "m:$v")" "$w"
}
rows() { sqlite3 "$DATA/index.sqlite" "SELECT count(*) FROM mid_words WHERE w = '$1'"; }

# The walk: words more than 1,000 Message-IDs have.
check 'shared is in more than 1,000 Message-IDs (the walk)' [ "$(rows shared)" -gt 1000 ]
mq 'a word most Message-IDs have (shared)' shared 1128
mq '...two of them in a row (shared.example)' shared.example 1128
mq '...in the other order: none' example.shared 0
mq '...a prefix of it (shar*)' 'shar*' 1128
mq '...with a rare word: that one looked up (w77-*)' 'w77-*' 1
check_eq '...ANDed with a full-text term' "$(got 'm:shared s:cifs')" "$(words_and "$(want shared)" "$(subj cifs)")"
check_eq '...ORed with a full-text term (members read apart)' "$(got 'm:shared OR s:cifs')" \
	"$(words_or "$(want shared)" "$(subj cifs)")"
check_eq '...NOT it, with a full-text term' "$(got 's:cifs -m:shared')" "$(words_minus "$(subj cifs)" "$(want shared)")"
check_eq '...NOT it alone, in its list' "$(la search --data "$DATA" --list gen --count 'NOT m:shared' 2>/dev/null)" \
	"$(( $(grep -c '^From ' gen.mbox) - 1128 ))"
check_eq '...a page of it newest first: the newest 25' \
	"$(la search --data "$DATA" --format=json --limit 25 'm:shared' 2>/dev/null |
		"$PYTHON" -c 'import json, sys; print(" ".join(x["message_id"] for x in json.load(sys.stdin)))')" \
	"$(grep -o '^Message-ID: <w[^>]*shared[^>]*>' gen.mbox | tail -25 | tac | sed 's/^Message-ID: <//; s/>$//' | tr '\n' ' ' | sed 's/ $//')"
check_eq '...counted as before (more than 1,000 shown as such)' \
	"$(la search --data "$DATA" 'm:shared' 2>&1 >/dev/null | tail -1)" '100 of more than 1000 matching messages shown'

# Non-ASCII: runs of non-ASCII bytes.
check 'mid_words holds the runs of non-ASCII bytes' [ "$(rows '日本')" -ge 12 ]
mq 'a non-ASCII word (日本)' '日本' 36
mq '...a part of a run (本)' '本' 48
mq '...its prefix (日本*)' '日本*' 36
mq '...one run of two words (東京日本)' '東京日本' 12
mq '...a part at the start of a run (東京)' '東京' 12
mq '...a run inside ASCII letters (abc日本def needs its letters)' '日本def' 0
mq '...a run past the 64 bytes kept (é*日本 of the long ones)' "$(printf 'é%.0s' $(seq 40))日本" 12
mq '...a run between ASCII separators (ï)' 'ï' 12
mq '...a ghost'"'"'s: itself, no message' '日本-ghost-70@nowhere.example' 0
ex=$(la search --explain 'm:日本' | sed -n 2p)
sqlite3 "$DATA/index.sqlite" "EXPLAIN QUERY PLAN SELECT m.id FROM messages m WHERE ${ex#MATCH - WHERE }" >qp.txt
check '...a range of mid_words, no table read whole' bash -c '! grep -q SCAN qp.txt && grep -q "SEARCH w USING PRIMARY KEY (w>?)" qp.txt'
check_eq '...ANDed with a full-text term' "$(got 'm:日本 s:cifs')" "$(words_and "$(want '日本')" "$(subj cifs)")"
check_eq '...ORed with a full-text term' "$(got 'm:日本 OR s:cifs')" "$(words_or "$(want '日本')" "$(subj cifs)")"
check_eq '...NOT it, with a full-text term' "$(got 's:cifs -m:本')" "$(words_minus "$(subj cifs)" "$(want '本')")"

# A small m: side with a full-text term.
check_eq 'm:w77 s:other: read from the m: side' "$(got 'm:w77 s:other')" "$(words_and "$(want w77)" "$(subj other)")"
check_eq '...none when the subject has not the word (m:w78 s:cifs)' "$(got 'm:w78 s:cifs')" "$(words_and "$(want w78)" "$(subj cifs)")"
check_eq '...a word of a handful (m:w11* s:cifs)' "$(got 'm:w11* s:cifs')" "$(words_and "$(want 'w11*')" "$(subj cifs)")"

# mid_words after kills inside the writes (small batches: a flush per
# commit) equals one uninterrupted run's, as (word, Message-ID) pairs.
words_of() {
	sqlite3 "$1/index.sqlite" 'SELECT w.w, d.mid FROM mid_words w JOIN mids d ON d.id = w.mid ORDER BY 1, 2' | md5sum
}
export LISTARC_BATCH=40
"$RELEASE" index -q --data ref gen gen.mbox
calls=$(index_write_calls count gen gen.mbox)
check 'the hook sees the writes' [ "$calls" -gt 100 ]
killed=0
for i in 1 2 3 4 5 6 7 8; do
	index_killed_at $((calls * (i + 2) / 40 + 1)) hook gen gen.mbox
	[ $? -eq 137 ] && killed=$((killed + 1))
done
check "the runs were killed inside their writes (killed: $killed)" [ "$killed" -ge 6 ]
"$LISTARC" index -q --data hook gen gen.mbox
check_eq '...then resumed: every message once' \
	"$(sqlite3 hook/index.sqlite 'SELECT count(*) FROM messages')" "$(grep -c '^From ' gen.mbox)"
check_eq '...and mid_words is the uninterrupted run'"'"'s' "$(words_of hook)" "$(words_of ref)"
check_eq '...which is the one-batch run'"'"'s' "$(words_of ref)" "$(words_of "$DATA")"
check_eq '...and meta mid_words8 is the last message' \
	"$(sqlite3 hook/index.sqlite "SELECT value = (SELECT max(id) FROM messages) FROM meta WHERE key = 'mid_words8'")" 1
unset LISTARC_BATCH

# deliver: a message's words, ASCII and not, are there at once.
cat >new.eml <<'EOF'
From: B <b@example.org>
Subject: delivered
Date: Tue, 07 Jan 2025 10:00:00 +0000
Message-ID: <新しい-1.Fresh@jp.example>

new
EOF
la deliver --data "$DATA" gen <new.eml
check_eq 'deliver: its non-ASCII word' "$(got 'm:新しい')" '新しい-1.Fresh@jp.example'
check_eq '...and its ASCII one' "$(got 'm:fresh')" '新しい-1.Fresh@jp.example'

# An index whose words were written by the listarc before the runs of
# non-ASCII bytes (meta mid_words, no mid_words8): readers read every
# Message-ID, and the next writer adds the runs.
isql "$DATA" "DELETE FROM mid_words WHERE w >= char(128); UPDATE meta SET key = 'mid_words' WHERE key = 'mid_words8';
	UPDATE meta SET value = 'older' WHERE key = 'schema_sql'"
check_eq 'an index without the runs: m:日本 reads every Message-ID' "$(got 'm:日本')" "$(want '日本')"
la index -q --data "$DATA" gen gen.mbox
check_eq '...a writer adds them' "$(rows '日本')" 24
