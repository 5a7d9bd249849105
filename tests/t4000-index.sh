#!/usr/bin/env bash
# t4000-index: `listarc index`: incremental runs, day numbers that never
# move, changed sources, the archive lock, maildirs, `listarc deliver`.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox
plan 59

cp "$SEEDS" seeds.mbox
sum_before=$(sha256sum seeds.mbox)
la index --data "$DATA" linux-kernel seeds.mbox 2>err.txt
check "index seeds.mbox" [ $? -eq 0 ]
check "summary line counts 36 messages" grep -q 'linux-kernel: 36 messages indexed' err.txt
check_eq "the mbox is not modified by indexing" "$(sha256sum seeds.mbox)" "$sum_before"
la lists --data "$DATA" >lists.txt
check "lists shows the count and dates" grep -qE '^linux-kernel +36 +2019-05-20 +2020-05-09' lists.txt
check "lists shows the source up to date" grep -q 'up to date' lists.txt
la index --data "$DATA" linux-kernel 2>err.txt
check "a second run without SOURCE uses the remembered source" grep -q '0 messages indexed' err.txt

# Incremental: half, then the rest, equals one run.
head -c 250000 "$SEEDS" >part.mbox
cut=$(grep -b '^From ' part.mbox | tail -1 | cut -d: -f1)
head -c "$cut" "$SEEDS" >inc.mbox
la index --data inc linux-kernel inc.mbox 2>/dev/null
n1=$(sqlite3 inc/index.sqlite 'select count(*) from messages')
tail -c +$((cut + 1)) "$SEEDS" >>inc.mbox
la index --data inc linux-kernel inc.mbox 2>/dev/null
check "first run indexed part of the file" [ "$n1" -gt 0 -a "$n1" -lt 36 ]
check_eq "incremental index equals a single run" "$(dump_index inc | sed 's/|[0-9]*|[0-9]*$//')" \
	"$(dump_index "$DATA" | sed 's/|[0-9]*|[0-9]*$//')"

# Day numbers never move: append messages dated before existing ones.
cp "$SEEDS" days.mbox
la index --data days linux-kernel days.mbox 2>/dev/null
dump_index days >before.txt
for when in "Mon May 20 09:00:00 2019" "Sun May 19 10:00:00 2019" "Mon May 20 23:59:59 2019"; do
	printf 'From late@example.org %s\nMessage-ID: <late-%s@example.org>\nSubject: late\nFrom: x@example.org\n\nlate\n\n' \
		"$when" "$(echo "$when" | tr -cd 0-9)" >>days.mbox
done
la index --data days linux-kernel days.mbox 2>/dev/null
dump_index days >after.txt
missing=$(comm -23 <(sort before.txt) <(sort after.txt) | wc -l)
check_eq "every URL that existed names the same message after older mail arrives" "$missing" 0
check "an older message gets the next free number of its day" \
	grep -q '^linux-kernel|20190520|9|late-20' after.txt
check "a message on a new earlier day gets number 1" grep -q '^linux-kernel|20190519|1|late-' after.txt

# A truncated or rewritten mbox is detected, not misread.
cp "$SEEDS" t.mbox
la index --data tr linux-kernel t.mbox 2>/dev/null
head -c 100000 "$SEEDS" >t.mbox
la index --data tr linux-kernel t.mbox 2>err.txt
rc=$?
check "a truncated mbox stops the run" [ $rc -ne 0 ]
check "the error says it was truncated and how to rebuild" grep -q 'shorter.*--rebuild' err.txt
cp "$SEEDS" t.mbox
sed -i 's/Kirill Tkhai/Kirill TKHAI/' t.mbox
la index --data tr linux-kernel t.mbox 2>err.txt
check "a rewritten mbox of the same size is detected" grep -q 'rewritten' err.txt
la index --data tr --rebuild linux-kernel t.mbox 2>err.txt
check "--rebuild indexes it anew" grep -q '36 messages indexed' err.txt
check_eq "after a rebuild the list has 36 messages" \
	"$(sqlite3 tr/index.sqlite 'select count(*) from messages')" 36

