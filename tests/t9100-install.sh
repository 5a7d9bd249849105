#!/usr/bin/env bash
# t9100-install: `make install DESTDIR=... PREFIX=/usr` puts the binary,
# the man page and the contrib/ files where they belong; the installed
# binary indexes and serves samples/; `man -l` formats the installed page;
# the installed service names the installed binary and passes
# `systemd-analyze verify`; `make install-service` sets up the archive
# directory (group, setgid, 2770), the unit (with its paths and group) and
# the logrotate snippet, and the unit's own command line, run by hand as
# an unprivileged user with the unit's group and umask, serves the
# archive (and cannot without the group); `make uninstall` takes back
# every file.
. "$(dirname "$0")/lib.sh"
plan 27
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

check "the logrotate snippet and install-service in share/doc" \
	test -f "$DOC/listarc.logrotate" -a -x "$DOC/install-service"

# make install-service, staged: the group is the test's own.
G=$(id -gn)
make -s -C "$ROOT" install-service DESTDIR="$DEST" PREFIX=/usr DATA=/srv/la GROUP="$G" >svc.out 2>&1
check_eq "make install-service DESTDIR: exit 0" "$?" 0
UNIT=$DEST/etc/systemd/system/listarc.service
check "... the unit, naming the binary, DATA and GROUP" \
	grep -qx "SupplementaryGroups=$G" "$UNIT" -a -n "$(grep '^ExecStart=/usr/bin/listarc serve --data /srv/la ' "$UNIT")"
check "... the logrotate snippet" cmp -s "$DEST/etc/logrotate.d/listarc" "$ROOT/contrib/listarc.logrotate"
check_eq "... the archive and its mbox/: group $G, setgid, 2770" \
	"$(stat -c '%G %a' "$DEST/srv/la" "$DEST/srv/la/mbox" | tr '\n' ' ')" "$G 2770 $G 2770 "
if command -v logrotate >/dev/null; then
	sed "s|/var/log/listarc|$T/rlog|" "$DEST/etc/logrotate.d/listarc" >lr.conf
	mkdir rlog && echo x >rlog/access.log
	logrotate -d -s "$T/lr.state" lr.conf >lr.out 2>&1
	check_eq "logrotate -d reads the snippet: exit 0" "$?" 0
else
	skip 1 "no logrotate"
fi

# The unit's command line by hand: as nobody (the DynamicUser's stand-in)
# with the unit's group and umask, over the archive an administrator
# indexed (files made in the setgid directory are the group's).
"$BIN" index --data "$DEST/srv/la" linux-kernel "$ROOT/samples/seeds.mbox" 2>/dev/null
cmdline=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$UNIT" | tr -d '\\\n' | sed 's/^ExecStart=//')
cmdline=$(echo "$cmdline" | sed -e "s|^/usr/bin/listarc|$BIN|" -e "s|--data /srv/la|--data $DEST/srv/la|" \
	-e "s|--listen [^ ]*|--listen 127.0.0.1:0|" -e "s|--log [^ ]*|--log $T/vlog/access.log|")
check "the unit's command line found" test -n "$(echo "$cmdline" | grep -- "--data $DEST/srv/la")"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir vlog && chown 65534 vlog
	chmod go+x "$T" "$DEST" "$DEST/srv"
	gid=$(getent group "$G" | cut -d: -f3)
	(umask 0027; exec setpriv --reuid=65534 --regid=65534 --groups="$gid" --no-new-privs $cmdline) 2>svc.err &
	SVC=$!
	bg_pid $SVC
	wait_until grep -q 'listening on http://127.0.0.1:' svc.err
	SPORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' svc.err)
	check_eq "as the service: a message page" \
		"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SPORT/linux-kernel/2019/05/20/4")" 200
	kill -TERM $SVC
	wait $SVC
	check_eq "... stops with exit 0, its log written" "$?/$(grep -c 'GET /linux-kernel' vlog/access.log)" 0/1
	(umask 0027; exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs $cmdline) >/dev/null 2>nogroup.err
	check "... and without the group it cannot read the archive" test $? -ne 0
else
	skip 3 "not root, or no setpriv"
fi

make -s -C "$ROOT" uninstall DESTDIR="$DEST" PREFIX=/usr >make.out 2>&1
check_eq "make uninstall: exit 0" "$?" 0
check_eq "... every file it installed is gone (install-service's are SYSCONFDIR's)" \
	"$(find "$DEST" -type f -not -path "$DEST/etc/*" -not -path "$DEST/srv/*")" ""
