/* bytes.c: a message's bytes, read from its source by offset and length
 * (the index holds only where they are). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox/mbox.h"
#include "store/store_int.h"
#include "util/io.h"

/* Opens the file holding message m: the mbox (a compressed one's
 * decompressed copy), the maildir file (which may have moved from new/ to
 * cur/ or changed its flags since), or the MH folder's file. */
int store_msg_open(struct store *st, const struct store_msg *m, uint64_t *size)
{
	struct store_source src;
	if (store_source_get(st, m->source_id, &src))
		return -1;
	int fd = -1;
	if (src.kind == SOURCE_MAILDIR) {
		/* "cur/NAME" or "new/NAME", opened through the maildir's own
		 * directories and never through a link (a cur/ replaced by a link
		 * elsewhere, a message file replaced by a link to /etc/passwd). */
		const char *name = m->file ? strchr(m->file, '/') : NULL;
		if (!name || strchr(name + 1, '/') || !strcmp(name + 1, "..") ||
		    !strcmp(name + 1, ".") ||
		    (strncmp(m->file, "cur/", 4) && strncmp(m->file, "new/", 4)))
			return -1;
		name++;
		static const char *const sub[] = {"cur", "new"};
		int first = strncmp(m->file, "cur/", 4) == 0 ? 0 : 1;
		int dfd = maildir_open_sub(src.path, sub[first]);
		if (dfd >= 0) {
			fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			close(dfd);
		}
		if (fd < 0 && errno == ENOENT) {
			/* Moved between new/ and cur/, or its flags changed: the
			 * same unique name, up to the ':'. */
			size_t ulen = strcspn(name, ":");
			for (int i = 0; i < 2 && fd < 0; i++) {
				int sfd = maildir_open_sub(src.path, sub[i]);
				DIR *dir = sfd >= 0 ? fdopendir(sfd) : NULL;
				if (!dir && sfd >= 0)
					close(sfd);
				struct dirent *de;
				while (dir && (de = readdir(dir))) {
					if (strncmp(de->d_name, name, ulen) == 0 &&
					    (de->d_name[ulen] == ':' || de->d_name[ulen] == '\0')) {
						fd = openat(dirfd(dir), de->d_name,
						            O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
						break;
					}
				}
				if (dir)
					closedir(dir);
			}
		}
	} else if (src.kind == SOURCE_MH) {
		/* A message file of an MH folder: a number, nothing else, opened
		 * in the folder and never through a link. */
		const char *name = m->file;
		size_t k = name ? strspn(name, "0123456789") : 0;
		if (k == 0 || k > 9 || name[k])
			return -1;
		int dfd = open(src.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			close(dfd);
		}
	} else if (src.kind == SOURCE_GIT) {
		/* A public-inbox message: its blob, read from git. */
		uint64_t n;
		fd = st_git_blob_fd(st, src.path, m->file, &n);
	} else {
		/* A compressed source is read through its decompressed copy. */
		fd = open(src.copy[0] ? src.copy : src.path, O_RDONLY | O_CLOEXEC);
	}
	struct stat sb;
	if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
		close(fd);
		return -1;
	}
	if (fd >= 0)
		*size = (uint64_t)sb.st_size;
	return fd;
}

/* Reads bytes [off, off+n) of fd into a malloc'd buffer (NUL-terminated). */
static char *read_range(int fd, uint64_t off, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	size_t got = 0;
	if (io_pread_full(fd, p, n, off, &got) || got != n) {
		free(p);
		return NULL;
	}
	p[n] = '\0';
	return p;
}

/* Does raw[0..n), read at m's offset, hold the message of Message-ID
 * m->msgid?  (If memory runs out it cannot tell, and says yes: the size
 * checks still hold.) */
static bool same_message(const struct store_msg *m, const char *raw, size_t n)
{
	char id[MSGID_MAX + 1];
	msg_index_id(raw, n, m->len, id);
	return strcmp(id, m->msgid) == 0;
}

bool store_msg_quoted(const struct store_msg *m)
{
	/* Only a maildir's or an MH folder's message, or a git blob, has a
	 * file name. */
	return m->file == NULL;
}

enum la_status store_msg_read_fd(int fd, const struct store_msg *m, size_t max, struct buf *out)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return LA_EIO;
	uint64_t size = (uint64_t)sb.st_size;
	/* The index is input too: never read past the file. */
	if (m->off > size || m->len > size - m->off)
		return LA_ECHANGED;
	size_t n = m->len < max ? (size_t)m->len : max;
	char *raw = read_range(fd, m->off, n);
	if (!raw)
		return LA_EIO;
	/* The bytes must still be the message indexed here: an mbox cut and
	 * written again, or replaced by another, can hold a different message
	 * at the same offset, and its page must not show under this URL. */
	if (m->msgid && n >= (m->len < HEAD_MAX ? m->len : HEAD_MAX) && !same_message(m, raw, n)) {
		free(raw);
		return LA_ECHANGED;
	}
	if (store_msg_quoted(m))
		mbox_unquote(out, raw, n);
	else
		buf_add(out, raw, n);
	free(raw);
	return out->err;
}

enum la_status store_msg_read(struct store *st, const struct store_msg *m, size_t max,
                              struct buf *out)
{
	uint64_t size;
	int fd = store_msg_open(st, m, &size);
	if (fd < 0)
		return LA_EIO;
	enum la_status e = store_msg_read_fd(fd, m, max, out);
	close(fd);
	return e;
}
