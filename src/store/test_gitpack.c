/* test_gitpack.c: a repository's packs read by store/gitpack.h against
 * git itself (every object of repositories made with git, byte for byte
 * against `git cat-file --batch`: long OFS_DELTA chains, several packs,
 * REF_DELTAs), what it does not hold (a loose object, an id nowhere),
 * and packs built here, good and corrupt, each giving its status. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../../tests/check.h"
#include "store/gitpack.h"
#include "store/gitref.h"
#include "limits.h"

static char top[] = "/tmp/listarc-test_gitpack.XXXXXX";

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void unhex(const char *hex, unsigned char *out)
{
	for (int i = 0; i < GITPACK_OID; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

/* What comparing a repository's objects found. */
struct cmp {
	size_t objects, same, differ, notfound, errors;
};

/* Every object `git cat-file --batch-all-objects --batch` lists in the
 * repository at repo read from gp and compared: type, size, bytes. */
static bool quiet; /* (reading corrupt packs: no line an object) */

static struct cmp compare_all(struct gitpack *gp, const char *repo)
{
	struct cmp c = {0};
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "git -C '%s' cat-file --batch-all-objects --batch", repo);
	FILE *f = popen(cmd, "r");
	if (!f)
		return c;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		char hex[64], type[16];
		size_t size;
		if (sscanf(line, "%63s %15s %zu", hex, type, &size) != 3 || strlen(hex) != 40)
			break;
		unsigned char *want = malloc(size + 1);
		if (!want || fread(want, 1, size + 1, f) != size + 1) {
			free(want);
			break;
		}
		unsigned char id[GITPACK_OID];
		unhex(hex, id);
		struct gitpack_obj o;
		struct la_err err = {0};
		enum la_status e = gitpack_read(gp, id, &o, &err);
		c.objects++;
		if (e == LA_ENOTFOUND) {
			c.notfound++;
		} else if (e) {
			c.errors++;
			if (!quiet)
				printf("#   %s: %s\n", hex, err.msg);
		} else if (strcmp(gitpack_type_name(o.type), type) == 0 && o.size == size &&
		           memcmp(o.data, want, size) == 0 && o.data[size] == 0) {
			c.same++;
		} else {
			c.differ++;
			if (!quiet)
				printf("#   %s: %s %zu, git says %s %zu\n", hex,
				       gitpack_type_name(o.type), o.size, type, size);
		}
		gitpack_obj_free(&o);
		free(want);
	}
	pclose(f);
	return c;
}

static struct gitpack *open_repo(const char *repo)
{
	struct gitpack *gp = NULL;
	struct la_err err = {0};
	if (gitpack_open(&gp, repo, &err))
		printf("#   %s: %s\n", repo, err.msg);
	return gp;
}

/* ---- repositories made with git ---- */

/* A line of commits of a file "m" that changes a little each time (one
 * line of 300 changed, one more line at its end), and "n" every third
 * commit. */
static int commits(const char *repo, int from, int to)
{
	return sh(
		"cd '%s' && for i in $(seq %d %d); do "
		"awk -v i=$i 'BEGIN{for(n=1;n<=300;n++){if(n%%41==i%%41)print \"changed \" i \" \" n;"
		"else print \"line \" n \" of a message much the same in every commit\"};"
		"for(k=1;k<=i;k++)print \"tail \" k}' >m; "
		"[ $((i %% 3)) = 0 ] && echo \"n $i\" >n; "
		"git add m $( [ -e n ] && echo n) && git commit -qm \"c$i\" || exit 1; done",
		repo, from, to);
}

