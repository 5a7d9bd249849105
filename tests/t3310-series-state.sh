#!/usr/bin/env bash
# t3310-series-state: what a list knows of its patch series, kept in the
# index at every commit (docs/series.md): /LIST/series/ and
# /api/v1/LIST/series/ (each series' patches, reviews, latest or
# superseded), the search prefixes v: and series:, a review delivered
# later changing the state; hidden messages (`listarc hide`) leaving the
# series pages, their counts, s/mbox and the changes page, and `unhide`
# giving back every page byte for byte; the trailers and states of an
# index made before them filled by the next writer (even one that commits
# nothing), and an index without them read from the messages (the same
# pages); s/mbox.gz, and Link:
# trailers as whole URLs under an absolute --base-url; a message deleted
# from a public-inbox source (410) leaving its series as a hidden one does.
# The series: tests/mkseries.py (three versions, see there).
. "$(dirname "$0")/lib.sh"
plan 37
DATA=$T/arc
series_archive

# Every page this script looks at, in one process each time.
PATHS="/widgets/v1-0@series.test/s/
/widgets/v1-0@series.test/s/mbox
/widgets/v2-0@series.test/s/
/widgets/v2-0@series.test/s/mbox
/widgets/v2-0@series.test/s/v1..v2/
/widgets/series/
/api/v1/widgets/series/
/widgets/v1-1@series.test/
/widgets/
/widgets/v2-0@series.test/s/mbox.gz
/api/v1/widgets/series/?limit=2
/widgets/?q=v%3A2
/widgets/?q=series%3Alatest
/widgets/?q=series%3Areviewed
/widgets/?q=v%3A1..2+series%3Asuperseded"
crawl() { printf '%s\n' "$PATHS" | getall "$T/$1"; }
# The state column of /widgets/series/: "VERSION PATCHES STATE".
states() { grep -o '<td>[RFCESND ]*v[0-9]*</td><td class="part">[0-9/]*</td><td>.*</td></tr>' "$1" |
	sed 's/<span[^>]*>//g; s/<\/span>//g; s/<br>/, /; s/<\/td><td[^>]*>/ /g; s/<td>//; s/<\/td><\/tr>//'; }
hits() { grep -c '^<li>' "$1"; }

crawl a
check_eq "the list of series: newest first, patches arrived, reviews, superseded" "$(states "$T/a/6")" "v3 2/3 1/3 reviewed, latest
v2 3/3 1/3 reviewed, superseded by v3
v1 3/3 2/3 reviewed, superseded by v3"
check "it links each series' page" grep -q '<a href="/widgets/v2-0@series.test/s/">\[PATCH v2 0/3\] widgets: make them spin</a>' "$T/a/6"
check "the list page links it" grep -q '<a href="/widgets/series/">Patch series</a>' "$T/a/9"
check "the JSON validates (series_page)" "$PYTHON" "$ROOT/tests/apischema.py" series_page "$T/a/7" "$T/a/11"
check_eq "the JSON: versions, arrived, reviewed, latest" "$("$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["total"], " ".join("v%d:%d/%d:%d:%s" % (s["version"], s["arrived"], s["total"], s["reviewed"], s["state"]["latest"]) for s in d["series"]))' "$T/a/7")" \
	"3 v3:2/3:1:True v2:3/3:1:False v1:3/3:2:False"
check_eq "the JSON in pages of 2: the next page has v1 alone" "$(DATA=$DATA get "$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["next"])' "$T/a/11")" |
	"$PYTHON" -c 'import json, sys; d = json.load(sys.stdin); print([s["version"] for s in d["series"]], d["next"])')" "[1] None"
check_eq "search v:2: v2's four messages" "$(hits "$T/a/12")" 4
check_eq "search series:latest: v3's three messages" "$(hits "$T/a/13")" 3
check_eq "search series:reviewed: none yet" "$(hits "$T/a/14")" 0
check_eq "search v:1..2 series:superseded: v1's and v2's eight" "$(hits "$T/a/15")" 8
check "s/mbox.gz is s/mbox gzipped" sh -c "gzip -dc '$T/a/10' | cmp -s - '$T/a/4'"
check "the pages are well formed, only our markup" pagecheck "$T/a/1" "$T/a/3" "$T/a/5" "$T/a/6" "$T/a/9"

