#!/usr/bin/env bash
# t4300-lists: no command makes a list as a side effect.  `deliver` to an
# unknown list exits 67 naming the known ones and writes nothing (no
# archive directory, no mbox, no index), unless --create or listarc.conf
# names the list; a failed `index` leaves no list behind; every command
# that takes a list name, given a typo, says so with its documented exit
# status and changes nothing.  `listarc list add|remove|rename|
# set-description|set-address` do what they say, on the pages too.  A
# renamed list keeps its hide log (`listarc log NEW` has what was done
# before) and its mbox (deliver goes on writing to the old name's file);
# a new list of the old name gets an mbox of its own.
. "$(dirname "$0")/lib.sh"
plan 63
DATA=$T/arc
SEEDS=$ROOT/samples/seeds.mbox

cat >msg.eml <<'EOF'
From: Ann <ann@example.org>
To: dev@example.org
Subject: hello
Date: Tue, 02 Jan 2024 10:00:00 +0000
Message-ID: <hello-1@example.org>

Hello.
EOF

# An archive that does not exist yet: nothing may be created.
la deliver --data "$DATA" dev <msg.eml 2>err
check_eq "deliver to a list of no archive: exit 67" "$?" 67
check "... saying no list is known" grep -q "dev: no such list in .*(known: none)" err
check "... and creating no archive directory" test ! -e "$DATA"

la index --data "$DATA" seeds "$SEEDS" 2>/dev/null
snapshot() { la lists --data "$DATA" 2>&1; get /api/v1/; }
snapshot >before

la deliver --data "$DATA" seedz <msg.eml 2>err
check_eq "deliver to a misspelt list: exit 67 (EX_NOUSER)" "$?" 67
check "... naming the known lists" grep -q "seedz: no such list in .*(known: seeds)" err
check "... and how to make it" grep -q "list add seedz.*--create" err
check "... writing no mbox" test ! -e "$DATA/mbox"
snapshot >after
check "... and no list" cmp -s before after

