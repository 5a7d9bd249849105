#!/usr/bin/env bash
# t8053-pi-epochs-ahead: a public-inbox v2 inbox of several epochs indexed
# in one run, each epoch's first-parent chain collected while the epoch
# before it is written (ingest/git.c, "the next epoch's chain"), gives
# the index (every row, ids and all) of the same inbox indexed one epoch
# a run as its epochs appeared, where no chain is collected ahead.  A run
# whose later epoch cannot be read (its pack gone, found while the epoch
# before is written) fails and leaves nothing of that run; the rerun
# with the pack back gives the same index again.
. "$(dirname "$0")/lib.sh"
N=6
plan $N

sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$ROOT/samples/seeds.mbox" >lore.mbox
la index --data a --quiet v2 lore.mbox
la export --data a --to "$T/full" --epoch-size 100K v2 >export.out
ne=$(ls full/git | grep -c '^[0-9]*\.git$')
check "the export rolls over: $ne epochs" test "$ne" -ge 3

# The epochs as a mirror receives them, one more each run (the run walks
# the new epoch alone: no chain collected ahead), at the path the one run
# reads too (the source's row names it).
mkdir -p pi/git
ok_runs=0
for ((i = 0; i < ne; i++)); do
	cp -r "full/git/$i.git" "pi/git/$i.git"
	la index --data inc --quiet v2 "$T/pi" && ok_runs=$((ok_runs + 1))
done
check_eq "one epoch a run: every run indexed" "$ok_runs" "$ne"

la index --data one v2 "$T/pi" 2>one.err
check "one run over the $ne epochs: 36 messages" grep -q '^v2: 36 messages indexed' one.err
index_rows one rowid >one.rows
index_rows inc rowid >inc.rows
check "the index of one run is the index of one epoch a run (every row, ids and all)" \
	cmp -s one.rows inc.rows

# The last epoch's pack gone: its chain, collected while the epoch before
# is written, cannot be read.
last=$((ne - 1))
mv pi/git/$last.git/objects/pack pack.saved
mkdir pi/git/$last.git/objects/pack
la index --data br v2 "$T/pi" 2>br.err
rc=$?
check_eq "an epoch that cannot be read: the run fails, nothing of it indexed (exit $rc)" \
	"$rc $(sqlite3 br/index.sqlite 'SELECT count(*) FROM messages')" "1 0"
rmdir pi/git/$last.git/objects/pack
mv pack.saved pi/git/$last.git/objects/pack
la index --data br --quiet v2 "$T/pi"
index_rows br rowid >br.rows
check "...and the rerun with the pack back gives the same index" cmp -s one.rows br.rows
