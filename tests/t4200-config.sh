#!/usr/bin/env bash
# t4200-config: DIR/listarc.conf (src/conf/conf.h): the site title and the
# bar's groups, list descriptions, sources= for `listarc index LIST` and
# for `listarc index` alone, a list's own subject tag, and a malformed
# file (a clear error naming the file, exit 78).
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 46
S=$ROOT/samples
mkdir -p "$DATA" mail
cp "$S/seeds.mbox" mail/seeds.mbox
# The list nm: the notmuch project's list (../shared), else a few
# messages in its form, for what is checked here: its subject tag.
if have_shared; then
	cp "$SHARED/corpora/notmuch.mbox" mail/notmuch.mbox
else
	cat >mail/notmuch.mbox <<'EOF'
From dottedmag@dottedmag.net Tue Nov 17 15:28:37 2009
From: "Mikhail Gusarov" <dottedmag@dottedmag.net>
To: notmuch@notmuchmail.org
Date: Tue, 17 Nov 2009 21:28:37 +0600
Subject: [notmuch] [PATCH 1/2] Close message file after parsing message
	headers
Message-ID: <nm-1@example.org>

A stand-in for the first message of notmuch.mbox.

From dottedmag@dottedmag.net Tue Nov 17 15:28:38 2009
From: "Mikhail Gusarov" <dottedmag@dottedmag.net>
To: notmuch@notmuchmail.org
Date: Tue, 17 Nov 2009 21:28:38 +0600
Subject: [notmuch] [PATCH 2/2] The second of the two
Message-ID: <nm-2@example.org>
In-Reply-To: <nm-1@example.org>

And its second.

EOF
fi
nmn=$(grep -c '^From ' mail/notmuch.mbox)
head -c 300000 "$S/lkml.mbox" >part.mbox
cut=$(grep -b '^From ' part.mbox | tail -1 | cut -d: -f1)
head -c "$cut" "$S/lkml.mbox" >mail/lkml-1.mbox
tail -c +$((cut + 1)) "$S/lkml.mbox" >mail/lkml-2.mbox
n1=$(grep -c '^From ' mail/lkml-1.mbox)

cat >"$DATA/listarc.conf" <<EOF
# A comment.
[site]
title = Example <list> archives & more
bar = announce nm / linux-kernel lkml

[list linux-kernel]
description = The Linux kernel mailing list & friends
sources = $T/mail/seeds.mbox

[list lkml]
description = Kernel threads, in two files
sources = $T/mail/lkml-1.mbox;$T/mail/lkml-2.mbox

[list nm]
description = The notmuch project
sources = $T/mail/notmuch.mbox
subject-tag = [notmuch]
EOF

# ---- sources= ----
la index --data "$DATA" lkml 2>err.txt
check_eq "'listarc index LIST' without SOURCE exits 0" $? 0
check "...and indexes both of the list's configured sources, in order" grep -q '^lkml: 210 messages indexed' err.txt
check_eq "...the first source first" \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT s.path, count(*) FROM messages m JOIN sources s ON s.id = m.source_id GROUP BY s.id ORDER BY s.id" | tr '\n' ' ')" \
	"$T/mail/lkml-1.mbox|$n1 $T/mail/lkml-2.mbox|$((210 - n1)) "
la index --data "$DATA" 2>err.txt
check_eq "'listarc index' without arguments exits 0" $? 0
check "...and indexes every configured list" \
	grep -q '^linux-kernel: 36 messages indexed' err.txt
check "...all of them" grep -q "^nm: $nmn messages indexed" err.txt
check "...the ones already indexed only for what is new" grep -q '^lkml: 0 messages indexed' err.txt
check_eq "the index holds the three lists" \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT group_concat(name || '=' || (SELECT count(*) FROM messages WHERE list_id = lists.id), ' ') FROM (SELECT * FROM lists ORDER BY name) lists")" \
	"linux-kernel=36 lkml=210 nm=$nmn"
echo >>mail/notmuch.mbox
printf 'From x@example.org Wed Dec 29 10:00:00 2010\nMessage-ID: <new@x>\nSubject: [notmuch] new\n\nnew\n\n' >>mail/notmuch.mbox
la index --data "$DATA" 2>err.txt
check "a later run picks up new mail in a configured source" grep -q '^nm: 1 messages indexed' err.txt

# ---- the site bar, title and descriptions ----
DATA=$DATA get / >index.html
check "the site title leads the site bar (escaped), then the bar's groups in order, '/' between them" grep -qF \
	'<div class="bar"><a class="site" href="/">Example &lt;list&gt; archives &amp; more</a> <a href="/">lists</a> <span class="sep">/</span> <a href="/announce/">announce</a> <a href="/nm/">nm</a> <span class="sep">/</span> <a href="/linux-kernel/">linux-kernel</a> <a href="/lkml/">lkml</a></div>' index.html
check "the site index is titled with it" grep -qx '<title>Example &lt;list&gt; archives &amp; more</title>' index.html
check "...and headed" grep -qx '<h1>Example &lt;list&gt; archives &amp; more</h1>' index.html
check "the site index shows each list's description" grep -qF \
	'<tr><td><a href="/linux-kernel/">linux-kernel</a></td><td>The Linux kernel mailing list &amp; friends</td><td>36</td>' index.html
check "...every list's" grep -qF "<tr><td><a href=\"/nm/\">nm</a></td><td>The notmuch project</td><td>$((nmn + 1))</td>" index.html
get /linux-kernel/ >list.html
check "the list page shows the description under its heading" grep -qzF \
	'<h1>linux-kernel mailing list</h1>
