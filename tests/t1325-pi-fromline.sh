#!/usr/bin/env bash
# t1325-pi-fromline: public-inbox blobs that begin with a From_ line.
# public-inbox-mda strips one leading From_ line (the one the MTA adds)
# and keeps the rest: mail that arrives with a second one (a message saved
# from an mbox with its own From_ line, `git format-patch` output with its
# "From <sha> Mon Sep 17 00:00:00 2001") is stored with it, first thing in
# the blob.  public-inbox drops that line whenever it reads the blob back
# (/\A[\r\n]*From [^\r\n]*\r?\n/: Import.pm, Mbox.pm); an mbox of the same
# mail has it as the message's separator.  Inboxes (v2 and v1) written by
# public-inbox-mda from samples/seeds.mbox (its first 18 messages: a third
# with their own dated From_ line kept, a third with format-patch's
# placeholder one, a third with none) and two messages of our own, indexed
# by listarc, against the
# archive listarc makes from the mbox of the same blobs: the same URLs
# (the URL day from the kept From_ line's date, as in an mbox, and from
# Received:/Date: under a placeholder), Message-IDs and threads, the same
# bytes of every message page, raw message (the blob without its From_
# line), thread page and mbox, day, month and list page.  Skipped without
# public-inbox.
. "$(dirname "$0")/lib.sh"
N=9
plan $N
if ! command -v public-inbox-mda >/dev/null || ! perl -MPublicInbox::Config -e1 2>/dev/null; then
	skip $N "public-inbox is not installed (Debian: apt-get install public-inbox)"
	exit 0
fi
export HOME=$T PI_CONFIG=$T/pi.config
public-inbox-init -V2 -L basic v2 "$T/v2" http://example.org/v2 v2@example.org 2>pi.err
public-inbox-init -V1 -L basic v1 "$T/v1" http://example.org/v1 v1@example.org 2>>pi.err
git config -f "$PI_CONFIG" publicinboxmda.spamcheck none

# Two of our own: a patch as git format-patch writes it, and a reply saved
# from an mbox whose From_ line's date (the delivery) is not its Date:.
cat >patch.eml <<'EOF'
From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001
From: Alice <alice@example.org>
Date: Tue, 5 Mar 2024 09:59:00 +0000
Subject: [PATCH] fix a thing
Message-ID: <fl-patch@example.org>

Body line one.
From here on it is fine.
---
 a | 1 +
EOF
cat >reply.eml <<'EOF'
From bob@example.org Wed Mar  6 08:00:00 2024
From: Bob <bob@example.org>
Date: Mon, 1 Jan 2024 00:00:00 +0000
Subject: Re: [PATCH] fix a thing
Message-ID: <fl-reply@example.org>
In-Reply-To: <fl-patch@example.org>

ok
EOF
# Every message through public-inbox-mda, after the From_ line an MTA
# adds (which -mda strips).
"$PYTHON" - "$ROOT/samples/seeds.mbox" patch.eml reply.eml <<'PY'
import os, re, subprocess, sys
raw = open(sys.argv[1], 'rb').read()
msgs = [b'From ' + m for m in re.split(rb'(?m)^From ', raw) if m][:18]
mta = b'From mta@example.org Sat Dec  5 12:00:00 2026\n'
out = []
for i, m in enumerate(msgs):
    first, rest = m.split(b'\n', 1)
    rest = re.sub(rb'(?m)^>(>*From )', rb'\1', rest).rstrip(b'\n') + b'\n'
    if i % 3 == 0:
        out.append(first + b'\n' + rest)  # its own From_ line kept
    elif i % 3 == 1:
        out.append(b'From %040x Mon Sep 17 00:00:00 2001\n' % (i + 1) + rest)
    else:
        out.append(rest)
out += [open(f, 'rb').read() for f in sys.argv[2:]]
for i, m in enumerate(out):
    for box in (['v2'] if i % 2 and i < len(msgs) else ['v2', 'v1']):  # v1: half
        subprocess.run(['public-inbox-mda', '--no-precheck'], input=mta + m,
                       env=dict(os.environ, ORIGINAL_RECIPIENT=box + '@example.org'),
                       stdout=subprocess.DEVNULL, stderr=open('pi.err', 'ab'))
