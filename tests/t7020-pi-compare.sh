#!/usr/bin/env bash
# t7020-pi-compare: the same mail in listarc and in public-inbox (Debian's,
# when it is installed: a v2 inbox indexed with Xapian, indexlevel full),
# the same queries against both: listarc search and public-inbox's own
# search (its Perl API, as public-inbox-httpd answers /?q=) must find the
# same Message-IDs wherever public-inbox answers.  The mail: samples/
# (seeds.mbox, lkml.mbox) and messages written here for stems, accents,
# attachments and identifiers.  Where the two differ on purpose (rt:, z:
# near a size, d: of one day, dt: of a day, accents), docs/LENIENCY.md says so and the
# queries are not here.
. "$(dirname "$0")/lib.sh"
DATA=$T/arc
QUERIES=(
	# headers
	's:"copy_page_range"' 's:mm' 's:patches' 'f:ktkhai' 'f:keescook@chromium.org'
	't:linux-mm@kvack.org' 'c:akpm' 'tc:akpm' 'tcf:akpm' 'a:torvalds' 'a:bob'
	'm:155836081774.2441.16449538600904205092.stgit@localhost.localdomain'
	'mid:155836081774.2441.16449538600904205092.stgit@localhost.localdomain'
	# m: also finds the words of Message-IDs (public-inbox's XM terms)
	'm:keescook' 'm:chromium.org' 'm:57898' 'm:stgit@localhost.localdomain' 'm:pi'
	'm:20200508064004.57898-7-keescook' 'mid:keescook' 'm:kees*' 'm:localdo*'
	'l:linux-kernel.vger.kernel.org' 'lid:linux-api.vger.kernel.org'
	# bodies and diffs
	'b:memory' 'bs:regression' 'bs:pstore' 'nq:pstore' 'q:pstore' 'nq:applying'
	'dfn:mm/memory.c' 'dfa:mmap_sem' 'dfb:mmap_sem' 'dfctx:mmap_sem' 'dfhh:copy_page_range'
	'dfhh:vm_acct_memory' 'dfpre:7cd5c15' 'dfpost:7cd5c15' 'dfblob:7cd5c15' 'n:config'
	# the diffs' lines by stem, as words, as phrases (lore stems dfa: dfb: dfctx:)
	'dfa:writes' 'dfa:"writes"' 'dfa:page' 'dfa:enabled' 'dfa:returns' 'dfb:locking'
	'dfb:maps' 'dfb:alloc' 'dfb:buffers' 'dfb:Used' 'dfb:"return 0"' 'dfctx:sizes'
	'dfctx:records' 'dfa:sizes AND dfb:sizes'
	# dates and sizes, as both take them
	'd:20190520..20190521' 'dt:20190520000000..20190521000000' 'z:10000..'
	# words: stems, exact forms, identifiers, accents
	'review' 'reviewed' 'Reviewed' '"reviewed"' 'extends' 'extend' 'applying' 'apply'
	'memory' 'mapping' 'kernel' 'the' 'fix' 'vm_acct_memory' 'copy_page_range' 'café'
	'"process_vm_mmap syscall"' '"extends the"'
	# booleans and prefixes
	'memory AND mapping' 'memory OR pstore' 'memory -mapping' 'memory NOT mapping'
	'(pstore OR ramoops) AND f:kees' 'mmap*' 'copy_page*' 's:patch -s:RFC'
	# hunk headers by stem (lore stems dfhh:), as words, as phrases
	'dfhh:extend' 'dfhh:extending' 'dfhh:"extend"' 'dfhh:Extends' 'dfhh:widgets'
	'dfhh:widget' 'dfhh:"struct widget"' 'dfhh:static' 'dfhh:mapping' 'dfhh:map*'
	'dfhh:pages' 'dfhh:page' 'dfhh:"page"' 'dfhh:"int extends"'
	# phrases end at the end of a diff's line (public-inbox indexes each
	# line on its own), not at the end of a line of text
	'dfb:"alpha beta"' 'dfb:"foo_begin alpha"' 'dfb:"beta foo_end"' '"alpha beta"'
	'dfctx:"0 return"' 'dfctx:"return walks"' 'dfa:"dropped widgets"' 'nq:"alpha beta"'
	'dfhh:"w static"' 'dfhh:"void extends"' 'nq:"the pages"' 'b:"the pages"' '"the pages"'
	'"so the"' 'q:"the earlier"'
)
# patchid: of the seeds' first patch, as git's own patch-id has it.
PID=$(sed -n '/^diff --git/,/^-- $/p' "$ROOT/samples/seeds.mbox" | git patch-id --stable | head -1 | cut -c1-40)
# And the ORs and NOTs listarc reads member by member (store/search.c).
QUERIES+=("patchid:$PID" "patchid:$PID OR s:pstore" 'd:20190520..20190521 NOT memory'
	'm:155836081774.2441.16449538600904205092.stgit@localhost.localdomain OR s:pstore'
	'(m:155836081774.2441.16449538600904205092.stgit@localhost.localdomain OR s:pstore) d:20190520..')
