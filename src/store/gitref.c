/* gitref.c: HEAD resolved from a bare repository's files (gitref.h). */
#include "store/gitref.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/hex.h"
#include "util/io.h"

/* Is name[0..n) a ref's name git could have written: under refs/, its
 * components not empty, not starting with '.', not ending with ".lock",
 * no "..", and none of the characters git refuses (control, space, ~ ^
 * : ? * [ \)?  (So a path made of it stays inside the repository.) */
static bool ref_name_ok(const char *name, size_t n)
{
	if (n < 6 || n > GITREF_NAME_MAX || strncmp(name, "refs/", 5) != 0)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || name[i] == '/') {
			size_t len = i - start;
			if (len == 0 || name[start] == '.' ||
			    (len >= 5 && memcmp(name + i - 5, ".lock", 5) == 0))
				return false;
			start = i + 1;
			continue;
		}
		unsigned char c = (unsigned char)name[i];
		if (c < 0x21 || c == 0x7f || strchr("~^:?*[\\", c) ||
		    (c == '.' && i + 1 < n && name[i + 1] == '.'))
			return false;
	}
	return true;
}

enum la_status gitref_parse(const char *p, size_t n, unsigned char id[GITREF_OID], char *sym,
                            size_t symn)
{
	if (symn)
		sym[0] = '\0';
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (n >= 5 && memcmp(p, "ref: ", 5) == 0) {
		const char *name = p + 5;
		size_t k = n - 5;
		while (k > 0 && *name == ' ') {
			name++;
			k--;
		}
		if (!ref_name_ok(name, k) || k + 1 > symn)
			return LA_EINVAL;
		memcpy(sym, name, k);
		sym[k] = '\0';
		return LA_OK;
	}
	if (n != 2 * GITREF_OID || !hex_decode(p, GITREF_OID, id))
		return LA_EINVAL;
	return LA_OK;
}

bool gitref_packed_line(const char *line, size_t n, const char *name, unsigned char id[GITREF_OID])
{
	size_t k = strlen(name);
	return n == 2 * GITREF_OID + 1 + k && line[2 * GITREF_OID] == ' ' &&
	       memcmp(line + 2 * GITREF_OID + 1, name, k) == 0 && hex_decode(line, GITREF_OID, id);
}

/* The file repo/name's bytes into buf (at most GITREF_FILE_MAX; *got).
 * LA_ENOTFOUND if it does not exist; LA_EINVAL if it is longer. */
static enum la_status read_small(const char *repo, const char *name, char *buf, size_t *got,
                                 struct la_err *err)
{
	char path[4200];
	if (snprintf(path, sizeof path, "%s/%s", repo, name) >= (int)sizeof path)
		return la_err_set(err, LA_EINVAL, "%s/%s: path too long", repo, name);
	/* (HEAD may be a symbolic link to its branch: git's old way.) */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR
		               ? LA_ENOTFOUND
		               : la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	enum la_status e = io_read_full(fd, buf, GITREF_FILE_MAX + 1, got);
	close(fd);
	if (e)
		return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	if (*got > GITREF_FILE_MAX)
		return la_err_set(err, LA_EINVAL, "%s: longer than a ref (%d bytes)", path,
		                  GITREF_FILE_MAX);
	return LA_OK;
}

/* name's id from repo/packed-refs: LA_ENOTFOUND if it has none (or
 * there is no such file). */
static enum la_status packed_find(const char *repo, const char *name, unsigned char id[GITREF_OID],
                                  struct la_err *err)
{
	char path[4200];
	if (snprintf(path, sizeof path, "%s/packed-refs", repo) >= (int)sizeof path)
		return la_err_set(err, LA_EINVAL, "%s/packed-refs: path too long", repo);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? LA_ENOTFOUND
		                       : la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	char line[GITREF_LINE_MAX + 2];
	bool whole = true; /* the piece read starts a line */
	enum la_status e = LA_ENOTFOUND;
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		bool ends = n > 0 && line[n - 1] == '\n';
		if (whole && ends && gitref_packed_line(line, n - 1, name, id)) {
			e = LA_OK;
			break;
		}
		whole = ends; /* (the rest of a longer line is skipped) */
	}
	if (e == LA_ENOTFOUND && ferror(f))
		e = la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	fclose(f);
	return e;
}

enum la_status gitref_head(const char *repo, unsigned char id[GITREF_OID], struct la_err *err)
{
	char name[GITREF_NAME_MAX + 1] = "HEAD";
	char buf[GITREF_FILE_MAX + 1];
	for (int depth = 0; depth <= GITREF_DEPTH_MAX; depth++) {
		size_t got = 0;
		enum la_status e = read_small(repo, name, buf, &got, err);
		if (e == LA_ENOTFOUND && depth == 0)
			return la_err_set(err, LA_EINVAL, "%s: no HEAD: not a repository", repo);
		if (e == LA_ENOTFOUND) /* (a packed ref is never symbolic) */
			return packed_find(repo, name, id, err); /* LA_ENOTFOUND: unborn */
		if (e)
			return e;
		char sym[GITREF_NAME_MAX + 1];
		if (gitref_parse(buf, got, id, sym, sizeof sym) != LA_OK)
			return la_err_set(err, LA_EINVAL, "%s/%s: not a ref git writes", repo,
			                  name);
		if (!sym[0])
			return LA_OK;
		memcpy(name, sym, strlen(sym) + 1);
	}
	return la_err_set(err, LA_EINVAL, "%s: HEAD: symbolic refs more than %d deep", repo,
	                  GITREF_DEPTH_MAX);
}
