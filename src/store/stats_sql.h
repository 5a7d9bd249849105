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
 * some sender's.  Triggers on messages keep the tables true whatever
 * writes it (store_add, a thread merge, hide and unhide, a public-inbox
 * deletion, a purge), in the writer's own transaction: they commit or
 * roll back with the messages.  An index made before them gets them once
 * (stats_fill, meta stats = 1). */
#ifndef LISTARC_STATS_SQL_H
#define LISTARC_STATS_SQL_H

/* (HIDDEN_BIT_SQL is store_int.h's.) */
#define ST_VISIBLE(r) "(" r ".flags & " HIDDEN_BIT_SQL " = 0)"
/* The three periods a message counts in. */
#define ST_PERIODS(r) "(0, " r ".day / 10000, " r ".day / 100)"
#define ST_PERIOD_ROWS(r) \
	"(SELECT 0 AS p UNION ALL SELECT " r ".day / 10000 UNION ALL SELECT " r ".day / 100)"
#define ST_SENDER_ID(r) \
	"(SELECT id FROM senders WHERE list_id = " r ".list_id AND addr = lower(" r ".from_addr))"

/* Row r (NEW) counted as a sender's message. */
#define ST_ADD_SENDER(r)                                                                           \
	"INSERT INTO senders(list_id, addr, name, n, last_ts) SELECT " r ".list_id, lower(" r      \
	".from_addr), " r ".from_name, 1, " r ".ts WHERE " r ".from_addr <> ''"                    \
	" ON CONFLICT(list_id, addr) DO UPDATE SET n = n + 1,"                                     \
	" name = CASE WHEN excluded.last_ts >= last_ts AND excluded.name <> '' THEN excluded.name" \
	" ELSE name END, last_ts = max(last_ts, excluded.last_ts);"                                \
	"INSERT INTO stat_senders(list_id, period, sender, n) SELECT " r ".list_id, p.p, s.id, 1"  \
	" FROM senders s, " ST_PERIOD_ROWS(r) " p WHERE s.list_id = " r ".list_id"                 \
					      " AND s.addr = lower(" r ".from_addr) AND " r        \
					      ".from_addr <> ''"                                   \
					      " ON CONFLICT DO UPDATE SET n = n + 1;"

/* Row r (NEW) counted in its thread. */
#define ST_ADD_THREAD(r)                                                                                           \
	"INSERT INTO stat_threads(list_id, period, thread, n) SELECT " r ".list_id, p.p, " r                       \
	".thread, 1 FROM " ST_PERIOD_ROWS(                                                                         \
		r) " p WHERE true ON CONFLICT DO UPDATE SET n = n + 1;"                                            \
		   "INSERT INTO thread_senders(list_id, thread, sender, n) SELECT " r                              \
		   ".list_id, " r ".thread, s.id, 1 FROM senders s WHERE s.list_id = " r                           \
		   ".list_id AND s.addr = lower(" r ".from_addr) AND " r                                           \
		   ".from_addr <> '' ON CONFLICT DO UPDATE SET n = n + 1;"                                         \
		   "INSERT INTO topics(list_id, thread, n, senders, first_ts, last_ts, starter) SELECT " r         \
		   ".list_id, " r ".thread, 1, " ST_THREAD_SENDERS(                                                \
			   r) ", " r ".ts, " r ".ts, " r ".id"                                                     \
			      " WHERE true ON CONFLICT DO UPDATE SET n = n + 1, senders = excluded.senders,"       \
			      " starter = CASE WHEN excluded.first_ts < first_ts OR (excluded.first_ts = first_ts" \
			      " AND excluded.starter < starter) THEN excluded.starter ELSE starter END,"           \
			      " first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts);"
#define ST_THREAD_SENDERS(r)                                                                 \
	"(SELECT count(*) FROM thread_senders WHERE list_id = " r ".list_id AND thread = " r \
	".thread)"

/* Row r (OLD) no longer counted as its sender's. */
#define ST_DEL_SENDER(r)                                                                  \
	"UPDATE senders SET n = n - 1 WHERE list_id = " r ".list_id AND addr = lower(" r  \
	".from_addr);"                                                                    \
	"UPDATE stat_senders SET n = n - 1 WHERE list_id = " r                            \
	".list_id AND period IN " ST_PERIODS(r) " AND sender = " ST_SENDER_ID(            \
		r) ";"                                                                    \
		   "DELETE FROM stat_senders WHERE list_id = " r                          \
		   ".list_id AND period IN " ST_PERIODS(r) " AND sender = " ST_SENDER_ID( \
			   r) " AND n <= 0;"