# The archive lock, held by another process until told to let go: it
# says it holds the lock on one fifo and waits on another.
mkdir -p lk
la index --data lk linux-kernel seeds.mbox 2>/dev/null
mkfifo held release
flock lk/lock sh -c 'echo held >held; read x <release' &
bg_pid $!
read -r _ <held
la index --data lk --no-wait linux-kernel seeds.mbox 2>err.txt
rc=$?
check_eq "--no-wait on a locked archive exits 75" "$rc" 75
check "and says the archive is locked" grep -q 'locked' err.txt
la index --data lk linux-kernel seeds.mbox 2>err.txt &
waiter=$!
wait_until grep -q 'waiting' err.txt
echo go >release
wait "$waiter"
check_eq "without --no-wait it waits for the lock (saying so) and then runs (exit 0)" \
	"$(grep -c 'waiting' err.txt)/$?" 1/0
wait

# A maildir, with new/ and cur/, a symlink and a subdirectory that are
# skipped (messages of ../shared's edge/).
if have_shared; then
mkdir -p md/cur md/new md/tmp
i=0
for f in "$SHARED"/corpora/edge/threading_*; do
	i=$((i + 1))
	name=$(printf '16%08d.M%d.host' "$i" "$i")
	if [ $((i % 2)) -eq 0 ]; then cp "$f" "md/cur/$name:2,S"; else cp "$f" "md/new/$name"; fi
done
ln -s /etc/passwd md/cur/evil:2,S
mkdir md/cur/subdir
la index --data mdarc edge md 2>err.txt
check "a maildir indexes" grep -q "edge: $i messages indexed" err.txt
check "symlinks and directories in a maildir are skipped and counted" grep -q '2 maildir entries skipped' err.txt
cp "$SHARED/corpora/edge/broken_empty-part.eml" md/new/1700000000.M1.host
la index --data mdarc edge 2>err.txt
check "new maildir files are indexed incrementally" grep -q 'edge: 1 messages indexed' err.txt
mv md/new/1600000001.M1.host "md/cur/1600000001.M1.host:2,RS"
day=$(sqlite3 mdarc/index.sqlite "select day||'/'||num from messages where file='new/1600000001.M1.host'")
d=${day%/*}
DATA=$T/mdarc get "/edge/${d:0:4}/${d:4:2}/${d:6:2}/${day#*/}" >page.html
check "a maildir message that moved to cur/ still has its page" grep -q 'Message-ID: &lt;87bmc6lp3h.fsf@len.workgroup&gt;' page.html
else
	skip 4 "$SKIP_SHARED"
fi

# deliver: an MTA pipe.
cat >msg1.eml <<'M'
Received: from mx.example.org by list.example.org; Tue, 21 May 2019 10:00:00 +0000
Message-ID: <deliver-1@example.org>
From: Dee Liver <dee@example.org>
To: list@example.org
Subject: [linux-kernel] delivered
Date: Tue, 21 May 2019 09:59:00 +0000

A body with a line that needs quoting:
From the beginning it was mboxrd.
>From here too.
M
la deliver --create --data "$DATA" linux-kernel <msg1.eml
check_eq "deliver exits 0" $? 0
check "deliver writes a From_ line dated by Received:" \
	grep -q '^From dee@example.org Tue May 21 10:00:00 2019$\|^From MAILER-DAEMON Tue May 21 10:00:00 2019$' "$DATA/mbox/linux-kernel.mbox"
