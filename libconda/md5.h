/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MD5 (RFC 1321), only for conda's repodata cache file names
 * (conda/gateways/repodata: md5(url)[:8]), never for integrity.
 */
#ifndef LIBCONDA_MD5_H
#define LIBCONDA_MD5_H

#include <stddef.h>

/* Write the 32 hex digits of md5(data) and a NUL into hex. */
void et_md5_hex(const void *data, size_t len, char hex[33]);

#endif
