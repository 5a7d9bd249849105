#!/usr/bin/env bash
# t7010-lore-query: lore's (public-inbox's) query language, every prefix
# of its help, each with the exact set of Message-IDs it finds, through
# `listarc search` and through the results page (`listarc get
# '/LIST/?q=...'`): on samples/ (seeds.mbox as linux-kernel, lkml.mbox as
# lkml) and on small messages written here for what the samples lack
# (attachments, List-Id forms, a patch sent twice, dates relative to
# now).  Also: the date forms lei and b4 send and those lore users type,
# and refusals naming the accepted forms; the query forms lore answers
# (x=t, t=1, an empty q=, its "Results A-B of N"); patch ids against
# `git patch-id --stable` on every patch of the samples (and of
# ../shared/corpora when present); an index made before lore's columns,
# and `reindex --search`; lei's own queries when lei is installed.
. "$(dirname "$0")/lib.sh"
plan 281
DATA=$T/arc
la index -q --data "$DATA" linux-kernel "$ROOT/samples/seeds.mbox"
la index -q --data "$DATA" lkml "$ROOT/samples/lkml.mbox"

# ---- messages for what the samples lack ----
cat >lore.mbox <<'EOF'
From alice@example.org Mon Jan  6 10:05:00 2025
From: Alice Maintainer <alice@example.org>
To: dev@lists.example.org
Cc: Bob Reviewer <bob@example.org>
Subject: [PATCH] frob: fix the widget count
Date: Mon, 06 Jan 2025 10:00:00 +0000
Message-ID: <lore-1@example.org>
List-Id: Dev list <dev.lists.example.org>

The widget count was off by one in frobnicator setups.

Signed-off-by: Alice Maintainer <alice@example.org>
---
 frob/new.h    | 1 +
 frob/widget.c | 2 +-
 2 files changed, 2 insertions(+), 1 deletion(-)

diff --git a/frob/widget.c b/frob/widget.c
index 1234567..89abcde 100644
--- a/frob/widget.c
+++ b/frob/widget.c
@@ -10,5 +10,5 @@ static int frob_widget_count(struct frob *f)
 	int total = 0;
 	contextword_alpha();
-	removedword_beta(f);
+	addedword_gamma(f);
 	return total;
diff --git a/frob/new.h b/frob/new.h
new file mode 100644
index 0000000..fedcba9
--- /dev/null
+++ b/frob/new.h
@@ -0,0 +1 @@
+#define FROB_NEW_HEADER 1
-- 
2.45.0

From bob@example.org Tue Jan  7 09:00:00 2025
From: Bob Reviewer <bob@example.org>
To: Alice Maintainer <alice@example.org>
Cc: dev@lists.example.org
Subject: Re: [PATCH] frob: fix the widget count
Date: Tue, 07 Jan 2025 09:00:00 +0000
Message-ID: <lore-2@example.org>
In-Reply-To: <lore-1@example.org>
References: <lore-1@example.org>
List-Id: <dev.lists.example.org>

Alice Maintainer wrote:
> @@ -10,5 +10,5 @@ static int frob_widget_count(struct frob *f)
>  	contextword_alpha();
> -	removedword_beta(f);
> +	addedword_gamma(f);

Reviewed-by: Bob Reviewer <bob@example.org>

From carol@example.org Sat Feb  1 08:00:00 2025
From: Carol Tester <carol@example.org>
To: dev@lists.example.org
Subject: [PATCH] frob: rename the knob
Date: Wed, 08 Jan 2025 12:00:00 +0100
Message-ID: <lore-3@example.org>
List-Id: <sub.dev.lists.example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

The patch and my config are attached.

--b1
Content-Type: text/x-patch; charset=utf-8
Content-Disposition: attachment; filename="0001-frob-rename-the-knob.patch"

diff --git a/frob/knob.c b/frob/knob.c
index abcdef0..0fedcba 100644
--- a/frob/knob.c
+++ b/frob/knob.c
@@ -1,3 +1,3 @@ void frob_knob_setup(void)
 	int knob;
-	knob_old_name();
+	knob_new_name();

--b1
Content-Type: application/gzip
Content-Disposition: attachment; filename="config-6.1.gz"
Content-Transfer-Encoding: base64

H4sIAAAAAAAAA0vLz+cCAHIDVEMEAAAA

--b1--

From dave@example.org Wed Jan  1 00:40:00 2025
From: Dave <dave@example.org>
To: Erin <erin@example.org>
Subject: notes for the meeting
Date: Tue, 31 Dec 2024 23:30:00 -0100
Message-ID: <lore-4@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b2"

--b2
Content-Type: text/plain; charset=utf-8

See the notes.

--b2
Content-Type: text/plain; charset=utf-8
Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9-notes.txt

notes
--b2--

From alice@example.org Fri Jan 10 10:00:00 2025
From: Alice Maintainer <alice@example.org>
To: dev@lists.example.org
Subject: [PATCH RESEND] frob: fix the widget count
Date: Fri, 10 Jan 2025 10:00:00 +0000
Message-ID: <lore-5@example.org>
List-Id: Dev list <dev.lists.example.org>

Resent with nothing changed but its whitespace and line numbers.

diff --git a/frob/widget.c b/frob/widget.c
index 7654321..89abcde 100644
--- a/frob/widget.c
+++ b/frob/widget.c
@@ -12,5 +12,5 @@ static int frob_widget_count(struct frob *f)
 	int  total = 0;
 	contextword_alpha();
-	removedword_beta(f);
+	addedword_gamma( f );
 	return total;
diff --git a/frob/new.h b/frob/new.h
new file mode 100644
index 0000000..fedcba9
--- /dev/null
+++ b/frob/new.h
@@ -0,0 +1 @@
+#define FROB_NEW_HEADER 1

