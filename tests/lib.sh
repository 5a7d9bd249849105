# lib.sh: helpers for the end-to-end scripts.  Source it first; it makes
# a scratch directory ($T) that is removed on exit.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${LISTARC:=$ROOT/build/asan/listarc}"
: "${SHARED:=$ROOT/../shared}"
# The release build, for the runs where ASan's slowness or its refusal of
# LD_PRELOAD is in the way (the ASan build if there is none).
RELEASE=${LISTARC_RELEASE:-$ROOT/listarc}
[ -x "$RELEASE" ] || RELEASE=$LISTARC
# Debian's python3 has html5lib (python3-html5lib); another python3 on
# PATH may not.
if [ -z "${PYTHON:-}" ]; then
	PYTHON=python3
	[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/listarc-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
# plan N: this script runs N checks (TAP's "1..N"); tests/run-all fails
# a script that ran fewer or more.  Declare it before the first check.
plan() { echo "1..$1"; }
# skip N REASON: N checks that cannot run here, counted as skipped.
skip() {
	local i
	for ((i = 0; i < $1; i++)); do echo "ok - # SKIP $2"; done
}
# have_shared: true if the extra corpora of ../shared are beside the
# checkout (CI has them; a user's clone does not).
have_shared() { [ -d "$SHARED/corpora" ]; }
SKIP_SHARED="../shared not present"
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		echo "#   got:  $2" | head -5
		echo "#   want: $3" | head -5
	fi
}
la() { "$LISTARC" "$@"; }
# get PATH: page body to stdout; status code in $STATUS, exit code in $RC,
# everything `listarc get` wrote to stderr in $T/get.err.
get() {
	"$LISTARC" get --data "$DATA" "$@" 2>"$T/get.err"
	RC=$?
	STATUS=$(head -1 "$T/get.err" | cut -d' ' -f1)
	return 0
}
# pagecheck FILE...: pages well formed, only markup of our templates.
pagecheck() { "$PYTHON" "$ROOT/tests/pagecheck.py" "$@"; }
# Wraps a single message file as an mbox (mboxrd-quoting From lines).
wrap_mbox() {
	printf 'From test@example.org Mon Jan  1 00:00:00 2024\n'
	sed -e 's/^\(>*From \)/>\1/' "$1"
	[ -n "$(tail -c1 "$1")" ] && echo
	echo
}
# A dump of the index for comparisons: list, URL, Message-ID, and the
# thread as the first URL of the thread.
dump_index() {
	sqlite3 "$1/index.sqlite" "
	  WITH t AS (SELECT thread, min(printf('%08d/%09d', day, num)) AS first FROM messages GROUP BY thread)
	  SELECT l.name, m.day, m.num, mids.mid, t.first, m.off, m.len
	  FROM messages m JOIN lists l ON l.id = m.list_id JOIN mids ON mids.id = m.mid
	  JOIN t ON t.thread = m.thread ORDER BY l.name, m.day, m.num"
}
# same_index REF DIR WHAT: ok (with WHAT) if DIR's index lists the same
# messages as REF's, by dump_index; else the first differences.
same_index() {
	dump_index "$1" >"$T/same-ref.txt"
	dump_index "$2" >"$T/same-got.txt"
	if cmp -s "$T/same-ref.txt" "$T/same-got.txt"; then
		ok "$3"
	else
		not_ok "$3"
		diff "$T/same-ref.txt" "$T/same-got.txt" | head -10 | sed 's/^/#   /'
	fi
}
