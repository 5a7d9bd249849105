#!/usr/bin/env bash
# t1100-formats: real archives in, whole, with the right dates.
# - a real Mailman 2 (pipermail) archive, month by month: every message
#   (the From_ lines with an asctime date followed by a header block), each
#   on its Date: day, each pipermail page's Message-ID found; its names
#   ("addr at host (Name)") searchable; a .txt.gz the same as the .txt;
# - placeholder From_ dates: a lore-style export (1970), listarc's own
#   thread download (t.mbox.gz) imported again on the original's days,
#   `git format-patch` output of this repository (2001-09-17);
# - gzip, xz, bzip2 and zstd files (told by content, not name) giving the
#   same index as the plain mbox, read through their decompressed copy;
#   a compressed file that grew, was rewritten, or is cut short;
# - mboxcl2, MMDF, MH folders, maildir++ (the top folder, with a warning);
# - refusals (binary, /etc/passwd, empty, /dev/null, a directory of junk):
#   one line, exit 1, nothing created or written; a single .eml imports;
# - a warning for few messages from many megabytes; dotlocks left by a
#   dead process, or stale, do not hold the indexer up.
. "$(dirname "$0")/lib.sh"
plan 76
S=$ROOT/samples
# urlid ID: a Message-ID as a URL segment.
urlid() { "$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="@!$&*+,;=:~"))' "$1"; }
# days DIR: "Message-ID day" for every message of the archive at DIR.
days() { sqlite3 -separator ' ' "$1/index.sqlite" "SELECT mids.mid, m.day FROM messages m JOIN mids ON mids.id = m.mid ORDER BY 1, 2"; }

# ---- pipermail ----
P=$SHARED/corpora/pipermail/xepersian-development
if have_shared && [ -d "$P" ]; then
	# What a reader of the month files finds: the From_ lines with an
	# asctime date at their end and a header field after them, and each
	# message's Date: as a UTC day.
	cat >pm.py <<'EOF'
import email.utils, glob, re, sys, datetime
FROM = re.compile(rb'^From .* [A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [0-9]{4}$')
FIELD = re.compile(rb'^[!-9;-~]+[ \t]*:')
n = 0
for f in sorted(glob.glob(sys.argv[1] + "/*.txt")):
    lines = open(f, "rb").read().split(b"\n")
    starts = [i for i in range(len(lines) - 1) if FROM.match(lines[i]) and FIELD.match(lines[i + 1])]
    n += len(starts)
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        head = b"\n".join(lines[i + 1:end]).split(b"\n\n")[0].decode("latin-1")
        mid = re.search(r"^Message-ID: <([^>]*)>", head, re.M | re.I).group(1)
        date = re.search(r"^Date: (.*)$", head, re.M).group(1)
        d = email.utils.parsedate_to_datetime(date).astimezone(datetime.timezone.utc)
        print(mid, d.strftime("%Y%m%d"), file=open("pm-days.txt", "a"))
print(n)
EOF
	: >pm-days.txt
	want=$("$PYTHON" pm.py "$P")
	# (All the month files in one run: each is a source of its own.)
	la index --data pm xp "$P"/*.txt 2>pm.err
	check_eq "pipermail: every month file indexes (exit 0)" "$?" 0
	got=$(la lists --data pm | awk '$1 == "xp" {print $2}')
	check_eq "pipermail: all $want messages (From_ lines with a date and a header block)" "$got" "$want"
	check_eq "pipermail: ...which is every From_ line of the files" "$want" \
		"$(cat "$P"/*.txt | grep -c '^From ')"
	check_eq "pipermail: each message on the day of its Date: (UTC), not of its local From_ date" \
		"$(days pm)" "$(sort pm-days.txt)"
	# The pages pipermail published name each message's Message-ID (its
	# old URL, /pipermail/LIST/YYYY-Month/NNNNNN.html, maps to it).
	missing=0
	pages=0
	for h in "$P"/*/[0-9]*.html; do
		id=$(grep -o -m1 'In-Reply-To=%3C[^"&]*%3E' "$h" | sed 's/^In-Reply-To=%3C//; s/%3E$//; s/%40/@/g')
		pages=$((pages + 1))
		[ -n "$id" ] && [ "$(sqlite3 pm/index.sqlite "SELECT count(*) FROM mids JOIN messages m ON m.mid = mids.id WHERE mids.mid = '$id'")" -ge 1 ] || missing=$((missing + 1))
	done
	check_eq "pipermail: each of the $pages pages' Message-IDs is a message of the archive" "$missing" 0
	DATA=$T/pm get "/xp/200908150407.n7F47NVg005328@sheep.berlios.de/" >p.html
	check_eq "pipermail: ...and has its page by Message-ID" "$STATUS" 200
	check_eq "pipermail: 'From: vafa at mail.berlios.de (vafa at BerliOS)' keeps its name (5 messages)" \
		"$(sqlite3 pm/index.sqlite "SELECT count(*) FROM messages WHERE from_name = 'vafa at BerliOS'")" 5
	check_eq "pipermail: ...and its address: f:vafa@mail.berlios.de finds all" \
		"$(la search --data pm --count 'f:vafa@mail.berlios.de')" "$want"
	gzip -c "$P/2009-July.txt" >july.txt.gz
	la index --data pmj xp "$P/2009-July.txt" 2>/dev/null
	la index --data pmgz xp july.txt.gz 2>pmgz.err
	check "pipermail: a .txt.gz indexes" grep -q '^xp: 17 messages indexed' pmgz.err
	same_index pmj pmgz "pipermail: ...the same index as the .txt (days, numbers, offsets)"
else
	skip 10 "$SKIP_SHARED"
fi
# Pipermail's other spellings, made up: a localised "at", a scrambled
# sender, a name in the From: comment; and body lines that look like
# From_ lines but are not.
cat >pm-variants.txt <<'EOF'
From jane en example.org  Tue Jan  3 20:23:02 2006
From: jane en example.org (Jane Doe)
Date: Tue, 03 Jan 2006 23:23:02 +0100
Subject: one
Message-ID: <pv-1@example.org>

From what I see on Tue Jan  3 20:23:02 2006 it works.
From the minutes of Tue Jan  3 20:23:02 2006
the meeting went well.

From jane@@@ex@mple @ending from ex@mple@com  Wed Jan  2 11:13:23 2019
From: jane at example.org (Jane Doe)
Date: Wed, 02 Jan 2019 11:13:23 +0000
Subject: two
Message-ID: <pv-2@example.org>

two
EOF
la index --data pv pv pm-variants.txt 2>pv.err
check "pipermail variants: 2 messages (body lines with dates do not split)" grep -q '^pv: 2 messages indexed' pv.err
check_eq "pipermail variants: f:Doe finds both" "$(la search --data pv --count 'f:Doe')" 2
check_eq "pipermail variants: each on its Date: day in UTC" "$(days pv)" "pv-1@example.org 20060103
pv-2@example.org 20190102"

# ---- placeholder From_ dates ----
la index --data seeds linux-kernel "$S/seeds.mbox" 2>/dev/null
sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$S/seeds.mbox" >lore.mbox
la index --data lore linux-kernel lore.mbox 2>lore.err
check "lore-style export (From mboxrd@z ... 1970): all 36 messages" grep -q '^linux-kernel: 36 messages indexed' lore.err
check_eq "...each on its original day (Received:, then Date:), none in 1970" "$(days lore)" "$(days seeds)"
id=$(sqlite3 seeds/index.sqlite "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid ORDER BY m.id LIMIT 1")
DATA=$T/seeds get "/linux-kernel/$(urlid "$id")/t.mbox.gz" >thread.mbox.gz
check "listarc's own thread download is a gzip file of 1970 From_ lines" \
	sh -c 'gzip -dc thread.mbox.gz | grep -q "^From mboxrd@z Thu Jan  1 00:00:00 1970$"'
la index --data again linux-kernel thread.mbox.gz 2>again.err
n=$(gzip -dc thread.mbox.gz | grep -c '^From mboxrd@z')
check "...imported again (compressed): its $n messages" grep -q "^linux-kernel: $n messages indexed" again.err
check_eq "...each on the original's day" "$(days again)" "$(days seeds | grep -F -f <(days again | cut -d' ' -f1))"
if [ "$(git -C "$ROOT" rev-list --count HEAD 2>/dev/null || echo 0)" -ge 3 ]; then
	git -C "$ROOT" format-patch -3 --stdout HEAD >fp.mbox 2>/dev/null
	la index --data fp patches fp.mbox 2>fp.err
	check "git format-patch output (From SHA Mon Sep 17 00:00:00 2001): 3 messages" grep -q '^patches: 3 messages indexed' fp.err
	check_eq "...on their author dates (UTC), not in 2001" \
		"$(sqlite3 fp/index.sqlite 'SELECT day FROM messages ORDER BY day' | tr '\n' ' ')" \
		"$(TZ=UTC git -C "$ROOT" log -3 --date=format-local:%Y%m%d --format=%ad HEAD | sort | tr '\n' ' ')"
else
	skip 2 "no git history (3 commits) in this checkout"
fi

# ---- compressed mboxes ----
la index --data plain lkml "$S/lkml.mbox" 2>/dev/null
md5_lkml=$(md5sum <"$S/lkml.mbox")
for z in "gzip a" "xz b" "bzip2 c" "zstd d"; do
	set -- $z
	"$1" -c "$S/lkml.mbox" >"lkml.$2" # no telling suffix: content decides
	before=$(md5sum <"lkml.$2")
	la index --data "z-$1" lkml "lkml.$2" 2>"z-$1.err"
	check "$1: 210 messages indexed" grep -q '^lkml: 210 messages indexed' "z-$1.err"
	same_index plain "z-$1" "$1: the same index as the plain mbox"
	u=$(sqlite3 plain/index.sqlite "SELECT printf('/lkml/%04d/%02d/%02d/%d', day/10000, day/100%100, day%100, num) FROM messages ORDER BY id DESC LIMIT 1")
	DATA=$T/plain get "$u/raw" >raw-plain.txt
	DATA=$T/z-$1 get "$u/raw" >"raw-$1.txt"
	check "$1: the raw message reads the same bytes (from the copy)" cmp -s raw-plain.txt "raw-$1.txt"
	check_eq "$1: the original is untouched" "$(md5sum <"lkml.$2")" "$before"
done
check "the copies live in the archive directory, under sources/LIST/" \
	sh -c 'ls z-gzip/sources/lkml/*.mbox >/dev/null && cmp -s z-gzip/sources/lkml/*.mbox "$1"' _ "$S/lkml.mbox"
check "...and are stored relative to it" \
	[ "$(sqlite3 z-gzip/index.sqlite 'SELECT copy FROM source_copies' | cut -c1-13)" = "sources/lkml/" ]
# Grown: the first 100 messages, then all of them (compressed anew).
"$PYTHON" -c '
import re, sys
d = open(sys.argv[1], "rb").read()
cuts = [m.start() + 1 for m in re.finditer(rb"\nFrom ", d)]
open("head.mbox", "wb").write(d[:cuts[99]])' "$S/lkml.mbox"
gzip -c head.mbox >grow.gz
la index --data grow lkml grow.gz 2>/dev/null
gzip -c "$S/lkml.mbox" >grow.gz
la index --data grow lkml 2>grow.err
check "a compressed file that grew: only the new messages are indexed" grep -q '^lkml: 110 messages indexed' grow.err
same_index plain grow "...and the index is that of the whole file"
la index --data grow lkml 2>grow.err
check "...a run over the same file again indexes nothing" grep -q '^lkml: 0 messages indexed' grow.err
cp "$S/lkml.mbox" grow.mbox
"$PYTHON" -c '
import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read()); i = d.index(b"Subject:"); d[i + 9:i + 12] = b"XYZ"
open(p, "wb").write(d)' grow.mbox
gzip -c grow.mbox >grow.gz
la index --data grow lkml 2>grow.err
check_eq "a compressed file rewritten: the indexer exits 1" $? 1
check "...saying so, and how to index it anew" grep -q 'was rewritten.*--rebuild' grow.err
gzip -c "$S/lkml.mbox" | head -c 60000 >cut.gz
la index --data cut lkml cut.gz 2>cut.err
check_eq "a compressed file cut short indexes what it holds (exit 0)" $? 0
check "...leaving the last message, cut, for the next run" grep -q 'gzip data ends inside a stream.*left for the next run' cut.err

