/* stats_sql.h: the schema of a list's figures (stage-internal; store.c
 * puts it in the schema, stats.c reads and fills it).
 *
 * What the list, year, month, topics and sender pages show is counted
 * here as messages come and go, so that a page reads a few rows rather
 * than counting a list's messages:
 *   senders        a list's senders, by address (SQLite's lower(): ASCII
 *                  letters only), with the name of their latest message,
 *                  their messages, and the key of their page (hash: the
 *                  first 16 hex digits of the SHA-1 of that address;
 *                  stats.c sets it at commit, as SQL cannot compute it)
 *   stat_senders   messages per (list, period, sender)
 *   stat_threads   messages per (list, period, thread)
 *                  (period: 0 the list's whole life, yyyy a year, yyyymm
 *                  a month)
 *   topics         per (list, thread): messages, senders, first and last
 *                  delivery time, its first message (the starter)
 *   thread_senders messages per (list, thread, sender)
 * Only messages not hidden count, and only those with an address count as
 * some sender's.  Every change is noted as a row of stats_delta: a
 * message added by store_add, kept in memory (stats_note_add) and written
 * before any other change (stats_flush), so that the rows keep the order
 * of the changes, or at commit held in memory and counted where it
 * would have been written (stats_hold); every other change by triggers on
 * messages, whatever makes it (a thread merge, hide and unhide, a
 * public-inbox deletion, a purge).  (A trigger on the insert made each
 * one a statement that needs a statement journal, and FTS5 flushes its
 * pending words at each.)  store_commit adds them up into the tables
 * (stats_apply: read once and added up in memory, each row touched
 * written once a batch, in key order) in the same
 * transaction, so the figures commit or roll back with the messages and
 * a reader never sees them apart.  An index made before them gets them once
 * (stats_fill, meta stats = 1). */
#ifndef LISTARC_STATS_SQL_H
#define LISTARC_STATS_SQL_H

/* (HIDDEN_BIT_SQL is store_int.h's.) */
#define ST_VISIBLE(r) "(" r ".flags & " HIDDEN_BIT_SQL " = 0)"

/* A change of row r, counted d (1 or -1); moved: it only changed thread
 * (its sender's counts stay). */
#define ST_DELTA(r, d, moved)                                                               \
	"INSERT INTO stats_delta(list_id, thread, addr, name, day, ts, d, moved) VALUES(" r \
	".list_id, " r ".thread, " r ".from_addr, " r ".from_name, " r ".day, " r ".ts, " d \
	", " moved ");"

/* A list's figures dropped with its messages (a purge, a list removed);
 * ID is the list's id as a printf conversion ("%lld", "%1$lld"). */
#define STATS_PURGE(ID)                                      \
	"DELETE FROM stat_senders WHERE list_id = " ID ";"   \
	"DELETE FROM stat_threads WHERE list_id = " ID ";"   \
	"DELETE FROM thread_senders WHERE list_id = " ID ";" \
	"DELETE FROM topics WHERE list_id = " ID ";"         \
	"DELETE FROM senders WHERE list_id = " ID ";"        \
	"DELETE FROM stats_delta WHERE list_id = " ID ";"