static void test_git(void)
{
	char r[256], ref[256], rg[300];
	snprintf(r, sizeof r, "%s/r", top);
	snprintf(rg, sizeof rg, "%s/.git", r);
	snprintf(ref, sizeof ref, "%s/ref.git", top);
	int rc = sh("git init -q '%s' && git -C '%s' config user.email a@example.org && "
	            "git -C '%s' config user.name a && git -C '%s' config gc.auto 0",
	            r, r, r, r);
	rc |= commits(r, 1, 120);
	/* One pack, deltas up to 250 deep. */
	rc |= sh("git -C '%s' repack -adfq --depth=250 --window=250", r);
	CHECK(rc == 0, "a repository of 120 commits made and packed");

	struct gitpack *gp = open_repo(rg);
	struct cmp c = gp ? compare_all(gp, r) : (struct cmp){0};
	struct gitpack_stats st = {0};
	if (gp)
		gitpack_stats(gp, &st);
	CHECK(gp && gitpack_count(gp) == 1 && c.objects > 300 && c.same == c.objects,
	      "one pack: every object as git gives it (%zu of %zu; %zu differ, %zu not found, "
	      "%zu errors)",
	      c.same, c.objects, c.differ, c.notfound, c.errors);
	CHECK(st.deltas > 100 && st.depth_max >= 10,
	      "...through OFS_DELTA chains (%llu deltas applied, %llu deep at most)",
	      (unsigned long long)st.deltas, (unsigned long long)st.depth_max);
	CHECK(st.cache_hits > 0 && st.cache_peak <= GITPACK_BASE_CACHE,
	      "...with bases from the cache (%llu hits, %llu bytes at most)",
	      (unsigned long long)st.cache_hits, (unsigned long long)st.cache_peak);
	/* Reading it all again costs fewer inflates: the bases are cached. */
	gitpack_free(gp);

	/* A small cache: the same bytes. */
	struct gitpack *small = NULL;
	struct la_err err = {0};
	if (gitpack_new(&small, 40000, &err) == LA_OK) {
		char pd[300];
		snprintf(pd, sizeof pd, "%s/.git/objects/pack", r);
		rc = sh("cd '%s' && ls pack-*.pack >/dev/null", pd);
		/* (gitpack_open with a cache of 40 kB is this:) */
		FILE *f;
		char cmd[400], name[200];
		snprintf(cmd, sizeof cmd, "cd '%s' && ls pack-*.pack", pd);
		if ((f = popen(cmd, "r")) && fgets(name, sizeof name, f)) {
			name[strcspn(name, "\n")] = 0;
			char pp[600], ip[600];
			snprintf(pp, sizeof pp, "%s/%s", pd, name);
			snprintf(ip, sizeof ip, "%s/%.*s.idx", pd, (int)strlen(name) - 5, name);
			la_ignore(gitpack_add(small, open(pp, O_RDONLY), open(ip, O_RDONLY), &err));
		}
		if (f)
			pclose(f);
		/* (Read backwards: each object's start read with 28 kB
		 * before it.) */
		gitpack_backward(small, true);
		c = compare_all(small, r);
		gitpack_stats(small, &st);
		CHECK(c.objects > 300 && c.same == c.objects && st.cache_peak <= 40000 &&
		              st.cache_hits > 0,
		      "a cache of 40 kB (two or three bases), reading backwards: the same bytes (%zu of %zu), the cache within it (%llu), wrapping round",
		      c.same, c.objects, (unsigned long long)st.cache_peak);
		gitpack_free(small);
	}

	/* No cache at all (a page's blob, store/git.c), the packs added by
	 * gitpack_add_dir: the same bytes, each chain applied from its end. */
	struct gitpack *nc = NULL;
	if (gitpack_new(&nc, 0, &err) == LA_OK && gitpack_add_dir(nc, rg, &err) == LA_OK) {
		c = compare_all(nc, r);
		gitpack_stats(nc, &st);
		CHECK(gitpack_count(nc) == 1 && c.objects > 300 && c.same == c.objects &&
		              st.cache_peak == 0 && st.cache_hits == 0 && st.deltas > 100,
		      "no cache: the same bytes (%zu of %zu), %llu deltas applied, none kept",
		      c.same, c.objects, (unsigned long long)st.deltas);
	} else {
		CHECK(false, "no cache: %s", err.msg);
	}
	gitpack_free(nc);

	/* Two packs: the 20 commits after the repack in a pack of their own. */
	rc = commits(r, 121, 140);
	rc |= sh("git -C '%s' repack -dq", r);
	gp = open_repo(rg);
	c = gp ? compare_all(gp, r) : (struct cmp){0};
	CHECK(rc == 0 && gp && gitpack_count(gp) == 2 && c.same == c.objects && c.objects > 360,
	      "two packs: every object as git gives it (%zu of %zu)", c.same, c.objects);

	/* Looked up ahead (gitpack_prefetch): every id, twice some, and ids
	 * in no pack; then the same bytes, with fewer reads than one by one. */
	{
		unsigned char *ids = malloc((size_t)GITPACK_AHEAD_MAX * GITPACK_OID);
		size_t nid = 0;
		char cmd[400], line[128];
		snprintf(cmd, sizeof cmd,
		         "git -C '%s' cat-file --batch-all-objects --batch-check='%%(objectname)'",
		         r);
		FILE *fl = ids ? popen(cmd, "r") : NULL;
		while (fl && nid + 3 < GITPACK_AHEAD_MAX && fgets(line, sizeof line, fl))
			if (strlen(line) >= 40)
				unhex(line, ids + nid++ * GITPACK_OID);
		if (fl)
			pclose(fl);
		size_t all = nid;
		if (nid > 2) {
			memcpy(ids + nid++ * GITPACK_OID, ids, GITPACK_OID);  /* twice */
			memset(ids + nid++ * GITPACK_OID, 0xee, GITPACK_OID); /* in none */
			memset(ids + nid++ * GITPACK_OID, 0x00, GITPACK_OID);
		}
		struct gitpack *one = open_repo(rg), *ahead = open_repo(rg);
		struct gitpack_stats s1 = {0}, s2 = {0}, s0 = {0};
		struct cmp c1 = one ? compare_all(one, r) : (struct cmp){0};
		enum la_status pe = ahead ? gitpack_prefetch(ahead, ids, nid, &err) : LA_EIO;
		if (ahead)
			gitpack_stats(ahead, &s0);
		struct cmp c2 = ahead && !pe ? compare_all(ahead, r) : (struct cmp){0};
		unsigned char none[GITPACK_OID];
		memset(none, 0xee, sizeof none);
		struct gitpack_obj o = {0};
		enum la_status ne = ahead ? gitpack_read(ahead, none, &o, &err) : LA_EIO;
		if (one)
			gitpack_stats(one, &s1);
		if (ahead)
			gitpack_stats(ahead, &s2);
		CHECK(pe == LA_OK && all > 360 && c2.same == c2.objects &&
		              c2.objects == c1.objects && c1.same == c1.objects &&
		              ne == LA_ENOTFOUND,
		      "%zu ids looked up ahead (one twice, two in no pack): the same bytes (%zu of "
		      "%zu), an id in no pack not found",
		      all, c2.same, c2.objects);
		CHECK(s2.preads - s0.preads < s1.preads,
		      "...reading them all took %llu reads after %llu for the look-ups ahead, "
		      "against %llu one by one",
		      (unsigned long long)(s2.preads - s0.preads), (unsigned long long)s0.preads,
		      (unsigned long long)s1.preads);
		gitpack_free(one);
		gitpack_free(ahead);
		free(ids);
	}

	/* Not found: a loose object, and an id in no pack. */
	char hex[64] = "";
	FILE *f;
	char cmd[400];
	snprintf(cmd, sizeof cmd, "echo a loose object | git -C '%s' hash-object -w --stdin", r);
	if ((f = popen(cmd, "r"))) {
		if (!fgets(hex, sizeof hex, f))
			hex[0] = 0;
		pclose(f);
	}
	unsigned char id[GITPACK_OID];
	struct gitpack_obj o;
	enum la_status e = LA_OK;
	if (gp && strlen(hex) >= 40) {
		unhex(hex, id);
		e = gitpack_read(gp, id, &o, &err);
	}
	CHECK(e == LA_ENOTFOUND, "a loose object: not found (%s)", la_strstatus(e));
	memset(id, 0x5a, sizeof id);
	e = gp ? gitpack_read(gp, id, &o, &err) : LA_OK;
	CHECK(e == LA_ENOTFOUND, "an id in no pack: not found (%s)", la_strstatus(e));
	memset(id, 0, sizeof id);
	e = gp ? gitpack_read(gp, id, &o, &err) : LA_OK;
	CHECK(e == LA_ENOTFOUND, "the id of zeros: not found (%s)", la_strstatus(e));
	memset(id, 0xff, sizeof id);
	e = gp ? gitpack_read(gp, id, &o, &err) : LA_OK;
	CHECK(e == LA_ENOTFOUND, "the id of ones: not found (%s)", la_strstatus(e));
	gitpack_free(gp);

	/* REF_DELTAs: pack-objects without --delta-base-offset writes them. */
	rc = sh("git init -q --bare '%s' && git -C '%s' rev-list --objects --all | "
	        "git -C '%s' pack-objects -q --no-reuse-delta --window=50 --depth=50 "
	        "'%s/objects/pack/pack' >/dev/null",
	        ref, r, r, ref);
	gp = open_repo(ref);
	c = gp ? compare_all(gp, r) : (struct cmp){0};
	if (gp)
		gitpack_stats(gp, &st);
	CHECK(rc == 0 && gp && c.same + 1 == c.objects && c.notfound == 1 && st.ref_deltas > 100,
	      "a pack of REF_DELTAs: every object as git gives it (%zu of %zu, the loose one not "
	      "found; %llu REF_DELTAs)",
	      c.same, c.objects, (unsigned long long)st.ref_deltas);
	gitpack_free(gp);

	quiet = true;
	/* Corrupt: the pack cut short, then bytes flipped one at a time. */
	char pd[300];
	snprintf(pd, sizeof pd, "%s/.git/objects/pack", r);
	char cp[300], ci[300];
	snprintf(cp, sizeof cp, "%s/cut.pack", top);
	snprintf(ci, sizeof ci, "%s/cut.idx", top);
	rc = sh("cd '%s' && git repack -adfq --depth=250 --window=250 && p=$(ls pack-*.pack) && "
	        "cp $p '%s' && cp ${p%%.pack}.idx '%s'",
	        pd, cp, ci);
	struct stat sb;
	if (rc == 0 && stat(cp, &sb) == 0 && truncate(cp, sb.st_size / 2) == 0) {
		struct gitpack *cut = NULL;
		if (gitpack_new(&cut, GITPACK_BASE_CACHE, &err) == LA_OK &&
		    gitpack_add(cut, open(cp, O_RDONLY), open(ci, O_RDONLY), &err) == LA_OK) {
			c = compare_all(cut, r);
			CHECK(c.same > 0 && c.errors > 0 && c.differ == 0 &&
			              c.same + c.errors + c.notfound == c.objects,
			      "the pack cut in half: what is before the cut read, the rest an error "
			      "(%zu, %zu errors, %zu not found)",
			      c.same, c.errors, c.notfound);
		} else {
			CHECK(0, "the pack cut in half opened: %s", err.msg);
		}
		gitpack_free(cut);
	}
	/* Bytes flipped one at a time, each in a copy read whole: no crash,
	 * and most of them found (an error, or an object of another type);
	 * a flip zlib's checksum does not cover may go unseen. */
	size_t flips = 0, flip_found = 0;
	rc = sh("cd '%s' && cp $(ls pack-*.pack) '%s'", pd, cp);
	int fd = rc == 0 ? open(cp, O_RDWR) : -1;
	struct stat ps;
	if (fd >= 0 && fstat(fd, &ps) == 0) {
		for (off_t at = 12; at < ps.st_size - 20; at += ps.st_size / 150 + 1) {
			unsigned char b;
			if (pread(fd, &b, 1, at) != 1)
				break;
			unsigned char x = b ^ 0x41;
			if (pwrite(fd, &x, 1, at) != 1)
				break;
			struct gitpack *bad = NULL;
			if (gitpack_new(&bad, GITPACK_BASE_CACHE, &err) == LA_OK &&
			    gitpack_add(bad, open(cp, O_RDONLY), open(ci, O_RDONLY), &err) ==
			            LA_OK) {
				c = compare_all(bad, r);
				flips++;
				flip_found += c.errors + c.differ > 0;
			}
			gitpack_free(bad);
			if (pwrite(fd, &b, 1, at) != 1)
				break;
		}
	}
	if (fd >= 0)
		close(fd);
	CHECK(flips > 100 && flip_found > flips * 9 / 10,
	      "%zu flipped bytes read without a crash, %zu of them found", flips, flip_found);
}

