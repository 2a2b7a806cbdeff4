/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The package cache (pkgcache.h): finding extracted packages, and
 * et_pkgcache_ensure(), which downloads (download.c) and extracts
 * (extract.c) under per-package locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/log.h"
#include "nbkit/cleanup.h"
#include "nbkit/json.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "nbkit/url.h"
#include "nbkit/yaml.h"
#include "download.h"
#include "extract.h"
#include "pkgcache.h"
#include "prefix.h"

#define MAX_RECORD_JSON (4 << 20)
#define LOCKS_DIR ".locks"

/*
 * Issue 9: a package cache may be shared (a team's folder in pkgs_dirs, an
 * /opt/conda/pkgs that a group can write).  What another user can change
 * is never linked: linking hard-links the cache's files into the
 * environment and runs its link scripts, so a planted folder (with a
 * repodata_record.json copied from the real one) would run that user's
 * code.  The files cannot be checked against the folder's own
 * info/paths.json either: whoever planted the files wrote that too, and a
 * checked file they still own can change after it was linked.  So the rule
 * is "trust only what you own; re-derive the rest from a verified
 * archive": a folder is used as is only when nobody but us and root
 * can change it (et_pkgcache_trusted_dir(), trusted_entry()); otherwise
 * the package is extracted again, from an archive verified against the
 * record's sha256 (download.h), into a cache that is ours.
 */

/* Owned by us or by root (root can change anything anyway). */
static bool owner_ok(const struct stat *st)
{
	return st->st_uid == geteuid() || st->st_uid == 0;
}

/*
 * Can only we and root change the cache folder path names?  It is ours or
 * root's and neither group nor others can write it; every folder above it
 * is ours or root's and others cannot write it unless it has the sticky
 * bit (/tmp: others cannot rename or remove what is ours there).  Group
 * write is accepted above the cache: Kubernetes' fsGroup makes a home
 * volume's root root:GROUP 2775, and that volume is mounted in this
 * user's pod only (docs/envtool.md says what this leaves).  Checked along
 * the path as given (stat(): the folders its symlinks live in) and along
 * its real path (lstat(): the folders a symlink leads through).
 */
static bool dir_ok(const char *path, bool follow, bool last)
{
	struct stat st;

	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0 || !S_ISDIR(st.st_mode) ||
	    !owner_ok(&st))
		return false;
	if (last)
		return !(st.st_mode & (S_IWGRP | S_IWOTH));
	return !(st.st_mode & S_IWOTH) || (st.st_mode & S_ISVTX);
}

static bool chain_trusted(const char *path, bool follow)
{
	_cleanup_free_ char *copy = nbk_xstrdup(path);
	char *s;

	if (*path != '/' || !dir_ok("/", follow, !path[1]))
		return false;
	for (s = copy + 1; *s;) {
		char *slash = strchr(s, '/');
		bool last = !slash || !slash[1];

		if (slash)
			*slash = '\0';
		if (!dir_ok(copy, follow, last))
			return false;
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
	}
	return true;
}

bool et_pkgcache_trusted_dir(const char *dir)
{
	_cleanup_free_ char *abs = NULL, *norm = NULL, *real = realpath(dir, NULL);

	if (!real)
		return false;
	if (*dir == '/') {
		abs = nbk_xstrdup(dir);
	} else {
		char cwd[4096];

		if (!getcwd(cwd, sizeof(cwd)))
			return false;
		abs = nbk_xasprintf("%s/%s", cwd, dir);
	}
	norm = nbk_path_normalize(abs);
	return chain_trusted(norm, true) && chain_trusted(real, false);
}

/*
 * Is the extracted folder dir (in cache folder index i) ours to link as
 * is?  The cache folder was checked by et_pkgcache_open(); the package's
 * folder must be a folder (not a link), ours or root's, that group and
 * others cannot write.  Files inside are made by us (extract.c, never
 * writable by others), so nothing in them needs to be read or hashed:
 * the fast path stays a stat().  *why says what failed (for the log).
 */
static bool trusted_entry(const struct et_pkgcache *cache, size_t i, const char *dir,
			  const char **why)
{
	struct stat st;

	if (!cache->trusted[i]) {
		*why = "its package cache can be changed by another user";
		return false;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		*why = "it is not a folder";
		return false;
	}
	if (!owner_ok(&st)) {
		*why = "it belongs to another user";
		return false;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		*why = "group or others can write it";
		return false;
	}
	return true;
}

