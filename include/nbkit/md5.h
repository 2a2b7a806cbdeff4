/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MD5 (RFC 1321), one-shot, for what conda names with it: the repodata
 * cache file names (conda/gateways/repodata: md5(url)[:8]) and the md5 of
 * records that have no sha256.  The block and padding frame is SHA-256's
 * (lib/md.c).
 */
#ifndef NBKIT_MD5_H
#define NBKIT_MD5_H

#include <stddef.h>

#define NBK_MD5_HEX_LEN 32

/* Write the 32 lowercase hex digits of md5(data) and a NUL into hex. */
void nbk_md5_hex(const void *data, size_t len, char hex[NBK_MD5_HEX_LEN + 1]);

#endif
