/* lazy.c: GMime, json-glib, GObject and libstemmer loaded on first use.
 * The binary does not link them: they and what they pull in (GIO, gpgme,
 * libidn2, libunistring, libmount, libselinux, libblkid, ...: 14 of the
 * 26 shared objects, two thirds of the loader's relocations) would be
 * loaded and bound before main by every process, though a no-op
 * `listarc index`, `listarc lists` or a month page never calls them
 * (libstemmer, linked statically, had 325 KB of tables to relocate at
 * every start: ~80 page faults of a no-op run's ~350).  Instead the binary
 * defines each function it calls from them, under its own name and type
 * (the library's header declares it: a wrong prototype does not
 * compile); the first call of a library's functions opens it (dlopen,
 * once) and each function's address is looked up on its first call.
 *
 * Only the binary links this file (docs/plugin.md); the tests, drivers
 * and fuzz targets link the libraries.  Adding a call to another
 * function of these libraries means a line below: the binary's link
 * fails until then (undefined reference).  The functions here are
 * hidden, so the libraries' own calls to themselves never come back to
 * them. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#pragma GCC visibility push(hidden)
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>
#include <libstemmer.h>
#pragma GCC visibility pop

/* Their sonames: the ABI the headers are of (GMime 3, json-glib 1,
 * GObject 2, Snowball's libstemmer as Debian names it). */
enum lib { LIB_GMIME, LIB_JSON, LIB_GOBJECT, LIB_STEMMER, LIB_N };
static const char *const lib_name[LIB_N] = {"libgmime-3.0.so.0", "libjson-glib-1.0.so.0",
                                            "libgobject-2.0.so.0", "libstemmer.so.0d"};

static void *lib_handle[LIB_N];
static pthread_once_t lib_once[LIB_N] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT,
                                         PTHREAD_ONCE_INIT};

/* As the dynamic loader does when a library is missing at start: the
 * process cannot go on (no function here has a way to fail). */
