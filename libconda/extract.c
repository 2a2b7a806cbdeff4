/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Package extraction (extract.h).  libarchive reads; we write, relative to
 * a folder descriptor, after checking every entry: libarchive's own disk
 * writer resolves paths against the process's working folder, which worker
 * threads share, and its refusals do not name the package.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"
#include "nbkit/yaml.h"
#include "extract.h"
#include "interrupt.h"

/* libarchive's read block for the outer file, and the inner tar's pull size. */
#define READ_BLOCK (256 * 1024)
/* Bounds on hostile archives. */
#define MAX_ENTRIES 2000000UL
#define MAX_INNER 16

struct writer {
	int dirfd;
	const char *label;
	struct nbk_error *err;
	struct nbk_strvec symlinks;    /* paths of the symlinks made so far */
	struct nbk_strvec empty_links; /* symlinks whose target was empty */
	struct nbk_strvec empty_files; /* empty regular files (maybe links, see repair_links()) */
	unsigned long files;
};

static int refuse(struct writer *w, const char *path, const char *why)
{
	return nbk_error_set(w->err, 0, "package '%s': refused entry '%s': %s", w->label, path,
			     why);
}

/*
 * Normalise an entry path into out: drop leading "./" and "." components,
 * refuse absolute paths and "..".  An empty result means the root itself.
 */
static int clean_path(struct writer *w, const char *raw, struct nbk_buf *out)
{
	const char *p = raw;

	nbk_buf_reset(out);
	if (!raw || !*raw)
		return refuse(w, raw ? raw : "", "empty path");
	if (raw[0] == '/')
		return refuse(w, raw, "absolute path");
	if (strlen(raw) >= PATH_MAX)
		return refuse(w, "...", "path too long");
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return refuse(w, raw, "path leads out of the package ('..')");
		if (len && !(len == 1 && p[0] == '.')) {
			if (out->len)
				nbk_buf_addch(out, '/');
			nbk_buf_add(out, p, len);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

/* true when one of the symlinks made so far is a parent of path (or path itself when self). */
static bool under_symlink(const struct writer *w, const char *path, bool self)
{
	size_t i;

	for (i = 0; i < w->symlinks.n; i++) {
		const char *s = w->symlinks.v[i];
		size_t n = strlen(s);

		if (!strncmp(path, s, n) && (path[n] == '/' || (self && path[n] == '\0')))
			return true;
	}
	return false;
}

/*
 * Does a symlink at path (relative to the root) with target stay inside?
 * Lexically, with every ".." first: the link's folder is a real folder
 * (no entry lies under a symlink), climbing stops inside, and going down
 * through names (even names that are links, by the same rule) stays inside.
 */
static bool link_stays_inside(const char *path, const char *target)
{
	const char *slash = strrchr(path, '/');
	bool down = false;
	int depth = 0;
	const char *p;

	if (target[0] == '/' || !target[0])
		return false;
	/* depth of the link's folder below the root */
	if (slash)
		for (p = path, depth = 1; p < slash; p++)
			depth += *p == '/';
	for (p = target; *p;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			/* ".." only before any name: otherwise "a/s/.." climbs
			 * out when a/s is itself a link to ".." */
			if (down || --depth < 0)
				return false;
		} else if (len && !(len == 1 && p[0] == '.')) {
			down = true;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return true;
}

/* mkdir -p for the parents of path, relative to the root. */
static int make_parents(struct writer *w, const char *path)
{
	char tmp[PATH_MAX];
	char *p;
	size_t len = strlen(path);

	if (len >= sizeof(tmp))
		return refuse(w, path, "path too long");
	memcpy(tmp, path, len + 1);
	for (p = tmp; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdirat(w->dirfd, tmp, 0755) < 0 && errno != EEXIST)
			return nbk_error_set(w->err, errno, "package '%s': cannot create '%s'",
					     w->label, tmp);
		*p = '/';
	}
	return 0;
}

/* Remove whatever is at path (not a folder) so that an entry can replace it. */
static void unlink_old(struct writer *w, const char *path)
{
	if (unlinkat(w->dirfd, path, 0) < 0 && errno == EISDIR)
		return;
}

static int write_file(struct writer *w, struct archive *a, struct archive_entry *e,
		      const char *path)
{
	_cleanup_close_ int fd = -1;
	mode_t mode = (archive_entry_perm(e) & 0755) |
		      0600; /* never writable by others: see pkgcache.h */
	int64_t pos = 0;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		fd = nbk_openat(w->dirfd, path,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0)
			break;
		if (errno == EEXIST)
			unlink_old(w, path);
		else if (errno != ENOENT)
			break;
		else if (make_parents(w, path) < 0)
			return -1;
	}
	if (fd < 0)
		return nbk_error_set(w->err, errno, "package '%s': cannot create '%s'", w->label,
				     path);
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = archive_read_data_block(a, &buf, &size, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return nbk_error_set(w->err, 0, "package '%s': corrupt archive at '%s': %s",
					     w->label, path, archive_error_string(a));
		if (off != pos) {
			if (off < pos || lseek(fd, off, SEEK_SET) < 0)
				return nbk_error_set(w->err, errno,
						     "package '%s': bad data offset in '%s'",
						     w->label, path);
			pos = off;
		}
		if (nbk_write_all(fd, buf, size) < 0)
			return nbk_error_set(w->err, errno, "package '%s': cannot write '%s'",
					     w->label, path);
		pos += (int64_t)size;
	}
	/* a sparse file whose tail is a hole */
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > pos &&
	    ftruncate(fd, archive_entry_size(e)) < 0)
		return nbk_error_set(w->err, errno, "package '%s': cannot write '%s'", w->label,
				     path);
	if (close(nbk_steal_fd(&fd)) < 0)
		return nbk_error_set(w->err, errno, "package '%s': cannot write '%s'", w->label,
				     path);
	return 0;
}

