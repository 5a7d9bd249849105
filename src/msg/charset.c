/* charset.c: charset labels as mail writes them, and conversion to UTF-8
 * (iconv, through GMime's cache of converters).
 *
 * The alias table below is the one place listarc maps a label to an
 * encoding.  Its labels come from:
 *  - the WHATWG Encoding Standard's label table (what browsers accept,
 *    which is what Outlook, Thunderbird and web mailers write), and its
 *    mappings where they differ from the names: ISO-8859-1 and US-ASCII
 *    are read as windows-1252, ISO-8859-9 as windows-1254, TIS-620 and
 *    ISO-8859-11 as windows-874, the Korean labels as windows-949;
 *  - Python's codec aliases (encodings/aliases.py): Mailman 2 writes its
 *    codec names into the mail it sends (eucgb2312_cn, euc_jp, latin_1,
 *    iso8859_15, shift_jis ...);
 *  - the IANA Character Sets registry (csISOLatin2, ISO_8859-2:1987,
 *    iso-ir-101 ...), and Microsoft's names (ks_c_5601-1987, windows-125x,
 *    x-mac-*, Outlook Express's "_iso-2022-jp$ESC").
 * Keys are the labels reduced to lowercase letters and digits, so
 * "ISO_8859-15", "iso-8859-15" and "iso8859_15" are one key; a leading
 * "x-" is dropped from labels the table does not know with it.
 *
 * Labels not in the table (x-unknown, unknown-8bit, x-user-defined,
 * _autodetect_all, misspellings) are read as undeclared 8-bit text:
 * UTF-8 where the bytes are UTF-8, windows-1252 elsewhere.  So are the
 * UTF-8, US-ASCII, ISO-8859-1 and windows-1252 labels, which real mail
 * uses for one another (a "us-ascii" part with 8-bit bytes, a Latin-1
 * footer glued onto a UTF-8 body by a list server). */
#include "msg/charset.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "msg/msg.h"
#include "util/utf8.h"

struct alias {
	const char *key;
	struct charset cs;
};

#define MIXED(n)              \
	{                     \
		NULL, NULL, n \
	}
#define ICONV(n)           \
	{                  \
		n, NULL, n \
	}
#define SUPER(n, s)     \
	{               \
		n, s, n \
	}

/* Pseudo-encoding: ISO-2022-JP read by our own transcoder into EUC-JP
 * and converted as Microsoft's EUC-JP (NEC and IBM extensions, which
 * Japanese mailers put in ISO-2022-JP mail and glibc refuses there). */
#define ISO2022JP_MS "ISO-2022-JP//MS"

