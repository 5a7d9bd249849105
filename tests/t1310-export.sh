#!/usr/bin/env bash
# t1310-export: `listarc export` writes a list as a public-inbox v2 inbox.
# The archive is made from samples/seeds.mbox with lore's placeholder
# From_ lines (so that a message's URL date is its Received: date, as for
# a git blob), exported, and checked against public-inbox itself: the
# commits' author, committer, dates and subjects are those public-inbox's
# own importer writes for the same mail; public-inbox-index finds every
# message; lei reads the inbox as an external; listarc indexing the export
# as a new archive gets the same URLs, threads and pages (the round
# trip).  Also: a rerun writes nothing, a new message is one commit, a
# hidden one leaves with an rm commit (public-inbox-index drops it) and
# comes back when shown again, epochs roll over at --epoch-size, and a
# run killed (-9) at 8 points inside its writes, then rerun, leaves the
# same commits as a run never killed.  Skipped without public-inbox.
. "$(dirname "$0")/lib.sh"
N=29
plan $N
if ! have_public_inbox || ! command -v lei >/dev/null; then
	skip $N "$SKIP_PI"
	exit 0
fi
lei_home
export PI_CONFIG=$T/pi.config
at_exit 'lei daemon-kill >/dev/null 2>&1'

sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$ROOT/samples/seeds.mbox" >lore.mbox
la index --data a --quiet v2 lore.mbox
la list --data a set-address v2 v2@example.org >/dev/null
la export --data a >export.out 2>export.err
check "export: 36 commits added (exit $?)" grep -q '^v2: 36 added, 0 removed' export.out
IB=a/inbox/v2
G=$IB/git/0.git
check_eq "one commit per message on master" "$(git -C $G rev-list --count master)" 36
check "git fsck finds nothing wrong" git -C $G fsck --strict --no-progress
check_eq "each commit's tree is the one blob m" \
	"$(git -C $G log --format=%H master | while read -r c; do git -C $G ls-tree --name-only "$c"; done | sort -u)" m
check_eq "the inbox's files, as public-inbox lays them out" \
	"$(cd $IB && printf '%s\n' description inbox.lock all.git/HEAD all.git/config all.git/objects/info/alternates \
		git/0.git/HEAD git/0.git/config | while read -r f; do [ -e "$f" ] && echo "$f"; done | wc -l) $(cat $IB/description) $(cat $IB/all.git/objects/info/alternates) $(git config -f $G/config include.path)" \
	"7 public inbox for v2@example.org ../../git/0.git/objects ../../all.git/config"

# public-inbox's own importer on the same mail: the same commit metadata.
public-inbox-init -V2 -L basic v2 "$T/pi" http://example.org/v2 v2@example.org 2>pi.err
"$ROOT/bench/pi-import" v2 v2 lore.mbox >/dev/null 2>>pi.err
F='%an|%ae|%ad|%cn|%ce|%cd|%s'
git -C pi/git/0.git log --format="$F" --date=raw master >pi.log
git -C $G log --format="$F" --date=raw master >la.log
check "author, committer, their dates and the subject of every commit are public-inbox's ($(wc -l <la.log))" \
	cmp -s pi.log la.log
# (public-inbox drops a few headers before it stores a message:
# Delivered-To, X-Original-To, Status, Lines...; listarc stores the
# archive's bytes as they are.)
git -C $G log --format=%H master | tail -1 >first.txt
check "the first message's blob is the archive's raw message, byte for byte" \
	sh -c "git -C $G cat-file blob \$(cat first.txt):m | cmp -s - '$(DATA=$T/a get /v2/2019/05/20/1/raw >raw1.eml; echo "$T/raw1.eml")'"

# public-inbox-index reads it and finds every message.
public-inbox-index --no-fsync $IB 2>pii.err
check_eq "public-inbox-index finds all 36 messages" \
	"$(sqlite3 $IB/msgmap.sqlite3 'SELECT count(*) FROM msgmap')" 36
sqlite3 a/index.sqlite "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid" | sort >la.mids
sqlite3 $IB/msgmap.sqlite3 "SELECT mid FROM msgmap" | sort >pi.mids
check "...with the archive's Message-IDs" cmp -s la.mids pi.mids

