/* SPDX-License-Identifier: Apache-2.0 */
/* conda-meta, history and environments.txt: see prefix.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/conda_names.h"
#include "nbkit/fd.h"
#include "nbkit/json.h"
#include "nbkit/str.h"
#include "nbkit/path.h"
#include "nbkit/url.h"
#include "matchspec.h"
#include "prefix.h"

#define MAX_ENVS_FILE (16u << 20)

char *et_dist(const struct et_record *rec)
{
	return nbk_xasprintf("%s-%s-%s", rec->name, rec->version, rec->build);
}

/* A non-empty scalar of map, or NULL (conda: a missing or empty key is absent). */
static const char *scalar(const struct nbk_node *map, const char *key)
{
	const char *s = nbk_node_get_scalar(map, key);

	return s && *s ? s : NULL;
}

/* A list of non-empty scalars, or a string split on spaces and commas (track_features). */
static void str_list(const struct nbk_node *n, struct nbk_strvec *out)
{
	size_t i;

	if (!n)
		return;
	if (n->kind == NBK_NODE_SEQ) {
		for (i = 0; i < n->n; i++)
			if (n->items[i]->kind == NBK_NODE_SCALAR && *n->items[i]->scalar)
				nbk_strvec_push(out, n->items[i]->scalar);
	} else if (n->kind == NBK_NODE_SCALAR) {
		_cleanup_free_ char *copy = nbk_xstrdup(n->scalar);
		char *save = NULL, *tok;

		for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
			nbk_strvec_push(out, tok);
	}
}

/* A whole decimal number; 0 when absent or not one (conda's default). */
static uint64_t number(const char *s)
{
	uint64_t v;

	return s && nbk_parse_u64(s, &v) == 0 ? v : 0;
}

int et_record_from_node(const struct nbk_node *n, struct et_record *rec, struct nbk_error *err)
{
	struct et_record t;
	const char *name = scalar(n, "name"), *version = scalar(n, "version");
	const char *build = scalar(n, "build"), *noarch = scalar(n, "noarch");
	const struct nbk_node *na = nbk_node_get(n, "noarch");
	uint64_t ts;

	if (!build)
		build = scalar(n, "build_string");
	if (!name || !version)
		return nbk_error_set(err, 0, "a record without name or version");
	et_record_init(&t);
	t.name = (char *)name;
	t.version = (char *)version;
	/* conda's PrefixData reads a record without build: "" (docs/envtool.md) */
	if (build)
		t.build = (char *)build;
#define STR(field, key)                          \
	do {                                     \
		const char *v_ = scalar(n, key); \
		if (v_)                          \
			t.field = (char *)v_;    \
	} while (0)
	STR(subdir, "subdir");
	STR(fn, "fn");
	STR(url, "url");
	STR(channel, "channel");
	STR(md5, "md5");
	STR(sha256, "sha256");
	STR(license, "license");
	STR(license_family, "license_family");
#undef STR
	t.build_number = (long)number(scalar(n, "build_number"));
	t.size = number(scalar(n, "size"));
	ts = number(scalar(n, "timestamp"));
	t.timestamp_ms = ts && ts < 253402300799ULL ? ts * 1000 : ts;
	if (noarch && !strcmp(noarch, "python"))
		t.noarch = ET_NOARCH_PYTHON;
	else if (noarch && (!strcmp(noarch, "generic") || !strcmp(noarch, "true")))
		t.noarch = ET_NOARCH_GENERIC;
	else if (na && na->kind == NBK_NODE_MAP && scalar(na, "type"))
		t.noarch = !strcmp(scalar(na, "type"), "python") ? ET_NOARCH_PYTHON
								 : ET_NOARCH_GENERIC;
	str_list(nbk_node_get(n, "depends"), &t.depends);
	str_list(nbk_node_get(n, "constrains"), &t.constrains);
	str_list(nbk_node_get(n, "track_features"), &t.track_features);
	str_list(nbk_node_get(n, "features"), &t.features);
	et_record_copy(rec, &t);
	nbk_strvec_release(&t.depends);
	nbk_strvec_release(&t.constrains);
	nbk_strvec_release(&t.track_features);
	nbk_strvec_release(&t.features);
	/* its names become paths: conda-meta/DIST.json, PKGS/DIST */
	if (et_record_check_names(rec, err) < 0) {
		et_record_release(rec);
		return -1;
	}
	return 0;
}

