/* fuzz_route: the URL grammar over any request path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether routes of kind k name a list (route.list). */
static bool names_list(enum route_kind k)
{
	return k == R_LIST || (k >= R_YEAR && k != R_API_LISTS && k != R_MID_RESOLVE &&
	                       k != R_MANIFEST && k != R_PREFS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	struct route rt;
	enum route_kind k = route_parse(p, size, &rt);
	/* A redirect stays inside the site: absolute, no "." or ".." segment. */
	if (k == R_REDIRECT) {
		if (rt.redirect[0] != '/' || rt.redirect[1] == '/')
			abort();
		for (const char *s = rt.redirect; (s = strstr(s, "/.")); s++)
			if (s[2] == '/' || s[2] == '\0' ||
			    (s[2] == '.' && (s[3] == '/' || s[3] == '\0')))
				abort();
	}
	/* /r/MSGID and /MSGID/ name no list yet: what follows the list it
	 * is sent to is a path of the site. */
	if (k == R_MID_RESOLVE) {
		if (rt.list[0] || rt.redirect[0] != '/' || rt.redirect[1] == '/')
			abort();
		for (const char *s = rt.redirect; (s = strstr(s, "/.")); s++)
			if (s[2] == '/' || s[2] == '\0' ||
			    (s[2] == '.' && (s[3] == '/' || s[3] == '\0')))
				abort();
	}
	if (names_list(k) && !conf_valid_listname(rt.list, strlen(rt.list)))
		abort();
	/* A Message-ID form always has one, and never "." or "..". */
	if ((k >= R_MID && k <= R_MID_RESOLVE) &&
	    (!rt.msgid[0] || !strcmp(rt.msgid, ".") || !strcmp(rt.msgid, "..")))
		abort();
	/* A part is lore's number: digits and single dots between them. */
	if (k == R_MID_PART &&
	    (!rt.part[0] || strspn(rt.part, "0123456789.") != strlen(rt.part) ||
	     rt.part[0] == '.' || strstr(rt.part, "..") || rt.part[strlen(rt.part) - 1] == '.'))
		abort();
	/* Only /all/ and real list names. */
	if (names_list(k) && k != R_LIST && !rt.all &&
	    conf_reserved_listname(rt.list, strlen(rt.list)))
		abort();
	free(p);
	return 0;
}