/* ---- packs built here ---- */

/* An object of a pack built here: its type (1-4, 6, 7, or a bad one), the
 * size its header declares (SIZE_OWN: len), its bytes (zlib-compressed
 * into the pack unless raw), and for a delta its base: an OFS_DELTA's
 * entry (base) or distance back (back, if not 0; BACK_SELF: 0), a
 * REF_DELTA's id (its first byte; the others 0). */
#define SIZE_OWN ((uint64_t)-1)
#define BACK_SELF ((uint64_t)-1)
#define BACK_HDR ((uint64_t)-2) /* to the pack's 4th byte */
struct hand {
	int type;
	uint64_t declared;
	const char *data;
	size_t len;
	int base;
	uint64_t back;
	unsigned char ref;
	bool raw;
};

static int memfd_of(const unsigned char *p, size_t n)
{
	int fd = memfd_create("gitpack-test", 0);
	if (fd < 0)
		return -1;
	if (write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A pack of the n objects (the id of entry i: first byte id0 + i, the
 * rest 0) and its index, added to gp. */
static enum la_status add_hand(struct gitpack *gp, const struct hand *h, size_t n,
                               unsigned char id0)
{
	size_t cap = 1 << 16, len = 12;
	unsigned char *p = calloc(1, cap);
	uint64_t *offs = calloc(n ? n : 1, sizeof *offs);
	memcpy(p, "PACK\0\0\0\2", 8);
	p[8] = (unsigned char)(n >> 24), p[9] = (unsigned char)(n >> 16);
	p[10] = (unsigned char)(n >> 8), p[11] = (unsigned char)n;
	for (size_t i = 0; i < n; i++) {
		offs[i] = len;
		uint64_t size = h[i].declared == SIZE_OWN ? h[i].len : h[i].declared;
		unsigned c = (unsigned)(h[i].type << 4) | (size & 15);
		size >>= 4;
		while (size) {
			p[len++] = (unsigned char)(c | 0x80);
			c = size & 0x7f;
			size >>= 7;
		}
		p[len++] = (unsigned char)c;
		if (h[i].type == 6) {
			uint64_t back = h[i].back == BACK_SELF  ? 0
			                : h[i].back == BACK_HDR ? offs[i] - 4
			                : h[i].back             ? h[i].back
			                                        : offs[i] - offs[h[i].base];
			unsigned char t[16];
			int at = 15;
			t[at] = back & 0x7f;
			while (back >>= 7) {
				back--;
				t[--at] = (unsigned char)(0x80 | (back & 0x7f));
			}
			memcpy(p + len, t + at, (size_t)(16 - at));
			len += (size_t)(16 - at);
		} else if (h[i].type == 7) {
			memset(p + len, 0, GITPACK_OID);
			p[len] = h[i].ref;
			len += GITPACK_OID;
		}
		if (h[i].raw) {
			memcpy(p + len, h[i].data, h[i].len);
			len += h[i].len;
		} else {
			uLongf zl = (uLongf)(cap - len - 64);
			compress2(p + len, &zl, (const Bytef *)h[i].data, h[i].len, 6);
			len += zl;
		}
	}
	len += 20; /* the checksum, not read */
	size_t ilen = 8 + 1024 + n * 28 + 40;
	unsigned char *x = calloc(1, ilen);
	memcpy(x, "\377tOc\0\0\0\2", 8);
	for (int b = 0; b < 256; b++) {
		size_t cnt = 0;
		for (size_t i = 0; i < n; i++)
			cnt += (size_t)(id0 + i) <= (size_t)b;
		unsigned char *f = x + 8 + 4 * b;
		f[0] = (unsigned char)(cnt >> 24), f[1] = (unsigned char)(cnt >> 16);
		f[2] = (unsigned char)(cnt >> 8), f[3] = (unsigned char)cnt;
	}
	for (size_t i = 0; i < n; i++) {
		x[8 + 1024 + i * 20] = (unsigned char)(id0 + i);
		unsigned char *o = x + 8 + 1024 + n * 24 + i * 4;
		o[0] = (unsigned char)(offs[i] >> 24), o[1] = (unsigned char)(offs[i] >> 16);
		o[2] = (unsigned char)(offs[i] >> 8), o[3] = (unsigned char)offs[i];
	}
	struct la_err err = {0};
	enum la_status e = gitpack_add(gp, memfd_of(p, len), memfd_of(x, ilen), &err);
	free(p);
	free(x);
	free(offs);
	return e;
}

static enum la_status read_id(struct gitpack *gp, unsigned char first, struct gitpack_obj *o)
{
	unsigned char id[GITPACK_OID] = {first};
	struct la_err err = {0};
	return gitpack_read(gp, id, o, &err);
}

/* A delta from "hello, world" (12 bytes) to "hello, there world": copy 7,
 * insert "there ", copy 5 from 7. */
static const char good_delta[] = "\x0c\x12\x90\x07\x06there \x91\x07\x05";
#define GOOD_DELTA_LEN 14

static const struct {
	const char *what;
	struct hand h[4];
	size_t n;
	unsigned char read; /* the entry read */
	enum la_status want;
	const char *bytes; /* with LA_OK */
} hands[] = {
	{"a blob",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false}},
         1,
         0,
         LA_OK,
         "hello, world"},
	{"an OFS_DELTA on it",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, 0, 0, false}},
         2,
         1,
         LA_OK,
         "hello, there world"},
	{"a REF_DELTA on it",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {7, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, 0, 1, false}},
         2,
         1,
         LA_OK,
         "hello, there world"},
	{"a REF_DELTA on an id in no pack: not found",
         {{7, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, 0, 0x77, false}},
         1,
         0,
         LA_ENOTFOUND,
         NULL},
	{"an OFS_DELTA on itself",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, BACK_SELF, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"an OFS_DELTA before the pack's start",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, 1 << 20, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"an OFS_DELTA into the pack's header",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, BACK_HDR, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"an OFS_DELTA a huge way back",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, (uint64_t)1 << 60, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"two REF_DELTAs on each other: the chain is bounded",
         {{7, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, 0, 2, false},
          {7, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, 0, 1, false}},
         2,
         0,
         LA_ETOOBIG,
         NULL},
	{"a size over GITPACK_OBJECT_MAX",
         {{3, GITPACK_OBJECT_MAX + 1, "hello, world", 12, 0, 0, 0, false}},
         1,
         0,
         LA_ETOOBIG,
         NULL},
	{"a size of 2^40",
         {{3, (uint64_t)1 << 40, "hello, world", 12, 0, 0, 0, false}},
         1,
         0,
         LA_ETOOBIG,
         NULL},
	{"a size bigger than the data",
         {{3, 100, "hello, world", 12, 0, 0, 0, false}},
         1,
         0,
         LA_EINVAL,
         NULL},
	{"a size smaller than the data",
         {{3, 5, "hello, world", 12, 0, 0, 0, false}},
         1,
         0,
         LA_EINVAL,
         NULL},
	{"a big size the data does not hold",
         {{3, 400 << 20, "hello, world", 12, 0, 0, 0, false}},
         1,
         0,
         LA_EINVAL,
         NULL},
	{"type 5", {{5, SIZE_OWN, "hello, world", 12, 0, 0, 0, false}}, 1, 0, LA_EINVAL, NULL},
	{"type 0", {{0, SIZE_OWN, "hello, world", 12, 0, 0, 0, false}}, 1, 0, LA_EINVAL, NULL},
	{"bytes that are not zlib",
         {{3, 12, "hello, world", 12, 0, 0, 0, true}},
         1,
         0,
         LA_EINVAL,
         NULL},
	{"a delta copying past its base's end",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, "\x0c\x12\x90\x0a\x06there \x91\x07\x05", 14, 0, 0, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"a delta for a base of another size",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, "\x0d\x12\x90\x07\x06there \x91\x07\x05", 14, 0, 0, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"a delta making less than it says",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, "\x0c\x13\x90\x07\x06there \x91\x07\x05", 14, 0, 0, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"a delta making more than it says",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, "\x0c\x11\x90\x07\x06there \x91\x07\x05", 14, 0, 0, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"a delta with instruction 0",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, "\x0c\x12\x90\x07\x00there \x91\x07\x05", 14, 0, 0, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"a delta whose insert runs past its end",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, "\x0c\x12\x90\x07\x16there", 10, 0, 0, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"a delta cut in a copy's offset",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, "\x0c\x12\x91", 3, 0, 0, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"a delta claiming a huge result",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, "\x0c\xff\xff\xff\x01\x90\x07", 7, 0, 0, 0, false}},
         2,
         1,
         LA_EINVAL,
         NULL},
	{"a delta on a delta on a blob",
         {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false},
          {6, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, 0, 0, false},
          {6, SIZE_OWN, "\x12\x05\x90\x05", 4, 1, 0, 0, false}},
         3,
         2,
         LA_OK,
         "hello"},
};