/* The thread's first or last visible message of the list, in delivery
 * order (messages_thread), after row r has left it. */
#define ST_THREAD_END(r, col, dir)                                                         \
	"(SELECT " col " FROM messages m WHERE m.thread = " r ".thread AND m.list_id = " r \
	".list_id AND " ST_VISIBLE("m") " ORDER BY m.ts " dir ", m.id " dir " LIMIT 1)"

/* Row r (OLD) no longer counted in its thread (deleted, hidden, or moved
 * to another thread: it is no longer among the thread's visible rows). */
#define ST_DEL_THREAD(r)                                                                                                                                  \
	"UPDATE stat_threads SET n = n - 1 WHERE list_id = " r                                                                                            \
	".list_id AND period IN " ST_PERIODS(                                                                                                             \
		r) " AND thread = " r ".thread;"                                                                                                          \
		   "DELETE FROM stat_threads WHERE list_id = " r                                                                                          \
		   ".list_id AND period IN " ST_PERIODS(                                                                                                  \
			   r) " AND thread = " r ".thread AND n <= 0;"                                                                                    \
			      "UPDATE thread_senders SET n = n - 1 WHERE list_id = " r                                                                    \
			      ".list_id AND thread = " r ".thread AND sender = " ST_SENDER_ID(                                                            \
				      r) ";"                                                                                                              \
					 "DELETE FROM thread_senders WHERE list_id = " r                                                                  \
					 ".list_id AND thread = " r ".thread"                                                                             \
					 " AND sender = " ST_SENDER_ID(                                                                                   \
						 r) " AND n <= 0;"                                                                                        \
						    "UPDATE topics SET n = n - 1, senders = " ST_THREAD_SENDERS(                                          \
							    r) ","                                                                                        \
							       " first_ts = CASE WHEN " r                                                                 \
							       ".ts > first_ts THEN first_ts ELSE coalesce(" ST_THREAD_END(                               \
								       r, "ts",                                                                           \
								       "ASC") ", first_ts) END,"                                                          \
									      " last_ts = CASE WHEN " r                                                   \
									      ".ts < last_ts THEN last_ts ELSE coalesce(" ST_THREAD_END(                  \
										      r, "ts",                                                            \
										      "DESC") ", last_ts) END,"                                           \
											      " starter = CASE WHEN " r                                   \
											      ".id <> starter THEN starter ELSE coalesce(" ST_THREAD_END( \
												      r,                                                  \
												      "id",                                               \
												      "ASC") ", starter) END"                             \
													     " WHERE list_id = " r                        \
													     ".list_id AND thread = " r                   \
													     ".thread;"                                   \
													     "DELETE FROM topics WHERE list_id = " r      \
													     ".list_id AND thread = " r                   \
													     ".thread AND n <= 0;"

/* A list's figures dropped before its messages are (a purge, a list
 * removed), so that the triggers find nothing left to update; ID is the
 * list's id as a printf conversion ("%lld", "%1$lld"). */
#define STATS_PURGE(ID)                                      \
	"DELETE FROM stat_senders WHERE list_id = " ID ";"   \
	"DELETE FROM stat_threads WHERE list_id = " ID ";"   \
	"DELETE FROM thread_senders WHERE list_id = " ID ";" \
	"DELETE FROM topics WHERE list_id = " ID ";"         \
	"DELETE FROM senders WHERE list_id = " ID ";"

