/* SPDX-License-Identifier: Apache-2.0 */
/* Linking an extracted package into a prefix: see link.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbkit/yaml.h"
#include "link.h"

/* Bounds on what a package may hand us (hostile input). */
#define MAX_INFO_FILE (256u << 20)
#define MAX_REWRITE_FILE (1u << 30)
#define MAX_SCRIPT_OUTPUT (64u << 10)

static void path_release(struct et_path *p)
{
	free(p->path);
	free(p->prefix_path);
	free(p->placeholder);
	free(p->sha256);
}

void et_pkg_paths_release(struct et_pkg_paths *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		path_release(&p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = p->alloc = 0;
}

static struct et_path *paths_add(struct et_pkg_paths *p, const char *path)
{
	struct et_path *e;

	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->v = nbk_xrealloc(p->v, p->alloc * sizeof(*p->v));
	}
	e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	e->path = nbk_xstrdup(path);
	return e;
}

static int read_paths_json(const char *file, struct et_pkg_paths *out, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	const struct nbk_node *paths;
	size_t i;

	if (nbk_yaml_load_file(file, MAX_INFO_FILE, &root, err) < 0)
		return -1;
	paths = nbk_node_get(root, "paths");
	if (!paths || paths->kind != NBK_NODE_SEQ)
		return nbk_error_set(err, 0, "'%s': no \"paths\" list", file);
	for (i = 0; i < paths->n; i++) {
		const struct nbk_node *it = paths->items[i];
		const char *p = nbk_node_get_scalar(it, "_path");
		const char *t = nbk_node_get_scalar(it, "path_type");
		const char *m = nbk_node_get_scalar(it, "file_mode");
		const char *ph = nbk_node_get_scalar(it, "prefix_placeholder");
		const char *sha = nbk_node_get_scalar(it, "sha256");
		const char *size = nbk_node_get_scalar(it, "size_in_bytes");
		const char *nl = nbk_node_get_scalar(it, "no_link");
		struct et_path *e;

		if (!p || !*p)
			return nbk_error_set(err, 0, "'%s': entry %zu has no _path", file, i);
		e = paths_add(out, p);
		if (!t || !strcmp(t, "hardlink"))
			e->type = ET_PATH_HARDLINK;
		else if (!strcmp(t, "softlink"))
			e->type = ET_PATH_SOFTLINK;
		else if (!strcmp(t, "directory"))
			e->type = ET_PATH_DIRECTORY;
		else
			return nbk_error_set(err, 0, "'%s': '%s' has an unknown path_type '%s'",
					     file, p, t);
		if (ph && *ph) {
			e->placeholder = nbk_xstrdup(ph);
			e->mode = m && !strcmp(m, "binary") ? ET_FILE_MODE_BINARY
							    : ET_FILE_MODE_TEXT;
		}
		if (sha)
			e->sha256 = nbk_xstrdup(sha);
		if (size) {
			if (nbk_parse_u64(size, &e->size) < 0)
				return nbk_error_set(err, 0, "'%s': '%s' has a bad size_in_bytes",
						     file, p);
			e->has_size = true;
		}
		e->no_link = nl && !strcmp(nl, "true");
	}
	return 0;
}

/* Split a line of info/files, has_prefix or no_link; NULL at the end. */
static char *next_line(char **s)
{
	char *line = *s, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*s = nl + 1;
	} else {
		*s = line + strlen(line);
	}
	if (nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	return line;
}

static struct et_path *find_path(struct et_pkg_paths *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].path, path))
			return &p->v[i];
	return NULL;
}

/* A has_prefix field: "quoted with spaces" or bare.  Advances *s. */
static char *hp_field(char **s)
{
	char *p = *s, *start;

	while (*p == ' ')
		p++;
	if (*p == '"' || *p == '\'') {
		char q = *p++;

		start = p;
		while (*p && *p != q)
			p++;
	} else {
		start = p;
		while (*p && *p != ' ')
			p++;
	}
	if (*p)
		*p++ = '\0';
	*s = p;
	return start;
}

/* PKG_DIR/info/NAME into b (emptied first); an absent file reads as empty. */
static int read_info(const char *pkg_dir, const char *name, struct nbk_buf *b,
		     struct nbk_error *err)
{
	_cleanup_free_ char *file = nbk_xasprintf("%s/info/%s", pkg_dir, name);

