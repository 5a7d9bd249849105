/* headers.c: Accept-Encoding, If-None-Match, HTTP dates, log escaping,
 * base URLs, and the client's address behind trusted proxies. */
#include "http/headers.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/civil.h"

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 410: return "Gone";
	case 429: return "Too Many Requests";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "";
	}
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims optional whitespace from both ends of p[0..*n). */
static const char *trim(const char *p, size_t *n)
{
	while (*n && is_ows(p[0])) {
		p++;
		(*n)--;
	}
	while (*n && is_ows(p[*n - 1]))
		(*n)--;
	return p;
}

static bool ieq(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	if (n != l)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return false;
	}
	return true;
}

/* True if the parameters after a coding (";q=0", ";q=0.000") say q=0. */
static bool q_is_zero(const char *p, size_t n)
{
	while (n) {
		const char *semi = memchr(p, ';', n);
		if (!semi)
			return false;
		n -= (size_t)(semi - p) + 1;
		p = semi + 1;
		const char *end = memchr(p, ';', n);
		size_t l = end ? (size_t)(end - p) : n;
		size_t tl = l;
		const char *t = trim(p, &tl);
		if (tl >= 2 && (t[0] == 'q' || t[0] == 'Q') && t[1] == '=') {
			bool zero = tl > 2 && t[2] == '0';
			for (size_t i = 3; zero && i < tl; i++)
				zero = t[i] == '.' || t[i] == '0';
			return zero;
		}
	}
	return false;
}

bool http_accepts_gzip(const char *v, size_t n)
{
	int gzip = -1, star = -1; /* -1 not named, 0 refused, 1 accepted */
	while (n) {
		const char *comma = memchr(v, ',', n);
		size_t l = comma ? (size_t)(comma - v) : n;
		const char *semi = memchr(v, ';', l);
		size_t cl = semi ? (size_t)(semi - v) : l;
		const char *coding = trim(v, &cl);
		int ok = !q_is_zero(v, l);
		if (ieq(coding, cl, "gzip") || ieq(coding, cl, "x-gzip"))
			gzip = gzip == 1 ? 1 : ok;
		else if (cl == 1 && coding[0] == '*')
			star = ok;
		if (!comma)
			break;
		n -= l + 1;
		v = comma + 1;
	}
	return gzip >= 0 ? gzip == 1 : star == 1;
}

bool http_etag_match(const char *v, size_t n, const char *etag)
{
	size_t el = strlen(etag);
	if (el >= 2 && etag[0] == 'W' && etag[1] == '/') {
		etag += 2;
		el -= 2;
	}
	while (n) {
		const char *comma = memchr(v, ',', n);
		size_t l = comma ? (size_t)(comma - v) : n;
		size_t tl = l;
		const char *t = trim(v, &tl);
		if (tl == 1 && t[0] == '*')
			return el > 0;
		if (tl >= 2 && t[0] == 'W' && t[1] == '/') {
			t += 2;
			tl -= 2;
		}
		if (el > 0 && tl == el && memcmp(t, etag, el) == 0)
			return true;
		if (!comma)
			break;
		n -= l + 1;
		v = comma + 1;
	}
	return false;
}

/* A fixed-width decimal field at p[0..w), spaces allowed before it (the
 * asctime day is " 6"). */
static bool digits(const char *p, size_t w, int *out)
{
	int v = 0;
	bool any = false;
	for (size_t i = 0; i < w; i++) {
		if (p[i] == ' ' && !any)
			continue;
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
		any = true;
	}
	*out = v;
	return any;
}

static int month_of(const char *p)
{
	return (int)civil_month_from_name(p, 3);
}

/* "HH:MM:SS" at p. */
static bool clock_of(const char *p, int *h, int *mi, int *s)
{
	return p[2] == ':' && p[5] == ':' && digits(p, 2, h) && digits(p + 3, 2, mi) &&
	       digits(p + 6, 2, s) && *h < 24 && *mi < 60 && *s < 61;
}