# lei: the export as an external.
guard lei add-external "$T/$IB" >lei.log 2>&1
check_eq "lei add-external takes the inbox" $? 0
guard lei q --no-save -o "mboxrd:$T/lei.mbox" 's:pstore' >>lei.log 2>&1
got=$(grep -ci '^message-id:' lei.mbox 2>/dev/null)
want=$(la search --data a --format=json --limit 1000 's:pstore' | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')
check_eq "lei q s:pstore finds the messages listarc search finds ($want)" "$got" "$want"

# The round trip: the export indexed as a new archive has the same URLs,
# threads and pages.
la index --data b v2 "$T/$IB" 2>b.err
la list --data b set-address v2 v2@example.org >/dev/null
index_facts a >a.facts
index_facts b >b.facts
check "round trip: the same URLs, Message-IDs and threads" cmp -s a.facts b.facts
sqlite3 a/index.sqlite "SELECT printf('/v2/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num)
	FROM messages" >msgs.txt
{
	echo /v2/
	cat msgs.txt
	sed 's|$|/raw|' msgs.txt
	sed 's|/[0-9]*$|/|' msgs.txt | sort -u
	sed 's|/[0-9]*/[0-9]*$|/|' msgs.txt | sort -u
} >paths.txt
for d in a b; do DATA=$T/$d getall "pages-$d" <paths.txt; done
check "round trip: $(wc -l <paths.txt) pages (messages, raw, days, months, list) the same bytes" \
	diff -r -q pages-a pages-b

# Incremental: nothing new, nothing written; a new message, one commit.
tip=$(git -C $G rev-parse master)
la export --data a >rerun.out
check_eq "a rerun adds nothing and leaves master" "$(cat rerun.out | cut -d';' -f1) $(git -C $G rev-parse master)" \
	"v2: 0 added, 0 removed, 0 hidden left out $tip"
printf 'From: New <new@example.org>\nTo: v2@example.org\nMessage-ID: <new-1@example.org>\nDate: Sat, 09 May 2020 20:00:00 +0000\nSubject: a new one\n\nnew\n' |
	la deliver --data a v2
la export --data a >new.out
check_eq "a message delivered since: one commit" \
	"$(cut -d';' -f1 new.out) $(git -C $G rev-list --count master) $(git -C $G log -1 --format=%s master)" \
	"v2: 1 added, 0 removed, 0 hidden left out 37 a new one"

# Hidden: taken out with public-inbox's rm commit; shown again: back.
la hide --data a v2 new-1@example.org --reason test >/dev/null
la export --data a >hide.out
check_eq "a hidden message leaves: an rm commit whose tree is d, its blob" \
	"$(cut -d';' -f1 hide.out) $(git -C $G ls-tree --name-only master) $(git -C $G log -1 --format=%s master) $(git -C $G rev-parse master:d)" \
	"v2: 0 added, 1 removed, 0 hidden left out d rm $(git -C $G rev-parse master~1:m)"
public-inbox-index --no-fsync $IB 2>>pii.err
check_eq "...public-inbox-index drops it" \
	"$(sqlite3 $IB/msgmap.sqlite3 "SELECT count(*) FROM msgmap WHERE mid = 'new-1@example.org'")" 0
la unhide --data a v2 new-1@example.org >/dev/null
la export --data a >unhide.out
check_eq "shown again: written again" "$(cut -d';' -f1 unhide.out) $(git -C $G ls-tree --name-only master)" \
	"v2: 1 added, 0 removed, 0 hidden left out m"
# A message hidden before its first export is left out, then written
# once shown.
printf 'From: New <new@example.org>\nMessage-ID: <new-2@example.org>\nDate: Sat, 09 May 2020 21:00:00 +0000\nSubject: two\n\nnew\n' |
	la deliver --data a v2
la hide --data a v2 new-2@example.org --reason test >/dev/null
la export --data a >h2.out
la unhide --data a v2 new-2@example.org >/dev/null
la export --data a >h3.out
check_eq "hidden before its export: left out, written once shown" \
	"$(cut -d';' -f1 h2.out h3.out | tr '\n' ' ')" \
	"v2: 0 added, 0 removed, 1 hidden left out v2: 1 added, 0 removed, 0 hidden left out "
# The export's position: where it read the archive's hide log up to,
# recorded with the batch that ended the run (a run looks at what the log
# holds since, not at every message exported).
check_eq "the export's position is the hide log's last entry" \
	"$(sqlite3 a/inbox/v2/listarc-export.sqlite3 'SELECT hide_log FROM positions ORDER BY batch DESC LIMIT 1')" \
	"$(sqlite3 a/index.sqlite 'SELECT max(id) FROM hide_log')"

# An index rebuilt (`index --rebuild`: new message ids, the same URLs):
# the export writes nothing again.
la index --data r --quiet v2 lore.mbox
la list --data r set-address v2 v2@example.org >/dev/null
la export --data r >r1.out
la index --data r --quiet --rebuild v2 lore.mbox
la export --data r >r2.out
la export --data r >r3.out
check_eq "an index rebuilt: the export writes nothing again, now or at the next run" \
	"$(cut -d';' -f1 r2.out r3.out | tr '\n' ' ')$(git -C r/inbox/v2/git/0.git rev-list --count master)" \
	"v2: 0 added, 0 removed, 0 hidden left out v2: 0 added, 0 removed, 0 hidden left out 36"

# Epochs: 100 KiB of messages each.
la export --data a --to "$T/small" --epoch-size 100K v2 >small.out
ne=$(ls small/git | grep -c '^[0-9]*\.git$')
alts=$(for ((i = ne - 1; i >= 0; i--)); do echo "../../git/$i.git/objects"; done)
check "epochs roll over at --epoch-size: $ne epochs, all named in all.git's alternates (newest first)" \
	sh -c "[ $ne -ge 3 ] && [ \"\$(cat small/all.git/objects/info/alternates)\" = '$alts' ]"
total=0
for ((i = 0; i < ne; i++)); do total=$((total + $(git -C small/git/$i.git rev-list --count master))); done
check_eq "...every message in one of them" "$total" 38
la index --data s v2 "$T/small" 2>s.err
check "...and listarc reads them back: 38 messages" grep -q '^v2: 38 messages indexed' s.err

# kill -9 inside the export's writes (tests/faulthook.c), then a rerun:
# the same commits as a run never killed.
HOOK=$ROOT/build/faulthook.so
LISTARC_EXPORT_BATCH=4 "$RELEASE" export --data a --to "$T/clean" v2 >/dev/null
FAULT_DIR=$T/count/ FAULT_COUNT=$T/calls.txt LD_PRELOAD=$HOOK LISTARC_EXPORT_BATCH=4 \
	"$RELEASE" export --data a --to "$T/count" v2 >/dev/null
calls=$(cut -d' ' -f1 calls.txt)
# Each run is killed in its first batches, at another point of a batch's
# writes (the export's record, the pack, the ref, the dumb HTTP files);
# the next run finishes or undoes what it left and goes on.
per=$((calls / 10))
killed=0
for i in 1 2 3 4 5 6 7 8; do
	nth=$((per / 2 + (i * per * 3 / 8) % per))
	FAULT_DIR=$T/hook/ FAULT_KILL_AT=$nth FAULT_LOG=$T/kills.txt LD_PRELOAD=$HOOK LISTARC_EXPORT_BATCH=4 \
		"$RELEASE" export --data a --to "$T/hook" v2 >/dev/null 2>&1 &
	wait $! 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
done
echo "# where the kills landed (of $calls calls):"
sed 's/^/#   /' kills.txt
LISTARC_EXPORT_BATCH=4 "$RELEASE" export --data a --to "$T/hook" v2 >hook.out 2>hook.err
check "8 runs killed inside their writes ($killed), then a rerun: exit 0" \
	sh -c "[ $killed -ge 6 ] && [ -s hook.out ]"
check_eq "...the same commits as a run never killed (nothing lost or doubled)" \
	"$(git -C hook/git/0.git rev-parse master) $(git -C hook/git/0.git rev-list --count master)" \
	"$(git -C clean/git/0.git rev-parse master) 38"
check "...and git fsck finds nothing wrong" git -C hook/git/0.git fsck --no-progress

# Repacking: an epoch of more packs (one a batch of 4) than the bound,
# all of a size, is made one pack, which alone objects/info/packs names;
# the 10 it replaces are retired, kept for their grace (t1321).
LISTARC_EXPORT_PACKS=3 LISTARC_EXPORT_BATCH=4 la export --data a --to "$T/rp" v2 >rp.out
check_eq "an epoch of more packs than the bound is repacked into one, named in objects/info/packs" \
	"$(grep -c repacked rp.out) $(ls rp/git/0.git/listarc-retired | wc -l) $(grep -c '^P ' rp/git/0.git/objects/info/packs) $(git -C rp/git/0.git rev-list --count master)" \
	"1 10 1 38"
check "...git fsck finds nothing wrong in it" git -C rp/git/0.git fsck --strict --no-progress
