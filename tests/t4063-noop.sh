#!/usr/bin/env bash
# t4063-noop: `listarc index` of an mbox with nothing new reads and writes
# nothing: the index file is byte for byte what it was, the write-ahead log
# stays empty (no transaction, no commit), and no fsync is made; yet the
# shortcut hides nothing: a message appended is indexed by the next run,
# and an mbox rewritten to the same length is refused as before.
. "$(dirname "$0")/lib.sh"
plan 7
cp "$ROOT/samples/seeds.mbox" l.mbox
la index -q --data arc l l.mbox 2>err.txt
check_eq "the first run indexes the mbox: exit 0" $? 0
n=$(sqlite3 arc/index.sqlite 'SELECT count(*) FROM messages')
cp arc/index.sqlite before.sqlite

if command -v strace >/dev/null; then
	strace -f -o trace.txt -e trace=fsync,fdatasync "$RELEASE" index -q --data arc l 2>err.txt
	rc=$?
	syncs=$(grep -cE 'fsync|fdatasync' trace.txt)
else
	"$RELEASE" index -q --data arc l 2>err.txt
	rc=$?
	syncs=0
fi
check_eq "a run with nothing new: exit 0" $rc 0
check "...leaves index.sqlite byte for byte as it was" cmp -s before.sqlite arc/index.sqlite
check_eq "...writes nothing to the log (index.sqlite-wal: $(stat -c %s arc/index.sqlite-wal) bytes)" \
	"$(stat -c %s arc/index.sqlite-wal)" 0
check_eq "...and makes no fsync" "$syncs" 0

# A message appended: the next run indexes it.
{
	printf 'From a@example.org Tue Jan  2 00:00:00 2024\n'
	printf 'From: a@example.org\nSubject: appended\nMessage-ID: <appended@t4063>\n'
	printf 'Date: Tue, 2 Jan 2024 00:00:00 +0000\n\nbody\n\n'
} >>l.mbox
la index -q --data arc l 2>err.txt
check_eq "a message appended is indexed by the next run" \
	"$(sqlite3 arc/index.sqlite 'SELECT count(*) FROM messages')" "$((n + 1))"

# The same length, other bytes (the last message's body changed): refused.
sed -i 's/^body$/bodz/' l.mbox
la index -q --data arc l 2>err.txt
rc=$?
check "an mbox rewritten to the same length is refused (exit $rc: $(head -c 80 err.txt))" \
	sh -c "[ $rc -ne 0 ] && grep -q rewritten err.txt"