bool http_date_parse(const char *v, size_t n, int64_t *t)
{
	char s[64];
	size_t l = n;
	const char *p = trim(v, &l);
	if (l < 24 || l >= sizeof s)
		return false;
	memcpy(s, p, l);
	s[l] = '\0';
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
	const char *comma = strchr(s, ',');
	if (comma && comma - s == 3 && l == 29) {
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
		if (s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
		    strcmp(s + 25, " GMT") != 0)
			return false;
		if (!digits(s + 5, 2, &d) || !(mo = month_of(s + 8)) || !digits(s + 12, 4, &y) ||
		    !clock_of(s + 17, &h, &mi, &sec))
			return false;
	} else if (comma) {
		/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
		const char *q = comma + 1;
		if (strlen(q) != 23 || q[0] != ' ' || q[3] != '-' || q[7] != '-' || q[10] != ' ' ||
		    strcmp(q + 19, " GMT") != 0)
			return false;
		if (!digits(q + 1, 2, &d) || !(mo = month_of(q + 4)) || !digits(q + 8, 2, &y) ||
		    !clock_of(q + 11, &h, &mi, &sec))
			return false;
		y += y < 70 ? 2000 : 1900;
	} else {
		/* asctime: "Sun Nov  6 08:49:37 1994" */
		if (l != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ')
			return false;
		if (!(mo = month_of(s + 4)) || !digits(s + 8, 2, &d) ||
		    !clock_of(s + 11, &h, &mi, &sec) || !digits(s + 20, 4, &y))
			return false;
	}
	if (y < 1970 || y > 9999 || d < 1 || !civil_valid(y, (unsigned)mo, (unsigned)d))
		return false;
	*t = (int64_t)civil_to_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
	     sec;
	return true;
}

void http_date_format(int64_t t, char out[30])
{
	if (t < 0 || t >= INT64_C(253402300800)) /* up to the end of year 9999 */
		t = 0;
	unsigned rem, m, d;
	int64_t days = civil_days_of_unix(t, &rem), y;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 30, "%s, %02u %s %04d %02u:%02u:%02u GMT",
	         civil_wday_abbr[civil_weekday(days)], d % 100, civil_month_abbr[m], (int)y % 10000,
	         rem / 3600 % 100, rem / 60 % 60, rem % 60);
}

void http_log_escape(struct buf *b, const char *p, size_t n)
{
	if (n == 0) {
		buf_addc(b, '-');
		return;
	}
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		buf_add(b, p + run, i - run);
		buf_printf(b, "\\x%02X", c);
		run = i + 1;
	}
	buf_add(b, p + run, n - run);
}

bool http_valid_authority(const char *p, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

bool http_base_origin(const char *url, struct buf *out)
{
	buf_reset(out);
	const char *scheme = url ? strstr(url, "://") : NULL;
	if (!scheme)
		return true;
	size_t sl = (size_t)(scheme - url);
	if (!((sl == 4 && strncmp(url, "http", 4) == 0) ||
	      (sl == 5 && strncmp(url, "https", 5) == 0)))
		return false;
	const char *host = scheme + 3;
	size_t hl = strcspn(host, "/");
	if (!http_valid_authority(host, hl))
		return false;
	buf_add(out, url, (size_t)(host - url) + hl);
	return !out->err;
}

bool http_base_path(const char *url, struct buf *out)
{
	buf_reset(out);
	const char *p = url ? url : "/";
	const char *scheme = strstr(p, "://");
	if (scheme) {
		p = strchr(scheme + 3, '/');
		if (!p)
			p = "/";
	}
	size_t n = strlen(p);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= 0x20 || c >= 0x7f || strchr("\"'<>\\?#`", c))
			return false;
	}
	/* Every segment must be a name: "." and ".." would move the links. */
	for (const char *s = p; *s;) {
		while (*s == '/')
			s++;
		size_t l = strcspn(s, "/");
		if ((l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += l;
	}
	if (p[0] != '/')
		buf_addc(out, '/');
	buf_add(out, p, n);
	if (n > 0 && p[n - 1] != '/')
		buf_addc(out, '/');
	return !out->err;
}

/* ---- the client behind trusted proxies ---- */

/* addr (16 bytes) of sa, with IPv4-mapped IPv6 taken as IPv4; the family
 * or 0. */
static int addr_of(const struct sockaddr *sa, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6) {
		const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a, mapped, 12) == 0) {
			memcpy(addr, a + 12, 4);
			return AF_INET;
		}
		memcpy(addr, a, 16);
		return AF_INET6;
	}
	return 0;
}

/* Parses one address (n bytes, no NUL needed) into a sockaddr; false if
 * it is none.  Accepts "1.2.3.4", "1.2.3.4:port", "::1", "[::1]",
 * "[::1]:port". */
