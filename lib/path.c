/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"

int nbk_path_expand_user(const char *path, const char *home, char **out, struct nbk_error *err)
{
	if (path[0] != '~') {
		*out = nbk_xstrdup(path);
		return 0;
	}
	if (path[1] != '\0' && path[1] != '/')
		return nbk_error_set(err, 0, "cannot expand '%s': only '~' and '~/' are supported",
				     path);
	if (!home || !*home)
		return nbk_error_set(err, 0, "cannot expand '%s': no home folder", path);
	if (!path[1]) {
		*out = nbk_path_normalize(home);
	} else {
		_cleanup_free_ char *joined = nbk_xasprintf("%s/%s", home, path + 2);

		*out = nbk_path_normalize(joined);
	}
	return 0;
}

char *nbk_path_normalize(const char *path)
{
	struct nbk_strvec parts = NBK_STRVEC_INIT;
	struct nbk_buf b = NBK_BUF_INIT;
	bool absolute = path[0] == '/';
	const char *p = path;
	size_t i;

	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* skip */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (parts.n && strcmp(parts.v[parts.n - 1], ".."))
				nbk_strvec_remove(&parts, parts.n - 1);
			else if (!absolute)
				nbk_strvec_push(&parts, "..");
		} else {
			nbk_strvec_push_owned(&parts, nbk_xstrndup(p, len));
		}
		p += len;
		if (*p == '/')
			p++;
	}
	if (absolute)
		nbk_buf_addch(&b, '/');
	for (i = 0; i < parts.n; i++) {
		if (i)
			nbk_buf_addch(&b, '/');
		nbk_buf_addstr(&b, parts.v[i]);
	}
	if (!b.len)
		nbk_buf_addch(&b, '.');
	nbk_strvec_release(&parts);
	return nbk_buf_detach(&b, NULL);
}

bool nbk_path_is_within(const char *base, const char *path)
{
	_cleanup_free_ char *nb = nbk_path_normalize(base);
	_cleanup_free_ char *np = nbk_path_normalize(path);
	size_t len = strlen(nb);

	if (!strcmp(nb, "/"))
		return np[0] == '/';
	return !strncmp(nb, np, len) && (np[len] == '\0' || np[len] == '/');
}

int nbk_path_join_safe(const char *base, const char *rel, char **out, struct nbk_error *err)
{
	_cleanup_free_ char *joined = NULL;
	char *norm;

	if (rel[0] == '/')
		return nbk_error_set(err, 0,
				     "'%s' is an absolute path, expected one relative to '%s'", rel,
				     base);
	joined = nbk_xasprintf("%s/%s", base, rel);
	norm = nbk_path_normalize(joined);
	if (!nbk_path_is_within(base, norm)) {
		free(norm);
		return nbk_error_set(err, 0, "'%s' leads out of '%s'", rel, base);
	}
	*out = norm;
	return 0;
}

char *nbk_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return nbk_xstrdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return nbk_xstrdup("/");
	return nbk_xstrndup(path, (size_t)(slash - path));
}

int nbk_mkdir_p(const char *path, mode_t mode, uid_t uid, gid_t gid, int *created,
		struct nbk_error *err)
{
	_cleanup_free_ char *copy = nbk_path_normalize(path);
	char *p;
	int made = 0;

	if (created)
		*created = 0;
	for (p = copy + 1;; p++) {
		char saved = *p;

		if (*p != '/' && *p != '\0')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) == 0) {
			/*
			 * Owner and mode on a descriptor of the folder just made,
			 * never by name: a name swapped for a link in between
			 * must not have its target chowned (issue 9).
			 */
			_cleanup_close_ int fd =
				open(copy, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			made++;
			if (fd < 0)
				return nbk_error_set(err, errno, "cannot open '%s'", copy);
			if (uid != (uid_t)-1 && fchown(fd, uid, gid) < 0)
				return nbk_error_set(err, errno, "cannot change the owner of '%s'",
						     copy);
			/* mkdir applies the umask; the caller asked for this mode */
			if (fchmod(fd, mode) < 0)
				return nbk_error_set(err, errno, "cannot change the mode of '%s'",
						     copy);
		} else if (errno != EEXIST) {
			return nbk_error_set(err, errno, "cannot create '%s'", copy);
		} else {
			struct stat st;

			if (stat(copy, &st) < 0)
				return nbk_error_set(err, errno, "cannot stat '%s'", copy);
			if (!S_ISDIR(st.st_mode))
				return nbk_error_set(err, ENOTDIR, "cannot create '%s'", copy);
		}
		*p = saved;
		if (!saved)
			break;
	}
	if (created)
		*created = made;
	return 0;
}

int nbk_read_file(const char *path, size_t max, struct nbk_buf *out, struct nbk_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	/*
	 * O_NONBLOCK: opening a FIFO for reading blocks until a writer comes,
	 * so a FIFO (or a device) given as a config would hang the caller
	 * (issue 9).  Opened without blocking, it is refused below; on a
	 * regular file O_NONBLOCK changes nothing.  Links are followed: the
	 * callers that read a path someone else controls check it themselves.
	 */
	fd = nbk_open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
	if (fd < 0)
		return nbk_error_set(err, errno, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0)
		return nbk_error_set(err, errno, "cannot stat '%s'", path);
	if (S_ISDIR(st.st_mode)) /* what read() said before: keep the message */
		return nbk_error_set(err, EISDIR, "cannot read '%s'", path);
	if (!S_ISREG(st.st_mode))
		return nbk_error_set(err, 0, "cannot read '%s': not a regular file", path);
	if ((uint64_t)st.st_size > max)
		errno = EFBIG;
	else if (nbk_read_fd(fd, max, out) == 0)
		return 0;
	if (errno == EFBIG)
		return nbk_error_set(err, EFBIG, "cannot read '%s' (over %zu bytes)", path, max);
	return nbk_error_set(err, errno, "cannot read '%s'", path);
}

