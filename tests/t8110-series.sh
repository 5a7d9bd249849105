#!/usr/bin/env bash
# t8110-series: the kernel workflow's clients against `listarc serve`, on
# a patch series made here: a small repository, a v1 and a v2 made by
# git format-patch with cover letters, replies carrying Reviewed-by:,
# Acked-by: and Tested-by:.  b4 (pointed at the server by b4.midmask,
# b4.linkmask and b4.searchmask, in a scratch HOME): `b4 am` puts each
# trailer on its patch (-t: the cover letter's on all), -l adds links by
# the linkmask; `b4 am -c` on v1 finds v2 through a search; `b4 diff` of
# v2 finds v1 and range-diffs them; `b4 shazam` applies the series to a
# test repository.  lei: `lei q`, `lei q -t` (whole threads), `lei up`
# of the saved search after new mail is delivered (only the new message
# comes), `lei p2q` of a commit of the repository, whose query finds the
# posted patch.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
LEI_STOP=
at_exit '[ -n "$LEI_STOP" ] && lei daemon-kill >/dev/null 2>&1'
plan 37
lei_home
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME="Pat Author" GIT_AUTHOR_EMAIL=pat@example.org \
	GIT_COMMITTER_NAME="Pat Author" GIT_COMMITTER_EMAIL=pat@example.org
git config --global user.name "Test Person"
git config --global user.email test@example.org
git config --global init.defaultBranch main

# ---- the series ----
git init -q proj
(
	cd proj
	printf 'int widget(void)\n{\n\treturn 0;\n}\n' >widget.c
	printf 'Widgets.\n' >README
	git add .
	GIT_AUTHOR_DATE="2025-03-01 10:00:00 +0000" GIT_COMMITTER_DATE="2025-03-01 10:00:00 +0000" git commit -qm base
	git tag base
	c() { GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -qam "$2" -m "$3"; }
	git checkout -qb v1
	printf 'int widget(void)\n{\n\treturn 1;\n}\n' >widget.c
	c "2025-03-02 10:00:00 +0000" "widget: return one" "The widget count starts at one."
	printf 'Widgets, counted.\n' >README
	c "2025-03-02 10:01:00 +0000" "README: say widgets are counted" "Document the count."
	git format-patch -q -v1 --cover-letter --thread=shallow -o ../v1 base
	git checkout -qb v2 base
	printf 'int widget(void)\n{\n\treturn 1; /* one */\n}\n' >widget.c
	c "2025-03-05 10:00:00 +0000" "widget: return one" "The widget count starts at one; say so."
	printf 'Widgets, counted from one.\n' >README
	c "2025-03-05 10:01:00 +0000" "README: say widgets are counted" "Document the count."
	git format-patch -q -v2 --cover-letter --thread=shallow -o ../v2 base
)
check_eq "git format-patch: a cover letter and 2 patches each for v1 and v2" "$(ls v1 v2 | grep -c '^v[12]-000[012]-')" 6
# The mbox: format-patch's messages with fixed Message-IDs and dates (its
# cover letters are named after the second they were made), the replies.
cat >mkmbox.py <<'EOF'
import email, email.policy, os, re, sys

def msgs(d):
    return [open(os.path.join(d, f), 'rb').read() for f in sorted(os.listdir(d))]

def fix(raw, mid, date, irt=None, subject=None):
    head, body = raw.split(b'\n\n', 1)
    lines = [l for l in head.split(b'\n')[1:]
             if not re.match(rb'(?i)(message-id|date|in-reply-to|references):', l)]
    if subject:
        lines = [b'Subject: ' + subject.encode() if l.startswith(b'Subject:') else l for l in lines]
    lines += [b'Message-ID: <%s>' % mid.encode(), b'Date: ' + date.encode()]
    if irt:
        lines += [b'In-Reply-To: <%s>' % irt.encode(), b'References: <%s>' % irt.encode()]
    return head.split(b'\n')[0], b'\n'.join(lines) + b'\n\n' + body