plan $((2 + ${#QUERIES[@]}))
if ! command -v public-inbox-init >/dev/null 2>&1 || ! perl -MSearch::Xapian -e1 2>/dev/null; then
	skip $((2 + ${#QUERIES[@]})) "public-inbox with Xapian is not installed (scripts/setup-debian installs it)"
	exit 0
fi
export HOME=$T/home PI_CONFIG=$T/home/pi-config
mkdir -p "$HOME"
cat >extra.mbox <<'EOM'
From a@example.org Mon Mar  3 10:00:00 2025
From: A <a@example.org>
To: Bob <bob@example.org>
Subject: This extends the widget API
Date: Mon, 03 Mar 2025 10:00:00 +0000
Message-ID: <pi-1@example.org>

Generously reviewed, applying cleanly at the café.

From a@example.org Mon Mar  3 11:00:00 2025
From: A <a@example.org>
Subject: Re: we extend it
Date: Mon, 03 Mar 2025 11:00:00 +0000
Message-ID: <pi-2@example.org>
In-Reply-To: <pi-1@example.org>

> Reviews of the extended API are welcome.
Applied; vm_acct_memory is unchanged.

From a@example.org Mon Mar  3 12:00:00 2025
From: A <a@example.org>
Subject: a config
Date: Mon, 03 Mar 2025 12:00:00 +0000
Message-ID: <pi-3@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

The config that fails.
--b
Content-Type: text/plain; name="config.txt"
Content-Disposition: attachment; filename="config.txt"

CONFIG_X=y
--b--

EOM
mail_diff_lines pi-4@example.org >>extra.mbox
MBOXES=("$ROOT/samples/seeds.mbox" "$ROOT/samples/lkml.mbox" extra.mbox)
la index -q --data "$DATA" test "${MBOXES[@]}"
public-inbox-init -V2 -L full test "$T/inbox" http://example.org/test test@example.org 2>pi-init.err
cat >import.pl <<'EOP'
# import.pl NAME MBOX...: every message of the mboxrd files into the inbox
# NAME (indexed as it goes); prints how many.
use strict;
use v5.10.1;
use PublicInbox::Config;
use PublicInbox::InboxWritable;
use PublicInbox::MboxReader;
my ($name, @mbox) = @ARGV;
my $ibx = PublicInbox::Config->new->lookup_name($name) or die "no inbox $name\n";
$ibx = PublicInbox::InboxWritable->new($ibx);
my $im = $ibx->importer(0);
my $n = 0;
for my $f (@mbox) {
	open my $fh, '<', $f or die "$f: $!\n";
	PublicInbox::MboxReader->mboxrd($fh, sub { $im->add($_[0]) and $n++ });
}
$im->done;
say $n;
EOP
# search.pl NAME: for each query on stdin, a line of the sorted
# Message-IDs public-inbox's search finds, or "ERROR" if it refuses it.
cat >search.pl <<'EOP'
use strict;
use v5.10.1;
use PublicInbox::Config;
my $ibx = PublicInbox::Config->new->lookup_name($ARGV[0]) or die "no inbox\n";
my $srch = $ibx->search or die "no search\n";
$| = 1;
while (my $q = <STDIN>) {
	chomp $q;
	my $mset = eval { $srch->mset($q, { limit => 100000, relevance => -1 }) };
	if (!$mset) { say "ERROR"; next }
	say join(' ', sort map { $_->{mid} } @{$srch->mset_to_smsg($ibx, $mset)});
}
EOP
guard perl import.pl test "${MBOXES[@]}" >import.out 2>import.err
mids() {
	la search --data "$DATA" --format=json --limit 10000 "$@" 2>/dev/null |
		"$PYTHON" -c 'import json, sys; print(" ".join(sorted({x["message_id"] for x in json.load(sys.stdin)})))'
}
printf '%s\n' 'z:0..' "${QUERIES[@]}" | guard perl search.pl test >pi.out 2>pi.err
check "public-inbox imported the mail" [ -s import.out ]
check_eq "public-inbox and listarc hold the same Message-IDs ($(head -1 pi.out | wc -w))" \
	"$(head -1 pi.out)" "$(mids 'z:0..')"
i=1
for q in "${QUERIES[@]}"; do
	i=$((i + 1))
	want=$(sed -n "${i}p" pi.out)
	if [ "$want" = ERROR ]; then
		skip 1 "public-inbox refuses $q"
		continue
	fi
	check_eq "$q: as public-inbox ($(wc -w <<<"$want") found)" "$(mids "$q")" "$want"
done
