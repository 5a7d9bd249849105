#!/usr/bin/env bash
# t5525-listing-lines: the lines of the day, month and list pages, byte
# for byte (render/listing.c's msg_line: the list's subject tag, asked
# once a page, dropped in any case, a configured tag that begins with a
# letter too; the link of each day made once; the subject and sender
# escaped; the sender's time and offset), read by the statements without
# the Message-ID's join (store_day_lines, store_days_lines).  A month
# whose day has more than MONTH_DAY_SHOW messages shows that day's first
# ones and a link to the rest; a month's lines read in one statement are
# the lines of its days' pages.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
plan 12

cat >lines.mbox <<'EOF'
From a@example.org Mon Jan  1 15:00:00 2024
From: Ann <a@example.org>
Subject: [lines] tagged <b> & "quoted"
Message-ID: <l.1@example.org>
Date: Mon, 1 Jan 2024 10:00:00 -0500

one

From b@example.org Mon Jan  1 16:30:00 2024
From: "B <&> Q" <b@example.org>
Subject: Re: [LINES] upper-case tag
Message-ID: <l.2@example.org>
Date: Mon, 1 Jan 2024 22:00:00 +0530

two

From c@example.org Tue Jan  2 17:00:00 2024
From: c@example.org
Subject: no tag, [x] a bracket
Message-ID: <l.3@example.org>

three

From d@example.org Tue Jan  2 18:00:00 2024
From: D <d@example.org>
Subject: [lines]
Message-ID: <l.4@example.org>
Date: Tue, 2 Jan 2024 18:00:00 +0000

four

From e@example.org Wed Jan 31 23:59:00 2024
From: E <e@example.org>
Subject: [lines-x] a longer tag, and [lines] after it
Message-ID: <l.5@example.org>
Date: Thu, 1 Feb 2024 01:59:00 +0200

five

EOF
cat >k.mbox <<'EOF'
From a@example.org Mon Jan  1 15:00:00 2024
From: Ann <a@example.org>
Subject: Kx: hello
Message-ID: <k.1@example.org>
Date: Mon, 1 Jan 2024 15:00:00 +0000

one

From b@example.org Mon Jan  1 16:00:00 2024
From: Bob <b@example.org>
Subject: Re: kX: hi, [k] stays
Message-ID: <k.2@example.org>
Date: Mon, 1 Jan 2024 16:00:00 +0000

two

EOF
mkdir -p "$DATA"
printf '[list k]\nsubject-tag = Kx:\n' >"$DATA/listarc.conf"
la index -q --data "$DATA" lines lines.mbox && la index -q --data "$DATA" k k.mbox
check_eq "the lists index" $? 0

# lines PATH: the page's message lines.
lines() { la get --data "$DATA" "$1" 2>/dev/null | grep '^<li>'; }

