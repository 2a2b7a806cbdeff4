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
 * Number parsing: the one place nbkit calls strtol()/strtoull()/strtod() on
 * text from a file, the environment or the network.  Each function takes s,
 * all of it: no blank before or after, no "+", no "0x", nothing after the
 * digits.  Each returns 0 and *out, or -1 with errno EINVAL (NULL, empty,
 * not the grammar) or ERANGE (overflow, outside min..max); *out is left
 * alone on failure.
 */

/* A decimal unsigned 64-bit number: digits only. */
int nbk_parse_u64(const char *s, uint64_t *out);
/*
 * An integer in base (2 to 16; digits only, no prefix) from min to max.  A
 * leading '-' is read only when min < 0 ("-0" included).
 */
int nbk_parse_long(const char *s, int base, long min, long max, long *out);
/*
 * A finite decimal number ("2", "0.5", "-1e3") from min to max: digits, one
 * sign, '.', 'e' only, so "inf", "nan" and hexadecimal floats are refused.
 */
int nbk_parse_double(const char *s, double min, double max, double *out);

/* Does s end with suffix?  nbk_mem_ends_with: s of n bytes, not NUL-terminated. */
bool nbk_str_ends_with(const char *s, const char *suffix);
bool nbk_mem_ends_with(const char *s, size_t n, const char *suffix);
/* Length of s without its trailing c characters ("a//" and '/': 1). */
size_t nbk_str_rtrim_len(const char *s, char c);
/* Is s one of the strings of list (NULL-terminated)? */
bool nbk_str_in(const char *s, const char *const *list);
/* free(*dst), then *dst = a copy of s (NULL when s is NULL). */
void nbk_str_set(char **dst, const char *s);

/*
 * A size for people, in SI units as conda and pip print them: "512 B",
 * "1.2 kB", "12.3 MB", "1.0 GB" (one decimal from 1000 bytes up, to TB).
 */
#define NBK_HUMAN_SIZE_MAX 16
void nbk_human_size(uint64_t bytes, char out[NBK_HUMAN_SIZE_MAX]);

/* Write the 2n lowercase hex digits of the n bytes of in, and a NUL, to out. */
void nbk_hex_encode(const void *in, size_t n, char *out);

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