int et_pkgcache_open(struct et_pkgcache *cache, const struct et_config *cfg, struct nbk_error *err)
{
	size_t i;

	cache->cfg = cfg;
	cache->write_dir = NULL;
	cache->trusted = NULL;
	nbk_strvec_init(&cache->dirs);
	if (!cfg->pkgs_dirs.n)
		return nbk_error_set(err, 0, "no package cache: pkgs_dirs is empty");
	cache->trusted = nbk_xcalloc(cfg->pkgs_dirs.n, sizeof(*cache->trusted));
	for (i = 0; i < cfg->pkgs_dirs.n; i++) {
		const char *d = cfg->pkgs_dirs.v[i];
		bool made = false;

		nbk_strvec_push(&cache->dirs, d);
		/* the first writable cache that is ours takes downloads and
		 * extractions; a writable one that others can change is only
		 * read (what is in it is re-derived, see above) */
		if (!cache->write_dir)
			made = nbk_mkdir_p(d, 0755, (uid_t)-1, (gid_t)-1, NULL, NULL) == 0;
		cache->trusted[i] = et_pkgcache_trusted_dir(d);
		if (made && access(d, W_OK) == 0) {
			if (cache->trusted[i])
				cache->write_dir = nbk_xstrdup(d);
			else
				nbk_info(
					"package cache '%s' can be changed by another user: not written to",
					d);
		}
	}
	return 0;
}

void et_pkgcache_release(struct et_pkgcache *cache)
{
	free(cache->write_dir);
	cache->write_dir = NULL;
	free(cache->trusted);
	cache->trusted = NULL;
	nbk_strvec_release(&cache->dirs);
}

char *et_pkgcache_dist_name(const struct et_record *rec)
{
	const char *fn = rec->fn;
	size_t stem = fn && !strchr(fn, '/') ? et_record_fn_stem(fn) : 0;

	if (stem)
		return nbk_xstrndup(fn, stem);
	return nbk_xasprintf("%s-%s-%s", rec->name, rec->version, rec->build);
}

/* The archive's file name: fn, or DIST.conda when the record has none. */
static char *archive_name(const struct et_record *rec)
{
	if (rec->fn && *rec->fn && !strchr(rec->fn, '/') && strcmp(rec->fn, ".") &&
	    strcmp(rec->fn, ".."))
		return nbk_xstrdup(rec->fn);
	return nbk_xasprintf("%s-%s-%s.conda", rec->name, rec->version, rec->build);
}

static bool same(const char *a, const char *b)
{
	return a && b && *a && *b && !strcasecmp(a, b);
}

/* Does PKGDIR/info/repodata_record.json describe rec? */
static bool record_matches(const char *pkgdir, const struct et_record *rec)
{
	_cleanup_free_ char *path = nbk_xasprintf("%s/info/repodata_record.json", pkgdir);
	_cleanup_node_ struct nbk_node *root = NULL;
	const char *v;

	if (access(path, R_OK) != 0 || nbk_yaml_load_file(path, MAX_RECORD_JSON, &root, NULL) < 0 ||
	    root->kind != NBK_NODE_MAP)
		return false;
	if (*rec->sha256 && (v = nbk_node_get_scalar(root, "sha256")) && *v)
		return same(v, rec->sha256);
	if (*rec->md5 && (v = nbk_node_get_scalar(root, "md5")) && *v)
		return same(v, rec->md5);
	if (*rec->url && (v = nbk_node_get_scalar(root, "url")) && *v)
		return !strcmp(v, rec->url);
	v = nbk_node_get_scalar(root, "fn");
	return v && *rec->fn && !strcmp(v, rec->fn);
}

/*
 * The extracted folder of rec in a cache, or NULL: the first one that
 * matches the record and is ours to trust (trusted_entry()); a matching
 * folder that is not is passed over (logged), so the package is extracted
 * again from a verified archive.
 */
static char *find_extracted(const struct et_pkgcache *cache, const struct et_record *rec)
{
	_cleanup_free_ char *dist = et_pkgcache_dist_name(rec);
	size_t i;

	for (i = 0; i < cache->dirs.n; i++) {
		_cleanup_free_ char *dir = nbk_xasprintf("%s/%s", cache->dirs.v[i], dist);
		const char *why = NULL;

		if (!trusted_entry(cache, i, dir, &why)) {
			struct stat st;

			if (lstat(dir, &st) == 0)
				nbk_info("not using '%s': %s; extracting a verified copy instead",
					 dir, why);
			continue;
		}
		if (record_matches(dir, rec))
			return nbk_steal_pointer(&dir);
	}
	return NULL;
}

