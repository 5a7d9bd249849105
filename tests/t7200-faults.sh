#!/usr/bin/env bash
# t7200-faults: faults while indexing, each compared with a clean build.
# - Disk full: tests/faulthook.c (LD_PRELOAD) makes the index's writes fail
#   with ENOSPC after B bytes (B from nothing at all to past the last
#   commit), and, where this machine lets us mount one, a small tmpfs
#   fills up for real.  `listarc index` says so and exits non-zero; after
#   space returns the next run completes, nothing lost, nothing doubled.
#   `listarc deliver` on a full disk asks the MTA to retry (75) and leaves
#   no half message.
# - `listarc deliver` killed at its writes (the mbox's, the index's), then
#   delivered again as an MTA does: each message once in the mbox and the
#   index; one killed after its append and not retried is indexed by the
#   next run.
# - The mbox appended to while it is read, by a writer that takes no lock
#   and pauses inside messages (right after the header block, between
#   paragraphs), then by one that does lock: no message is ever indexed
#   cut short, every run succeeds, the end is the clean build.
# - The mbox truncated or replaced: the indexer stops with a clear error,
#   and no page shows another message than its own (the page of a message
#   whose bytes are gone or changed is an error, 500), through `listarc
#   get` and the server; --rebuild makes it right.
. "$(dirname "$0")/lib.sh"
HOOK=$ROOT/build/faulthook.so
MNT=
at_exit '[ -n "$MNT" ] && umount "$MNT" 2>/dev/null'

plan 82
# 1,000 messages (3 MB, an index of 2.5 MB: more than the 1 MB tmpfs
# below holds), in batches of 100 when the disk fills: ten commits.
mkcorpus 1000 corpus.mbox 7
n=$(grep -c '^From ' corpus.mbox)
"$RELEASE" index --data ref l corpus.mbox 2>/dev/null
# same_as_ref DIR WHAT: DIR's index is the clean build's, every message
# once, nothing doubled in the search index either.
same_as_ref() {
	same_index ref "$1" "$2: the index equals a clean build (URLs, ids, offsets, threads)"
	check_eq "$2: ...intact, with each of the $n messages once, and once in the search index" \
		"$(isql "$1" "PRAGMA integrity_check; SELECT count(*), count(DISTINCT off) FROM messages;
			SELECT count(*) FROM fts WHERE fts MATCH 'the'")" \
		"ok
$n|$n
$(isql ref "SELECT count(*) FROM fts WHERE fts MATCH 'the'")"
}

# ---- disk full (ENOSPC from the hook) ----
FAULT_DIR=$T/count/ FAULT_COUNT=$T/count.txt LD_PRELOAD=$HOOK "$RELEASE" index --data count l corpus.mbox 2>/dev/null
total=$(cut -d' ' -f2 count.txt)
echo "# a clean build writes $total bytes into the index's files"
# Space for nothing; for the index's creation only; for part of the
# messages; for all but the last commit or the final checkpoint.
for b in 0 20000 $((total / 3)) $((total * 2 / 3)) $((total * 9 / 10)); do
	d=full$b
	LISTARC_BATCH=100 FAULT_DIR=$T/$d/ FAULT_ENOSPC_AFTER=$b LD_PRELOAD=$HOOK \
		"$RELEASE" index --data "$d" l corpus.mbox 2>err.txt
	rc=$?
	check "disk full after $b bytes: exit status not 0 ($rc)" [ "$rc" -ne 0 ]
	check "disk full after $b bytes: the error says the disk is full" \
		grep -qiE 'disk is full|No space left' err.txt
	kept=$(sqlite3 "$d/index.sqlite" 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)
	said=$(sed -n 's/^listarc: l: \([0-9]*\) messages were indexed before the error and are kept$/\1/p' err.txt)
	check_eq "disk full after $b bytes: the messages said to be kept are those in the index" \
		"${said:-0}" "$kept"
	sed 's/^/#   /' err.txt | head -4
	"$LISTARC" index --data "$d" l corpus.mbox 2>err.txt
	check_eq "disk full after $b bytes: with space back, the next run (ASan build) exits 0" $? 0
	check "disk full after $b bytes: ...and indexes the $((n - kept)) messages not kept" \
		grep -q "^l: $((n - kept)) messages indexed" err.txt
	same_as_ref "$d" "disk full after $b bytes"
done