EOF
cat >>lore.mbox <<'EOF'
From kenji@example.org Sun Jan 12 10:00:00 2025
From: Kenji <kenji@example.org>
To: dev@lists.example.org
Subject: =?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?=
Date: Sun, 12 Jan 2025 10:00:00 +0900
Message-ID: <lore-7@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

私は東京都に住んでいます。会議は明日です。

EOF
"$PYTHON" - <<'EOF' >>lore.mbox
body = "\n".join("filler line %d of a long message about the frobnicator" % i for i in range(400))
print("From erin@example.org Sat Jan 11 10:00:00 2025\nFrom: Erin <erin@example.org>\n"
      "To: dev@lists.example.org\nSubject: a long message\nDate: Sat, 11 Jan 2025 10:00:00 +0000\n"
      "Message-ID: <lore-6@example.org>\n\nBefore the meeting:\n" + body + "\n")
EOF
la index -q --data "$DATA" lore lore.mbox
# Messages of the last months, dated from now: Date: and the From_ line
# (the delivery time, rt:) apart in one of them.
NOW=$(date -u +%s)
fromline() { date -u -d "@$1" '+%a %b %e %H:%M:%S %Y'; }
recent() { # recent N DATE RECEIVED
	printf 'From r@example.org %s\nFrom: R <r@example.org>\nSubject: recent %s\nDate: %s\nMessage-ID: <recent-%s@example.org>\n\nrecent message %s\n\n' \
		"$(fromline "$3")" "$1" "$(date -u -R -d "@$2")" "$1" "$1"
}
{
	recent 1 $((NOW - 3600)) $((NOW - 3600))
	recent 2 $((NOW - 3 * 86400)) $((NOW - 3 * 86400))
	recent 3 $((NOW - 20 * 86400)) $((NOW - 3600))
	recent 4 $((NOW - 100 * 86400)) $((NOW - 100 * 86400))
} >recent.mbox
la index -q --data "$DATA" recent recent.mbox
# English stems (Snowball's, as Xapian and lore have them), accents.
cat >stem.mbox <<'EOF2'
From a@example.org Mon Mar  3 10:00:00 2025
From: A <a@example.org>
Subject: This extends the widget API
Date: Mon, 03 Mar 2025 10:00:00 +0000
Message-ID: <stem-1@example.org>

Generously reviewed, applying cleanly.

From a@example.org Mon Mar  3 11:00:00 2025
From: A <a@example.org>
Subject: Re: we extend it
Date: Mon, 03 Mar 2025 11:00:00 +0000
Message-ID: <stem-2@example.org>

> Reviews of the extended API are happily welcome.
Applied at the café of the straße.

From a@example.org Mon Mar  3 12:00:00 2025
From: A <a@example.org>
Subject: unrelated
Date: Mon, 03 Mar 2025 12:00:00 +0000
Message-ID: <stem-3@example.org>

extensive reviewing
The œuvre of an encyclopædia, ﬁnalised by GROSS.
EOF2
la index -q --data "$DATA" stem stem.mbox

# mids ARG...: the sorted Message-IDs `listarc search ARG...` finds.
mids() {
	la search --data "$DATA" --format=json --limit 10000 "$@" 2>/dev/null |
		"$PYTHON" -c 'import json, sys; print(" ".join(sorted({x["message_id"] for x in json.load(sys.stdin)})))'
}
# The results page's messages as Message-IDs, by the index.
cat >pagemids.py <<'EOF'
import re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = set()
for url in re.findall(r'<li><a href="/([^/"]+)/(\d{4})/(\d\d)/(\d\d)/(\d+)">', sys.stdin.read()):
    l, y, m, d, n = url
    for (mid,) in db.execute("SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid"
                             " JOIN lists l ON l.id = m.list_id WHERE l.name = ? AND m.day = ? AND m.num = ?",
                             (l, int(y + m + d), int(n))):
        ids.add(mid)