PY
# An inbox's blobs, oldest first, as an mboxrd: a blob's own From_ line
# is its separator, else lore's placeholder.
blobs_mbox() { "$PYTHON" "$ROOT/tests/piblobs.py" "$1" "$2" --own-from; }
blobs_mbox v2/git/0.git ref2.mbox
blobs_mbox v1 ref1.mbox
n2=$(git -C v2/git/0.git rev-list --count HEAD)
dated=$(grep -c '^From [^ ]*@[^ ]* .* 20[0-9][0-9]$' ref2.mbox)
placeholder=$(grep -c '^From [0-9a-f]\{40\} Mon Sep 17 00:00:00 2001$' ref2.mbox)
check "public-inbox-mda kept $n2 messages (v2), $dated of them with their dated From_ line first in the blob, $placeholder with format-patch's" \
	eval '[ "$n2" -ge 18 ] && [ "$dated" -ge 6 ] && [ "$placeholder" -ge 6 ]'

la index --data ref2 --quiet t ref2.mbox
la index --data ref1 --quiet t ref1.mbox
la index --data g2 --quiet t v2
la index --data g1 --quiet t v1
# facts DIR: URL, Message-ID and thread (its first URL) of every message.
facts() {
	sqlite3 "$1/index.sqlite" "
	  WITH t AS (SELECT thread, min(printf('%08d/%09d', day, num)) AS first FROM messages GROUP BY thread)
	  SELECT m.day, m.num, mids.mid, t.first FROM messages m JOIN mids ON mids.id = m.mid
	  JOIN t ON t.thread = m.thread ORDER BY m.day, m.num"
}
check "v2: the same URLs, Message-IDs and threads as the mbox's archive" cmp -s <(facts ref2) <(facts g2)
check "v1: the same URLs, Message-IDs and threads as the mbox's archive" cmp -s <(facts ref1) <(facts g1)
check_eq "a kept From_ line's date is the URL's day, as in the mbox (not the Date:)" \
	"$(sqlite3 g2/index.sqlite "SELECT m.day FROM messages m JOIN mids ON mids.id = m.mid WHERE mids.mid = 'fl-reply@example.org'")" \
	20240306

# paths DIR: every message page, raw message (by date and by Message-ID),
# thread page and thread mbox, day, month and the list's page.
paths() {
	sqlite3 "$1/index.sqlite" "SELECT printf('/t/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num)
		FROM messages" >msgs.txt
	sqlite3 "$1/index.sqlite" "SELECT DISTINCT mids.mid FROM messages m JOIN mids ON mids.id = m.mid" |
		"$PYTHON" -c 'import sys, urllib.parse as u
for l in sys.stdin:
    m = "/t/" + u.quote(l.rstrip("\n"), safe="@!$&*+,;=:~")
    print(m + "/raw"); print(m + "/T/"); print(m + "/t.mbox.gz")'
	echo /t/
	cat msgs.txt
	sed 's|$|/raw|' msgs.txt
	sed 's|/[0-9]*$|/|' msgs.txt | sort -u
	sed 's|/[0-9]*/[0-9]*$|/|' msgs.txt | sort -u
}
paths ref2 >paths2.txt
paths ref1 >paths1.txt
for d in ref2 g2; do DATA=$T/$d getall "pages-$d" <paths2.txt; done
for d in ref1 g1; do DATA=$T/$d getall "pages-$d" <paths1.txt; done
check "$(wc -l <paths2.txt) pages answer 200 from the v2 inbox" \
	[ "$(awk '$2 != 200' pages-g2.txt | wc -l)" = 0 ]
check "...every page the same bytes as from the mbox (v2)" diff -r -q pages-ref2 pages-g2
check "...and from the v1 inbox ($(wc -l <paths1.txt) pages)" diff -r -q pages-ref1 pages-g1
# The raw message of the format-patch blob: the blob without its first
# line, as public-inbox serves it.
DATA=$T/g2 get /t/fl-patch@example.org/raw >patch.raw
blob=$(git -C v2/git/0.git log --format=%H --grep='fix a thing' | tail -1)
check "the raw message is the blob without its From_ line" \
	eval 'git -C v2/git/0.git cat-file blob "$blob:m" | tail -n +2 | cmp -s - patch.raw && head -1 patch.raw | grep -q "^From: Alice"'
check_eq "a rerun over the inbox indexes nothing" \
	"$(la index --data g2 t v2 2>&1 | grep -c '^t: 0 messages indexed')" 1