static void test_hand(void)
{
	for (size_t i = 0; i < sizeof hands / sizeof *hands; i++) {
		struct gitpack *gp = NULL;
		struct la_err err = {0};
		enum la_status e = gitpack_new(&gp, GITPACK_BASE_CACHE, &err);
		if (!e)
			e = add_hand(gp, hands[i].h, hands[i].n, 1);
		struct gitpack_obj o = {0};
		if (!e)
			e = read_id(gp, (unsigned char)(1 + hands[i].read), &o);
		bool same = e == hands[i].want &&
		            (!hands[i].bytes || (o.size == strlen(hands[i].bytes) &&
		                                 memcmp(o.data, hands[i].bytes, o.size) == 0));
		CHECK(same, "%s: %s", hands[i].what, la_strstatus(hands[i].want));
		if (!same)
			printf("#   got %s, %zu bytes\n", la_strstatus(e), o.size);
		gitpack_obj_free(&o);
		/* Read twice (the second time through the cache, if it was a
		 * base): the same answer. */
		if (!e && hands[i].want == LA_OK) {
			for (size_t k = 0; k < hands[i].n; k++) {
				struct gitpack_obj b = {0};
				la_ignore(read_id(gp, (unsigned char)(1 + k), &b));
				gitpack_obj_free(&b);
			}
			e = read_id(gp, (unsigned char)(1 + hands[i].read), &o);
			CHECK(e == LA_OK && o.size == strlen(hands[i].bytes) &&
			              memcmp(o.data, hands[i].bytes, o.size) == 0,
			      "%s: read again, the same", hands[i].what);
			gitpack_obj_free(&o);
		}
		gitpack_free(gp);
	}

	/* A REF_DELTA whose base is in another pack of the set. */
	static const struct hand base[] = {{3, SIZE_OWN, "hello, world", 12, 0, 0, 0, false}};
	static const struct hand delta[] = {
		{7, SIZE_OWN, good_delta, GOOD_DELTA_LEN, 0, 0, 0x40, false}};
	struct gitpack *gp = NULL;
	struct la_err err = {0};
	struct gitpack_obj o = {0};
	enum la_status e = gitpack_new(&gp, GITPACK_BASE_CACHE, &err);
	if (!e)
		e = add_hand(gp, delta, 1, 0x20);
	if (!e)
		e = add_hand(gp, base, 1, 0x40);
	if (!e)
		e = read_id(gp, 0x20, &o);
	CHECK(e == LA_OK && o.size == 18 && memcmp(o.data, "hello, there world", 18) == 0,
	      "a REF_DELTA on an object of another pack (%s)", la_strstatus(e));
	gitpack_obj_free(&o);
	gitpack_free(gp);

	/* Not a pack or its index. */
	static const struct {
		const char *what, *pack, *idx;
		size_t pn, in;
	} bad[] = {
		{"an empty pack and index", "", "", 0, 0},
		{"an index of version 1", "PACK\0\0\0\2\0\0\0\0", "\377tOc\0\0\0\1", 12, 8},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		e = gitpack_new(&gp, GITPACK_BASE_CACHE, &err);
		if (!e)
			e = gitpack_add(gp, memfd_of((const unsigned char *)bad[i].pack, bad[i].pn),
			                memfd_of((const unsigned char *)bad[i].idx, bad[i].in),
			                &err);
		CHECK(e == LA_EINVAL && gitpack_count(gp) == 0, "%s: refused", bad[i].what);
		gitpack_free(gp);
	}
}