bool et_prefix_is_env(const char *path)
{
	_cleanup_free_ char *m = nbk_xasprintf("%s/" ET_CONDA_META, path);
	struct stat st;

	return stat(m, &st) == 0 && S_ISDIR(st.st_mode);
}

bool et_prefix_is_made_env(const char *path)
{
	_cleanup_free_ char *m = nbk_xasprintf("%s/" ET_CONDA_META, path);
	_cleanup_free_ char *h = nbk_xasprintf("%s/history", m);
	struct dirent *de;
	struct stat st;
	bool made = false;
	DIR *d;

	if (lstat(h, &st) == 0 && S_ISREG(st.st_mode))
		return true;
	d = opendir(m);
	if (!d)
		return false;
	while (!made && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		made = de->d_name[0] != '.' && n > 5 && !strcmp(de->d_name + n - 5, ".json");
	}
	closedir(d);
	return made;
}

int et_env_name_check(const char *name, struct nbk_error *err)
{
	_cleanup_free_ char *shown = NULL;
	const char *why = NULL;

	if (!*name)
		why = "it is empty";
	else if (strlen(name) > ET_ENV_NAME_MAX)
		why = "longer than 200 bytes";
	else if (nbk_str_has_control(name))
		why = "it holds a control character";
	else if (strpbrk(name, "/ :#"))
		why = "'/', ' ', ':' and '#' are not allowed (give a path with -p)";
	else if (name[0] == '.')
		why = "it starts with '.'";
	if (!why)
		return 0;
	shown = nbk_printable(name);
	return nbk_error_set(err, 0, "invalid environment name '%s': %s", shown, why);
}

int et_prefix_path_check(const char *prefix, struct nbk_error *err)
{
	_cleanup_free_ char *shown = NULL;

	if (!nbk_str_has_control(prefix) && strlen(prefix) < PATH_MAX)
		return 0;
	shown = nbk_printable(prefix);
	return nbk_error_set(err, 0, "invalid prefix '%s': %s", shown,
			     nbk_str_has_control(prefix) ? "it holds a control character"
							 : "longer than PATH_MAX");
}

static int cmp_pkg(const void *a, const void *b)
{
	const struct et_prefix_pkg *x = a, *y = b;

	return strcmp(x->rec.name, y->rec.name);
}

int et_prefix_read_meta(const char *file, struct et_prefix_pkg *p, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	const char *base = strrchr(file, '/'), *rs;
	const struct nbk_node *files;
	size_t len;

	memset(p, 0, sizeof(*p));
	et_record_init(&p->rec);
	nbk_strvec_init(&p->files);
	base = base ? base + 1 : file;
	len = strlen(base);
	if (len > 5 && nbk_str_ends_with(base, ".json"))
		len -= 5;
	p->dist = nbk_xstrndup(base, len);
	p->requested_spec = nbk_xstrdup("");
	if (nbk_str_has_control(p->dist)) {
		_cleanup_free_ char *shown = nbk_printable(file);

		return nbk_error_set(
			err, 0, "'%s' is not a conda-meta record: a control character in its name",
			shown);
	}
	if (nbk_yaml_load_file(file, ET_META_MAX_SIZE, &root, err) < 0)
		return -1;
	if (root->kind != NBK_NODE_MAP)
		return nbk_error_set(err, 0, "'%s' is not a conda-meta record", file);
	if (et_record_from_node(root, &p->rec, err) < 0) {
		et_record_init(&p->rec);
		return nbk_error_prefix(err, "'%s' is not a conda-meta record", file);
	}
	rs = scalar(root, "requested_spec");
	if (rs) {
		free(p->requested_spec);
		p->requested_spec = nbk_xstrdup(rs);
	}
	files = nbk_node_get(root, "files");
	if (files && nbk_node_as_strvec(files, "files", &p->files, err) < 0)
		return nbk_error_prefix(err, "'%s' is not a conda-meta record", file);
	return 0;
}