check "deliver quotes From lines mboxrd-style" grep -q '^>From the beginning' "$DATA/mbox/linux-kernel.mbox"
check "deliver quotes >From lines mboxrd-style" grep -q '^>>From here too' "$DATA/mbox/linux-kernel.mbox"
get /linux-kernel/2019/05/21/8 >page.html
check_eq "the delivered message has a page at once" "$STATUS" 200
check "its page shows it, without the list tag" grep -q 'Subject: delivered' page.html
get /linux-kernel/2019/05/21/8/raw >raw.txt
check "raw download undoes the quoting" cmp -s raw.txt msg1.eml
printf 'From: a@b\nSubject: second\n\nbody\n' | SENDER=env-sender@example.org la deliver --create --data "$DATA" linux-kernel
check "a second delivery appends after a blank line" grep -q '^From env-sender@example.org ' "$DATA/mbox/linux-kernel.mbox"
check_eq "mbox holds two messages" "$(grep -c '^From ' "$DATA/mbox/linux-kernel.mbox")" 2
: | la deliver --create --data "$DATA" linux-kernel 2>/dev/null
check_eq "an empty message is refused for good (65)" $? 65
la deliver --create --data "$DATA" 'Bad/Name' <msg1.eml 2>/dev/null
check_eq "a bad list name is a usage error (64)" $? 64
# A held lock makes deliver ask the MTA to retry.
"$PYTHON" -c '
import fcntl, sys
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX)
open("held", "w").write("held\n"); open("release").read()' "$DATA/mbox/linux-kernel.mbox" &
bg_pid $!
read -r _ <held
LISTARC_LOCK_WAIT=1 la deliver --create --data "$DATA" linux-kernel <msg1.eml 2>err.txt
check_eq "a locked mbox makes deliver exit 75 (try again later)" $? 75
echo go >release
wait
check_eq "nothing was written while it was locked" "$(grep -c '^From ' "$DATA/mbox/linux-kernel.mbox")" 2

# Every message gets a page, duplicates and all.
la index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>err.txt
check "lkml: 210 messages, 34 repeated Message-IDs" grep -q 'lkml: 210 messages indexed.*34 repeated' err.txt

# A last message indexed without a blank line after it (the file had
# settled) gets its separator from the next writer, before the new From_
# line, as deliver writes it: that is not a rewritten mbox.
mkdir -p sep/mbox
printf 'From a@example.org Mon Jan  1 00:00:00 2024\nMessage-ID: <sep-1@x>\nSubject: one\n\nno blank line after me\n' >sep/mbox/sep.mbox
touch -d '-1 minute' sep/mbox/sep.mbox
la index --data sep sep sep/mbox/sep.mbox 2>err.txt
check "a settled last message without a blank line after it is indexed" grep -q '^sep: 1 messages indexed' err.txt
printf '\n' >>sep/mbox/sep.mbox
la index --data sep sep 2>err.txt
check_eq "a separator alone after it is no change (exit 0)" $? 0
check "...and nothing new" grep -q '^sep: 0 messages indexed' err.txt
truncate -s -1 sep/mbox/sep.mbox
printf 'Message-ID: <sep-2@x>\nSubject: two\nDate: Tue, 2 Jan 2024 00:00:00 +0000\n\ntwo\n' |
	la deliver --create --data sep sep 2>err.txt
check_eq "deliver appends after it (exit 0)" $? 0
check "...and indexes the new message at once, without complaint" [ ! -s err.txt ]
la index --data sep sep 2>err.txt
check_eq "a later index run is fine (exit 0)" $? 0
check_eq "both messages are indexed, once" "$(sqlite3 sep/index.sqlite 'select count(*) from messages')" 2
DATA=$T/sep get /sep/2024/01/01/1/raw >raw.txt
check_eq "the first message keeps its bytes" "$(tail -1 raw.txt)" "no blank line after me"

# The same message delivered again at once (an MTA retrying a delivery
# whose process died after writing it) is not written twice; delivered
# again after another message, it is (a message sent twice).
printf 'Message-ID: <sep-3@x>\nSubject: three\nDate: Wed, 3 Jan 2024 00:00:00 +0000\n\nthree\n' >three.eml
la deliver --create --data sep sep <three.eml && la deliver --create --data sep sep <three.eml
check_eq "a delivery retried at once exits 0" $? 0
check_eq "...and the mbox holds the message once" "$(grep -c '^Subject: three' sep/mbox/sep.mbox)" 1
check_eq "...and so does the index" "$(sqlite3 sep/index.sqlite 'select count(*) from messages')" 3
printf 'Message-ID: <sep-4@x>\nSubject: four\nDate: Thu, 4 Jan 2024 00:00:00 +0000\n\nfour\n' |
	la deliver --create --data sep sep