static const struct alias aliases[] = {
	/* UTF-8 (WHATWG; Python: u8, utf, utf8_ucs2, utf8_ucs4, cp65001). */
	{"utf8", MIXED("UTF-8")},
	{"unicode11utf8", MIXED("UTF-8")},
	{"unicode20utf8", MIXED("UTF-8")},
	{"u8", MIXED("UTF-8")},
	{"utf", MIXED("UTF-8")},
	{"utf8ucs2", MIXED("UTF-8")},
	{"utf8ucs4", MIXED("UTF-8")},
	{"cp65001", MIXED("UTF-8")},
	{"isocodeutf8", MIXED("UTF-8")},
	/* US-ASCII: WHATWG reads it as windows-1252; mail with 8-bit bytes
         * under it is UTF-8 as often as not. */
	{"usascii", MIXED("US-ASCII")},
	{"ascii", MIXED("US-ASCII")},
	{"us", MIXED("US-ASCII")},
	{"ansix341968", MIXED("US-ASCII")},
	{"ansix341986", MIXED("US-ASCII")},
	{"iso646us", MIXED("US-ASCII")},
	{"iso646irv1991", MIXED("US-ASCII")},
	{"isoir6", MIXED("US-ASCII")},
	{"ibm367", MIXED("US-ASCII")},
	{"cp367", MIXED("US-ASCII")},
	{"csascii", MIXED("US-ASCII")},
	{"646", MIXED("US-ASCII")},
	/* ISO-8859-1 and windows-1252 (WHATWG: one encoding). */
	{"iso88591", MIXED("windows-1252")},
	{"iso885911987", MIXED("windows-1252")},
	{"latin1", MIXED("windows-1252")},
	{"isolatin1", MIXED("windows-1252")},
	{"l1", MIXED("windows-1252")},
	{"cp819", MIXED("windows-1252")},
	{"ibm819", MIXED("windows-1252")},
	{"csisolatin1", MIXED("windows-1252")},
	{"isoir100", MIXED("windows-1252")},
	{"8859", MIXED("windows-1252")},
	{"88591", MIXED("windows-1252")},
	{"windows1252", MIXED("windows-1252")},
	{"cp1252", MIXED("windows-1252")},
	{"win1252", MIXED("windows-1252")},
	{"mswindows1252", MIXED("windows-1252")},
	{"1252", MIXED("windows-1252")},
	{"msansi", MIXED("windows-1252")},
	/* The other ISO-8859 parts. */
	{"iso88592", ICONV("ISO-8859-2")},
	{"iso885921987", ICONV("ISO-8859-2")},
	{"latin2", ICONV("ISO-8859-2")},
	{"isolatin2", ICONV("ISO-8859-2")},
	{"l2", ICONV("ISO-8859-2")},
	{"csisolatin2", ICONV("ISO-8859-2")},
	{"isoir101", ICONV("ISO-8859-2")},
	{"iso88593", ICONV("ISO-8859-3")},
	{"iso885931988", ICONV("ISO-8859-3")},
	{"latin3", ICONV("ISO-8859-3")},
	{"l3", ICONV("ISO-8859-3")},
	{"csisolatin3", ICONV("ISO-8859-3")},
	{"isoir109", ICONV("ISO-8859-3")},
	{"iso88594", ICONV("ISO-8859-4")},
	{"iso885941988", ICONV("ISO-8859-4")},
	{"latin4", ICONV("ISO-8859-4")},
	{"l4", ICONV("ISO-8859-4")},
	{"csisolatin4", ICONV("ISO-8859-4")},
	{"isoir110", ICONV("ISO-8859-4")},
	{"iso88595", ICONV("ISO-8859-5")},
	{"iso885951988", ICONV("ISO-8859-5")},
	{"cyrillic", ICONV("ISO-8859-5")},
	{"csisolatincyrillic", ICONV("ISO-8859-5")},
	{"isoir144", ICONV("ISO-8859-5")},
	{"iso88596", ICONV("ISO-8859-6")},
	{"iso885961987", ICONV("ISO-8859-6")},
	{"iso88596e", ICONV("ISO-8859-6")},
	{"iso88596i", ICONV("ISO-8859-6")},
	{"csiso88596e", ICONV("ISO-8859-6")},
	{"csiso88596i", ICONV("ISO-8859-6")},
	{"arabic", ICONV("ISO-8859-6")},
	{"asmo708", ICONV("ISO-8859-6")},
	{"csisolatinarabic", ICONV("ISO-8859-6")},
	{"ecma114", ICONV("ISO-8859-6")},
	{"isoir127", ICONV("ISO-8859-6")},
	{"iso88597", ICONV("ISO-8859-7")},
	{"iso885971987", ICONV("ISO-8859-7")},
	{"greek", ICONV("ISO-8859-7")},
	{"greek8", ICONV("ISO-8859-7")},
	{"csisolatingreek", ICONV("ISO-8859-7")},
	{"ecma118", ICONV("ISO-8859-7")},
	{"elot928", ICONV("ISO-8859-7")},
	{"isoir126", ICONV("ISO-8859-7")},
	{"sungreek", ICONV("ISO-8859-7")},
	{"iso88598", ICONV("ISO-8859-8")},
	{"iso885981988", ICONV("ISO-8859-8")},
	{"iso88598e", ICONV("ISO-8859-8")},
	{"iso88598i", ICONV("ISO-8859-8")},
	{"csiso88598e", ICONV("ISO-8859-8")},
	{"csiso88598i", ICONV("ISO-8859-8")},
	{"hebrew", ICONV("ISO-8859-8")},
	{"csisolatinhebrew", ICONV("ISO-8859-8")},
	{"isoir138", ICONV("ISO-8859-8")},
	{"visual", ICONV("ISO-8859-8")},
	{"logical", ICONV("ISO-8859-8")},
	{"iso88599", ICONV("WINDOWS-1254")},
	{"iso885991989", ICONV("WINDOWS-1254")},
	{"latin5", ICONV("WINDOWS-1254")},
	{"l5", ICONV("WINDOWS-1254")},
	{"csisolatin5", ICONV("WINDOWS-1254")},
	{"isoir148", ICONV("WINDOWS-1254")},
	{"iso885910", ICONV("ISO-8859-10")},
	{"iso8859101992", ICONV("ISO-8859-10")},
	{"latin6", ICONV("ISO-8859-10")},
	{"l6", ICONV("ISO-8859-10")},
	{"csisolatin6", ICONV("ISO-8859-10")},
	{"isoir157", ICONV("ISO-8859-10")},
	{"iso885911", ICONV("WINDOWS-874")},
	{"tis620", ICONV("WINDOWS-874")},
	{"tis6200", ICONV("WINDOWS-874")},
	{"tis62025290", ICONV("WINDOWS-874")},
	{"tis62025291", ICONV("WINDOWS-874")},
	{"isoir166", ICONV("WINDOWS-874")},
	{"windows874", ICONV("WINDOWS-874")},
	{"cp874", ICONV("WINDOWS-874")},
	{"dos874", ICONV("WINDOWS-874")},
	{"iso885913", ICONV("ISO-8859-13")},
	{"latin7", ICONV("ISO-8859-13")},
	{"l7", ICONV("ISO-8859-13")},
	{"csisolatin7", ICONV("ISO-8859-13")},
	{"iso885914", ICONV("ISO-8859-14")},
	{"iso8859141998", ICONV("ISO-8859-14")},
	{"latin8", ICONV("ISO-8859-14")},
	{"l8", ICONV("ISO-8859-14")},
	{"isoceltic", ICONV("ISO-8859-14")},
	{"isoir199", ICONV("ISO-8859-14")},
	{"iso885915", ICONV("ISO-8859-15")},
	{"iso8859151998", ICONV("ISO-8859-15")},
	{"latin9", ICONV("ISO-8859-15")},
	{"latin0", ICONV("ISO-8859-15")},
	{"l9", ICONV("ISO-8859-15")},
	{"csisolatin9", ICONV("ISO-8859-15")},
	{"csiso885915", ICONV("ISO-8859-15")},
	{"iso885916", ICONV("ISO-8859-16")},
	{"iso8859162001", ICONV("ISO-8859-16")},
	{"latin10", ICONV("ISO-8859-16")},
	{"l10", ICONV("ISO-8859-16")},
	{"isoir226", ICONV("ISO-8859-16")},
	/* Windows code pages (WHATWG; Microsoft; Python). */
	{"windows1250", ICONV("WINDOWS-1250")},
	{"cp1250", ICONV("WINDOWS-1250")},
	{"win1250", ICONV("WINDOWS-1250")},
	{"mswindows1250", ICONV("WINDOWS-1250")},
	{"msee", ICONV("WINDOWS-1250")},
	{"1250", ICONV("WINDOWS-1250")},
	{"windows1251", ICONV("WINDOWS-1251")},
	{"cp1251", ICONV("WINDOWS-1251")},
	{"win1251", ICONV("WINDOWS-1251")},
	{"mswindows1251", ICONV("WINDOWS-1251")},
	{"mscyrl", ICONV("WINDOWS-1251")},
	{"1251", ICONV("WINDOWS-1251")},
	{"windows1253", ICONV("WINDOWS-1253")},
	{"cp1253", ICONV("WINDOWS-1253")},
	{"win1253", ICONV("WINDOWS-1253")},
	{"msgreek", ICONV("WINDOWS-1253")},
	{"1253", ICONV("WINDOWS-1253")},
	{"windows1254", ICONV("WINDOWS-1254")},
	{"cp1254", ICONV("WINDOWS-1254")},
	{"win1254", ICONV("WINDOWS-1254")},
	{"msturk", ICONV("WINDOWS-1254")},
	{"1254", ICONV("WINDOWS-1254")},
	{"windows1255", ICONV("WINDOWS-1255")},
	{"cp1255", ICONV("WINDOWS-1255")},
	{"win1255", ICONV("WINDOWS-1255")},
	{"mshebr", ICONV("WINDOWS-1255")},
	{"1255", ICONV("WINDOWS-1255")},
	{"windows1256", ICONV("WINDOWS-1256")},
	{"cp1256", ICONV("WINDOWS-1256")},
	{"win1256", ICONV("WINDOWS-1256")},
	{"msarab", ICONV("WINDOWS-1256")},
	{"1256", ICONV("WINDOWS-1256")},
	{"windows1257", ICONV("WINDOWS-1257")},
	{"cp1257", ICONV("WINDOWS-1257")},
	{"win1257", ICONV("WINDOWS-1257")},
	{"winbaltrim", ICONV("WINDOWS-1257")},
	{"1257", ICONV("WINDOWS-1257")},
	{"windows1258", ICONV("WINDOWS-1258")},
	{"cp1258", ICONV("WINDOWS-1258")},
	{"win1258", ICONV("WINDOWS-1258")},
	{"1258", ICONV("WINDOWS-1258")},
	/* Cyrillic. */
	{"koi8r", ICONV("KOI8-R")},
	{"koi8", ICONV("KOI8-R")},
	{"koi", ICONV("KOI8-R")},
	{"cskoi8r", ICONV("KOI8-R")},
	{"koi8u", ICONV("KOI8-U")},
	{"koi8ru", ICONV("KOI8-U")},
	{"koi8t", ICONV("KOI8-T")},
	{"ibm866", ICONV("IBM866")},
	{"cp866", ICONV("IBM866")},
	{"866", ICONV("IBM866")},
	{"csibm866", ICONV("IBM866")},
	{"maccyrillic", ICONV("MAC-CYRILLIC")},
	{"macukrainian", ICONV("MACUKRAINIAN")},
	{"ptcp154", ICONV("PT154")},
	{"pt154", ICONV("PT154")},
	{"cp154", ICONV("PT154")},
	{"csptcp154", ICONV("PT154")},
	{"cyrillicasian", ICONV("PT154")},
	{"kz1048", ICONV("RK1048")},
	{"rk1048", ICONV("RK1048")},
	{"strk10482002", ICONV("RK1048")},
	/* DOS code pages. */
	{"cp437", ICONV("CP437")},
	{"ibm437", ICONV("CP437")},
	{"437", ICONV("CP437")},
	{"cspc8codepage437", ICONV("CP437")},
	{"cp737", ICONV("CP737")},
	{"cp775", ICONV("CP775")},
	{"ibm775", ICONV("CP775")},
	{"cp850", ICONV("CP850")},
	{"ibm850", ICONV("CP850")},
	{"850", ICONV("CP850")},
	{"cp852", ICONV("CP852")},
	{"ibm852", ICONV("CP852")},
	{"852", ICONV("CP852")},
	{"cp855", ICONV("CP855")},
	{"ibm855", ICONV("CP855")},
	{"cp857", ICONV("CP857")},
	{"ibm857", ICONV("CP857")},
	{"cp858", ICONV("CP858")},
	{"cp860", ICONV("CP860")},
	{"cp861", ICONV("CP861")},
	{"cp862", ICONV("CP862")},
	{"cp863", ICONV("CP863")},
	{"cp864", ICONV("CP864")},
	{"cp865", ICONV("CP865")},
	{"cp869", ICONV("CP869")},
	{"cp1125", ICONV("CP1125")},
	/* Macintosh. */
	{"macintosh", ICONV("MACINTOSH")},
	{"mac", ICONV("MACINTOSH")},
	{"macroman", ICONV("MACINTOSH")},
	{"csmacintosh", ICONV("MACINTOSH")},
	{"maccentraleurope", ICONV("MAC-CENTRALEUROPE")},
	{"maclatin2", ICONV("MAC-CENTRALEUROPE")},
	{"macce", ICONV("MAC-CENTRALEUROPE")},
	{"maciceland", ICONV("MAC-IS")},
	/* Other single-byte encodings. */
	{"viscii", ICONV("VISCII")},
	{"csviscii", ICONV("VISCII")},
	{"tcvn", ICONV("TCVN5712-1")},
	{"tcvn57121", ICONV("TCVN5712-1")},
	{"armscii8", ICONV("ARMSCII-8")},
	{"georgianps", ICONV("GEORGIAN-PS")},
	{"georgianacademy", ICONV("GEORGIAN-ACADEMY")},
	{"hproman8", ICONV("HP-ROMAN8")},
	{"roman8", ICONV("HP-ROMAN8")},
	{"r8", ICONV("HP-ROMAN8")},
	/* Chinese (WHATWG reads them all as GB18030's superset of GBK). */
	{"gb2312", SUPER("GB2312", "GB18030")},
	{"gb231280", SUPER("GB2312", "GB18030")},
	{"gb23121980", SUPER("GB2312", "GB18030")},
	{"csgb2312", SUPER("GB2312", "GB18030")},
	{"csiso58gb231280", SUPER("GB2312", "GB18030")},
	{"isoir58", SUPER("GB2312", "GB18030")},
	{"chinese", SUPER("GB2312", "GB18030")},
	{"euccn", SUPER("GB2312", "GB18030")},
	{"eucgb2312", SUPER("GB2312", "GB18030")},
	{"eucgb2312cn", SUPER("GB2312", "GB18030")},
	{"cngb", SUPER("GB2312", "GB18030")},
	{"gbk", SUPER("GBK", "GB18030")},
	{"cp936", SUPER("GBK", "GB18030")},
	{"ms936", SUPER("GBK", "GB18030")},
	{"windows936", SUPER("GBK", "GB18030")},
	{"936", SUPER("GBK", "GB18030")},
	{"gb18030", ICONV("GB18030")},
	{"gb180302000", ICONV("GB18030")},
	{"big5", SUPER("BIG5", "BIG5-HKSCS")},
	{"big5tw", SUPER("BIG5", "BIG5-HKSCS")},
	{"cnbig5", SUPER("BIG5", "BIG5-HKSCS")},
	{"csbig5", SUPER("BIG5", "BIG5-HKSCS")},
	{"xxbig5", SUPER("BIG5", "BIG5-HKSCS")},
	{"big5hkscs", ICONV("BIG5-HKSCS")},
	{"hkscs", ICONV("BIG5-HKSCS")},
	{"cp950", SUPER("CP950", "BIG5-HKSCS")},
	{"ms950", SUPER("CP950", "BIG5-HKSCS")},
	{"windows950", SUPER("CP950", "BIG5-HKSCS")},
	{"euctw", ICONV("EUC-TW")},
	{"cseuctw", ICONV("EUC-TW")},
	{"iso2022cn", ICONV("ISO-2022-CN")},
	{"csiso2022cn", ICONV("ISO-2022-CN")},
	{"iso2022cnext", ICONV("ISO-2022-CN-EXT")},
	/* Japanese.  The strict encodings first (what Python decodes), then
         * Microsoft's supersets (what Japanese mailers actually write). */
	{"iso2022jp", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"csiso2022jp", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"iso2022jp1", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"iso2022jp2", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"csiso2022jp2", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"iso2022jpext", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"iso2022jpesc", SUPER("ISO-2022-JP-2", ISO2022JP_MS)}, /* Outlook Express */
	{"jis", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"csiso50220", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"cp50220", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"cp50221", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"cp50222", SUPER("ISO-2022-JP-2", ISO2022JP_MS)},
	{"iso2022jp3", SUPER("ISO-2022-JP-3", ISO2022JP_MS)},
	{"iso2022jp2004", SUPER("ISO-2022-JP-3", ISO2022JP_MS)},
	{"shiftjis", SUPER("SHIFT_JIS", "CP932")},
	{"sjis", SUPER("SHIFT_JIS", "CP932")},
	{"csshiftjis", SUPER("SHIFT_JIS", "CP932")},
	{"mskanji", SUPER("SHIFT_JIS", "CP932")},
	{"cp932", ICONV("CP932")},
	{"ms932", ICONV("CP932")},
	{"932", ICONV("CP932")},
	{"windows31j", ICONV("CP932")},
	{"cswindows31j", ICONV("CP932")},
	{"shiftjis2004", ICONV("SHIFT_JISX0213")},
	{"shiftjisx0213", ICONV("SHIFT_JISX0213")},
	{"sjis2004", ICONV("SHIFT_JISX0213")},
	{"eucjp", SUPER("EUC-JP", "EUC-JP-MS")},
	{"ujis", SUPER("EUC-JP", "EUC-JP-MS")},
	{"cseucpkdfmtjapanese", SUPER("EUC-JP", "EUC-JP-MS")},
	{"eucjpms", ICONV("EUC-JP-MS")},
	{"cp51932", SUPER("EUC-JP", "EUC-JP-MS")},
	{"eucjis2004", ICONV("EUC-JISX0213")},
	{"eucjisx0213", ICONV("EUC-JISX0213")},
	{"jisx0213", ICONV("EUC-JISX0213")},
	/* Korean (WHATWG reads them all as windows-949). */
	{"euckr", SUPER("EUC-KR", "CP949")},
	{"cseuckr", SUPER("EUC-KR", "CP949")},
	{"ksc56011987", SUPER("EUC-KR", "CP949")},
	{"ksc56011989", SUPER("EUC-KR", "CP949")},
	{"ksc5601", SUPER("EUC-KR", "CP949")},
	{"csksc56011987", SUPER("EUC-KR", "CP949")},
	{"ksx1001", SUPER("EUC-KR", "CP949")},
	{"isoir149", SUPER("EUC-KR", "CP949")},
	{"korean", SUPER("EUC-KR", "CP949")},
	{"windows949", ICONV("CP949")},
	{"cp949", ICONV("CP949")},
	{"ms949", ICONV("CP949")},
	{"uhc", ICONV("CP949")},
	{"iso2022kr", ICONV("ISO-2022-KR")},
	{"csiso2022kr", ICONV("ISO-2022-KR")},
	{"johab", ICONV("JOHAB")},
	{"cp1361", ICONV("JOHAB")},
	/* Unicode encodings other than UTF-8.  "UTF-16" reads a byte order
         * mark and is big-endian without one (RFC 2781). */
	{"utf16", ICONV("UTF-16")},
	{"u16", ICONV("UTF-16")},
	{"ucs2", ICONV("UTF-16")},
	{"csunicode", ICONV("UTF-16")},
	{"iso10646ucs2", ICONV("UTF-16")},
	{"unicode", ICONV("UTF-16")},
	{"utf16be", ICONV("UTF-16BE")},
	{"unicodefffe", ICONV("UTF-16BE")},
	{"unicodebig", ICONV("UTF-16BE")},
	{"ucs2be", ICONV("UTF-16BE")},
	{"utf16le", ICONV("UTF-16LE")},
	{"unicodefeff", ICONV("UTF-16LE")},
	{"unicodelittle", ICONV("UTF-16LE")},
	{"ucs2le", ICONV("UTF-16LE")},
	{"utf32", ICONV("UTF-32")},
	{"u32", ICONV("UTF-32")},
	{"ucs4", ICONV("UTF-32")},
	{"utf32be", ICONV("UTF-32BE")},
	{"utf32le", ICONV("UTF-32LE")},
	{"utf7", ICONV("UTF-7")},
	{"u7", ICONV("UTF-7")},
	{"unicode11utf7", ICONV("UTF-7")},
	{"csunicode11utf7", ICONV("UTF-7")},
	{"unicode20utf7", ICONV("UTF-7")},
};