	nbk_buf_reset(b);
	if (access(file, F_OK) < 0)
		return 0;
	return nbk_read_file(file, MAX_INFO_FILE, b, err);
}

/*
 * The paths of an older package without info/paths.json, from its lists
 * (conda's read_files(), read_has_prefix(), read_no_link()): each line of
 * info/files becomes an entry of out, typed by lstat() of the extracted
 * file; info/has_prefix ("PATH" or "PLACEHOLDER MODE PATH") sets the
 * placeholder and mode of the entries it names; info/no_link marks entries.
 * A missing list is empty; lines naming no entry are ignored.  out is the
 * caller's (et_pkg_paths_release()), appended to.  Returns 0, or -1 with
 * err for a list that cannot be read or exceeds MAX_INFO_FILE, or a path
 * in info/files that leads out of pkg_dir (nbk_path_join_safe()); out then
 * holds the entries read so far.
 */
static int read_old_lists(const char *pkg_dir, struct et_pkg_paths *out, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;
	char *s, *line;

	if (read_info(pkg_dir, "files", &b, err) < 0)
		return -1;
	for (s = b.data; (line = next_line(&s));) {
		struct et_path *e;
		struct stat st;
		char *src;

		if (!*line)
			continue;
		if (nbk_path_join_safe(pkg_dir, line, &src, err) < 0)
			return -1;
		e = paths_add(out, line);
		if (lstat(src, &st) == 0)
			e->type = S_ISLNK(st.st_mode)   ? ET_PATH_SOFTLINK
				  : S_ISDIR(st.st_mode) ? ET_PATH_DIRECTORY
							: ET_PATH_HARDLINK;
		free(src);
	}
	if (read_info(pkg_dir, "has_prefix", &b, err) < 0)
		return -1;
	for (s = b.data; (line = next_line(&s));) {
		const char *ph = ET_PREFIX_PLACEHOLDER, *mode = "text", *path;
		char *f1, *f2, *f3;
		struct et_path *e;

		if (!*line)
			continue;
		f1 = hp_field(&line);
		f2 = hp_field(&line);
		f3 = hp_field(&line);
		if (*f2 && *f3) {
			ph = f1;
			mode = f2;
			path = f3;
		} else {
			path = f1;
		}
		e = find_path(out, path);
		if (!e)
			continue;
		free(e->placeholder);
		e->placeholder = nbk_xstrdup(ph);
		e->mode = !strcmp(mode, "binary") ? ET_FILE_MODE_BINARY : ET_FILE_MODE_TEXT;
	}
	if (read_info(pkg_dir, "no_link", &b, err) < 0)
		return -1;
	for (s = b.data; (line = next_line(&s));) {
		struct et_path *e = *line ? find_path(out, line) : NULL;

		if (e)
			e->no_link = true;
	}
	return 0;
}

/* Neither paths.json nor info/files (rattler's test packages): every entry but info/. */
static int walk_dir(const char *root, const char *rel, struct et_pkg_paths *out, unsigned depth,
		    struct nbk_error *err)
{
	_cleanup_free_ char *dir = *rel ? nbk_xasprintf("%s/%s", root, rel) : nbk_xstrdup(root);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > 64)
		return nbk_error_set(err, 0, "'%s' is nested too deep", dir);
	d = opendir(dir);
	if (!d)
		return nbk_error_set(err, errno, "cannot read '%s'", dir);
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *sub = NULL, *full = NULL;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (!*rel && !strcmp(de->d_name, "info")))
			continue;
		sub = *rel ? nbk_xasprintf("%s/%s", rel, de->d_name) : nbk_xstrdup(de->d_name);
		full = nbk_xasprintf("%s/%s", root, sub);
		if (lstat(full, &st) < 0) {
			r = nbk_error_set(err, errno, "cannot stat '%s'", full);
		} else if (S_ISDIR(st.st_mode)) {
			r = walk_dir(root, sub, out, depth + 1, err);
		} else {
			struct et_path *e = paths_add(out, sub);

			e->type = S_ISLNK(st.st_mode) ? ET_PATH_SOFTLINK : ET_PATH_HARDLINK;
		}
	}
	closedir(d);
	return r;
}