la deliver --data "$DATA" --create dev <msg.eml 2>err
check_eq "deliver --create: exit 0" "$?" 0
check_eq "... the list has the message" "$(get /api/v1/dev/ | grep -o '"message_id":"[^"]*"')" \
	'"message_id":"hello-1@example.org"'
sed 's/hello-1/hello-2/' msg.eml | la deliver --data "$DATA" dev 2>err
check_eq "deliver to the list now known: exit 0" "$?" 0

# A list of listarc.conf needs no --create.
printf '[list announce]\ndescription = Announcements\n' >"$DATA/listarc.conf"
la deliver --data "$DATA" announce <msg.eml 2>err
check_eq "deliver to a list of listarc.conf: exit 0" "$?" 0
# A malformed listarc.conf: the mail waits (75) rather than bounces.
printf '[list announce\n' >"$DATA/listarc.conf"
la deliver --data "$DATA" announce <msg.eml 2>err
check_eq "deliver with a malformed listarc.conf: exit 75" "$?" 75
rm "$DATA/listarc.conf"

snapshot >before
# index: a failed run leaves no list.
la index --data "$DATA" typo 2>err
check_eq "index of a new list without sources: exit 2" "$?" 2
la index --data "$DATA" typo /nonexistent/mbox 2>err
check_eq "index of a missing source: exit 1" "$?" 1
printf 'not mail\n' >text.txt
la index --data "$DATA" typo text.txt 2>err
check_eq "index of a file of no mail: exit 1" "$?" 1
snapshot >after
check "... and no failed index left a list" cmp -s before after

# Other commands given a typo.
la search --data "$DATA" --list seedz hello >/dev/null 2>err
check_eq "search --list typo: exit 1" "$?" 1
check "... saying so" grep -q "no list 'seedz'" err
get /seedz/ >/dev/null
check_eq "get /typo/: 404, exit 1" "$STATUS/$RC" 404/1
for sub in remove "rename seedz x" "set-description seedz x" "set-address seedz x"; do
	set -- $sub
	if [ "$1" = remove ]; then set -- remove seedz; fi
	la list --data "$DATA" "$@" >/dev/null 2>err
	check_eq "list $1 of a misspelt list: exit 67" "$?" 67
done
la list --data "$DATA" add Bad/Name >/dev/null 2>err
check_eq "list add of a name that cannot be one: exit 64" "$?" 64
la list --data "$DATA" add api >/dev/null 2>err
check_eq "list add of a reserved name: exit 64" "$?" 64
la list --data "$DATA" frob seeds >/dev/null 2>err
check_eq "list with an unknown subcommand: exit 64" "$?" 64
snapshot >after
check "... none of which changed anything" cmp -s before after

# list add, set-description, set-address, rename, remove.
la list --data "$DATA" add empty --description "An empty list" >out 2>err
check_eq "list add: exit 0" "$?" 0
check "... the list is on the index page with its description" \
	grep -qF '<a href="/empty/">empty</a></td><td>An empty list</td><td>0</td>' <(get /)
la list --data "$DATA" add empty >/dev/null 2>err
check_eq "list add of a list that exists: exit 65" "$?" 65
la list --data "$DATA" set-description dev 'Development & <talk>' >/dev/null
check_eq "list set-description: exit 0" "$?" 0
check "... shown on its page, escaped" grep -qF '<p>Development &amp; &lt;talk&gt;</p>' <(get /dev/)
la list --data "$DATA" set-address dev dev@example.org >/dev/null
check "list set-address: shown on its page" grep -qF 'Post to: <code>dev@example.org</code>' <(get /dev/)
la list --data "$DATA" set-address dev "" >/dev/null
check "list set-address \"\": cleared" test -z "$(get /dev/ | grep 'Post to')"
la list --data "$DATA" rename dev seeds >/dev/null 2>err
check_eq "list rename onto a list that exists: exit 65" "$?" 65
la hide --data "$DATA" dev "<hello-2@example.org>" --reason "before the rename" >/dev/null 2>err
la list --data "$DATA" rename dev devel >/dev/null 2>err
check_eq "list rename: exit 0" "$?" 0
check "... the hide log's entry made before it is the new name's" eval \
	"la log --data '$DATA' devel | grep -qP '\thide\tdevel\t<hello-2@example.org>\t.*\tbefore the rename\$'"
sed 's/hello-1/hello-3/' msg.eml | la deliver --data "$DATA" devel 2>err
check_eq "deliver to the renamed list: exit 0" "$?" 0
check "... into the mbox it had" grep -q '^Message-ID: <hello-3@example.org>' "$DATA/mbox/dev.mbox"
check "... making no second one" test ! -e "$DATA/mbox/devel.mbox"
get /devel/hello-3@example.org/ >/dev/null
check_eq "... and the message is served" "$STATUS" 200
get /devel/2024/01/02/1 >/dev/null
check_eq "... its messages at the new name" "$STATUS" 200
# The old URLs answer 301 to the same page under the new name (the
# list's, the API's, a message's by date and by Message-ID, a search).
get --headers /dev/2024/01/02/1 >/dev/null
check_eq "... the old URL: 301" "$STATUS" 301
check "... to the new one" grep -qx 'Location: /devel/2024/01/02/1' "$T/get.err"
get --headers '/api/v1/dev/?limit=1' >/dev/null
check "... the API's too, query kept" grep -qx 'Location: /api/v1/devel/?limit=1' "$T/get.err"
get --headers /dev/ >/dev/null
check "... and the list's page" grep -qx 'Location: /devel/' "$T/get.err"
check "... its description kept" grep -qF 'Development &amp; &lt;talk&gt;' <(get /devel/)
la list --data "$DATA" rename devel dev2 >/dev/null 2>err
get --headers /dev/2024/01/02/1 >/dev/null
check "renamed again: the first name leads to the name now" \
	grep -qx 'Location: /dev2/2024/01/02/1' "$T/get.err"
la list --data "$DATA" rename dev2 devel >/dev/null 2>err
get /devel/2024/01/02/1 >/dev/null
check_eq "... and back: the name given back serves the list again" "$STATUS" 200
la list --data "$DATA" add dev >/dev/null 2>err
get /dev/ >/dev/null
check_eq "a new list of the old name: its own page, no redirect" "$STATUS" 200
cp "$DATA/mbox/dev.mbox" devel.mbox
sed 's/hello-1/hello-4/' msg.eml | la deliver --data "$DATA" dev 2>err
check_eq "deliver to it: exit 0" "$?" 0
check "... into an mbox of its own, not the renamed list's" \
	eval "grep -q '^Message-ID: <hello-4@example.org>' '$DATA/mbox/dev.2.mbox' && cmp -s devel.mbox '$DATA/mbox/dev.mbox'"
check_eq "... the new list has that one message, the renamed one its three (one hidden)" \
	"$(la lists --data "$DATA" | awk '$1 == "dev" || $1 == "devel" {print $1, $2}' | sort | tr '\n' ' ')" "dev 1 devel 2 "
la list --data "$DATA" remove dev >/dev/null 2>err
get /dev/2024/01/02/1 >/dev/null
check_eq "... removed again: the old name no longer leads anywhere" "$STATUS" 404
la list --data "$DATA" remove devel >out 2>err
check_eq "list remove: exit 0" "$?" 0
get /devel/ >/dev/null
check_eq "... the list is gone" "$STATUS" 404
check "... from the index page" test -z "$(get / | grep devel)"
check "... its mbox stays" test -s "$DATA/mbox/dev.mbox"
check_eq "... and the other lists keep their messages" \
	"$(la lists --data "$DATA" | awk '$1 == "seeds" {print $2}')" 36
# The message of the removed list is still found in the list it was
# delivered to besides (announce): its Message-ID count was kept right.
get /announce/hello-1@example.org/ >/dev/null
check_eq "... and a copy in another list is still served" "$STATUS" 200
la deliver --data "$DATA" devel <msg.eml 2>/dev/null
check_eq "deliver to the removed list: exit 67" "$?" 67
check "no sanitizer report" test -z "$(cat ./*.err "$T"/get.err 2>/dev/null | grep -E 'Sanitizer|runtime error')"
