/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Downloading package archives: all at once over one libcurl multi handle
 * with a bounded number of connections, verified while they arrive.
 *
 * Each download goes to DEST.partial and is renamed to DEST only once its
 * size and digest (sha256; md5 when that is all the record has) match.  A
 * dropped connection or a 5xx/429/408 is retried after backoff_factor *
 * 2^n seconds (cfg's remote_max_retries / remote_backoff_factor; the
 * transfers run in transfer.c's loop, as repodata's do); when the
 * .partial already holds bytes the retry asks for the rest with a Range
 * request (a server that answers 200 instead of 206 is read from the
 * start).  A download that fails verification leaves nothing behind: DEST
 * and DEST.partial are deleted and the error names the package.
 *
 * file:// URLs and plain paths are copied (and verified) the same way.
 *
 * Bounds (transfer.h): a server that sends more than the record's size
 * (ET_PACKAGE_MAX when the record gives none) is cut off and the download
 * fails, naming the URL; an error answer's body is dropped (an endless one
 * is cut after ET_ERROR_BODY_MAX bytes and its status stands); a stalled
 * transfer is a timeout, retried, then an error.
 *
 * Progress: the caller's progress function (opts->progress) is given every
 * download as it stands, as the transfers go and once more at the end; the
 * engine draws nothing (envtool/progress.c draws mamba-like bars).
 */
#ifndef LIBCONDA_DOWNLOAD_H
#define LIBCONDA_DOWNLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbkit/error.h"
#include "config.h"

/* Default number of simultaneous transfers (mamba's default is 5). */
#define ET_DL_DEFAULT_CONNECTIONS 5

struct et_download {
	/* set by the caller; borrowed, must outlive et_download_all() */
	const char *url;    /* http(s)://, file:// or an absolute path */
	const char *dest;   /* final path; DEST.partial while in progress */
	const char *label;  /* the package, for messages and bars ("zlib-1.2.11-h7b6447c_3") */
	const char *sha256; /* hex; NULL or "" when absent */
	const char *md5;    /* hex; NULL or "" when absent; used only without sha256 */
	uint64_t size;      /* expected bytes; 0 when unknown */
	/* results */
	bool ok;              /* DEST exists and was verified */
	bool resumed;         /* a Range request continued a .partial */
	uint64_t bytes;       /* bytes received over the network (not counting a resumed prefix) */
	struct nbk_error err; /* when !ok */
};

/*
 * Called (from et_download_all()'s thread) each time a download finished,
 * well or not, so the caller can start extracting it while the others are
 * still downloading.
 */
typedef void (*et_download_done_fn)(struct et_download *dl, void *user);

/* One download as it stands, for a progress report. */
struct et_download_progress {
	const char *label; /* the download's label */
	uint64_t have;     /* bytes in DEST.partial so far (a resumed prefix included) */
	uint64_t size;     /* expected bytes; 0: unknown */
	bool active;       /* a transfer runs for it now */
	bool done;         /* verified, or failed for good */
};

/*
 * Called from et_download_all()'s thread at each turn of the transfer
 * loop (often: the function decides how often it shows anything), then
 * once with final set after the last transfer ended.  rows[0..n) are the
 * downloads in the order given, valid during the call only.
 */
typedef void (*et_download_progress_fn)(const struct et_download_progress *rows, size_t n,
					bool final, void *user);

struct et_download_opts {
	unsigned max_connections;         /* 0: ET_DL_DEFAULT_CONNECTIONS */
	et_download_done_fn on_done;      /* may be NULL */
	void *user;                       /* on_done's */
	et_download_progress_fn progress; /* may be NULL */
	void *progress_user;              /* progress's */
};

/*
 * Download every dls[i] (url and dest set).  Returns 0 when all are ok, or
 * -1 with err set to the first failure (its message names the package);
 * each download's own result is in dls[i].ok / dls[i].err either way.
 * Nothing is allocated that the caller must free.
 */
int et_download_all(const struct et_config *cfg, struct et_download *dls, size_t n,
		    const struct et_download_opts *opts, struct nbk_error *err);

/*
 * Check the file at path against size (0: any), sha256 or md5 (hex, NULL or
 * "": absent).  Returns 0 when it matches, -1 with err ("'LABEL': sha256
 * mismatch: expected X, got Y") otherwise.  Does not delete anything.
 */
int et_download_verify_file(const char *path, const char *label, uint64_t size, const char *sha256,
			    const char *md5, struct nbk_error *err);

#endif
