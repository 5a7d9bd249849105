#!/usr/bin/env bash
# t6015-series-memo: a message page's series note ("v2 of this series was
# posted", "(3 versions: v1 v2 v3)") is made from the versions and their
# first messages that a reader keeps for its data version (store/memo.c).
# Served pages are what a fresh `listarc get` makes, byte for byte, at
# every step: twice on the same version (the second from what was kept),
# after a new version arrives while the server runs (another process's
# commit), after a version's cover letter is hidden (its first patch
# stands for it) and after it is shown again.
. "$(dirname "$0")/lib.sh"
plan 15
DATA=$T/arc
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
"$ROOT/tests/mkseries-repo.sh" "$T/repo"
"$PYTHON" "$ROOT/tests/mkseries.py" "$T/repo" "$T/series.mbox"
# v1 and v2 first; v3 (from its cover letter's From_ line on) later.
cut=$(grep -n '^Message-ID: <v3-0@series.test>' "$T/series.mbox" | cut -d: -f1)
from=$(head -n "$cut" "$T/series.mbox" | grep -n '^From ' | tail -1 | cut -d: -f1)
mkdir -p "$DATA"
head -n $((from - 1)) "$T/series.mbox" >"$T/widgets.mbox"
tail -n +"$from" "$T/series.mbox" >"$T/v3.mbox"
la index --data "$DATA" widgets "$T/widgets.mbox" 2>/dev/null
check "v1 and v2 are indexed" [ $? -eq 0 ]

PAGES="/widgets/v1-1@series.test/ /widgets/v1-0@series.test/ /widgets/v2-2@series.test/ /widgets/v1-0@series.test/s/"
# same STEP: every page served (twice: the second from what the reader
# kept) is what `listarc get` makes; the first page in $T/STEP.html.
same() {
	local p n=0 bad=0
	for p in $PAGES; do
		n=$((n + 1))
		curl -s -o "$T/$1.$n.a" "$U$p"
		curl -s -o "$T/$1.$n.b" "$U$p"
		la get --data "$DATA" "$p" >"$T/$1.$n.get" 2>/dev/null
		cmp -s "$T/$1.$n.a" "$T/$1.$n.get" && cmp -s "$T/$1.$n.b" "$T/$1.$n.get" || bad=$((bad + 1))
	done
	cp "$T/$1.1.a" "$T/$1.html"
	check_eq "$1: the served pages are what get makes, twice" "$bad" 0
}
note() { grep -o '<p class="series-[a-z]*">.*</p>' "$T/$1.html" | sed 's/<[^>]*>//g' | tr '\n' ' '; }

# --cache-mb 0: every request makes its page; two render threads.
start_server memo --cache-mb 0 --threads 2
same two
check_eq "two versions: the note names both, and the newer" "$(note two)" \
	"v2 of this series was posted on 2025-12-04. Patch 1/3 of v1 of the series (2 versions: v1 v2). "

# A new version while the server runs.
cat "$T/v3.mbox" >>"$T/widgets.mbox"
la index --data "$DATA" widgets "$T/widgets.mbox" 2>/dev/null
check "v3 is indexed" [ $? -eq 0 ]
same three
check_eq "three versions: the note names v3" "$(note three)" \
	"v3 of this series was posted on 2025-12-08. Patch 1/3 of v1 of the series (3 versions: v1 v2 v3). "

# v3's cover letter hidden: v3 is linked by its first patch.
la hide --data "$DATA" --reason test widgets '<v3-0@series.test>' 2>/dev/null
check "v3's cover letter is hidden" [ $? -eq 0 ]
same hidden
check "...v3 is linked by its first patch" grep -q '<a href="/widgets/v3-1@series.test/s/">v3</a>)' "$T/hidden.html"
la unhide --data "$DATA" widgets '<v3-0@series.test>' 2>/dev/null
check "shown again" [ $? -eq 0 ]
same shown
check "...v3 is linked by its cover letter again" cmp -s "$T/shown.html" "$T/three.html"
stop_server memo

# With the page cache (the default), the same pages.
start_server cached
same cached
stop_server cached