# ---- mboxcl2, MMDF ----
printf 'From a@example.org Mon May 20 14:00:01 2019\nMessage-ID: <cl-1@x>\nContent-Length: 48\nSubject: one\n\nhello\nFrom b Mon May 20 14:00:02 2019\nstill one\n\nFrom c@example.org Mon May 20 14:00:03 2019\nMessage-ID: <cl-2@x>\nContent-Length: 4\nSubject: two\n\ntwo\n' >cl2.mbox
la index --data cl2 cl cl2.mbox 2>cl2.err
check "mboxcl2: an unquoted From_ line inside a Content-Length body does not split: 2 messages" \
	grep -q '^cl: 2 messages indexed' cl2.err
DATA=$T/cl2 get /cl/2019/05/20/1/raw >cl2-1.txt
check_eq "mboxcl2: the first message's raw bytes, body whole, no separator" "$(tail -3 cl2-1.txt)" "hello
From b Mon May 20 14:00:02 2019
still one"
printf '\1\1\1\1\nMessage-ID: <mm-1@x>\nDate: Mon, 20 May 2019 14:00:01 +0000\nSubject: one\n\nFrom here on, one.\n\1\1\1\1\n\1\1\1\1\nMessage-ID: <mm-2@x>\nDate: Tue, 21 May 2019 14:00:01 +0000\nSubject: two\n\ntwo\n\1\1\1\1\n' >mmdf.box
la index --data mmdf mm mmdf.box 2>mmdf.err
check "MMDF: 2 messages" grep -q '^mm: 2 messages indexed' mmdf.err
DATA=$T/mmdf get /mm/2019/05/20/1/raw >mm-1.txt
check_eq "MMDF: the raw message has no separator bytes" "$(tr -d '\1' <mm-1.txt | cmp -s - mm-1.txt && tail -1 mm-1.txt)" "From here on, one."
DATA=$T/mmdf get /mm/2019/05/21/1 >/dev/null
check_eq "MMDF: the second is on its Date: day" "$STATUS" 200
printf '\1\1\1\1\nMessage-ID: <mm-3@x>\nDate: Wed, 22 May 2019 14:00:01 +0000\nSubject: three\n\nthree\n\1\1\1\1\n' >>mmdf.box
la index --data mmdf mm 2>mmdf.err
check "MMDF: a message appended is indexed on the next run" grep -q '^mm: 1 messages indexed' mmdf.err