static void test_paths(void)
{
	char out[32];
	CHECK(gitpack_repo_path(out, sizeof out, "/a/inbox", 12) &&
	              strcmp(out, "/a/inbox/git/12.git") == 0,
	      "an epoch's repository: INBOX/git/N.git");
	CHECK(gitpack_repo_path(out, sizeof out, "/a/v1", -1) && strcmp(out, "/a/v1") == 0,
	      "a v1 inbox is its own repository");
	CHECK(!gitpack_repo_path(out, 19, "/a/inbox", 12) &&
	              gitpack_repo_path(out, 20, "/a/inbox", 12),
	      "a path that does not fit is refused, one that just fits is not");
	unsetenv("LISTARC_GITPACK");
	CHECK(gitpack_enabled(), "the pack reader is on by default");
	setenv("LISTARC_GITPACK", "0", 1);
	CHECK(!gitpack_enabled(), "LISTARC_GITPACK=0 turns it off");
	unsetenv("LISTARC_GITPACK");
}

/* `git rev-parse REV` in repo, as bytes; false if it has none. */
static bool rev_parse(const char *repo, const char *rev, unsigned char id[GITREF_OID])
{
	char cmd[600], hex[64] = "";
	snprintf(cmd, sizeof cmd, "git -C '%s' rev-parse -q --verify '%s' 2>/dev/null", repo, rev);
	FILE *f = popen(cmd, "r");
	bool ok = f && fgets(hex, sizeof hex, f) && strlen(hex) >= 40;
	if (f)
		pclose(f);
	if (ok)
		unhex(hex, id);
	return ok;
}

