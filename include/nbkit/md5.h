/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MD5 (RFC 1321), for what conda names with it: the repodata cache file
 * names (conda/gateways/repodata: md5(url)[:8]) and the md5 of records that
 * have no sha256.  Same usage as sha256.h: nbk_md5_init(),
 * nbk_md5_update() any number of times, nbk_md5_final() (the context is
 * spent afterwards); the context holds no heap memory.
 */
#ifndef NBKIT_MD5_H
#define NBKIT_MD5_H

#include <stddef.h>
#include <stdint.h>

#define NBK_MD5_LEN 16
#define NBK_MD5_HEX_LEN 32

struct nbk_md5 {
	uint32_t h[4];
	uint64_t len;          /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

void nbk_md5_init(struct nbk_md5 *c);
void nbk_md5_update(struct nbk_md5 *c, const void *data, size_t len);
void nbk_md5_final(struct nbk_md5 *c, uint8_t out[NBK_MD5_LEN]);
/* Finish and write the 32 lowercase hex digits and a NUL into hex. */
void nbk_md5_final_hex(struct nbk_md5 *c, char hex[NBK_MD5_HEX_LEN + 1]);
/* One-shot: hex digest of data. */
void nbk_md5_hex(const void *data, size_t len, char hex[NBK_MD5_HEX_LEN + 1]);

#endif