<p>The Linux kernel mailing list &amp; friends</p>' list.html
get /linux-kernel/2019/05/20/4 >msg.html
check "message pages carry the same site bar" grep -qF \
	'<span class="sep">/</span> <a href="/announce/">announce</a> <a href="/nm/">nm</a> <span class="sep">/</span>' msg.html
check "pages with the configured title and bar are well formed" pagecheck --strict index.html list.html msg.html

# ---- subject tags ----
get /nm/2009/11/17/1 >nm.html
check "a configured subject-tag is dropped from the Subject: line" \
	grep -qx 'Subject: \[PATCH 1/2\] Close message file after parsing message' nm.html
check "...and from the page title" grep -qx '<title>\[PATCH 1/2\] Close message file after parsing message headers - nm</title>' nm.html
get /nm/2009/11/17/ >nmday.html
check "...and from listings" grep -qF '<a href="/nm/2009/11/17/1">[PATCH 1/2] Close message file after parsing message headers</a>' nmday.html
check_eq "...everywhere" "$(grep -c '\[notmuch\]' nm.html nmday.html | tr '\n' ' ')" "nm.html:0 nmday.html:0 "
# Without the setting the tag is "[LIST]": "[notmuch]" stays in list nm.
mv "$DATA/listarc.conf" conf.saved
get /nm/2009/11/17/1 >nm2.html
check "without subject-tag the tag is [LIST], so [notmuch] stays in list nm" \
	grep -qx 'Subject: \[notmuch\] \[PATCH 1/2\] Close message file after parsing message' nm2.html
check "without listarc.conf the title is the default and the bar lists every list" grep -qF \
	'<a class="site" href="/">Mailing list archives</a> <a href="/">lists</a> <span class="sep">/</span> <a href="/linux-kernel/">linux-kernel</a> <a href="/lkml/">lkml</a> <a href="/nm/">nm</a></div>' nm2.html
# subject-tag = (empty) keeps subjects whole, even the [LIST] one.
printf '[list linux-kernel]\nsubject-tag =\n' >"$DATA/listarc.conf"
printf 'From x@example.org Wed Dec 29 11:00:00 2010\nMessage-ID: <tagged@x>\nSubject: [linux-kernel] kept\n\nx\n\n' >lk.mbox
la index --data "$DATA" linux-kernel lk.mbox 2>/dev/null
get /linux-kernel/2010/12/29/1 >kept.html
check "an empty subject-tag keeps the [LIST] tag" grep -qx 'Subject: \[linux-kernel\] kept' kept.html
mv conf.saved "$DATA/listarc.conf"
get /linux-kernel/2010/12/29/1 >dropped.html
check "...which the default drops" grep -qx 'Subject: kept' dropped.html

# ---- malformed files: a clear error, exit 78 ----
mv "$DATA/listarc.conf" conf.saved
bad() { # DESCRIPTION WANT-IN-ERROR: the conf on stdin
	cat >"$DATA/listarc.conf"
	la index --data "$DATA" 2>err.txt
	local rc=$?
	if [ $rc -eq 78 ] && grep -q "^listarc: $DATA/listarc.conf: .*$2" err.txt; then
		ok "malformed ($1): 'listarc index' exits 78 naming the file and the fault"
	else
		not_ok "malformed ($1): 'listarc index' exits 78 naming the file and the fault (exit $rc)"
		sed 's/^/#   /' err.txt
	fi
	la get --data "$DATA" / >/dev/null 2>err.txt
	rc=$?
	if [ $rc -eq 78 ] && grep -q "$2" err.txt; then
		ok "malformed ($1): 'listarc get' exits 78 too"
	else
		not_ok "malformed ($1): 'listarc get' exits 78 too (exit $rc)"
	fi
}
printf '[site]\ntitle = x\nthis line is not a key\n' | bad "not key = value" 'this line is not a key'
printf 'title = before any section\n' | bad "a key outside a section" 'group'
printf '[site\ntitle = x\n' | bad "an unclosed section" 'site'
printf '[sites]\ntitle = x\n' | bad "an unknown section" 'unknown section \[sites\]'
printf '[list Linux Kernel]\ndescription = x\n' | bad "a list name with capitals and spaces" '\[list Linux Kernel\]: list names are'
printf '[site]\nbar = lkml Bad/Name\n' | bad "a bar entry that is not a list name" 'bar: "Bad/Name" is not a list name'
printf '[list lkml]\nsource = /x.mbox\n' | bad "a misspelt key" 'unknown key "source"'
printf '[site]\ntitle = caf\xe9\n' | bad "a file that is not UTF-8" 'UTF-8'
printf '[site]\ntitle = x\n' >"$DATA/listarc.conf"
la get --data "$DATA" / >/dev/null 2>&1
check_eq "a well-formed file is fine again (exit 0)" $? 0
rm "$DATA/listarc.conf"
la get --data "$DATA" / >/dev/null 2>&1
check_eq "no listarc.conf at all is fine" $? 0

# ---- one list's trouble does not stop the others ----
cat >"$DATA/listarc.conf" <<EOF
[list aaa]
sources = $T/mail/missing.mbox
[list zzz]
sources = $T/mail/zzz.mbox
EOF
cp "$S/seeds.mbox" mail/zzz.mbox
la index --data "$DATA" 2>err.txt
rc=$?
check "'listarc index' reports a configured source that is missing" grep -q 'missing.mbox: No such file' err.txt
check "...goes on with the other lists" grep -q '^zzz: 36 messages indexed' err.txt
check_eq "...and exits non-zero" $rc 1
