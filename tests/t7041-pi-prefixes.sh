#!/usr/bin/env bash
# t7041-pi-prefixes: every prefix public-inbox's search knows is
# listarc's too.  The prefixes come from public-inbox's own source when
# it is installed (Debian's PublicInbox/Search.pm: its help, @HELP, and
# the boolean and probabilistic prefixes and date and size ranges its
# query parser is given), else from the list of public-inbox 1.9.  For
# each: `listarc search` takes a query with it (exit 0 or 1, not 2), and
# the search help (/_/search-help, /LIST/_/text/help/ and its raw text)
# names it.  Left out: uid: (IMAP's message numbers, "undocumented for
# WWW" in public-inbox) and the per-inbox altid prefixes (gmane:).
. "$(dirname "$0")/lib.sh"
PI1_9='s m l f t tc c tcf a b bs n q nq dfn dfa dfb dfhh dfctx mid lid dfpre dfpost dfblob patchid d dt rt z'
SRC=$(perl -MPublicInbox::Search -e 'print $INC{"PublicInbox/Search.pm"}' 2>/dev/null)
if [ -n "$SRC" ] && [ -r "$SRC" ]; then
	FROM="public-inbox's $SRC"
	PREFIXES=$(perl -ne '
		if (/^(?:my %bool_pfx_external|my %prob_prefix|our \@HELP) = \(/) { $in = 1; next }
		if ($in && /^\);/) { $in = 0 }
		print "$1\n" if $in && /^\s*'\''?([a-z]+):?'\''?\s*=>/;
		print "$1\n" while /NVRP->new\(\w+, '\''([a-z]+):'\''\)/g;
	' "$SRC" | grep -vx uid | sort -u | tr '\n' ' ')
else
	FROM="public-inbox 1.9's list (public-inbox is not installed)"
	PREFIXES=$PI1_9
fi
set -- $PREFIXES
plan $((2 + 4 * $#))
check "the prefixes of $FROM: $#" [ $# -ge 25 ]
check "...among them those of public-inbox 1.9" sh -c 'for p in $1; do case " $2 " in *" $p "*) ;; *) echo "# $p"; exit 1 ;; esac; done' sh "$PI1_9" " $PREFIXES"

la index -q --data arc linux-kernel "$ROOT/samples/seeds.mbox"
la get --data arc /_/search-help >help.html
la get --data arc /linux-kernel/_/text/help/ >texthelp.html
la get --data arc /linux-kernel/_/text/help/raw >help.txt
# value P: a value the prefix takes.
value() {
	case $1 in
	d) echo 20190520..20190521 ;;
	dt) echo 20190520000000..20190521000000 ;;
	rt) echo 20190520.. ;;
	z) echo 1000.. ;;
	patchid) echo 0a68bafcd58ed2083936e316f9133f432578ef64 ;;
	dfpre | dfpost | dfblob) echo 7cd5c15 ;;
	m | mid) echo 155836081774.2441.16449538600904205092.stgit@localhost.localdomain ;;
	l | lid) echo linux-kernel.vger.kernel.org ;;
	*) echo memory ;;
	esac
}
for p in "$@"; do
	q="$p:$(value "$p")"
	la search --data arc "$q" >/dev/null 2>err.txt
	rc=$?
	check "$q: listarc searches it (exit $rc)" [ "$rc" -le 1 ]
	check "$p: in /_/search-help" grep -q "<code>$p:</code>" help.html
	check "$p: in /LIST/_/text/help/" grep -q "<code>$p:</code>" texthelp.html
	check "$p: in its raw text" grep -qE "(^|[ ,])$p:( |,|$)" help.txt
done
