/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Descriptors: the one owner of nbkit's read and write loops.  Every
 * function retries on EINTR (a signal handler installed without SA_RESTART,
 * as bootstrap's stop handler is, makes a slow read or write fail with it)
 * and returns -1 with errno set on failure, as the syscall it wraps does.
 * None allocates except nbk_read_fd() (into the caller's buffer): all but
 * it are async-signal-safe and usable between fork and exec.
 */
#ifndef NBKIT_FD_H
#define NBKIT_FD_H

#include <stddef.h>
#include <sys/types.h>

#include "nbkit/buf.h"

/* open() and openat(), retried on EINTR (a FIFO's open sleeps). */
int nbk_open(const char *path, int flags, mode_t mode);
int nbk_openat(int dirfd, const char *path, int flags, mode_t mode);

/* One read() or pread(), retried on EINTR: what the syscall returns. */
ssize_t nbk_read(int fd, void *buf, size_t n);
ssize_t nbk_pread(int fd, void *buf, size_t n, off_t off);

/* Read until n bytes or the end of the file: the count (< n only at the end), or -1. */
ssize_t nbk_read_full(int fd, void *buf, size_t n);

/*
 * Write all len bytes: 0, or -1 with errno (EIO when write() wrote nothing
 * without saying why).
 */
int nbk_write_all(int fd, const void *data, size_t len);

/*
 * Append everything fd has, up to its end, to out: 0, or -1 with errno
 * (EFBIG when there is more than max bytes); on failure out is as it was.
 */
int nbk_read_fd(int fd, size_t max, struct nbk_buf *out);

/*
 * Copy what in has, from its offset to its end, to out (copy_file_range()
 * where the file systems allow it, else read and write): 0, or -1 with errno.
 */
int nbk_copy_fd(int in, int out);

#endif
