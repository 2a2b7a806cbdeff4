/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small string conversions shared by the programs.  Hostile input is the
 * norm (config files, repodata, URLs): every function checks the whole text.
 */
#ifndef NBKIT_STR_H
#define NBKIT_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value of a hexadecimal digit, or -1 (inline: it sits in parsers' loops). */
static inline int nbk_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse s, all of it, as a decimal unsigned 64-bit number.  Returns 0 and
 * *out, or -1 (NULL, empty, a sign, trailing text, overflow).
 */
int nbk_parse_u64(const char *s, uint64_t *out);

/* Does s hold a control character (below 0x20, or DEL)? */
bool nbk_str_has_control(const char *s);
/*
 * SipHash-2-4 of n bytes under a key drawn at random once per process: for
 * in-memory hash tables whose keys come from hostile input (config keys), so
 * that keys crafted to collide cannot turn a table into a list ("hash
 * flooding").  The value changes from run to run: never store it.
 */
uint64_t nbk_hash_keyed(const void *data, size_t n);
/* SipHash-2-4 of n bytes under key (key[0] = bytes 0-7 little-endian). */
uint64_t nbk_siphash24(const uint64_t key[2], const void *data, size_t n);

#endif
