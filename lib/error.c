/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"

int nbk_error_set(struct nbk_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (!err)
		return -1;
	err->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (errnum) {
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	}
	return -1;
}

int nbk_error_prefix(struct nbk_error *err, const char *fmt, ...)
{
	struct nbk_buf b = NBK_BUF_INIT;
	size_t len;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	nbk_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	nbk_buf_addstr(&b, ": ");
	nbk_buf_addstr(&b, err->msg);
	/* keep the head: the context added last, then as much of the cause as fits */
	len = b.len < sizeof(err->msg) - 1 ? b.len : sizeof(err->msg) - 1;
	memcpy(err->msg, b.data, len);
	err->msg[len] = '\0';
	nbk_buf_release(&b);
	return -1;
}

void nbk_error_clear(struct nbk_error *err)
{
	if (!err)
		return;
	err->errnum = 0;
	err->msg[0] = '\0';
}
