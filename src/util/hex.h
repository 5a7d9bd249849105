/* hex.h: hexadecimal digits read (percent-escapes, git object ids, lore
 * links' Message-IDs) and written (git object ids). */
#ifndef LISTARC_HEX_H
#define LISTARC_HEX_H

#include <stdbool.h>
#include <stddef.h>

/* The value of hex digit c (0-9, a-f, A-F), or -1. */
static inline int hex_value(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* The n bytes the 2n hex digits at hex stand for into out; false (out
 * partly written) at the first character that is not a hex digit. */
static inline bool hex_decode(const char *hex, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(hex[2 * i]), lo = hi < 0 ? -1 : hex_value(hex[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

/* The n bytes at p as 2n lowercase hex digits and a NUL into out (2n + 1
 * bytes). */
static inline void hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

#endif
