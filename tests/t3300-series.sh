#!/usr/bin/env bash
# t3300-series: patch series (docs/series.md).  A series in three versions
# made with git format-patch (tests/mkseries.py: change-id: on v1 and v2,
# v3 unthreaded with its 2/3 missing, review replies), and the series of
# samples/: detection, the series page (patches, trailers linked to their
# replies, cover-letter trailers on every patch, missing patches, versions
# and the rule that chained each), the line on a patch's message page, and
# an index made before series getting them on upgrade.
. "$(dirname "$0")/lib.sh"
plan 48
DATA=$T/arc
export GIT_AUTHOR_NAME="Pat Sender" GIT_AUTHOR_EMAIL=pat@example.org
export GIT_COMMITTER_NAME="Pat Sender" GIT_COMMITTER_EMAIL=pat@example.org
export GIT_AUTHOR_DATE="2025-12-01T10:00:00Z" GIT_COMMITTER_DATE="2025-12-01T10:00:00Z"
series_archive
r=$T/repo

page() { get "/widgets/$1/s/" >"$T/$2.html"; echo "$STATUS"; }
check_eq "v1's series page" "$(page v1-0@series.test s1)" 200
check_eq "a patch finds the same page" "$(page v1-2@series.test s1b; cmp -s "$T/s1.html" "$T/s1b.html" && echo same)" "200
same"
# The patches, in order, each linked to its date URL.
rows() { grep -o '<td class="part">[0-9]*/[0-9]*</td><td[^>]*>[^<]*\(<a href="[^"]*">[^<]*\)\?' "$1" |
	sed 's/<td class="part">//; s/<\/td><td[^>]*>/ /; s/<a href="[^"]*">//'; }
check_eq "v1: cover letter and three patches" "$(rows "$T/s1.html")" "0/3 [PATCH 0/3] widgets: make them spin
1/3 [PATCH 1/3] widgets: add A
2/3 [PATCH 2/3] widgets: add B
3/3 [PATCH 3/3] widgets: add C"
# Trailers: each linked to the reply that gave it.
r1=$(get /widgets/r1@series.test/ | grep -o '<link rel="canonical" href="[^"]*"' | sed 's/.*href="//; s/"$//')
r3=$(get /widgets/r3@series.test/ | grep -o '<link rel="canonical" href="[^"]*"' | sed 's/.*href="//; s/"$//')
check "v1 1/3: Reviewed-by Ann, linked to her reply ($r1)" grep -q "<li><a href=\"$r1\">Reviewed-by: Ann Reviewer &lt;ann@...mple.org&gt;</a></li>" "$T/s1.html"
check "v1 2/3: Acked-by from a reply to a reply, linked to it ($r3)" grep -q "<li><a href=\"$r3\">Acked-by: Bob Acker" "$T/s1.html"
check_eq "v1: reply counts (cover, 1/3, 2/3, 3/3)" "$(grep -o 'class="replies">[^<]*' "$T/s1.html" | sed 's/.*>//' | tr '\n' ,)" "0 replies,1 reply,2 replies,0 replies,"
check_eq "v1: the quoted trailer-like line is not taken" "$(grep -c 'Reviewed-by' "$T/s1.html")" 1
check "v1 shows its change-id" grep -q '<code>20261201-widgets-0a1b2c3d4e5f</code>' "$T/s1.html"
# Versions: v2 by change-id, v3 by subject and author.
vers() { sed -n '/<ul class="versions">/,/<\/ul>/p' "$1" | grep '<li>' | sed 's/<span class="date">[^<]*<\/span>/DATE/; s/<[^>]*>//g'; }
check_eq "v1's versions" "$(vers "$T/s1.html")" "v1 DATE, 3 patches (this page)
v2 DATE, 3 patches (same change-id) [what changed]
v3 DATE, 3 patches (same subject and author) [what changed]"
check "v1 links what changed to v3, and its mbox for git am" sh -c "grep -q 'href=\"/widgets/v3-0@series.test/s/v1..v3/\">what changed</a>' '$T/s1.html' && grep -q 'href=\"/widgets/v1-0@series.test/s/mbox\">mbox for git am</a>' '$T/s1.html'"
# What changed: v1 -> v2 (B dropped, C moved, D added), v2 -> v3 (D changed).
get /widgets/v1-0@series.test/s/v1..v2/ >"$T/d12.html"
chg() { grep -o '<tr><td class="part">[^<]*</td><td class="part">[^<]*</td><td class="[a-z]*">[a-z]*</td><td><a href="[^"]*">[^<]*' "$1" |
	sed 's/<td class="part">//g; s/<\/td>/ /g; s/<td class="[a-z]*">//; s/<td><a href="[^"]*">//; s/<tr>//'; }
check_eq "v1..v2: what changed, from the patches alone" "$(chg "$T/d12.html")" "1/3 1/3 unchanged [PATCH v2 1/3] widgets: add A
3/3 2/3 moved [PATCH v2 2/3] widgets: add C
 3/3 added [PATCH v2 3/3] widgets: add D
