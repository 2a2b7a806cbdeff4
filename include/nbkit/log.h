/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to stderr, as text or as one JSON object per line.
 *
 * Levels: 0 error, 1 warning, 2 info (the default), 3 debug.  A message is
 * written when its level <= the configured verbosity; errors always are.
 *
 * Secrets: every value registered with nbk_log_add_secret() is replaced by
 * "***" in every message before it is written, at every level, so a value
 * that slips into a message by accident (an error quoting a line of a file)
 * still never reaches the log.
 *
 * The logger keeps process-wide state (program name, level, format, the
 * secret list); it is not thread-safe and is meant for single-threaded
 * programs.  It never writes to stdout.
 */
#ifndef NBKIT_LOG_H
#define NBKIT_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum nbk_log_level {
	NBK_LOG_ERROR = 0,
	NBK_LOG_WARN = 1,
	NBK_LOG_INFO = 2,
	NBK_LOG_DEBUG = 3,
};

enum nbk_log_format {
	NBK_LOG_TEXT,
	NBK_LOG_JSON,
};

void nbk_log_init(const char *prog);
void nbk_log_set_level(int level);
int nbk_log_get_level(void);
void nbk_log_set_format(enum nbk_log_format format);
/* Parse "text" or "json"; -1 when neither. */
int nbk_log_parse_format(const char *s, enum nbk_log_format *out);
/* Redirect output to fd (default 2); used by tests. */
void nbk_log_set_fd(int fd);
bool nbk_log_enabled(int level);

/* Secrets shorter than this are not searched for in messages (see log.c). */
#define NBK_LOG_SECRET_MIN 4

/* Register a secret value (copied; values shorter than NBK_LOG_SECRET_MIN are ignored). */
void nbk_log_add_secret(const char *value);
/* Forget every registered secret. */
void nbk_log_clear_secrets(void);
/*
 * The last ERROR line's message (secrets masked), or NULL: for a tool that
 * repeats its failure in another shape (envtool --json).
 */
const char *nbk_log_last_error(void);
/* Make msg the last error, for an error line written in its own shape. */
void nbk_log_remember_error(const char *msg);
/* Copy msg into a new string with every registered secret replaced by ***. */
char *nbk_log_redact(const char *msg);

/*
 * Write one line.  `step` (may be NULL) names the phase the line belongs to;
 * JSON lines carry it as "step", text lines as a "step: " prefix.  A call
 * always writes exactly one line: trailing whitespace is dropped and every
 * other control character (newline, CR, tab, ESC, other C0, DEL) is escaped
 * in every field, as \n, \r, \t or \xXX in text and as JSON escapes in JSON.
 */
void nbk_log(int level, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void nbk_vlog(int level, const char *step, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define nbk_error(...) nbk_log(NBK_LOG_ERROR, NULL, __VA_ARGS__)
#define nbk_warn(...) nbk_log(NBK_LOG_WARN, NULL, __VA_ARGS__)
#define nbk_info(...) nbk_log(NBK_LOG_INFO, NULL, __VA_ARGS__)
#define nbk_debug(...) nbk_log(NBK_LOG_DEBUG, NULL, __VA_ARGS__)

#endif
