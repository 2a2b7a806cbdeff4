/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/fd.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "nbkit/strvec.h"

static const char *log_prog = "nbkit";
static int log_level = NBK_LOG_INFO;
static enum nbk_log_format log_format = NBK_LOG_TEXT;
static int log_fd = 2;
static struct nbk_strvec log_secrets = NBK_STRVEC_INIT;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void nbk_log_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');

	log_prog = slash ? slash + 1 : prog;
}

void nbk_log_set_level(int level)
{
	if (level < NBK_LOG_ERROR)
		level = NBK_LOG_ERROR;
	if (level > NBK_LOG_DEBUG)
		level = NBK_LOG_DEBUG;
	log_level = level;
}

int nbk_log_get_level(void)
{
	return log_level;
}

void nbk_log_set_format(enum nbk_log_format format)
{
	log_format = format;
}

int nbk_log_parse_format(const char *s, enum nbk_log_format *out)
{
	if (!strcmp(s, "text"))
		*out = NBK_LOG_TEXT;
	else if (!strcmp(s, "json"))
		*out = NBK_LOG_JSON;
	else
		return -1;
	return 0;
}

void nbk_log_set_fd(int fd)
{
	log_fd = fd;
}

bool nbk_log_enabled(int level)
{
	return level <= log_level;
}

void nbk_log_add_secret(const char *value)
{
	/*
	 * Values shorter than NBK_LOG_SECRET_MIN are not searched for: masking
	 * every "1" of every line (an env_file's DEBUG=1) hides the log, not a
	 * secret.  Callers never log secret values; this is the second line of
	 * defence for the values that could be guessed from a line anyway.
	 */
	if (!value || strlen(value) < NBK_LOG_SECRET_MIN ||
	    nbk_strvec_find(&log_secrets, value) >= 0)
		return;
	nbk_strvec_push(&log_secrets, value);
}

void nbk_log_clear_secrets(void)
{
	nbk_strvec_release(&log_secrets);
}

/* Position and length of the earliest, then longest, secret in s, or NULL. */
static const char *find_secret(const char *s, size_t *len)
{
	const char *best = NULL;
	size_t i;

	*len = 0;
	for (i = 0; i < log_secrets.n; i++) {
		const char *p = strstr(s, log_secrets.v[i]);
		size_t l = strlen(log_secrets.v[i]);

		if (p && (!best || p < best || (p == best && l > *len))) {
			best = p;
			*len = l;
		}
	}
	return best;
}

char *nbk_log_redact(const char *msg)
{
	struct nbk_buf b = NBK_BUF_INIT;
	const char *p = msg;
	const char *hit;
	size_t len;

	while ((hit = find_secret(p, &len))) {
		nbk_buf_add(&b, p, (size_t)(hit - p));
		nbk_buf_addstr(&b, "***");
		p = hit + len;
	}
	nbk_buf_addstr(&b, p);
	return nbk_buf_detach(&b, NULL);
}

static char *last_error;

const char *nbk_log_last_error(void)
{
	return last_error;
}

void nbk_log_remember_error(const char *msg)
{
	char *m = nbk_log_redact(msg);

	free(last_error);
	last_error = m;
}

/*
 * Write one log line at level (nbk_log()'s contract in log.h): dropped
 * above the level set, secrets masked, kept as the last error when it is
 * one, then as a JSON object or an escaped text line in one write().
 */
void nbk_vlog(int level, const char *step, const char *fmt, va_list ap)
{
	struct nbk_buf raw = NBK_BUF_INIT;
	struct nbk_buf line = NBK_BUF_INIT;
	char *msg;
	int saved = errno;

	if (level > log_level)
		return;
	if (level < NBK_LOG_ERROR)
		level = NBK_LOG_ERROR;
	if (level > NBK_LOG_DEBUG)
		level = NBK_LOG_DEBUG;
	nbk_buf_vaddf(&raw, fmt, ap);
	nbk_buf_rtrim(&raw);
	msg = nbk_log_redact(raw.data);
	nbk_buf_release(&raw);
	if (level == NBK_LOG_ERROR) {
		free(last_error);
		last_error = nbk_xstrdup(msg);
	}

	if (log_format == NBK_LOG_JSON) {
		struct timespec ts;
		struct tm tm;
		char when[32];
		struct nbk_json w;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
			 ts.tv_nsec / 1000000);
		nbk_json_init(&w, &line, NBK_JSON_COMPACT);
		nbk_json_object_begin(&w);
		nbk_json_key_string(&w, "time", when);
		nbk_json_key_string(&w, "level", level_names[level]);
		nbk_json_key_string(&w, "program", log_prog);
		if (step)
			nbk_json_key_string(&w, "step", step);
		nbk_json_key_string(&w, "msg", msg);
		nbk_json_object_end(&w);
		nbk_buf_addch(&line, '\n');
	} else {
		/*
		 * One call, one line: control characters are escaped in every
		 * field, as in JSON, so a hook's file name holding "\n[bootstrap]
		 * ..." or a terminal escape cannot forge or hide a line (issue 9).
		 */
		nbk_buf_add_escaped(&line, log_prog);
		nbk_buf_addstr(&line, ": ");
		if (level != NBK_LOG_INFO)
			nbk_buf_addf(&line, "%s: ", level_names[level]);
		if (step) {
			nbk_buf_add_escaped(&line, step);
			nbk_buf_addstr(&line, ": ");
		}
		nbk_buf_add_escaped(&line, msg);
		nbk_buf_addch(&line, '\n');
	}
	nbk_write_all(log_fd, line.data, line.len);
	nbk_buf_release(&line);
	free(msg);
	errno = saved;
}

void nbk_log(int level, const char *step, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nbk_vlog(level, step, fmt, ap);
	va_end(ap);
}