# A review of v1 3/3 arrives: v1 is reviewed whole, and v2 2/3 (the same
# patch as v1 3/3) gets it too.
{
	printf 'From: Carl Checker <carl@example.org>\nDate: Tue, 02 Dec 2025 12:00:00 +0000\n'
	printf 'Message-ID: <r7@series.test>\nIn-Reply-To: <v1-3@series.test>\n'
	printf 'References: <v1-0@series.test> <v1-3@series.test>\nSubject: Re: [PATCH 3/3] widgets: add C\n\n'
	printf 'Fine.\n\nAcked-by: Carl Checker <carl@example.org>\n'
} | la deliver --data "$DATA" widgets
crawl b
check_eq "a review delivered: v1 reviewed, v2 2/3 by the same patch" "$(states "$T/b/6")" "v3 2/3 1/3 reviewed, latest
v2 3/3 2/3 reviewed, superseded by v3
v1 3/3 reviewed, superseded by v3"
check_eq "search series:reviewed: v1's four messages" "$(hits "$T/b/14")" 4

# Hidden: v1 2/3 (patch B) and the reply that gave v1 1/3 its Reviewed-by.
la hide --data "$DATA" widgets "<v1-2@series.test>" --reason "test" >/dev/null &&
	la hide --data "$DATA" widgets "<r1@series.test>" --reason "test" >/dev/null
check "two messages hidden" [ $? -eq 0 ]
crawl c
check "v1's page: 2/3 is not there (never arrived), 2 of 3 patches" sh -c "grep -q '<td class=\"missing\">2/3 never arrived' '$T/c/1' && grep -q 'Series v1, 2 of 3 patches' '$T/c/1' && ! grep -q 'v1-2@series.test\|widgets: add B' '$T/c/1'"
check "v1's page: the hidden reply's Reviewed-by is gone, its reply count too" sh -c "! grep -q 'Ann Reviewer' '$T/c/1' && grep -q '<td class=\"part\">1/3</td>.*<td class=\"replies\">0 replies</td>' '$T/c/1'"
check "v2's page: nothing carried from the hidden review" sh -c "! grep -q 'Ann Reviewer' '$T/c/3' && grep -q 'Acked-by: Carl Checker .*(carried from v1, the same patch)' '$T/c/3'"
check "v1's s/mbox: neither the hidden patch nor the hidden trailer" sh -c "! grep -q 'Message-ID: <v1-2@series.test>\|Ann Reviewer' '$T/c/2' && [ \$(grep -c '^Message-ID:' '$T/c/2') = 2 ]"
check "v2's s/mbox: no hidden trailer carried" sh -c "! grep -q 'Ann Reviewer' '$T/c/4'"
check "the changes page v1..v2: B is not listed as dropped" sh -c "grep -q '<td class=\"moved\">moved' '$T/c/5' && ! grep -q 'dropped\|widgets: add B' '$T/c/5'"
# v1: 1/3's review hidden, 2/3 hidden (and Bob's Acked-by under it counts
# for nothing, not for the cover letter above it), 3/3 Carl's; v2: 2/3
# carries Carl's; v3 carried Ann's only.
check_eq "the list of series counts neither" "$(states "$T/c/6")" "v3 2/3 0/3 reviewed, latest
v2 3/3 1/3 reviewed, superseded by v3
v1 2/3 1/3 reviewed, superseded by v3"
check "v1's page: the Acked-by under the hidden patch is not given to the cover letter" sh -c "! grep -q 'Bob Acker' '$T/c/1'"
check_eq "the JSON too" "$("$PYTHON" -c '
import json, sys
print(" ".join("v%d:%d:%d" % (s["version"], s["arrived"], s["reviewed"]) for s in json.load(open(sys.argv[1]))["series"]))' "$T/c/7")" "v3:2:0 v2:3:1 v1:2:1"
check_eq "search series:reviewed finds nothing now" "$(hits "$T/c/14")" 0
la unhide --data "$DATA" widgets "<v1-2@series.test>" >/dev/null &&
	la unhide --data "$DATA" widgets "<r1@series.test>" >/dev/null
crawl d
check_eq "unhidden: every page byte for byte as before" "$(cd "$T/b" && for f in [0-9]*; do cmp -s "$f" "$T/d/$f" || echo "$f differs"; done)" ""

# An index made before series, trailers and states: the next writer
# fills them (the same pages: v1's and v2's change-id read again from the
# cover letters); one without trailers reads them from the messages.
sqlite3 "$DATA/index.sqlite" "DROP TABLE series; DROP TABLE series_msgs; DROP TABLE series_gone;
	DROP TABLE trailers; DROP TABLE series_state;
	DELETE FROM meta WHERE key IN ('series', 'trailers', 'series_state', 'schema_sql');"
