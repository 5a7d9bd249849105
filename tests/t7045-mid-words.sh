#!/usr/bin/env bash
# t7045-mid-words: m: with a part of a Message-ID (public-inbox's XM
# terms) is a lookup of one of its words in the index (mid_words), not a
# read of every Message-ID, and finds what it found before: the
# Message-ID itself when one is the value, else the Message-IDs holding
# the value's words in a row, each whole, one separator between them,
# the last one as a prefix with a '*' after it.  Each query's expected
# Message-IDs are computed here by Python from the mboxes' own headers
# (the rule above, written as a regular expression), not from the index:
# a whole Message-ID, a word of one, a word many share, words with
# punctuation around them, a prefix, upper case, a word longer than the
# index keeps, a non-ASCII one, a ghost (only referenced), combined with
# other prefixes and NOT; on samples/, on Message-IDs written here, and
# on a generated corpus (../shared).  --explain shows the lookup, and
# SQLite's own plan of it reads no table whole.  An index made before
# mid_words answers the same (reading every Message-ID) until a writer
# opens it and fills the words in.
. "$(dirname "$0")/lib.sh"
plan 53
DATA=$T/arc
la index -q --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox"
la index -q --data "$DATA" lkml "$ROOT/samples/lkml.mbox"

LONG=aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgggggggggg
cat >odd.mbox <<EOF
From a@example.org Mon Jan  6 10:00:00 2025
From: A <a@example.org>
Subject: two dots
Date: Mon, 06 Jan 2025 10:00:00 +0000
Message-ID: <a..b@x.example>

one

From a@example.org Mon Jan  6 10:01:00 2025
From: A <a@example.org>
Subject: one dot
Date: Mon, 06 Jan 2025 10:01:00 +0000
Message-ID: <a.b@x.example>
In-Reply-To: <ghost-77.b@nowhere.example>

two

From a@example.org Mon Jan  6 10:02:00 2025
From: A <a@example.org>
Subject: upper case
Date: Mon, 06 Jan 2025 10:02:00 +0000
Message-ID: <Kees.Cook-1@Example.ORG>

three

From a@example.org Mon Jan  6 10:03:00 2025
From: A <a@example.org>
Subject: accents
Date: Mon, 06 Jan 2025 10:03:00 +0000
Message-ID: <café-1@example.org>

four

From a@example.org Mon Jan  6 10:04:00 2025
From: A <a@example.org>
Subject: punctuation
Date: Mon, 06 Jan 2025 10:04:00 +0000
Message-ID: <--odd--42--@x.example>

five

From a@example.org Mon Jan  6 10:05:00 2025
From: A <a@example.org>
Subject: underscores
Date: Mon, 06 Jan 2025 10:05:00 +0000
Message-ID: <x_y-z.b@u.example>

six

From a@example.org Mon Jan  6 10:06:00 2025
From: A <a@example.org>
Subject: long word
Date: Mon, 06 Jan 2025 10:06:00 +0000
Message-ID: <$LONG.1@long.example>

seven

From a@example.org Mon Jan  6 10:07:00 2025
From: A <a@example.org>
Subject: the long word cut
Date: Mon, 06 Jan 2025 10:07:00 +0000
Message-ID: <${LONG:0:64}.2@long.example>

eight
EOF
la index -q --data "$DATA" odd odd.mbox
MBOXES=("$ROOT/samples/seeds.mbox" "$ROOT/samples/lkml.mbox" odd.mbox)