check_eq "the month page's lines" "$(lines /lines/2024/01/)" "$(cat <<'EOF'
<li><a href="/lines/2024/01/01/1">tagged &lt;b&gt; &amp; &quot;quoted&quot;</a> <span class="from">(Ann)</span> <span class="date"><time datetime="2024-01-01T10:00:00-05:00" title="2024-01-01 15:00:00 UTC">10:00 -0500</time></span></li>
<li><a href="/lines/2024/01/01/2">Re: upper-case tag</a> <span class="from">(B &lt;&amp;&gt; Q)</span> <span class="date"><time datetime="2024-01-01T22:00:00+05:30" title="2024-01-01 16:30:00 UTC">22:00 +0530</time></span></li>
<li><a href="/lines/2024/01/02/1">no tag, [x] a bracket</a> <span class="from">(c@...mple.org)</span> <span class="date"><time datetime="2024-01-02T17:00:00Z" title="2024-01-02 17:00:00 UTC">17:00 +0000</time></span></li>
<li><a href="/lines/2024/01/02/2">(no subject)</a> <span class="from">(D)</span> <span class="date"><time datetime="2024-01-02T18:00:00+00:00" title="2024-01-02 18:00:00 UTC">18:00 +0000</time></span></li>
<li><a href="/lines/2024/01/31/1">[lines-x] a longer tag, and after it</a> <span class="from">(E)</span> <span class="date"><time datetime="2024-02-01T01:59:00+02:00" title="2024-01-31 23:59:00 UTC">01:59 +0200</time></span></li>
EOF
)"
check_eq "the day page's lines" "$(lines /lines/2024/01/02/)" "$(cat <<'EOF'
<li><a href="/lines/2024/01/02/1">no tag, [x] a bracket</a> <span class="from">(c@...mple.org)</span> <span class="date"><time datetime="2024-01-02T17:00:00Z" title="2024-01-02 17:00:00 UTC">17:00 +0000</time></span></li>
<li><a href="/lines/2024/01/02/2">(no subject)</a> <span class="from">(D)</span> <span class="date"><time datetime="2024-01-02T18:00:00+00:00" title="2024-01-02 18:00:00 UTC">18:00 +0000</time></span></li>
EOF
)"
check_eq "the list page's lines (dated first)" "$(lines /lines/)" "$(cat <<'EOF'
<li><span class="date"><time datetime="2024-02-01T01:59:00+02:00" title="2024-01-31 23:59:00 UTC">2024-02-01 01:59 +0200</time></span> <a href="/lines/2024/01/31/1">[lines-x] a longer tag, and after it</a> <span class="from">(E)</span></li>
<li><span class="date"><time datetime="2024-01-02T18:00:00+00:00" title="2024-01-02 18:00:00 UTC">2024-01-02 18:00 +0000</time></span> <a href="/lines/2024/01/02/2">(no subject)</a> <span class="from">(D)</span></li>
<li><span class="date"><time datetime="2024-01-02T17:00:00Z" title="2024-01-02 17:00:00 UTC">2024-01-02 17:00 +0000</time></span> <a href="/lines/2024/01/02/1">no tag, [x] a bracket</a> <span class="from">(c@...mple.org)</span></li>
<li><span class="date"><time datetime="2024-01-01T22:00:00+05:30" title="2024-01-01 16:30:00 UTC">2024-01-01 22:00 +0530</time></span> <a href="/lines/2024/01/01/2">Re: upper-case tag</a> <span class="from">(B &lt;&amp;&gt; Q)</span></li>
<li><span class="date"><time datetime="2024-01-01T10:00:00-05:00" title="2024-01-01 15:00:00 UTC">2024-01-01 10:00 -0500</time></span> <a href="/lines/2024/01/01/1">tagged &lt;b&gt; &amp; &quot;quoted&quot;</a> <span class="from">(Ann)</span></li>
EOF
)"
check_eq "a configured tag beginning with a letter is dropped in any case" "$(lines /k/2024/01/)" "$(cat <<'EOF'
<li><a href="/k/2024/01/01/1">hello</a> <span class="from">(Ann)</span> <span class="date"><time datetime="2024-01-01T15:00:00+00:00" title="2024-01-01 15:00:00 UTC">15:00 +0000</time></span></li>
<li><a href="/k/2024/01/01/2">Re: hi, [k] stays</a> <span class="from">(Bob)</span> <span class="date"><time datetime="2024-01-01T16:00:00+00:00" title="2024-01-01 16:00:00 UTC">16:00 +0000</time></span></li>
EOF
)"
check_eq "... and on the list page" "$(lines /k/)" "$(cat <<'EOF'
<li><span class="date"><time datetime="2024-01-01T16:00:00+00:00" title="2024-01-01 16:00:00 UTC">2024-01-01 16:00 +0000</time></span> <a href="/k/2024/01/01/2">Re: hi, [k] stays</a> <span class="from">(Bob)</span></li>
<li><span class="date"><time datetime="2024-01-01T15:00:00+00:00" title="2024-01-01 15:00:00 UTC">2024-01-01 15:00 +0000</time></span> <a href="/k/2024/01/01/1">hello</a> <span class="from">(Ann)</span></li>
EOF
)"

# A busy day: 130 messages on 2024-03-05, 3 on 2024-03-06.
"$PYTHON" - >busy.mbox <<'EOF'
for i in range(133):
    d = 5 if i < 130 else 6
    print('From s@example.org Tue Mar  %d 12:%02d:00 2024' % (d, i % 60))
    print('From: Sender %d <s%d@example.org>' % (i, i))
    print('Subject: [busy] number %d' % i)
    print('Message-ID: <busy.%d@example.org>' % i)
    print()
    print('body')
    print()
EOF
la index -q --data "$DATA" busy busy.mbox
lines /busy/2024/03/ >month.txt
check_eq "a busy day shows its first 100 lines on the month page" \
	"$(grep -c '/busy/2024/03/05/[0-9]' month.txt) $(grep -o '>number [0-9]*<' month.txt | sed -n '1p;100p' | tr '\n' ' ')" \
	"100 >number 0< >number 99< "
check "... then a link to the 30 more" grep -qx '<li><a href="/busy/2024/03/05/">30 more messages</a></li>' month.txt
check_eq "... and the next day's 3" "$(grep -c '/busy/2024/03/06/[0-9]' month.txt)" 3
check_eq "the busy day's page has all 130" "$(lines /busy/2024/03/05/ | grep -c '>number ')" 130

# samples/lkml.mbox: each month's lines (one statement) are its days'
# (one statement a day), in order.
la index -q --data "$DATA" lkml "$ROOT/samples/lkml.mbox"
q() { sqlite3 "$DATA/index.sqlite" "$1"; }
bad=0 months=0
for ym in $(q "SELECT DISTINCT day / 100 FROM days d JOIN lists l ON l.id = d.list_id WHERE l.name = 'lkml'"); do
	y=${ym:0:4} m=${ym:4:2}
	months=$((months + 1))
	lines "/lkml/$y/$m/" >m.txt
	: >d.txt
	for d in $(q "SELECT day % 100 FROM days d JOIN lists l ON l.id = d.list_id WHERE l.name = 'lkml' AND day / 100 = $ym ORDER BY day"); do
		lines "$(printf '/lkml/%s/%s/%02d/' "$y" "$m" "$d")" >>d.txt
	done
	cmp -s m.txt d.txt || bad=$((bad + 1))
done
check "lkml has months" [ "$months" -gt 0 ]
check_eq "each month's lines are its days' lines ($months months)" "$bad" 0