/* HEAD as gitref.c reads it, against git's own answer. */
static void test_refs(void)
{
	char b[256];
	snprintf(b, sizeof b, "%s/refs.git", top);
	unsigned char id[GITREF_OID], want[GITREF_OID];
	struct la_err err = {0};
	int rc = sh("git init -q --bare -b master '%s'", b);
	CHECK(rc == 0 && gitref_head(b, id, &err) == LA_ENOTFOUND,
	      "refs: an empty repository's HEAD is an unborn branch");
	rc = sh("cd '%s' && t=$(printf '100644 blob %%s\\tm\\n' $(echo a | git hash-object -w "
	        "--stdin) | git mktree) && c=$(echo c | GIT_AUTHOR_NAME=a "
	        "GIT_AUTHOR_EMAIL=a@example.org GIT_COMMITTER_NAME=a "
	        "GIT_COMMITTER_EMAIL=a@example.org git commit-tree $t) && git update-ref "
	        "refs/heads/master $c && git tag v1 $c",
	        b);
	CHECK(rc == 0 && rev_parse(b, "HEAD", want) && gitref_head(b, id, &err) == LA_OK &&
	              memcmp(id, want, GITREF_OID) == 0,
	      "refs: HEAD through its loose branch, as git reads it");
	rc = sh("git -C '%s' pack-refs --all && test ! -e '%s/refs/heads/master' && "
	        "grep -q refs/heads/master '%s/packed-refs'",
	        b, b, b);
	CHECK(rc == 0 && gitref_head(b, id, &err) == LA_OK && memcmp(id, want, GITREF_OID) == 0,
	      "refs: ...and through packed-refs, once git packed it");
	rc = sh("git -C '%s' symbolic-ref refs/heads/alias refs/heads/master && "
	        "git -C '%s' symbolic-ref HEAD refs/heads/alias",
	        b, b);
	CHECK(rc == 0 && gitref_head(b, id, &err) == LA_OK && memcmp(id, want, GITREF_OID) == 0,
	      "refs: a symbolic ref to a symbolic ref");
	rc = sh("git -C '%s' update-ref --no-deref HEAD refs/heads/master", b);
	CHECK(rc == 0 && gitref_head(b, id, &err) == LA_OK && memcmp(id, want, GITREF_OID) == 0,
	      "refs: a detached HEAD");
	static const struct {
		const char *head, *what;
	} bad[] = {
		{"ref: refs/../../../etc/passwd\n", "a name that leaves refs/"},
		{"ref: /etc/passwd\n", "an absolute path"},
		{"ref: refs/heads/.invalid\n", "a reftable's HEAD"},
		{"ref: refs/heads/loop\n", "a loop of symbolic refs"},
		{"0123456789abcdef\n", "an id cut short"},
		{"", "an empty file"},
	};
	sh("mkdir -p '%s/refs/heads' && echo 'ref: refs/heads/loop' > '%s/refs/heads/loop'", b, b);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sh("printf '%s' > '%s/HEAD'", bad[i].head, b);
		struct la_err e2 = {0};
		CHECK(gitref_head(b, id, &e2) == LA_EINVAL && e2.msg[0], "refs: %s: refused (%s)",
		      bad[i].what, e2.msg);
	}
	sh("head -c 10000 /dev/zero | tr '\\0' a > '%s/HEAD'", b);
	struct la_err e3 = {0};
	CHECK(gitref_head(b, id, &e3) == LA_EINVAL && strstr(e3.msg, "longer"),
	      "refs: a HEAD of 10,000 bytes: refused, read no further (%s)", e3.msg);
	sh("rm '%s/HEAD'", b);
	CHECK(gitref_head(b, id, &err) == LA_EINVAL, "refs: no HEAD: not a repository");
}

int main(void)
{
	test_paths();
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	test_hand();
	test_git();
	test_refs();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return check_status();
}
