/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "nbkit/fd.h"

int nbk_open(const char *path, int flags, mode_t mode)
{
	return nbk_openat(AT_FDCWD, path, flags, mode);
}

int nbk_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd;

	do
		fd = openat(dirfd, path, flags, mode);
	while (fd < 0 && errno == EINTR);
	return fd;
}

ssize_t nbk_read(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t nbk_pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t nbk_read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = nbk_read(fd, p + got, n - got);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int nbk_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0)
			return errno = EIO, -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int nbk_read_fd(int fd, size_t max, struct nbk_buf *out)
{
	size_t start = out->len;

	for (;;) {
		ssize_t n;

		nbk_buf_grow(out, 4096);
		n = nbk_read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n == 0)
			return 0;
		if (n > 0) {
			out->len += (size_t)n;
			out->data[out->len] = '\0';
			if (out->len - start <= max)
				continue;
			errno = EFBIG;
		}
		out->len = start;
		out->data[start] = '\0';
		return -1;
	}
}

int nbk_copy_fd(int in, int out)
{
	bool by_range = true;
	char chunk[16384];

	for (;;) {
		ssize_t n;

		if (by_range) {
			n = copy_file_range(in, NULL, out, NULL, SIZE_MAX >> 2, 0);
			if (n < 0 && errno == EINTR)
				continue;
			/* another file system, an old kernel, a file it cannot take */
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
				      errno == EOPNOTSUPP)) {
				by_range = false;
				continue;
			}
			if (n <= 0)
				return n < 0 ? -1 : 0;
			continue;
		}
		n = nbk_read(in, chunk, sizeof(chunk));
		if (n <= 0)
			return n < 0 ? -1 : 0;
		if (nbk_write_all(out, chunk, (size_t)n) < 0)
			return -1;
	}
}