/*
 * Write entry e of the tar stream a (its data is read from a for a regular
 * file) under w->dirfd, the package folder being extracted, and never out
 * of it: the path is cleaned (no absolute path, no ".."), no entry goes
 * through a symlink made earlier, a symlink or hard link must stay inside
 * the package, and devices, FIFOs and sockets are refused.  Missing parent
 * folders are made; an existing file at the path is replaced.  Records in
 * w what repair and checks need later: symlinks made, symlinks with an
 * empty target (repaired from info/paths.json), empty files, and the file
 * count.  Returns 0, or -1 with w->err naming the package and the entry.
 */
static int write_entry(struct writer *w, struct archive *a, struct archive_entry *e)
{
	_cleanup_buf_ struct nbk_buf path = NBK_BUF_INIT;
	const char *raw = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);

	if (clean_path(w, raw, &path) < 0)
		return -1;
	if (!path.len) {
		if (type == AE_IFDIR)
			return 0; /* "./" itself */
		return refuse(w, raw, "not a file name");
	}
	if (under_symlink(w, path.data, false))
		return refuse(w, raw, "a parent folder is a symlink");
	if (hard) {
		_cleanup_buf_ struct nbk_buf target = NBK_BUF_INIT;

		if (clean_path(w, hard, &target) < 0)
			return -1;
		if (!target.len || under_symlink(w, target.data, false))
			return refuse(w, raw, "hard link leads out of the package");
		unlink_old(w, path.data);
		if (linkat(w->dirfd, target.data, w->dirfd, path.data, 0) < 0) {
			if (errno == ENOENT && make_parents(w, path.data) == 0 &&
			    linkat(w->dirfd, target.data, w->dirfd, path.data, 0) == 0)
				goto linked;
			if (errno == ENOENT)
				return refuse(
					w, raw,
					"hard link to a path outside the package or not yet extracted");
			return nbk_error_set(w->err, errno, "package '%s': cannot link '%s'",
					     w->label, path.data);
		}
linked:
		w->files++;
		return 0;
	}
	switch (type) {
	case AE_IFDIR:
		if (under_symlink(w, path.data, true))
			return refuse(w, raw, "a folder over a symlink");
		if (mkdirat(w->dirfd, path.data, 0755) < 0) {
			if (errno == ENOENT && make_parents(w, path.data) == 0 &&
			    mkdirat(w->dirfd, path.data, 0755) == 0)
				return 0;
			if (errno != EEXIST)
				return nbk_error_set(w->err, errno,
						     "package '%s': cannot create '%s'", w->label,
						     path.data);
		}
		return 0;
	case AE_IFREG:
		if (write_file(w, a, e, path.data) < 0)
			return -1;
		if (archive_entry_size_is_set(e) && archive_entry_size(e) == 0)
			nbk_strvec_push(&w->empty_files, path.data);
		w->files++;
		return 0;
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);

		if (!target || !*target) {
			/* seen in real .conda files (conda's zlib test package):
			 * repaired from info/paths.json at the end */
			nbk_strvec_push(&w->empty_links, path.data);
			return 0;
		}
		if (!target || !link_stays_inside(path.data, target))
			return refuse(w, raw, "symlink leads out of the package");
		unlink_old(w, path.data);
		if (symlinkat(target, w->dirfd, path.data) < 0) {
			if (!(errno == ENOENT && make_parents(w, path.data) == 0 &&
			      symlinkat(target, w->dirfd, path.data) == 0))
				return nbk_error_set(w->err, errno,
						     "package '%s': cannot create '%s'", w->label,
						     path.data);
		}
		nbk_strvec_push(&w->symlinks, path.data);
		w->files++;
		return 0;
	}
	case AE_IFCHR:
	case AE_IFBLK:
		return refuse(w, raw, "device file");
	case AE_IFIFO:
		return refuse(w, raw, "FIFO");
	case AE_IFSOCK:
		return refuse(w, raw, "socket");
	default:
		return refuse(w, raw, "unknown entry type");
	}
}

