/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error values with context.
 *
 * Library functions return 0 on success or a negative value on failure and
 * fill a caller-provided `struct nbk_error`.  Callers add context on the way
 * up with nbk_error_prefix(); only main() prints the message and chooses the
 * exit code.  The struct owns no heap memory: it can live on the stack and
 * needs no release.
 */
#ifndef NBKIT_ERROR_H
#define NBKIT_ERROR_H

#include <stddef.h>

#define NBK_ERROR_MSG_MAX 1024

struct nbk_error {
	int errnum;                  /* errno of the failure, 0 when none */
	char msg[NBK_ERROR_MSG_MAX]; /* "context: context: cause[: strerror]" */
};

/* clang-format off */
#define NBK_ERROR_INIT { 0, { 0 } }
/* clang-format on */

/*
 * Fill err with a formatted message; when errnum is not 0, ": strerror" is
 * appended.  Returns -1 so that callers can write
 * `return nbk_error_set(err, errno, "cannot open '%s'", path);`.
 * err may be NULL (the message is dropped).
 */
int nbk_error_set(struct nbk_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Put "formatted: " in front of the message already in err.  Returns -1.
 */
int nbk_error_prefix(struct nbk_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reset err to "no error". */
void nbk_error_clear(struct nbk_error *err);

#endif