/* The table sorted by key, made once. */
static const struct alias *sorted[sizeof aliases / sizeof *aliases];
static pthread_once_t sort_once = PTHREAD_ONCE_INIT;

static int cmp_alias(const void *a, const void *b)
{
	return strcmp((*(const struct alias *const *)a)->key,
	              (*(const struct alias *const *)b)->key);
}

static void sort_table(void)
{
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
		sorted[i] = &aliases[i];
	qsort(sorted, sizeof aliases / sizeof *aliases, sizeof *sorted, cmp_alias);
}

static const struct alias *find(const char *key)
{
	size_t lo = 0, hi = sizeof aliases / sizeof *aliases;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, sorted[mid]->key);
		if (c == 0)
			return sorted[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Longer labels are no charset anyone writes. */
#define LABEL_MAX 64

bool charset_lookup(const char *label, size_t n, struct charset *cs)
{
	pthread_once(&sort_once, sort_table);
	char key[LABEL_MAX + 1];
	size_t k = 0;
	if (!label || n > LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = label[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			key[k++] = c;
	}
	key[k] = '\0';
	if (k == 0)
		return false;
	const struct alias *a = find(key);
	/* "x-sjis", "x-euc-jp", "x-mac-cyrillic", "x-cp1250", "X-UNKNOWN". */
	size_t lead = 0;
	while (lead < n && (label[lead] == ' ' || label[lead] == '\t' || label[lead] == '"'))
		lead++;
	if (!a && k > 1 && key[0] == 'x' && lead + 1 < n &&
	    (label[lead] == 'x' || label[lead] == 'X') &&
	    (label[lead + 1] == '-' || label[lead + 1] == '_'))
		a = find(key + 1);
	if (!a)
		return false;
	*cs = a->cs;
	return true;
}

void charset_each(void (*fn)(const char *key, const struct charset *cs, void *arg), void *arg)
{
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
		fn(aliases[i].key, &aliases[i].cs, arg);
}

/* windows-1252 bytes 0x80..0x9F; the five undefined ones map to their
 * C1 control code points, as ISO-8859-1 would (and WHATWG does). */
static const unsigned short cp1252_hi[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

static void put_cp(struct buf *out, unsigned cp)
{
	char u[3];
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 2);
	} else {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 3);
	}
}

