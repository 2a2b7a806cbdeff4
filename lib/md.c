/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "md.h"

void nbk_md_update(uint32_t *h, uint8_t buf[64], size_t *nbuf, uint64_t *len,
		   nbk_md_compress_fn *compress, const void *data, size_t n)
{
	const uint8_t *p = data;

	*len += n;
	if (*nbuf) {
		size_t take = 64 - *nbuf < n ? 64 - *nbuf : n;

		memcpy(buf + *nbuf, p, take);
		*nbuf += take;
		p += take;
		n -= take;
		if (*nbuf < 64)
			return;
		compress(h, buf);
		*nbuf = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		compress(h, p);
	memcpy(buf, p, n);
	*nbuf = n;
}

void nbk_md_finish(uint32_t *h, uint8_t buf[64], size_t nbuf, uint64_t len, bool big_endian,
		   nbk_md_compress_fn *compress)
{
	uint64_t bits = len * 8;
	int i;

	/* a 1 bit, zeros to 56 mod 64, the length in bits */
	buf[nbuf++] = 0x80;
	if (nbuf > 56) {
		memset(buf + nbuf, 0, 64 - nbuf);
		compress(h, buf);
		nbuf = 0;
	}
	memset(buf + nbuf, 0, 56 - nbuf);
	for (i = 0; i < 8; i++)
		buf[56 + i] = (uint8_t)(bits >> (big_endian ? 56 - 8 * i : 8 * i));
	compress(h, buf);
}