static void fail(const char *what)
{
	const char *d = dlerror();
	char line[768];
	int n = snprintf(line, sizeof line, "listarc: cannot load %s: %s\n", what,
	                 d ? d : "not found");
	if (n > 0)
		(void)!write(STDERR_FILENO, line,
		             (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	_exit(127);
}

static void open_gmime(void)
{
	lib_handle[LIB_GMIME] = dlopen(lib_name[LIB_GMIME], RTLD_NOW | RTLD_LOCAL);
}
static void open_json(void)
{
	lib_handle[LIB_JSON] = dlopen(lib_name[LIB_JSON], RTLD_NOW | RTLD_LOCAL);
}
static void open_gobject(void)
{
	lib_handle[LIB_GOBJECT] = dlopen(lib_name[LIB_GOBJECT], RTLD_NOW | RTLD_LOCAL);
}
static void open_stemmer(void)
{
	lib_handle[LIB_STEMMER] = dlopen(lib_name[LIB_STEMMER], RTLD_NOW | RTLD_LOCAL);
}
static void (*const lib_open[LIB_N])(void) = {open_gmime, open_json, open_gobject, open_stemmer};

/* The address of name in lib, opening lib first if no call has. */
static void *lazy_sym(enum lib lib, const char *name)
{
	pthread_once(&lib_once[lib], lib_open[lib]);
	if (!lib_handle[lib])
		fail(lib_name[lib]);
	void *p = dlsym(lib_handle[lib], name);
	if (!p)
		fail(name);
	return p;
}

/* One function: F's address is kept once found (two threads may both
 * look it up the first time: they find the same). */
#define LAZY_FN(L, F)                                                        \
	static __typeof__(&F) lazy_fn = NULL;                                \
	__typeof__(&F) lazy_f = __atomic_load_n(&lazy_fn, __ATOMIC_ACQUIRE); \
	if (!lazy_f) {                                                       \
		void *lazy_p = lazy_sym(L, #F);                              \
		memcpy(&lazy_f, &lazy_p, sizeof lazy_f);                     \
		__atomic_store_n(&lazy_fn, lazy_f, __ATOMIC_RELEASE);        \
	}
#define LAZY(L, R, F, P, A)      \
	R F P                    \
	{                        \
		LAZY_FN(L, F)    \
		return lazy_f A; \
	}
#define LAZY_VOID(L, F, P, A) \
	void F P              \
	{                     \
		LAZY_FN(L, F) \
		lazy_f A;     \
	}

/* ---- GMime ---- */
LAZY_VOID(LIB_GMIME, g_mime_init, (void), ())
LAZY(LIB_GMIME, int, g_mime_iconv_close, (iconv_t cd), (cd))
LAZY(LIB_GMIME, iconv_t, g_mime_iconv_open, (const char *to, const char *from), (to, from))

LAZY(LIB_GMIME, GMimeParserOptions *, g_mime_parser_options_new, (void), ())
LAZY_VOID(LIB_GMIME, g_mime_parser_options_set_address_compliance_mode,
          (GMimeParserOptions * o, GMimeRfcComplianceMode m), (o, m))
LAZY_VOID(LIB_GMIME, g_mime_parser_options_set_fallback_charsets,
          (GMimeParserOptions * o, const char **charsets), (o, charsets))
LAZY_VOID(LIB_GMIME, g_mime_parser_options_set_parameter_compliance_mode,
          (GMimeParserOptions * o, GMimeRfcComplianceMode m), (o, m))
LAZY_VOID(LIB_GMIME, g_mime_parser_options_set_rfc2047_compliance_mode,
          (GMimeParserOptions * o, GMimeRfcComplianceMode m), (o, m))
LAZY(LIB_GMIME, GMimeParser *, g_mime_parser_new_with_stream, (GMimeStream * s), (s))
LAZY_VOID(LIB_GMIME, g_mime_parser_set_format, (GMimeParser * p, GMimeFormat f), (p, f))
LAZY_VOID(LIB_GMIME, g_mime_parser_set_persist_stream, (GMimeParser * p, gboolean persist),
          (p, persist))
LAZY(LIB_GMIME, GMimeMessage *, g_mime_parser_construct_message,
     (GMimeParser * p, GMimeParserOptions *o), (p, o))

LAZY(LIB_GMIME, const char *, g_mime_content_disposition_get_parameter,
     (GMimeContentDisposition * d, const char *name), (d, name))
LAZY(LIB_GMIME, gboolean, g_mime_content_disposition_is_attachment, (GMimeContentDisposition * d),
     (d))
LAZY(LIB_GMIME, const char *, g_mime_content_type_get_media_subtype, (GMimeContentType * t), (t))
LAZY(LIB_GMIME, const char *, g_mime_content_type_get_media_type, (GMimeContentType * t), (t))
LAZY(LIB_GMIME, const char *, g_mime_content_type_get_parameter,
     (GMimeContentType * t, const char *name), (t, name))
LAZY(LIB_GMIME, GMimeContentType *, g_mime_content_type_parse,
     (GMimeParserOptions * o, const char *str), (o, str))
LAZY_VOID(LIB_GMIME, g_mime_encoding_init_decode, (GMimeEncoding * st, GMimeContentEncoding e),
          (st, e))
LAZY(LIB_GMIME, size_t, g_mime_encoding_outlen, (GMimeEncoding * st, size_t inlen), (st, inlen))
LAZY(LIB_GMIME, size_t, g_mime_encoding_step,
     (GMimeEncoding * st, const char *in, size_t inlen, char *out), (st, in, inlen, out))
LAZY(LIB_GMIME, size_t, g_mime_encoding_flush,
     (GMimeEncoding * st, const char *in, size_t inlen, char *out), (st, in, inlen, out))
LAZY(LIB_GMIME, char *, g_mime_utils_header_unfold, (const char *value), (value))
LAZY(LIB_GMIME, GMimeContentEncoding, g_mime_data_wrapper_get_encoding, (GMimeDataWrapper * w), (w))
LAZY(LIB_GMIME, GMimeStream *, g_mime_data_wrapper_get_stream, (GMimeDataWrapper * w), (w))
LAZY(LIB_GMIME, ssize_t, g_mime_data_wrapper_write_to_stream,
     (GMimeDataWrapper * w, GMimeStream *s), (w, s))
LAZY(LIB_GMIME, GMimeFilter *, g_mime_filter_basic_new, (GMimeContentEncoding e, gboolean encode),
     (e, encode))
LAZY(LIB_GMIME, const char *, g_mime_header_get_raw_value, (GMimeHeader * h), (h))
LAZY(LIB_GMIME, GMimeHeader *, g_mime_header_list_get_header,
     (GMimeHeaderList * l, const char *name), (l, name))
LAZY(LIB_GMIME, InternetAddressList *, g_mime_message_get_addresses,
     (GMimeMessage * m, GMimeAddressType t), (m, t))
LAZY(LIB_GMIME, GMimeObject *, g_mime_message_get_mime_part, (GMimeMessage * m), (m))
LAZY(LIB_GMIME, GMimeMessage *, g_mime_message_part_get_message, (GMimeMessagePart * p), (p))
LAZY(LIB_GMIME, GType, g_mime_message_part_get_type, (void), ())
LAZY(LIB_GMIME, GType, g_mime_message_partial_get_type, (void), ())
LAZY(LIB_GMIME, int, g_mime_multipart_get_count, (GMimeMultipart * m), (m))
LAZY(LIB_GMIME, GMimeObject *, g_mime_multipart_get_part, (GMimeMultipart * m, int i), (m, i))
LAZY(LIB_GMIME, GType, g_mime_multipart_get_type, (void), ())
LAZY(LIB_GMIME, GMimeContentDisposition *, g_mime_object_get_content_disposition, (GMimeObject * o),
     (o))
LAZY(LIB_GMIME, GMimeContentType *, g_mime_object_get_content_type, (GMimeObject * o), (o))
LAZY(LIB_GMIME, const char *, g_mime_object_get_header, (GMimeObject * o, const char *h), (o, h))
LAZY(LIB_GMIME, GMimeHeaderList *, g_mime_object_get_header_list, (GMimeObject * o), (o))
LAZY(LIB_GMIME, GType, g_mime_object_get_type, (void), ())
LAZY(LIB_GMIME, ssize_t, g_mime_object_write_to_stream,
     (GMimeObject * o, GMimeFormatOptions *opts, GMimeStream *s), (o, opts, s))
LAZY(LIB_GMIME, GMimeDataWrapper *, g_mime_part_get_content, (GMimePart * p), (p))
LAZY(LIB_GMIME, const char *, g_mime_part_get_filename, (GMimePart * p), (p))
LAZY(LIB_GMIME, GType, g_mime_part_get_type, (void), ())
LAZY(LIB_GMIME, int, g_mime_stream_filter_add, (GMimeStreamFilter * s, GMimeFilter *f), (s, f))
LAZY(LIB_GMIME, GType, g_mime_stream_filter_get_type, (void), ())
LAZY(LIB_GMIME, GMimeStream *, g_mime_stream_filter_new, (GMimeStream * s), (s))
LAZY(LIB_GMIME, GMimeStream *, g_mime_stream_fs_new_with_bounds, (int fd, gint64 start, gint64 end),
     (fd, start, end))
LAZY(LIB_GMIME, gint64, g_mime_stream_length, (GMimeStream * s), (s))
LAZY(LIB_GMIME, GByteArray *, g_mime_stream_mem_get_byte_array, (GMimeStreamMem * m), (m))
LAZY(LIB_GMIME, GType, g_mime_stream_mem_get_type, (void), ())
LAZY(LIB_GMIME, GMimeStream *, g_mime_stream_mem_new, (void), ())
LAZY(LIB_GMIME, GMimeStream *, g_mime_stream_mem_new_with_buffer, (const char *b, size_t n), (b, n))
LAZY(LIB_GMIME, GMimeStream *, g_mime_stream_mem_new_with_byte_array, (GByteArray * a), (a))
LAZY(LIB_GMIME, ssize_t, g_mime_stream_read, (GMimeStream * s, char *b, size_t n), (s, b, n))
LAZY(LIB_GMIME, int, g_mime_stream_reset, (GMimeStream * s), (s))
LAZY(LIB_GMIME, InternetAddressList *, internet_address_group_get_members,
     (InternetAddressGroup * g), (g))
LAZY(LIB_GMIME, GType, internet_address_group_get_type, (void), ())
LAZY(LIB_GMIME, InternetAddress *, internet_address_list_get_address,
     (InternetAddressList * l, int i), (l, i))
LAZY(LIB_GMIME, int, internet_address_list_length, (InternetAddressList * l), (l))
LAZY(LIB_GMIME, const char *, internet_address_mailbox_get_addr, (InternetAddressMailbox * m), (m))
LAZY(LIB_GMIME, GType, internet_address_mailbox_get_type, (void), ())

/* ---- json-glib (the API's JSON) ---- */
LAZY(LIB_JSON, JsonBuilder *, json_builder_new, (void), ())
LAZY(LIB_JSON, JsonBuilder *, json_builder_add_boolean_value, (JsonBuilder * b, gboolean v), (b, v))
LAZY(LIB_JSON, JsonBuilder *, json_builder_add_int_value, (JsonBuilder * b, gint64 v), (b, v))
LAZY(LIB_JSON, JsonBuilder *, json_builder_add_null_value, (JsonBuilder * b), (b))
LAZY(LIB_JSON, JsonBuilder *, json_builder_add_string_value, (JsonBuilder * b, const gchar *v),
     (b, v))
LAZY(LIB_JSON, JsonBuilder *, json_builder_begin_array, (JsonBuilder * b), (b))
LAZY(LIB_JSON, JsonBuilder *, json_builder_begin_object, (JsonBuilder * b), (b))
LAZY(LIB_JSON, JsonBuilder *, json_builder_end_array, (JsonBuilder * b), (b))
LAZY(LIB_JSON, JsonBuilder *, json_builder_end_object, (JsonBuilder * b), (b))
LAZY(LIB_JSON, JsonNode *, json_builder_get_root, (JsonBuilder * b), (b))
LAZY(LIB_JSON, JsonBuilder *, json_builder_set_member_name, (JsonBuilder * b, const gchar *name),
     (b, name))
LAZY(LIB_JSON, JsonGenerator *, json_generator_new, (void), ())
LAZY_VOID(LIB_JSON, json_generator_set_pretty, (JsonGenerator * g, gboolean pretty), (g, pretty))
LAZY_VOID(LIB_JSON, json_generator_set_root, (JsonGenerator * g, JsonNode *n), (g, n))
LAZY(LIB_JSON, gchar *, json_generator_to_data, (JsonGenerator * g, gsize *len), (g, len))
LAZY_VOID(LIB_JSON, json_node_unref, (JsonNode * n), (n))

/* ---- GObject (what the two libraries' objects are) ---- */
LAZY_VOID(LIB_GOBJECT, g_object_unref, (gpointer o), (o))
LAZY(LIB_GOBJECT, GTypeInstance *, g_type_check_instance_cast, (GTypeInstance * i, GType t), (i, t))
LAZY(LIB_GOBJECT, gboolean, g_type_check_instance_is_a, (GTypeInstance * i, GType t), (i, t))

/* ---- libstemmer (util/stem.c: English stems for search) ---- */
LAZY(LIB_STEMMER, struct sb_stemmer *, sb_stemmer_new, (const char *algorithm, const char *charenc),
     (algorithm, charenc))
LAZY_VOID(LIB_STEMMER, sb_stemmer_delete, (struct sb_stemmer * s), (s))
LAZY(LIB_STEMMER, const sb_symbol *, sb_stemmer_stem,
     (struct sb_stemmer * s, const sb_symbol *word, int size), (s, word, size))
LAZY(LIB_STEMMER, int, sb_stemmer_length, (struct sb_stemmer * s), (s))
