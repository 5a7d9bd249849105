#!/usr/bin/env bash
# t9100-install: `make install DESTDIR=... PREFIX=/usr` puts the binary,
# the man page and the contrib/ files where they belong; the installed
# binary indexes and serves samples/; `man -l` formats the installed page;
# the installed service names the installed binary and passes
# `systemd-analyze verify`; `make uninstall` takes back every file.
. "$(dirname "$0")/lib.sh"
plan 17
DEST=$T/dest
DATA=$T/arc
make -s -C "$ROOT" install DESTDIR="$DEST" PREFIX=/usr >make.out 2>&1
check_eq "make install DESTDIR PREFIX=/usr: exit 0" "$?" 0
BIN=$DEST/usr/bin/listarc
DOC=$DEST/usr/share/doc/listarc
check "the binary in PREFIX/bin, executable" test -x "$BIN"
check "the man page in PREFIX/share/man/man1" test -f "$DEST/usr/share/man/man1/listarc.1"
check "contrib/ and the README in PREFIX/share/doc/listarc" \
	test -f "$DOC/listarc.service" -a -f "$DOC/nginx-listarc.conf" -a -f "$DOC/README.md"
check_eq "nothing installed outside DESTDIR/usr" "$(find "$DEST" -mindepth 1 -maxdepth 1)" "$DEST/usr"
check_eq "the installed binary is the build's" "$("$BIN" --version)" "$("$ROOT/listarc" --version)"

# The installed binary indexes and serves the samples.
"$BIN" index --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
check_eq "installed: index exits 0" "$?" 0
SERVE_BIN=$BIN start_server inst
check "installed: serve starts" test -n "$PORT"
check_eq "installed: the site index" "$(curl -s -o /dev/null -w '%{http_code}' "$U/")" 200
curl -s "$U/linux-kernel/2019/05/20/4" >page
check "installed: a message page" grep -q '<pre class="msg">' page
stop_server inst

# The man page, as man shows it.
MANWIDTH=80 man -l "$DEST/usr/share/man/man1/listarc.1" >man.txt 2>man.err
check_eq "man -l of the installed page: exit 0, no warning" "$?/$(wc -c <man.err)" 0/0
check "... with its commands" grep -qE '^ +hide +Takes a message off' man.txt

# The service file names the installed binary, and systemd accepts it.
check "the installed service runs PREFIX/bin/listarc" \
	grep -q '^ExecStart=/usr/bin/listarc serve' "$DOC/listarc.service"
if command -v systemd-analyze >/dev/null; then
	# verify wants the binary at the path it names: the same unit,
	# pointing at DESTDIR's copy.
	mkdir unit
	sed "s|/usr/bin/listarc|$BIN|" "$DOC/listarc.service" >unit/listarc.service
	timeout 60 systemd-analyze verify --man=no unit/listarc.service >verify.out 2>&1
	check_eq "systemd-analyze verify of the installed service: exit 0" "$?" 0
	sed 's/^/#   /' verify.out | head -5
else
	skip 1 "no systemd-analyze"
fi

make -s -C "$ROOT" uninstall DESTDIR="$DEST" PREFIX=/usr >make.out 2>&1
check_eq "make uninstall: exit 0" "$?" 0
check_eq "... every file it installed is gone" "$(find "$DEST" -type f)" ""
