#!/usr/bin/env bash
# t7300-clients: hostile clients (tests/clients.py): 2,000 idle
# connections, 1,500 slowloris heads, 1,000 pipelined requests (read, and
# never read), 1 MB of header fields, malformed and foreign requests, and
# paths that try to leave the archive.  Against the release build: a
# normal client is answered throughout (how fast: bench/clients), and the
# server's memory stays bounded.  Against the ASan build (smaller crowds):
# nothing crashes, leaks or trips UBSan.  Then symbolic links in a
# maildir, which neither the indexer nor the pages follow out of it.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
# clients.py: 34 checks (10 phases of 2, 14 more), 2 more against the
# release build; the servers' exits; 11 for the maildir.
plan $((2 * 34 + 2 + 2 + 11))

la index --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
la index --data "$DATA" lkml "$ROOT/samples/lkml.mbox" 2>/dev/null

# Head, response and drain timeouts of 2 s.
export LISTARC_HTTP_TIMEOUTS="2 2 2"
SERVE_BIN=$RELEASE start_server release --log "$T/release.log"
"$PYTHON" "$ROOT/tests/clients.py" "$PORT" "$PID"
stop_server release
start_server asan --log "$T/asan.log"
"$PYTHON" "$ROOT/tests/clients.py" "$PORT" "$PID" --quick | sed 's/^\(not \)\{0,1\}ok - /&ASan: /'
stop_server asan

# ---- symbolic links in a maildir ----
mkdir -p md/cur md/new outside/cur outside/new
printf 'Message-ID: <inside@example.org>\nSubject: inside\n\nin the maildir\n' >md/cur/1.inside:2,S
printf 'Message-ID: <secret@example.org>\nSubject: secret\n\nthe secret outside\n' >outside/cur/1.inside:2,S
cp outside/cur/1.inside:2,S outside/new/2.secret
ln -s /etc/passwd md/cur/3.passwd
ln -s "$T/outside/new/2.secret" md/new/4.link
la index --data mdarc md md 2>err.txt
check "a maildir: links to files are not followed (2 entries skipped)" grep -q '1 messages indexed.*2 maildir entries skipped' err.txt
check_eq "...and nothing from outside is indexed" \
	"$(sqlite3 mdarc/index.sqlite "SELECT count(*) FROM mids WHERE mid IN ('secret@example.org')")" 0
url=$(sqlite3 mdarc/index.sqlite "SELECT printf('/md/%04d/%02d/%02d/%d', day / 10000, day / 100 % 100, day % 100, num) FROM messages")
DATA=$T/mdarc
get "$url" >page.html
check_eq "its message has a page" "$STATUS" 200
# The message file replaced by a link to /etc/passwd, then cur/ by a
# link to another maildir holding the same file name: the page shows
# neither.
rm md/cur/1.inside:2,S
ln -s /etc/passwd md/cur/1.inside:2,S
get "$url" >page.html
check "a message file replaced by a link to /etc/passwd: not followed (status $STATUS)" \
	[ "$STATUS" != 200 ]
check "...nothing of it shows" bash -c '! grep -q "root:" page.html'
mv md/cur md/cur.real
ln -s "$T/outside/cur" md/cur
get "$url" >page.html
check "cur/ replaced by a link to a directory outside: not followed (status $STATUS)" [ "$STATUS" != 200 ]
check "...nothing of it shows" bash -c '! grep -q "secret" page.html'
get "$url/raw" >page.raw
check "...nor in the raw message (status $STATUS)" bash -c '! grep -q "secret" page.raw'
la index --data mdarc md md 2>err.txt
check "the indexer refuses a maildir whose cur/ is a link" grep -q 'symbolic links are not followed' err.txt
rm md/cur
mkdir md/cur
ln -s "$T/outside/new" md/new2
rm -r md/new
ln -s "$T/outside/new" md/new
la index --data mdarc md md 2>err.txt
check "...or whose new/ is a link" grep -q 'symbolic links are not followed' err.txt
check_eq "...and indexes nothing from it" \
	"$(sqlite3 mdarc/index.sqlite "SELECT count(*) FROM mids WHERE mid = 'secret@example.org'")" 0
