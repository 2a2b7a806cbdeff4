/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The frame that MD5 (RFC 1321, section 3) and SHA-256 (FIPS 180-4, 5.1.1)
 * share, private to lib/: the message is cut into 64-byte blocks fed to the
 * hash's compression function; the last one is padded with a 1 bit, zeros,
 * and the message's length in bits as 8 bytes (little-endian for MD5,
 * big-endian for SHA-256).  md5.c and sha256.c keep only their compression
 * function, their initial state and their digest's byte order.
 */
#ifndef NBKIT_LIB_MD_H
#define NBKIT_LIB_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The hash's compression function: one 64-byte block into the state h. */
typedef void nbk_md_compress_fn(uint32_t *h, const uint8_t *block);

/* Feed n bytes: full blocks go to compress, the rest waits in buf (*nbuf bytes). */
void nbk_md_update(uint32_t *h, uint8_t buf[64], size_t *nbuf, uint64_t *len,
		   nbk_md_compress_fn *compress, const void *data, size_t n);

/* Pad what waits in buf and compress the last block(s). */
void nbk_md_finish(uint32_t *h, uint8_t buf[64], size_t nbuf, uint64_t len, bool big_endian,
		   nbk_md_compress_fn *compress);

#endif