/* Write every entry of an opened tar stream. */
static int write_tar(struct writer *w, struct archive *a)
{
	struct archive_entry *e;
	unsigned long n = 0;
	int r;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (++n > MAX_ENTRIES)
			return nbk_error_set(w->err, 0, "package '%s': more than %lu entries",
					     w->label, MAX_ENTRIES);
		if (et_interrupted())
			return nbk_error_set(w->err, ET_ERR_INTERRUPTED,
					     "package '%s': interrupted", w->label);
		if (write_entry(w, a, e) < 0)
			return -1;
	}
	if (r != ARCHIVE_EOF)
		return nbk_error_set(w->err, 0, "package '%s': corrupt archive: %s", w->label,
				     archive_error_string(a) ? archive_error_string(a)
							     : "unreadable");
	return 0;
}

/* The inner .tar.zst of a .conda, read straight out of the outer zip. */
struct inner_src {
	struct archive *outer;
	bool failed;
};

static la_ssize_t inner_read(struct archive *a, void *user, const void **buf)
{
	struct inner_src *s = user;
	const void *b;
	size_t size;
	la_int64_t off;
	int r;

	(void)a;
	r = archive_read_data_block(s->outer, &b, &size, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		s->failed = true;
		archive_set_error(a, EIO, "%s",
				  archive_error_string(s->outer) ? archive_error_string(s->outer)
								 : "zip read error");
		return -1;
	}
	*buf = b;
	return (la_ssize_t)size;
}

/* A .conda's zip, a .conda's inner .tar.zst, a whole .tar.bz2 (.tar, .tar.zst, .tar.gz). */
enum reader_kind { READ_ZIP, READ_INNER_TAR, READ_TAR };

/* A new libarchive reader for kind (freed with archive_read_free()), or NULL with w->err. */

static struct archive *new_reader(struct writer *w, enum reader_kind kind)
{
	struct archive *a = archive_read_new();

