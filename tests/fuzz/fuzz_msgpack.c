/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: MessagePack as CEP 16 serves it (libconda/msgpack.c,
 * the shard records of libconda/repodata.c, the index of
 * libconda/shards.c).  Every input goes three ways, none of which may
 * crash or read past it: walked value by value with et_msgpack_next()
 * (every str and bin touched, containers counted down by hand), and when
 * that walk ends where et_msgpack_skip() ends, both must agree; decoded as
 * a shard of the name "a" (the records it gives are touched); decoded as a
 * shard index (its names looked up).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../libconda/msgpack.h"
#include "../../libconda/repodata.h"
#include "../../libconda/shards.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walk one value with next() alone; returns its end offset, or -1. */
static long walk(const uint8_t *data, size_t size)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_msgpack_value v;
	struct et_msgpack r;
	uint64_t left = 1;
	volatile unsigned sum = 0;

	et_msgpack_init(&r, data, size);
	while (left) {
		uint32_t i;

		left--;
		if (et_msgpack_next(&r, &v, &err) < 0)
			return -1;
		if (v.type == ET_MSGPACK_STR || v.type == ET_MSGPACK_BIN ||
		    v.type == ET_MSGPACK_EXT)
			for (i = 0; i < v.len; i++)
				sum += (unsigned char)v.s[i];
		else if (v.type == ET_MSGPACK_ARRAY)
			left += v.len;
		else if (v.type == ET_MSGPACK_MAP)
			left += (uint64_t)v.len * 2;
	}
	(void)sum;
	return (long)et_msgpack_offset(&r);
}

static void touch(const struct et_repo *repo)
{
	volatile size_t sum = 0;
	size_t i, k;

	for (i = 0; i < repo->n; i++) {
		const struct et_record *r = &repo->records[i];

		sum += strlen(r->name) + strlen(r->version) + strlen(r->url) + strlen(r->fn) +
		       strlen(r->sha256) + strlen(r->md5);
		for (k = 0; k < r->depends.n; k++)
			sum += strlen(r->depends.v[k]);
		for (k = 0; k < r->track_features.n; k++)
			sum += strlen(r->track_features.v[k]);
	}
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct et_repo_id id = { "fuzz", "https://example.org/fuzz/linux-64", "linux-64", 0 };
	struct et_repo_shard sh = { "a", data, size };
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	struct et_shard_index index;
	struct et_msgpack r;
	unsigned char *copy;
	long end;

	if (size > (4u << 20))
		return 0;
	end = walk(data, size);
	et_msgpack_init(&r, data, size);
	/* skip() may refuse deeper nesting than walk() follows, never the other way */
	if (et_msgpack_skip(&r, &err) == 0 && (end < 0 || (size_t)end != et_msgpack_offset(&r)))
		abort();
	if (et_repo_from_shards(&repo, &id, "../base", &sh, 1, &err) == 0) {
		touch(&repo);
		et_repo_release(&repo);
	}
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (et_shard_index_decode(&index, "fuzz", id.url, "linux-64", copy, size, &err) == 0) {
		size_t i;

		for (i = 0; i < index.n && i < 64; i++) {
			char *name = et_shard_index_name(&index, i);

			if (!et_shard_index_has(&index, name))
				abort();
			free(name);
		}
		et_shard_index_release(&index);
	}
	return 0;
}
