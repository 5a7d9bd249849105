#!/usr/bin/env bash
# t7067-search-file-follow: a server opened on an index made before the
# search index had its own file (its fts inside index.sqlite) keeps
# answering searches after `listarc index` upgrades it, without a restart:
# the writer moves the search index into search.sqlite, and each reader
# attaches that file when it sees the index change (store/read.c,
# st_fts_attach).
. "$(dirname "$0")/lib.sh"
plan 6
DATA=$T/old
la index -q --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox"
# As a listarc before the file left it: the search index inside
# index.sqlite (an older form, so that the next writer rebuilds it), no
# search.sqlite.
rm -f "$DATA"/search.sqlite*
sqlite3 "$DATA/index.sqlite" "CREATE VIRTUAL TABLE fts USING fts5(s, f, t, c, nq, q, dfn, content='', tokenize='unicode61 remove_diacritics 2'); UPDATE meta SET value = 'old' WHERE key = 'schema_sql'"
start_server old
# hits QUERY: how many results the server's Atom of QUERY has.
hits() { curl -s "$U/linux-kernel/?q=$1&x=A" | grep -c '<entry>'; }
check_eq "the old index's search answers (its rows are empty: no hits)" "$(hits process_vm_mmap)" 0
la index --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox" 2>up.txt
check "listarc index rebuilds it, saying so" grep -q 'older listarc: rebuilding it' up.txt
check "...into the search index's own file" eval '[ -s "$DATA/search.sqlite" ] && [ -z "$(sqlite3 "$DATA/index.sqlite" "SELECT name FROM sqlite_schema WHERE name = '"'fts'"'")" ]'
fresh=$(get "/linux-kernel/?q=process_vm_mmap&x=A" | grep -c '<entry>')
check "a fresh listarc get finds the messages ($fresh)" [ "$fresh" -gt 0 ]
check_eq "...and the running server the same, without a restart" "$(hits process_vm_mmap)" "$fresh"
stop_server old