	if (!a) {
		nbk_error_set(w->err, ENOMEM, "package '%s'", w->label);
		return NULL;
	}
	switch (kind) {
	case READ_ZIP:
		/* the seekable reader trusts the central directory: deflate, data
		 * descriptors and zip64 all work */
		archive_read_support_format_zip_seekable(a);
		break;
	case READ_TAR:
		archive_read_support_filter_bzip2(a);
		archive_read_support_filter_gzip(a);
		/* fall through */
	case READ_INNER_TAR:
		archive_read_support_filter_zstd(a);
		archive_read_support_format_tar(a);
		break;
	}
	return a;
}

static int write_inner(struct writer *w, struct archive *outer, const char *name)
{
	struct inner_src src = { outer, false };
	struct archive *in = new_reader(w, READ_INNER_TAR);
	int ret;

	if (!in)
		return -1;
	if (archive_read_open(in, &src, NULL, inner_read, NULL) != ARCHIVE_OK) {
		ret = nbk_error_set(w->err, 0, "package '%s': corrupt archive: '%s': %s", w->label,
				    name, archive_error_string(in));
	} else {
		ret = write_tar(w, in);
		if (ret < 0)
			nbk_error_prefix(w->err, "in '%s'", name);
	}
	archive_read_free(in);
	return ret;
}