# ---- MH, maildir++ ----
mkdir mh
for i in 1 2 3; do printf 'Message-ID: <mh-%d@x>\nDate: Mon, %d May 2019 10:00:00 +0000\nSubject: mh %d\n\nbody %d\n' $i $i $i $i >mh/$i; done
printf 'unseen: 1-3\n' >mh/.mh_sequences
la index --data mh mh mh 2>mh.err
check "MH folder: 3 messages" grep -q '^mh: 3 messages indexed' mh.err
DATA=$T/mh get /mh/2019/05/02/1/raw >mh-2.txt
check "MH folder: a message's raw bytes are its file" cmp -s mh-2.txt mh/2
printf 'Message-ID: <mh-7@x>\nDate: Tue, 7 May 2019 10:00:00 +0000\nSubject: mh 7\n\nbody 7\n' >mh/7
la index --data mh mh 2>mh.err
check "MH folder: a new file is indexed on the next run, alone" grep -q '^mh: 1 messages indexed' mh.err
mkdir -p mdpp/cur mdpp/new mdpp/tmp mdpp/.Sub/cur mdpp/.Sub/new mdpp/.Sub/tmp
for i in 1 2; do printf 'Message-ID: <md-%d@x>\nSubject: top %d\n\nx\n' $i $i >mdpp/cur/100$i.x:2,S; done
printf 'Message-ID: <md-sub@x>\nSubject: sub\n\nx\n' >mdpp/.Sub/new/2001.x
touch mdpp/.Sub/maildirfolder
la index --data mdpp md mdpp 2>mdpp.err
check "maildir++: its top folder is indexed (2 messages)" grep -q '^md: 2 messages indexed' mdpp.err
check "...with a warning that its subfolder is not" grep -q 'maildir++ folder: its 1 subfolder (.NAME/) is not part of this source' mdpp.err
la index --data mdpp md mdpp/.Sub 2>mdpp.err
check "...which indexes as a source of its own" grep -q '^md: 1 messages indexed' mdpp.err
la index --data mdpp md 2>mdpp.err
check "...and the warning is said once, not on every run" [ "$(grep -c 'maildir++' mdpp.err)" = 0 ]