int et_pkg_paths_read(const char *pkg_dir, struct et_pkg_paths *out, struct nbk_error *err)
{
	_cleanup_free_ char *pj = nbk_xasprintf("%s/info/paths.json", pkg_dir);
	_cleanup_free_ char *files = nbk_xasprintf("%s/info/files", pkg_dir);
	int r;

	memset(out, 0, sizeof(*out));
	if (access(pj, F_OK) == 0)
		r = read_paths_json(pj, out, err);
	else if (access(files, F_OK) == 0)
		r = read_old_lists(pkg_dir, out, err);
	else
		r = walk_dir(pkg_dir, "", out, 0, err);
	return r;
}

int et_link_prefix_path(const struct et_record *rec, const char *python_ver, const char *path,
			char **out, struct nbk_error *err)
{
	if (rec->noarch == ET_NOARCH_PYTHON) {
		if (!strncmp(path, "site-packages/", 14)) {
			if (!python_ver)
				goto no_python;
			*out = nbk_xasprintf("lib/python%s/%s", python_ver, path);
			return 0;
		}
		if (!strncmp(path, "python-scripts/", 15)) {
			*out = nbk_xasprintf("bin/%s", path + 15);
			return 0;
		}
	}
	*out = nbk_xstrdup(path);
	return 0;
no_python:
	return nbk_error_set(
		err, 0, "'%s-%s-%s' is a noarch: python package, but the environment has no python",
		rec->name, rec->version, rec->build);
}

/*
 * Make the folders above path (a full path).  Most files land in a folder
 * already made for an earlier one: one stat() then, instead of a mkdir()
 * and a stat() for every component of the path (that walk was most of a
 * warm create's time).
 */
static int make_parents(const char *path, struct nbk_error *err)
{
	_cleanup_free_ char *dir = nbk_path_dirname(path);
	struct stat st;

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, err);
}

/*
 * Make room for dest: an existing file or link is removed (and reported as
 * clobbered), an existing folder is refused, missing parents are made.
 */
static int clear_dest(const char *dest, const char *rel, const char *dist, struct nbk_error *err)
{
	struct stat st;

	if (lstat(dest, &st) < 0) {
		if (errno != ENOENT)
			return nbk_error_set(err, errno, "cannot stat '%s'", dest);
		return make_parents(dest, err);
	}
	if (S_ISDIR(st.st_mode))
		return nbk_error_set(err, 0, "'%s' of '%s' is a folder in the prefix", rel, dist);
	nbk_warn("'%s' of '%s' replaces the file already in the prefix (clobbered)", rel, dist);
	if (unlink(dest) < 0 && errno != ENOENT)
		return nbk_error_set(err, errno, "cannot remove '%s'", dest);
	return 0;
}

/*
 * A new file at dest (nothing may be there) with src's mode and contents:
 * copied, or with the prefix written in when e has a placeholder (streamed:
 * replace.h, bounded memory whatever the size; e->rewritten says whether
 * it changed anything).  src is opened without following a link and must
 * be a regular file.  Nothing is left at dest on failure.
 */
static int write_from(const struct et_link_ctx *lc, struct et_path *e, const char *src,
		      const char *dest, const char *dist, struct nbk_error *err)
{
	_cleanup_close_ int in = nbk_open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	struct stat st;
	int out, r = 0;

	if (in < 0)
		return nbk_error_set(err, errno, "cannot open '%s'", src);
	if (fstat(in, &st) < 0)
		return nbk_error_set(err, errno, "cannot stat '%s'", src);
	if (!S_ISREG(st.st_mode))
		return nbk_error_set(err, 0, "package '%s': '%s' is not a regular file", dist,
				     e->path);
	if (e->placeholder && (unsigned long long)st.st_size > MAX_REWRITE_FILE)
		return nbk_error_set(err, EFBIG, "package '%s': '%s' is larger than %u bytes", dist,
				     e->path, MAX_REWRITE_FILE);
	out = nbk_open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0)
		return nbk_error_set(err, errno, "cannot create '%s'", dest);
	if (e->placeholder) {
		r = et_replace_fd(in, out, e->placeholder, lc->prefix, e->mode, 0,
				  4ull * MAX_REWRITE_FILE, err);
		if (r < 0)
			nbk_error_prefix(err, "cannot link '%s' of '%s'", e->path, dist);
		else
			e->rewritten = r == 0;
	} else if (nbk_copy_fd(in, out) < 0) {
		r = nbk_error_set(err, errno, "cannot copy '%s' to '%s'", src, dest);
	}
	if (r >= 0 && fchmod(out, st.st_mode & 07777) < 0)
		r = nbk_error_set(err, errno, "cannot write '%s'", dest);
	if (close(out) < 0 && r >= 0)
		r = nbk_error_set(err, errno, "cannot write '%s'", dest);
	if (r < 0) {
		unlink(dest);
		return -1;
	}
	return 0;
}

