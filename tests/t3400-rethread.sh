#!/usr/bin/env bash
# t3400-rethread: the thread-break list and the mailmap of listarc.conf.
# Replies whose In-Reply-To is <y>, <n>, <yes> (git send-email's old
# prompt answered) or the sender's own address start threads of their
# own when indexed; a Message-ID added to [site] thread-break splits an
# indexed archive's threads after `listarc rethread`, which changes no
# URL and, with nothing changed, no thread page of samples/seeds.mbox;
# the mailmap ([mailmap] and a git-style file) shows one name for several
# addresses in listings, threads and search; typos fail with their codes.
. "$(dirname "$0")/lib.sh"
plan 17
DATA=$T/arc
mkdir -p "$DATA"
msg() { # msg ID SUBJECT FROM IRT [DAY]
	printf 'From x@example.org Mon Jan  %s 00:00:00 2024\n' "${5:-1}"
	printf 'From: %s\nSubject: %s\nDate: Mon, %s Jan 2024 00:00:00 +0000\nMessage-ID: <%s>\n' \
		"$3" "$2" "${5:-1}" "$1"
	[ -n "$4" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$4" "$4"
	printf '\nbody of %s\n\n' "$1"
}
{
	msg root@x "root" "Ann <ann@example.org>" ""
	msg a1@x "Re: root" "Bob <bob@example.org>" root@x
	msg y1@x "patch one" "Cy <cy@example.org>" y
	msg y2@x "patch two" "Di <di@example.org>" y
	msg self@x "self reply" "Ed <ed@example.org>" ed@example.org 2
	msg self2@x "another self" "Fay <ed@example.org>" ed@example.org 2
	msg c1@x "first on common" "Gus <gus@old.example.org>" common@bogus 3
	msg c2@x "second on common" "Gus <gus@work.example.org>" common@bogus 3
	msg c3@x "third on common" "Hal <hal@example.org>" common@bogus 3
} >l.mbox
la index --data "$DATA" l l.mbox 2>/dev/null
threads() { sqlite3 "$DATA/index.sqlite" "SELECT group_concat(x, ' ') FROM (SELECT group_concat(mids.mid, ',') AS x
  FROM messages m JOIN mids ON mids.id = m.mid JOIN lists l ON l.id = m.list_id
  WHERE l.name = '$1' GROUP BY m.thread ORDER BY min(m.id))"; }
check_eq "built-in breaks and the sender's own address: threads of their own" "$(threads l)" \
	"root@x,a1@x y1@x y2@x self@x self2@x c1@x,c2@x,c3@x"
get /l/y1@x/T/ >page
check "the thread page of a <y> reply does not show the other" test -z "$(grep -F 'patch two' page)"

# A Message-ID added to thread-break, then rethread.
sqlite3 "$DATA/index.sqlite" "SELECT day, num, mids.mid FROM messages m JOIN mids ON mids.id = m.mid ORDER BY day, num" >urls.before
cat >"$DATA/listarc.conf" <<'EOF'
[site]
thread-break = <common@bogus>; <unused@example.org>

[mailmap]
gus@old.example.org = Gus Grant
EOF
printf 'Gus Grant <gus@example.org> <gus@work.example.org>\n# a comment <x@y>\n' >"$DATA/mailmap"
la rethread --data "$DATA" l >out 2>err
check_eq "rethread: exit 0 (the [site] mailmap file not named yet)" "$?" 0
check_eq "... saying how many" "$(cat out)" "l: 9 messages threaded again"
check_eq "... the common parent no longer joins them" "$(threads l)" \
	"root@x,a1@x y1@x y2@x self@x self2@x c1@x c2@x c3@x"
sqlite3 "$DATA/index.sqlite" "SELECT day, num, mids.mid FROM messages m JOIN mids ON mids.id = m.mid ORDER BY day, num" >urls.after
check "... and every URL stays" cmp -s urls.before urls.after
get /l/2024/01/03/ >page
check "mailmap ([mailmap]): the listing shows the name for that address" grep -qF 'Gus Grant' page
check_eq "... and only for it" "$(grep -o 'Gus Grant' page | wc -l)" 1

printf '[site]\nthread-break = <common@bogus>\nmailmap = mailmap\n[mailmap]\ngus@old.example.org = Gus Grant\n' >"$DATA/listarc.conf"
la rethread --data "$DATA" l >/dev/null 2>&1
get /l/2024/01/03/ >page
check_eq "mailmap file: both of Gus's addresses show one name" "$(grep -o 'Gus Grant' page | wc -l)" 2
get /l/c2@x/T/ >page
check "... on the thread page too" grep -qF 'Gus Grant' page
# New mail is indexed with them.
{ msg c4@x "fourth on common" "G <gus@work.example.org>" common@bogus 4; } >>l.mbox
la index --data "$DATA" l l.mbox 2>/dev/null
check_eq "new mail: threaded with the list, named by the mailmap" \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT m.from_name, (SELECT count(*) FROM messages o WHERE o.thread = m.thread) FROM messages m WHERE subject = 'fourth on common'")" \
	"Gus Grant|1"
check_eq "search by the mailmap's name finds it" \
	"$(la search --data "$DATA" 'f:"Gus Grant"' 2>/dev/null | grep -c 'fourth on common')" 1

# With nothing changed, rethread leaves every thread page as it was.
la index --data "$DATA" seeds "$ROOT/samples/seeds.mbox" 2>/dev/null
# One thread page per thread (each page shows every message of it), and
# the first listing page of the list.
sqlite3 "$DATA/index.sqlite" "SELECT '/seeds/' || min(mids.mid) || '/T/' FROM messages m JOIN mids ON mids.id = m.mid
  JOIN lists l ON l.id = m.list_id WHERE l.name = 'seeds' GROUP BY m.thread" >paths
NT=$(wc -l <paths)
echo /seeds/2020/05/09/ >>paths
getall before <paths
la rethread --data "$DATA" seeds >/dev/null 2>&1
getall after <paths
check "seeds: every thread page the same after rethread" diff -r before after
check_eq "... all $NT answered (and the day page)" "$(awk '$2 == 200' after.txt | wc -l)" $((NT + 1))

# Typos.
la rethread --data "$DATA" nosuch >/dev/null 2>&1
check_eq "rethread of an unknown list: exit 67" "$?" 67
printf '[site]\nthread-break = <a<b>\n' >"$DATA/listarc.conf"
la rethread --data "$DATA" l >/dev/null 2>err
check_eq "a malformed thread-break: exit 78" "$?" 78
check "no sanitizer report" test -z "$(cat ./*.err | grep -E 'Sanitizer|runtime error')"
