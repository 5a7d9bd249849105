#!/usr/bin/env bash
# t7039-search-explain: `listarc search --explain` prints the plan the
# search runs (store_search_plan, the choice store_search makes), not one
# condition: a MATCH walked newest first, or ranked by relevance; an OR
# of full-text and other members read member by member and merged (the
# AND around it distributed into each); NOTs of full-text terms walked in
# step beside the condition they are taken from; a condition alone, or
# with a full-text part inside it (an OR longer than QUERY_MAX_BRANCHES).
# Each with its exact text.  And the plans find what the one condition
# finds (the same messages, on samples/).
. "$(dirname "$0")/lib.sh"
plan 14
explain() { la search --explain "$@"; }

check_eq 'a MATCH: walked newest first' "$(explain 'f:ktkhai -s:Re')" \
	'plan: full-text matches, newest first
MATCH ((f : "ktkhai")) NOT (s : "Re") WHERE 1'
check_eq '...by relevance: ranked' "$(explain --order=relevance 'f:ktkhai -s:Re')" \
	'plan: full-text matches by relevance (bm25, each phrase'\''s rows counted up to 10000), among the newest 10000
MATCH ((f : "ktkhai")) NOT (s : "Re") WHERE 1'
check_eq 'an OR of a Message-ID and a full-text term: a union of its members' \
	"$(explain 'mid:x@example.org OR s:cifs')" \
	'plan: union of 2 members, each newest first, merged
member 1: MATCH - WHERE m.mid IN (SELECT id FROM mids WHERE mid = '\''x@example.org'\'')
member 2: MATCH (s : "cifs" OR zs : "cif") WHERE 1'
check_eq '...ANDed with a date range: the range in each member' \
	"$(explain '(mid:x@example.org OR s:cifs) d:2020-01-01..')" \
	'plan: union of 2 members, each newest first, merged
member 1: MATCH - WHERE (m.mid IN (SELECT id FROM mids WHERE mid = '\''x@example.org'\'') AND (coalesce(m.date, m.ts) >= 1577836800))
member 2: MATCH (((s : "cifs" OR zs : "cif"))) WHERE (coalesce(m.date, m.ts) >= 1577836800)'
check_eq 'm: (not mid:): the Message-ID, else Message-IDs with its words in a row, found by one of them (mid_words)' \
	"$(explain 'm:Kees.Cook')" \
	'plan: condition, counted; more than 10000 matches walked newest first, fewer read through its index
MATCH - WHERE (m.mid IN (SELECT id FROM mids WHERE mid = '\''Kees.Cook'\'') OR m.mid IN (SELECT w.mid FROM mid_words w JOIN mids d ON d.id = w.mid WHERE NOT EXISTS (SELECT 1 FROM mids WHERE mid = '\''Kees.Cook'\'') AND w.w = '\''kees'\'' AND lower(char(46) || d.mid || char(46)) GLOB '\''*[^a-z0-9_]kees[^a-z0-9_]cook[^a-z0-9_]*'\''))'
check_eq '...patchid: OR a word (what b4 asks)' \
	"$(explain 'patchid:0123456789abcdef0123456789abcdef01234567 OR s:pstore')" \
	'plan: union of 2 members, each newest first, merged
member 1: MATCH - WHERE m.id IN (SELECT id FROM patchids WHERE pid = '\''0123456789abcdef0123456789abcdef01234567'\'')
member 2: MATCH (s : "pstore" OR zs : "pstore") WHERE 1'
check_eq 'NOT a full-text term: every message, less its matches walked in step' \
	"$(explain 'NOT s:patch')" \
	'plan: condition newest first, less 1 full-text NOT walked in step
condition: MATCH - WHERE 1
less: (s : "patch" OR zs : "patch")'
check_eq '...two NOTs and a date range' "$(explain 'd:2015-06 -patch -s:RFC')" \
	'plan: condition newest first, less 2 full-text NOTs walked in step
condition: MATCH - WHERE (coalesce(m.date, m.ts) >= 1433116800 AND coalesce(m.date, m.ts) < 1435708800)
less: ({s f nq q n dfn dfa dfb dfctx dfhh} : "patch" OR {zs znq zq zdfa zdfb zdfctx} : "patch")
less: s : "RFC"'
check_eq 'a condition alone (a date range)' "$(explain 'd:2019-05-20..2019-05-21')" \
	'plan: condition, counted; more than 10000 matches walked newest first, fewer read through its index
MATCH - WHERE (coalesce(m.date, m.ts) >= 1558310400 AND coalesce(m.date, m.ts) < 1558483200)'
check_eq '...an OR without full text is one condition' "$(explain 'z:..500 OR rt:2025-02-01')" \
	'plan: condition, counted; more than 10000 matches walked newest first, fewer read through its index
MATCH - WHERE ((m.len < 501) OR (m.ts >= 1738368000 AND m.ts < 1738454400))'
q='s:a'
for i in $(seq 1 16); do q="$q OR mid:$i@x"; done
explain "$q" >long.txt
check_eq 'an OR of 17 members (more than QUERY_MAX_BRANCHES): one condition with its full-text part inside' \
	"$(head -1 long.txt)" \
	'plan: condition (its full-text parts'\'' matches made first), counted; more than 10000 matches walked newest first, fewer read through its index'
check '...the MATCH inside the condition' grep -qF 'MATCH - WHERE ((((((((((((((((m.id IN (SELECT rowid FROM fts WHERE fts MATCH '\''s : "a"'\'') OR m.mid IN' long.txt

# The plans find what one condition finds: each member, each NOT.
la index -q --data arc linux-kernel "$ROOT/samples/seeds.mbox"
mids() { la search --data arc --format=json --limit 10000 "$1" 2>/dev/null | "$PYTHON" -c 'import json, sys; print(" ".join(sorted(x["message_id"] for x in json.load(sys.stdin))))'; }
P37=155836081774.2441.16449538600904205092.stgit@localhost.localdomain
check_eq 'the union finds the Message-ID and the subjects' \
	"$(mids "m:$P37 OR s:pstore")" \
	"$( (echo "$P37"; mids 's:pstore' | tr ' ' '\n') | sort -u | tr '\n' ' ' | sed 's/ $//')"
all=$(mids 'd:2000..')
less=$(mids 'NOT s:Re')
re=$(mids 's:Re')
check_eq 'NOT s:Re and s:Re make every message, each once' \
	"$(printf '%s %s\n' "$less" "$re" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" "$all"