#define STATS_SQL                                                                                                                                                          \
	"CREATE TABLE IF NOT EXISTS senders(id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,"                                                                             \
	" addr TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', n INTEGER NOT NULL DEFAULT 0,"                                                                                \
	" last_ts INTEGER NOT NULL DEFAULT 0, hash TEXT, UNIQUE(list_id, addr));\n"                                                                                        \
	"CREATE INDEX IF NOT EXISTS senders_hash ON senders(list_id, hash);\n"                                                                                             \
	"CREATE INDEX IF NOT EXISTS senders_unhashed ON senders(id) WHERE hash IS NULL;\n"                                                                                 \
	"CREATE TABLE IF NOT EXISTS stat_senders(list_id INTEGER NOT NULL, period INTEGER NOT NULL,"                                                                       \
	" sender INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(list_id, period, sender))"                                                                              \
	" WITHOUT ROWID;\n"                                                                                                                                                \
	"CREATE INDEX IF NOT EXISTS stat_senders_top ON stat_senders(list_id, period, n);\n"                                                                               \
	"CREATE INDEX IF NOT EXISTS stat_senders_zero ON stat_senders(list_id) WHERE n <= 0;\n"                                                                            \
	"CREATE TABLE IF NOT EXISTS stat_threads(list_id INTEGER NOT NULL, period INTEGER NOT NULL,"                                                                       \
	" thread INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(list_id, period, thread))"                                                                              \
	" WITHOUT ROWID;\n"                                                                                                                                                \
	"CREATE INDEX IF NOT EXISTS stat_threads_top ON stat_threads(list_id, period, n);\n"                                                                               \
	"CREATE INDEX IF NOT EXISTS stat_threads_zero ON stat_threads(list_id) WHERE n <= 0;\n"                                                                            \
	"CREATE TABLE IF NOT EXISTS topics(list_id INTEGER NOT NULL, thread INTEGER NOT NULL,"                                                                             \
	" n INTEGER NOT NULL, senders INTEGER NOT NULL, first_ts INTEGER NOT NULL,"                                                                                        \
	" last_ts INTEGER NOT NULL, starter INTEGER NOT NULL, PRIMARY KEY(list_id, thread))"                                                                               \
	" WITHOUT ROWID;\n"                                                                                                                                                \
	"CREATE INDEX IF NOT EXISTS topics_last ON topics(list_id, last_ts);\n"                                                                                            \
	"CREATE INDEX IF NOT EXISTS topics_first ON topics(list_id, first_ts);\n"                                                                                          \
	"CREATE TABLE IF NOT EXISTS thread_senders(list_id INTEGER NOT NULL,"                                                                                              \
	" thread INTEGER NOT NULL, sender INTEGER NOT NULL, n INTEGER NOT NULL,"                                                                                           \
	" PRIMARY KEY(list_id, thread, sender)) WITHOUT ROWID;\n"                                                                                                          \
	"CREATE INDEX IF NOT EXISTS thread_senders_by ON thread_senders(list_id, sender);\n"                                                                               \
	"CREATE INDEX IF NOT EXISTS thread_senders_zero ON thread_senders(list_id) WHERE n <= 0;\n" /* Changes not yet counted: each message shown, hidden, removed or     \
	                                                                                             * moved to another thread adds a row; store_commit counts them        \
	                                                                                             * (stats_apply) and empties it. */                                    \
	"CREATE TABLE IF NOT EXISTS stats_delta(list_id INTEGER NOT NULL, thread INTEGER NOT NULL,"                                                                        \
	" addr TEXT NOT NULL, name TEXT NOT NULL, day INTEGER NOT NULL, ts INTEGER NOT NULL,"                                                                              \
	" d INTEGER NOT NULL, moved INTEGER NOT NULL);\n" /* A sender's messages, newest first                                                                             \
	                                                     (the sender page). */                                                                                         \
	"CREATE INDEX IF NOT EXISTS messages_from ON messages(list_id, lower(from_addr), day, num);\n" /* Messages added are noted by store_add (stats_note_add), not by a \
	                                                                                                * trigger: an index made when one did loses it. */                 \
	"DROP TRIGGER IF EXISTS stats_add;\n"                                                                                                                              \
	"CREATE TRIGGER IF NOT EXISTS stats_del AFTER DELETE ON messages WHEN " ST_VISIBLE("OLD") " BEGIN " ST_DELTA(                                                      \
		"OLD", "-1",                                                                                                                                               \
		"0") " END;\n"                                                                                                                                             \
		     "CREATE TRIGGER IF NOT EXISTS stats_hide AFTER UPDATE OF flags ON messages WHEN " ST_VISIBLE("OLD") " AND NOT " ST_VISIBLE("NEW") " BEGIN " ST_DELTA( \
			     "OLD", "-1",                                                                                                                                  \
			     "0") " END;\n"                                                                                                                                \
				  "CREATE TRIGGER IF NOT EXISTS stats_unhide AFTER UPDATE OF flags ON messages WHEN NOT " ST_VISIBLE("OLD") " AND " ST_VISIBLE(            \
					  "NEW") " BEGIN " ST_DELTA("NEW", "1",                                                                                            \
	                                                            "0") " END;\n"                                                                                         \
									 "CREATE TRIGGER IF NOT EXISTS stats_rethread AFTER UPDATE OF thread ON messages WHEN "            \
									 "OLD.thread <> NEW.thread AND " ST_VISIBLE("OLD") " AND " ST_VISIBLE(                             \
										 "NEW") " BEGIN " ST_DELTA("OLD",                                                          \
	                                                                                                   "-1",                                                           \
	                                                                                                   "1")                                                            \
										 ST_DELTA(                                                                                 \
											 "NEW",                                                                            \
											 "1",                                                                              \
											 "1") " END;\n"

#endif