void et_prefix_pkg_release(struct et_prefix_pkg *p)
{
	et_record_release(&p->rec);
	free(p->dist);
	free(p->requested_spec);
	nbk_strvec_release(&p->files);
}

int et_prefix_load(const char *prefix, struct et_prefix *out, struct nbk_error *err)
{
	_cleanup_free_ char *dir = nbk_xasprintf("%s/" ET_CONDA_META, prefix);
	struct dirent *de;
	size_t alloc = 0;
	DIR *d;
	int r = 0;

	out->v = NULL;
	out->n = 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : nbk_error_set(err, errno, "cannot read '%s'", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *file = NULL;

		if (de->d_name[0] == '.' || !nbk_str_ends_with(de->d_name, ".json"))
			continue;
		if (out->n == alloc) {
			alloc = alloc ? 2 * alloc : 32;
			out->v = nbk_xrealloc(out->v, alloc * sizeof(*out->v));
		}
		file = nbk_xasprintf("%s/%s", dir, de->d_name);
		if (et_prefix_read_meta(file, &out->v[out->n], err) < 0) {
			et_prefix_pkg_release(&out->v[out->n]);
			r = -1;
			break;
		}
		out->n++;
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_pkg);
	return r;
}

void et_prefix_records(const struct et_prefix *p, struct et_record **out, size_t *n)
{
	size_t i;

	*out = nbk_xcalloc(p->n + 1, sizeof(**out));
	for (i = 0; i < p->n; i++)
		et_record_copy(&(*out)[i], &p->v[i].rec);
	*n = p->n;
}

void et_prefix_records_free(struct et_record *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		et_record_release(&v[i]);
	free(v);
}

void et_prefix_release(struct et_prefix *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		et_prefix_pkg_release(&p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const struct et_prefix_pkg *et_prefix_find(const struct et_prefix *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].rec.name, name))
			return &p->v[i];
	return NULL;
}

static const char *path_type_name(enum et_path_type t)
{
	switch (t) {
	case ET_PATH_SOFTLINK:
		return "softlink";
	case ET_PATH_DIRECTORY:
		return "directory";
	case ET_PATH_ENTRY_POINT:
		return "unix_python_entry_point";
	default:
		return "hardlink";
	}
}

/*
 * conda writes the channel as CHANNEL_URL/SUBDIR: the URL without the file
 * name, and without credentials (auth.h), as every URL recorded here.
 */
static char *channel_of(const struct et_record *rec)
{
	_cleanup_free_ char *url = nbk_url_strip_credentials(rec->url);
	const char *slash = strrchr(url, '/');

	if (*url && slash)
		return nbk_xstrndup(url, (size_t)(slash - url));
	return nbk_xstrdup(rec->channel);
}

/* paths_data: what each file is, as conda records it. */
static void paths_data(struct nbk_json *w, const struct et_pkg_paths *paths)
{
	size_t i;

	nbk_json_object_begin(w);
	nbk_json_key(w, "paths");
	nbk_json_array_begin(w);
	for (i = 0; i < paths->n; i++) {
		const struct et_path *e = &paths->v[i];

		if (!e->prefix_path)
			continue;
		nbk_json_object_begin(w);
		nbk_json_key_string(w, "_path", e->prefix_path);
		if (e->placeholder)
			nbk_json_key_string(w, "file_mode",
					    e->mode == ET_FILE_MODE_BINARY ? "binary" : "text");
		if (e->no_link)
			nbk_json_key_bool(w, "no_link", true);
		nbk_json_key_string(w, "path_type", path_type_name(e->type));
		if (e->placeholder)
			nbk_json_key_string(w, "prefix_placeholder", e->placeholder);
		if (e->sha256 && *e->sha256) {
			nbk_json_key_string(w, "sha256", e->sha256);
			if (!e->rewritten)
				nbk_json_key_string(w, "sha256_in_prefix", e->sha256);
		}
		if (e->has_size)
			nbk_json_key_uint(w, "size_in_bytes", e->size);
		nbk_json_object_end(w);
	}
	nbk_json_array_end(w);
	nbk_json_key_int(w, "paths_version", 1);
	nbk_json_object_end(w);
}

