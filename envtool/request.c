/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbkit/yaml.h"
#include "apply.h"
#include "channel.h"
#include "envs.h"
#include "target.h"
#include "index.h"
#include "install.h"
#include "matchspec.h"
#include "prefix.h"
#include "record.h"
#include "print.h"
#include "request.h"
#include "solve.h"
#include "transaction.h"
#include "virtual.h"

/* Largest environment file read. */
#define ENV_FILE_MAX (4u * 1024 * 1024)

void et_request_init(struct et_request *r, enum et_request_kind kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	nbk_strvec_init(&r->specs);
	nbk_strvec_init(&r->channels);
	nbk_strvec_init(&r->pip);
}

void et_request_release(struct et_request *r)
{
	nbk_strvec_release(&r->specs);
	nbk_strvec_release(&r->channels);
	nbk_strvec_release(&r->pip);
	free(r->pip_dir);
	for (size_t i = 0; i < r->nexplicit; i++)
		et_record_release(&r->explicit_recs[i]);
	free(r->explicit_recs);
	free(r->name);
	r->name = NULL;
	r->pip_dir = NULL;
	r->explicit_recs = NULL;
	r->nexplicit = 0;
}

/* ---- @EXPLICIT files ------------------------------------------------------ */

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return s[n] == '\0';
}

/*
 * One URL line of an @EXPLICIT file into rec: name, version and build from
 * the file name (conda's NAME-VERSION-BUILD.conda|.tar.bz2), channel and
 * subdir from the URL, the checksum from the fragment.
 */
static int explicit_record(const char *line, struct et_record *rec, struct nbk_error *err)
{
	_cleanup_free_ char *url = nbk_xstrdup(line), *dist = NULL, *chan = NULL;
	char *hash = strchr(url, '#'), *fn, *sub, *b, *v;
	size_t len;

	if (hash)
		*hash++ = '\0';
	if (!strstr(url, "://") && url[0] != '/')
		return nbk_error_set(err, 0, "'%s' is not a package URL", line);
	fn = strrchr(url, '/');
	if (!fn || !fn[1])
		return nbk_error_set(err, 0, "'%s' is not a package URL", line);
	fn++;
	len = et_record_fn_stem(fn);
	if (!len)
		return nbk_error_set(err, 0, "'%s': not a .conda or .tar.bz2 package", line);
	dist = nbk_xstrndup(fn, len);
	b = strrchr(dist, '-');
	if (!b || b == dist)
		return nbk_error_set(err, 0, "'%s': the file name is not NAME-VERSION-BUILD", line);
	*b++ = '\0';
	v = strrchr(dist, '-');
	if (!v || v == dist || !*b || !v[1])
		return nbk_error_set(err, 0, "'%s': the file name is not NAME-VERSION-BUILD", line);
	*v++ = '\0';
	if (hash && !((strlen(hash) == 64 && all_hex(hash, 64)) ||
		      (strlen(hash) == 32 && all_hex(hash, 32))))
		return nbk_error_set(err, 0, "'%s': '#%s' is neither a sha256 nor an md5", line,
				     hash);
	chan = nbk_xstrndup(url, (size_t)(fn - 1 - url));
	sub = strrchr(chan, '/');
	et_record_init(rec);
	rec->name = nbk_xstrdup(dist);
	rec->version = nbk_xstrdup(v);
	rec->build = nbk_xstrdup(b);
	rec->fn = nbk_xstrdup(fn);
	rec->url = nbk_xstrdup(url);
	if (sub) {
		rec->subdir = nbk_xstrdup(sub + 1);
		*sub = '\0';
	}
	rec->channel = nbk_xstrdup(chan);
	if (hash && strlen(hash) == 64) {
		rec->sha256 = nbk_xstrdup(hash);
	} else if (hash) {
		rec->md5 = nbk_xstrdup(hash);
	}
	/* the file name becomes a path in the package cache */
	if (et_record_check_names(rec, err) < 0) {
		et_record_release(rec);
		return -1;
	}
	return 0;
}

/* Is text an @EXPLICIT file (its first line that is not blank or a comment)? */
static bool is_explicit(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchrnul(p, '\n');

		while (p < nl && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < nl && *p != '#')
			return !strncmp(p, "@EXPLICIT", 9);
		p = *nl ? nl + 1 : nl;
	}
	return false;
}