# ---- disk full (a real tmpfs, where mounting one works) ----
mkdir -p mnt
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m tmpfs "$T/mnt" 2>/dev/null; then
	MNT=$T/mnt
	"$RELEASE" index --data mnt/arc l corpus.mbox 2>err.txt
	rc=$?
	check "a 1 MB tmpfs fills: exit status not 0 ($rc)" [ "$rc" -ne 0 ]
	check "...and the error says the disk is full" grep -qiE 'disk is full|No space left' err.txt
	sed 's/^/#   /' err.txt | head -3
	mount -o remount,size=64m "$MNT"
	"$LISTARC" index --data mnt/arc l corpus.mbox 2>err.txt
	check_eq "grown to 64 MB, the next run exits 0" $? 0
	same_as_ref mnt/arc "tmpfs"
	umount "$MNT" && MNT=
else
	skip 5 "no tmpfs here (not root, or mounting is not allowed): the hook stands in for it"
fi

# ---- deliver on a full disk ----
printf 'Message-ID: <first@example.org>\nSubject: first\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nfirst\n' |
	la deliver --create --data dl l 2>/dev/null
before=$(md5sum <dl/mbox/l.mbox)
printf 'Message-ID: <full@example.org>\nSubject: full\n\n%s\n' "$(head -c 30000 /dev/zero | tr '\0' x)" >full.eml
LISTARC_LOCK_WAIT=1 FAULT_DIR=$T/dl/mbox/ FAULT_ENOSPC_AFTER=10000 LD_PRELOAD=$HOOK \
	"$RELEASE" deliver --create --data dl l <full.eml 2>err.txt
check_eq "deliver onto a full disk exits 75 (the MTA retries)" $? 75
check "...saying the disk is full" grep -q 'no space left' err.txt
check_eq "...and leaves the mbox as it was (no half message)" "$(md5sum <dl/mbox/l.mbox)" "$before"
la deliver --create --data dl l <full.eml 2>/dev/null
check_eq "with space back the message is delivered and indexed" \
	"$(sqlite3 dl/index.sqlite "SELECT count(*) FROM messages m JOIN mids ON mids.id = m.mid WHERE mids.mid = 'full@example.org'")" 1

# ---- deliver killed between its append and its commit ----
# 30 messages delivered one after the other, each first by a `deliver`
# the hook kills at one of its writes, then again, as an MTA does when a
# delivery gave no exit status, until one exits 0.  The first five die
# right after writing the message into the mbox (before the index has it:
# the retry finds it there and must not write it twice; only the mbox's
# writes are counted for them, as deliver reads the index first to find
# the list's mbox), the others at a
# write drawn at random from those a clean delivery of that message makes
# (the mbox's write or fsync, WAL frames, the commit, the checkpoint as
# the index is closed; a torn write of the mbox leaves half the message,
# which the retry cuts off before it writes the whole: ingest/deliver.c,
# torn_start).  A 31st dies after its write and is not retried: the next
# `listarc index` takes it.  The mbox and the index must be those
# of 31 clean deliveries.
mkcorpus 31 dmail.mbox 5
mkdir -p dm
"$PYTHON" -c 'import re, sys
msgs = re.split(rb"\n(?=From [^\n]*\n)", open(sys.argv[1], "rb").read())
for i, m in enumerate(msgs, 1):
    open("dm/%d" % i, "wb").write(m.split(b"\n", 1)[1])' dmail.mbox
