#!/usr/bin/env bash
# t6500-mirror: what `listarc serve` offers a mirror.  The list's export
# (`listarc export`, a public-inbox v2 inbox in DIR/inbox/LIST) is cloned
# with real git over HTTP (dumb HTTP: info/refs, objects/info/packs, the
# packs), epoch by epoch; a message delivered and exported since is
# fetched; /manifest.js.gz names each epoch with grokmirror's
# fingerprint; /LIST/_/text/mirror/ gives the commands; the clone indexed
# by listarc is the same archive.  And the plain downloads: the list's and
# a month's messages as mbox.gz, linked from the list and month pages.
# Paths outside git's dumb protocol are refused.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 26
la index --data "$DATA" --quiet l "$ROOT/samples/lkml.mbox"
la export --data "$DATA" --epoch-size 200K >export.out
ne=$(ls "$DATA/inbox/l/git" | grep -c '^[0-9]*\.git$')
check "the export has several epochs ($ne)" [ "$ne" -ge 2 ]
start_server serve
check "the server listens" [ -n "$PORT" ]

# git clone over HTTP, every epoch.
total=0
bad=0
for ((i = 0; i < ne; i++)); do
	guard git clone -q --mirror "$U/l/git/$i.git" "mirror/git/$i.git" 2>>clone.err || bad=$((bad + 1))
	[ "$(git -C "mirror/git/$i.git" rev-parse master)" = "$(git -C "$DATA/inbox/l/git/$i.git" rev-parse master)" ] ||
		bad=$((bad + 1))
	total=$((total + $(git -C "mirror/git/$i.git" rev-list --count master)))
done
check_eq "git clone --mirror of each of the $ne epochs: the export's master" "$bad" 0
check_eq "...holding every message" "$total" "$(sqlite3 "$DATA/index.sqlite" 'SELECT count(*) FROM messages')"
check "...and git fsck finds nothing wrong in the last" git -C "mirror/git/$((ne - 1)).git" fsck --no-progress
guard git clone -q "$U/l/git/0.git" work 2>>clone.err
check_eq "a plain clone checks out the epoch's last message as m" "$(ls work)" m

# A message delivered and exported since: git fetch gets it (a new pack).
printf 'From: New <new@example.org>\nMessage-ID: <new-1@example.org>\nDate: Sat, 09 May 2020 20:00:00 +0000\nSubject: fetched later\n\nnew\n' |
	la deliver --data "$DATA" l
la export --data "$DATA" --epoch-size 200K >export2.out
last=$((ne - 1))
[ -d "$DATA/inbox/l/git/$ne.git" ] && last=$ne
[ "$last" = "$ne" ] && guard git clone -q --mirror "$U/l/git/$ne.git" "mirror/git/$ne.git" 2>>clone.err
guard git --git-dir="mirror/git/$last.git" fetch -q 2>>clone.err
check_eq "git fetch after an export gets the new message" \
	"$(git --git-dir="mirror/git/$last.git" log -1 --format=%s master)" "fetched later"

# The mirror is an inbox: listarc indexes it into the same archive.
la index --data "$T/copy" l mirror 2>copy.err
check_eq "the clone indexed by listarc: the same messages (URL and Message-ID)" \
	"$(sqlite3 "$T/copy/index.sqlite" "SELECT day, num, mids.mid FROM messages m JOIN mids ON mids.id = m.mid ORDER BY 1, 2" | md5sum)" \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT day, num, mids.mid FROM messages m JOIN mids ON mids.id = m.mid ORDER BY 1, 2" | md5sum)"

# A replica's health: /healthz says 503 while the mirror holds commits
# its index has not read (after a git fetch, before listarc index).
DATA=$T/copy get /healthz >hz1.txt
check_eq "the replica, caught up: /healthz 200 ok" "$STATUS $(head -1 hz1.txt)" "200 ok"
printf 'From: New <new@example.org>\nMessage-ID: <new-2@example.org>\nDate: Sat, 09 May 2020 21:00:00 +0000\nSubject: second\n\nnew\n' |
	la deliver --data "$DATA" l
