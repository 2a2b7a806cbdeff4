/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Growable byte buffers (after git's strbuf).
 *
 * Invariants: `data` is never NULL after nbk_buf_init() and is always
 * NUL-terminated at data[len]; `len < cap` once anything was allocated.
 * Memory exhaustion aborts the process: every caller would do the same and
 * the cost of checking each append is paid in bugs.
 *
 * Lifecycle: nbk_buf_init() (or NBK_BUF_INIT), appends, then
 * nbk_buf_release() frees the contents, or nbk_buf_detach() hands the string
 * to the caller, who frees it with free().
 */
#ifndef NBKIT_BUF_H
#define NBKIT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct nbk_buf {
	char *data;
	size_t len;
	size_t cap;
};

extern char nbk_buf_empty[];
/* clang-format off */
#define NBK_BUF_INIT { nbk_buf_empty, 0, 0 }
/* clang-format on */

void nbk_buf_init(struct nbk_buf *b);
void nbk_buf_release(struct nbk_buf *b);
/* Make room for `extra` more bytes (plus the NUL). */
void nbk_buf_grow(struct nbk_buf *b, size_t extra);
void nbk_buf_reset(struct nbk_buf *b);
void nbk_buf_add(struct nbk_buf *b, const void *data, size_t len);
void nbk_buf_addstr(struct nbk_buf *b, const char *s);
void nbk_buf_addch(struct nbk_buf *b, char c);
void nbk_buf_addf(struct nbk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nbk_buf_vaddf(struct nbk_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/*
 * Append s on one line: control characters (C0 and DEL) written as \n, \r,
 * \t or \xXX (ESC is \x1b), everything else as it is.  For text logs:
 * text someone else chose (a file name) cannot start a line or move the
 * terminal's cursor.  (JSON strings: nbk_buf_add_json_string() in json.h.)
 */
void nbk_buf_add_escaped(struct nbk_buf *b, const char *s);
/*
 * Append s as one word for sh, bash and zsh: in single quotes, a quote
 * inside written '\'' (nothing is expanded in it).
 */
void nbk_buf_add_sh_quoted(struct nbk_buf *b, const char *s);
/*
 * Append s percent-encoded (RFC 3986 2.1): every byte but the unreserved
 * ones (ALPHA DIGIT - . _ ~) as %XX.  For a user name or a password put
 * into a URL's userinfo, where ':', '@', '/' and '%' would break it.
 */
void nbk_buf_add_percent_encoded(struct nbk_buf *b, const char *s);
/*
 * A new string: s escaped as nbk_buf_add_escaped() does, for a message that
 * quotes a name from data or the user and must stay one line.  The caller
 * frees it.
 */
char *nbk_printable(const char *s);
/* Return the string (caller frees) and leave b empty and initialised. */
char *nbk_buf_detach(struct nbk_buf *b, size_t *len);
/* Remove trailing whitespace. */
void nbk_buf_rtrim(struct nbk_buf *b);

void nbk_cleanup_buf(struct nbk_buf *b);
#define _cleanup_buf_ __attribute__((cleanup(nbk_cleanup_buf)))

/* malloc/calloc/realloc/strdup that abort with a message on exhaustion. */
void *nbk_xmalloc(size_t n);
void *nbk_xcalloc(size_t n, size_t size);
void *nbk_xrealloc(void *p, size_t n);
char *nbk_xstrdup(const char *s);
char *nbk_xstrndup(const char *s, size_t n);
char *nbk_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