/* If p starts with a three- or four-byte lead byte and all the
 * continuation bytes it calls for, yet is no valid UTF-8 (overlong, a
 * surrogate, beyond U+10FFFF), the length of that sequence; else 0.  Such bytes are
 * broken UTF-8 (CESU-8, a binary blob), not windows-1252 text. */
static size_t malformed_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	/* Two-byte ones (C0 or C1 and a continuation) are left out: "À¿"
	 * is Latin-1 text more often than an overlong '?' is an attack. */
	size_t want = c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 0;
	if (want == 0 || n < want)
		return 0;
	for (size_t j = 1; j < want; j++)
		if ((p[j] & 0xC0) != 0x80)
			return 0;
	return want;
}

void charset_mixed(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			/* ASCII, sixteen or eight bytes at a time while it lasts
			 * (a message page converts the whole message). */
			i++;
#ifdef __SSE2__
			while (i + 16 <= n && !_mm_movemask_epi8(_mm_loadu_si128(
						      (const __m128i *)(const void *)(p + i))))
				i += 16;
#endif
			uint64_t w;
			while (i + 8 <= n && (memcpy(&w, p + i, 8), !(w & 0x8080808080808080ull)))
				i += 8;
			continue;
		}
		size_t k = utf8_seq_len(p + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		buf_add(out, s + run, i - run);
		k = malformed_len(p + i, n - i);
		if (k) {
			/* UTF-8's shape with a value UTF-8 forbids: no text. */
			for (size_t j = 0; j < k; j++)
				buf_add(out, "\xEF\xBF\xBD", 3);
			i += k;
		} else {
			put_cp(out, p[i] < 0xA0 ? cp1252_hi[p[i] - 0x80] : p[i]);
			i++;
		}
		run = i;
	}
	buf_add(out, s + run, n - run);
}