# A maildir file was never mbox-quoted: its ">From " lines are its own and
# are served as they are (an mbox's lose one '>', as mboxrd says).
mkdir -p mdq/cur mdq/new mdq/tmp
printf 'Message-ID: <mdq@x>\nDate: Mon, 20 May 2019 10:00:00 +0000\nSubject: quoted\n\n>From the start\n>>From deeper\nFrom plain\n' >mdq/cur/1001.x:2,S
la index --data mdq mdq mdq 2>mdq.err
DATA=$T/mdq get /mdq/2019/05/20/1/raw >mdq-raw.txt
check "maildir: a message with '>From ' lines: raw is its file, byte for byte" cmp -s mdq-raw.txt mdq/cur/1001.x:2,S
DATA=$T/mdq get '/mdq/mdq@x/t.mbox.gz' | gzip -dc >mdq-t.mbox
check_eq "...its thread mbox quotes each From line once more (mboxrd)" \
	"$(grep -c '^>>From the start$' mdq-t.mbox) $(grep -c '^>>>From deeper$' mdq-t.mbox) $(grep -c '^>From plain$' mdq-t.mbox)" "1 1 1"
DATA=$T/mdq get /mdq/2019/05/20/1 >mdq-page.html
check "...and its page shows '>From the start' as written" grep -q '&gt;From the start' mdq-page.html
printf 'From a@x Mon May 20 10:00:00 2019\nMessage-ID: <mbq@x>\nSubject: q\n\n>From the start\n>>From deeper\n' >mbq.mbox
la index --data mbq mbq mbq.mbox 2>mbq.err
DATA=$T/mbq get /mbq/2019/05/20/1/raw >mbq-raw.txt
check_eq "an mbox's '>From ' lines lose one '>' (mboxrd)" "$(tail -2 mbq-raw.txt | tr '\n' '|')" "From the start|>From deeper|"

