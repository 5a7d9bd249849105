#!/usr/bin/env bash
# t9000-fuzz-regress: every fuzz target (src/*/fuzz_*.c) replays its seeds
# (fuzz/make-seeds) and the inputs that once crashed it
# (fuzz/regress/<target>/), under ASan+UBSan.  A target that replays no
# seed at all fails: it would be tested with nothing.
. "$(dirname "$0")/lib.sh"
targets=$(cd "$ROOT/src" && ls */fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||' | sort)
plan $((2 * $(echo "$targets" | wc -l)))
"$ROOT/fuzz/make-seeds" "$T/seeds" >/dev/null
for t in $targets; do
	r=$ROOT/build/asan/replay_$t
	mkdir -p "$ROOT/fuzz/regress/$t"
	seeds=$(find "$T/seeds/$t" -type f 2>/dev/null | wc -l)
	regress=$(find "$ROOT/fuzz/regress/$t" -type f ! -name '.*' | wc -l)
	check "fuzz_$t: there are seeds to replay ($seeds, and $regress regression inputs)" [ "$seeds" -gt 0 ]
	if [ ! -x "$r" ]; then
		not_ok "fuzz_$t: $r is built (make $r)"
	elif "$r" "$T/seeds/$t" "$ROOT/fuzz/regress/$t" >out.txt 2>err.txt &&
		grep -qx "ok - replayed $((seeds + regress)) inputs" out.txt; then
		ok "fuzz_$t replays $((seeds + regress)) inputs"
	else
		not_ok "fuzz_$t crashed on a replayed input, or did not replay them all ($(cat out.txt))"
		tail -30 err.txt | sed 's/^/# /'
	fi
done
