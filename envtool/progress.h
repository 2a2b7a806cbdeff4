/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Download progress on a terminal, mamba's way: a bar for each active
 * download and one for the total, redrawn at most 10 times a second on
 * stderr and erased at the end.  The engine reports (download.h's
 * et_download_progress_fn); this draws.
 */
#ifndef ENVTOOL_PROGRESS_H
#define ENVTOOL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "download.h"

struct et_progress_bars {
	unsigned lines;   /* drawn last time */
	uint64_t last_ms; /* when */
};

/* An et_download_progress_fn; user is a zeroed struct et_progress_bars. */
void et_progress_draw(const struct et_download_progress *rows, size_t n, bool final, void *user);

#endif
