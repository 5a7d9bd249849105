/* patchid.h: the ids `git patch-id --stable` gives the patches in a text.
 *
 * A patch id is a SHA-1 of a patch's diff with its whitespace and line
 * numbers left out: each file's diff (its "diff " header line, the mode,
 * rename and "---"/"+++" lines, and the hunks' lines, all without
 * whitespace; not the "index" line nor the "@@" lines) is hashed on its
 * own, and the file hashes are added as 160-bit little-endian numbers,
 * so that the order of the files does not matter.  A binary diff hashes
 * the blob ids of its "index" line instead.  A patch starts at a line
 * beginning with "diff " and ends where git's reading of the hunks (by
 * the line counts of their "@@" headers) finds a line that is neither a
 * hunk nor another file's diff, or at a line starting with a commit id
 * (alone, or after "commit " or "From "); what follows may hold more
 * patches.  This is git's own reading, line for line, so that the ids
 * are the ones b4 and lore compute. */
#ifndef LISTARC_MSG_PATCHID_H
#define LISTARC_MSG_PATCHID_H

#include <stddef.h>

/* A patch id as text: 40 lowercase hex digits and a NUL. */
#define PATCHID_HEX 40

/* Writes the ids of the patches in text[0..n), in order, to out[0..max)
 * and returns how many there are (counted past max, stored up to it).
 * The text is taken as git takes its input: lines end at '\n' (a '\r'
 * before it is whitespace), any bytes are allowed. */
size_t msg_patchids(const char *text, size_t n, char (*out)[PATCHID_HEX + 1], size_t max);

#endif