# want QUERY-VALUE...: the Message-IDs m:VALUE finds, by the rule, from
# the mboxes (one line each, sorted, space-separated).
want() { mid_rule "$(printf '%s\n' "${MBOXES[@]}")" "$@"; }
got() { search_mids "$1"; }
P37=155836081774.2441.16449538600904205092.stgit@localhost.localdomain
# m:VALUE against the rule, and that it finds something when it should.
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
mq 'a whole Message-ID' "$P37" 1
mq '...in angle brackets' "<$P37>" 1
mq 'a word of one' keescook 15
mq 'a word many share (localdomain)' localdomain
mq 'two words of one, with their punctuation' stgit@localhost 
mq '...a part of a word is not one (keesc)' keesc 0
mq 'words with punctuation around them: .keescook@' .keescook@ 15
mq '...and inside them: -7-keescook@chromium.' -7-keescook@chromium. 1
mq 'punctuation only around a word (--odd--)' --odd-- 1
mq '...two separators between words are not one (odd-42)' odd-42 0
mq '...a word of it alone (42)' 42
mq 'a prefix with * (kees*)' 'kees*'
mq '...of the last of two words (keescook@chrom*)' 'keescook@chrom*' 13
mq '...that is no word start (eescook*)' 'eescook*' 0
mq '...a separator before the * ends the word (kees.*)' 'kees.*' 1
mq '...a prefix ending in a non-ASCII letter (café*)' 'café*' 1
mq 'upper case in the value and in the Message-ID (KEES.cook)' KEES.cook
mq 'one separator between words: a.b is not a..b' a.b 1
mq '...and a..b as a value is a.b too (words in a row)' a..b
mq 'underscores inside words (x_y)' x_y 1
mq '...not a word boundary (y)' y 0
mq 'a word longer than the index keeps, whole' "$LONG" 1
mq '...its first 64 letters are not that word' "${LONG:0:64}" 1
mq '...but start it (prefix)' "${LONG:0:64}*" 2
mq 'a non-ASCII word (café)' café 1
mq '...its ASCII part, next to a letter that is no separator in it (caf)' caf
mq 'a referenced Message-ID (a ghost): itself, no message' ghost-77.b@nowhere.example 0
mq '...its words alone find the message whose are the same (b@nowhere)' b@nowhere 0
mq 'a value without ASCII words (日本)' 日本 0