# ---- refusals ----
head -c 20000 /dev/urandom >binary.dat
: >empty.mbox
mkdir junk
echo hello >junk/notes.txt
la index --data ok ok "$S/seeds.mbox" 2>/dev/null
lists_before=$(la lists --data ok)
md5_before=$(md5sum <ok/index.sqlite)
for s in binary.dat /etc/passwd empty.mbox /dev/null junk; do
	la index --data ok refused "$s" 2>ref.err
	rc=$?
	check "refused: $s (exit $rc, one line: $(head -c 90 ref.err)...)" \
		eval '[ "$rc" -eq 1 ] && [ "$(wc -l <ref.err)" -eq 1 ] && grep -q "not a mailbox\|nothing to import" ref.err'
	la index --data fresh refused "$s" 2>/dev/null
done
check_eq "...no list was created, nothing listed" "$(la lists --data ok)" "$lists_before"
check_eq "...the index file is untouched" "$(md5sum <ok/index.sqlite)" "$md5_before"
check "...and no archive was made where there was none" [ ! -e fresh ]
printf 'From: a@example.org\nTo: b@example.org\nMessage-ID: <eml@x>\nDate: Mon, 20 May 2019 10:00:00 +0000\nSubject: one message\n\nbody\n' >one.eml
la index --data eml one one.eml 2>eml.err
check "a single .eml is imported" grep -q '^one: 1 messages indexed' eml.err

# ---- few messages from many megabytes ----
"$PYTHON" -c '
import sys
with open("big.mbox", "w") as f:
    f.write("From a@example.org Mon May 20 14:00:01 2019\nMessage-ID: <big@x>\nSubject: big\n\n")
    line = "x" * 75 + "\n"
    f.write(line * (17 * 1000 * 1000 // 76))'
la index --data big big big.mbox 2>big.err
check "one message from 17 MB is indexed, with a loud warning" \
	grep -q '^listarc: .*big.mbox: 1 message from 17 MB.*is this an mbox?' big.err

# ---- dotlocks ----
cp "$S/seeds.mbox" locked.mbox
sh -c 'echo $$' >locked.mbox.lock # the pid of a process that is gone
la index --data dl dl locked.mbox 2>dl.err
check "a dotlock left by a process that is gone: all 36 messages at once" \
	grep -q '^dl: 36 messages indexed' dl.err
check "...and the dead lock is removed" [ ! -e locked.mbox.lock ]
cp "$S/seeds.mbox" old.mbox
: >old.mbox.lock
touch -d '-10 minutes' old.mbox.lock
la index --data dl2 dl old.mbox 2>dl2.err
check "a stale dotlock (10 minutes, no pid): disregarded, all 36 messages" grep -q '^dl: 36 messages indexed' dl2.err
check "...and left where it is (not ours)" [ -e old.mbox.lock ]