static int extract_conda(struct writer *w, const char *archive)
{
	struct archive *a = new_reader(w, READ_ZIP);
	struct archive_entry *e;
	bool have_info = false;
	unsigned inner = 0;
	int r, ret = 0;

	if (!a)
		return -1;
	if (archive_read_open_filename(a, archive, READ_BLOCK) != ARCHIVE_OK) {
		ret = nbk_error_set(w->err, archive_errno(a) > 0 ? archive_errno(a) : 0,
				    "package '%s': cannot read '%s': %s", w->label, archive,
				    archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);

		/* some tools zip the package's folder: only the base name counts
		 * (rattler does the same) */
		if (name && strrchr(name, '/'))
			name = strrchr(name, '/') + 1;
		if (!name || archive_entry_filetype(e) != AE_IFREG ||
		    !nbk_str_ends_with(name, ".tar.zst") ||
		    (strncmp(name, "info-", 5) && strncmp(name, "pkg-", 4)))
			continue; /* metadata.json and anything else */
		if (++inner > MAX_INNER) {
			ret = nbk_error_set(w->err, 0, "package '%s': too many inner archives",
					    w->label);
			goto out;
		}
		if (!strncmp(name, "info-", 5))
			have_info = true;
		if (write_inner(w, a, name) < 0) {
			ret = -1;
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		ret = nbk_error_set(
			w->err, 0, "package '%s': corrupt archive '%s': %s", w->label, archive,
			archive_error_string(a) ? archive_error_string(a) : "unreadable");
		goto out;
	}
	if (!have_info)
		ret = nbk_error_set(w->err, 0, "package '%s': '%s' holds no info-*.tar.zst",
				    w->label, archive);
out:
	archive_read_free(a);
	return ret;
}

static int extract_tar(struct writer *w, const char *archive)
{
	struct archive *a = new_reader(w, READ_TAR);
	int ret;

	if (!a)
		return -1;
	if (archive_read_open_filename(a, archive, READ_BLOCK) != ARCHIVE_OK)
		ret = nbk_error_set(w->err, archive_errno(a) > 0 ? archive_errno(a) : 0,
				    "package '%s': cannot read '%s': %s", w->label, archive,
				    archive_error_string(a));
	else
		ret = write_tar(w, a);
	archive_read_free(a);
	return ret;
}

#define MAX_PATHS_JSON (256UL << 20)

/*
 * Some real packages lose their symlinks: conda's zlib-1.2.11-h7b6447c_3
 * test package holds lib/libz.so.1 as a symlink with an empty target in
 * the .conda and as an empty file in the .tar.bz2, while its paths.json
 * says "softlink" with the sha256 of what it points to.  The file of the
 * same folder with that sha256 is the target; both formats then give the
 * same, working tree.  An empty-target link that cannot be repaired so is
 * refused; an empty file that paths.json does not call a softlink stays.
 */
static const char *link_target(const struct nbk_node *paths, const char *link, bool need_softlink)
{
	const char *slash = strrchr(link, '/');
	size_t dirlen = slash ? (size_t)(slash - link + 1) : 0;
	const char *sha = NULL;
	size_t j;

	for (j = 0; j < paths->n; j++) {
		const char *p = nbk_node_get_scalar(paths->items[j], "_path");
		const char *type = nbk_node_get_scalar(paths->items[j], "path_type");

		if (p && !strcmp(p, link)) {
			if (need_softlink && !(type && !strcmp(type, "softlink")))
				return NULL;
			sha = nbk_node_get_scalar(paths->items[j], "sha256");
			break;
		}
	}
	for (j = 0; sha && j < paths->n; j++) {
		const char *p = nbk_node_get_scalar(paths->items[j], "_path");
		const char *s = nbk_node_get_scalar(paths->items[j], "sha256");
		const char *type = nbk_node_get_scalar(paths->items[j], "path_type");

		if (p && s && type && !strcmp(s, sha) && strcmp(type, "softlink") &&
		    strcmp(p, link) && !strncmp(p, link, dirlen) && p[dirlen] &&
		    !strchr(p + dirlen, '/'))
			return p + dirlen;
	}
	return NULL;
}

static int relink(struct writer *w, const char *link, const char *target)
{
	unlink_old(w, link);
	if (symlinkat(target, w->dirfd, link) < 0)
		return nbk_error_set(w->err, errno, "package '%s': cannot create '%s'", w->label,
				     link);
	return 0;
}

static int repair_links(struct writer *w)
{
	_cleanup_buf_ struct nbk_buf text = NBK_BUF_INIT;
	_cleanup_node_ struct nbk_node *root = NULL;
	const struct nbk_node *paths = NULL;
	_cleanup_close_ int fd =
		nbk_openat(w->dirfd, "info/paths.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	struct nbk_error perr = NBK_ERROR_INIT;
	size_t i;

	/* unreadable or too large: no targets, the links are refused below */
	if (fd >= 0 && nbk_read_fd(fd, MAX_PATHS_JSON, &text) == 0) {
		if (nbk_yaml_load_string("info/paths.json", text.data, text.len, &root, &perr) == 0)
			paths = nbk_node_get(root, "paths");
		if (paths && paths->kind != NBK_NODE_SEQ)
			paths = NULL;
	}
	for (i = 0; i < w->empty_links.n; i++) {
		const char *target = paths ? link_target(paths, w->empty_links.v[i], false) : NULL;

		if (!target)
			return refuse(w, w->empty_links.v[i], "symlink with an empty target");
		if (relink(w, w->empty_links.v[i], target) < 0)
			return -1;
		w->files++;
	}
	for (i = 0; paths && i < w->empty_files.n; i++) {
		const char *target = link_target(paths, w->empty_files.v[i], true);

		if (target && relink(w, w->empty_files.v[i], target) < 0)
			return -1;
	}
	return 0;
}

int et_extract_into(const char *archive, const char *dir, const char *label, unsigned long *files,
		    struct nbk_error *err)
{
	struct writer w = { -1, label, err, NBK_STRVEC_INIT, NBK_STRVEC_INIT, NBK_STRVEC_INIT, 0 };
	int ret;

	w.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.dirfd < 0)
		return nbk_error_set(err, errno, "package '%s': cannot open '%s'", label, dir);
	if (nbk_str_ends_with(archive, ".conda"))
		ret = extract_conda(&w, archive);
	else if (nbk_str_ends_with(archive, ".tar.bz2") || nbk_str_ends_with(archive, ".tar.zst") ||
		 nbk_str_ends_with(archive, ".tar"))
		ret = extract_tar(&w, archive);
	else
		ret = nbk_error_set(err, 0, "package '%s': unknown archive format '%s'", label,
				    archive);
	if (ret == 0 && (w.empty_links.n || w.empty_files.n))
		ret = repair_links(&w);
	close(w.dirfd);
	nbk_strvec_release(&w.symlinks);
	nbk_strvec_release(&w.empty_links);
	nbk_strvec_release(&w.empty_files);
	if (files)
		*files = w.files;
	return ret;
}

int et_extract_one(struct et_extract_job *job)
{
	_cleanup_free_ char *tmp = nbk_xasprintf("%s.tmp-XXXXXX", job->dest);
	struct nbk_error cleanup_err = NBK_ERROR_INIT;

	nbk_error_clear(&job->err);
	job->files = 0;
	job->rc = -1;
	if (et_interrupted()) {
		nbk_error_set(&job->err, ET_ERR_INTERRUPTED, "package '%s': interrupted",
			      job->label);
		return -1;
	}
	if (!mkdtemp(tmp)) {
		nbk_error_set(&job->err, errno, "package '%s': cannot create '%s'", job->label,
			      tmp);
		return -1;
	}
	if (chmod(tmp, 0755) < 0) {
		nbk_error_set(&job->err, errno, "package '%s': cannot chmod '%s'", job->label, tmp);
		goto fail;
	}
	if (et_extract_into(job->archive, tmp, job->label, &job->files, &job->err) < 0)
		goto fail;
	if (job->finish && job->finish(tmp, job->user, &job->err) < 0)
		goto fail;
	if (rename(tmp, job->dest) < 0) {
		nbk_error_set(&job->err, errno, "package '%s': cannot rename '%s' to '%s'",
			      job->label, tmp, job->dest);
		goto fail;
	}
	job->rc = 0;
	return 0;
fail:
	nbk_remove_tree(tmp, &cleanup_err);
	return -1;
}

/* The worker pool: a queue of jobs and as many threads as asked. */
struct et_extract_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct et_extract_job **queue;
	size_t head, len, cap;
	bool closing;
	pthread_t *threads;
	unsigned nthreads;
};