static int read_explicit(struct et_request *r, const char *path, const char *text,
			 struct nbk_error *err)
{
	const char *p = text;
	size_t lineno = 0, alloc = 0;

	r->explicit_ = true;
	while (*p) {
		const char *nl = strchrnul(p, '\n'), *e = nl;
		_cleanup_free_ char *line = NULL;

		lineno++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		line = nbk_xstrndup(p, (size_t)(e - p));
		p = *nl ? nl + 1 : nl;
		if (!*line || line[0] == '#' || !strcmp(line, "@EXPLICIT"))
			continue;
		if (r->nexplicit == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			r->explicit_recs =
				nbk_xrealloc(r->explicit_recs, alloc * sizeof(*r->explicit_recs));
		}
		if (explicit_record(line, &r->explicit_recs[r->nexplicit], err) < 0)
			return nbk_error_prefix(err, "'%s', line %zu", path, lineno);
		r->nexplicit++;
	}
	if (!r->nexplicit)
		return nbk_error_set(err, 0, "'%s': an @EXPLICIT file without packages", path);
	return 0;
}

/*
 * Read the environment file at path (at most ENV_FILE_MAX bytes) into r,
 * an et_request_init()ed request (request.h has the caller's view): an
 * @EXPLICIT lock file goes to read_explicit(); otherwise YAML, whose name
 * replaces r->name, whose channels are appended to r->channels (no
 * duplicates), whose dependencies are appended to r->specs, and whose pip:
 * list goes to r->pip with r->pip_dir the file's folder.  r owns what is
 * added (et_request_release()).  Returns 0, or -1 with err naming the file
 * and position: unreadable, not YAML, not a mapping, a value of the wrong
 * kind; r then holds what was read before the error.
 */
int et_request_read_file(struct et_request *r, const char *path, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	const struct nbk_node *v;
	size_t i;

	{
		struct nbk_buf text = NBK_BUF_INIT;
		int rc = 0;
		bool expl;

		if (nbk_read_file(path, ENV_FILE_MAX, &text, err) < 0)
			return -1;
		expl = text.len && is_explicit(text.data);
		if (expl)
			rc = read_explicit(r, path, text.data, err);
		nbk_buf_release(&text);
		if (expl)
			return rc;
	}
	if (nbk_yaml_load_file(path, ENV_FILE_MAX, &root, err) < 0)
		return -1;
	if (root->kind != NBK_NODE_MAP)
		return nbk_error_set(
			err, 0,
			"'%s' is not an environment file (expected name, channels, dependencies)",
			path);
	if ((v = nbk_node_get(root, "name")) && v->kind == NBK_NODE_SCALAR && *v->scalar) {
		free(r->name);
		r->name = nbk_xstrdup(v->scalar);
	}
	if ((v = nbk_node_get(root, "channels")) && v->kind != NBK_NODE_NULL) {
		if (v->kind != NBK_NODE_SEQ)
			return nbk_node_error(v, err, "channels", "expected a list of channels");
		for (i = 0; i < v->n; i++) {
			if (v->items[i]->kind != NBK_NODE_SCALAR)
				return nbk_node_error(v->items[i], err, "channels",
						      "expected a channel name or URL");
			if (nbk_strvec_find(&r->channels, v->items[i]->scalar) < 0)
				nbk_strvec_push(&r->channels, v->items[i]->scalar);
		}
	}
	if ((v = nbk_node_get(root, "dependencies")) && v->kind != NBK_NODE_NULL) {
		if (v->kind != NBK_NODE_SEQ)
			return nbk_node_error(v, err, "dependencies", "expected a list of specs");
		for (i = 0; i < v->n; i++) {
			const struct nbk_node *d = v->items[i];

			if (d->kind == NBK_NODE_SCALAR) {
				nbk_strvec_push(&r->specs, d->scalar);
			} else if (d->kind == NBK_NODE_MAP && nbk_node_get(d, "pip")) {
				if (nbk_node_as_strvec(nbk_node_get(d, "pip"), "pip", &r->pip,
						       err) < 0)
					return -1;
				free(r->pip_dir);
				r->pip_dir = nbk_path_dirname(path);
			} else {
				return nbk_node_error(d, err, "dependencies",
						      "expected a spec or a pip: list");
			}
		}
	}
	return 0;
}