def mboxrd(first, msg, day, hhmm):
    from_ = b'From pat@example.org %s Mar  %d %s:00 2025\n' % (b'Mon Tue Wed Thu Fri Sat Sun'.split()[(day + 4) % 7], day, hhmm.encode())
    body = re.sub(rb'(?m)^(>*From )', rb'>\1', msg)
    return from_ + body.rstrip(b'\n') + b'\n\n'

def reply(mid, irt, subject, who, date, text):
    return ('From: %s\nTo: dev@example.org\nSubject: Re: %s\nMessage-ID: <%s>\n'
            'In-Reply-To: <%s>\nReferences: <%s>\nDate: %s\n\n%s\n' % (who, subject, mid, irt, irt, date, text)).encode()

out = open('series.mbox', 'wb')
for v, day, d in ((1, 2, sys.argv[1]), (2, 5, sys.argv[2])):
    cover = 'v%d-0@example.org' % v
    date = lambda m: '%s, %02d Mar 2025 10:%02d:00 +0000' % ('Sun Mon Tue Wed Thu Fri Sat'.split()[(day + 5) % 7], day, m)
    for n, raw in enumerate(msgs(d)):
        mid = 'v%d-%d@example.org' % (v, n)
        subj = '[PATCH v%d 0/2] widget: count from one' % v if n == 0 else None
        first, m = fix(raw, mid, date(n), None if n == 0 else cover, subj)
        if n == 0:
            m = m.replace(b'*** BLURB HERE ***', b'Widgets are counted from one now (version %d).' % v)
        out.write(mboxrd(first, m, day, '10:%02d' % n))
    # Replies, an hour later.
    if v == 1:
        out.write(mboxrd(None, reply('r1-1@example.org', 'v1-1@example.org', '[PATCH v1 1/2] widget: return one',
                                     'Rita Reviewer <rita@example.org>', date(50), 'Please add a comment.'), day, '10:50'))
    else:
        out.write(mboxrd(None, reply('r2-1@example.org', 'v2-1@example.org', '[PATCH v2 1/2] widget: return one',
                                     'Rita Reviewer <rita@example.org>', date(50),
                                     '> \treturn 1; /* one */\n\nReviewed-by: Rita Reviewer <rita@example.org>'), day, '10:50'))
        out.write(mboxrd(None, reply('r2-2@example.org', 'v2-2@example.org', '[PATCH v2 2/2] README: say widgets are counted',
                                     'Ack Maintainer <ack@example.org>', date(51),
                                     'Acked-by: Ack Maintainer <ack@example.org>'), day, '10:51'))
        out.write(mboxrd(None, reply('r2-0@example.org', 'v2-0@example.org', '[PATCH v2 0/2] widget: count from one',
                                     'Tess Tester <tess@example.org>', date(52),
                                     'Works here.\n\nTested-by: Tess Tester <tess@example.org>'), day, '10:52'))
out.close()
EOF
"$PYTHON" mkmbox.py v1 v2
la index -q --data "$DATA" dev series.mbox
check_eq "indexed: 6 patch mails and 4 replies" "$(la search --data "$DATA" --count 'd:2025-03-01..' 2>/dev/null)" 10
start_server main --log "$T/access.log"
check "the server listens" [ -n "$PORT" ]
for k in midmask linkmask; do
	git config --global "b4.$k" "$U/all/%s"
done
git config --global b4.searchmask "$U/all/?x=m&t=1&q=%s"
git config --global b4.attestation-policy off
# (the POSTs b4 and lei make, as the log has them)
posts() { grep -o '"POST [^"]*" [0-9]*' access.log; }

if ! command -v b4 >/dev/null 2>&1; then
	not_ok "b4 is installed (scripts/setup-debian installs it)"
	exit 1