static void *worker(void *arg)
{
	struct et_extract_pool *p = arg;

	for (;;) {
		struct et_extract_job *job;

		pthread_mutex_lock(&p->mu);
		while (p->head == p->len && !p->closing)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->head == p->len) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		job = p->queue[p->head++];
		pthread_mutex_unlock(&p->mu);
		et_extract_one(job);
	}
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

struct et_extract_pool *et_extract_pool_start(unsigned threads)
{
	struct et_extract_pool *p = nbk_xcalloc(1, sizeof(*p));
	unsigned i;

	if (!threads)
		threads = online_cpus();
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->threads = nbk_xcalloc(threads, sizeof(*p->threads));
	for (i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;
		p->nthreads++;
	}
	return p;
}

void et_extract_pool_add(struct et_extract_pool *p, struct et_extract_job *job)
{
	if (!p->nthreads) {
		/* no thread could be started: work in the caller's */
		et_extract_one(job);
		return;
	}
	pthread_mutex_lock(&p->mu);
	if (p->len == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->queue = nbk_xrealloc(p->queue, p->cap * sizeof(*p->queue));
	}
	p->queue[p->len++] = job;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void et_extract_pool_finish(struct et_extract_pool *p)
{
	unsigned i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->closing = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->threads);
	free(p->queue);
	free(p);
}

int et_extract_all(struct et_extract_job *jobs, size_t n, unsigned threads, struct nbk_error *err)
{
	struct et_extract_pool *p;
	size_t i;

	if (!threads)
		threads = online_cpus();
	if (threads > n)
		threads = (unsigned)n;
	if (threads <= 1) {
		for (i = 0; i < n; i++)
			et_extract_one(&jobs[i]);
	} else {
		p = et_extract_pool_start(threads);
		for (i = 0; i < n; i++)
			et_extract_pool_add(p, &jobs[i]);
		et_extract_pool_finish(p);
	}
	for (i = 0; i < n; i++) {
		if (jobs[i].rc < 0) {
			if (err)
				*err = jobs[i].err;
			return -1;
		}
	}
	return 0;
}
