/* legacy.c: what the redirects from other archivers' URLs need (render/
 * legacy.c): a list's messages in the order they were indexed, which is
 * pipermail's and MHonArc's numbering when the list was imported from
 * their files in order, and its Message-IDs, for HyperKitty's hashes. */
#include <string.h>

#include "store/store_int.h"

enum la_status store_list_nth(struct store *st, int64_t list_id, int64_t n, int *day, int *num)
{
	*day = *num = 0;
	if (n < 0)
		return LA_ENOTFOUND;
	sqlite3_stmt *s = NULL;
	/* By id: the order the messages were indexed in (ids only grow). */
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT day, num FROM messages WHERE list_id = ?1"
	                       " ORDER BY id LIMIT 1 OFFSET ?2",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int64(s, 2, n);
	int rc = sqlite3_step(s);
	enum la_status e = LA_ENOTFOUND;
	if (rc == SQLITE_ROW) {
		*day = sqlite3_column_int(s, 0);
		*num = sqlite3_column_int(s, 1);
		e = LA_OK;
	} else if (rc != SQLITE_DONE) {
		e = st_error(rc);
	}
	sqlite3_finalize(s);
	return e;
}

enum la_status store_list_msgids(struct store *st, int64_t list_id,
                                 bool (*fn)(const char *msgid, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT DISTINCT mids.mid FROM messages m JOIN mids ON mids.id = m.mid"
		    " WHERE m.list_id = ?1",
		    -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	sqlite3_bind_int64(s, 1, list_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *mid = (const char *)sqlite3_column_text(s, 0);
		if (!mid) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!fn(mid, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_list_ids_after(struct store *st, int64_t list_id, int64_t after, int64_t *ids,
                                    int max, int *n)
{
	*n = 0;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT id FROM messages WHERE list_id = ?1 AND id > ?2"
	                       " ORDER BY id LIMIT ?3",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int(s, 3, max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? LA_OK : st_error(rc);
}
