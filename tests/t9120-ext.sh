#!/usr/bin/env bash
# t9120-ext: the binary does not link libgit2 or libh2o (they are
# listarc-ext.so's, docs/plugin.md) nor GMime and json-glib (src/ext/
# lazy.c loads them on first use); indexing an mbox and building a page
# load neither libgit2 nor libh2o; a no-op index run loads neither GMime
# nor json-glib nor libstemmer, indexing loads GMime and libstemmer, an
# API page json-glib, a search libstemmer; a copy of the binary without
# listarc-ext.so beside it (or
# in ../lib/listarc/) still indexes and renders, and `serve` says which
# file it could not load instead of crashing.
. "$(dirname "$0")/lib.sh"
plan 14
MBOX=$ROOT/samples/seeds.mbox

ldd "$LISTARC" >libs
check "the binary links neither libgmime, libjson-glib, libgit2, libh2o nor libstemmer (shared)" \
	sh -c "grep -q libglib libs && ! grep -qE 'libgmime|libjson-glib|libgobject|libgit2|libh2o|libstemmer' libs"
check "listarc-ext.so beside it links both" \
	sh -c "ldd '$(dirname "$LISTARC")/listarc-ext.so' | grep -q libgit2 &&
	       ldd '$(dirname "$LISTARC")/listarc-ext.so' | grep -q libh2o"

# What the dynamic loader opens (LD_DEBUG=libs: "calling init: PATH").
LD_DEBUG=libs LD_DEBUG_OUTPUT=$T/ld "$LISTARC" index -q --data arc kern "$MBOX" 2>/dev/null
check_eq "index of an mbox: exit 0" "$?" 0
cat "$T"/ld.* 2>/dev/null | grep 'calling init' >inits
check "... loads libgmime and libstemmer but neither libgit2, libh2o nor listarc-ext.so" \
	sh -c "grep -q libgmime inits && grep -q libstemmer inits && ! grep -qE 'libgit2|libh2o|listarc-ext' inits"
rm -f "$T"/ld.*

# loaded: the libraries COMMAND... loads (LD_DEBUG=libs), one a line.
loaded() {
	rm -f "$T"/ld.*
	LD_DEBUG=libs LD_DEBUG_OUTPUT=$T/ld "$LISTARC" "$@" >/dev/null 2>&1
	cat "$T"/ld.* 2>/dev/null | sed -n 's/.*calling init: //p'
	rm -f "$T"/ld.*
}
loaded index -q --data arc kern >inits
check "a no-op index run loads neither libgmime, libjson-glib, libgobject nor libstemmer" \
	sh -c "grep -q libglib inits && ! grep -qE 'libgmime|libjson-glib|libgobject|libstemmer' inits"
loaded get --data arc /kern/ >inits
check "... nor does the list's page" \
	sh -c "grep -q libglib inits && ! grep -qE 'libgmime|libjson-glib|libgobject|libstemmer' inits"
loaded search --data arc --count 'patches' >inits
check "a search loads libstemmer (its words' stems)" grep -q libstemmer inits
loaded get --data arc /api/v1/kern/ >inits
check "an API page loads libjson-glib" grep -q libjson-glib inits
url=$(sqlite3 arc/index.sqlite "SELECT printf('/kern/%04d/%02d/%02d/%d', day/10000, day/100%100, day%100, num) FROM messages LIMIT 1")
loaded get --data arc "$url" >page.libs
check "a message page loads libgmime ($url)" grep -q libgmime page.libs

# The binary alone, in a directory of its own.
mkdir -p alone/bin
cp "$LISTARC" alone/bin/listarc
alone/bin/listarc index -q --data arc2 kern "$MBOX" 2>err
check_eq "without listarc-ext.so: index of an mbox, exit 0" "$?" 0
alone/bin/listarc get --data arc2 /kern/ >page 2>/dev/null
check "... and a page" grep -q '<html' page
# (timeout: were it to start, the check fails instead of hanging.)
timeout 60 alone/bin/listarc serve --data arc2 --listen 127.0.0.1:0 --log /dev/null >out 2>err
check "... serve fails, naming the file" grep -q 'cannot load listarc-ext.so' err
# In ../lib/listarc/, as `make install` puts it, it is found.
mkdir -p alone/lib/listarc
cp "$(dirname "$LISTARC")/listarc-ext.so" alone/lib/listarc/
DATA=$T/arc2 SERVE_BIN=$T/alone/bin/listarc start_server alone
check "... and with it in ../lib/listarc/, serve starts" test -n "$PORT"
stop_server alone
