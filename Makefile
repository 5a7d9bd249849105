# listarc: one non-recursive Makefile.  `make` builds ./listarc (release),
# `make check` builds with ASan+UBSan under build/asan and runs every test,
# `make run` sets up the machine, builds, indexes samples/ and serves them.

VERSION := 0.1.0
# The binary links BIN_PKGS and libbz2 (no pkg-config file in Debian), the
# ones STATIC_LIBS names statically (`make STATIC_LIBS=`: all shared);
# GMime, json-glib (LAZY_PKGS) and libstemmer it loads on first use
# (src/ext/lazy.c), as the tests link them.  Loading, binding and
# relocating libraries was most of a no-op run (docs/plugin.md).
BIN_PKGS := sqlite3 zlib liblzma libzstd glib-2.0
LAZY_PKGS := gmime-3.0 json-glib-1.0
CORE_PKGS := $(BIN_PKGS) $(LAZY_PKGS)
STATIC_LIBS ?= sqlite3 z lzma zstd bz2
# Only listarc-ext.so links these (src/ext/ext.h).
EXT_PKGS := libh2o-evloop libgit2
PKGS := $(CORE_PKGS) $(EXT_PKGS)
CC ?= cc
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CORE_LIBS = $(shell pkg-config --libs $(CORE_PKGS) 2>/dev/null) -lbz2 -lstemmer
EXT_LIBS = $(shell pkg-config --libs $(EXT_PKGS) 2>/dev/null)
# The static ones' symbols are not exported by -rdynamic (libraries
# loaded later bind to their own shared copies), but SQLite's: the
# connections listarc-ext.so uses are the binary's.
empty :=
space := $(empty) $(empty)
comma := ,
STATIC_HIDDEN = $(subst $(space),:,$(patsubst %,lib%.a,$(filter-out sqlite3,$(STATIC_LIBS))))
BIN_LIBS = $(if $(STATIC_HIDDEN),-Wl$(comma)--exclude-libs=$(STATIC_HIDDEN)) \
           $(if $(STATIC_LIBS),-Wl$(comma)-Bstatic $(STATIC_LIBS:%=-l%) -Wl$(comma)-Bdynamic) \
           $(filter-out $(STATIC_LIBS:%=-l%),$(shell pkg-config --libs $(BIN_PKGS) 2>/dev/null) -lbz2) -lm
PKG_LIBS = $(CORE_LIBS) $(EXT_LIBS) -lm

WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
BASE_CFLAGS := -std=gnu11 -g -Isrc -Ibuild/gen -DLISTARC_VERSION='"$(VERSION)"' $(WARN)
RELEASE_CFLAGS := -O2 $(HARDEN)
# UBSan traps (no libubsan: ASan reports the SIGILL with its stack,
# tests/run-all sets handle_sigill=1) and the ASan programs are linked
# without PIE (no 2.7 MB of relocations to apply): a test runs the ASan
# binary thousands of times; a small search or get took ~117 ms, ~76
# without libubsan, and 13% less again without PIE (docs/reliability.md,
# section 6).
SAN_FLAGS := -O1 -fsanitize=address,undefined -fsanitize-undefined-trap-on-error -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_LDFLAGS := -no-pie
EXTRA_CFLAGS ?=

# Each stage's sources, in dependency order (a stage uses only util/ and
# earlier ones: mbox and search use msg; conf and thread use nothing else;
# store uses msg, mbox and search; ingest uses store; render uses conf,
# mbox, msg, search, store and thread; http uses conf, msg, store and
# render).
UTIL_SRC   := src/util/status.c src/util/span.c src/util/buf.c src/util/utf8.c src/util/cjk.c src/util/stem.c src/util/fold.c \
              src/util/hash.c src/util/civil.c src/util/vec.c src/util/io.c src/util/handoff.c
MSG_SRC    := src/msg/header.c src/msg/date.c src/msg/summary.c src/msg/charset.c src/msg/decode.c src/msg/htmltext.c \
              src/msg/text.c src/msg/textlore.c src/msg/ftsrow.c src/msg/patchid.c src/msg/series.c
MBOX_SRC   := src/mbox/mbox.c src/mbox/unpack.c src/mbox/bz2par.c
CONF_SRC   := src/conf/conf.c
SEARCH_SRC := src/search/query.c src/search/when.c
THREAD_SRC := src/thread/thread.c
STORE_SRC  := src/store/sql.c src/store/store.c src/store/read.c src/store/write.c src/store/search.c \
              src/store/bytes.c src/store/git.c src/store/gitrepo.c src/store/series.c \
              src/store/hide.c src/store/lists.c src/store/legacy.c src/store/stats.c src/store/purge.c \
              src/store/memo.c src/store/searchfile.c src/store/daylines.c src/store/ftstok.c src/store/rank.c \
              src/store/gitpack.c src/store/gitref.c