/* ISO-2022-JP (any of its variants' escapes for JIS X 0201, 0208 and
 * 0212, and SO/SI katakana) rewritten as EUC-JP bytes, for converting
 * with Microsoft's EUC-JP, which has the NEC and IBM rows.  Escapes of
 * other sets are dropped, their bytes kept as they are. */
static void iso2022jp_to_eucjp(struct buf *out, const unsigned char *p, size_t n)
{
	enum { ASCII, KANA, X0208, X0212 } set = ASCII, saved = ASCII;
	for (size_t i = 0; i < n && !out->err; i++) {
		unsigned char c = p[i];
		if (c == 0x1B) {
			const unsigned char *e = p + i + 1;
			size_t left = n - i - 1;
			if (left >= 2 && e[0] == '(' && (e[1] == 'B' || e[1] == 'J' || e[1] == 'H'))
				set = ASCII, i += 2;
			else if (left >= 2 && e[0] == '(' && e[1] == 'I')
				set = KANA, i += 2;
			else if (left >= 2 && e[0] == '$' && (e[1] == '@' || e[1] == 'B'))
				set = X0208, i += 2;
			else if (left >= 3 && e[0] == '$' && e[1] == '(' &&
			         (e[2] == 'B' || e[2] == 'Q' || e[2] == 'O'))
				set = X0208, i += 3;
			else if (left >= 3 && e[0] == '$' && e[1] == '(' && e[2] == 'D')
				set = X0212, i += 3;
			else if (left >= 2 && e[0] == '&' && e[1] == '@')
				i += 2; /* announces a JIS X 0208 revision */
			else
				buf_addc(out, (char)c);
			continue;
		}
		if (c == 0x0E) { /* SO: katakana until SI */
			saved = set;
			set = KANA;
			continue;
		}
		if (c == 0x0F) {
			set = saved == KANA ? ASCII : saved;
			continue;
		}
		if (c < 0x21 || c > 0x7E || set == ASCII) {
			buf_addc(out, (char)c);
			continue;
		}
		if (set == KANA) {
			char k[2] = {(char)0x8E, (char)(c | 0x80)};
			buf_add(out, k, 2);
			continue;
		}
		if (i + 1 >= n || p[i + 1] < 0x21 || p[i + 1] > 0x7E) {
			buf_addc(out, (char)c); /* half a character: left as it is */
			continue;
		}
		if (set == X0212)
			buf_addc(out, (char)0x8F);
		char k[2] = {(char)(c | 0x80), (char)(p[i + 1] | 0x80)};
		buf_add(out, k, 2);
		i++;
	}
}

