#!/usr/bin/env bash
# t9000-fuzz-regress: every fuzz target replays its seeds and the inputs
# that once crashed it (fuzz/regress/<target>/), under ASan+UBSan.
. "$(dirname "$0")/lib.sh"
"$ROOT/fuzz/make-seeds" "$T/seeds" >/dev/null
for r in "$ROOT"/build/asan/replay_*; do
	t=${r##*/replay_}
	mkdir -p "$ROOT/fuzz/regress/$t"
	if "$r" "$T/seeds/$t" "$ROOT/fuzz/regress/$t" >out.txt 2>err.txt; then
		ok "fuzz_$t replays $(grep -o '[0-9]* inputs' out.txt)"
	else
		not_ok "fuzz_$t crashed on a replayed input"
		tail -30 err.txt | sed 's/^/# /'
	fi
done