/* ---- the package cache --------------------------------------------------- */

/* Is rec already in one of the package caches (extracted folder or archive)? */
static bool in_pkgs_dirs(const struct et_config *cfg, const struct et_record *rec)
{
	_cleanup_free_ char *dist = NULL;
	size_t i, stem = et_record_fn_stem(rec->fn);
	struct stat st;

	if (!*rec->fn || strchr(rec->fn, '/') || rec->fn[0] == '.')
		return false;
	dist = stem ? nbk_xstrndup(rec->fn, stem) : nbk_xstrdup(rec->fn);
	for (i = 0; i < cfg->pkgs_dirs.n; i++) {
		_cleanup_free_ char *dir = nbk_xasprintf("%s/%s/info", cfg->pkgs_dirs.v[i], dist);
		_cleanup_free_ char *arc = nbk_xasprintf("%s/%s", cfg->pkgs_dirs.v[i], rec->fn);

		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return true;
		if (stat(arc, &st) == 0 && S_ISREG(st.st_mode) &&
		    (!rec->size || (uint64_t)st.st_size == rec->size))
			return true;
	}
	return false;
}

/* ---- output -------------------------------------------------------------- */

static void print_json(const char *prefix, const struct et_solution *t,
		       const struct et_record *const *fetch, size_t nfetch, bool dry_run)
{
	const struct et_print_list lists[] = {
		{ "FETCH", fetch, nfetch },
		{ "LINK", t->link, t->nlink },
		{ "UNLINK", t->unlink, t->nunlink },
	};

	et_print_actions_json(prefix, lists, 3, dry_run);
}

