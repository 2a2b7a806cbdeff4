/* SPDX-License-Identifier: Apache-2.0 */
/* Changing a prefix safely: see transaction.h. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "nbkit/yaml.h"
#include "link.h"
#include "prefix.h"
#include "transaction.h"
#include "interrupt.h"

#define MAX_JOURNAL (256u << 20)
#define UNLINKING ".envtool-unlinking-"

/*
 * Test hook (transaction.h): with ENVTOOL_TEST_STEP_FDS=W,R, one line "step"
 * to fd W at each step boundary, then wait for one byte (or EOF) on fd R,
 * so that a test kills envtool at a known step, not at a guessed time.
 */
static void test_step(void)
{
	const char *s = getenv(ET_ENV_TEST_STEP_FDS);
	char wtext[8], c;
	const char *comma;
	long w, r;

	if (!s || !(comma = strchr(s, ',')) || (size_t)(comma - s) >= sizeof(wtext))
		return;
	memcpy(wtext, s, (size_t)(comma - s));
	wtext[comma - s] = '\0';
	if (nbk_parse_long(wtext, 10, 0, 1024, &w) < 0 ||
	    nbk_parse_long(comma + 1, 10, 0, 1024, &r) < 0)
		return;
	if (nbk_write_all((int)w, "step\n", 5) == 0)
		nbk_read((int)r, &c, 1);
}

static char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return nbk_xstrdup(s ? s + 1 : path);
}

static char *lock_file(const char *prefix, bool create)
{
	_cleanup_free_ char *parent = nbk_path_dirname(prefix), *base = base_of(prefix);

	if (create)
		return nbk_xasprintf("%s/.%s.envtool-lock", parent, base);
	return nbk_xasprintf("%s/" ET_CONDA_META "/" ET_LOCK, prefix);
}