/*
 * Fill fd, just created at path (shown in messages as shown), with data, set
 * its mode (and owner unless uid is (uid_t)-1), fsync it when asked, close
 * it.  On failure fd is closed and path removed.
 */
static int fill_new_file(int fd, const char *path, const char *shown, const void *data, size_t len,
			 mode_t mode, uid_t uid, gid_t gid, bool sync, struct nbk_error *err)
{
	const char *what = "cannot write '%s'";
	int e;

	if (nbk_write_all(fd, data, len) < 0)
		goto fail;
	what = "cannot finish writing '%s'";
	if (fchmod(fd, mode) < 0 || (uid != (uid_t)-1 && fchown(fd, uid, gid) < 0) ||
	    (sync && fsync(fd) < 0))
		goto fail;
	what = "cannot write '%s'";
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(path);
	return nbk_error_set(err, e, what, shown);
}

int nbk_write_file_new(const char *path, const void *data, size_t len, mode_t mode,
		       struct nbk_error *err)
{
	int fd = nbk_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);

	if (fd < 0)
		return nbk_error_set(err, errno, "cannot create '%s'", path);
	return fill_new_file(fd, path, path, data, len, mode & 07777, (uid_t)-1, (gid_t)-1, false,
			     err);
}

void nbk_atomic_discard(struct nbk_atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->dest);
	*f = (struct nbk_atomic_file)NBK_ATOMIC_FILE_INIT;
}

int nbk_atomic_open(struct nbk_atomic_file *f, const char *dest, struct nbk_error *err)
{
	int e;

	*f = (struct nbk_atomic_file)NBK_ATOMIC_FILE_INIT;
	f->tmp = nbk_xasprintf("%s.tmp.XXXXXX", dest);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		e = errno;
		free(f->tmp);
		f->tmp = NULL;
		return nbk_error_set(err, e, "cannot create a temporary file for '%s'", dest);
	}
	f->dest = nbk_xstrdup(dest);
	return 0;
}

int nbk_atomic_write(struct nbk_atomic_file *f, const void *data, size_t len, struct nbk_error *err)
{
	int e;

	if (nbk_write_all(f->fd, data, len) == 0)
		return 0;
	e = errno;
	nbk_error_set(err, e, "cannot write '%s'", f->dest);
	nbk_atomic_discard(f);
	return -1;
}

int nbk_atomic_commit(struct nbk_atomic_file *f, mode_t mode, uid_t uid, gid_t gid,
		      struct nbk_error *err)
{
	const char *what = "cannot finish writing '%s'";
	int fd = f->fd, e;

	f->fd = -1;
	if (fchmod(fd, mode) < 0 || (uid != (uid_t)-1 && fchown(fd, uid, gid) < 0) ||
	    fsync(fd) < 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		e = errno;
		what = "cannot write '%s'";
		goto fail;
	}
	if (rename(f->tmp, f->dest) < 0) {
		e = errno;
		what = "cannot replace '%s'";
		goto fail;
	}
	free(f->tmp);
	f->tmp = NULL;
	nbk_atomic_discard(f);
	return 0;
fail:
	nbk_error_set(err, e, what, f->dest);
	nbk_atomic_discard(f);
	return -1;
}

int nbk_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
			  gid_t gid, struct nbk_error *err)
{
	struct nbk_atomic_file f;

	if (nbk_atomic_open(&f, path, err) < 0 || nbk_atomic_write(&f, data, len, err) < 0)
		return -1;
	return nbk_atomic_commit(&f, mode, uid, gid, err);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int nbk_remove_tree(const char *path, struct nbk_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : nbk_error_set(err, errno, "cannot remove '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? nbk_error_set(err, errno, "cannot remove '%s'", path) : 0;
	if (nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
		return nbk_error_set(err, errno, "cannot remove '%s'", path);
	return 0;
}

static bool has_suffix(const char *name, const char *const *suffixes)
{
	if (!suffixes)
		return true;
	for (; *suffixes; suffixes++)
		if (strlen(name) > strlen(*suffixes) && nbk_str_ends_with(name, *suffixes))
			return true;
	return false;
}

int nbk_dir_names(const char *dir, const char *const *suffixes, struct nbk_strvec *names,
		  struct nbk_error *err)
{
	_cleanup_strvec_ struct nbk_strvec found = NBK_STRVEC_INIT;
	struct dirent *de;
	DIR *d;
	size_t i;
	int e;

	if (!(d = opendir(dir))) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		return nbk_error_set(err, errno, "cannot read folder '%s'", dir);
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' && has_suffix(de->d_name, suffixes))
			nbk_strvec_push(&found, de->d_name);
		errno = 0;
	}
	e = errno;
	closedir(d);
	if (e)
		return nbk_error_set(err, e, "cannot read folder '%s'", dir);
	nbk_strvec_sort(&found);
	for (i = 0; i < found.n; i++)
		nbk_strvec_push(names, found.v[i]);
	return 0;
}