/* The archive of rec in any cache (not verified), or NULL. */
static char *find_archive(const struct et_pkgcache *cache, const struct et_record *rec)
{
	_cleanup_free_ char *fn = archive_name(rec);
	size_t i;

	for (i = 0; i < cache->dirs.n; i++) {
		_cleanup_free_ char *p = nbk_xasprintf("%s/%s", cache->dirs.v[i], fn);
		struct stat sb;

		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
			return nbk_steal_pointer(&p);
	}
	return NULL;
}

enum et_pkg_state et_pkgcache_state(const struct et_pkgcache *cache, const struct et_record *rec,
				    char **dir_out)
{
	char *dir = find_extracted(cache, rec);
	char *archive;

	if (dir) {
		if (dir_out)
			*dir_out = dir;
		else
			free(dir);
		return ET_PKG_EXTRACTED;
	}
	archive = find_archive(cache, rec);
	free(archive);
	return archive ? ET_PKG_ARCHIVE : ET_PKG_MISSING;
}

int et_pkgcache_write_record(const char *pkgdir, const struct et_record *rec, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf json = NBK_BUF_INIT;
	_cleanup_free_ char *info = nbk_xasprintf("%s/info", pkgdir);
	_cleanup_free_ char *path = nbk_xasprintf("%s/info/repodata_record.json", pkgdir);

	struct nbk_json w;

	/* the on-disk record: conda-meta's writer, never the --json printer */
	nbk_json_init(&w, &json, NBK_JSON_PRETTY);
	et_prefix_meta_json(&w, rec, NULL, NULL, 0, NULL);
	nbk_buf_addch(&json, '\n');
	if (nbk_mkdir_p(info, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0)
		return -1;
	return nbk_write_file_atomic(path, json.data, json.len, 0644, (uid_t)-1, (gid_t)-1, err);
}

void et_pkgcache_dirs_free(char **dirs)
{
	char **p;

	if (!dirs)
		return;
	for (p = dirs; *p; p++)
		free(*p);
	free(dirs);
}

/* One package being made in the writable cache. */
struct item {
	size_t index; /* in recs */
	const struct et_record *rec;
	int lock_fd;
	char *dist;
	char *archive;          /* WRITE_DIR/FN */
	char *dest;             /* WRITE_DIR/DIST */
	bool download;          /* needs et_download_all() */
	char *source;           /* where to download from (URL or a read-only cache's archive) */
	struct et_download *dl; /* in make_items()'s array, when downloading */
	struct et_extract_job job;
	bool queued;
	bool failed;
	struct nbk_error err;
};

static void item_release(struct item *it)
{
	if (it->lock_fd >= 0)
		close(it->lock_fd); /* drops the flock */
	it->lock_fd = -1;
	free(it->dist);
	free(it->archive);
	free(it->dest);
	free(it->source);
}

static int finish_record(const char *tmpdir, void *user, struct nbk_error *err)
{
	struct item *it = user;

	return et_pkgcache_write_record(tmpdir, it->rec, err);
}

struct run {
	struct et_pkgcache *cache;
	struct et_extract_pool *pool;
	struct item *items;
	size_t n;
};

static void queue_extract(struct run *r, struct item *it)
{
	struct nbk_error err = NBK_ERROR_INIT;

	/* a folder of the same name that does not match the record (another
	 * build, or a leftover) is replaced */
	if (nbk_remove_tree(it->dest, &err) < 0) {
		it->failed = true;
		it->err = err;
		return;
	}
	it->job.archive = it->archive;
	it->job.dest = it->dest;
	it->job.label = it->dist;
	it->job.finish = finish_record;
	it->job.user = it;
	it->queued = true;
	et_extract_pool_add(r->pool, &it->job);
}

static void on_downloaded(struct et_download *dl, void *user)
{
	struct run *r = user;
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];

		if (it->dl != dl)
			continue;
		if (!dl->ok) {
			it->failed = true;
			it->err = dl->err;
		} else {
			queue_extract(r, it);
		}
		return;
	}
}

static void append_url(const char *dir, const char *url)
{
	_cleanup_free_ char *path = nbk_xasprintf("%s/urls.txt", dir);
	_cleanup_free_ char *bare = nbk_url_strip_credentials(url); /* conda's: no credentials */
	_cleanup_free_ char *line = nbk_xasprintf("%s\n", bare);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	size_t len = strlen(line);

	/* one write(2) with O_APPEND: lines of concurrent processes do not mix */
	if (fd >= 0 && write(fd, line, len) != (ssize_t)len)
		return;
}

