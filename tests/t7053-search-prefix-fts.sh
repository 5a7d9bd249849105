#!/usr/bin/env bash
# t7053-search-prefix-fts: on generated mail (3,000 messages), prefix
# queries of every size, from one word to hundreds (store/search.c,
# prefix_match: at most 64 words read as their OR, more as a prefix),
# bare and as s:, find newest first exactly the messages, in the same
# order, that FTS5's own prefix query finds (the sqlite3 shell on the
# search index, its MATCH the one `--explain` prints, the ids joined to
# their Message-IDs), the first 1,000 and a page of 25, and count them
# the same.  The prefixes are picked from the index's words so that
# each band is met: 1 word, 2-10, 11-64, and more than 64.
. "$(dirname "$0")/lib.sh"
plan 6
if ! have_shared; then
	skip 6 "$SKIP_SHARED"
	exit 0
fi

"$PYTHON" "$SHARED/corpora/gen-corpus.py" 3000 corpus.mbox 7 >/dev/null 2>&1
"$RELEASE" index -q --data arc l corpus.mbox 2>err.txt
check_eq "indexed: exit 0" $? 0

# The prefixes: of 2 to 5 letters of the index's words, by how many
# words start with each (fts5vocab in the sqlite3 shell), a few a band.
sqlite3 arc/search.sqlite "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, row);
	SELECT term FROM v" >words.txt
"$PYTHON" - >prefixes.txt <<'EOF'
import collections, re
words = [w.strip() for w in open('words.txt') if re.fullmatch(r'[a-z][a-z0-9_]*', w.strip())]
n = collections.Counter()
for w in words:
    for k in range(2, 6):
        if len(w) >= k:
            n[w[:k]] += 1
bands = [(1, 1), (2, 10), (11, 64), (65, 10**6)]
for lo, hi in bands:
    ps = sorted(p for p, c in n.items() if lo <= c <= hi)
    for p in ps[::max(1, len(ps) // 6)][:6]:
        print(p, n[p])
EOF
check "prefixes of every band picked" eval '[ "$(awk "\$2 == 1" prefixes.txt | wc -l)" -ge 3 ] &&
	[ "$(awk "\$2 > 64" prefixes.txt | wc -l)" -ge 3 ] &&
	[ "$(awk "\$2 > 10 && \$2 <= 64" prefixes.txt | wc -l)" -ge 3 ]'

"$PYTHON" - "$LISTARC" >got.txt <<'EOF'
import json, re, subprocess, sys
bad, ors, kept, n = [], 0, 0, 0
def run(*args):
    return subprocess.run([sys.argv[1], 'search', '--data', 'arc'] + list(args),
                          capture_output=True, text=True).stdout
def fts(match, limit):
    sql = ("ATTACH 'arc/index.sqlite' AS x; SELECT d.mid FROM (SELECT rowid AS r FROM fts WHERE fts"
           " MATCH '%s' ORDER BY rowid DESC%s) JOIN x.messages m ON m.id = r JOIN x.mids d"
           " ON d.id = m.mid ORDER BY r DESC" % (match.replace("'", "''"),
                                                 ' LIMIT %d' % limit if limit else ''))
    return subprocess.run(['sqlite3', 'arc/search.sqlite', sql], capture_output=True,
                          text=True).stdout.split()
for line in open('prefixes.txt'):
    p = line.split()[0]
    for q in (p + '*', 's:' + p + '*'):
        n += 1
        ex = run('--explain', q)
        match = re.search(r'^MATCH (.*) WHERE 1$', ex, re.M).group(1)
        ors += 'read as their OR' in ex or 'read as that word' in ex
        kept += 'read as a prefix' in ex
        for limit in (1000, 25):
            o = run('--format=json', '--limit', str(limit), q)
            got = [x['message_id'] for x in json.loads(o)] if o.strip() else []
            want = fts(match, limit)
            if got != want:
                bad.append(f'{q} --limit {limit}: {len(got)} {got[:3]} want {len(want)} {want[:3]}')
        c = int(run('--count', q).strip() or -1)
        if c != len(fts(match, 0)):
            bad.append(f'{q}: count {c}')
print('\n'.join(bad) if bad else 'all same')
print(n, ors, kept)
EOF
check_eq "every prefix query finds FTS5's prefix matches, in order, and counts them" \
	"$(head -1 got.txt)" "all same"
[ "$(head -1 got.txt)" = "all same" ] || sed 's/^/#   /' got.txt | head -20
read -r n ors kept <<<"$(tail -1 got.txt)"
check "...queries run: $n" test "$n" -ge 30
check "...some read as an OR of words ($ors)" test "$ors" -ge 10
check "...some as a prefix, past 64 words ($kept)" test "$kept" -ge 6