print(" ".join(sorted(ids)))
EOF
# urlq TEXT: TEXT percent-encoded for a query string (every byte but
# letters, digits and "-._~", as Python's quote(safe="")).
urlq() {
	local LC_ALL=C s=$1 i c out=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s\n' "$out"
}
# both DESC LIST QUERY WANT: the CLI (--list LIST) and the results page
# of LIST find exactly WANT ("all": every list, and the site's page).
# The CLI runs now, its JSON kept in both/N.json; the pages are fetched
# later, all in one `listarc get --batch`, and both_checks makes the two
# checks of each, in order (their Message-IDs found by one Python).
mkdir both
BOTH_DESC=()
BOTH_WANT=()
both() {
	local n=${#BOTH_DESC[@]}
	BOTH_DESC+=("$1")
	BOTH_WANT+=("$4")
	if [ "$2" = all ]; then
		la search --data "$DATA" --format=json --limit 10000 "$3" >"both/$n.json" 2>/dev/null
	else
		la search --data "$DATA" --format=json --limit 10000 --list "$2" "$3" >"both/$n.json" 2>/dev/null
	fi
	echo "/$2/?q=$(urlq "$3")" >>both.paths
}
both_checks() {
	getall bothpages <both.paths
	"$PYTHON" - "$DATA/index.sqlite" "${#BOTH_DESC[@]}" >both.mids <<'PY'
import json, re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def page_mids(n):
    ids = set()
    try:
        text = open("bothpages/%d" % n, encoding="utf-8", errors="replace").read()
    except OSError:
        return "(no page)"
    for l, y, m, d, num in re.findall(r'<li><a href="/([^/"]+)/(\d{4})/(\d\d)/(\d\d)/(\d+)">', text):
        for (mid,) in db.execute("SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid"
                                 " JOIN lists l ON l.id = m.list_id WHERE l.name = ? AND m.day = ? AND m.num = ?",
                                 (l, int(y + m + d), int(num))):
            ids.add(mid)
    return " ".join(sorted(ids))
for i in range(int(sys.argv[2])):
    try:
        cli = " ".join(sorted({x["message_id"] for x in json.load(open("both/%d.json" % i))}))
    except (OSError, ValueError):
        cli = ""
    print(cli)
    print(page_mids(i + 1))
PY
	local i got
	mapfile -t got <both.mids
	for ((i = 0; i < ${#BOTH_DESC[@]}; i++)); do
		check_eq "${BOTH_DESC[$i]}: listarc search" "${got[2 * i]:-}" "${BOTH_WANT[$i]}"
		check_eq "${BOTH_DESC[$i]}: the results page" "${got[2 * i + 1]:-}" "${BOTH_WANT[$i]}"
	done
}
L1=lore-1@example.org L2=lore-2@example.org L3=lore-3@example.org L4=lore-4@example.org
L5=lore-5@example.org L6=lore-6@example.org L7=lore-7@example.org

# ---- every prefix ----
both 's: the subject' lore 's:meeting' "$L4"
both 'b: the body, quoted or not' lore 'b:meeting' "$L6"
both 'bs: subject or body' lore 'bs:meeting' "$L4 $L6"
both 'f: From' lore 'f:alice' "$L1 $L5"
both 't: To' lore 't:alice' "$L2"
both 'c: Cc' lore 'c:bob' "$L1"
both 'tc: To or Cc' lore 'tc:alice OR tc:bob' "$L1 $L2"
both 'tcf: To, Cc or From' lore 'tcf:alice' "$L1 $L2 $L5"
both 'a: any address (To, Cc, From)' lore 'a:bob' "$L1 $L2"
both 'bare words: subject, From and body' lore 'alice' "$L1 $L2 $L5"
both 'nq: text that is not quoted, diffs included' lore 'nq:removedword_beta' "$L1 $L5"
both 'q: quoted text' lore 'q:removedword_beta' "$L2"
both 'b: both' lore 'b:removedword_beta' "$L1 $L2 $L5"
both 'n: attachment names' lore 'n:config-6.1.gz' "$L3"
both 'n: an RFC 2231 name, accents aside' lore 'n:resume' "$L4"
both 'n: on lkml: a signature' lkml 'n:signature.asc' '20091122183338.GB5735@excalibur.local'
both 'l: words of List-Id' lore 'l:dev.lists.example.org' "$L1 $L2 $L3 $L5"
both 'lid: a whole List-Id, not one that contains it' lore 'lid:dev.lists.example.org' "$L1 $L2 $L5"
both 'lid: with <> and capitals' lore 'lid:<SUB.dev.lists.example.org>' "$L3"
MTD="1767506a-cb92-1e06-d41f-e03136857031@allwinnertech.com 202005091209.406DB4C@keescook 8ce09c04-2e68-616b-38de-c574fbc69469@allwinnertech.com 9caa2026-13c6-0340-942a-879c5ed6c88e@allwinnertech.com a2eaf8fd-5726-2b03-c53a-d131c6ab8b0e@allwinnertech.com c1583001-bf03-d198-ad57-3d2a0baf93ca@allwinnertech.com fd6bf2c2-6d0c-836f-e8ea-2fff6cf6e5b6@allwinnertech.com"
both 'lid: on real mail (Mailman, a name before <>)' linux-kernel 'lid:linux-mtd.lists.infradead.org d:2020-05-09' "$MTD"
both 'm: the Message-ID' lore 'm:lore-3@example.org' "$L3"
both 'mid: the same' lore 'mid:<lore-3@example.org>' "$L3"
both 'm: the words of Message-IDs too, as public-inbox (lore: lore-N@)' lore 'm:lore' "$L1 $L2 $L3 $L4 $L5 $L6 $L7"
both '...in a row, each whole (3.example: lore-3@example.org)' lore 'm:3.example' "$L3"
both '...not part of a word' lore 'm:ore' ""
both 'mid: only the whole Message-ID' lore 'mid:lore' ""
both 'a bare Message-ID: its message (public-inbox'"'"'s bare words search XM, the Message-ID)' lore 'lore-3@example.org' "$L3"
both 'dfn: file names of diffs' lore 'dfn:frob/knob.c' "$L3"
both 'dfa: removed lines (not quoted ones)' lore 'dfa:removedword_beta' "$L1 $L5"
both 'dfb: added lines' lore 'dfb:addedword_gamma' "$L1 $L5"
both 'dfctx: context lines' lore 'dfctx:contextword_alpha' "$L1 $L5"
both 'dfhh: hunk header context' lore 'dfhh:frob_knob_setup' "$L3"
both 'dfpre: the pre-image blob' lore 'dfpre:1234567' "$L1"
both 'dfpost: the post-image blob' lore 'dfpost:0fedcba' "$L3"
both 'dfpre: is not the post-image' lore 'dfpre:0fedcba' ""
both 'dfblob: either' lore 'dfblob:abcdef0 OR dfblob:0fedcba' "$L3"
both 'dfpost: an abbreviation matches a longer id' lore 'dfpost:89abcd' "$L1 $L5"
KEES7=20200508064004.57898-7-keescook@chromium.org
both 'dfa: on the samples' linux-kernel 'dfa:pmsg_size' "$KEES7"
both 'dfb: on the samples' linux-kernel 'dfb:pmsg_size' \
	"20200508064004.57898-11-keescook@chromium.org 20200508064004.57898-6-keescook@chromium.org $KEES7 20200508064004.57898-9-keescook@chromium.org"
both 'dfctx: on the samples' linux-kernel 'dfctx:pmsg_size' "$KEES7 20200508064004.57898-8-keescook@chromium.org"
K=20200508064004.57898
both 'dfa: by stem, as lore (writes: write)' linux-kernel 'dfa:writes' \
	"155836080726.2441.11153759042802992469.stgit@localhost.localdomain $K-10-keescook@chromium.org $K-12-keescook@chromium.org $KEES7"
both '...quoted, as written' linux-kernel 'dfa:"writes"' ""
both 'dfb: by stem (locking: lock)' linux-kernel 'dfb:locking' \
	"155836083941.2441.1939229815005692644.stgit@localhost.localdomain $K-3-keescook@chromium.org $K-9-keescook@chromium.org"
both 'dfctx: by stem (records: record)' linux-kernel 'dfctx:records' \
	"$K-10-keescook@chromium.org $K-12-keescook@chromium.org $K-6-keescook@chromium.org $KEES7 $K-8-keescook@chromium.org"
both '...capitalised, as written' linux-kernel 'dfctx:Records' "$K-6-keescook@chromium.org $KEES7 $K-8-keescook@chromium.org"
P37=155836081774.2441.16449538600904205092.stgit@localhost.localdomain
both 'dfhh: on the samples' linux-kernel 'dfhh:copy_page_range' "$P37"
both 'dfpre: on the samples (b4 and lei abbreviate to 7)' linux-kernel 'dfpre:7cd5c15' "$P37"
PID=$(sed -n '/^diff --git a\/frob\/widget.c/,/^-- $/p' lore.mbox | git patch-id --stable | head -1 | cut -c1-40)
both 'patchid: every message with the patch, resent too' lore "patchid:$PID" "$L1 $L5"
both 'patchid: of a patch in an attachment' lore "patchid:$(sed -n '/^diff --git a\/frob\/knob.c/,/^$/p' lore.mbox | git patch-id --stable | head -1 | cut -c1-40)" "$L3"
both 'd: the Date: day, in UTC' lore 'd:2025-01-01' "$L4"
both 'd: the day before it has none' lore 'd:20241231' ""
both 'dt: Date: to the second' lore 'dt:20241231233000..20250101003000' "$L4"
both 'rt: the received time (the From_ line)' lore 'rt:20250201' "$L3"
both 'dt: the same day has no Date:' lore 'dt:20250201' ""
both 'z: the size in bytes' lore 'z:..500' "$L4 $L7"
both 'z: a range, with k' lore 'z:10k..' "$L6"

both 'a word finds its inflections (review: Reviewed, Reviewer)' lore 'review' "$L2"
both '...and an inflection the others (patches: patch)' lore 's:patches' "$L1 $L2 $L3 $L5"
both '...a capitalised word only itself' lore 'Reviewed' "$L2"
both '...and so does a phrase' lore '"reviewer"' "$L2"
S1=stem-1@example.org S2=stem-2@example.org S3=stem-3@example.org
both 'stems: extends finds extend and extended (Snowball English)' stem 'extends' "$S1 $S2"
both '...extend finds extends' stem 's:extend' "$S1 $S2"
both '...review finds reviewed, reviews and reviewing' stem 'review' "$S1 $S2 $S3"
both '...apply finds applying and applied' stem 'apply' "$S1 $S2"
both '...in quoted text (q:reviewing: Reviews)' stem 'q:reviewing' "$S2"
both '...and in the rest (nq:reviewing: reviewed, reviewing)' stem 'nq:reviewing' "$S1 $S3"
both '...a stem is not a prefix: extend is not extensive' stem 'extend' "$S1 $S2"
both '...a phrase is exact' stem '"extends the"' "$S1"
both '...and so is a quoted word' stem '"extends"' "$S1"
both '...and a capitalised one' stem 'Extends' "$S1"
both '...a stem in a phrase is not' stem '"extend the"' ""
both '...nor in From' stem 'f:as' ""
both 'accents folded (cafe: café)' stem 'cafe' "$S2"
both '...and so is a query with them (CAFÉ)' stem 'CAFÉ' "$S2"
both 'ß folded to ss (strasse: straße)' stem 'strasse' "$S2"
both '...and a query with it (STRAẞE)' stem 'STRAẞE' "$S2"
both '...a phrase with it still exact ("the strasse")' stem '"the strasse"' "$S2"
both '...not across words it lacks ("café strasse")' stem '"café strasse"' ""
both '...as a prefix (straß*)' stem 'straß*' "$S2"
both 'ß in a query finds ss in the text (f:Groß: GROSS)' stem 'Groß' "$S3"
both 'ligatures folded (oeuvre: œuvre, encyclopaedia: encyclopædia)' stem 'oeuvre encyclopaedia' "$S3"
both '...ﬁ is fi, stems kept (finalise: ﬁnalised)' stem 'finalise' "$S3"
both '...in a phrase ("the œuvre")' stem '"The oeuvre of"' "$S3"
both 'CJK: a word inside a sentence' lore '東京' "$L7"
both 'CJK: in the subject (RFC 2047)' lore 's:議事録' "$L7"
both 'CJK: not a word across characters it lacks' lore '東都' ""

# ---- booleans, phrases, prefixes of words ----
both 'AND, and nothing' lore 'frob AND knob' "$L3"
both 'OR' lore 's:meeting OR s:rename' "$L3 $L4"
both 'NOT' lore 'alice NOT s:RESEND' "$L1 $L2"
both '-term' lore 'alice -s:RESEND' "$L1 $L2"
both '+term' lore '+alice +s:RESEND' "$L5"
both 'parentheses' lore '(s:rename OR s:RESEND) -f:carol' "$L5"
both 'a phrase' lore '"widget count was off"' "$L1"
both 'a phrase in curly quotes' lore '“widget count was off”' "$L1"
both 'a prefix word*' lore 's:renam*' "$L3"
both 'the forms b4 sends' linux-kernel '(s:"mm: Extend copy_page_range()" AND f:"ktkhai@virtuozzo.com") AND d:..20190521' "$P37"
both 'lei p2q default: blob abbreviations ORed' lore \
	'dfpost:89abcde OR dfpost:89abcd OR dfpost:89abc dfpost:fedcba9 OR dfpost:fedcba' "$L1 $L5"

# ---- dates ----
R1=recent-1@example.org R2=recent-2@example.org R3=recent-3@example.org R4=recent-4@example.org
both 'd:yesterday..' recent 'd:yesterday..' "$R1"
both 'd:last.week..' recent 'd:last.week..' "$R1 $R2"
both 'd:2.weeks.ago..' recent 'd:2.weeks.ago..' "$R1 $R2"
both 'd:1.month.ago..' recent 'd:1.month.ago..' "$R1 $R2 $R3"
both 'd:..2.months.ago' recent 'd:..2.months.ago' "$R4"
both 'd:"2 weeks ago".. in quotes' recent 'd:"2 weeks ago.."' "$R1 $R2"
both 'rt:1.week.ago..: received, whatever Date: says' recent 'rt:1.week.ago..' "$R1 $R2 $R3"
both 'dt:1.week.ago..: Date:' recent 'dt:1.week.ago..' "$R1 $R2"
both 'rt:UNIX.. (liblore)' recent "rt:$((NOW - 2 * 86400)).." "$R1 $R3"
both 'rt:@UNIX..' recent "rt:@$((NOW - 2 * 86400)).." "$R1 $R3"
both 'dt:YYYYMMDDHHMMSS.. (lei up)' recent "dt:$(date -u -d "@$((NOW - 2 * 86400))" +%Y%m%d%H%M%S).." "$R1"
both 'dt:A..B, seconds, both ends in (b4)' recent \
	"dt:$(date -u -d "@$((NOW - 3 * 86400 - 1800))" +%Y%m%d%H%M%S)..$(date -u -d "@$((NOW - 3 * 86400))" +%Y%m%d%H%M%S)" "$R2"
both 'd:YYYYMMDD..YYYYMMDD' lore 'd:20250106..20250107' "$L1 $L2"
both 'd:YYYY-MM-DD..' lore 'd:2025-01-10..' "$L5 $L6 $L7"
both 'd:..YYYY-MM-DD, the end day included' lore 'd:..2025-01-01' "$L4"
both 'd:YYYY-MM (a month)' lore 'd:2024-12 OR d:2025-02' ""
both 'dt:YYYY-MM-DDTHH:MM' lore 'dt:2025-01-08T11:00..2025-01-08T11:00' "$L3"
both_checks
la search --data "$DATA" 'd:next.tuesday' >/dev/null 2>err.txt
check_eq 'an unknown date form: exit 2' $? 2
check 'and the message names the accepted forms' grep -q "'d:next.tuesday' is not a date or date range: dates are YYYYMMDD, YYYY-MM-DD, YYYYMMDDHHMMSS, .*Unix seconds, or relative: now, today, yesterday, 2.weeks.ago, last.month" err.txt
get "/lore/?q=$(urlq 'dt:20251340000000..')" >bad.html
check_eq 'a bad date on the page: 400' "$STATUS" 400
check 'saying what it takes' grep -q 'is not a date or date range: dates are YYYYMMDD' bad.html

# ---- the query forms lore answers ----
get '/lore/' >list.html
get '/lore/?q=' >q.html
check_eq 'an empty q=: the list page, 200' "$STATUS $(md5sum <q.html)" "200 $(md5sum <list.html)"
get '/lore/?q=+%20' >q2.html
check_eq 'q= of spaces: the same' "$(md5sum <q2.html)" "$(md5sum <list.html)"
get '/' >index.html
get '/?q=' >qi.html
check_eq 'an empty q= at the top: the site index' "$(md5sum <qi.html)" "$(md5sum <index.html)"
get '/lore/?q=&x=A' >/dev/null
check_eq 'an empty q= asking for a feed: 400' "$STATUS" 400
KT="$(urlq 'f:ktkhai d:2019-05-20..2019-05-21')"
get "/linux-kernel/?q=$KT&x=t" >xt.html
check_eq 'x=t: 200, the 12 results' "$STATUS $(grep -c '<li><a href="/linux-kernel/' xt.html)" '200 12'
check_eq 'x=t: one thread' "$(grep -c '<ul class="tree">' xt.html)" 1
check 'x=t: the patches under their cover letter' "$PYTHON" - xt.html <<'EOF'
import re, sys
page = open(sys.argv[1]).read()
tree = page[page.index('<ul class="results">'):page.index('</ul>\n</ul>') if '</ul>\n</ul>' in page else None]
# The cover letter (0/7) is a root; 1/7 .. 7/7 follow one level deeper.
cover = page.index('[PATCH v2 0/7]')
inner = page.index('<ul>', cover)
assert all(page.index('[PATCH v2 %d/7]' % k) > inner for k in range(1, 8))
EOF
check 'x=t: the other views are linked' grep -q '&amp;t=1">one per thread</a>, threads' xt.html
get "/lkml/?q=$(urlq 's:patch')&t=1" >t1.html
# The newest match of each thread, by the index's threads.
la search --data "$DATA" --list lkml --format=json --limit 10000 's:patch' 2>/dev/null | "$PYTHON" -c '
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seen, first = set(), []
for x in json.load(sys.stdin):
    t = db.execute("SELECT m.thread FROM messages m JOIN mids ON mids.id = m.mid WHERE mids.mid = ?", (x["message_id"],)).fetchone()[0]
    if t not in seen:
        seen.add(t)
        first.append(x["message_id"])
print(len(first))
print(" ".join(sorted(first)))' "$DATA/index.sqlite" >t1.want
check_eq 't=1: one result per thread, counted' \
	"$(grep -c '<li><a href=' t1.html) $(grep -o '<p>[0-9]* threads match' t1.html)" \
	"$(head -1 t1.want) <p>$(head -1 t1.want) threads match"
check 't=1: more than one thread, from more messages' \
	eval '[ "$(head -1 t1.want)" -gt 1 ] && [ "$(mids --list lkml s:patch | wc -w)" -gt "$(head -1 t1.want)" ]'
check_eq 't=1: the newest match of each thread' "$("$PYTHON" pagemids.py "$DATA/index.sqlite" <t1.html)" "$(tail -1 t1.want)"
ROOTID=155836064844.2441.10911127801797083064.stgit@localhost.localdomain
get "/linux-kernel/$ROOTID/?x=m&q=$(urlq 'd:2019-05-21..')" >th.gz
check_eq 'in a thread (/LIST/MSGID/?x=m&q=, as liblore asks): the thread'"'"'s matches' \
	"$(gunzip -c th.gz >th.mbox && "$PYTHON" -c 'import mailbox, sys; print(" ".join(sorted({(m["Message-ID"] or "").strip().strip("<>") for m in mailbox.mbox("th.mbox")})))')" \
	"$(sqlite3 "$DATA/index.sqlite" "SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid WHERE m.thread = (SELECT thread FROM mids WHERE mid = '$ROOTID') AND coalesce(m.date, m.ts) >= $(date -u -d 2019-05-21 +%s) ORDER BY 1" | sort -u | tr '\n' ' ' | sed 's/ $//')"
get "/linux-kernel/nosuch@example.org/?x=m&q=$(urlq 'd:2019..')" >/dev/null
check_eq '...of a Message-ID the archive lacks: 404' "$STATUS" 404
get "/linux-kernel/?q=$KT" >r1.html
check 'counts as lore shows them: Results 1-12 of 12' grep -q 'Results 1-12 of 12 ' r1.html
get "/all/?q=$(urlq 's:patch')&page=2" >r2.html
n=$(la search --data "$DATA" --count 's:patch')
check "...and on page 2 of $n: Results 26-50 of $n" grep -q "Results 26-50 of $n " r2.html
get '/_/search-help' >help.html
PREFIXES='s f t c tc tcf a b bs q nq n l lid m mid dfn dfa dfb dfctx dfhh dfpre dfpost dfblob patchid d dt rt z'
check 'the help page documents every prefix' sh -c 'for p in $1; do grep -q "<code>$p:</code>" help.html || { echo "# $p"; exit 1; }; done' sh "$PREFIXES"
check 'and so does the man page' sh -c 'for p in $1; do grep -q "B[R ]* *\"*$p:" "$2" || grep -q "^\.B $p:" "$2" || grep -q "[ \"]$p:[ \"]" "$2" || { echo "# $p"; exit 1; }; done' sh "$PREFIXES" "$ROOT/man/listarc.1"
pagecheck --strict xt.html t1.html r1.html r2.html q.html bad.html help.html >bad.txt
check 'the pages are well-formed with only our markup' [ ! -s bad.txt ]
head -5 bad.txt | sed 's/^/#   /'

# ---- patch ids: git's, for every patch ----
# Each text part of each message (decoded, as git mailinfo would) goes
# through `git patch-id --stable`; the index must hold exactly those ids.
cat >pids.py <<'EOF'
import codecs, email, mailbox, re, sqlite3, subprocess, sys
codecs.register_error("cp1252run", lambda e: (e.object[e.start:e.end].decode("cp1252", errors="replace"), e.end))
db, lists = sys.argv[1], sys.argv[2:]
want, parts = set(), []
con = sqlite3.connect(db)
for arg in lists:
    name, path = arg.split("=", 1)
    box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f), create=False)
    raw = open(path, "rb").read()
    for key in box.keys():
        m = box[key]
        mid = re.search(r"<([^>]*)>", m.get("Message-ID") or "")
        if mid:
            mid = mid.group(1)
        else:
            # No Message-ID: the one listarc made up for it, found by
            # where the message starts (messages.off: after its From_
            # line).
            start = box._toc[key][0]
            off = raw.index(b"\n", start) + 1
            row = con.execute("SELECT mids.mid FROM messages m JOIN mids ON mids.id = m.mid"
                              " JOIN lists l ON l.id = m.list_id WHERE l.name = ? AND m.off = ?",
                              (name, off)).fetchone()
            mid = row[0] if row else "no message at %s:%d" % (name, off)
        for p in m.walk():
            if p.is_multipart() or p.get_content_maintype() != "text" or p.get_content_subtype() == "html":
                continue
            data = p.get_payload(decode=True) or b""
            cs = (p.get_content_charset() or "us-ascii").lower()
            try:
                if cs in ("utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252"):
                    # Undeclared or mislabelled 8-bit as listarc reads it
                    # (docs/LENIENCY.md): UTF-8 where valid, windows-1252
                    # for the other bytes (b4 would show U+FFFD there).
                    text = data.decode("utf-8", errors="cp1252run")
                else:
                    text = data.decode(cs, errors="replace")
            except LookupError:
                text = data.decode("latin-1")
            parts.append((name, mid, text))
def patch_ids(text):
    out = subprocess.run(["git", "patch-id", "--stable"], input=text.encode(), capture_output=True).stdout
    return [line.split()[0] for line in out.decode().splitlines()]
# All parts through one `git patch-id --stable`, each after a line
# "commit MARK" of its own (git starts a patch there); an id is the part's
# whose MARK it carries, or, for a part holding a "commit SHA" or "From
# SHA" line of its own, the part that holds that SHA.
MARK = "ffffffff%032x"
owner, stream = {}, []
for k, (name, mid, text) in enumerate(parts):
    owner.setdefault(MARK % k, []).append(k)
    for sha in re.findall(r"(?m)^(?:commit|From) ([0-9a-f]{40})", text):
        owner.setdefault(sha, []).append(k)
    stream.append("commit %s\n%s%s" % (MARK % k, text, "" if text.endswith("\n") else "\n"))
out = subprocess.run(["git", "patch-id", "--stable"], input="".join(stream).encode(), capture_output=True).stdout
for line in out.decode().splitlines():
    pid, sha = line.split()[:2]
    k = owner[sha].pop(0) if owner.get(sha) else None
    if k is not None:
        want.add((parts[k][0], parts[k][1], pid))
got = set(con.execute(
    "SELECT l.name, mids.mid, p.pid FROM patchids p JOIN messages m ON m.id = p.id"
    " JOIN mids ON mids.id = m.mid JOIN lists l ON l.id = m.list_id"))
got = {g for g in got if g[0] in {a.split("=")[0] for a in lists}}
if want != got:
    # Where the one run was misled, each part on its own, as git does it.
    want = {(name, mid, pid) for name, mid, text in parts for pid in patch_ids(text)}
if want == got:
    print(len(want), "ids, as git has them")
else:
    print("missing", sorted(want - got)[:3], "extra", sorted(got - want)[:3])
    sys.exit(1)
EOF
check_eq 'patch ids of samples/ and the messages here: exactly git patch-id --stable' \
	"$("$PYTHON" pids.py "$DATA/index.sqlite" "linux-kernel=$ROOT/samples/seeds.mbox" "lkml=$ROOT/samples/lkml.mbox" lore=lore.mbox)" \
	'85 ids, as git has them'
# (listarc search for each id, then one Python compares them all with
# the index's messages of that id.)
mkdir pidq
sqlite3 "$DATA/index.sqlite" "SELECT DISTINCT pid FROM patchids p JOIN messages m ON m.id = p.id JOIN lists l ON l.id = m.list_id WHERE l.name = 'linux-kernel'" >pidq.txt
while read -r pid; do
	la search --data "$DATA" --format=json --limit 10000 "patchid:$pid" >"pidq/$pid.json" 2>/dev/null
done <pidq.txt
"$PYTHON" - "$DATA/index.sqlite" pidq.txt >pidbad.txt <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for pid in open(sys.argv[2]).read().split():
    try:
        got = {x["message_id"] for x in json.load(open("pidq/%s.json" % pid))}
    except (OSError, ValueError):
        got = set()
    want = {r[0] for r in db.execute("SELECT mids.mid FROM patchids p JOIN messages m ON m.id = p.id"
                                     " JOIN mids ON mids.id = m.mid WHERE p.pid = ?", (pid,))}
    if got != want:
        print(pid)
PY
check 'patchid: finds the messages of each id of the seeds' [ ! -s pidbad.txt ]
if have_shared; then
	# (Copies: nothing here may write beside ../shared's files.)
	mkdir shared-src
	cp "$SHARED"/corpora/notmuch.mbox "$SHARED"/corpora/peers/peer-*.mbox shared-src/
	# (pipermail's months are mboxes too, with patches in them; lkml.mbox
	# and seeds.mbox there are samples/'s.)
	cat "$SHARED"/corpora/pipermail/*/*.txt >shared-src/pipermail.mbox
	# edge/: one message a file, some saved with a From_ line of their
	# own (dropped here: the wrapper writes one).
	for f in "$SHARED"/corpora/edge/*; do
		printf 'From edge@example.org Mon Jan  1 00:00:00 2024\n'
		sed -e '1{/^From /d}' -e 's/^\(>*From \)/>\1/' "$f"
		[ -n "$(tail -c1 "$f")" ] && echo
		echo
	done >shared-src/edge.mbox
	args=()
	for f in shared-src/*.mbox; do
		name=c$(basename "$f" .mbox | tr -c 'a-z0-9\n' -)
		la index -q --data shared "$name" "$f" 2>/dev/null
		args+=("$name=$f")
	done
	"$PYTHON" pids.py shared/index.sqlite "${args[@]}" >pids.txt
	check "patch ids of ../shared's notmuch.mbox, peers/, pipermail/ and edge/ ($(ls shared-src | wc -l) files): exactly git's ($(cat pids.txt))" \
		grep -q '^[1-9][0-9]* ids, as git has them$' pids.txt
	# edge/'s one patch (git show output in a text/x-diff part of a
	# signed message): git's id, in the index, found by patchid:.
	EM=20200930101213.2m2pt3jrspvcrxfx@localhost.localdomain
	EPID=$("$PYTHON" -c '
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
sys.stdout.buffer.write(b"".join(p.get_payload(decode=True) for p in m.walk() if p.get_content_type() == "text/x-diff"))
' "$SHARED"/corpora/edge/indexing_PATCH-1-2-system_data_types.7-srcfix.txt_2_S.eml | git patch-id --stable | cut -c1-40)
	check_eq "edge/'s patch: git's id ($EPID), found by patchid:" \
		"$(sqlite3 shared/index.sqlite "SELECT count(*) FROM patchids WHERE pid = '$EPID'") $(DATA=shared mids "patchid:$EPID")" \
		"1 $EM"
	# Real messages with ß (8bit and quoted-printable): found by ss.
	for pair in 'janssen Janßen' 'grusse Grüße' 'missliche mißliche' '"lasst uns" "laßt uns"'; do
		eval "set -- $pair"
		a=$(DATA=shared mids "$1")
		b=$(DATA=shared mids "$2")
		check "../shared's peers: $1 finds what $2 does ($(wc -w <<<"$a") found)" \
			[ -n "$a" ] && [ "$a" = "$b" ]
	done
else
	skip 6 "$SKIP_SHARED"
fi

# ---- an index made before lore's columns ----
la index -q --data old linux-kernel "$ROOT/samples/seeds.mbox"
rm -f old/search.sqlite*
sqlite3 old/index.sqlite "CREATE VIRTUAL TABLE fts USING fts5(s, f, t, c, nq, q, dfn, content='', tokenize='unicode61 remove_diacritics 2'); DELETE FROM patchids; UPDATE meta SET value = 'old' WHERE key = 'schema_sql'"
la search --data old 'dfa:removedword_beta' >/dev/null 2>err.txt
check_eq 'an older index: what it lacks is refused: exit 2' $? 2
check '...saying reindex --search adds it' grep -q "search index was made before dfa: was added; it can search dfa: once its owner has run listarc reindex --search" err.txt
DATA=old get "/linux-kernel/?q=$(urlq "patchid:$PID")" >old.html
check_eq '...and so does its page (400)' "$STATUS $(grep -c 'made before patchid: was added' old.html)" '400 1'
la index --data old lore lore.mbox 2>up.txt
check 'listarc index rebuilds an older search index by itself, saying so' \
	grep -q 'the search index was made by an older listarc: rebuilding it' up.txt
check_eq '...then dfa: works, on old messages and new' "$(DATA=old mids 'dfa:removedword_beta')" "$L1 $L5"
check_eq '...and patchid:' "$(DATA=old mids "patchid:$PID")" "$L1 $L5"
check_eq '...and the stems' "$(DATA=old mids --list lore 'review')" "$L2"
# One with lore's columns and no stems (a listarc before them): a word
# finds itself until `listarc index` (or reindex --search) adds them.
la index -q --data nostem stem stem.mbox
rm -f nostem/search.sqlite*
sqlite3 nostem/index.sqlite "CREATE VIRTUAL TABLE fts USING fts5(s, f, t, c, nq, q, dfn, dfa, dfb, dfctx, dfhh, dfpre, dfpost, n, l, content='', tokenize='unicode61 remove_diacritics 2'); UPDATE meta SET value = 'old' WHERE key = 'schema_sql'"
printf 'From x Mon Mar  3 13:00:00 2025\nFrom: B <b@example.org>\nSubject: extends too\nMessage-ID: <stem-4@example.org>\nDate: Mon, 03 Mar 2025 13:00:00 +0000\n\nreviews\n' |
	LISTARC_DELIVER_REINDEX=0 la deliver --data nostem stem 2>/dev/null
# (Its search index was emptied: only what is delivered now is in it.)
check_eq 'an index without stems: a delivered message is searched' "$(DATA=nostem mids 'extends')" "stem-4@example.org"
check_eq '...a word finds itself only' "$(DATA=nostem mids 'review')" ""
la index --data nostem stem stem.mbox 2>up2.txt
check 'listarc index rebuilds it, saying so' grep -q 'rebuilding it' up2.txt
check_eq '...then a word finds its stem' "$(DATA=nostem mids 'review')" "$S1 $S2 $S3 stem-4@example.org"
# One with stems but not the diffs' own, nor folded letters (a listarc
# before them): searched as one without stems until `listarc index`
# rebuilds it.
la index -q --data stem18 stem stem.mbox
la index -q --data stem18 lore lore.mbox
rm -f stem18/search.sqlite*
sqlite3 stem18/index.sqlite "CREATE VIRTUAL TABLE fts USING fts5(s, f, t, c, nq, q, dfn, dfa, dfb, dfctx, dfhh, dfpre, dfpost, n, l, zs, znq, zq, content='', tokenize='unicode61 remove_diacritics 2 tokenchars _'); UPDATE meta SET value = 'old' WHERE key = 'schema_sql'"
printf 'From x Mon Mar  3 13:00:00 2025\nFrom: B <b@example.org>\nSubject: Straße extends\nMessage-ID: <stem-5@example.org>\nDate: Mon, 03 Mar 2025 13:00:00 +0000\n\nreviews\n' |
	LISTARC_DELIVER_REINDEX=0 la deliver --data stem18 stem 2>/dev/null
check_eq 'an index of stems before the diffs'"'"': a delivered message is found as written' "$(DATA=stem18 mids 'straße extends')" "stem-5@example.org"
check_eq '...its ß not folded yet' "$(DATA=stem18 mids 'strasse')" ""
la index --data stem18 stem stem.mbox 2>up3.txt
check 'listarc index rebuilds it, saying so' grep -q 'rebuilding it' up3.txt
check_eq '...then ß is ss' "$(DATA=stem18 mids 'strasse')" "$S2 stem-5@example.org"
check_eq '...and dfa: takes stems' "$(DATA=stem18 mids 'dfa:removedword_beta')" "$L1 $L5"

# ---- lei ----
if command -v lei >/dev/null 2>&1; then
	lei_home
	"$LISTARC" serve --data "$DATA" --listen 127.0.0.1:0 --log "$T/access.log" 2>"$T/serve.err" &
	SERVER=$!
	trap 'lei daemon-kill >/dev/null 2>&1; kill -9 $SERVER 2>/dev/null; rm -rf "$T"' EXIT
	PORT=
	for _ in $(seq 400); do
		PORT=$(sed -n 's|^.* listarc: listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/serve.err")
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	U=http://127.0.0.1:$PORT
	timeout 120 lei q -I "$U/lore/" -o "mboxrd:$T/up.mbox" 'dfn:frob/widget.c' >lei1.log 2>&1
	check_eq 'lei q dfn:: exit 0' $? 0
	timeout 120 lei up "$T/up.mbox" >lei2.log 2>&1
	check_eq 'lei up: exit 0' $? 0
	check 'lei up asked with dt: and got no 400' grep -q '"POST /lore/?x=m&q=(dfn%3Afrob%2Fwidget.c)+AND+dt%3A[0-9]\{14\}.. HTTP/1.1" \(200\|404\)' access.log
	la get --data "$DATA" /linux-kernel/2019/05/20/4/raw >p37.eml 2>/dev/null
	q=$(timeout 60 lei p2q p37.eml 2>/dev/null)
	check_eq 'lei p2q of the patch (dfpost:, abbreviated): listarc finds it' "$(mids "$q")" "$P37"
	q=$(timeout 60 lei p2q -w dfn,dfhh,dfpre p37.eml 2>/dev/null)
	check_eq 'lei p2q -w dfn,dfhh,dfpre: too' "$(mids "$q")" "$P37"
	timeout 120 lei q -I "$U/recent/" -o "mboxrd:$T/rel.mbox" 'd:last.week..' >lei3.log 2>&1
	check_eq 'lei q d:last.week..: exit 0, two messages' "$? $(grep -c '^From ' "$T/rel.mbox")" '0 2'
	kill -TERM $SERVER
	wait $SERVER
	check_eq 'the server: exit 0' $? 0
else
	skip 7 "lei is not installed"
fi