#define STATS_SQL                                                                                                                                                                  \
	"CREATE TABLE IF NOT EXISTS senders(id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,"                                                                                     \
	" addr TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', n INTEGER NOT NULL DEFAULT 0,"                                                                                        \
	" last_ts INTEGER NOT NULL DEFAULT 0, hash TEXT, UNIQUE(list_id, addr));\n"                                                                                                \
	"CREATE INDEX IF NOT EXISTS senders_hash ON senders(list_id, hash);\n"                                                                                                     \
	"CREATE INDEX IF NOT EXISTS senders_unhashed ON senders(id) WHERE hash IS NULL;\n"                                                                                         \
	"CREATE TABLE IF NOT EXISTS stat_senders(list_id INTEGER NOT NULL, period INTEGER NOT NULL,"                                                                               \
	" sender INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(list_id, period, sender))"                                                                                      \
	" WITHOUT ROWID;\n"                                                                                                                                                        \
	"CREATE INDEX IF NOT EXISTS stat_senders_top ON stat_senders(list_id, period, n);\n"                                                                                       \
	"CREATE TABLE IF NOT EXISTS stat_threads(list_id INTEGER NOT NULL, period INTEGER NOT NULL,"                                                                               \
	" thread INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(list_id, period, thread))"                                                                                      \
	" WITHOUT ROWID;\n"                                                                                                                                                        \
	"CREATE INDEX IF NOT EXISTS stat_threads_top ON stat_threads(list_id, period, n);\n"                                                                                       \
	"CREATE TABLE IF NOT EXISTS topics(list_id INTEGER NOT NULL, thread INTEGER NOT NULL,"                                                                                     \
	" n INTEGER NOT NULL, senders INTEGER NOT NULL, first_ts INTEGER NOT NULL,"                                                                                                \
	" last_ts INTEGER NOT NULL, starter INTEGER NOT NULL, PRIMARY KEY(list_id, thread))"                                                                                       \
	" WITHOUT ROWID;\n"                                                                                                                                                        \
	"CREATE INDEX IF NOT EXISTS topics_last ON topics(list_id, last_ts);\n"                                                                                                    \
	"CREATE INDEX IF NOT EXISTS topics_first ON topics(list_id, first_ts);\n"                                                                                                  \
	"CREATE TABLE IF NOT EXISTS thread_senders(list_id INTEGER NOT NULL,"                                                                                                      \
	" thread INTEGER NOT NULL, sender INTEGER NOT NULL, n INTEGER NOT NULL,"                                                                                                   \
	" PRIMARY KEY(list_id, thread, sender)) WITHOUT ROWID;\n"                                                                                                                  \
	"CREATE INDEX IF NOT EXISTS thread_senders_by ON thread_senders(list_id, sender);\n" /* A                                                                                  \
	                                                                                        sender's                                                                           \
	                                                                                        messages,                                                                          \
	                                                                                        newest                                                                             \
	                                                                                        first                                                                              \
	                                                                                        (the                                                                               \
	                                                                                        sender                                                                             \
	                                                                                        page).                                                                             \
	                                                                                      */                                                                                   \
	"CREATE INDEX IF NOT EXISTS messages_from ON messages(list_id, lower(from_addr), day, num);\n"                                                                             \
	"CREATE TRIGGER IF NOT EXISTS stats_add AFTER INSERT ON messages WHEN " ST_VISIBLE("NEW") " BEGIN " ST_ADD_SENDER("NEW") ST_ADD_THREAD(                                    \
		"NEW") " END;\n"                                                                                                                                                   \
		       "CREATE TRIGGER IF NOT EXISTS stats_del AFTER DELETE ON messages WHEN " ST_VISIBLE(                                                                         \
			       "OLD") " BEGIN " ST_DEL_SENDER("OLD")                                                                                                               \
			       ST_DEL_THREAD(                                                                                                                                      \
				       "OLD") " END;\n"                                                                                                                            \
					      "CREATE TRIGGER IF NOT EXISTS stats_hide AFTER UPDATE OF flags ON messages WHEN " ST_VISIBLE(                                        \
						      "OLD") " AND NOT " ST_VISIBLE("NEW") " BEGIN " ST_DEL_SENDER("OLD")                                                          \
						      ST_DEL_THREAD(                                                                                                               \
							      "OLD") " END;\n"                                                                                                     \
								     "CREATE TRIGGER IF NOT EXISTS stats_unhide AFTER UPDATE OF flags ON messages WHEN NOT " ST_VISIBLE(           \
									     "OLD") " AND " ST_VISIBLE("NEW") " BEGIN " ST_ADD_SENDER("NEW")                                       \
									     ST_ADD_THREAD(                                                                                        \
										     "NEW") " END;\n"                                                                              \
											    "CREATE TRIGGER IF NOT EXISTS stats_rethread AFTER UPDATE OF thread ON messages WHEN " \
											    "OLD.thread <> NEW.thread AND " ST_VISIBLE("OLD") " AND " ST_VISIBLE(                  \
												    "NEW") " BEGIN " ST_DEL_THREAD("OLD")                                          \
												    ST_ADD_THREAD(                                                                 \
													    "NEW") " END;\n"

#endif
