/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prefix replacement, streamed: a file that holds a package's prefix
 * placeholder is copied into the environment with the environment's path
 * written in, as conda does it (conda/core/portability.py:
 * replace_prefix, binary_replace, replace_long_shebang), in bounded
 * memory whatever the file's size (issue 9: a 1.7 KB package could ask for
 * 1.7 GB when whole files were read).
 *
 * Text mode: every placeholder is replaced; on the first line, when the
 * prefix holds a space, "#!PLACEHOLDER" becomes "#!" and the prefix with
 * its spaces escaped ("\ "); then a first line "#!EXE OPTIONS" longer than
 * ET_MAX_SHEBANG bytes, or whose EXE's folder holds an escaped space,
 * becomes "#!/usr/bin/env NAME OPTIONS" (NAME: EXE after its last "/").
 * Binary mode: every NUL-terminated string that starts with a placeholder
 * gets each placeholder in it replaced and is padded with NULs to its
 * length (the file keeps its size); a prefix longer than the placeholder
 * is an error, a placeholder with no NUL after it is left as is.
 *
 * Memory: two buffers of `window` bytes plus the placeholder's length,
 * and the first line when it must be looked at as a whole (a shebang, at
 * most ET_REPLACE_HEAD bytes).  Where envtool differs from conda, on
 * inputs no real package has: a first line longer than ET_REPLACE_HEAD
 * that starts with "#!" is refused (conda rewrites it); conda replaces a
 * rewritten shebang line wherever else the same line appears in the file,
 * envtool only the first line; conda fails on a long shebang whose EXE has
 * no "/", envtool leaves it; a first line longer than ET_REPLACE_HEAD does
 * not get the "\ " escaping (which only matters for a prefix with a space).
 */
#ifndef LIBCONDA_REPLACE_H
#define LIBCONDA_REPLACE_H

#include <stddef.h>

#include "nbkit/error.h"

enum et_file_mode { ET_FILE_MODE_NONE, ET_FILE_MODE_TEXT, ET_FILE_MODE_BINARY };

/* Linux's BINPRM_BUF_SIZE - 1: longer shebangs are cut by the kernel. */
#define ET_MAX_SHEBANG 127
/* The default window (bytes read at a time). */
#define ET_REPLACE_WINDOW (64u << 10)
/* The longest first line looked at whole (shebang handling). */
#define ET_REPLACE_HEAD (64u << 10)

/*
 * Copy in_fd (a regular file, from its current offset; binary mode also
 * reads ahead with pread()) to out_fd, replacing placeholder with prefix as
 * mode says, reading `window` bytes at a time (0: ET_REPLACE_WINDOW; tests
 * use tiny windows to put placeholders across reads).  out_max bounds the
 * bytes written (0: no bound).  Returns 0 when the output differs from the
 * input, 1 when it is the input unchanged, -1 with err (the caller names the
 * package and file).
 */
int et_replace_fd(int in_fd, int out_fd, const char *placeholder, const char *prefix,
		  enum et_file_mode mode, size_t window, unsigned long long out_max,
		  struct nbk_error *err);

#endif