static int link_one(const struct et_link_ctx *lc, const char *pkg_dir, struct et_path *e,
		    const char *dist, int *link_type, struct nbk_error *err)
{
	_cleanup_free_ char *src = NULL, *dest = NULL;
	struct stat st;

	if (nbk_path_join_safe(pkg_dir, e->path, &src, err) < 0 ||
	    nbk_path_join_safe(lc->root, e->prefix_path, &dest, err) < 0)
		return nbk_error_prefix(err, "package '%s'", dist);
	if (e->type == ET_PATH_DIRECTORY)
		return nbk_mkdir_p(dest, 0755, (uid_t)-1, (gid_t)-1, NULL, err);
	if (lstat(src, &st) < 0)
		return nbk_error_set(err, errno,
				     "package '%s' lists '%s', but its folder has no such file",
				     dist, e->path);
	/* the common case first: a plain file hard-linked into a folder that
	 * exists, with nothing there yet (where clear_dest() has nothing to
	 * do); anything else (a file there, no folder, another filesystem)
	 * fails and takes the general way below */
	if (S_ISREG(st.st_mode) && e->type == ET_PATH_HARDLINK && !e->placeholder && !e->no_link &&
	    !(lc->flags & ET_LINK_COPY) && link(src, dest) == 0)
		return 0;
	if (clear_dest(dest, e->prefix_path, dist, err) < 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(src, target, sizeof(target) - 1);

		if (n < 0)
			return nbk_error_set(err, errno, "cannot read the link '%s'", src);
		target[n] = '\0';
		if (symlink(target, dest) < 0)
			return nbk_error_set(err, errno, "cannot make the link '%s'", dest);
		e->type = ET_PATH_SOFTLINK;
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return nbk_mkdir_p(dest, 0755, (uid_t)-1, (gid_t)-1, NULL, err);
	if (!S_ISREG(st.st_mode))
		return nbk_error_set(err, 0, "package '%s': '%s' is not a regular file", dist,
				     e->path);
	if (e->type == ET_PATH_SOFTLINK)
		e->type = ET_PATH_HARDLINK; /* listed as a link, shipped as a file */
	if (e->placeholder)
		return write_from(lc, e, src, dest, dist, err);
	if (!e->no_link && !(lc->flags & ET_LINK_COPY)) {
		if (link(src, dest) == 0)
			return 0;
		if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != EACCES)
			return nbk_error_set(err, errno, "cannot link '%s' to '%s'", src, dest);
	}
	*link_type = 3;
	return write_from(lc, e, src, dest, dist, err);
}

/* "name = module:func" from link.json's entry_points. */
static int entry_point_script(const struct et_link_ctx *lc, const char *ep, const char *dist,
			      struct et_pkg_paths *paths, struct nbk_error *err)
{
	_cleanup_free_ char *copy = nbk_xstrdup(ep), *rel = NULL, *dest = NULL, *shebang = NULL;
	char *name = copy, *eq = strchr(copy, '='), *mod, *colon, *func, *end, *dot;
	struct nbk_buf b = NBK_BUF_INIT;
	_cleanup_free_ char *import_name = NULL;
	struct et_path *e;
	int r;

