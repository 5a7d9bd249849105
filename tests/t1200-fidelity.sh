#!/usr/bin/env bash
# t1200-fidelity: real messages in every format real archives come in
# (tests/mkformats.py writes them: mboxrd, lore's and lei's 1970 placeholders,
# pipermail month files in three variants and gzipped, git format-patch,
# gz/xz/bz2/zst, mboxcl2, MMDF, MH, maildir, Maildir++) are indexed, and
# each list is checked against Python's standard library reading the same
# mailbox (tests/fidelity.py says how): message count, Message-IDs, URL
# days, From names and subjects in the index and on the message pages,
# and no U+FFFD or "Ã" on a page where the source had a character.  With
# ../shared, the real pipermail archive of shared/corpora/pipermail too.
# Then sources that are not mail are refused: exit status non-zero, one
# line on stderr, no list created, nothing written.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
GEN=$T/gen
REAL=$SHARED/corpora/pipermail/xepersian-development
NREAL=4   # the real pipermail archive's checks (fidelity.py REAL_CHECKS)

if ! "$PYTHON" "$ROOT/tests/mkformats.py" "$GEN" 2>"$T/gen.err"; then
	plan 1
	not_ok "tests/mkformats.py writes the mailboxes"
	sed 's/^/#   /' "$T/gen.err" | tail -10
	exit 1
fi
real=()
have_shared && real=(--real-pipermail "$REAL")
n=$("$PYTHON" "$ROOT/tests/fidelity.py" plan "$GEN/MANIFEST.json" "${real[@]}")
have_shared || n=$((n + NREAL))

# ---- sources that are not mail ----
# name and path of each; a PNG and a directory of junk are made here.
"$PYTHON" - "$T/image.png" <<'EOF'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2))
open(sys.argv[1], "wb").write(png + chunk(b"IEND", b""))
EOF
: >"$T/empty"
mkdir -p "$T/junk/sub"
cp "$T/image.png" "$T/junk/"
printf 'These are notes, not mail.\nNothing here has a header.\n' >"$T/junk/notes.txt"
head -c 4096 /bin/true >"$T/junk/data.bin"
printf 'x\n' >"$T/junk/sub/file"
refuse=(png "$T/image.png" binary /bin/true empty "$T/empty" devnull /dev/null
	passwd /etc/passwd junkdir "$T/junk")
plan $((n + ${#refuse[@]} / 2 * 3))

"$PYTHON" "$ROOT/tests/fidelity.py" check "$GEN/MANIFEST.json" "$DATA" "${real[@]}"
have_shared || skip $NREAL "$SKIP_SHARED"

# An archive with one list, to see that a refusal adds nothing to it.
OLD=$T/old
la index --data "$OLD" keep "$ROOT/samples/seeds.mbox" 2>/dev/null
la lists --data "$OLD" >lists.before 2>&1
dump_index "$OLD" >dump.before
cp -a "$OLD" "$T/old.orig"
# nothing_written DIR: DIR does not exist or is empty, or (if the indexer
# opens the index before it looks at the source) holds an index without
# any list, source or message: "no list created, nothing written".
nothing_written() {
	[ ! -e "$1" ] && return 0
	[ -z "$(ls -A "$1")" ] && return 0
	[ -f "$1/index.sqlite" ] || return 1
	[ "$(sqlite3 "$1/index.sqlite" 'SELECT (SELECT count(*) FROM lists) + (SELECT count(*) FROM sources)
		+ (SELECT count(*) FROM messages)' 2>/dev/null)" = 0 ]
}
for ((i = 0; i < ${#refuse[@]}; i += 2)); do
	what=${refuse[i]}
	src=${refuse[i + 1]}
	la index --data "$OLD" "junk-$what" "$src" >out.txt 2>err.txt
	rc=$?
	lines=$(wc -l <err.txt)
	if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ] && [ ! -s out.txt ]; then
		ok "refused: $what ($src): exit $rc, one line: $(cat err.txt)"
	else
		not_ok "refused: $what ($src): exit status non-zero and one line on stderr"
		echo "#   exit $rc, $lines lines on stderr:"
		head -5 err.txt | sed 's/^/#   /'
	fi
	la lists --data "$OLD" >lists.after 2>&1
	dump_index "$OLD" >dump.after
	if cmp -s lists.before lists.after && cmp -s dump.before dump.after; then
		ok "refused: $what: no list created, the archive unchanged"
	else
		not_ok "refused: $what: no list created, the archive unchanged"
		diff lists.before lists.after | head -6 | sed 's/^/#   /'
		# Put the archive back for the next source.
		rm -rf "$OLD"
		cp -a "$T/old.orig" "$OLD"
	fi
	FRESH=$T/fresh-$what
	la index --data "$FRESH" "junk-$what" "$src" >/dev/null 2>&1
	if nothing_written "$FRESH"; then
		ok "refused: $what: nothing written in a fresh data directory"
	else
		not_ok "refused: $what: nothing written in a fresh data directory"
		echo "#   $(ls -A "$FRESH" | tr '\n' ' ')"
		[ -f "$FRESH/index.sqlite" ] && sqlite3 "$FRESH/index.sqlite" \
			"SELECT '#   list ' || name || ': ' || (SELECT count(*) FROM messages m WHERE m.list_id = l.id)
			 || ' messages' FROM lists l"
	fi
done
