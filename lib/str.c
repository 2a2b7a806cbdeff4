/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/str.h"

int nbk_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return errno = EINVAL, -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end)
		return errno = EINVAL, -1;
	*out = (uint64_t)v;
	return 0;
}

int nbk_parse_long(const char *s, int base, long min, long max, long *out)
{
	const char *p;
	char *end;
	long v;

	if (!s || base < 2 || base > 16)
		return errno = EINVAL, -1;
	p = s + (*s == '-' && min < 0);
	/* strtol() alone takes blanks, '+' and "0x": check the digits first */
	if (!*p)
		return errno = EINVAL, -1;
	for (; *p; p++) {
		int d = nbk_hex_digit(*p);

		if (d < 0 || d >= base)
			return errno = EINVAL, -1;
	}
	errno = 0;
	v = strtol(s, &end, base);
	if (errno)
		return -1;
	if (v < min || v > max)
		return errno = ERANGE, -1;
	*out = v;
	return 0;
}

int nbk_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s || s[strspn(s, "0123456789+-.eE")])
		return errno = EINVAL, -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s)
		return errno = EINVAL, -1;
	if (errno || !isfinite(v) || !(v >= min && v <= max))
		return errno = ERANGE, -1;
	*out = v;
	return 0;
}

bool nbk_mem_ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool nbk_str_ends_with(const char *s, const char *suffix)
{
	return nbk_mem_ends_with(s, strlen(s), suffix);
}

size_t nbk_str_rtrim_len(const char *s, char c)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == c)
		n--;
	return n;
}

bool nbk_str_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

void nbk_str_set(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? nbk_xstrdup(s) : NULL;
}

void nbk_human_size(uint64_t bytes, char out[NBK_HUMAN_SIZE_MAX])
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	int u = 0;

	/* 999.95 and up would print as "1000.0": that is the next unit's 1.0 */
	while (v >= 999.95 && u < 4) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(out, NBK_HUMAN_SIZE_MAX, "%u B", (unsigned)bytes);
	else
		snprintf(out, NBK_HUMAN_SIZE_MAX, "%.1f %s", v, unit[u]);
}

void nbk_hex_encode(const void *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

bool nbk_str_has_control(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* The process's SipHash key: from getrandom(), else from what varies anyway. */
static uint64_t hash_key[2];
static pthread_once_t hash_key_once = PTHREAD_ONCE_INIT;

static void hash_key_init(void)
{
	struct timespec ts;

	if (getrandom(hash_key, sizeof(hash_key), GRND_NONBLOCK) == (ssize_t)sizeof(hash_key))
		return;
	/* No entropy yet (early boot): weaker, still unknown to a config's author. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	hash_key[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
	hash_key[1] = (uint64_t)(uintptr_t)&ts ^ 0x736f6d6570736575ULL;
}

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
/* clang-format off */
#define SIPROUND                                                                     \
	do {                                                                         \
		v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);        \
		v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;                             \
		v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;                             \
		v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);        \
	} while (0)
/* clang-format on */

/* SipHash-2-4 (Aumasson and Bernstein, 2012): the reference's byte order. */
uint64_t nbk_siphash24(const uint64_t key[2], const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
	uint64_t v3 = 0x7465646279746573ULL ^ key[1];
	uint64_t b = (uint64_t)n << 56;
	uint64_t m;
	size_t i;

	for (; n >= 8; n -= 8, p += 8) {
		for (m = 0, i = 0; i < 8; i++)
			m |= (uint64_t)p[i] << (8 * i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < n; i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t nbk_hash_keyed(const void *data, size_t n)
{
	pthread_once(&hash_key_once, hash_key_init);
	return nbk_siphash24(hash_key, data, n);
}