# Combined with other prefixes and NOT: the rule's set with the other
# term's (as listarc finds it; t7010 checks those), each Message-ID once
# (the samples share messages between their two lists).
gotu() { got "$1" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
wantu() { want "$1" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
check_eq 'm:word AND s:word' "$(gotu 'm:keescook s:blk')" "$(words_and "$(wantu keescook)" "$(gotu 's:blk')")"
check_eq 'm:word OR s:word' "$(gotu 'm:keescook OR s:cifs')" "$(words_or "$(wantu keescook)" "$(gotu 's:cifs')")"
check_eq 's:word NOT m:word' "$(gotu 's:pstore -m:keescook')" "$(words_minus "$(gotu 's:pstore')" "$(wantu keescook)")"
check_eq 'NOT m:word alone' "$(gotu 'NOT m:keescook d:2020-05-08..2020-05-10')" \
	"$(words_minus "$(gotu 'd:2020-05-08..2020-05-10')" "$(wantu keescook)")"
check_eq 'm:prefix with a date range' "$(gotu 'm:kees* d:2020-05-09..')" \
	"$(words_and "$(wantu 'kees*')" "$(gotu 'd:2020-05-09..')")"
check_eq 'two m: ANDed' "$(gotu 'm:keescook m:chromium')" "$(words_and "$(wantu keescook)" "$(wantu chromium)")"

# --explain: a lookup in mid_words (the key alone when it is the value's
# one word; the Message-IDs it gives checked against the GLOB otherwise),
# and SQLite's plan of it reads no table whole.
ex=$(la search --explain 'm:keescook' | sed -n 2p)
check_eq '--explain m:word: the lookup of its word' "$ex" \
	"MATCH - WHERE (m.mid IN (SELECT id FROM mids WHERE mid = 'keescook') OR m.mid IN (SELECT w.mid FROM mid_words w WHERE NOT EXISTS (SELECT 1 FROM mids WHERE mid = 'keescook') AND w.w = 'keescook'))"
ex2=$(la search --explain 'm:Kees.Cook*' | sed -n 2p)
check_eq '--explain m:words*: its longest word, checked whole' "$ex2" \
	"MATCH - WHERE (m.mid IN (SELECT id FROM mids WHERE mid = 'Kees.Cook*') OR m.mid IN (SELECT w.mid FROM mid_words w JOIN mids d ON d.id = w.mid WHERE NOT EXISTS (SELECT 1 FROM mids WHERE mid = 'Kees.Cook*') AND w.w = 'kees' AND lower(char(46) || d.mid || char(46)) GLOB '*[^a-z0-9_]kees[^a-z0-9_]cook*'))"
ex3=$(la search --explain 'm:chrom*' | sed -n 2p)
check '--explain m:prefix*: a range of words' grep -qF "w.w >= 'chrom' AND w.w < 'chron'" <<<"$ex3"
for e in "$ex" "$ex2" "$ex3"; do
	sqlite3 "$DATA/index.sqlite" "EXPLAIN QUERY PLAN SELECT m.id FROM messages m WHERE ${e#MATCH - WHERE }"
done >qp.txt
check 'SQLite plans lookups: no table read whole' bash -c '! grep -E "SCAN" qp.txt && grep -q "SEARCH w USING PRIMARY KEY" qp.txt'

# An index made before mid_words (no table, no meta row; its schema not
# this listarc's): readers find the same by reading every Message-ID;
# the next writer fills the words in, and then they are looked up.
before=$(got 'm:keescook'; got 'm:kees*'; got 'm:a.b')
isql "$DATA" "DROP TABLE mid_words; DELETE FROM meta WHERE key = 'mid_words8';
	UPDATE meta SET value = 'older' WHERE key = 'schema_sql'"
check_eq 'an index without mid_words: the same answers' "$(got 'm:keescook'; got 'm:kees*'; got 'm:a.b')" "$before"
la index -q --data "$DATA" odd odd.mbox
check_eq '...a writer fills mid_words in: every message'"'"'s words' \
	"$(isql "$DATA" 'SELECT count(DISTINCT mid) FROM mid_words')" \
	"$(isql "$DATA" 'SELECT count(DISTINCT mid) FROM messages')"
check_eq '...and the same answers after' "$(got 'm:keescook'; got 'm:kees*'; got 'm:a.b')" "$before"
# Messages an older listarc added after the words were filled (their
# words missing, meta mid_words behind them): the next writer adds theirs.
isql "$DATA" "DELETE FROM mid_words WHERE mid IN (SELECT mid FROM messages WHERE list_id =
	(SELECT id FROM lists WHERE name = 'odd'));
	UPDATE meta SET value = (SELECT min(id) - 1 FROM messages WHERE list_id =
	(SELECT id FROM lists WHERE name = 'odd')) WHERE key = 'mid_words8';
	UPDATE meta SET value = 'older' WHERE key = 'schema_sql'"
la index -q --data "$DATA" odd odd.mbox
check_eq '...and the words of messages an older listarc added' "$(got 'm:a.b')" "$(want a.b)"

# Without a search index (index --no-search) m: is looked up the same.
la index -q --no-search --data nos odd odd.mbox
check_eq 'an archive without a search index: m:words* looked up' \
	"$(la search --data nos --format=json 'm:kees*' 2>/dev/null | "$PYTHON" -c 'import json, sys; print(" ".join(sorted(x["message_id"] for x in json.load(sys.stdin))))')" \
	'Kees.Cook-1@Example.ORG'

# A generated corpus: words every Message-ID has (gen, corpus), one
# message's (its number, its hex word), prefixes, with NOT.
if ! have_shared; then
	skip 9 "$SKIP_SHARED"
	exit 0
fi
"$PYTHON" "$SHARED/corpora/gen-corpus.py" 1500 gen.mbox 7 2>/dev/null
la index -q --data "$DATA" gen gen.mbox
MBOXES+=(gen.mbox)
read -r G1 G2 <<<"$("$PYTHON" -c 'import mailbox, re
ids = [re.search(r"<([^>]*)>", m["Message-ID"]).group(1) for m in mailbox.mbox("gen.mbox")]
print(ids[700], ids[1200])')"
H1=$(cut -d- -f3 <<<"${G1%@*}")
N2=$(cut -d- -f2 <<<"$G2")
mq 'generated: a word every Message-ID has (gen)' gen 1500
mq '...a word of one (its hex word)' "$H1" 1
mq '...its number' "$N2" 1
mq '...a whole one' "$G1" 1
mq '...two words (gen-NUMBER)' "gen-$N2" 1
mq '...a prefix of numbers (gen-12*)' 'gen-12*'
mq '...a shared pair of words (corpus.example)' corpus.example 1500
check_eq '...NOT m: of a word every one has, in its list' \
	"$(la search --data "$DATA" --list gen --count 'NOT m:corpus' 2>/dev/null)" 0
check_eq '...m:gen AND a word of one' "$(got "m:gen m:$H1")" "$G1"