la export --data "$DATA" --epoch-size 200K >export3.out
for g in mirror/git/*.git; do guard git --git-dir="$g" fetch -q 2>>clone.err; done
DATA=$T/copy get /healthz >hz2.txt
check_eq "...after a fetch it has not indexed: 503, the epoch BEHIND" \
	"$STATUS $(head -1 hz2.txt) $(grep -c ' BEHIND$' hz2.txt)" "503 behind 1"
la index --data "$T/copy" l 2>>copy.err
DATA=$T/copy get /healthz >hz3.txt
check_eq "...indexed: 200 again" "$STATUS $(head -1 hz3.txt)" "200 ok"

# grokmirror's manifest.
curl -s -o manifest.js.gz -w '%{http_code} %{content_type}' "$U/manifest.js.gz" >manifest.code
check_eq "/manifest.js.gz: 200, gzip" "$(cat manifest.code)" "200 application/gzip"
gzip -dc manifest.js.gz >manifest.json
"$PYTHON" - "$T/mirror" "$ne" "$last" >manifest.check <<'EOF'
import hashlib, json, subprocess, sys
m = json.load(open("manifest.json"))
top, ne, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
keys = sorted(m)
want = sorted("/l/git/%d.git" % i for i in range(last + 1))
print("keys", keys == want)
ok = True
for i in range(last + 1):
    refs = subprocess.run(["git", "--git-dir=%s/git/%d.git" % (top, i), "show-ref"],
                          capture_output=True, text=True).stdout
    e = m["/l/git/%d.git" % i]
    ok = ok and e["fingerprint"] == hashlib.sha1(refs.encode()).hexdigest()
    ok = ok and e["head"] == "ref: refs/heads/master" and e["modified"] > 0
print("fingerprints", ok)
EOF
check_eq "...names every epoch, with grokmirror's fingerprint of each clone's refs" \
	"$(tr '\n' ' ' <manifest.check)" "keys True fingerprints True "

# The commands to mirror the list.
curl -s "$U/l/_/text/mirror/raw" >mirror.txt
check "/l/_/text/mirror/raw: a git clone line per epoch" \
	[ "$(grep -c '^git clone --mirror \$URL/l/git/[0-9]*\.git l/git/[0-9]*\.git$' mirror.txt)" = $((last + 1)) ]
check_eq "...its URL is the request's origin, per Host (never one cached for every Host)" \
	"$(grep '^URL=' mirror.txt) $(curl -s -H 'Host: other.example:81' "$U/l/_/text/mirror/raw" | grep '^URL=')" \
	"URL=$U URL=http://other.example:81"
check_eq "/l/_/text/mirror/ is a page" "$(curl -s -o /dev/null -w '%{http_code}' "$U/l/_/text/mirror/")" 200

# Paths outside the dumb protocol's, or malformed: 404.
codes=
for p in l/git/0.git/config l/git/0.git/objects/info/../../config l/git/00.git/HEAD l/git/0.git/refs/heads/master \
	l/git/0.git/objects/pack/pack-XYZ.pack l/git/0.git/ l/git/0.git all/git/0.git/HEAD l/git/0.git/description; do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$U/$p")"
done
check_eq "config, refs/, .., a bad pack name, /all/: refused" "$codes" " 404 400 404 404 404 404 404 404 404"
check_eq "HEAD and info/refs are served" \
	"$(curl -s "$U/l/git/0.git/HEAD") $(curl -s "$U/l/git/0.git/info/refs" | cut -f2)" "ref: refs/heads/master refs/heads/master"

# Plain downloads.
curl -s -D list.head -o list.mbox.gz "$U/l/mbox.gz"
n=$(sqlite3 "$DATA/index.sqlite" 'SELECT count(*) FROM messages')
check_eq "/l/mbox.gz: every message ($n), as an attachment named l.mbox.gz" \
	"$(gzip -dc list.mbox.gz | grep -c '^From mboxrd@z Thu Jan  1 00:00:00 1970$') $(grep -ci '^content-disposition: attachment; filename="l.mbox.gz"' list.head)" "$n 1"
gzip -dc list.mbox.gz >list.mbox
"$PYTHON" -c '
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    print((m["Message-ID"] or "").strip().strip("<>"))' list.mbox | LC_ALL=C sort >list.ids
sqlite3 "$DATA/index.sqlite" "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid" | LC_ALL=C sort >arc.ids
check "...the archive's messages, each once (copies as copies)" cmp -s list.ids arc.ids
ym=$(sqlite3 "$DATA/index.sqlite" "SELECT day / 100 FROM messages GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
y=${ym:0:4} mo=${ym:4:2}
mn=$(sqlite3 "$DATA/index.sqlite" "SELECT count(*) FROM messages WHERE day / 100 = $ym")
check_eq "/l/$y/$mo/mbox.gz: that month's $mn messages" \
	"$(curl -s "$U/l/$y/$mo/mbox.gz" | gzip -dc | grep -c '^From mboxrd@z Thu Jan  1 00:00:00 1970$')" "$mn"
check_eq "a month without messages: 404" "$(curl -s -o /dev/null -w '%{http_code}' "$U/l/1999/01/mbox.gz")" 404
check "the list page links the download and the mirror commands" \
	sh -c "curl -s '$U/l/' | grep -q 'href=\"/l/mbox.gz\".*href=\"/l/_/text/mirror/\"'"
check "the month page links its download" sh -c "curl -s '$U/l/$y/$mo/' | grep -q 'href=\"/l/$y/$mo/mbox.gz\"'"
la hide --data "$DATA" l new-1@example.org --reason test >/dev/null
check_eq "a hidden message leaves the list's mbox.gz" \
	"$(curl -s "$U/l/mbox.gz" | gzip -dc | grep -c '^Message-ID: <new-1@example.org>')" 0
stop_server serve