fi
# ---- b4 am: the trailers ----
git clone -q proj work
git -C work checkout -q base
mkdir am amt am1
(cd work && guard b4 am -o ../am v2-0@example.org) >am.log 2>&1
check_eq "b4 am v2: exit 0" $? 0
check "...2 patches" grep -q '^Total patches: 2' am.log
mkdir split
(cd work && git mailsplit -o../split ../am/*.mbx) >/dev/null
trailers() { grep -E '^(Reviewed|Acked|Tested)-by: ' "$1" | cut -d' ' -f1-2 | tr '\n' ' '; }
check_eq "Reviewed-by: on patch 1, where it was sent" "$(trailers split/0001)" "Reviewed-by: Rita "
check_eq "Acked-by: on patch 2" "$(trailers split/0002)" "Acked-by: Ack "
check "the cover letter's Tested-by: is noted, not applied without -t" grep -q 'Tested-by: Tess Tester' am.log
(cd work && guard b4 am -t -l -o ../amt v2-0@example.org) >amt.log 2>&1
check_eq "b4 am -t -l: exit 0" $? 0
mkdir splitt
(cd work && git mailsplit -o../splitt ../amt/*.mbx) >/dev/null
check_eq "-t: patch 1 has Reviewed-by: and the cover letter's Tested-by:" "$(trailers splitt/0001)" "Reviewed-by: Rita Tested-by: Tess "
check_eq "...patch 2 Acked-by: and Tested-by:" "$(trailers splitt/0002)" "Acked-by: Ack Tested-by: Tess "
check_eq "-l: each patch links to itself by the linkmask" \
	"$(grep -h '^Link: ' splitt/0001 splitt/0002 | tr '\n' ' ')" \
	"Link: $U/all/v2-1@example.org Link: $U/all/v2-2@example.org "
check "b4 fetched the thread by the midmask" grep -qF '"GET /all/v2-0%40example.org/t.mbox.gz HTTP/1.1" 200' access.log

# ---- b4 am -c: a newer revision ----
(cd work && guard b4 am -c -o ../am1 v1-1@example.org) >am1.log 2>&1
check_eq "b4 am -c on a v1 patch: exit 0" $? 0
check "...it searched for newer revisions by the searchmask" \
	grep -qF '"POST /all/?x=m&t=1&q=%28%28s%3A%22widget%3A+count+from+one%22+AND+f%3A%22pat%40example.org%22%29%29+AND+d%3A20250302.. HTTP/1.1" 200' access.log
check "...found v2 and used it" grep -q '^Will use the latest revision: v2' am1.log
check_eq "...its am-ready mbox is v2's, with the trailers" \
	"$(ls am1 | grep -c '^v2_.*\.mbx$') $(grep -c '^Reviewed-by: Rita' am1/v2_*.mbx)" "1 1"

# ---- b4 diff ----
(cd work && guard b4 diff -o ../diff.out v2-0@example.org) >diff.log 2>&1
check_eq "b4 diff of v2: exit 0" $? 0
check "...it searched for older revisions" grep -qF 'AND+d%3A..20250305 HTTP/1.1" 200' access.log
check "...and range-diffed v1 and v2" grep -q '^Diffing v1 and v2' diff.log
check "...the commit message's change" bash -c "grep -qF -- '-    The widget count starts at one.' diff.out && grep -qF -- '+    The widget count starts at one; say so.' diff.out"
check "...and the code's" grep -qF -- '++	return 1; /* one */' diff.out

# ---- b4 shazam ----
git clone -q proj shazam
git -C shazam checkout -q -b work base
(cd shazam && guard b4 shazam -t v1-0@example.org) >shazam.log 2>&1
check_eq "b4 shazam -t of v1's cover letter: exit 0" $? 0
check_eq "...v2 applied: the tree of v2" "$(git -C shazam rev-parse 'HEAD^{tree}')" "$(git -C proj rev-parse 'v2^{tree}')"
check_eq "...as 2 commits with their trailers" \
	"$(git -C shazam log --format='%s|%(trailers:key=Reviewed-by,key=Acked-by,key=Tested-by,valueonly,separator=%x2C)' base..HEAD)" \
	"README: say widgets are counted|Ack Maintainer <ack@example.org>,Tess Tester <tess@example.org>
widget: return one|Rita Reviewer <rita@example.org>,Tess Tester <tess@example.org>"

# ---- lei ----
if ! command -v lei >/dev/null 2>&1; then
	not_ok "lei is installed (scripts/setup-debian installs it)"
	exit 1
fi
LEI_STOP=1
mids_of() { "$PYTHON" -c '
import email, mailbox, sys
p = sys.argv[1]
box = mailbox.Maildir(p, create=False) if not p.endswith(".mbox") else mailbox.mbox(p)
print(" ".join(sorted((m["Message-ID"] or "").strip("<> ") for m in box)))' "$1"; }
want() {
	la search --data "$DATA" --format=json --limit 1000 "$@" 2>/dev/null |
		"$PYTHON" -c 'import json, sys; print(" ".join(sorted({x["message_id"] for x in json.load(sys.stdin)})))'
}
guard lei q --no-local -I "$U/dev/" -o "maildir:$T/md" 's:widget' >leiq.log 2>&1
check_eq "lei q s:widget into a maildir: exit 0" $? 0
check_eq "...the 10 messages listarc search finds" "$(mids_of md)" "$(want --list dev 's:widget')"
guard lei q --no-local -I "$U/dev/" -o "mboxrd:$T/one.mbox" 'f:tess' >leiq1.log 2>&1
guard lei q --no-local -t -I "$U/dev/" -o "mboxrd:$T/thread.mbox" 'f:tess' >leiqt.log 2>&1
check_eq "lei q -t: exit 0" $? 0
check_eq "...the whole thread of the match (without -t: the match)" "$(mids_of one.mbox) | $(mids_of thread.mbox)" \
	"r2-0@example.org | r2-0@example.org r2-1@example.org r2-2@example.org v2-0@example.org v2-1@example.org v2-2@example.org"
# lei up: the saved search asks for what is newer than its last run (dt:).
printf 'From: Rita Reviewer <rita@example.org>\nTo: dev@example.org\nSubject: Re: [PATCH v2 0/2] widget: count from one\nMessage-ID: <r2-3@example.org>\nIn-Reply-To: <v2-0@example.org>\nReferences: <v2-0@example.org>\nDate: %s\n\nMerged, thanks.\n' \
	"$(date -R)" | la deliver --data "$DATA" dev
guard lei up "$T/md" >leiup.log 2>&1
check_eq "lei up of the saved search after a delivery: exit 0" $? 0
check_eq "...the maildir gained the new message" "$(mids_of md)" "$(want --list dev 's:widget')"
check "...which is 11 messages" [ "$(find md -type f | wc -l)" = 11 ]
upq=$(grep -o '"POST /dev/?x=m&q=(s%3Awidget)+AND+dt%3A[0-9]\{14\}\.\. HTTP/1.1" 200' access.log | tail -1 | cut -d' ' -f2)
check "lei up asked for dt: since its last run" [ -n "$upq" ]
curl -s -d '' "$U$upq" | gunzip -c >up.mbox
check_eq "...and the answer holds the new message only" "$(mids_of up.mbox)" r2-3@example.org
# lei p2q: a query from a commit's blob ids, which finds the posted patch.
q1=$(cd proj && guard lei p2q v2~1)
q2=$(cd proj && guard lei p2q v1)
check "lei p2q of commits: dfpost: queries ($q1, $q2)" bash -c "[[ '$q1' == dfpost:* && '$q2' == dfpost:* ]]"
guard lei q --no-local -I "$U/dev/" -o "mboxrd:$T/p2q1.mbox" "$q1" >p2q1.log 2>&1
guard lei q --no-local -I "$U/dev/" -o "mboxrd:$T/p2q2.mbox" "$q2" >p2q2.log 2>&1
check_eq "lei q of p2q's query finds each commit's patch as posted" "$(mids_of p2q1.mbox) $(mids_of p2q2.mbox)" \
	"v2-1@example.org v1-2@example.org"
stop_server main