2/3  dropped [PATCH 2/3] widgets: add B"
get /widgets/v3-3@series.test/s/v2..v3/ >"$T/d23.html"
check "v2..v3: D changed, the diff of its diffs" sh -c "grep -q '<td class=\"changed\">changed</td><td><a href=\"[^\"]*\">\[PATCH v3 3/3\] widgets: add D' '$T/d23.html' && grep -q '^<span class=\"del\">-+d</span>\$' '$T/d23.html' && grep -q '^<span class=\"add\">++d, better</span>\$' '$T/d23.html'"
get /widgets/v1-0@series.test/s/v1..v9/ >/dev/null
check_eq "a version the series does not have: 404" "$STATUS" 404
check "v1 links v2's series page" grep -q 'href="/widgets/v2-0@series.test/s/">v2</a>' "$T/s1.html"
check "v1 says a newer version exists" grep -q '<p class="series-newer">A newer version exists: <a href="/widgets/v3-0@series.test/s/">v3</a> was posted on 2025-12-08' "$T/s1.html"

check_eq "v2's series page" "$(page v2-2@series.test s2)" 200
check_eq "v2: B dropped, C moved to 2/3, D added" "$(rows "$T/s2.html")" "0/3 [PATCH v2 0/3] widgets: make them spin
1/3 [PATCH v2 1/3] widgets: add A
2/3 [PATCH v2 2/3] widgets: add C
3/3 [PATCH v2 3/3] widgets: add D"
check "v2: Tested-by on the cover letter's row" grep -q '<td class="part">0/3</td>.*<ul class="trailers"><li><a href="[^"]*">Tested-by: Tess Tester &lt;tess@...mple.org&gt;</a></li></ul>' "$T/s2.html"
check_eq "v2: ... and on every patch's row, marked" "$(grep -c 'Tested-by: Tess Tester &lt;tess@...mple.org&gt;</a> <span class="from">(to the cover letter)</span>' "$T/s2.html")" 3
check "v2 3/3: Reported-by" grep -q 'Reported-by: Rita Reporter' "$T/s2.html"
check "v2 1/3 (the same patch id as v1 1/3): Reviewed-by carried from v1, linked to the v1 reply" grep -q "<td class=\"part\">1/3</td>.*<li><a href=\"$r1\">Reviewed-by: Ann Reviewer &lt;ann@...mple.org&gt;</a> <span class=\"from\">(carried from v1, the same patch)</span></li>" "$T/s2.html"
check_eq "v2: only 1/3 gets it (2/3 C had none, B was dropped)" "$(grep -c 'carried from' "$T/s2.html")" 1
check_eq "v2's versions" "$(vers "$T/s2.html")" "v1 DATE, 3 patches (same change-id) [what changed]
v2 DATE, 3 patches (this page)
v3 DATE, 3 patches (same subject and author) [what changed]"

check_eq "v3 (unthreaded) found from its last patch" "$(page v3-3@series.test s3)" 200
check_eq "v3: patches joined without threading, 2/3 never arrived" "$(rows "$T/s3.html")" "0/3 [PATCH v3 0/3] widgets: make them spin
1/3 [PATCH v3 1/3] widgets: add A
2/3 2/3 never arrived
3/3 [PATCH v3 3/3] widgets: add D"
check "v3: no newer version" sh -c "! grep -q 'series-newer' '$T/s3.html'"
check "v3: the Reported-by of v2 3/3 does not carry to the changed 3/3" sh -c "! grep -q 'Reported-by' '$T/s3.html'"
check "v3 1/3: v1's Reviewed-by carried through" grep -q '<td class="part">1/3</td>.*Reviewed-by: Ann Reviewer .*(carried from v1, the same patch)' "$T/s3.html"
check "v3 says 2 of 3 patches" grep -q 'Series v3, 2 of 3 patches from' "$T/s3.html"

# The message pages.
get /widgets/v1-2@series.test/ >"$T/m1.html"
check "v1 2/3's page: newer version line, at the top" grep -q '<p class="series-newer"><a href="/widgets/v3-0@series.test/s/">v3 of this series</a> was posted on 2025-12-08.</p>' "$T/m1.html"
check "v1 2/3's page: its place and versions" grep -q '<p class="series-note">Patch 2/3 of <a href="/widgets/v1-0@series.test/s/">v1 of the series</a> (3 versions: v1 <a href="/widgets/v2-0@series.test/s/">v2</a> <a href="/widgets/v3-0@series.test/s/">v3</a>).</p>' "$T/m1.html"
get /widgets/v3-0@series.test/ >"$T/m3.html"
check "v3's cover letter page: no newer line, its place" sh -c "! grep -q series-newer '$T/m3.html' && grep -q '<p class=\"series-note\">Cover letter of' '$T/m3.html'"
get /widgets/r1@series.test/ >"$T/mr.html"
check "a reply's page names no series" sh -c "! grep -q 'series-' '$T/mr.html'"
check_eq "a message in no series: the series URL is a 404" "$(page r1@series.test x)" 404
check "the pages are well formed, only our markup" pagecheck "$T/s1.html" "$T/s2.html" "$T/s3.html" "$T/m1.html" "$T/d12.html" "$T/d23.html"