int et_txn_lock(const char *prefix, bool create, int *fd, struct nbk_error *err)
{
	_cleanup_free_ char *parent = nbk_path_dirname(prefix);
	_cleanup_free_ char *file = lock_file(prefix, create);
	struct stat a, b;
	int f, tries;

	if (create) {
		if (nbk_mkdir_p(parent, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0)
			return nbk_error_prefix(err, "cannot create the environment '%s'", prefix);
	} else if (!et_prefix_is_env(prefix)) {
		return nbk_error_set(err, 0, "'%s' is not an environment (no conda-meta)", prefix);
	} else if (et_prefix_check_writable(prefix, err) < 0) {
		return -1;
	}
	/* the holder removes a create's lock file when done: lock the file that is there */
	for (tries = 0; tries < 100; tries++) {
		f = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (f < 0 && create)
			return nbk_error_set(
				err, errno,
				"cannot create the environment '%s': cannot write in '%s'", prefix,
				parent);
		if (f < 0)
			return nbk_error_set(err, errno,
					     "cannot change '%s': cannot open its lock '%s'",
					     prefix, file);
		if (flock(f, LOCK_EX | LOCK_NB) < 0) {
			int e = errno;

			close(f);
			if (e == EWOULDBLOCK)
				return nbk_error_set(
					err, 0,
					"another envtool is changing '%s' (lock '%s'); try again when it is done",
					prefix, file);
			return nbk_error_set(err, e, "cannot lock '%s'", file);
		}
		if (fstat(f, &a) == 0 && stat(file, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			*fd = f;
			return 0;
		}
		close(f);
	}
	return nbk_error_set(err, 0, "cannot lock '%s': it keeps changing", file);
}

void et_txn_unlock(const char *prefix, bool create, int fd)
{
	if (fd < 0)
		return;
	if (create) {
		_cleanup_free_ char *file = lock_file(prefix, true);

		unlink(file);
	}
	close(fd);
}

/* "3.11" from python's version "3.11.9"; NULL when not X.Y-like. */
static char *python_xy(const char *version)
{
	const char *dot = strchr(version, '.'), *end;

	if (!dot)
		return NULL;
	for (end = dot + 1; *end >= '0' && *end <= '9'; end++)
		;
	return end > dot + 1 ? nbk_xstrndup(version, (size_t)(end - version)) : NULL;
}

/*
 * The journal (conda-meta/.envtool-journal): everything needed to finish
 * the change without the caller, written before its first step.
 */
struct et_journal {
	char *python;             /* NULL: none */
	struct nbk_strvec unlink; /* dists */
	struct et_record *recs;   /* link records, owned */
	struct nbk_strvec pkg_dirs, specs;
	size_t nlink;
	char *cmd, *specs_kind;
	struct nbk_strvec user_specs;
	bool remove_env;
};

static void journal_release(struct et_journal *j)
{
	size_t i;

	free(j->python);
	nbk_strvec_release(&j->unlink);
	for (i = 0; i < j->nlink; i++)
		et_record_release(&j->recs[i]);
	free(j->recs);
	nbk_strvec_release(&j->pkg_dirs);
	nbk_strvec_release(&j->specs);
	free(j->cmd);
	free(j->specs_kind);
	nbk_strvec_release(&j->user_specs);
	memset(j, 0, sizeof(*j));
}

static int journal_write(const char *prefix, const struct et_journal *j, struct nbk_error *err)
{
	_cleanup_free_ char *file = nbk_xasprintf("%s/" ET_CONDA_META "/" ET_JOURNAL, prefix);
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_json w;
	size_t i;
	int r;

	nbk_json_init(&w, &b, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	nbk_json_key_int(&w, "version", 1);
	nbk_json_key_string(&w, "python", j->python);
	nbk_json_key_bool(&w, "remove_env", j->remove_env);
	nbk_json_key_string(&w, "cmd", j->cmd ? j->cmd : "");
	nbk_json_key_string(&w, "specs_kind", j->specs_kind ? j->specs_kind : "");
	nbk_json_key_strvec(&w, "specs", &j->user_specs);
	nbk_json_key_strvec(&w, "unlink", &j->unlink);
	nbk_json_key(&w, "link");
	nbk_json_array_begin(&w);
	for (i = 0; i < j->nlink; i++) {
		nbk_json_object_begin(&w);
		nbk_json_key_string(&w, "pkg_dir", j->pkg_dirs.v[i]);
		nbk_json_key_string(&w, "requested_spec", j->specs.v[i]);
		nbk_json_key(&w, "record");
		et_prefix_meta_json(&w, &j->recs[i], NULL, NULL, 0, NULL);
		nbk_json_object_end(&w);
	}
	nbk_json_array_end(&w);
	nbk_json_object_end(&w);
	nbk_buf_addch(&b, '\n');
	r = nbk_write_file_atomic(file, b.data, b.len, 0644, (uid_t)-1, (gid_t)-1, err);
	nbk_buf_release(&b);
	return r;
}

static int journal_read(const char *file, struct et_journal *j, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	const struct nbk_node *links;
	const char *s;
	size_t i;

	memset(j, 0, sizeof(*j));
	if (nbk_yaml_load_file(file, MAX_JOURNAL, &root, err) < 0)
		return -1;
	if ((s = nbk_node_get_scalar(root, "python")))
		j->python = nbk_xstrdup(s);
	s = nbk_node_get_scalar(root, "remove_env");
	j->remove_env = s && !strcmp(s, "true");
	s = nbk_node_get_scalar(root, "cmd");
	j->cmd = nbk_xstrdup(s ? s : "");
	s = nbk_node_get_scalar(root, "specs_kind");
	j->specs_kind = nbk_xstrdup(s ? s : "");
	if (nbk_node_get(root, "specs") &&
	    nbk_node_as_strvec(nbk_node_get(root, "specs"), "specs", &j->user_specs, err) < 0)
		return -1;
	if (nbk_node_get(root, "unlink") &&
	    nbk_node_as_strvec(nbk_node_get(root, "unlink"), "unlink", &j->unlink, err) < 0)
		return -1;
	links = nbk_node_get(root, "link");
	if (!links || links->kind != NBK_NODE_SEQ)
		return nbk_error_set(err, 0, "'%s': no link list", file);
	j->recs = nbk_xcalloc(links->n ? links->n : 1, sizeof(*j->recs));
	for (i = 0; i < links->n; i++) {
		const struct nbk_node *it = links->items[i];
		const char *d = nbk_node_get_scalar(it, "pkg_dir");

		if (!d || et_record_from_node(nbk_node_get(it, "record"), &j->recs[i], err) < 0)
			return nbk_error_set(err, 0, "'%s': bad link entry %zu", file, i);
		j->nlink++;
		nbk_strvec_push(&j->pkg_dirs, d);
		s = nbk_node_get_scalar(it, "requested_spec");
		nbk_strvec_push(&j->specs, s ? s : "");
	}
	return 0;
}

/* Is the step for dist still to do?  conda-meta/DIST.json tells. */
static bool meta_exists(const char *prefix, const char *dist)
{
	_cleanup_free_ char *f = nbk_xasprintf("%s/" ET_CONDA_META "/%s.json", prefix, dist);

	return access(f, F_OK) == 0;
}

/*
 * Remove the package dist from prefix: its pre-unlink script first when
 * run_script (its output appended to out, when not NULL), then its
 * conda-meta record is moved aside, its files go, and the record last.
 * Done already (no record at all): 0.
 */
static int unlink_one(const char *prefix, const char *dist, const struct nbk_strvec *keep,
		      bool run_script, struct et_txn_output *out, struct nbk_error *err)
{
	_cleanup_free_ char *meta = nbk_xasprintf("%s/" ET_CONDA_META "/%s.json", prefix, dist);
	_cleanup_free_ char *moved =
		nbk_xasprintf("%s/" ET_CONDA_META "/" UNLINKING "%s.json", prefix, dist);
	struct et_prefix_pkg pkg;
	int r;

	if (access(meta, F_OK) == 0) {
		/* read by the one conda-meta reader, as the set that chose dist was */
		if (et_prefix_read_meta(meta, &pkg, err) < 0)
			goto fail;
		if (run_script && et_link_run_script(prefix, prefix, &pkg.rec, "pre-unlink",
						     out ? &out->scripts : NULL, err) < 0)
			goto fail;
		/* conda-meta stops claiming the package before its first file goes */
		if (rename(meta, moved) < 0) {
			nbk_error_set(err, errno, "cannot move '%s'", meta);
			goto fail;
		}
	} else if (access(moved, F_OK) == 0) {
		if (et_prefix_read_meta(moved, &pkg, err) < 0)
			goto fail;
	} else {
		return 0; /* done already */
	}
	r = et_unlink_files(prefix, &pkg.files, keep, err);
	et_prefix_pkg_release(&pkg);
	if (r < 0)
		return nbk_error_prefix(err, "cannot remove '%s'", dist);
	if (unlink(moved) < 0 && errno != ENOENT)
		return nbk_error_set(err, errno, "cannot remove '%s'", moved);
	test_step();
	return 0;
fail:
	et_prefix_pkg_release(&pkg);
	return -1;
}

static int link_one_pkg(const char *root, const char *prefix, const char *python,
			const struct et_record *rec, const char *pkg_dir, const char *spec,
			unsigned flags, struct nbk_error *err)
{
	struct et_link_ctx lc = { root, prefix, python, flags & ET_TXN_COPY ? ET_LINK_COPY : 0 };
	struct et_pkg_paths paths;
	_cleanup_free_ char *dist = et_dist(rec);
	int link_type, r;

	r = et_link_package(&lc, pkg_dir, rec, dist, &paths, &link_type, err);
	if (r == 0)
		r = et_prefix_write_meta(root, rec, pkg_dir, &paths, link_type, spec, err);
	et_pkg_paths_release(&paths);
	if (r == 0) {
		test_step();
	}
	return r;
}

/* Sorted files of the packages that stay (not in unlink). */
static int keep_set(const char *prefix, const struct nbk_strvec *unlink, struct nbk_strvec *keep,
		    struct nbk_error *err)
{
	struct et_prefix p = ET_PREFIX_INIT;
	size_t i, k;

	if (et_prefix_load(prefix, &p, err) < 0) {
		et_prefix_release(&p);
		return -1;
	}
	for (i = 0; i < p.n; i++) {
		if (nbk_strvec_find(unlink, p.v[i].dist) >= 0)
			continue;
		for (k = 0; k < p.v[i].files.n; k++)
			nbk_strvec_push(keep, p.v[i].files.v[k]);
	}
	nbk_strvec_sort(keep);
	et_prefix_release(&p);
	return 0;
}

/* The environment's .messages.txt (post-link scripts write it) moves to out. */
static void take_messages(const char *prefix, struct et_txn_output *out)
{
	_cleanup_free_ char *f = nbk_xasprintf("%s/.messages.txt", prefix);
	struct nbk_error e = NBK_ERROR_INIT;

	if (access(f, F_OK) < 0)
		return;
	if (out && nbk_read_file(f, 1u << 20, &out->messages, &e) < 0)
		nbk_warn("%s", e.msg);
	unlink(f);
}

/*
 * Every step of the journal that is not done yet, then history; journal
 * removed.  first_run: the pre-unlink scripts run (their output to out).
 */
static int journal_run(const char *prefix, const struct et_journal *j, bool first_run,
		       unsigned flags, struct et_txn_output *out, struct nbk_error *err)
{
	_cleanup_free_ char *jf = nbk_xasprintf("%s/" ET_CONDA_META "/" ET_JOURNAL, prefix);
	struct nbk_strvec keep = NBK_STRVEC_INIT;
	const struct et_record **removed = NULL, **added = NULL;
	struct et_prefix before = ET_PREFIX_INIT;
	size_t i, nremoved = 0;
	int r = 0;

	if (keep_set(prefix, &j->unlink, &keep, err) < 0 ||
	    et_prefix_load(prefix, &before, err) < 0) {
		r = -1;
		goto out;
	}
	removed = nbk_xcalloc(j->unlink.n + 1, sizeof(*removed));
	for (i = 0; i < before.n; i++)
		if (nbk_strvec_find(&j->unlink, before.v[i].dist) >= 0)
			removed[nremoved++] = &before.v[i].rec;
	for (i = 0; i < j->unlink.n; i++)
		if ((r = unlink_one(prefix, j->unlink.v[i], &keep, first_run, out, err)) < 0)
			goto out;
	for (i = 0; i < j->nlink; i++) {
		_cleanup_free_ char *dist = et_dist(&j->recs[i]);

		if (meta_exists(prefix, dist))
			continue;
		if (access(j->pkg_dirs.v[i], F_OK) < 0) {
			r = nbk_error_set(
				err, errno,
				"cannot finish the change: the package folder '%s' is gone",
				j->pkg_dirs.v[i]);
			goto out;
		}
		r = link_one_pkg(prefix, prefix, j->python, &j->recs[i], j->pkg_dirs.v[i],
				 j->specs.v[i], flags, err);
		if (r < 0)
			goto out;
	}
	added = nbk_xcalloc(j->nlink + 1, sizeof(*added));
	for (i = 0; i < j->nlink; i++)
		added[i] = &j->recs[i];
	if (!j->remove_env &&
	    et_prefix_history(prefix, j->cmd, removed, nremoved, added, j->nlink,
			      *j->specs_kind ? j->specs_kind : NULL, &j->user_specs, err) < 0) {
		r = -1;
		goto out;
	}
	if (unlink(jf) < 0 && errno != ENOENT)
		r = nbk_error_set(err, errno, "cannot remove '%s'", jf);
out:
	nbk_strvec_release(&keep);
	et_prefix_release(&before);
	free(removed);
	free(added);
	return r;
}

int et_journal_recover(const char *prefix, struct nbk_error *err)
{
	_cleanup_free_ char *jf = nbk_xasprintf("%s/" ET_CONDA_META "/" ET_JOURNAL, prefix);
	struct et_journal j;
	int r;

	if (access(jf, F_OK) < 0)
		return 0;
	nbk_warn("finishing the change that an interrupted envtool left in '%s'", prefix);
	if (journal_read(jf, &j, err) < 0) {
		journal_release(&j);
		return nbk_error_prefix(err, "cannot finish the interrupted change in '%s'",
					prefix);
	}
	r = journal_run(prefix, &j, false, 0, NULL, err);
	journal_release(&j);
	return r < 0 ? nbk_error_prefix(err, "cannot finish the interrupted change in '%s'", prefix)
		     : 0;
}

int et_journal_recover_now(const char *prefix, struct nbk_error *err)
{
	_cleanup_free_ char *jf = nbk_xasprintf("%s/" ET_CONDA_META "/" ET_JOURNAL, prefix);
	int fd = -1, r;

	if (access(jf, F_OK) < 0)
		return 0;
	if (et_txn_lock(prefix, false, &fd, err) < 0)
		return -1;
	r = et_journal_recover(prefix, err);
	et_txn_unlock(prefix, false, fd);
	return r;
}

static char *find_python(const struct et_txn *t, const struct et_prefix *installed)
{
	size_t i;

	for (i = 0; i < t->nlink; i++)
		if (!strcmp(t->link[i].rec->name, "python"))
			return python_xy(t->link[i].rec->version);
	if (installed) {
		const struct et_prefix_pkg *p = et_prefix_find(installed, "python");

		if (p)
			return python_xy(p->rec.version);
	}
	return NULL;
}

/*
 * Remove stale temporary folders of earlier, killed creates of this
 * prefix; an old environment set aside by a replacement that was killed
 * before the new one went in is put back.
 */
static void clean_stale(const char *prefix, const char *parent, const char *base)
{
	_cleanup_free_ char *tmp = nbk_xasprintf(".%s.envtool-tmp-", base);
	_cleanup_free_ char *old = nbk_xasprintf(".%s.envtool-old-", base);
	struct nbk_error e = NBK_ERROR_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(parent);

	if (!d)
		return;
	while ((de = readdir(d))) {
		bool is_tmp = !strncmp(de->d_name, tmp, strlen(tmp)) &&
			      strlen(de->d_name) == strlen(tmp) + 6;
		bool is_old = !strncmp(de->d_name, old, strlen(old)) &&
			      strlen(de->d_name) == strlen(old) + 6;
		_cleanup_free_ char *p = NULL;

		if (!is_tmp && !is_old)
			continue;
		p = nbk_xasprintf("%s/%s", parent, de->d_name);
		if (is_old && lstat(prefix, &st) < 0 && errno == ENOENT) {
			nbk_warn("putting back '%s': an interrupted create was replacing it",
				 prefix);
			if (rename(p, prefix) == 0)
				continue;
			nbk_warn("cannot rename '%s' to '%s': %s", p, prefix, strerror(errno));
		}
		nbk_info("removing '%s', left by an interrupted create", p);
		if (nbk_remove_tree(p, &e) < 0)
			nbk_warn("%s", e.msg);
	}
	closedir(d);
}

static bool dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

/* Put the replaced environment back after a failed replacement. */
static void restore_old(const char *old, const char *prefix)
{
	struct nbk_error e = NBK_ERROR_INIT;

	if (!old)
		return;
	if (nbk_remove_tree(prefix, &e) < 0)
		nbk_warn("%s", e.msg);
	if (rename(old, prefix) < 0)
		nbk_warn("cannot put '%s' back to '%s': %s", old, prefix, strerror(errno));
}

/*
 * Create the environment t->prefix from t->link (ET_TXN_CREATE): the
 * packages are linked into a fresh PARENT/.BASE.envtool-tmp-XXXXXX with
 * its conda-meta and history, which is renamed into place only once
 * complete; then the post-link scripts run there (their output and the
 * .messages.txt to t->output) and it is added to environments.txt.  What is at t->prefix
 * must be absent or an empty folder, or, with ET_TXN_REPLACE, an
 * environment a manager made: that one is moved aside and removed only
 * after the new one is in place (and put back if the new one fails).
 * Leftovers of an earlier killed create are cleaned first.  Precondition:
 * the caller holds the prefix's lock (et_txn_lock()).  Returns 0, or -1
 * with err; on failure the temporary folder is removed and any old
 * environment is back at t->prefix.  t is only read.
 */
static int txn_create(const struct et_txn *t, struct nbk_error *err)
{
	_cleanup_free_ char *parent = nbk_path_dirname(t->prefix), *base = base_of(t->prefix);
	_cleanup_free_ char *tmp = NULL, *old = NULL, *python = find_python(t, NULL);
	const struct et_record **added = NULL;
	bool replace = false;
	struct stat st;
	size_t i;
	int r = -1;

	clean_stale(t->prefix, parent, base);
	if (lstat(t->prefix, &st) == 0 && (!S_ISDIR(st.st_mode) || !dir_empty(t->prefix))) {
		/*
		 * Only what an environment manager made is replaced (and so
		 * removed): a folder of the user's that merely holds an empty
		 * conda-meta is not (issue 9).
		 */
		bool made = et_prefix_is_made_env(t->prefix);

		replace = (t->flags & ET_TXN_REPLACE) && made;
		if (!replace)
			return nbk_error_set(
				err, 0, "'%s' already exists%s", t->prefix,
				made ? " (replace it with 'envtool create --yes', or remove it: envtool remove -p PREFIX --all)"
				     : " and is neither an environment (conda-meta with a history or package records) "
				       "nor an empty folder: envtool does not replace it");
	}
	tmp = nbk_xasprintf("%s/.%s.envtool-tmp-XXXXXX", parent, base);
	if (!mkdtemp(tmp))
		return nbk_error_set(
			err, errno,
			"cannot create the environment '%s': cannot make a folder in '%s'",
			t->prefix, parent);
	if (chmod(tmp, 0755) < 0) {
		nbk_error_set(err, errno, "cannot chmod '%s'", tmp);
		goto fail;
	}
	{
		_cleanup_free_ char *meta = nbk_xasprintf("%s/" ET_CONDA_META, tmp);

		if (mkdir(meta, 0755) < 0) {
			nbk_error_set(err, errno, "cannot create '%s'", meta);
			goto fail;
		}
	}
	test_step();
	for (i = 0; i < t->nlink; i++) {
		/* Ctrl-C before the rename: the temporary folder goes, nothing is made */
		if (et_interrupted()) {
			nbk_error_set(err, ET_ERR_INTERRUPTED,
				      "interrupted: the environment '%s' was not made", t->prefix);
			goto fail;
		}
		if (link_one_pkg(tmp, t->prefix, python, t->link[i].rec, t->link[i].pkg_dir,
				 t->link[i].requested_spec, t->flags, err) < 0) {
			nbk_error_prefix(err, "cannot create the environment '%s'", t->prefix);
			goto fail;
		}
	}
	if (et_interrupted()) {
		nbk_error_set(err, ET_ERR_INTERRUPTED,
			      "interrupted: the environment '%s' was not made", t->prefix);
		goto fail;
	}
	added = nbk_xcalloc(t->nlink + 1, sizeof(*added));
	for (i = 0; i < t->nlink; i++)
		added[i] = t->link[i].rec;
	if (et_prefix_history(tmp, t->cmd ? t->cmd : "envtool create", NULL, 0, added, t->nlink,
			      t->specs_kind, t->specs, err) < 0)
		goto fail;
	if (replace) {
		/* a name mkdtemp() picked, then freed for rename() */
		old = nbk_xasprintf("%s/.%s.envtool-old-XXXXXX", parent, base);
		if (!mkdtemp(old) || rmdir(old) < 0 || rename(t->prefix, old) < 0) {
			nbk_error_set(err, errno, "cannot move '%s' aside to replace it",
				      t->prefix);
			free(old);
			old = NULL;
			goto fail;
		}
	}
	if (rename(tmp, t->prefix) < 0) {
		nbk_error_set(err, errno, "cannot rename '%s' to '%s'", tmp, t->prefix);
		if (old && rename(old, t->prefix) < 0)
			nbk_warn("cannot put '%s' back to '%s': %s", old, t->prefix,
				 strerror(errno));
		goto fail;
	}
	/* post-link scripts need the environment where it will stay */
	for (i = 0; i < t->nlink; i++) {
		if (et_link_run_script(t->prefix, t->prefix, t->link[i].rec, "post-link",
				       t->output ? &t->output->scripts : NULL, err) < 0) {
			struct nbk_error e2 = NBK_ERROR_INIT;

			if (old)
				restore_old(old, t->prefix);
			else if (nbk_remove_tree(t->prefix, &e2) < 0)
				nbk_warn("%s", e2.msg);
			free(added);
			return -1;
		}
	}
	take_messages(t->prefix, t->output);
	if (old) {
		struct nbk_error e2 = NBK_ERROR_INIT;

		if (nbk_remove_tree(old, &e2) < 0)
			nbk_warn("cannot remove the replaced environment: %s", e2.msg);
	}
	{
		struct nbk_error e2 = NBK_ERROR_INIT;

		if (et_environments_add(t->prefix, &e2) < 0)
			nbk_warn("cannot register '%s': %s", t->prefix, e2.msg);
	}
	free(added);
	return 0;
fail : {
	struct nbk_error e2 = NBK_ERROR_INIT;

	if (nbk_remove_tree(tmp, &e2) < 0)
		nbk_warn("%s", e2.msg);
}
	free(added);
	return r;
}

static int txn_change(const struct et_txn *t, struct nbk_error *err)
{
	struct et_prefix installed = ET_PREFIX_INIT;
	struct et_journal j;
	size_t i;
	int r = -1;

	memset(&j, 0, sizeof(j));
	if (et_prefix_load(t->prefix, &installed, err) < 0)
		goto out;
	j.python = find_python(t, &installed);
	j.remove_env = t->flags & ET_TXN_REMOVE_ENV;
	j.cmd = nbk_xstrdup(t->cmd ? t->cmd : "envtool");
	j.specs_kind = nbk_xstrdup(t->specs_kind ? t->specs_kind : "");
	if (t->specs)
		for (i = 0; i < t->specs->n; i++)
			nbk_strvec_push(&j.user_specs, t->specs->v[i]);
	for (i = 0; i < t->nunlink; i++) {
		const struct et_prefix_pkg *p = et_prefix_find(&installed, t->unlink[i]);

		if (p)
			nbk_strvec_push(&j.unlink, p->dist);
	}
	j.recs = nbk_xcalloc(t->nlink + 1, sizeof(*j.recs));
	for (i = 0; i < t->nlink; i++) {
		et_record_copy(&j.recs[i], t->link[i].rec);
		j.nlink++;
		nbk_strvec_push(&j.pkg_dirs, t->link[i].pkg_dir);
		nbk_strvec_push(&j.specs,
				t->link[i].requested_spec ? t->link[i].requested_spec : "");
	}
	/* Ctrl-C before the journal: nothing changed; after it, the change is finished */
	if (et_interrupted()) {
		nbk_error_set(err, ET_ERR_INTERRUPTED, "interrupted: '%s' was not changed",
			      t->prefix);
		goto out;
	}
	if (journal_write(t->prefix, &j, err) < 0) {
		nbk_error_prefix(err, "cannot change '%s'", t->prefix);
		goto out;
	}
	test_step();
	if (journal_run(t->prefix, &j, true, t->flags, t->output, err) < 0) {
		nbk_error_prefix(err,
				 "cannot change '%s' (the next envtool run finishes the change)",
				 t->prefix);
		goto out;
	}
	r = 0;
	for (i = 0; i < t->nlink; i++)
		if (et_link_run_script(t->prefix, t->prefix, t->link[i].rec, "post-link",
				       t->output ? &t->output->scripts : NULL, err) < 0) {
			r = -1;
			break;
		}
	take_messages(t->prefix, t->output);
out:
	et_prefix_release(&installed);
	journal_release(&j);
	return r;
}

int et_txn_apply(const struct et_txn *t, struct nbk_error *err)
{
	if (t->flags & ET_TXN_CREATE)
		return txn_create(t, err);
	return txn_change(t, err);
}
