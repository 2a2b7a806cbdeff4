/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NULL-terminated vectors of owned strings (after git's strvec), usable
 * directly as argv or envp.
 *
 * Invariants: `v` is never NULL after init and v[n] == NULL.  Every string
 * in it is owned by the vector and freed by nbk_strvec_release().
 */
#ifndef NBKIT_STRVEC_H
#define NBKIT_STRVEC_H

#include <stdbool.h>
#include <stddef.h>

struct nbk_strvec {
	char **v;
	size_t n;
	size_t alloc;
};

extern char *nbk_strvec_empty[];
/* clang-format off */
#define NBK_STRVEC_INIT { nbk_strvec_empty, 0, 0 }
/* clang-format on */

void nbk_strvec_init(struct nbk_strvec *sv);
void nbk_strvec_release(struct nbk_strvec *sv);
/* Append a copy of s. */
void nbk_strvec_push(struct nbk_strvec *sv, const char *s);
/* Append s itself; the vector takes ownership. */
void nbk_strvec_push_owned(struct nbk_strvec *sv, char *s);
void nbk_strvec_pushf(struct nbk_strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nbk_strvec_pushv(struct nbk_strvec *sv, const char *const *v);
/* Remove element i, keeping order. */
void nbk_strvec_remove(struct nbk_strvec *sv, size_t i);
/* Index of the first element equal to s, or -1. */
long nbk_strvec_find(const struct nbk_strvec *sv, const char *s);
/* Sort in strcmp order. */
void nbk_strvec_sort(struct nbk_strvec *sv);
/* Is s an element of sv, sorted in strcmp order (binary search)? */
bool nbk_strvec_find_sorted(const struct nbk_strvec *sv, const char *s);
/* Append the elements to out, sep between two ("a, b, c"); nothing for none. */
struct nbk_buf;
void nbk_strvec_join(const struct nbk_strvec *sv, const char *sep, struct nbk_buf *out);
/*
 * Append the parts of s between sep characters, empty ones kept ("a::b":
 * "a", "", "b"; "a:": "a", ""), as a PATH is read; s NULL or "": none.
 * nbk_strvec_join(sv, ":") gives s back.
 */
void nbk_strvec_split(struct nbk_strvec *sv, const char *s, char sep);
/* Take the array (caller frees each string and the array). */
char **nbk_strvec_detach(struct nbk_strvec *sv);

void nbk_cleanup_strvec(struct nbk_strvec *sv);
#define _cleanup_strvec_ __attribute__((cleanup(nbk_cleanup_strvec)))

/*
 * Environment lists: vectors of "KEY=VALUE" strings.
 * nbk_env_get() returns a pointer to the value inside sv, or NULL.
 * nbk_env_set() replaces an existing KEY or appends it.
 * nbk_env_unset() removes every KEY= entry; returns how many were removed.
 */
const char *nbk_env_get(const struct nbk_strvec *env, const char *key);
void nbk_env_set(struct nbk_strvec *env, const char *key, const char *value);
size_t nbk_env_unset(struct nbk_strvec *env, const char *key);
/* true when `name` is a valid variable name ([A-Za-z_][A-Za-z0-9_]*). */
bool nbk_env_name_valid(const char *name, size_t len);

#endif
