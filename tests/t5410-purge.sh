#!/usr/bin/env bash
# t5410-purge: `listarc purge` takes one message of samples/seeds.mbox out
# of the mbox for good: the file is the old one without that message's
# From_ line and bytes (and nothing else), its URL answers 410 with the
# reason, every other message keeps its URL and its bytes, a later index
# adds and renumbers nothing, a delivery after it lands where it should,
# the log has it, unhide and a second purge refuse it; a purge killed
# (SIGKILL) at each of its steps is finished by the next purge or index
# with the same result; a maildir's file is deleted; a compressed source
# is refused, and so are typos.
. "$(dirname "$0")/lib.sh"
plan 39
seeds_archive
MID=1767506a-cb92-1e06-d41f-e03136857031@allwinnertech.com
URL=/seeds/2020/05/09/4
REASON='Court order 2026/17 <removal>'
la index --data "$DATA" seeds "$MBOX" 2>/dev/null
cp -a "$DATA" pristine

# The mbox expected: every From_ block but the one holding MID.
"$PYTHON" - "$MBOX" "$MID" >want.mbox <<'EOF'
import re, sys
data = open(sys.argv[1], 'rb').read()
starts = [m.start() for m in re.finditer(rb'(?m)^From ', data)]
blocks = [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]
mid = sys.argv[2].encode()
keep = [b for b in blocks if not re.search(rb'(?mi)^Message-ID:\s*<' + re.escape(mid) + rb'>', b)]
assert len(keep) == len(blocks) - 1
sys.stdout.buffer.write(data[:starts[0]] + b''.join(keep))
EOF
la search --data "$DATA" --limit 1000 'd:1970-01-01..2100-01-01' 2>/dev/null |
	awk '{print $2}' | grep '^/seeds/' | grep -vxF "$URL" | sed 's,$,/raw,' >paths