/*
 * Write with w, the caller's writer, rec's on-disk JSON document (prefix.h
 * says which files use it), one whole object.  Takes rec and the optional
 * parts: pkg_dir (may be NULL: no extracted_package_dir,
 * package_tarball_full_path, and "" as link.source), paths (may be NULL: no
 * files, link or paths_data; entries without a prefix_path are left out),
 * link_type (written as link.type when paths is given) and requested_spec
 * (may be NULL).  Keys come in conda's sorted order; the writer escapes
 * every string.  Cannot fail (allocation failure aborts, as nbk_x* do);
 * reads its arguments only.
 */
void et_prefix_meta_json(struct nbk_json *w, const struct et_record *rec, const char *pkg_dir,
			 const struct et_pkg_paths *paths, int link_type,
			 const char *requested_spec)
{
	_cleanup_free_ char *channel = channel_of(rec);
	size_t i;

	/* keys in conda's (sorted) order, laid out as conda's json.dump(indent=2) */
	nbk_json_layout(w, NBK_JSON_PRETTY);
	nbk_json_object_begin(w);
	nbk_json_key_string(w, "build", rec->build);
	nbk_json_key_int(w, "build_number", rec->build_number);
	nbk_json_key_string(w, "channel", channel);
	nbk_json_key_strvec(w, "constrains", &rec->constrains);
	nbk_json_key_strvec(w, "depends", &rec->depends);
	if (pkg_dir)
		nbk_json_key_string(w, "extracted_package_dir", pkg_dir);
	if (rec->features.n)
		nbk_json_key_strvec(w, "features", &rec->features);
	if (paths) {
		nbk_json_key(w, "files");
		nbk_json_array_begin(w);
		for (i = 0; i < paths->n; i++)
			if (paths->v[i].prefix_path)
				nbk_json_string(w, paths->v[i].prefix_path);
		nbk_json_array_end(w);
	}
	nbk_json_key_string(w, "fn", rec->fn);
	nbk_json_key_string(w, "license", rec->license);
	if (*rec->license_family)
		nbk_json_key_string(w, "license_family", rec->license_family);
	if (paths) {
		nbk_json_key(w, "link");
		nbk_json_object_begin(w);
		nbk_json_key_string(w, "source", pkg_dir ? pkg_dir : "");
		nbk_json_key_int(w, "type", link_type);
		nbk_json_object_end(w);
	}
	nbk_json_key_string(w, "md5", rec->md5);
	nbk_json_key_string(w, "name", rec->name);
	if (rec->noarch != ET_NOARCH_NONE)
		nbk_json_key_string(w, "noarch",
				    rec->noarch == ET_NOARCH_PYTHON ? "python" : "generic");
	if (pkg_dir && *rec->fn) {
		_cleanup_free_ char *dir = nbk_path_dirname(pkg_dir);
		_cleanup_free_ char *t = nbk_xasprintf("%s/%s", dir, rec->fn);

		nbk_json_key_string(w, "package_tarball_full_path", t);
	}
	if (rec->noarch == ET_NOARCH_PYTHON)
		nbk_json_key_string(w, "package_type", "noarch_python");
	if (paths) {
		nbk_json_key(w, "paths_data");
		paths_data(w, paths);
	}
	if (requested_spec)
		nbk_json_key_string(w, "requested_spec", requested_spec);
	nbk_json_key_string(w, "sha256", rec->sha256);
	nbk_json_key_uint(w, "size", rec->size);
	nbk_json_key_string(w, "subdir", rec->subdir);
	if (rec->timestamp_ms)
		nbk_json_key_uint(w, "timestamp", rec->timestamp_ms);
	if (rec->track_features.n) {
		/* conda: one string, space-separated */
		_cleanup_buf_ struct nbk_buf tf = NBK_BUF_INIT;

		for (i = 0; i < rec->track_features.n; i++)
			nbk_buf_addf(&tf, "%s%s", i ? " " : "", rec->track_features.v[i]);
		nbk_json_key_string(w, "track_features", tf.data);
	}
	{
		_cleanup_free_ char *url = nbk_url_strip_credentials(rec->url);

		nbk_json_key_string(w, "url", url);
	}
	nbk_json_key_string(w, "version", rec->version);
	nbk_json_object_end(w);
}

