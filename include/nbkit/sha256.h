/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (FIPS 180-4), for verifying downloaded packages against the
 * sha256 of their repodata record.  Our own rather than OpenSSL's: the
 * Makefile's libraries (libcurl, libarchive) do not hand us a crypto API
 * we can include without adding a new -dev dependency and link flag for
 * one function; this one is checked against the FIPS/NIST vectors in
 * tests/unit/test_lib_sha256.c.
 *
 * Usage: nbk_sha256_init(), nbk_sha256_update() any number of times,
 * nbk_sha256_final() (the context is spent afterwards).  The context holds
 * no heap memory.
 */
#ifndef NBKIT_SHA256_H
#define NBKIT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define NBK_SHA256_LEN 32
#define NBK_SHA256_HEX_LEN 64

struct nbk_sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

void nbk_sha256_init(struct nbk_sha256 *c);
void nbk_sha256_update(struct nbk_sha256 *c, const void *data, size_t len);
void nbk_sha256_final(struct nbk_sha256 *c, uint8_t out[NBK_SHA256_LEN]);
/* Finish and write the 64 lowercase hex digits and a NUL into hex. */
void nbk_sha256_final_hex(struct nbk_sha256 *c, char hex[NBK_SHA256_HEX_LEN + 1]);
/* One-shot: hex digest of data. */
void nbk_sha256_hex(const void *data, size_t len, char hex[NBK_SHA256_HEX_LEN + 1]);

#endif
