#!/usr/bin/env bash
# t1300-public-inbox: public-inbox inboxes as sources (`listarc index LIST
# INBOX`).  The inboxes are written by public-inbox itself (Debian's
# public-inbox: public-inbox-init -V2 and -V1, its own writers through
# bench/pi-import, public-inbox-learn rm, public-inbox-purge) from
# samples/seeds.mbox with lore's placeholder From_ lines, and indexed by
# listarc; the reference is the archive listarc makes from that mbox.
# Checked: the same URLs, Message-IDs and threads, every message's page and
# raw bytes the same (raw: the blob, byte for byte), a rerun that reads
# nothing, a new message read alone, a deletion (410, its number never
# given again, gone from search and thread downloads), an epoch rewritten
# by public-inbox-purge read again whole (the purged message 410, the
# others where they were), and a run killed (-9) mid-walk then resumed:
# nothing lost or doubled.  Skipped when public-inbox is absent.
. "$(dirname "$0")/lib.sh"
N=26
plan $N
if ! have_public_inbox; then
	skip $N "$SKIP_PI"
	exit 0
fi
export HOME=$T PI_CONFIG=$T/pi.config
PI_IMPORT=$ROOT/bench/pi-import
sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$ROOT/samples/seeds.mbox" >lore.mbox
public-inbox-init -V2 -L basic v2 "$T/v2" http://example.org/v2 v2@example.org 2>pi.err
public-inbox-init -V1 -L basic v1 "$T/v1" http://example.org/v1 v1@example.org 2>>pi.err
"$PI_IMPORT" v2 v2 lore.mbox >/dev/null 2>>pi.err
"$PI_IMPORT" v2 v1 lore.mbox >/dev/null 2>>pi.err
check "public-inbox wrote both inboxes (36 commits each)" \
	eval '[ "$(git -C v2/git/0.git rev-list --count HEAD)" = 36 ] && [ "$(git -C v1 rev-list --count HEAD)" = 36 ]'

la index --data ref --quiet t lore.mbox
la index --data g2 t v2 2>g2.err
check "v2 inbox: 36 messages indexed" grep -q '^t: 36 messages indexed' g2.err
la index --data g1 t v1 2>g1.err
check "v1 inbox (a bare repository): 36 messages indexed" grep -q '^t: 36 messages indexed' g1.err

# A mirror of the later epochs only (git/1.git, no 0.git) is an inbox too.
mkdir -p later/git
git clone -q --mirror v2/git/0.git later/git/1.git 2>/dev/null
la index --data later t later 2>later.err
check "an inbox of epoch 1 alone (no git/0.git): 36 messages" grep -q '^t: 36 messages indexed' later.err

index_facts ref >ref.facts
index_facts g2 >g2.facts
index_facts g1 >g1.facts
check "v2: the same URLs, Message-IDs and threads as the mbox's archive" cmp -s ref.facts g2.facts
check "v1: the same URLs, Message-IDs and threads as the mbox's archive" cmp -s ref.facts g1.facts

# Every message's page and its thread's, the list, month and day pages:
# the same in all three archives.
sqlite3 ref/index.sqlite "SELECT printf('/t/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num)
	FROM messages" >msgs.txt
{
	echo /t/
	cat msgs.txt
	sed 's|/[0-9]*$|/|' msgs.txt | sort -u
	sed 's|/[0-9]*/[0-9]*$|/|' msgs.txt | sort -u
} >paths.txt
for d in ref g2 g1; do DATA=$T/$d getall "pages-$d" <paths.txt; done
check "$(wc -l <paths.txt) pages answered 200 from the v2 inbox" [ "$(awk '$2 != 200' pages-g2.txt | wc -l)" = 0 ]
check "...the same bytes as from the mbox (v2)" diff -r -q pages-ref pages-g2
check "...and from the v1 inbox" diff -r -q pages-ref pages-g1
# raw is the blob, as public-inbox stored it (it drops a few headers of
# the mbox's, Delivered-To: and X-Original-To:, so not the mbox's bytes).
sqlite3 -separator ' ' g2/index.sqlite "SELECT printf('/t/%04d/%02d/%02d/%d/raw', day / 10000, day / 100 % 100, day % 100, num), file
	FROM messages ORDER BY day, num" >raws.txt
cut -d' ' -f1 raws.txt | DATA=$T/g2 getall raw-g2
bad=0
i=0
while read -r url file; do
	i=$((i + 1))
	git -C "v2/git/${file%%/*}.git" cat-file blob "${file#*/}" | cmp -s - "raw-g2/$i" || {
		bad=$((bad + 1))
		echo "# $url differs from blob $file"
	}
done <raws.txt
check_eq "every raw message is its blob, byte for byte ($i)" "$bad" 0

# A rerun reads nothing; a new message is read alone.
la index --data g2 t 2>g2.err
check "a rerun over the unchanged inbox indexes nothing" grep -q '^t: 0 messages indexed' g2.err
printf 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: New <new@example.org>\nTo: v2@example.org\nMessage-ID: <new-1@example.org>\nDate: Sat, 09 May 2020 20:00:00 +0000\nSubject: a new one\n\nnew\n\n' >new1.mbox
"$PI_IMPORT" v2 v2 new1.mbox >/dev/null 2>>pi.err
la index --data g2 t v2 2>g2.err
check "a commit fetched since: 1 message indexed, alone" grep -q '^t: 1 messages indexed' g2.err
DATA=$T/g2 get /t/new-1@example.org/ >/dev/null
check_eq "...and served" "$STATUS" 200
DATA=$T/g2 get /t/new-1@example.org/t.mbox.gz | gzip -dc >new1-t.mbox 2>/dev/null
check_eq "...its thread mbox holds the blob after a From_ line" \
	"$(grep -c '^From mboxrd@z Thu Jan  1 00:00:00 1970$' new1-t.mbox) $(grep -c '^Message-ID: <new-1@example.org>$' new1-t.mbox)" "1 1"