int et_prefix_write_meta(const char *root, const struct et_record *rec, const char *pkg_dir,
			 const struct et_pkg_paths *paths, int link_type,
			 const char *requested_spec, struct nbk_error *err)
{
	_cleanup_free_ char *dist = et_dist(rec);
	_cleanup_free_ char *dir = nbk_xasprintf("%s/" ET_CONDA_META, root);
	_cleanup_free_ char *file = nbk_xasprintf("%s/%s.json", dir, dist);
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_json w;
	int r;

	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0)
		return -1;
	nbk_json_init(&w, &b, NBK_JSON_PRETTY);
	et_prefix_meta_json(&w, rec, pkg_dir, paths, link_type, requested_spec);
	nbk_buf_addch(&b, '\n');
	r = nbk_write_file_atomic(file, b.data, b.len, 0644, (uid_t)-1, (gid_t)-1, err);
	nbk_buf_release(&b);
	return r;
}

char *et_prefix_history_cmd(void)
{
	struct nbk_buf b = NBK_BUF_INIT, out = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	if (nbk_read_file("/proc/self/cmdline", 1u << 16, &b, &err) < 0 || !b.len) {
		nbk_buf_release(&b);
		return nbk_xstrdup("envtool");
	}
	/*
	 * The arguments are NUL-terminated: each one escaped, one space
	 * between, a channel URL's credentials masked (auth.h).
	 */
	for (i = 0; i < b.len; i += strlen(b.data + i) + 1) {
		_cleanup_free_ char *arg = nbk_url_redact(b.data + i);

		if (i)
			nbk_buf_addch(&out, ' ');
		nbk_buf_add_escaped(&out, arg);
	}
	nbk_buf_release(&b);
	return nbk_buf_detach(&out, NULL);
}

static void history_rec(struct nbk_buf *b, char sign, const struct et_record *rec)
{
	nbk_buf_addf(b, "%c%s::%s-%s-%s\n", sign, *rec->channel ? rec->channel : "<unknown>",
		     rec->name, rec->version, rec->build);
}

int et_prefix_history(const char *root, const char *cmd, const struct et_record *const *removed,
		      size_t nremoved, const struct et_record *const *added, size_t nadded,
		      const char *specs_kind, const struct nbk_strvec *specs, struct nbk_error *err)
{
	_cleanup_free_ char *dir = nbk_xasprintf("%s/" ET_CONDA_META, root);
	_cleanup_free_ char *file = nbk_xasprintf("%s/history", dir);
	struct nbk_buf b = NBK_BUF_INIT;
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int fd, r = 0;

	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0)
		return -1;
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	nbk_buf_addf(&b, "==> %s <==\n# cmd: %s\n# conda version: 23.11.0\n", when, cmd);
	for (i = 0; i < nremoved; i++)
		history_rec(&b, '-', removed[i]);
	for (i = 0; i < nadded; i++)
		history_rec(&b, '+', added[i]);
	if (specs_kind && specs && specs->n) {
		/* conda's line: the specs as a list, ["a", "b"]; a channel's credentials masked */
		struct nbk_strvec shown = NBK_STRVEC_INIT;
		struct nbk_json w;

		for (i = 0; i < specs->n; i++) {
			char *s = nbk_url_redact(specs->v[i]);

			nbk_strvec_push(&shown, s);
			free(s);
		}
		nbk_buf_addf(&b, "# %s specs: ", specs_kind);
		nbk_json_init(&w, &b, NBK_JSON_LINE);
		nbk_json_strvec(&w, &shown);
		nbk_buf_addch(&b, '\n');
		nbk_strvec_release(&shown);
	}
	fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = nbk_error_set(err, errno, "cannot open '%s'", file);
	} else {
		if (nbk_write_all(fd, b.data, b.len) < 0)
			r = nbk_error_set(err, errno, "cannot write '%s'", file);
		if (close(fd) < 0 && r == 0)
			r = nbk_error_set(err, errno, "cannot write '%s'", file);
	}
	nbk_buf_release(&b);
	return r;
}

