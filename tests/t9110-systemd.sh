#!/usr/bin/env bash
# t9110-systemd: contrib/listarc.service booted under systemd.  A
# container (systemd-nspawn, package systemd-container) boots systemd as
# its PID 1 over this machine's /usr with an empty /etc and /srv (a fresh
# Debian), with no network but its own loopback; there a unit of the
# test's runs, as root, the documented steps: `make install`, `make
# install-service` (the group, the archive directory, the unit), `listarc
# index` of samples/seeds.mbox, `systemctl start listarc`.  The unit as
# installed then serves a message page as its dynamic user with the
# archive's group, starts once (no restart), reloads on `systemctl
# reload`, logs to /var/log/listarc and stops cleanly.  Skipped unless
# root with systemd-nspawn and the release build.
. "$(dirname "$0")/lib.sh"
plan 8
if [ "$(id -u)" != 0 ] || ! command -v systemd-nspawn >/dev/null || [ ! -x "$ROOT/listarc" ]; then
	skip 8 "not root, no systemd-nspawn (package systemd-container) or no ./listarc"
	exit 0
fi
OUT=$T/out
mkdir "$OUT"
cat >"$OUT/inside.sh" <<'EOF'
#!/bin/sh
# Inside the container, as the unit listarc-boot-test.service.
exec >/out/inside.log 2>&1
set -x
# (-o listarc: the build is the host's, made before; nothing is built here.)
{ make -s -C /src -o listarc install PREFIX=/opt/listarc &&
	make -s -C /src install-service PREFIX=/opt/listarc; }
echo $? >/out/install.rc
cp /src/samples/seeds.mbox /srv/listarc/mbox/seeds.mbox
/opt/listarc/bin/listarc index --data /srv/listarc seeds /srv/listarc/mbox/seeds.mbox
systemctl daemon-reload
code=none
if systemctl start listarc; then
	# Ready when it answers; failed if it stopped or systemd restarted it.
	until code=$(curl -s -o /out/page -w '%{http_code}' http://127.0.0.1:8080/seeds/2019/05/20/4) &&
		[ "$code" = 200 ]; do
		[ "$(systemctl show -p NRestarts --value listarc)" = 0 ] || break
		[ "$(systemctl show -p ActiveState --value listarc)" = active ] || break
		sleep 0.02
	done
fi
echo "$code" >/out/status
systemctl show -p NRestarts -p ActiveState listarc >/out/show
pid=$(systemctl show -p MainPID --value listarc)
grep -E '^(Uid|Groups):' "/proc/$pid/status" >/out/ids
getent group listarc | cut -d: -f3 >/out/gid
systemctl reload listarc
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:8080/ >/out/after-reload
systemctl stop listarc
systemctl show -p Result -p ExecMainStatus listarc >/out/stopped
cp /var/log/listarc/access.log /out/access.log
journalctl -u listarc --no-pager >/out/journal 2>&1
EOF
cat >"$OUT/listarc-boot-test.service" <<'EOF'
[Unit]
Description=listarc: the service as installed, under systemd
SuccessAction=poweroff
FailureAction=poweroff

[Service]
Type=oneshot
ExecStart=/bin/sh /out/inside.sh
EOF

# nspawn leaves what it makes of the host's cgroups (payload/ and
# supervisor/ below its own) and /run/systemd/nspawn*: it runs in cgroups
# of this test's own, and all of that is removed after it.
CG=listarc-t9110-$$
cgroups=()
while IFS=: read -r _ ctl path; do
	case $ctl in
	"")
		for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
			if [ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ]; then
				cgroups+=("$m${path%/}/$CG")
				break
			fi
		done
		;;
	name=systemd) [ -f /sys/fs/cgroup/systemd/cgroup.procs ] && cgroups+=("/sys/fs/cgroup/systemd${path%/}/$CG") ;;
	esac
done </proc/self/cgroup
runs=()
for d in /run/systemd/nspawn /run/systemd/nspawn-root; do [ -e "$d" ] || runs+=("$d"); done
cleanup_nspawn() {
	local d
	for d in "${cgroups[@]}"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
	for d in "${runs[@]}"; do [ -d "$d" ] && find "$d" -depth -type d -empty -delete 2>/dev/null; done
}
at_exit cleanup_nspawn
(
	for d in "${cgroups[@]}"; do mkdir -p "$d" && echo "$BASHPID" >"$d/cgroup.procs"; done 2>/dev/null
	exec timeout -k 5 600 systemd-nspawn --quiet --keep-unit --register=no --machine="listarc-t9110-$$" \
		--directory=/ --volatile=yes --private-network --bind="$OUT:/out" --bind-ro="$ROOT:/src" \
		--bind-ro="$OUT/listarc-boot-test.service:/etc/systemd/system/listarc-boot-test.service" \
		--boot systemd.unit=listarc-boot-test.service systemd.firstboot=off
) </dev/null >nspawn.log 2>&1
rc=$?
check_eq "systemd booted in a container, ran the test's unit and powered off: exit 0" \
	"$rc/$([ -s "$OUT/status" ] && echo ran)" 0/ran
[ "$rc" = 0 ] || tail -5 nspawn.log | sed 's/^/#   /'
check_eq "make install, make install-service: exit 0" "$(cat "$OUT/install.rc" 2>/dev/null)" 0
check_eq "systemctl start listarc: the unit as installed serves a message page" "$(cat "$OUT/status" 2>/dev/null)" 200
grep -q '<pre class="msg">' "$OUT/page" 2>/dev/null || echo "#   not a message page"
if [ "$(cat "$OUT/status" 2>/dev/null)" != 200 ]; then
	grep -v '^+ \(curl\|code\|i=\|\[\|sleep\)' "$OUT/inside.log" 2>/dev/null | tail -8 | sed 's/^/#   /'
	head -12 "$OUT/journal" 2>/dev/null | sed 's/^/#   /'
fi
check_eq "... started once (no restart), still active" "$(tr '\n' ' ' <"$OUT/show" 2>/dev/null)" "NRestarts=0 ActiveState=active "
uid=$(awk '/^Uid:/ { print $2 }' "$OUT/ids" 2>/dev/null)
check "... as a dynamic user (not root) with the archive's group" \
	test -n "$uid" -a "$uid" != 0 -a -n "$(awk -v g="$(cat "$OUT/gid" 2>/dev/null)" '/^Groups:/ { for (i = 2; i <= NF; i++) if ($i == g) print }' "$OUT/ids")"
check_eq "systemctl reload (SIGHUP): still serving, listarc.conf read again" \
	"$(cat "$OUT/after-reload" 2>/dev/null)/$(grep -c 'SIGHUP: listarc.conf read again' "$OUT/journal" 2>/dev/null)" 200/1
check_eq "systemctl stop: success, exit 0" "$(tr '\n' ' ' <"$OUT/stopped" 2>/dev/null)" "Result=success ExecMainStatus=0 "
check_eq "the access log in /var/log/listarc (LogsDirectory): both requests" \
	"$(grep -cE '"GET (/seeds/2019/05/20/4|/) HTTP/1.1" 200 ' "$OUT/access.log" 2>/dev/null)" 2