check_eq "35 other messages" "$(wc -l <paths)" 35
getall before <paths
dump() { sqlite3 "$1/index.sqlite" "SELECT m.day, m.num, mids.mid, m.off, m.len, m.flags & 536870912
  FROM messages m JOIN mids ON mids.id = m.mid ORDER BY m.day, m.num"; }

# Typos change nothing.
la purge --data "$DATA" seedz "$URL" --reason x >/dev/null 2>err
check_eq "purge in an unknown list: exit 67" "$?" 67
la purge --data "$DATA" seeds "<nosuch@example.org>" --reason x >/dev/null 2>err
check_eq "purge of an unknown Message-ID: exit 67" "$?" 67
la purge --data "$DATA" seeds "$URL" >/dev/null 2>err
check_eq "purge without --reason: exit 64" "$?" 64
check "the mbox is untouched" cmp -s "$MBOX" "$ROOT/samples/seeds.mbox"

USER=erin la purge --data "$DATA" seeds "https://lists.example.org$URL" --reason "$REASON" >out 2>err
check_eq "purge: exit 0" "$?" 0
check_eq "... saying what it did" "$(cat out)" "purged <$MID> from seeds: 1 message"
check "the mbox is the old one without that message, byte for byte" cmp "$MBOX" want.mbox
check "no temporary file is left" test -z "$(ls -A "$DATA/mbox" | grep -v '^seeds.mbox$')"
get "$URL" >page
check_eq "its URL answers 410" "$STATUS" 410
check "... with the reason" grep -qF 'Court order 2026/17 &lt;removal&gt;' page
get "/seeds/$MID/raw" >/dev/null
check_eq "its raw URL by Message-ID answers 410" "$STATUS" 410
getall after <paths
check "every other message's raw bytes are as before" diff -r before after
check "... each answering 200" test -z "$(awk '$2 != 200' after.txt)"
dump "$DATA" >purged.dump
la index --data "$DATA" seeds "$MBOX" >/dev/null 2>err
check "a later index finds nothing new" grep -q "seeds: 0 messages indexed" err
dump "$DATA" >reindexed.dump
check "... and numbers nothing again" cmp -s purged.dump reindexed.dump
check_eq "the index has 36 messages, one purged" \
	"$(cut -d'|' -f6 purged.dump | sort | uniq -c | awk '{printf "%s:%s ", $1, $2}')" "35:0 1:536870912 "

# A delivery after the purge is read from the right place.
cat >new.eml <<'EOF'
From: Dora <dora@example.org>
To: seeds@example.org
Subject: after the purge
Date: Sat, 09 May 2020 23:00:00 +0000
Message-ID: <after-purge@example.org>

Delivered after a purge.
EOF
la deliver --data "$DATA" seeds <new.eml 2>err
check_eq "a delivery after the purge: exit 0" "$?" 0
get /seeds/after-purge@example.org/raw >raw
check "... its raw message is the one delivered" cmp -s raw new.eml

# The log, unhide and a second purge.
la log --data "$DATA" >log
check_eq "the log has the purge: action, list, id, operator, reason" "$(cut -f2- log)" \
	"purge	seeds	<$MID>	erin	$REASON"
la unhide --data "$DATA" seeds "$MID" >/dev/null 2>err
check_eq "unhide of a purged message: exit 65" "$?" 65
check "... saying it was purged" grep -q "was purged" err
la purge --data "$DATA" seeds "$MID" --reason again >/dev/null 2>err
check_eq "a second purge: exit 65" "$?" 65

# Killed at each step (after the journal, after the new file is synced,
# after the rename), then run again: the same mbox and index as above.
dump "$DATA" | grep -v after-purge >want.dump
for k in 1 2 3; do
	rm -rf "c$k"
	cp -a pristine "c$k"
	LISTARC_TEST_PURGE_KILL=$k "$LISTARC" purge --data "c$k" seeds "$MID" --by erin \
		--reason "$REASON" >/dev/null 2>"c$k.err" &
	wait $! 2>/dev/null
	rc=$?
	if [ $k = 2 ]; then
		# The next index (not a purge) finishes it.
		la index --data "c$k" seeds "c$k/mbox/seeds.mbox" >/dev/null 2>>"c$k.err"
	else
		la purge --data "c$k" seeds "$MID" --by erin --reason "$REASON" >"c$k.out" 2>>"c$k.err"
	fi
	rc2=$?
	check_eq "killed at step $k (exit 137), run again: exit 0" "$rc/$rc2" 137/0
	check "... the mbox as purged once" cmp -s "c$k/mbox/seeds.mbox" want.mbox
	dump "c$k" >"c$k.dump"
	check "... the index as purged once (nothing lost, doubled or moved)" cmp "c$k.dump" purged.dump
done
check_eq "... no temporary file left" "$(ls -A c1/mbox c2/mbox c3/mbox | grep -c purge)" 0

# A maildir: the file is deleted.
mkdir -p md/cur md/new md/tmp
for i in 1 2 3; do
	printf 'From: a@example.org\nSubject: md %s\nDate: Mon, 1 Jan 2024 0%s:00:00 +0000\nMessage-ID: <md%s@example.org>\n\nbody %s\n' \
		$i $i $i $i >md/cur/100$i.host:2,S
done
la index --data "$DATA" mdl md >/dev/null 2>&1
la purge --data "$DATA" mdl "<md2@example.org>" --reason spam >/dev/null 2>err
check_eq "maildir: purge exit 0" "$?" 0
check_eq "maildir: its file is deleted, the others stay" "$(ls md/cur | tr '\n' ' ')" "1001.host:2,S 1003.host:2,S "
get /mdl/md2@example.org/ >/dev/null
check_eq "maildir: its URL answers 410" "$STATUS" 410

# A compressed source is refused, untouched.
gzip -c "$ROOT/samples/seeds.mbox" >seeds.mbox.gz
la index --data "$DATA" z seeds.mbox.gz >/dev/null 2>&1
la purge --data "$DATA" z "$MID" --reason x >/dev/null 2>err
check_eq "compressed: refused with exit 65" "$?" 65
check "... saying why" grep -q "compressed" err
check "no sanitizer report" test -z "$(cat ./*.err | grep -E 'Sanitizer|runtime error')"