static char *envs_file(struct nbk_error *err)
{
	const char *home = getenv("HOME");

	if (!home || !*home) {
		nbk_error_set(err, 0,
			      "HOME is not set: cannot find ~/" NBK_CONDA_ROOT_DIR
			      "/environments.txt");
		return NULL;
	}
	return nbk_xasprintf("%s/" NBK_CONDA_ROOT_DIR "/environments.txt", home);
}

int et_environments_read(struct nbk_strvec *out, struct nbk_error *err)
{
	_cleanup_free_ char *file = envs_file(err);
	struct nbk_buf b = NBK_BUF_INIT;
	char *s, *line;

	if (!file)
		return -1;
	if (access(file, F_OK) < 0)
		return 0;
	if (nbk_read_file(file, MAX_ENVS_FILE, &b, err) < 0)
		return -1;
	for (s = b.data; (line = strsep(&s, "\n"));) {
		size_t n = strlen(line);

		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		if (*line && nbk_strvec_find(out, line) < 0)
			nbk_strvec_push(out, line);
	}
	nbk_buf_release(&b);
	return 0;
}

static int envs_write(const char *file, const struct nbk_strvec *lines, struct nbk_error *err)
{
	struct nbk_buf b = NBK_BUF_INIT;
	_cleanup_free_ char *dir = nbk_path_dirname(file);
	size_t i;
	int r;

	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0)
		return -1;
	for (i = 0; i < lines->n; i++)
		nbk_buf_addf(&b, "%s\n", lines->v[i]);
	r = nbk_write_file_atomic(file, b.data, b.len, 0644, (uid_t)-1, (gid_t)-1, err);
	nbk_buf_release(&b);
	return r;
}

int et_environments_add(const char *prefix, struct nbk_error *err)
{
	_cleanup_free_ char *file = envs_file(err);
	_cleanup_strvec_ struct nbk_strvec lines = NBK_STRVEC_INIT;

	if (!file || et_environments_read(&lines, err) < 0)
		return -1;
	/* one environment a line: a newline in prefix would add another */
	if (et_prefix_path_check(prefix, err) < 0)
		return -1;
	if (nbk_strvec_find(&lines, prefix) >= 0)
		return 0;
	nbk_strvec_push(&lines, prefix);
	return envs_write(file, &lines, err);
}

int et_environments_remove(const char *prefix, struct nbk_error *err)
{
	_cleanup_free_ char *file = envs_file(err);
	_cleanup_strvec_ struct nbk_strvec lines = NBK_STRVEC_INIT;
	long i;

	if (!file || et_environments_read(&lines, err) < 0)
		return -1;
	i = nbk_strvec_find(&lines, prefix);
	if (i < 0)
		return 0;
	nbk_strvec_remove(&lines, (size_t)i);
	return envs_write(file, &lines, err);
}

/* The "lib/pythonX.Y/site-packages/NAME.dist-info" part of a record's file, or NULL. */
static char *dist_info_of(const char *file)
{
	const char *sp = strstr(file, "/site-packages/");
	const char *di = sp ? strstr(sp, ".dist-info/") : NULL;

	if (!di || strncmp(file, "lib/python", 10))
		return NULL;
	return nbk_xstrndup(file, (size_t)(di - file) + strlen(".dist-info"));
}