for i in $(seq 1 31); do "$RELEASE" deliver --create --data dref l <dm/$i 2>/dev/null; done
dseed=${FAULT_SEED:-$(date +%s)}
echo "# kill points drawn with FAULT_SEED=$dseed"
: >dkills.txt
: >dprogress.txt
dkilled=0
for i in $(seq 1 31); do
	watch=
	if [ "$i" -le 5 ] || [ "$i" = 31 ]; then
		nth=1
		watch=$T/dk/mbox/
	else
		rm -rf dcopy && cp -r dk dcopy 2>/dev/null || mkdir dcopy
		FAULT_TRACE=$T/dtrace.txt LD_PRELOAD=$HOOK "$RELEASE" deliver --create --data dcopy l <dm/$i 2>/dev/null
		nth=$("$PYTHON" -c 'import random, sys; random.seed(int(sys.argv[1]) * 100 + int(sys.argv[2]))
print(random.randint(1, max(1, int(sys.argv[3]))))' "$dseed" "$i" "$(wc -l <dtrace.txt)")
	fi
	FAULT_DIR=$watch FAULT_KILL_AT=$nth FAULT_LOG=$T/dkills.txt LD_PRELOAD=$HOOK "$RELEASE" deliver --create --data dk l <dm/$i 2>/dev/null &
	wait $! 2>/dev/null
	rc=$?
	[ $rc = 137 ] && dkilled=$((dkilled + 1))
	tries=1
	while [ "$i" != 31 ] && [ $rc != 0 ] && [ $tries -lt 5 ]; do
		"$RELEASE" deliver --create --data dk l <dm/$i 2>/dev/null
		rc=$?
		tries=$((tries + 1))
	done
	echo "$i $nth $tries $rc $([ -f dtrace.txt ] && wc -l <dtrace.txt)" >>dprogress.txt
done
echo "# where the kills landed (call, function, file, offset, bytes, when):"
sed 's/^/#   /' dkills.txt
echo "# message, kill at call, attempts, last exit status, calls a clean delivery made:"
sed 's/^/#   /' dprogress.txt
check_eq "31 deliveries were killed by the hook" "$dkilled" 31
check "...five right after writing the message into the mbox" \
	[ "$(grep -c '^1 write l\.mbox .* after$' dkills.txt)" -ge 5 ]
check "...some inside the index's write-ahead log" grep -q ' index\.sqlite-wal ' dkills.txt
check_eq "every retried delivery exited 0" "$(awk '$1 != 31 && $4 != 0' dprogress.txt | wc -l)" 0
la index --data dk l dk/mbox/l.mbox 2>err.txt
check_eq "the next index run (ASan build) exits 0" $? 0
check "...and indexes the one message whose delivery died after its write" \
	grep -q '^l: 1 messages indexed' err.txt
check_eq "the mbox holds each message once, as 31 clean deliveries write it" \
	"$(md5sum <dk/mbox/l.mbox)" "$(md5sum <dref/mbox/l.mbox)"
check_eq "the index equals that of 31 clean deliveries (URLs, ids, offsets, threads)" \
	"$(dump_index dk | md5sum)" "$(dump_index dref | md5sum)"
check_eq "...each message once in the search index" \
	"$(isql dk "PRAGMA integrity_check; SELECT count(*) FROM fts")" "ok
31"

# ---- the mbox appended to while it is read ----
# The writer appends the corpus again, message by message, each in two or
# three pieces with pauses between them (20 to 100 ms): half of the cuts
# right after a blank line (the header block's end, a paragraph's end),
# where a message looks complete.  It holds a lock while it writes a
# message, as mail programs do: an fcntl lock (postfix, procmail, mutt,
# `listarc deliver`), or the dotlock FILE.lock (procmail, mutt, MUAs).
# The indexer runs in a loop meanwhile, without any settle time: it reads
# the tail under the same locks, so it never reads a message half.
cat >writer.py <<'EOF'
import errno, fcntl, os, random, re, sys, time
src, dst, how, count, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rnd = random.Random(seed)
msgs = re.split(rb"\n(?=From [^\n]*\n)", open(src, "rb").read())[:count]
def dotlock():
    while True:
        try:
            os.close(os.open(dst + ".lock", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            return
        except OSError as e:
            if e.errno != errno.EEXIST:
                raise
            time.sleep(0.001)
with open(dst, "ab", buffering=0) as f:
    for m in msgs:
        m = m.rstrip(b"\n") + b"\n\n"
        blanks = [i + 2 for i in range(len(m) - 2) if m[i:i + 2] == b"\n\n"]
        cuts = sorted(set(rnd.choice(blanks[:-1] or [1]) if rnd.random() < 0.5 else rnd.randrange(1, len(m))
                          for _ in range(rnd.randint(1, 2))))
        if how == "fcntl":
            fcntl.lockf(f, fcntl.LOCK_EX)
        else:
            dotlock()
        at = 0
        for c in cuts + [len(m)]:
            f.write(m[at:c])
            at = c
            if c < len(m):
                time.sleep(rnd.uniform(0.02, 0.1))
        if how == "fcntl":
            fcntl.lockf(f, fcntl.LOCK_UN)
        else:
            os.unlink(dst + ".lock")
        time.sleep(rnd.uniform(0, 0.02))
EOF
for how in fcntl dotlock; do
	head -c 0 /dev/null >live-$how.mbox
	"$PYTHON" writer.py corpus.mbox "live-$how.mbox" $how 40 "$RANDOM" &
	W=$!
	# (An empty file, or the first bytes of one, is not yet a mailbox:
	# the loop starts once the first message is whole.)
	while [ "$(grep -c '^From ' live-$how.mbox)" -lt 2 ] && kill -0 $W 2>/dev/null; do sleep 0.02; done
	runs=0
	bad=0
	: >live-$how.err
	while kill -0 $W 2>/dev/null; do
		"$RELEASE" index --data live-$how l live-$how.mbox 2>>live-$how.err || bad=$((bad + 1))
		runs=$((runs + 1))
	done
	wait $W
	"$LISTARC" index --data live-$how l live-$how.mbox 2>>live-$how.err || bad=$((bad + 1))
	echo "# $how: $runs runs while the writer wrote"
	check_eq "$how: every run while the mbox grew exited 0" "$bad" 0
	grep -E 'rewritten|does not continue|truncated|may still be' live-$how.err | head -3 | sed 's/^/#   /'
	check "$how: the indexer ran again and again while the writer wrote ($runs runs)" [ "$runs" -ge 5 ]
	"$RELEASE" index --data live-$how-ref l live-$how.mbox 2>/dev/null
	check_eq "$how: the index equals a clean build of the final mbox (no message indexed cut short)" \
		"$(dump_index live-$how | md5sum)" "$(dump_index live-$how-ref | md5sum)"
	check_eq "$how: all 40 messages are there" \
		"$(sqlite3 live-$how/index.sqlite 'SELECT count(*) FROM messages')" 40
	check "$how: no lock file is left behind" [ ! -e live-$how.mbox.lock ]
done

# ---- the mbox truncated, then replaced ----
# Pages come from the release build here, for speed (every other message,
# page and raw bytes, four times over, each time in one `listarc get
# --batch`); the server is the ASan build.
cp "$ROOT/samples/lkml.mbox" tr.mbox
la index --data tr lkml tr.mbox 2>/dev/null
DATA=$T/tr
rget() {
	"$RELEASE" get --data "$DATA" "$@" 2>"$T/get.err"
	STATUS=$(head -1 "$T/get.err" | cut -d' ' -f1)
}
urls=$(sqlite3 tr/index.sqlite "SELECT printf('/lkml/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num)
	FROM messages WHERE id % 2 = 0 ORDER BY off")
nurls=$(echo "$urls" | wc -l)
# rbatch DIR: every message of $urls, its page and its raw bytes (pages
# DIR/1, DIR/3, ...; raw DIR/2, DIR/4, ...) from the release build;
# statuses in DIR.txt.
rbatch() {
	for u in $urls; do printf '%s\n' "$u" "$u/raw"; done |
		"$RELEASE" get --data "$DATA" --batch "$1" >"$1.txt" 2>"$1.err"
}
rbatch before
# pages_ok WHAT: every message page and raw message is the one it was,
# or an error page (500) that says the mbox changed; never another
# message's.
cat >pages_ok.py <<'EOF'
# pages_ok.py N: compares the batch in now/ with before/ (the N pages at
# odd numbers, their raw bytes at even); prints "SAME GONE WRONG", then
# the first wrong ones.
import sys
st = {}
for line in open("now.txt"):
    f = line.rstrip("\n").split(" ", 3)
    st[int(f[0])] = (f[1], f[3] if len(f) > 3 else "?")
def body(d, i):
    try:
        return open("%s/%d" % (d, i), "rb").read()
    except OSError:
        return None
same = gone = wrong = 0
notes = []
for i in range(1, int(sys.argv[1]) * 2, 2):
    status, u = st.get(i, ("none", "?"))
    page = body("now", i)
    if status == "200" and page == body("before", i):
        same += 1
    elif status == "500" and page and b"has changed since it was indexed" in page:
        gone += 1
    else:
        wrong += 1
        notes.append("#   %s: status %s, not its own page" % (u, status))
    status, u = st.get(i + 1, ("none", "?"))
    if status == "200" and body("now", i + 1) != body("before", i + 1):
        wrong += 1
        notes.append("#   %s: another message's bytes" % u)
print(same, gone, wrong)
print("\n".join(notes[:3]))
EOF
pages_ok() {
	rm -rf now
	rbatch now
	"$PYTHON" pages_ok.py "$nurls" >cmp.txt
	read -r LAST_SAME LAST_GONE wrong <cmp.txt
	tail -n +2 cmp.txt | grep . 
	echo "# $1: of $nurls messages, $LAST_SAME pages as before, $LAST_GONE error pages"
	check_eq "$1: no page shows another message than its own" "$wrong" 0
}
half=$(($(stat -c %s tr.mbox) / 2))
truncate -s "$half" tr.mbox
la index --data tr lkml tr.mbox 2>err.txt
rc=$?
check "a truncated mbox: the indexer exits non-zero ($rc)" [ "$rc" -ne 0 ]
check "...saying it is shorter than what was indexed" grep -q 'is shorter than what was indexed (truncated)' err.txt
pages_ok "truncated"
check "...the messages before the cut keep their pages" [ "$LAST_SAME" -gt $((nurls / 4)) ]
check "...those after it are error pages" [ "$LAST_GONE" -gt $((nurls / 4)) ]
# Truncated, then written again with other mail past the cut, longer
# than it was.
cat "$ROOT/samples/seeds.mbox" >>tr.mbox
la index --data tr lkml tr.mbox 2>err.txt
check "truncated and written again: the indexer says the mbox was rewritten" \
	grep -q 'was rewritten\|does not continue with a From_ line' err.txt
pages_ok "truncated and written again"
# Replaced by the same messages in another order (longer than before).
cat >shuffle.py <<'EOF'
import random, re, sys
msgs = re.split(rb"\n(?=From [^\n]*\n)", open(sys.argv[1], "rb").read())
random.Random(5).shuffle(msgs)
open(sys.argv[2], "wb").write(b"\n".join(m.rstrip(b"\n") + b"\n" for m in msgs) + b"\n")
EOF
"$PYTHON" shuffle.py "$ROOT/samples/lkml.mbox" tr.mbox
la index --data tr lkml tr.mbox 2>err.txt
rc=$?
check "replaced by a shuffled copy: the indexer exits non-zero ($rc)" [ "$rc" -ne 0 ]
check "...saying the mbox changed and how to index it anew" grep -qE '(rewritten|truncated).*--rebuild' err.txt
pages_ok "replaced"
check "...most messages are elsewhere now: error pages" [ "$LAST_GONE" -gt $((nurls * 3 / 4)) ]
# A thread's mbox (a stream, its status sent before the bytes are read)
# stops at the first message that is not the one indexed, and says so.
mid=$(sqlite3 tr/index.sqlite "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid
	WHERE m.thread IN (SELECT thread FROM messages GROUP BY thread HAVING count(*) > 5)
	ORDER BY m.off LIMIT 1")
mid=$("$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="@+=:,!~._-"))' "$mid")
rget "/lkml/$mid/t.mbox.gz" >t.mbox.gz
check "...a thread's mbox is cut short where the mbox changed, saying so" \
	grep -q 'body cut short: source changed' get.err
check "...so that its gzip stream is incomplete: a client sees an error, not a whole file" \
	bash -c '! gzip -t <t.mbox.gz 2>/dev/null'
# The server says the same, and it stays up.
LISTARC_HTTP_TIMEOUTS="2 2 2" start_server serve
port=$PORT
# (One curl for all of them, on one connection: page I of the batch
# above in served/I.)
mkdir -p served
i=1
for u in $urls; do
	printf 'url = "http://127.0.0.1:%s%s"\noutput = "served/%d"\n' "$port" "$u" "$i"
	i=$((i + 2))
done >curl.cfg
curl -s -K curl.cfg -w '%{http_code}\n' >codes.txt
wrong=0
i=1
while read -r code; do
	if ! { [ "$code" = 200 ] && cmp -s "served/$i" "before/$i"; } && [ "$code" != 500 ]; then
		wrong=$((wrong + 1))
	fi
	i=$((i + 2))
done <codes.txt
[ "$(wc -l <codes.txt)" = "$nurls" ] || wrong=$((wrong + 1))
check_eq "the server too shows each message's own page or an error page" "$wrong" 0
check_eq "...and keeps answering" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" 200
stop_server serve
la index --data tr --rebuild lkml tr.mbox 2>err.txt
check "--rebuild indexes the replaced mbox" grep -q '^lkml: 210 messages indexed' err.txt
sqlite3 tr/index.sqlite "SELECT printf('/lkml/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num)
	FROM messages" | "$RELEASE" get --data "$DATA" --batch rebuilt >rebuilt.txt 2>/dev/null
check_eq "...after which every message has its page" \
	"$(awk '$2 == 200' rebuilt.txt | wc -l)" "$(sqlite3 tr/index.sqlite 'SELECT count(*) FROM messages')"
"$RELEASE" index --data tr-ref lkml tr.mbox 2>/dev/null
check_eq "...and the index equals a clean build of the replaced mbox" \
	"$(dump_index tr | md5sum)" "$(dump_index tr-ref | md5sum)"