	if (!eq || !(colon = strchr(eq, ':')))
		return nbk_error_set(err, 0, "package '%s': bad entry point '%s'", dist, ep);
	*eq = '\0';
	*colon = '\0';
	mod = eq + 1;
	func = colon + 1;
	for (end = name + strlen(name); end > name && end[-1] == ' '; end--)
		*(end - 1) = '\0';
	while (*mod == ' ')
		mod++;
	for (end = mod + strlen(mod); end > mod && end[-1] == ' '; end--)
		*(end - 1) = '\0';
	while (*func == ' ')
		func++;
	for (end = func + strlen(func); end > func && (end[-1] == ' ' || end[-1] == ']'); end--)
		*(end - 1) = '\0';
	if ((end = strchr(func, ' ')))
		*end = '\0'; /* "func [extra]" */
	if (!*name || !*mod || !*func || strchr(name, '/'))
		return nbk_error_set(err, 0, "package '%s': bad entry point '%s'", dist, ep);
	import_name = nbk_xstrdup(func);
	if ((dot = strchr(import_name, '.')))
		*dot = '\0';
	rel = nbk_xasprintf("bin/%s", name);
	if (nbk_path_join_safe(lc->root, rel, &dest, err) < 0 ||
	    clear_dest(dest, rel, dist, err) < 0)
		return -1;
	shebang = nbk_xasprintf("#!%s/bin/python%s", lc->prefix, lc->python_ver);
	if (strlen(shebang) > ET_MAX_SHEBANG || strchr(lc->prefix, ' ')) {
		free(shebang);
		shebang = nbk_xasprintf("#!/usr/bin/env python%s", lc->python_ver);
	}
	/* conda's python_entry_point_template */
	nbk_buf_addf(&b,
		     "%s\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n\nfrom %s import %s\n\n"
		     "if __name__ == '__main__':\n"
		     "    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])\n"
		     "    sys.exit(%s())\n",
		     shebang, mod, import_name, func);
	r = nbk_write_file_new(dest, b.data, b.len, 0755, err);
	nbk_buf_release(&b);
	if (r < 0)
		return -1;
	e = paths_add(paths, rel);
	e->prefix_path = nbk_xstrdup(rel);
	e->type = ET_PATH_ENTRY_POINT;
	return 0;
}

static int entry_points(const struct et_link_ctx *lc, const char *pkg_dir, const char *dist,
			struct et_pkg_paths *paths, struct nbk_error *err)
{
	_cleanup_free_ char *file = nbk_xasprintf("%s/info/link.json", pkg_dir);
	_cleanup_node_ struct nbk_node *root = NULL;
	const struct nbk_node *eps;
	size_t i;

	if (access(file, F_OK) < 0)
		return 0;
	if (nbk_yaml_load_file(file, MAX_INFO_FILE, &root, err) < 0)
		return nbk_error_prefix(err, "package '%s'", dist);
	eps = nbk_node_path(root, "noarch.entry_points");
	if (!eps || eps->kind != NBK_NODE_SEQ)
		return 0;
	for (i = 0; i < eps->n; i++) {
		if (eps->items[i]->kind != NBK_NODE_SCALAR)
			return nbk_error_set(err, 0, "package '%s': bad entry point", dist);
		if (entry_point_script(lc, eps->items[i]->scalar, dist, paths, err) < 0)
			return -1;
	}
	return 0;
}

int et_link_package(const struct et_link_ctx *lc, const char *pkg_dir, const struct et_record *rec,
		    const char *dist, struct et_pkg_paths *paths, int *link_type,
		    struct nbk_error *err)
{
	size_t i, n;

	*link_type = lc->flags & ET_LINK_COPY ? 3 : 1;
	if (et_pkg_paths_read(pkg_dir, paths, err) < 0)
		return nbk_error_prefix(err, "package '%s'", dist);
	n = paths->n;
	for (i = 0; i < n; i++) {
		struct et_path *e = &paths->v[i];

		if (et_link_prefix_path(rec, lc->python_ver, e->path, &e->prefix_path, err) < 0)
			return -1;
		/* .pyc of noarch packages are for another python: conda skips them too */
		if (rec->noarch == ET_NOARCH_PYTHON && strstr(e->path, "__pycache__/")) {
			free(e->prefix_path);
			e->prefix_path = NULL;
			continue;
		}
		if (link_one(lc, pkg_dir, e, dist, link_type, err) < 0)
			return -1;
	}
	if (rec->noarch == ET_NOARCH_PYTHON && lc->python_ver &&
	    entry_points(lc, pkg_dir, dist, paths, err) < 0)
		return -1;
	return 0;
}

/* Output of a link script kept for its error message. */
#define SCRIPT_OUTPUT_MAX (64u << 10)