INGEST_SRC := src/ingest/ingest.c src/ingest/source.c src/ingest/git.c src/ingest/deliver.c \
              src/ingest/purge.c src/ingest/cgraph.c src/ingest/chain.c
EXPORT_SRC := src/export/export.c
RENDER_SRC := src/render/html.c src/render/mime.c src/render/page.c src/render/body.c src/render/entries.c \
              src/render/outline.c src/render/message.c src/render/msgid.c src/render/gone.c src/render/legacy.c \
              src/render/threadpage.c src/render/listing.c src/render/results.c \
              src/render/atom.c src/render/feeds.c src/render/mboxgz.c src/render/api.c \
              src/render/msgjson.c src/render/series.c src/render/serieslist.c src/render/text.c \
              src/render/charts.c src/render/topics.c src/render/mirror.c \
              src/render/zone.c
HTTP_SRC   := src/http/route.c src/http/headers.c src/http/pagecache.c src/http/ratelimit.c \
              src/http/server.c
CMD_SRC    := src/cmd/listarc.c src/cmd/cmd-index.c src/cmd/cmd-get.c src/cmd/cmd-lists.c src/cmd/cmd-hide.c src/cmd/cmd-list.c src/cmd/cmd-check.c src/cmd/cmd-rethread.c \
              src/cmd/cmd-deliver.c src/cmd/cmd-search.c src/cmd/cmd-serve.c src/cmd/cmd-export.c
LIB_SRC    := $(UTIL_SRC) $(MSG_SRC) $(MBOX_SRC) $(CONF_SRC) $(SEARCH_SRC) $(THREAD_SRC) \
              $(STORE_SRC) $(INGEST_SRC) $(EXPORT_SRC) $(RENDER_SRC) $(HTTP_SRC)

UNIT_TESTS := src/util/test_util.c src/msg/test_msg.c src/mbox/test_mbox.c src/render/test_render.c \
              src/conf/test_conf.c src/store/test_store.c src/ingest/test_ingest.c src/store/test_gitpack.c \
              src/search/test_search.c src/thread/test_thread.c \
              src/http/test_route.c src/http/test_http.c

# listarc-ext.so (src/ext/ext.h): the files that need libgit2 or libh2o,
# loaded by the binary only when a command calls into them; the binary
# has src/ext/ext.c in their place.  Tests and fuzz targets link them.
# The binary also has src/ext/lazy.c for GMime and json-glib, which it
# does not link.
EXT_SRC := src/ingest/git.c src/store/gitrepo.c src/export/export.c src/http/server.c
BIN_SRC := $(filter-out $(EXT_SRC),$(LIB_SRC)) src/ext/ext.c src/ext/lazy.c $(CMD_SRC)

# (RELDIR: `make analyze` compiles the same objects elsewhere.)
RELDIR ?= build/release
release_OBJ := $(patsubst src/%.c,$(RELDIR)/%.o,$(BIN_SRC))
release_EXT := $(patsubst src/%.c,$(RELDIR)/pic/%.o,$(EXT_SRC) src/ext/plugin.c)
asan_OBJ    := $(patsubst src/%.c,build/asan/%.o,$(BIN_SRC))
asan_EXT    := $(patsubst src/%.c,build/asan/pic/%.o,$(EXT_SRC) src/ext/plugin.c)
asan_LIB    := $(patsubst src/%.c,build/asan/%.o,$(LIB_SRC))

.PHONY: all check check-build check-anchor check-valgrind analyze release-objs run setup clean fuzz bench format format-check seeds load replicas-test \
        install install-service uninstall
all: listarc

# -rdynamic: listarc-ext.so calls back into the binary (the store, the
# router); -Bsymbolic: its own functions bind to themselves, not to the
# binary's forwarders of the same name.
listarc: $(release_OBJ) listarc-ext.so
	$(CC) $(RELEASE_CFLAGS) -pie -rdynamic -o $@ $(release_OBJ) $(BIN_LIBS) -ldl -lpthread
