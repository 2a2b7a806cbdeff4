/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the steps share: secret marking, "the container wins" defaults, the
 * once-only "not root" note and the per-step log line.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap.h"
#include "nbkit/buf.h"
#include "nbkit/log.h"
#include "nbkit/proc.h"

volatile sig_atomic_t bs_stop_signal;

void bs_stop_sigset(sigset_t *set)
{
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	size_t i;

	sigemptyset(set);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
}

bool bs_env_name_is_secret(const char *name)
{
	static const char *const marks[] = { "SECRET", "PASSWORD", "TOKEN", "KEY" };
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strcasestr(name, marks[i]))
			return true;
	return false;
}

bool bs_env_set_default(struct bs_ctx *ctx, const char *key, const char *value)
{
	if (nbk_env_get(&ctx->env, key))
		return false;
	nbk_env_set(&ctx->env, key, value);
	return true;
}

void bs_mark_secret(struct bs_ctx *ctx, const char *key, const char *value)
{
	if (nbk_strvec_find(&ctx->secret_keys, key) < 0)
		nbk_strvec_push(&ctx->secret_keys, key);
	nbk_log_add_secret(value);
}

bool bs_is_secret(const struct bs_ctx *ctx, const char *key)
{
	return bs_env_name_is_secret(key) || nbk_strvec_find(&ctx->secret_keys, key) >= 0;
}

void bs_note_not_root(struct bs_ctx *ctx, const char *what)
{
	if (ctx->root_skip_logged) {
		nbk_log(NBK_LOG_DEBUG, NULL, "not root: skipping %s", what);
		return;
	}
	ctx->root_skip_logged = true;
	nbk_log(NBK_LOG_INFO, NULL,
		"running as uid %u, not root: skipping what needs root (%s and the like)",
		(unsigned)geteuid(), what);
}

void bs_step_log(const struct bs_ctx *ctx, const char *step, const char *fmt, ...)
{
	struct nbk_buf b = NBK_BUF_INIT;
	uint64_t us = nbk_now_us() - ctx->step_start_us;
	va_list ap;

	va_start(ap, fmt);
	nbk_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	nbk_log(NBK_LOG_INFO, step, "%s (%llu.%llu ms)", b.data, (unsigned long long)(us / 1000),
		(unsigned long long)(us % 1000 / 100));
	nbk_buf_release(&b);
}