static void print_problem_json(const char *prefix, const char *problem, bool dry_run)
{
	_cleanup_free_ char *msg = nbk_xasprintf("the request cannot be solved:\n%s", problem);
	struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_json w;
	const char *p = problem, *nl;

	nbk_json_init(&w, &out, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	nbk_json_key_bool(&w, "dry_run", dry_run);
	nbk_json_key_string(&w, "message", msg);
	nbk_json_key_string(&w, "prefix", prefix);
	nbk_json_key(&w, "solver_problems");
	nbk_json_array_begin(&w);
	for (; *p; p = *nl ? nl + 1 : nl) {
		_cleanup_free_ char *line = NULL;
		const char *s = p;

		nl = strchrnul(p, '\n');
		while (s < nl && (*s == ' ' || *s == '-'))
			s++;
		if (s == nl)
			continue;
		line = nbk_xstrndup(s, (size_t)(nl - s));
		nbk_json_string(&w, line);
	}
	nbk_json_array_end(&w);
	nbk_json_key_bool(&w, "success", false);
	nbk_json_object_end(&w);
	nbk_buf_addch(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	nbk_buf_release(&out);
}

struct row {
	const struct et_record *rec;
	char op; /* '+' link, '-' unlink */
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->rec->name, y->rec->name);

	if (c)
		return c;
	return x->op == y->op ? 0 : x->op == '-' ? -1 : 1;
}

static void print_human(const char *prefix, const struct et_solution *t, size_t nfetch,
			uint64_t download, bool dry_run)
{
	size_t n = t->nlink + t->nunlink, i, k;
	struct row *rows = nbk_xcalloc(n ? n : 1, sizeof(*rows));
	char(*sizes)[NBK_HUMAN_SIZE_MAX] = nbk_xcalloc(n ? n : 1, sizeof(*sizes));
	const char **cells = nbk_xcalloc((n + 1) * 6, sizeof(*cells));
	char total[NBK_HUMAN_SIZE_MAX];

	printf("Environment: %s\n\n", prefix);
	if (!n) {
		printf("All requested packages are already installed: nothing to do.\n");
		goto out;
	}
	for (i = 0; i < t->nunlink; i++)
		rows[i] = (struct row){ t->unlink[i], '-' };
	for (i = 0; i < t->nlink; i++)
		rows[t->nunlink + i] = (struct row){ t->link[i], '+' };
	qsort(rows, n, sizeof(*rows), row_cmp);
	cells[0] = "";
	cells[1] = "Package";
	cells[2] = "Version";
	cells[3] = "Build";
	cells[4] = "Channel";
	cells[5] = "Size";
	for (i = 0; i < n; i++) {
		k = (i + 1) * 6;
		nbk_human_size(rows[i].rec->size, sizes[i]);
		cells[k + 0] = rows[i].op == '+' ? "+" : "-";
		cells[k + 1] = rows[i].rec->name;
		cells[k + 2] = rows[i].rec->version;
		cells[k + 3] = rows[i].rec->build;
		cells[k + 4] = rows[i].rec->channel;
		cells[k + 5] = rows[i].op == '+' ? sizes[i] : "";
	}
	et_print_table(cells, n + 1, 6);
	nbk_human_size(download, total);
	printf("\nSummary: %zu to install, %zu to remove, %zu to download (%s)\n", t->nlink,
	       t->nunlink, nfetch, total);
out:
	if (dry_run)
		printf("Dry run: nothing was changed.\n");
	free(rows);
	free(sizes);
	free(cells);
}

/* ---- pip ------------------------------------------------------------------ */

/*
 * An environment file's pip: entries, installed as conda does: the new
 * environment's python -m pip install -U -r REQUIREMENTS, from the file's
 * folder (relative paths in the entries are the file's), with the
 * environment's bin first on PATH.  pip's own output goes to stderr.  A
 * failure leaves the environment (conda too) and is exit 1.
 */
static int run_pip(struct et_ctx *ctx, const char *prefix, const struct et_request *r)
{
	_cleanup_free_ char *python = nbk_xasprintf("%s/bin/python", prefix);
	_cleanup_free_ char *path = NULL, *req = NULL, *dir = NULL;
	struct nbk_strvec argv = NBK_STRVEC_INIT, env = NBK_STRVEC_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_buf text = NBK_BUF_INIT;
	struct nbk_spawn_result res;
	const char *tmpdir = getenv("TMPDIR");
	extern char **environ;
	char desc[128], **e;
	size_t i;
	int fd, ret = ET_EXIT_FAIL;

	if (access(python, X_OK) < 0) {
		nbk_error(
			"the environment file has a pip: section, but '%s' has no python to run pip with "
			"(add python and pip to its dependencies)",
			prefix);
		return ET_EXIT_FAIL;
	}
	for (i = 0; i < r->pip.n; i++)
		nbk_buf_addf(&text, "%s\n", r->pip.v[i]);
	req = nbk_xasprintf("%s/envtool-pip-XXXXXX.txt", tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemps(req, 4);
	if (fd < 0 || write(fd, text.data, text.len) != (ssize_t)text.len) {
		nbk_error("cannot write '%s': %s", req, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	for (e = environ; *e; e++)
		nbk_strvec_push(&env, *e);
	path = nbk_xasprintf("%s/bin:%s", prefix,
			     getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	nbk_env_set(&env, "PATH", path);
	nbk_env_set(&env, ET_ENV_CONDA_PREFIX, prefix);
	nbk_strvec_push(&argv, "/bin/sh");
	nbk_strvec_push(&argv, "-c");
	/* pip's output is not ours: stderr, so that --json stays one document */
	nbk_strvec_push(&argv, "cd \"$1\" && exec \"$2\" -m pip install -U -r \"$3\" 1>&2");
	nbk_strvec_push(&argv, "envtool-pip");
	dir = r->pip_dir ? nbk_xstrdup(r->pip_dir) : nbk_xstrdup(".");
	nbk_strvec_push(&argv, dir);
	nbk_strvec_push(&argv, python);
	nbk_strvec_push(&argv, req);
	if (!ctx->opts.quiet && !ctx->opts.json)
		fprintf(stderr, "Installing the pip: packages with '%s -m pip'\n", python);
	if (nbk_spawn_wait(argv.v, env.v, NBK_SPAWN_STDIN_NULL, 0, 0, NULL, 0, &res, &err) < 0) {
		nbk_error("cannot run pip: %s", err.msg);
		goto out;
	}
	if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0) {
		nbk_describe_status(res.status, desc, sizeof(desc));
		nbk_error(
			"pip failed (%s): the environment '%s' is there, without the packages of its pip: section",
			desc, prefix);
		goto out;
	}
	ret = ET_EXIT_OK;
out:
	if (req)
		unlink(req);
	nbk_buf_release(&text);
	nbk_strvec_release(&argv);
	nbk_strvec_release(&env);
	return ret;
}

/* ---- solving ------------------------------------------------------------- */

struct resolver {
	const struct et_config *cfg;
};

static int resolve_channel(const char *channel, void *data, struct nbk_strvec *urls)
{
	const struct resolver *rs = data;

	return et_channel_spec_urls(rs->cfg, channel, urls, NULL);
}

/* An installed record's channel ("https://conda.anaconda.org/conda-forge/") by its short name. */
static void canonical_channel(const struct et_config *cfg, struct et_record *r)
{
	struct et_channel ch;

	if (!*r->channel || strcmp(r->channel, "@") == 0)
		return;
	if (et_channel_parse(cfg, r->channel, cfg->platform, &ch, NULL) == 0) {
		free(r->channel);
		r->channel = nbk_steal_pointer(&ch.name);
	}
	et_channel_release(&ch);
}

static enum et_channel_priority priority_of(const char *s)
{
	if (s && !strcmp(s, "flexible"))
		return ET_PRIORITY_FLEXIBLE;
	if (s && !strcmp(s, "disabled"))
		return ET_PRIORITY_DISABLED;
	return ET_PRIORITY_STRICT;
}

int et_request_clone(struct et_request *r, const char *source, struct nbk_error *err)
{
	struct et_prefix p = ET_PREFIX_INIT;
	struct et_pip_pkg *pip = NULL;
	size_t i, npip = 0;

	if (et_env_check_exists(source, err) < 0 || et_prefix_load(source, &p, err) < 0) {
		et_prefix_release(&p);
		return -1;
	}
	for (i = 0; i < p.n; i++)
		if (!*p.v[i].rec.url) {
			nbk_error_set(err, 0,
				      "cannot clone '%s': '%s' has no URL in its conda-meta record",
				      source, p.v[i].dist);
			et_prefix_release(&p);
			return -1;
		}
	et_prefix_records(&p, &r->explicit_recs, &r->nexplicit);
	r->explicit_ = true;
	et_prefix_pip(source, &p, &pip, &npip);
	for (i = 0; i < npip; i++)
		nbk_strvec_pushf(&r->pip, "%s==%s", pip[i].name, pip[i].version);
	et_pip_pkgs_free(pip, npip);
	et_prefix_release(&p);
	return 0;
}

/*
 * Answer r, a create, install or update request, for ctx: resolve the
 * environment (create: a new one, or one a manager made that --yes lets us
 * replace; the others: an existing one, whose interrupted transaction is
 * recovered first), check every spec and pin, gather the channels (-c,
 * the file's, the configured unless --override-channels, then the specs'
 * own; a spec's channel is appended to r->channels, which is why r is not
 * const), solve against the index, the virtual packages and what is
 * installed (an @EXPLICIT request skips the solve), print the plan, and
 * unless --dry-run apply it (et_cmd_apply()), then run the pip: section.
 * r stays the caller's; what is allocated here is freed on every path.
 * Returns ET_EXIT_OK; ET_EXIT_USAGE for a bad name or spec (and for a spec
 * the solver rejects); ET_EXIT_FAIL after printing why: an unsolvable
 * request (the problem on stderr, or as JSON), an update of a package not
 * installed, a refusal to replace, a load, apply or pip failure.
 */
int et_request_run(struct et_ctx *ctx, struct et_request *r)
{
	struct et_config *cfg = &ctx->cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	_cleanup_free_ char *prefix = NULL;
	_cleanup_strvec_ struct nbk_strvec spec_chans = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec pins = NBK_STRVEC_INIT;
	struct et_channel_sources src = { .cli = &ctx->opts.channels,
					  .file = &r->channels,
					  .specs = &spec_chans };
	struct et_index idx = ET_INDEX_INIT;
	struct et_record *virt = NULL, *inst = NULL;
	size_t nvirt = 0, ninst = 0, i, j, nfetch = 0;
	struct et_solve_repo *repos = NULL;
	struct et_solve_request req;
	struct et_solution t = ET_SOLUTION_INIT;
	const struct et_record **fetch = NULL;
	struct et_virtual_opts vopts = { 0 };
	struct resolver rs = { cfg };
	uint64_t download = 0;
	int ret = ET_EXIT_FAIL, rc;
	bool usage;

	/* create: the file's name: when -n/-p are absent; the others: an environment */
	if (et_env_resolve(ctx, r->kind == ET_REQUEST_CREATE ? ET_ENV_NEW : ET_ENV_EXISTING,
			   r->name, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	/* the user's specs first: one that does not parse is a usage error */
	for (i = 0; i < r->specs.n; i++) {
		struct et_matchspec *ms;

		if (et_matchspec_parse(r->specs.v[i], &ms, &err) < 0) {
			et_print_spec_error(r->specs.v[i], err.msg);
			return ET_EXIT_USAGE;
		}
		/* conda: a spec's channel joins the request's channels */
		if (ms->channel && nbk_strvec_find(&spec_chans, ms->channel) < 0)
			nbk_strvec_push(&spec_chans, ms->channel);
		et_matchspec_free(ms);
	}
	for (i = 0; i < cfg->pinned_packages.n; i++) {
		struct et_matchspec *ms;

		if (et_matchspec_parse(cfg->pinned_packages.v[i], &ms, &err) < 0) {
			nbk_error("pinned_packages: %s", err.msg);
			return ET_EXIT_FAIL;
		}
		et_matchspec_free(ms);
	}
	if (r->kind != ET_REQUEST_CREATE) {
		/* the installed set is what an interrupted change will have done */
		struct et_prefix installed = ET_PREFIX_INIT;

		/* a shared (read-only) environment: say so before any download */
		if (et_prefix_check_writable(prefix, &err) < 0 ||
		    et_journal_recover_now(prefix, &err) < 0 ||
		    et_prefix_load(prefix, &installed, &err) < 0) {
			nbk_error("%s", err.msg);
			et_prefix_release(&installed);
			return ET_EXIT_FAIL;
		}
		et_prefix_records(&installed, &inst, &ninst);
		et_prefix_release(&installed);
		for (i = 0; i < ninst; i++)
			canonical_channel(cfg, &inst[i]);
		/* update NAME: conda's PackageNotInstalledError */
		for (i = 0; r->kind == ET_REQUEST_UPDATE && i < r->specs.n; i++) {
			struct et_matchspec *ms;
			bool found = false;

			if (et_matchspec_parse(r->specs.v[i], &ms, NULL) < 0)
				continue;
			for (j = 0; j < ninst && !found; j++)
				found = et_matchspec_match_name(ms, inst[j].name);
			et_matchspec_free(ms);
			if (!found) {
				nbk_error("'%s' is not installed in '%s': use 'envtool install'",
					  r->specs.v[i], prefix);
				goto out;
			}
		}
	} else {
		/*
		 * micromamba asks "Found conda-prefix ... Overwrite?" and
		 * defaults to no; conda asks "Remove existing environment?".
		 * Both replace it when told yes: so does envtool, and
		 * without --yes (nobody to ask) it refuses.  Only an
		 * environment a manager made counts (et_prefix_is_made_env):
		 * any other folder that is not empty is refused by the create.
		 */
		bool made = et_prefix_is_made_env(prefix);

		if (made && ctx->opts.dry_run) {
			if (!ctx->opts.json)
				fprintf(stderr,
					"envtool: note: '%s' is an environment already; create --yes replaces it\n",
					prefix);
		} else if (made) {
			_cleanup_free_ char *q = nbk_xasprintf(
				"envtool: '%s' is an environment already. Replace it?", prefix);

			if (!et_confirm(ctx, q, false)) {
				nbk_error(
					"'%s' is an environment already: 'envtool create --yes' replaces it, "
					"'envtool install' changes it",
					prefix);
				return ET_EXIT_FAIL;
			}
		}
	}

	if (r->explicit_) {
		/* conda: an @EXPLICIT file is installed as it is, without solving */
		t.link = nbk_xcalloc(r->nexplicit + 1, sizeof(*t.link));
		for (i = 0; i < r->nexplicit; i++)
			t.link[i] = &r->explicit_recs[i];
		t.nlink = r->nexplicit;
		goto solved;
	}
	if (et_index_load(cfg, &src, &idx, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	vopts.platform = cfg->platform;
	if (et_virtual_detect(&vopts, &virt, &nvirt, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	repos = nbk_xcalloc(idx.n_repos ? idx.n_repos : 1, sizeof(*repos));
	et_index_solve_repos(&idx, repos);
	memset(&req, 0, sizeof(req));
	req.repos = repos;
	req.nrepos = idx.n_repos;
	req.installed = inst;
	req.ninstalled = ninst;
	req.virtual_pkgs = virt;
	req.nvirtual = nvirt;
	req.specs = (const char *const *)r->specs.v;
	req.nspecs = r->specs.n;
	/*
	 * Pins: .condarc's pinned_packages, the environment's conda-meta/pinned,
	 * and for update --all what the user asked for (history): a spec
	 * with a version or build, as "python=3.11", keeps its package
	 * within it, as conda's update --all does.
	 */
	nbk_strvec_pushv(&pins, (const char *const *)cfg->pinned_packages.v);
	if (r->kind != ET_REQUEST_CREATE)
		et_prefix_pinned(prefix, &pins);
	if (r->kind == ET_REQUEST_UPDATE && r->update_all) {
		_cleanup_strvec_ struct nbk_strvec asked = NBK_STRVEC_INIT;

		et_prefix_requested(prefix, &asked, NULL);
		for (i = 0; i < asked.n; i++)
			if (strpbrk(asked.v[i], "=<>!~ [") &&
			    nbk_strvec_find(&pins, asked.v[i]) < 0)
				nbk_strvec_push(&pins, asked.v[i]);
	}
	req.pins = (const char *const *)pins.v;
	req.npins = pins.n;
	req.priority = priority_of(cfg->channel_priority);
	req.add_pip = cfg->add_pip_as_python_dependency;
	req.mode = r->kind == ET_REQUEST_UPDATE
			   ? (r->update_all ? ET_SOLVE_UPDATE_ALL : ET_SOLVE_UPDATE)
			   : ET_SOLVE_INSTALL;
	req.resolve_channel = resolve_channel;
	req.resolve_data = &rs;
	rc = et_solve(&req, &t, &err);
	/* the refused records of the names the solve read (repodata.h) */
	et_index_refused(&idx);
	et_print_refused(idx.repos, idx.n_repos);
	if (rc >= 0 && et_index_error(&idx, &err) < 0) {
		/* a shard the solve needed did not come: its answer lacks records */
		nbk_error("%s", err.msg);
		goto out;
	}
	if (rc < 0) {
		nbk_error("%s", err.msg);
		ret = ET_EXIT_USAGE;
		goto out;
	}
	if (rc == 1) {
		if (ctx->opts.json) {
			print_problem_json(prefix, t.problem, ctx->opts.dry_run);
			ctx->json_done = true;
		} else {
			fprintf(stderr, "envtool: the request cannot be solved:\n%s", t.problem);
		}
		goto out;
	}
solved:
	fetch = nbk_xcalloc(t.nlink + 1, sizeof(*fetch));
	for (i = 0; i < t.nlink; i++) {
		if (!in_pkgs_dirs(cfg, t.link[i])) {
			fetch[nfetch++] = t.link[i];
			download += t.link[i]->size;
		}
	}
	if (!ctx->opts.json && !ctx->opts.quiet)
		print_human(prefix, &t, nfetch, download, ctx->opts.dry_run);
	if (ctx->opts.dry_run) {
		if (r->pip.n)
			fprintf(stderr,
				"envtool: note: then the environment's pip would install the pip: section "
				"(%zu entr%s)\n",
				r->pip.n, r->pip.n == 1 ? "y" : "ies");
		if (ctx->opts.json)
			print_json(prefix, &t, fetch, nfetch, true);
		ret = ET_EXIT_OK;
		goto out;
	}
	if (!t.nlink && !t.nunlink && r->kind != ET_REQUEST_CREATE)
		ret = ET_EXIT_OK;
	else
		ret = et_cmd_apply(ctx, prefix, &t, &r->specs,
				   (r->kind == ET_REQUEST_CREATE ? ET_APPLY_CREATE : 0) |
					   (r->explicit_ ? ET_APPLY_EXPLICIT : 0));
	if (ret == ET_EXIT_OK && r->pip.n)
		ret = run_pip(ctx, prefix, r);
	/* micromamba prints the transaction once it is done (success: true) */
	if (ret == ET_EXIT_OK && ctx->opts.json)
		print_json(prefix, &t, fetch, nfetch, false);
out:
	free(fetch);
	et_solution_release(&t);
	free(repos);
	for (i = 0; i < nvirt; i++)
		et_record_release(&virt[i]);
	free(virt);
	et_prefix_records_free(inst, ninst);
	et_index_release(&idx);
	return ret;
}