listarc-ext.so: $(release_EXT)
	$(CC) $(RELEASE_CFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(EXT_LIBS) -lpthread

$(RELDIR)/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(RELEASE_CFLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<
$(RELDIR)/pic/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(RELEASE_CFLAGS) -fPIC $(EXTRA_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/asan/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<
build/asan/pic/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -fPIC $(EXTRA_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# HTML5's named character references, from Python's html.entities
# (scripts/gen-entities.py), for src/msg/htmltext.c.
build/gen/html_entities.h: scripts/gen-entities.py
	@mkdir -p $(dir $@)
	python3 scripts/gen-entities.py >$@.tmp && mv $@.tmp $@
$(RELDIR)/msg/htmltext.o build/asan/msg/htmltext.o build/fuzz/msg/htmltext.o: build/gen/html_entities.h

build/asan/listarc: $(asan_OBJ) build/asan/listarc-ext.so
	$(CC) $(SAN_FLAGS) $(SAN_LDFLAGS) -rdynamic -o $@ $(asan_OBJ) $(BIN_LIBS) -ldl -lpthread
build/asan/listarc-ext.so: $(asan_EXT)
	$(CC) $(SAN_FLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(EXT_LIBS) -lpthread

build/asan/test_%: src/*/test_%.c $(asan_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) $(SAN_LDFLAGS) -o $@ $(filter %.c,$^) $(asan_LIB) $(PKG_LIBS) -lpthread

UNIT_BINS := $(addprefix build/asan/,$(basename $(notdir $(UNIT_TESTS))))

# Drivers: small programs over one stage's API that end-to-end tests feed
# (tests/drv_<name>.c, built with the ASan build's objects).
DRIVERS := build/asan/drv_decode build/asan/drv_text
build/asan/drv_%: tests/drv_%.c $(asan_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) $(SAN_LDFLAGS) -o $@ $< $(asan_LIB) $(PKG_LIBS) -lpthread

# Fuzz targets: src/<stage>/fuzz_<name>.c.  `make fuzz` runs each under
# libFuzzer (clang) for FUZZ_SECONDS; `make check` replays the seeds and
# fuzz/regress/<name>/ with the ASan build (fuzz/replay.c as main).
FUZZ_SRC := src/mbox/fuzz_mbox.c src/msg/fuzz_header.c src/msg/fuzz_charset.c src/render/fuzz_mime.c \
            src/render/fuzz_html.c src/http/fuzz_route.c src/http/fuzz_reqhead.c \
            src/search/fuzz_search.c src/render/fuzz_msgpage.c src/msg/fuzz_patchid.c \
            src/msg/fuzz_series.c src/util/fuzz_stem.c src/util/fuzz_fold.c \
            src/render/fuzz_ddiff.c src/ingest/fuzz_cgraph.c src/store/fuzz_gitpack.c src/store/fuzz_daylines.c \
            src/store/fuzz_gitref.c \
            src/store/fuzz_ftstok.c src/msg/fuzz_ftsrow.c src/msg/fuzz_text.c
FUZZ_NAMES := $(patsubst fuzz_%,%,$(basename $(notdir $(FUZZ_SRC))))
REPLAY_BINS := $(addprefix build/asan/replay_,$(FUZZ_NAMES))
FUZZ_BINS := $(addprefix build/fuzz/fuzz_,$(FUZZ_NAMES))
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
fuzz_OBJ := $(patsubst src/%.c,build/fuzz/%.o,$(LIB_SRC))
# (Kept between runs: made by a pattern rule for a pattern rule, make
# would delete them as intermediate files and build them all again.)
.SECONDARY: $(fuzz_OBJ)

build/asan/replay_%: $(asan_LIB) fuzz/replay.c $(FUZZ_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) $(SAN_LDFLAGS) -o $@ fuzz/replay.c $(filter %/fuzz_$*.c,$(FUZZ_SRC)) $(asan_LIB) $(PKG_LIBS) -lpthread

build/fuzz/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/fuzz/fuzz_%: $(fuzz_OBJ) $(FUZZ_SRC)
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o $@ $(filter %/fuzz_$*.c,$(FUZZ_SRC)) $(fuzz_OBJ) $(PKG_LIBS) -lpthread

fuzz: setup $(FUZZ_BINS)
	fuzz/run $(FUZZ_SECONDS) $(FUZZ_NAMES)

# Installs what is missing (Debian packages), quietly when nothing is.
setup:
	@scripts/setup-debian

# The fault tests' LD_PRELOAD library (tests/faulthook.c).
build/faulthook.so: tests/faulthook.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(WARN) $(EXTRA_CFLAGS) -shared -fPIC -o $@ $< -ldl

# Everything the tests run (`make check-build` alone builds it).
# The build runs JOBS at a time (all the cores) unless make was given -j.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check: setup
	$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS)) check-build
	tests/run-all
check-build: build/asan/listarc $(UNIT_BINS) $(DRIVERS) $(REPLAY_BINS) listarc build/faulthook.so

# The tests that compare this build's archive and pages with those of an
# older listarc (a release build from before a change that must not alter
# them): `make check-anchor ANCHOR=/path/to/old/listarc`.  `make check`
# skips them.
ANCHOR_TESTS ?= t3335 t3339 t3341 t3343 t3345 t3347 t3349 t3353 t4079 t4095 t4097 t4103 t4105 t4107 t5527 t5531 t6021 t8055
check-anchor: setup
	@test -x "$(ANCHOR)" || { echo "check-anchor: ANCHOR=path of an older listarc binary"; exit 2; }
	$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS)) check-build
	LISTARC_ANCHOR=$(abspath $(ANCHOR)) tests/run-all $(ANCHOR_TESTS)

# The page tests again with the release build under Valgrind's memcheck
# (tests/valgrind-listarc): reads of memory never written, which ASan does
# not see.  Slow (every command runs ~30x slower): minutes, not in `make check`.
VALGRIND_TESTS ?= t5100 t7100 t8000
check-valgrind: setup
	$(MAKE) listarc build/faulthook.so
	LISTARC=$(CURDIR)/tests/valgrind-listarc tests/run-all $(VALGRIND_TESTS)

# The static analyser over the whole build (clang's scan-build, from
# Debian's clang-tools): exits non-zero if it reports anything; the
# reports go to build/scan/.
analyze: setup
	rm -rf build/scan-obj build/scan
	scan-build --use-cc=clang -o build/scan --status-bugs $(MAKE) RELDIR=build/scan-obj release-objs
release-objs: $(release_OBJ) $(release_EXT)

# The server under wrk while `listarc deliver` adds mail (bench/load,
# 60 s): figures, not a pass or a fail; not part of `make check`.
LOAD_SECONDS ?= 60
LOAD_RATE ?= 100
load: setup listarc
	bench/load $(LOAD_SECONDS) $(LOAD_RATE)

# Where `make run` serves (make run LISTEN=0.0.0.0:8080 to reach it from
# elsewhere).
LISTEN ?= 127.0.0.1:8080

run: setup
	$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS)) listarc
	./listarc index --data archive linux-kernel samples/seeds.mbox
	./listarc index --data archive lkml samples/lkml.mbox
	./listarc lists --data archive
	@echo "serving the archive: open http://$(LISTEN)/ (or http://$(LISTEN)/linux-kernel/2019/05/20/4); Ctrl-C stops"
	exec ./listarc serve --data archive --listen $(LISTEN)

# `make install` puts the release build, the man page and the contrib/
# files (with the binary's installed path in them) under
# $(DESTDIR)$(PREFIX); `make uninstall` takes exactly those away.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# Where the binary looks for listarc-ext.so: ../lib/listarc from itself.
EXTDIR = $(BINDIR)/../lib/listarc
DOCDIR ?= $(PREFIX)/share/doc/listarc
DOC_FILES := README.md contrib/listarc.service contrib/nginx-listarc.conf contrib/listarc.logrotate \
             contrib/install-service

install: listarc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(EXTDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)
	install -m 755 listarc $(DESTDIR)$(BINDIR)/listarc
	install -m 644 listarc-ext.so $(DESTDIR)$(EXTDIR)/listarc-ext.so
	install -m 644 man/listarc.1 $(DESTDIR)$(MANDIR)/man1/listarc.1
	install -m 644 README.md contrib/nginx-listarc.conf contrib/listarc.logrotate $(DESTDIR)$(DOCDIR)/
	install -m 755 contrib/install-service $(DESTDIR)$(DOCDIR)/
	sed 's|/usr/local/bin/listarc|$(BINDIR)/listarc|g' contrib/listarc.service \
		>$(DESTDIR)$(DOCDIR)/listarc.service
	chmod 644 $(DESTDIR)$(DOCDIR)/listarc.service

# `make install-service` (as root, after `make install`): what
# contrib/listarc.service needs (contrib/install-service: the group, the
# archive directory, the unit, the logrotate snippet); DATA, GROUP,
# SYSCONFDIR and DESTDIR as that script says.
DATA ?= /srv/listarc
GROUP ?= listarc
SYSCONFDIR ?= /etc
install-service:
	DESTDIR='$(DESTDIR)' BINDIR='$(BINDIR)' DATA='$(DATA)' GROUP='$(GROUP)' \
		SYSCONFDIR='$(SYSCONFDIR)' sh contrib/install-service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/listarc $(DESTDIR)$(MANDIR)/man1/listarc.1
	rm -f $(DESTDIR)$(EXTDIR)/listarc-ext.so
	-rmdir $(DESTDIR)$(EXTDIR) 2>/dev/null
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOC_FILES)))
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build listarc listarc-ext.so

# The layout of .clang-format: `make format` applies it, `make format-check`
# (run by CI) fails on any difference.
format:
	clang-format -i src/*.h src/*/*.[ch]
format-check: setup
	clang-format --dry-run --Werror src/*.h src/*/*.[ch]

# Three read-only nodes pulling the primary's export with git, behind
# haproxy, in a network namespace, under wrk while the primary delivers;
# one node killed and restarted (contrib/replicas/README.md).  Root; not
# part of `make check` (it runs for DURATION seconds, 30 by default).
replicas-test: listarc
	contrib/replicas/run-test