/*
 * Make every item (its lock held): verify an archive already in the
 * writable cache, otherwise download it, then extract.  Fills each item's
 * failed/err.
 */
static void make_items(struct et_pkgcache *cache, struct item *items, size_t n,
		       const struct et_fetch_opts *opts, struct et_pkgcache_stats *stats)
{
	struct run r = { cache, NULL, items, n };
	struct et_download *dls = nbk_xcalloc(n ? n : 1, sizeof(*dls));
	struct item **dl_items = nbk_xcalloc(n ? n : 1, sizeof(*dl_items));
	struct et_download_opts dopts = { 0, on_downloaded, &r, NULL, NULL };
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i, ndl = 0;

	r.pool = et_extract_pool_start(opts->extract_threads);
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		const struct et_record *rec = it->rec;
		struct stat sb;

		if (stat(it->archive, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (et_download_verify_file(it->archive, it->dist, rec->size, rec->sha256,
						    rec->md5, &err) == 0) {
				queue_extract(&r, it);
				continue;
			}
			/* a bad archive is never kept */
			unlink(it->archive);
		}
		it->source = find_archive(cache, rec);
		if (!it->source) {
			if (cache->cfg->offline) {
				it->failed = true;
				nbk_error_set(
					&it->err, 0,
					"cannot fetch '%s': not in the package cache and --offline was given",
					it->dist);
				continue;
			}
			if (!*rec->url) {
				it->failed = true;
				nbk_error_set(&it->err, 0,
					      "cannot fetch '%s': the record has no url", it->dist);
				continue;
			}
			it->source = nbk_xstrdup(rec->url);
		}
		it->download = true;
		dl_items[ndl] = it;
		dls[ndl].url = it->source;
		dls[ndl].dest = it->archive;
		dls[ndl].label = it->dist;
		dls[ndl].sha256 = rec->sha256;
		dls[ndl].md5 = rec->md5;
		dls[ndl].size = rec->size;
		ndl++;
	}
	for (i = 0; i < ndl; i++)
		dl_items[i]->dl = &dls[i];
	if (ndl) {
		dopts.max_connections = opts->max_connections;
		dopts.progress = opts->progress;
		dopts.progress_user = opts->progress_user;
		/* failures are in each download's err, handed on by on_downloaded() */
		et_download_all(cache->cfg, dls, ndl, &dopts, NULL);
	}
	et_extract_pool_finish(r.pool);
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (it->queued && it->job.rc < 0 && !it->failed) {
			it->failed = true;
			it->err = it->job.err;
		}
		if (it->dl && it->dl->ok) {
			if (stats) {
				stats->downloaded++;
				stats->bytes += it->dl->bytes;
			}
			append_url(cache->write_dir, it->source);
		}
		it->dl = NULL;
		if (it->queued && it->job.rc == 0 && stats)
			stats->extracted++;
	}
	free(dls);
	free(dl_items);
}

static int lock_path_fd(const char *write_dir, const char *dist, struct nbk_error *err)
{
	_cleanup_free_ char *dir = nbk_xasprintf("%s/" LOCKS_DIR, write_dir);
	_cleanup_free_ char *path = nbk_xasprintf("%s/%s.lock", dir, dist);
	int fd;

	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return nbk_error_set(err, errno, "cannot open the lock '%s'", path);
	return fd;
}

static int do_flock(int fd, int op)
{
	int r;

	do
		r = flock(fd, op);
	while (r < 0 && errno == EINTR);
	return r;
}

static void item_init(struct item *it, const struct et_pkgcache *cache, size_t index,
		      const struct et_record *rec)
{
	_cleanup_free_ char *fn = archive_name(rec);

	memset(it, 0, sizeof(*it));
	it->index = index;
	it->rec = rec;
	it->lock_fd = -1;
	it->dist = et_pkgcache_dist_name(rec);
	it->archive = nbk_xasprintf("%s/%s", cache->write_dir, fn);
	it->dest = nbk_xasprintf("%s/%s", cache->write_dir, it->dist);
}

/*
 * Make items[0..n) whose locks are held; record results in dirs and the
 * first error (by recs order) in *first_err / *first_index.
 */
static void make_and_collect(struct et_pkgcache *cache, struct item *items, size_t n,
			     const struct et_fetch_opts *opts, struct et_pkgcache_stats *stats,
			     char **dirs, struct nbk_error *first_err, size_t *first_index)
{
	size_t i;

	make_items(cache, items, n, opts, stats);
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (it->failed) {
			if (it->index < *first_index) {
				*first_index = it->index;
				*first_err = it->err;
			}
		} else {
			dirs[it->index] = nbk_steal_pointer(&it->dest);
		}
		item_release(it);
	}
}

