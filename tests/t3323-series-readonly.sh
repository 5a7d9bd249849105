#!/usr/bin/env bash
# t3323-series-readonly: `listarc serve` (a reader: it never writes the
# index) on an index that no writer has opened since listarc kept series
# states, or series at all (docs/series.md, "Storage"): never a 500.
# Without states, /LIST/series/ and its JSON compute each series' state
# as they show it (the same rows as the upgraded index's); without series
# tables, the pages say there are none (empty TEMP tables stand in for
# them), and the searches find nothing; once a writer has upgraded the
# index, the same server shows what the writer made.
. "$(dirname "$0")/lib.sh"
plan 13
DATA=$T/arc
series_archive
PATHS="/widgets/series/ /api/v1/widgets/series/ /widgets/v1-0@series.test/s/ /widgets/v2-0@series.test/s/v1..v2/ /widgets/v1-0@series.test/s/mbox /widgets/v1-1@series.test/ /widgets/ /widgets/?q=series%3Alatest /widgets/?q=v%3A2"
fetch() { # fetch DIR: every path of PATHS from the server, "STATUS PATH" in DIR.txt
	mkdir -p "$T/$1"
	local n=0 p
	for p in $PATHS; do
		n=$((n + 1))
		printf '%s %s\n' "$(curl -s -o "$T/$1/$n" -w '%{http_code}' "http://127.0.0.1:$PORT$p")" "$p"
	done >"$T/$1.txt"
}
statuses() { cut -d' ' -f1 "$T/$1.txt" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' '; }
states() { grep -o '<td>[RFCESND ]*v[0-9]*</td><td class="part">[0-9/]*</td><td>.*</td></tr>' "$1"; }
start_server ref
fetch ref
stop_server ref

# States dropped, as an index of the listarc before them.
cp -r "$DATA" "$T/nostate"
sqlite3 "$T/nostate/index.sqlite" "DROP TABLE series_state; DELETE FROM meta WHERE key IN ('series_state', 'schema_sql');"
DATA=$T/nostate start_server nostate
DATA=$T/nostate fetch nostate
check_eq "no states: every page 200" "$(statuses nostate)" "9 200 "
check_eq "...the list of series as the upgraded index's: versions, arrived, reviewed, superseded" "$(states "$T/nostate/1")" "$(states "$T/ref/1")"
check "...its JSON too" cmp -s "$T/nostate/2" "$T/ref/2"
check "...the series page and the changes page the same" sh -c "cmp -s '$T/nostate/3' '$T/ref/3' && cmp -s '$T/nostate/4' '$T/ref/4'"
# A writer upgrades the index meanwhile: the same server reads its states.
la index --data "$T/nostate" widgets "$T/series.mbox" 2>/dev/null
check_eq "the writer made the states" "$(sqlite3 "$T/nostate/index.sqlite" "SELECT count(*) FROM series_state")" 3
DATA=$T/nostate fetch nostate2
check "after the upgrade: the same list of series" cmp -s "$T/nostate2/1" "$T/ref/1"
stop_server nostate

# Series, trailers and states dropped: an index of the listarc before series.
cp -r "$DATA" "$T/old"
sqlite3 "$T/old/index.sqlite" "DROP TABLE series; DROP TABLE series_msgs; DROP TABLE series_gone;
	DROP TABLE trailers; DROP TABLE series_state;
	DELETE FROM meta WHERE key IN ('series', 'trailers', 'series_state', 'schema_sql');"
DATA=$T/old start_server old
DATA=$T/old fetch old
check_eq "no series tables: no 500, the series pages 404 (none known yet)" "$(cut -d' ' -f1 "$T/old.txt" | tr '\n' ' ')" "200 200 404 404 404 200 200 200 200 "
check "...the list of series says it has none" grep -q '"total":0' "$T/old/2"
check "...the index file was not written (no tables made in it)" sh -c "! sqlite3 '$T/old/index.sqlite' .tables | grep -qw series"
stop_server old
