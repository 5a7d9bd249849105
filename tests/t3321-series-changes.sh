#!/usr/bin/env bash
# t3321-series-changes: the changes page s/vN..vM/ (docs/series.md, "What
# changed"): a patch renamed AND changed is paired with its old self by
# the size of the diff of their diffs, as git range-diff pairs commits
# (not shown as dropped plus added), with its old subject; a patch with
# nothing in common is still added, another dropped; the diff of diffs
# comes a section a file (anchors #pK-fJ, listed on top), only the files
# that differ, each run of changes under its hunk's "@@" line, lines
# marked by the classes add and del.  The series: tests/mkrename.py.
. "$(dirname "$0")/lib.sh"
plan 10
DATA=$T/arc
"$PYTHON" "$ROOT/tests/mkrename.py" "$T/r.mbox"
la index --data "$DATA" net "$T/r.mbox" 2>/dev/null
check "the two versions are indexed" [ $? -eq 0 ]
get /net/r1-0@rename.test/s/v1..v2/ >"$T/d.html"
check_eq "200" "$STATUS" 200
chg() { grep -o '<tr><td class="part">[^<]*</td><td class="part">[^<]*</td><td class="[a-z]*">[a-z]*</td><td><a href="[^"]*">[^<]*' "$1" |
	sed 's/<td class="part">//g; s/<\/td>/ /g; s/<td class="[a-z]*">//; s/<td><a href="[^"]*">//; s/<tr>//'; }
check_eq "renamed and changed: changed; the rest added, dropped, unchanged" "$(chg "$T/d.html")" "1/4 1/4 changed [PATCH v2 1/4] net: add rx helper
2/4 2/4 unchanged [PATCH v2 2/4] net: use it in rx
 3/4 added [PATCH v2 3/4] net: count packets
4/4 4/4 changed [PATCH v2 4/4] net: document rx
3/4  dropped [PATCH 3/4] net: remove old api"
check "the renamed patch names its old subject, links its diff" grep -q '\[PATCH v2 1/4\] net: add rx helper</a> \[<a href="#p1">diff</a>\]<br><span class="was">was <a href="[^"]*">\[PATCH 1/4\] net: add helper</a></span>' "$T/d.html"
check "...and its section says so" sh -c "grep -q '^<h2 id=\"p1\">1/4 → 1/4: \[PATCH v2 1/4\] net: add rx helper</h2>\$' '$T/d.html' && grep -q '^<p class=\"was\">was: \[PATCH 1/4\] net: add helper</p>\$' '$T/d.html'"
files() { grep -o '<h3 class="ddiff-file" id="[^"]*">[^<]*' "$1" | sed 's/<h3 class="ddiff-file" id="//; s/">/ /'; }
check_eq "a section a file that differs (main.c the same: none)" "$(files "$T/d.html")" "p1-f1 helper.c
p1-f2 helper.h (only in the new patch)
p4-f1 rx.txt"
check "the files listed on top, linked to their sections" sh -c "grep -q '<li><a href=\"#p1-f1\">helper.c</a></li>' '$T/d.html' && grep -q '<li><a href=\"#p1-f2\">helper.h</a></li>' '$T/d.html' && ! grep -q 'main.c' '$T/d.html'"
check "the changed line, old and new, by class, under its hunk" sh -c "grep -A4 'id=\"p1-f1\"' '$T/d.html' | grep -q '^<pre class=\"msg ddiff\"><span class=\"hunk\">@@ -0,0 +1,21 @@</span>\$' && grep -q '^<span class=\"del\">-+	return x + v3;</span>\$' '$T/d.html' && grep -q '^<span class=\"add\">++	return x + v3 + v4;</span>\$' '$T/d.html'"
check "the mail's signature is no file's line" sh -c "! grep -q '2\.47\.0' '$T/d.html'"
check "the page is well formed, only our markup" pagecheck "$T/d.html"
