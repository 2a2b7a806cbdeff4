/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: repodata (envtool/repodata.c).  An input starting with
 * 'B' is a hostile binary cache (the rest of it); anything else is a
 * repodata.json document: when it parses, its blob is saved and reloaded
 * (the same records must come back), then reloaded again with one byte
 * flipped (it must be refused or load, never crash).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../libconda/repodata.h"
#include "../../libconda/repodata_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* et_repo_blob_load() of a copy of the len bytes at data (it takes the copy over). */
static int load_copy(struct et_repo *repo, const struct et_repo_id *id, const void *data,
		     size_t len, const struct et_repo_key *key, struct nbk_error *err)
{
	unsigned char *copy = malloc(len + 1);

	if (!copy)
		abort();
	memcpy(copy, data, len);
	return et_repo_blob_load(repo, id, copy, len, key, "memory", err);
}

static size_t touch(const struct et_record *r)
{
	size_t k, sum = strlen(r->name) + strlen(r->version) + strlen(r->url) + strlen(r->fn);

	for (k = 0; k < r->depends.n; k++)
		sum += strlen(r->depends.v[k]);
	for (k = 0; k < r->track_features.n; k++)
		sum += strlen(r->track_features.v[k]);
	return sum;
}

/*
 * Make and read every record, each name's (et_repo_name(): what a solve
 * reads, checked record by record in a blob) and then all of them.  made:
 * the blob is one we made (parsed), so every kept record's name finds it;
 * a blob from outside may have a name table out of order (a byte flipped
 * in a name), which only loses records.
 */
static void touch_records(struct et_repo *repo, bool made)
{
	volatile size_t sum = 0;
	size_t i, j, n;

	et_repo_all(repo);
	for (i = 0; i < repo->n; i++) {
		const struct et_record *named = et_repo_name(repo, repo->records[i].name,
							     strlen(repo->records[i].name), &n);

		if (!named && made)
			abort(); /* a kept record's name finds it */
		for (j = 0; j < n; j++)
			sum += touch(&named[j]);
		sum += touch(&repo->records[i]);
	}
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct et_repo_id id = { "fuzz", "https://example.org/fuzz/linux-64", "linux-64", 0 };
	struct et_repo_key key = { 1, 2 };
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT, again = ET_REPO_INIT;
	const unsigned char *blob;
	unsigned char *copy;
	char *json;
	size_t len, i;

	if (size > (4u << 20))
		return 0;
	if (size && data[0] == 'B') {
		if (load_copy(&repo, &id, data + 1, size - 1, NULL, &err) == 0) {
			touch_records(&repo, false);
			et_repo_release(&repo);
		}
		return 0;
	}
	json = malloc(size + 1);
	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	if (et_repo_parse(&repo, &id, json, size, &err) == 0) {
		touch_records(&repo, true);
		blob = et_repo_blob_bytes(&repo, &key, &len);
		if (load_copy(&again, &id, blob, len, &key, &err) != 0)
			abort();
		et_repo_all(&again);
		if (again.n != repo.n)
			abort();
		for (i = 0; i < repo.n; i++)
			if (strcmp(again.records[i].fn, repo.records[i].fn) ||
			    strcmp(again.records[i].url, repo.records[i].url) ||
			    again.records[i].depends.n != repo.records[i].depends.n)
				abort();
		et_repo_release(&again);
		copy = malloc(len);
		if (copy && len) {
			memcpy(copy, blob, len);
			copy[(size * 7919) % len] ^= 0x5a;
			if (load_copy(&again, &id, copy, len, &key, &err) == 0) {
				touch_records(&again, false);
				et_repo_release(&again);
			}
		}
		free(copy);
		et_repo_release(&repo);
	}
	free(json);
	return 0;
}