int et_link_run_script(const char *root, const char *prefix, const struct et_record *rec,
		       const char *action, struct nbk_buf *out, struct nbk_error *err)
{
	_cleanup_free_ char *script = nbk_xasprintf("%s/bin/.%s-%s.sh", root, rec->name, action);
	struct nbk_strvec env = NBK_STRVEC_INIT, argv = NBK_STRVEC_INIT;
	struct nbk_spawn_result res;
	struct nbk_buf said = NBK_BUF_INIT;
	extern char **environ;
	const char *path = getenv("PATH");
	char desc[128];
	char **e;
	int r = 0;

	if (access(script, F_OK) < 0)
		return 0;
	for (e = environ; *e; e++)
		nbk_strvec_push(&env, *e);
	nbk_env_set(&env, "PREFIX", prefix);
	nbk_env_set(&env, "ROOT_PREFIX", prefix);
	nbk_env_set(&env, "PKG_NAME", rec->name);
	nbk_env_set(&env, "PKG_VERSION", rec->version);
	snprintf(desc, sizeof(desc), "%ld", rec->build_number);
	nbk_env_set(&env, "PKG_BUILDNUM", desc);
	{
		_cleanup_free_ char *p =
			nbk_xasprintf("%s/bin:%s", prefix, path ? path : "/usr/bin:/bin");

		nbk_env_set(&env, "PATH", p);
	}
	/* conda keeps the script's output (and bash -x's trace) for when it fails */
	nbk_strvec_push(&argv, "/bin/bash");
	nbk_strvec_push(&argv, "-c");
	nbk_strvec_push(&argv, "exec /bin/bash -x \"$1\" 2>&1");
	nbk_strvec_push(&argv, "envtool-link-script");
	nbk_strvec_push(&argv, script);
	if (nbk_spawn_wait(argv.v, env.v, NBK_SPAWN_STDIN_NULL | NBK_SPAWN_CAPTURE_STDOUT, 0, 0,
			   &said, SCRIPT_OUTPUT_MAX, &res, err) < 0) {
		r = -1;
	} else if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0) {
		nbk_describe_status(res.status, desc, sizeof(desc));
		r = nbk_error_set(err, 0, "the %s script of '%s-%s-%s' failed (%s)", action,
				  rec->name, rec->version, rec->build, desc);
	}
	if (out && said.len) {
		nbk_buf_add(out, said.data, said.len);
		if (said.data[said.len - 1] != '\n')
			nbk_buf_addch(out, '\n');
	}
	nbk_buf_release(&said);
	nbk_strvec_release(&env);
	nbk_strvec_release(&argv);
	return r;
}

int et_unlink_files(const char *root, const struct nbk_strvec *files, const struct nbk_strvec *keep,
		    struct nbk_error *err)
{
	struct nbk_strvec dirs = NBK_STRVEC_INIT;
	size_t i;
	int r = 0;

	for (i = 0; i < files->n; i++) {
		_cleanup_free_ char *full = NULL;
		char *d;
		const char *rel = files->v[i];

		if (keep && nbk_strvec_find_sorted(keep, rel))
			continue;
		if (nbk_path_join_safe(root, rel, &full, err) < 0) {
			r = -1;
			break;
		}
		if (unlink(full) < 0 && errno != ENOENT) {
			if (errno == EISDIR || errno == EPERM) {
				if (rmdir(full) < 0 && errno != ENOTEMPTY && errno != EEXIST &&
				    errno != ENOENT) {
					r = nbk_error_set(err, errno, "cannot remove '%s'", full);
					break;
				}
			} else {
				r = nbk_error_set(err, errno, "cannot remove '%s'", full);
				break;
			}
		}
		/* every folder above it, up to root, may have become empty;
		 * neighbours share folders, so skip a repeat of the last one */
		for (d = nbk_path_dirname(rel); strcmp(d, ".") && strcmp(d, "/");) {
			char *up;

			if (dirs.n && !strcmp(dirs.v[dirs.n - 1], d)) {
				free(d);
				d = NULL;
				break;
			}
			nbk_strvec_push(&dirs, d);
			up = nbk_path_dirname(d);
			free(d);
			d = up;
		}
		free(d);
	}
	/* deepest first: a folder's descendants sort after it, so walk backwards */
	nbk_strvec_sort(&dirs);
	for (i = dirs.n; r == 0 && i > 0; i--) {
		_cleanup_free_ char *full = NULL;

		if (i < dirs.n && !strcmp(dirs.v[i - 1], dirs.v[i]))
			continue;
		full = nbk_xasprintf("%s/%s", root, dirs.v[i - 1]);
		(void)rmdir(full); /* ENOTEMPTY: someone's files are still there */
	}
	nbk_strvec_release(&dirs);
	return r;
}
