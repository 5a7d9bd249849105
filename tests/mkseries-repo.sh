#!/usr/bin/env bash
# mkseries-repo.sh DIR: the small git repository tests/mkseries.py makes
# a patch series of (t3300, t3310): base; branch v1 adds A, B, C; v2 is
# A, C (cherry-picked: the same patches) and a new D; v3 is A, C and D
# reworked.  Fixed names and dates, so every run makes the same commits.
export GIT_AUTHOR_NAME="Pat Sender" GIT_AUTHOR_EMAIL=pat@example.org
export GIT_COMMITTER_NAME="Pat Sender" GIT_COMMITTER_EMAIL=pat@example.org
export GIT_AUTHOR_DATE="2025-12-01T10:00:00Z" GIT_COMMITTER_DATE="2025-12-01T10:00:00Z"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
r=$1
{
	git init -q -b main "$r"
	g() { git -C "$r" "$@"; }
	echo base >"$r/README" && g add README && g commit -qm base && g tag base
	g checkout -q -b v1
	printf 'a\n' >"$r/a.c" && g add a.c && g commit -qm "widgets: add A" -m "A does one thing."
	printf 'b\n' >"$r/b.c" && g add b.c && g commit -qm "widgets: add B" -m "B does another."
	printf 'c\n' >"$r/c.c" && g add c.c && g commit -qm "widgets: add C" -m "C too."
	g checkout -q -b v2 base
	g cherry-pick v1~2 v1
	printf 'd\n' >"$r/d.c" && g add d.c && g commit -qm "widgets: add D" -m "D is new."
	g checkout -q -b v3 v2~1
	printf 'd, better\n' >"$r/d.c" && g add d.c && g commit -qm "widgets: add D" -m "D, reworked."
} >/dev/null 2>&1