/*
 * Make every recs[i] an extracted folder in cache (pkgcache.h has the
 * caller's view: results, ownership of *extracted_dirs_out, what a failure
 * leaves).  How: a package already extracted is taken as it is; the others
 * are locked one by one (a lock file per package in cache->write_dir) and
 * made together (make_and_collect(): downloads and extractions in
 * parallel); a package whose lock another process holds is waited for
 * after ours are done, then looked for again and made only if that process
 * did not.  The error returned is that of the lowest index that failed,
 * whatever the order of failures.  Precondition: cache opened by
 * et_pkgcache_open(); with no writable cache, any package not yet
 * extracted is an error.  Blocks for as long as another process holds a
 * package's lock.
 */
int et_pkgcache_ensure(struct et_pkgcache *cache, const struct et_record *const *recs, size_t n,
		       const struct et_fetch_opts *opts, char ***extracted_dirs_out,
		       struct et_pkgcache_stats *stats, struct nbk_error *err)
{
	static const struct et_fetch_opts defaults = { 0, 0, NULL, NULL };
	char **dirs = nbk_xcalloc(n + 1, sizeof(*dirs));
	struct item *mine = nbk_xcalloc(n ? n : 1, sizeof(*mine));
	size_t *waiting = nbk_xcalloc(n ? n : 1, sizeof(*waiting));
	struct nbk_error first_err = NBK_ERROR_INIT;
	size_t i, nmine = 0, nwait = 0, first_index = (size_t)-1;

	*extracted_dirs_out = NULL;
	if (!opts)
		opts = &defaults;
	if (stats)
		memset(stats, 0, sizeof(*stats));
	for (i = 0; i < n; i++) {
		if ((dirs[i] = find_extracted(cache, recs[i]))) {
			if (stats)
				stats->cached++;
			continue;
		}
		if (!cache->write_dir) {
			_cleanup_free_ char *dist = et_pkgcache_dist_name(recs[i]);

			nbk_error_set(
				&first_err, 0,
				"cannot fetch '%s': no writable package cache of your own among pkgs_dirs (one that other users cannot change)",
				dist);
			first_index = i;
			goto out;
		}
		item_init(&mine[nmine], cache, i, recs[i]);
		mine[nmine].lock_fd = lock_path_fd(cache->write_dir, mine[nmine].dist, &first_err);
		if (mine[nmine].lock_fd < 0) {
			item_release(&mine[nmine]);
			first_index = i;
			goto out;
		}
		if (do_flock(mine[nmine].lock_fd, LOCK_EX | LOCK_NB) < 0) {
			/* another process (or an earlier record here) makes it: wait below */
			item_release(&mine[nmine]);
			waiting[nwait++] = i;
			continue;
		}
		/* it may have appeared since we looked */
		if ((dirs[i] = find_extracted(cache, recs[i]))) {
			if (stats)
				stats->cached++;
			item_release(&mine[nmine]);
			continue;
		}
		nmine++;
	}
	make_and_collect(cache, mine, nmine, opts, stats, dirs, &first_err, &first_index);
	nmine = 0;
	/* the packages someone else was making: wait for each, then take over
	 * what they did not finish */
	for (i = 0; i < nwait; i++) {
		size_t k = waiting[i];
		struct item *it = &mine[nmine];

		item_init(it, cache, k, recs[k]);
		it->lock_fd = lock_path_fd(cache->write_dir, it->dist, &it->err);
		if (it->lock_fd < 0 || do_flock(it->lock_fd, LOCK_EX) < 0) {
			if (k < first_index) {
				first_index = k;
				first_err = it->err;
			}
			item_release(it);
			continue;
		}
		if ((dirs[k] = find_extracted(cache, recs[k]))) {
			if (stats)
				stats->cached++;
			item_release(it);
			continue;
		}
		nmine++;
	}
	make_and_collect(cache, mine, nmine, opts, stats, dirs, &first_err, &first_index);
	nmine = 0;
out:
	for (i = 0; i < nmine; i++)
		item_release(&mine[i]);
	free(mine);
	free(waiting);
	if (first_index != (size_t)-1) {
		if (err)
			*err = first_err;
		/* not et_pkgcache_dirs_free(): a package that failed left a NULL in the middle */
		for (i = 0; i < n; i++)
			free(dirs[i]);
		free(dirs);
		return -1;
	}
	*extracted_dirs_out = dirs;
	return 0;
}