/* Name and Version of a METADATA file (RFC 822 headers, up to the first blank line). */
static int read_metadata(const char *file, char **name, char **version)
{
	_cleanup_buf_ struct nbk_buf text = NBK_BUF_INIT;
	const char *p, *nl;

	*name = *version = NULL;
	if (nbk_read_file(file, 1024 * 1024, &text, NULL) < 0 || !text.data)
		return -1;
	for (p = text.data; *p && *p != '\n'; p = *nl ? nl + 1 : nl) {
		size_t len;

		nl = strchrnul(p, '\n');
		len = (size_t)(nl - p);
		if (len && p[len - 1] == '\r')
			len--;
		if (!*name && len > 6 && !strncmp(p, "Name: ", 6))
			*name = nbk_xstrndup(p + 6, len - 6);
		else if (!*version && len > 9 && !strncmp(p, "Version: ", 9))
			*version = nbk_xstrndup(p + 9, len - 9);
	}
	if (*name && *version && !nbk_str_has_control(*name) && !nbk_str_has_control(*version))
		return 0;
	free(*name);
	free(*version);
	*name = *version = NULL;
	return -1;
}

static int cmp_pip(const void *a, const void *b)
{
	return strcasecmp(((const struct et_pip_pkg *)a)->name,
			  ((const struct et_pip_pkg *)b)->name);
}

void et_prefix_pip(const char *prefix, const struct et_prefix *p, struct et_pip_pkg **out,
		   size_t *n)
{
	static const char *const dist_info[] = { ".dist-info", NULL };
	_cleanup_strvec_ struct nbk_strvec owned = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec libs = NBK_STRVEC_INIT;
	_cleanup_free_ char *lib = nbk_xasprintf("%s/lib", prefix);
	size_t i, j, alloc = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < p->n; i++)
		for (j = 0; j < p->v[i].files.n; j++) {
			char *d = dist_info_of(p->v[i].files.v[j]);

			if (d && nbk_strvec_find(&owned, d) < 0)
				nbk_strvec_push_owned(&owned, d);
			else
				free(d);
		}
	nbk_strvec_sort(&owned);
	if (nbk_dir_names(lib, NULL, &libs, NULL) != 0)
		return;
	for (i = 0; i < libs.n; i++) {
		_cleanup_free_ char *site = NULL;
		_cleanup_strvec_ struct nbk_strvec infos = NBK_STRVEC_INIT;

		if (strncmp(libs.v[i], "python", 6))
			continue;
		site = nbk_xasprintf("%s/%s/site-packages", lib, libs.v[i]);
		if (nbk_dir_names(site, dist_info, &infos, NULL) != 0)
			continue;
		for (j = 0; j < infos.n; j++) {
			_cleanup_free_ char *rel =
				nbk_xasprintf("lib/%s/site-packages/%s", libs.v[i], infos.v[j]);
			_cleanup_free_ char *meta = NULL;

			if (nbk_strvec_find_sorted(&owned, rel))
				continue;
			meta = nbk_xasprintf("%s/%s/METADATA", site, infos.v[j]);
			if (*n == alloc) {
				alloc = alloc ? 2 * alloc : 8;
				*out = nbk_xrealloc(*out, alloc * sizeof(**out));
			}
			if (read_metadata(meta, &(*out)[*n].name, &(*out)[*n].version) == 0)
				(*n)++;
		}
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_pip);
}

void et_pip_pkgs_free(struct et_pip_pkg *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].version);
	}
	free(v);
}

/* The quoted items of a history specs list, ['a', "b"], appended to out. */
static void history_list(const char *p, struct nbk_strvec *out)
{
	while ((p = strpbrk(p, "'\""))) {
		char q = *p++;
		struct nbk_buf b = NBK_BUF_INIT;

		for (; *p && *p != q; p++) {
			if (*p == '\\' && p[1])
				p++;
			nbk_buf_addch(&b, *p);
		}
		if (!*p) {
			nbk_buf_release(&b);
			return;
		}
		p++;
		nbk_strvec_push_owned(out, nbk_buf_detach(&b, NULL));
	}
}