/* Converts p[0..n) from iconv name cs, appending to out; every byte the
 * converter refuses becomes U+FFFD.  Returns the number of such bytes, or
 * -1 if iconv does not know cs (nothing is appended then). */
static long convert(struct buf *out, const char *p, size_t n, const char *cs)
{
	if (strcmp(cs, ISO2022JP_MS) == 0) {
		struct buf euc;
		buf_init(&euc, n + n / 2 + 16);
		iso2022jp_to_eucjp(&euc, (const unsigned char *)p, n);
		long bad =
			euc.err ? -1 : convert(out, euc.data ? euc.data : "", euc.len, "EUC-JP-MS");
		buf_free(&euc);
		return bad;
	}
	msg_library_init(); /* GMime's converters: started at the first use */
	iconv_t cd = g_mime_iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return -1;
	char *in = (char *)p;
	size_t inleft = n;
	char chunk[4096];
	long bad = 0;
	while (inleft > 0 && !out->err) {
		char *o = chunk;
		size_t oleft = sizeof chunk;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		buf_add(out, chunk, sizeof chunk - oleft);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL (a truncated sequence at the end): one bad
		 * byte becomes U+FFFD, and the converter starts afresh. */
		buf_add(out, "\xEF\xBF\xBD", 3);
		bad++;
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	/* Flush any shift state (ISO-2022-JP and friends). */
	char *o = chunk;
	size_t oleft = sizeof chunk;
	iconv(cd, NULL, NULL, &o, &oleft);
	buf_add(out, chunk, sizeof chunk - oleft);
	g_mime_iconv_close(cd);
	return bad;
}

/* Converts with cs, replacing what was appended if it went wrong:
 * returns the number of refused bytes, or -1 (out unchanged) if iconv
 * does not know cs. */
static long try_convert(struct buf *out, const char *p, size_t n, const char *cs)
{
	size_t start = out->len;
	long bad = convert(out, p, n, cs);
	if (bad < 0) {
		out->len = start;
		return -1;
	}
	/* iconv should only produce UTF-8; check rather than trust. */
	if (!out->err && out->len > start && !utf8_valid(out->data + start, out->len - start)) {
		struct buf fix;
		buf_init(&fix, out->max);
		utf8_repair(&fix, out->data + start, out->len - start);
		out->len = start;
		buf_add(out, fix.data ? fix.data : "", fix.len);
		buf_free(&fix);
	}
	return bad;
}

void charset_to_utf8(struct buf *out, const char *p, size_t n, const char *label, size_t ln)
{
	msg_library_init();
	if (!p) /* an empty part's data may be NULL */
		p = "", n = 0;
	struct charset cs = {NULL, NULL, NULL};
	if (label)
		charset_lookup(label, ln, &cs);
	if (!cs.iconv) {
		charset_mixed(out, p, n);
		return;
	}
	size_t start = out->len;
	long bad = try_convert(out, p, n, cs.iconv);
	if (bad != 0 && cs.superset) {
		out->len = start;
		bad = try_convert(out, p, n, cs.superset);
	}
	if (bad == 0)
		return;
	/* The declared charset cannot read it (or iconv lacks it): text
	 * sent as UTF-8 under a wrong label reads as UTF-8; anything else
	 * keeps its replacement characters.  The byte-order-free Unicode
	 * encodings are exempt: their ASCII is valid UTF-8 with NULs. */
	if (bad < 0 || (utf8_valid(p, n) && !memchr(p, '\0', n))) {
		out->len = start;
		charset_mixed(out, p, n);
	}
}