# s/mbox, am-ready: the same patches and trailers as b4 am -t (which also
# gives the cover letter's trailers to every patch) for the same thread;
# ours adds a Link: and, in v2, the Reviewed-by carried from v1 1/3.
mkdir -p "$T/home" "$T/b4v1" "$T/b4v2"
printf '[user]\n\tname = T\n\temail = t@example.org\n' >"$T/home/.gitconfig"
b4am() {
	get "/widgets/$1/t.mbox.gz" | gunzip >"$T/$1.thread"
	(cd "$T/$2" && HOME=$T/home GIT_CONFIG_GLOBAL=$T/home/.gitconfig guard b4 --offline-mode am -t -m "$T/$1.thread" -o . >/dev/null 2>&1)
	ls "$T/$2"/*.mbx
}
get /widgets/v1-1@series.test/s/mbox >"$T/v1.mbox"
check_eq "v1 s/mbox is served" "$STATUS" 200
if command -v b4 >/dev/null; then
	check "v1 s/mbox: the patches and trailers b4 am gives" "$PYTHON" "$ROOT/tests/amcompare.py" "$T/v1.mbox" "$(b4am v1-0@series.test b4v1)" Link
else
	skip 1 "b4 is not installed (scripts/setup-debian installs it)"
fi
check "v1 s/mbox: each patch links to its page here" [ "$(grep -c '^Link: /widgets/v1-[123]@series.test/$' "$T/v1.mbox")" = 3 ]
get /widgets/v2-0@series.test/s/mbox >"$T/v2.mbox"
sed '0,/^Reviewed-by: Ann Reviewer/{/^Reviewed-by: Ann Reviewer/d}' "$T/v2.mbox" >"$T/v2-uncarried.mbox"
if command -v b4 >/dev/null; then
	check "v2 s/mbox: as b4 am, but for the carried trailer" "$PYTHON" "$ROOT/tests/amcompare.py" "$T/v2-uncarried.mbox" "$(b4am v2-0@series.test b4v2)" Link
else
	skip 1 "b4 is not installed (scripts/setup-debian installs it)"
fi
check_eq "v2 s/mbox: the carried Reviewed-by is in 1/3 only" "$(grep -c '^Reviewed-by: Ann Reviewer' "$T/v2.mbox")" 1
# git am applies it, trailers and all, to the repository it came from.
git -C "$r" checkout -q -b am base 2>/dev/null
check "git am applies v2's s/mbox" sh -c "GIT_COMMITTER_DATE=2025-12-05T00:00:00Z git -C '$r' am -q '$T/v2.mbox' >/dev/null 2>&1"
check_eq "the commits carry the trailers" "$(git -C "$r" log --format=%B base..am | grep -c -- '-by: ')" 5

# lkml: a series whose every message says "In-Reply-To: yes" (an old git
# send-email), each message there twice: siblings of the cover letter.
la index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>/dev/null
get "/lkml/1277220005-3322-1-git-send-email-sjayaraman@suse.de/s/" >"$T/cifs.html"
check "lkml: the [RFC][PATCH 00/10] cifs series whole" grep -q 'Series RFC v1, 10 of 10 patches' "$T/cifs.html"
check_eq "lkml: each of its copies listed beside the other" "$(grep -c '<td class="part">' "$T/cifs.html")" 22

# samples/: the seed [PATCH v2 0/7] and the v4 pstore series whole.
la index --data "$DATA" seeds "$ROOT/samples/seeds.mbox" 2>/dev/null
get "/seeds/155836064844.2441.10911127801797083064.stgit@localhost.localdomain/s/" >"$T/seed.html"
check "seeds: [PATCH v2 0/7] whole" grep -q 'Series v2, 7 of 7 patches' "$T/seed.html"
pst=$("$PYTHON" -c '
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    if str(m["Subject"]).startswith("[PATCH v4 00/12]"):
        print(m["Message-ID"].strip("<>")); break' "$ROOT/samples/seeds.mbox")
get "/seeds/$pst/s/" >"$T/pstore.html"
check "seeds: the v4 pstore series whole, and its replies counted" sh -c "grep -q 'Series v4, 12 of 12 patches' '$T/pstore.html' && [ \"\$(grep -o 'class=\"replies\">3 replies' '$T/pstore.html' | wc -l)\" -ge 1 ]"

# An index made before series gets them when a newer listarc writes it.
"$PYTHON" - "$DATA/index.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TABLE series; DROP TABLE series_msgs;"
                 " DELETE FROM meta WHERE key IN ('series', 'schema_sql');")
db.commit()
PY
la index --data "$DATA" seeds "$ROOT/samples/seeds.mbox" >/dev/null 2>&1
get "/seeds/155836064844.2441.10911127801797083064.stgit@localhost.localdomain/s/" >"$T/seed2.html"
check_eq "upgrade: the series come back, the same page" "$(cmp -s "$T/seed.html" "$T/seed2.html" && echo same)" same