static bool parse_addr(const char *p, size_t n, struct sockaddr_storage *ss)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	if (n >= 2 && p[0] == '[') {
		const char *close = memchr(p, ']', n);
		if (!close)
			return false;
		n = (size_t)(close - p - 1);
		p++;
	} else if (memchr(p, '.', n) && memchr(p, ':', n)) {
		n = (size_t)((const char *)memchr(p, ':', n) - p); /* IPv4 with a port */
	}
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, tmp, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, tmp, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

bool http_trust_parse(const char *s, struct http_trust *t)
{
	t->n = 0;
	while (*s) {
		size_t n = strcspn(s, ", ");
		if (n > 0) {
			if (t->n == HTTP_TRUST_MAX)
				return false;
			const char *slash = memchr(s, '/', n);
			size_t an = slash ? (size_t)(slash - s) : n;
			struct sockaddr_storage ss;
			if (!parse_addr(s, an, &ss) || (slash && slash[1] == '['))
				return false;
			int fam = addr_of((struct sockaddr *)&ss, t->net[t->n].addr);
			unsigned max = fam == AF_INET ? 32 : 128, prefix = max;
			if (slash) {
				char *end;
				char num[8] = "";
				size_t k = n - an - 1;
				if (k == 0 || k >= sizeof num)
					return false;
				memcpy(num, slash + 1, k);
				unsigned long v = strtoul(num, &end, 10);
				if (*end || v > max)
					return false;
				prefix = (unsigned)v;
			}
			t->net[t->n].family = fam;
			t->net[t->n].prefix = prefix;
			t->n++;
		}
		s += n;
		while (*s == ',' || *s == ' ')
			s++;
	}
	return true;
}

bool http_trusted(const struct http_trust *t, const struct sockaddr *sa)
{
	unsigned char a[16];
	int fam = addr_of(sa, a);
	for (size_t i = 0; t && fam && i < t->n; i++) {
		if (t->net[i].family != fam)
			continue;
		unsigned bits = t->net[i].prefix, full = bits / 8, rest = bits % 8;
		if (memcmp(a, t->net[i].addr, full) != 0)
			continue;
		if (rest && ((a[full] ^ t->net[i].addr[full]) & (0xff00 >> rest) & 0xff))
			continue;
		return true;
	}
	return false;
}

/* The value of for= in one Forwarded element p[0..n) (its pairs split by
 * ';'), unquoted, as a span; false if it has none. */
static bool forwarded_for(const char *p, size_t n, const char **v, size_t *vn)
{
	while (n > 0) {
		size_t k = 0;
		while (k < n && p[k] != ';')
			k++;
		const char *q = p;
		size_t qn = k;
		while (qn && (*q == ' ' || *q == '\t')) {
			q++;
			qn--;
		}
		if (qn > 4 && strncasecmp(q, "for=", 4) == 0) {
			q += 4;
			qn -= 4;
			while (qn && (q[qn - 1] == ' ' || q[qn - 1] == '\t'))
				qn--;
			if (qn >= 2 && q[0] == '"' && q[qn - 1] == '"') {
				q++;
				qn -= 2;
			}
			*v = q;
			*vn = qn;
			return true;
		}
		p += k < n ? k + 1 : k;
		n -= k < n ? k + 1 : k;
	}
	return false;
}

bool http_client_addr(const struct http_trust *t, const struct sockaddr *peer, socklen_t peerlen,
                      const char *xff, size_t xn, const char *fwd, size_t fn,
                      struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	if (peerlen > 0 && (size_t)peerlen <= sizeof *out)
		memcpy(out, peer, (size_t)peerlen);
	if (!t || t->n == 0 || !http_trusted(t, peer))
		return false;
	const char *list = fwd ? fwd : xff;
	size_t n = fwd ? fn : xn;
	if (!list)
		return false;
	bool from_header = false;
	/* From the right: each element, comma-separated. */
	while (n > 0) {
		size_t start = n;
		while (start > 0 && list[start - 1] != ',')
			start--;
		const char *e = list + start;
		size_t en = n - start;
		n = start > 0 ? start - 1 : 0;
		const char *v = e;
		size_t vn = en;
		if (fwd && !forwarded_for(e, en, &v, &vn))
			break;
		while (vn && (*v == ' ' || *v == '\t')) {
			v++;
			vn--;
		}
		while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
			vn--;
		struct sockaddr_storage ss;
		if (!parse_addr(v, vn, &ss))
			break;
		*out = ss;
		from_header = true;
		if (!http_trusted(t, (struct sockaddr *)&ss))
			break;
	}
	return from_header;
}
