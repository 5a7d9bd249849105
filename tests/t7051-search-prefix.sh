#!/usr/bin/env bash
# t7051-search-prefix: a prefix query (word*) read as the OR of the
# index's words that start with it (store/search.c, prefix_match) finds
# exactly the messages the prefix does.  Mail made here with known words:
# zet* (three words and zeta_fn, each in many messages: read as their
# OR), quac* (64 words: the bound, read as their OR), quab* (70 words:
# past it, read as a prefix), rar* (20 words of one message each: read
# as a prefix), zzq* (no words); in the subject or the body, upper and
# lower case.  Each query's matches newest first (--limit 1000 and a
# page of 5 at offset 0), its count (--count) and its matches by
# relevance (never expanded) are the sets this script wrote, message for
# message, and the search page's first page and count too; alone, as s:, ANDed, ORed with m: (the union plan) and NOTed
# from a date range (the NOTs walked in step); --explain says how each
# prefix is read.
. "$(dirname "$0")/lib.sh"
plan 13

# 200 messages, p1 (oldest) .. p200.  Message i has:
#  zeta if i % 3 == 0, zetas if i % 5 == 0, zetta if i % 7 == 0 (body);
#  Zeta in its subject if i % 11 == 0; zeta_fn if i % 13 == 0;
#  quac00..quac63: message i has quac((i + k) % 64) for k < 8;
#  quab00..quab69: message i has quab((i + k) % 70) for k < 8, i <= 140;
#  rar01..rar20: message i has rarNN for i == 7 * NN.
"$PYTHON" - <<'EOF'
import json
msgs = {}
with open('t.mbox', 'w') as f:
    for i in range(1, 201):
        body, subj = [], f'note {i}'
        if i % 3 == 0: body.append('zeta')
        if i % 5 == 0: body.append('zetas')
        if i % 7 == 0: body.append('zetta')
        if i % 11 == 0: subj += ' Zeta'
        if i % 13 == 0: body.append('zeta_fn')
        body += ['quac%02d' % ((i + k) % 64) for k in range(8)]
        if i <= 140:
            body += ['quab%02d' % ((i + k) % 70) for k in range(8)]
        if i % 7 == 0 and i // 7 <= 20:
            body.append('rar%02d' % (i // 7))
        day = 1 + (i - 1) // 10
        f.write(f'From x@example.org Mon Jan  3 00:00:00 2005\n'
                f'From: Someone <s{i}@example.org>\nSubject: {subj}\n'
                f'Message-ID: <p{i}@t7051>\n'
                f'Date: {day:02d} Feb 2011 12:{i % 60:02d}:00 +0000\n\n'
                + ' '.join(body) + '\nend\n\n')
        msgs[i] = (subj.lower(), ' '.join(body))
def ids(pred):
    return [f'p{i}@t7051' for i in range(200, 0, -1) if pred(*msgs[i], i)]
def words(b): return b.split()
want = {
    'zet*': ids(lambda s, b, i: 'zet' in s or any(w.startswith('zet') for w in words(b))),
    'ZET*': ids(lambda s, b, i: 'zet' in s or any(w.startswith('zet') for w in words(b))),
    's:zet*': ids(lambda s, b, i: 'zeta' in s),
    'zeta_*': ids(lambda s, b, i: 'zeta_fn' in words(b)),
    'quac*': ids(lambda s, b, i: True),
    'quac0*': ids(lambda s, b, i: any(w.startswith('quac0') for w in words(b))),
    'quab*': ids(lambda s, b, i: i <= 140),
    'rar*': ids(lambda s, b, i: any(w.startswith('rar') for w in words(b))),
    'zzq*': [],
    'zet* quab1*': ids(lambda s, b, i: ('zet' in s or any(w.startswith('zet') for w in words(b)))
                      and any(w.startswith('quab1') for w in words(b))),
    'zetta* OR m:p2@t7051': ids(lambda s, b, i: 'zetta' in words(b) or i == 2),
    'd:2011-02-05..2011-02-20 -zet*': ids(lambda s, b, i: 41 <= i <= 200
                                          and not ('zet' in s or any(w.startswith('zet') for w in words(b)))),
}
json.dump(want, open('want.json', 'w'))
EOF
"$RELEASE" index -q --data arc l t.mbox 2>err.txt
check_eq "indexed: exit 0" $? 0

# got Q: newest first (1000), the first page of 5, the count and the
# matches by relevance, each a line of Message-IDs.
"$PYTHON" - "$LISTARC" >got.txt <<'EOF'
import json, subprocess, sys
want = json.load(open('want.json'))
bad = []
def run(*args):
    r = subprocess.run([sys.argv[1], 'search', '--data', 'arc'] + list(args),
                       capture_output=True, text=True)
    return r.returncode, r.stdout
for q, w in want.items():
    rc, o = run('--format=json', '--limit', '1000', q)
    newest = [x['message_id'] for x in json.loads(o)] if o.strip() else []
    rc, o = run('--format=json', '--limit', '5', q)
    page = [x['message_id'] for x in json.loads(o)] if o.strip() else []
    rc, o = run('--count', q)
    count = int(o.strip() or -1)
    rc, o = run('--format=json', '--limit', '1000', '--order=relevance', q)
    rel = sorted(x['message_id'] for x in json.loads(o)) if o.strip() else []
    if newest != w: bad.append(f'{q}: newest {newest[:5]}... ({len(newest)}) want {w[:5]}... ({len(w)})')
    if page != w[:5]: bad.append(f'{q}: page {page} want {w[:5]}')
    if count != len(w): bad.append(f'{q}: count {count} want {len(w)}')
    if rel != sorted(w): bad.append(f'{q}: by relevance {len(rel)} want {len(w)}')
print('\n'.join(bad) if bad else 'all same')
print(len(want))
EOF
check_eq "every query's matches, page, count and relevance set are the ones written" \
	"$(head -1 got.txt)" "all same"
check_eq "...for the 12 queries" "$(tail -1 got.txt)" 12
[ "$(head -1 got.txt)" = "all same" ] || sed 's/^/#   /' got.txt | head -20

# The search page (`listarc get`): zet*'s count and its first page.
DATA=arc
get '/l/?q=zet*' >page.html
want=$("$PYTHON" -c 'import json; w = json.load(open("want.json"))["zet*"]
print(len(w), " ".join(x.split("@")[0][1:] for x in w[:25]))')
got=$(sed 's/<[^>]*>/ /g' page.html | "$PYTHON" -c 'import re, sys
t = sys.stdin.read()
m = re.search(r"(\d+) messages match", t)
print(m.group(1) if m else "-", " ".join(re.findall(r"note (\d+)", t)))')
check_eq "the search page of zet*: its count and its first 25, newest first" "$got" "$want"

explain() { "$LISTARC" search --data arc --explain "$@" | grep '^prefix'; }
check_eq "zet*: read as the OR of its 4 words" "$(explain 'zet*')" \
	'prefix "zet" *: 4 words, read as their OR'
check_eq "ZET*: the same words (the index's are lowercase)" "$(explain 'ZET*')" \
	'prefix "zet" *: 4 words, read as their OR'
check_eq "quac*: 64 words, the bound, read as their OR" "$(explain 'quac*')" \
	'prefix "quac" *: 64 words, read as their OR'
check_eq "quab*: 70 words, past the bound, read as a prefix" "$(explain 'quab*')" \
	'prefix "quab" *: more than 64 words: read as a prefix'
check_eq "rar*: 20 words of one message each, read as a prefix" "$(explain 'rar*')" \
	'prefix "rar" *: 20 words, in fewer than 16 messages each on average: read as a prefix'
check_eq "zzq*: no words, read as a prefix" "$(explain 'zzq*')" \
	'prefix "zzq" *: no words: read as a prefix'
check_eq "the NOT of a date range's walk: its prefix's words too" \
	"$(explain 'd:2011-02-05..2011-02-20 -zet*')" 'prefix "zet" *: 4 words, read as their OR'
check_eq "--count walks every match: read as a prefix" "$(explain --count 'zet*')" \
	'prefixes: a walk of more than 20000 matches: read as prefixes'
check_eq "by relevance: nothing expanded (bm25 scores the prefix)" \
	"$(explain --order=relevance 'zet*')" ""
