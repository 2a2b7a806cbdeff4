/* SPDX-License-Identifier: Apache-2.0 */
/* Download progress bars on stderr (progress.h). */
#include <stdio.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "progress.h"

#define REDRAW_MS 100
#define BAR_WIDTH 30

static void bar(struct nbk_buf *b, const char *label, uint64_t have, uint64_t total,
		const char *tail)
{
	char h[NBK_HUMAN_SIZE_MAX], t[NBK_HUMAN_SIZE_MAX];
	int fill = total ? (int)((double)have / (double)total * BAR_WIDTH) : 0, i;

	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	nbk_human_size(have, h);
	nbk_human_size(total, t);
	nbk_buf_addf(b, "\x1b[2K%-40.40s [", label);
	for (i = 0; i < BAR_WIDTH; i++)
		nbk_buf_addch(b, i < fill ? '=' : i == fill ? '>' : ' ');
	nbk_buf_addf(b, "] %9s / %-9s %s\n", h, total ? t : "?", tail);
}

void et_progress_draw(const struct et_download_progress *rows, size_t n, bool final, void *user)
{
	struct et_progress_bars *bs = user;
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;
	uint64_t now = nbk_now_ms(), have = 0, total = 0;
	size_t i, ndone = 0;
	unsigned lines = 0;
	char tail[32];

	if (final ? !bs->lines : now - bs->last_ms < REDRAW_MS)
		return;
	bs->last_ms = now;
	if (bs->lines)
		nbk_buf_addf(&b, "\x1b[%uA", bs->lines);
	for (i = 0; i < n; i++) {
		have += rows[i].have;
		total += rows[i].size ? rows[i].size : rows[i].have;
		ndone += rows[i].done;
		if (!final && rows[i].active) {
			bar(&b, rows[i].label, rows[i].have, rows[i].size, "");
			lines++;
		}
	}
	snprintf(tail, sizeof(tail), "%zu/%zu", ndone, n);
	if (!final) {
		bar(&b, "Total", have, total, tail);
		lines++;
	}
	/* erase what the last frame drew below */
	for (i = lines; i < bs->lines; i++)
		nbk_buf_addstr(&b, "\x1b[2K\n");
	if (bs->lines > lines)
		nbk_buf_addf(&b, "\x1b[%uA", bs->lines - lines);
	bs->lines = lines;
	nbk_write_all(STDERR_FILENO, b.data, b.len);
}