la deliver --create --data sep sep <three.eml
check_eq "sent again after another message, it is kept twice" \
	"$(grep -c '^Subject: three' sep/mbox/sep.mbox)/$(sqlite3 sep/index.sqlite 'select count(*) from messages')" 2/5
# Without a Message-ID, two identical messages may be two (a cron job's
# mail piped twice): both are kept.
printf 'Subject: cron\n\nsame output\n' | la deliver --create --data cron c
printf 'Subject: cron\n\nsame output\n' | la deliver --create --data cron c
check_eq "identical messages without a Message-ID are both kept" \
	"$(grep -c '^Subject: cron' cron/mbox/c.mbox)/$(sqlite3 cron/index.sqlite 'select count(*) from messages')" 2/2

# The archive directory moved (or restored elsewhere): its lists' mboxes
# are the same sources, not new ones read again from the start.
mv sep moved
printf 'Message-ID: <sep-5@x>\nSubject: five\nDate: Fri, 5 Jan 2024 00:00:00 +0000\n\nfive\n' |
	la deliver --create --data moved sep 2>err.txt
check_eq "a delivery into the moved directory exits 0" $? 0
check_eq "...and indexes only the new message, from the same source" \
	"$(sqlite3 moved/index.sqlite 'select count(*) from messages; select count(*) from sources')" "6
1"
DATA=$T/moved get /sep/2024/01/01/1/raw >raw.txt
check_eq "...and the old messages' pages read the moved mbox" "$STATUS/$(tail -1 raw.txt)" \
	"200/no blank line after me"
la index --data moved sep 2>err.txt
check "...as does an index run (nothing new)" grep -q '^sep: 0 messages indexed' err.txt
# An index written before paths inside the directory were stored relative
# keeps its source (and stores it relative from then on).
sqlite3 moved/index.sqlite "UPDATE sources SET path = '$T/moved/mbox/sep.mbox'"
printf 'Message-ID: <sep-6@x>\nSubject: six\nDate: Sat, 6 Jan 2024 00:00:00 +0000\n\nsix\n' |
	la deliver --create --data moved sep 2>err.txt
check_eq "an absolute path stored by an older listarc is the same source, made relative" \
	"$(sqlite3 moved/index.sqlite 'select count(*) from messages; select path from sources')" "7
mbox/sep.mbox"
# An archive of schema 1 (absolute paths) moved elsewhere: its source is
# found by the rest of its path (it no longer exists where it was).
sqlite3 moved/index.sqlite "UPDATE sources SET path = '/nonexistent/old-place/mbox/sep.mbox';
	UPDATE meta SET value = 1 WHERE key = 'schema'; DELETE FROM meta WHERE key = 'schema_sql'"
DATA=$T/moved get /sep/ >/dev/null
check_eq "a schema-1 index is read" "$STATUS" 200
printf 'Message-ID: <sep-7@x>\nSubject: seven\nDate: Sun, 7 Jan 2024 00:00:00 +0000\n\nseven\n' |
	la deliver --create --data moved sep 2>err.txt
check_eq "a schema-1 archive moved elsewhere keeps its source, made relative (no second reading)" \
	"$(sqlite3 moved/index.sqlite 'select count(*) from messages; select path from sources')" "8
mbox/sep.mbox"
check_eq "...and is schema 2 from its first write" \
	"$(sqlite3 moved/index.sqlite "select value from meta where key = 'schema'")" 2
sqlite3 moved/index.sqlite "UPDATE meta SET value = 3 WHERE key = 'schema'"
la deliver --create --data moved sep <three.eml 2>err.txt
check "an index of a newer schema is refused, saying so" grep -q 'index schema 3, this listarc reads 1 to 2' err.txt