la index --data "$DATA" widgets "$T/series.mbox" 2>/dev/null
crawl e
check_eq "series, trailers and states filled on upgrade: the same pages" "$(cd "$T/b" && for f in [0-9]*; do cmp -s "$f" "$T/e/$f" || echo "$f differs"; done)" ""
check_eq "...the series' threads read: the five replies with trailers" "$(sqlite3 "$DATA/index.sqlite" "SELECT count(DISTINCT id) FROM trailers")" 5
# Series looked for again by an upgrade (an index made before them) and
# a writer that commits nothing (a hide of an unknown message): the
# states are made again there too, not left stale until the next commit
# (states made before, one whose series is gone).
sqlite3 "$DATA/index.sqlite" "UPDATE series_state SET reviewed = 0, latest = 0;
	INSERT INTO series_state SELECT 9999, id, 3, 3, 3, 0, 1, 1, 1764000000 FROM lists WHERE name = 'widgets';
	DELETE FROM meta WHERE key IN ('series', 'schema_sql');"
la hide --data "$DATA" widgets "<nobody@series.test>" --reason test >/dev/null 2>&1
check "a hide of an unknown message fails (after the upgrade)" [ $? -ne 0 ]
printf '%s\n' "$PATHS" | sed -n '6,7p' | getall "$T/g"
check_eq "series looked for again on upgrade: the list of series and its JSON as before, no commit since" "$(cmp -s "$T/b/6" "$T/g/1" && cmp -s "$T/b/7" "$T/g/2" && echo same)" same
sqlite3 "$DATA/index.sqlite" "DELETE FROM trailers; DELETE FROM meta WHERE key = 'trailers'"
printf '%s\n' "$PATHS" | head -4 | getall "$T/f"
check_eq "trailers read from the messages when the index has none: the same pages" "$(cd "$T/b" && for f in 1 2 3 4; do cmp -s "$f" "$T/f/$f" || echo "$f differs"; done)" ""

# Link: a whole URL under an absolute --base-url.
DATA=$DATA get --base-url https://lists.example.org/arc/ /widgets/v2-0@series.test/s/mbox >"$T/v2abs.mbox"
check_eq "Link: https://HOST/PATH/... with an absolute --base-url" "$(grep '^Link:' "$T/v2abs.mbox")" "Link: https://lists.example.org/arc/widgets/v2-1@series.test/
Link: https://lists.example.org/arc/widgets/v2-2@series.test/
Link: https://lists.example.org/arc/widgets/v2-3@series.test/"

# Removed from a public-inbox source (410): as hidden.
N=4
if ! have_public_inbox; then
	skip $N "$SKIP_PI"
	exit 0
fi
export HOME=$T PI_CONFIG=$T/pi.config
sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$T/series.mbox" >"$T/pi.mbox"
public-inbox-init -V2 -L basic pi "$T/pi" http://example.org/pi pi@example.org 2>"$T/pi.err"
"$ROOT/bench/pi-import" v2 pi "$T/pi.mbox" >/dev/null 2>>"$T/pi.err"
DATA=$T/parc
la index --data "$DATA" widgets "$T/pi" 2>/dev/null
get /widgets/v1-2@series.test/raw >"$T/gone1.eml"
get /widgets/r1@series.test/raw >"$T/gone2.eml"
public-inbox-learn --all rm <"$T/gone1.eml" 2>>"$T/pi.err" &&
	public-inbox-learn --all rm <"$T/gone2.eml" 2>>"$T/pi.err"
la index --data "$DATA" widgets 2>"$T/pidx.err"
check "the deletions are read: 2 removed" grep -q '; 2 removed' "$T/pidx.err"
crawl p
check "removed: v1's page without 2/3, its reply's Acked-by, and the Reviewed-by" sh -c "grep -q 'Series v1, 2 of 3 patches' '$T/p/1' && ! grep -q 'Ann Reviewer\|Bob Acker\|widgets: add B' '$T/p/1'"
check "removed: s/mbox and the changes page without them" sh -c "[ \$(grep -c '^Message-ID:' '$T/p/2') = 2 ] && ! grep -q 'Ann Reviewer' '$T/p/2' '$T/p/4' && ! grep -q dropped '$T/p/5'"
check_eq "removed: the list of series counts neither" "$(states "$T/p/6")" "v3 2/3 0/3 reviewed, latest
v2 3/3 0/3 reviewed, superseded by v3
v1 2/3 0/3 reviewed, superseded by v3"