# A deletion: public-inbox-learn rm commits a tree with "d".
gone_url=/t/2020/05/09/7
DATA=$T/g2 get "$gone_url/raw" >gone.eml
gone_mid=$(sqlite3 g2/index.sqlite "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid WHERE day = 20200509 AND num = 7")
public-inbox-learn --all rm <gone.eml 2>>pi.err
check "public-inbox-learn rm committed a deletion" [ "$(git -C v2/git/0.git ls-tree --name-only HEAD)" = d ]
la index --data g2 t 2>g2.err
check "the deletion is read: 0 messages indexed, 1 removed" grep -q '^t: 0 messages indexed.*; 1 removed' g2.err
DATA=$T/g2 get "$gone_url" >gone.html
check_eq "its URL answers 410 Gone" "$STATUS" 410
DATA=$T/g2 get "$gone_url/raw" >/dev/null
check_eq "...and so does its raw message" "$STATUS" 410
DATA=$T/g2 get "/t/?q=m%3A$(printf %s "$gone_mid" | sed 's/@/%40/')&x=m" | gzip -dc >gone-search.mbox 2>/dev/null
check "...the search mbox of its Message-ID no longer holds it" [ "$(grep -c '^Message-ID:' gone-search.mbox)" = 0 ]
check_eq "...the list counts 36 (36 + 1 new - 1 removed)" \
	"$(la lists --data g2 | awk '$1 == "t" {print $2}')" 36
printf 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: New <new@example.org>\nTo: v2@example.org\nMessage-ID: <new-2@example.org>\nDate: Sat, 09 May 2020 21:00:00 +0000\nSubject: another\n\nnew\n\n' >new2.mbox
"$PI_IMPORT" v2 v2 new2.mbox >/dev/null 2>>pi.err
la index --data g2 t 2>g2.err
check_eq "a message on that day later gets the next number, never the removed one's" \
	"$(sqlite3 g2/index.sqlite "SELECT num FROM messages m JOIN mids ON mids.id = m.mid WHERE mids.mid = 'new-2@example.org'")" \
	"$(($(sqlite3 g2/index.sqlite "SELECT max(num) FROM messages WHERE day = 20200509 AND mid != (SELECT id FROM mids WHERE mid = 'new-2@example.org')") + 1))"

# A rewritten epoch (public-inbox-purge rewrites the history after the
# purged message, leaving an empty "m" in its place): read again whole in
# one transaction; the purged message's URL answers 410, every other
# message keeps its URL.
index_facts g2 >before.facts
DATA=$T/g2 get /t/2019/05/20/1/raw >purge.eml
public-inbox-purge --all <purge.eml >/dev/null 2>>pi.err
la index --data g2 t 2>rw.err
rc=$?
check "after public-inbox-purge, the rewritten epoch is said and read again (exit $rc): $(head -c 100 rw.err)..." \
	eval '[ "$rc" -eq 0 ] && grep -q "history rewritten.*read again whole: 1 messages removed, 0 added" rw.err'
index_facts g2 >after.facts
DATA=$T/g2 get /t/2019/05/20/1 >/dev/null
check_eq "...the purged message's URL answers 410" "$STATUS" 410
check_eq "...and every other message kept its URL and Message-ID" \
	"$(grep -v '^20190520|1|' before.facts | cut -d'|' -f1-3 | md5sum)" "$(cut -d'|' -f1-3 after.facts | md5sum)"
la index --data g2 --rebuild t v2 2>rb.err
check "--rebuild indexes it anew: 36 messages (36 + 2 new - 1 removed - 1 purged, its empty blob no message)" \
	eval '[ "$(la lists --data g2 | awk "\$1 == \"t\" {print \$2}")" = 36 ] && grep -q "^t: 37 messages indexed[^;]*; 1 removed\$" rb.err'

# kill -9 in mid-walk (a commit per message), then a rerun: the same as a
# run that was never killed.
public-inbox-init -V2 -L basic big "$T/big" http://example.org/big big@example.org 2>>pi.err
sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$ROOT/samples/lkml.mbox" >big.mbox
"$PI_IMPORT" v2 big big.mbox >/dev/null 2>>pi.err
la index --data clean --quiet t big
LISTARC_BATCH=1 "$LISTARC" index --data killed --quiet t big &
pid=$!
wait_until sh -c "[ \"\$(sqlite3 killed/index.sqlite 'SELECT count(*) FROM messages' 2>/dev/null)\" -ge 20 ] 2>/dev/null"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
killed_at=$(sqlite3 killed/index.sqlite 'SELECT count(*) FROM messages')
la index --data killed --quiet t big
index_facts clean >clean.facts
index_facts killed >killed.facts
check "killed after $killed_at of $(wc -l <clean.facts) messages, then rerun: the same archive, nothing lost or doubled" \
	cmp -s clean.facts killed.facts
