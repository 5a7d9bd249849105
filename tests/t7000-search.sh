#!/usr/bin/env bash
# t7000-search: full-text search on samples/ (`listarc search`): each
# query's exact result set, the output formats, --no-search and
# `reindex --search`, and clear errors for bad queries.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
la index -q --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox"

# search QUERY: the sorted URLs it finds.
search() { la search --data "$DATA" --limit 1000 "$@" 2>/dev/null | awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'; }
L=/linux-kernel

check_eq 's:"copy_page_range" finds the seed patch' "$(search 's:"copy_page_range"')" "$L/2019/05/20/4"
check_eq 'f:ktkhai d:2019-05-20..2019-05-21: the v2 series and his replies' \
	"$(search 'f:ktkhai d:2019-05-20..2019-05-21')" \
	"$L/2019/05/20/1 $L/2019/05/20/2 $L/2019/05/20/3 $L/2019/05/20/4 $L/2019/05/20/5 $L/2019/05/20/6 $L/2019/05/20/7 $L/2019/05/20/8 $L/2019/05/21/3 $L/2019/05/21/4 $L/2019/05/21/5 $L/2019/05/21/6"
check_eq 'f:ktkhai d:2019-05-20: the end of a range is a whole day' \
	"$(search 'f:ktkhai d:2019-05-20')" \
	"$L/2019/05/20/1 $L/2019/05/20/2 $L/2019/05/20/3 $L/2019/05/20/4 $L/2019/05/20/5 $L/2019/05/20/6 $L/2019/05/20/7 $L/2019/05/20/8"
check_eq 'dfn:mm/memory.c finds the patch touching it' "$(search 'dfn:mm/memory.c')" "$L/2019/05/20/4"
check_eq 'q:pmsg_size finds the replies that quote it' "$(search 'q:pmsg_size')" "$L/2020/05/09/3 $L/2020/05/09/4"
check_eq 'nq:pmsg_size finds the patches that contain it' "$(search 'nq:pmsg_size')" \
	"$L/2020/05/08/11 $L/2020/05/08/12 $L/2020/05/08/6 $L/2020/05/08/7 $L/2020/05/08/8 $L/2020/05/08/9"
check_eq 'm: finds by Message-ID' \
	"$(search 'm:155836081774.2441.16449538600904205092.stgit@localhost.localdomain')" "$L/2019/05/20/4"
check_eq 'm: accepts angle brackets' \
	"$(search 'm:<8ce09c04-2e68-616b-38de-c574fbc69469@allwinnertech.com>')" "$L/2020/05/09/3"
kees="$L/2020/05/08/1 $L/2020/05/08/10 $L/2020/05/08/11 $L/2020/05/08/12 $L/2020/05/08/13 $L/2020/05/08/14 $L/2020/05/08/2 $L/2020/05/08/3 $L/2020/05/08/4 $L/2020/05/08/5 $L/2020/05/08/6 $L/2020/05/08/7 $L/2020/05/08/8 $L/2020/05/08/9 $L/2020/05/09/7"
check_eq 'f:keescook@chromium.org' "$(search 'f:keescook@chromium.org')" "$kees"
check_eq 'f:keescook (local part only)' "$(search 'f:keescook')" "$kees"
check_eq 'f:chromium.org (domain only)' "$(search 'f:chromium.org')" "$kees"
check_eq 'l: and d: alone' "$(search 'l:linux-kernel d:2020-05-09')" \
	"$L/2020/05/09/1 $L/2020/05/09/2 $L/2020/05/09/3 $L/2020/05/09/4 $L/2020/05/09/5 $L/2020/05/09/6 $L/2020/05/09/7"
check_eq 'NOT: s:pstore -s:blk' "$(search 's:pstore -s:blk')" \
	"$L/2020/05/08/1 $L/2020/05/08/10 $L/2020/05/08/14 $L/2020/05/08/3 $L/2020/05/09/1 $L/2020/05/09/6 $L/2020/05/09/7"
check_eq 'OR and parentheses' "$(search '(s:"copy_page_range" OR s:"copy_vma") -s:Re')" "$L/2019/05/20/3 $L/2019/05/20/4"
check_eq 'a prefix word*' "$(search 's:round_hint*')" "$L/2019/05/20/5"
check_eq 'l: of another list finds nothing' "$(search 'l:lkml copy_page_range')" ""

la search --data "$DATA" 'subject:foo' 2>err.txt >/dev/null
check_eq 'an unknown prefix exits 2' $? 2
check 'and says which prefix' grep -q "unknown prefix 'subject:'" err.txt
la search --data "$DATA" '(unbalanced' 2>err.txt >/dev/null
check 'unbalanced parentheses are a clear error' grep -q 'unbalanced parentheses' err.txt
la search --data "$DATA" 'nothingmatchesthis' >/dev/null 2>&1
check_eq 'no match exits 1' $? 1

la search --data "$DATA" --format=json 'f:ktkhai d:2019-05-20' >out.json
check 'json output parses and has 8 messages with URLs and Message-IDs' python3 -c '
import json, sys
d = json.load(open("out.json"))
assert len(d) == 8, len(d)
assert all(x["url"].startswith("/linux-kernel/2019/05/20/") and "@" in x["message_id"] for x in d)
'
la search --data "$DATA" --format=mbox 's:"PATCH v2" -s:Re' >out.mbox
check_eq 'mbox output holds the 8 patches' "$(grep -c '^From listarc@' out.mbox)" 8
mkdir split
check_eq 'git mailsplit reads the mbox' "$(git mailsplit -osplit out.mbox)" 8
check 'git mailinfo accepts the patch 3/7' sh -c 'for f in split/*; do git mailinfo m p <"$f" | grep -q "copy_page_range" && exit 0; done; exit 1'

# --no-search, then reindex --search.
la index -q --data ns --no-search linux-kernel "$ROOT/samples/seeds.mbox"
check_eq 'with --no-search nothing is found' "$(DATA=ns search 's:"copy_page_range"')" ""
check_eq 'the archive remembers --no-search' "$(sqlite3 ns/index.sqlite "select value from meta where key='search'")" off
la reindex --data ns --search 2>err.txt
check 'reindex --search reports its work' grep -q 'search index rebuilt: 36 messages' err.txt
check_eq 'after reindex --search the same results' "$(DATA=ns search 'f:ktkhai d:2019-05-20..2019-05-21')" \
	"$(search 'f:ktkhai d:2019-05-20..2019-05-21')"
check_eq '--explain shows the translation' "$(la search --explain 'f:ktkhai -s:Re')" \
	'MATCH ((f : "ktkhai")) NOT (s : "Re") WHERE 1'
