/* drv_decode: a driver for the header decoders, for tests that compare
 * them with another decoder (tests/t2100-decode.py).  Each input line is
 * a letter, a space and a raw header value in hex:
 *   S <hex>   prints the value decoded as a subject (msg_decode_header)
 *   F <hex>   prints the display name of its first address (msg_parse_from)
 *   B <hex> <charset>  prints a body decoded from charset (msg_to_utf8);
 *             newlines become "\n"
 * One output line per input line, UTF-8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void print_escaped(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			fputs("\\n", stdout);
		else if (p[i] == '\\')
			fputs("\\\\", stdout);
		else
			putchar(p[i]);
	}
	putchar('\n');
}

int main(void)
{
	msg_library_init();
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len < 2 || line[1] != ' ') {
			putchar('\n');
			continue;
		}
		char *hex = line + 2, *cs = strchr(hex, ' ');
		if (cs)
			*cs++ = '\0';
		size_t n = strlen(hex) / 2;
		char *raw = malloc(n + 1);
		for (size_t i = 0; i < n; i++)
			raw[i] = (char)(hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
		struct buf out, addr;
		buf_init(&out, n * 8 + 64);
		buf_init(&addr, n * 8 + 64);
		if (line[0] == 'S')
			msg_decode_header(&out, span_make(raw, n), false);
		else if (line[0] == 'F')
			msg_parse_from(span_make(raw, n), &out, &addr);
		else if (line[0] == 'B')
			msg_to_utf8(&out, raw, n, cs);
		print_escaped(out.data ? out.data : "", out.len);
		buf_free(&out);
		buf_free(&addr);
		free(raw);
	}
	free(line);
	return 0;
}