/* The package name a spec is about ("numpy" of "conda-forge::numpy >=1.2"), or NULL. */
static char *spec_name(const char *spec)
{
	struct et_matchspec *ms;
	char *name;

	if (et_matchspec_parse(spec, &ms, NULL) < 0)
		return NULL;
	name = ms->name && !strpbrk(ms->name, "*") ? nbk_xstrdup(ms->name) : NULL;
	et_matchspec_free(ms);
	return name;
}

void et_prefix_requested(const char *root, struct nbk_strvec *specs, struct nbk_strvec *out_names)
{
	_cleanup_free_ char *file = nbk_xasprintf("%s/" ET_CONDA_META "/history", root);
	_cleanup_buf_ struct nbk_buf text = NBK_BUF_INIT;
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec asked = NBK_STRVEC_INIT;
	const char *p, *nl;
	size_t i;

	if (nbk_read_file(file, ET_META_MAX_SIZE, &text, NULL) < 0 || !text.data)
		return;
	for (p = text.data; *p; p = *nl ? nl + 1 : nl) {
		_cleanup_strvec_ struct nbk_strvec items = NBK_STRVEC_INIT;
		_cleanup_free_ char *line = NULL;
		const char *kind, *colon;
		bool remove;

		nl = strchrnul(p, '\n');
		if (strncmp(p, "# ", 2) || !(colon = memmem(p, (size_t)(nl - p), " specs: ", 8)))
			continue;
		kind = p + 2;
		remove = !strncmp(kind, "remove specs", 12);
		if (!remove && strncmp(kind, "install specs", 13) &&
		    strncmp(kind, "update specs", 12) && strncmp(kind, "create specs", 12))
			continue;
		line = nbk_xstrndup(colon + 8, (size_t)(nl - colon - 8));
		history_list(line, &items);
		for (i = 0; i < items.n; i++) {
			_cleanup_free_ char *name = spec_name(items.v[i]);
			long at;

			if (!name)
				continue;
			at = nbk_strvec_find(&names, name);
			if (remove) {
				if (at >= 0) {
					nbk_strvec_remove(&names, (size_t)at);
					nbk_strvec_remove(&asked, (size_t)at);
				}
			} else if (at >= 0) {
				free(asked.v[at]);
				asked.v[at] = nbk_xstrdup(items.v[i]);
			} else {
				nbk_strvec_push(&names, name);
				nbk_strvec_push(&asked, items.v[i]);
			}
		}
	}
	for (i = 0; i < asked.n; i++) {
		nbk_strvec_push(specs, asked.v[i]);
		if (out_names)
			nbk_strvec_push(out_names, names.v[i]);
	}
}

void et_prefix_pinned(const char *root, struct nbk_strvec *pins)
{
	_cleanup_free_ char *file = nbk_xasprintf("%s/" ET_CONDA_META "/pinned", root);
	_cleanup_buf_ struct nbk_buf text = NBK_BUF_INIT;
	const char *p, *nl;

	if (nbk_read_file(file, ET_META_MAX_SIZE, &text, NULL) < 0 || !text.data)
		return;
	for (p = text.data; *p; p = *nl ? nl + 1 : nl) {
		const char *s = p, *e;

		nl = strchrnul(p, '\n');
		e = nl;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (s < e && *s != '#')
			nbk_strvec_push_owned(pins, nbk_xstrndup(s, (size_t)(e - s)));
	}
}

int et_prefix_check_writable(const char *prefix, struct nbk_error *err)
{
	_cleanup_free_ char *meta = nbk_xasprintf("%s/" ET_CONDA_META, prefix);

	if (access(meta, W_OK) == 0 || (errno != EACCES && errno != EROFS && errno != EPERM))
		return 0;
	return nbk_error_set(err, errno,
			     "environment '%s' is read-only here (a shared environment?): make "
			     "your own copy with 'envtool create --clone %s -n NAME'",
			     prefix, prefix);
}
