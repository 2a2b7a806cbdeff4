/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Environment roots: conda, mamba, micromamba and envtool keep environments
 * and packages in the home volume (envs.root/envs, envs.root/pkgs), told by
 * CONDA_ENVS_DIRS / CONDA_PKGS_DIRS and by the managed keys of the user's
 * .condarc.
 *
 * The .condarc belongs to the user: their keys stay, the managed lists get
 * our entries first and keep the user's other entries after them, the file
 * is rewritten only when something changed (atomically, owned by the user),
 * and a file that is not a YAML mapping is left untouched and reported.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootstrap.h"
#include "envroots.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/conda_names.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/url.h"
#include "nbkit/yaml.h"

#define BS_CONDARC_MAX (1024 * 1024)

/*
 * Put `first` at the head of the list under key, keeping the other entries
 * the user had (without duplicates).  Returns true when the tree changed.
 */
NBK_STATIC bool bs_condarc_merge_list(struct nbk_node *root, const char *key,
				      const struct nbk_strvec *first)
{
	struct nbk_node *old = nbk_node_get(root, key);
	struct nbk_node *seq = nbk_node_new(NBK_NODE_SEQ);
	bool changed;
	size_t i, j;

	for (i = 0; i < first->n; i++)
		nbk_node_seq_push(seq, nbk_node_new_scalar(first->v[i]));
	if (old && old->kind == NBK_NODE_SEQ) {
		for (i = 0; i < old->n; i++) {
			const struct nbk_node *it = old->items[i];
			bool dup = false;

			if (it->kind != NBK_NODE_SCALAR)
				continue;
			for (j = 0; j < seq->n; j++)
				dup = dup || !strcmp(seq->items[j]->scalar, it->scalar);
			if (!dup)
				nbk_node_seq_push(seq, nbk_node_new_scalar(it->scalar));
		}
	}
	changed = !old || old->kind != NBK_NODE_SEQ || old->n != seq->n;
	for (i = 0; !changed && i < seq->n; i++)
		changed = old->items[i]->kind != NBK_NODE_SCALAR ||
			  strcmp(old->items[i]->scalar, seq->items[i]->scalar);
	if (changed)
		nbk_node_map_set(root, key, seq);
	else
		nbk_node_free(seq);
	return changed;
}

/*
 * Merge the managed keys into the .condarc at path.  Returns 1 when the file
 * was written, 0 when it was already right or was left untouched (*why set),
 * -1 on an error.  The caller decides as whom it runs (userfs.c): the file
 * is opened once, by nbk_read_file (regular files only, never blocking),
 * and never checked by name first.
 */
NBK_STATIC int bs_condarc_update(const char *path, const char *envs_dir, const char *pkgs_dir,
				 const struct nbk_strvec *channels, const char *ssl_verify,
				 const char **why, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	_cleanup_buf_ struct nbk_buf text = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf out = NBK_BUF_INIT;
	_cleanup_strvec_ struct nbk_strvec envs = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec pkgs = NBK_STRVEC_INIT;
	struct nbk_error perr = NBK_ERROR_INIT;
	mode_t mode = 0644;
	struct stat st;
	bool changed = false;

	*why = NULL;
	if (nbk_read_file(path, BS_CONDARC_MAX, &text, &perr) < 0) {
		if (perr.errnum != ENOENT) {
			/* a FIFO, a folder, a link to what the user may not read ... */
			nbk_warn(
				"envroots: %s: left untouched; the roots still reach conda through " NBK_ENV_CONDA_ENVS_DIRS
				" and " NBK_ENV_CONDA_PKGS_DIRS,
				perr.msg);
			*why = "it cannot be read";
			return 0;
		}
	} else if (nbk_yaml_load_string(path, text.data, text.len, &root, &perr) < 0) {
		nbk_warn(
			"envroots: '%s' is not valid YAML (%s): left untouched; the roots "
			"still reach conda through " NBK_ENV_CONDA_ENVS_DIRS
			" and " NBK_ENV_CONDA_PKGS_DIRS,
			path, perr.msg);
		*why = "it is not valid YAML";
		return 0;
	} else if (root->kind == NBK_NODE_NULL) {
		nbk_node_free(root);
		root = NULL;
	} else if (root->kind != NBK_NODE_MAP) {
		nbk_warn("envroots: '%s' is not a YAML mapping: left untouched", path);
		*why = "it is not a YAML mapping";
		return 0;
	}
	/* Keep the mode the user gave the file (read after the load: a file
	 * swapped in between only changes the mode of what is written next). */
	if (root && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 0777;
	if (!root) {
		root = nbk_node_new(NBK_NODE_MAP);
		changed = true;
	}
	/* CONDA_ENVS_DIRS's entries: the user's own, then the teams' shared ones */
	nbk_strvec_split(&envs, envs_dir, ':');
	nbk_strvec_push(&pkgs, pkgs_dir);
	changed |= bs_condarc_merge_list(root, NBK_CONDARC_ENVS_DIRS, &envs);
	changed |= bs_condarc_merge_list(root, NBK_CONDARC_PKGS_DIRS, &pkgs);
	if (channels->n)
		changed |= bs_condarc_merge_list(root, NBK_CONDARC_CHANNELS, channels);
	if (ssl_verify) {
		const struct nbk_node *old = nbk_node_get(root, NBK_CONDARC_SSL_VERIFY);

		if (!old || old->kind != NBK_NODE_SCALAR || strcmp(old->scalar, ssl_verify)) {
			nbk_node_map_set(root, NBK_CONDARC_SSL_VERIFY,
					 nbk_node_new_scalar(ssl_verify));
			changed = true;
		}
	}
	if (!changed)
		return 0;
	if (nbk_yaml_emit(root, &out, err) < 0)
		return -1;
	if (nbk_write_file_atomic(path, out.data, out.len, mode, (uid_t)-1, (gid_t)-1, err) < 0)
		return -1;
	return 1;
}

/*
 * The folders and the .condarc in the home, as the user (userfs.c).  The
 * home is the user's: a folder or file that cannot be made is one warning
 * naming it, and the start goes on.  What became of the .condarc goes to said.
 */
static void home_part(struct bs_ctx *ctx, const char *root, const char *condarc,
		      const char *envs_dir, const char *pkgs_dir, struct nbk_buf *said)
{
	const struct bs_config *cfg = &ctx->cfg;
	_cleanup_free_ char *envs = nbk_xasprintf("%s/" NBK_CONDA_ENVS_DIR, root);
	_cleanup_free_ char *pkgs = nbk_xasprintf("%s/" NBK_CONDA_PKGS_DIR, root);
	struct nbk_error e = NBK_ERROR_INIT;
	const char *why = NULL;
	int written;

	/* Folders inside the home only: a root elsewhere is the admin's to make. */
	if (nbk_path_is_within(ctx->home, root) &&
	    (nbk_mkdir_p(envs, 0755, (uid_t)-1, (gid_t)-1, NULL, &e) < 0 ||
	     nbk_mkdir_p(pkgs, 0755, (uid_t)-1, (gid_t)-1, NULL, &e) < 0)) {
		nbk_warn(
			"envroots: %s: skipped (environments cannot be created there until "
			"the user fixes it)",
			e.msg);
		nbk_error_clear(&e);
	}
	if (!condarc)
		return;
	written = bs_condarc_update(condarc, envs_dir, pkgs_dir, &cfg->channels, ctx->tls_bundle,
				    &why, &e);
	if (written < 0) {
		nbk_warn("envroots: %s: the .condarc is left as it is", e.msg);
		why = "it cannot be written";
	}
	if (why)
		nbk_buf_addf(said, " left untouched: %s", why);
	else
		nbk_buf_addstr(said, written ? " updated" : " already right");
}

/*
 * Read the secret file of key (expanded; read as its owner) into *value,
 * registered with the logger.  Returns 1, 0 when skipped (a home file,
 * warned about), -1.
 */
static int pip_secret(struct bs_ctx *ctx, const char *key, const char *file, char **value,
		      struct nbk_error *err)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (nbk_path_expand_user(file, ctx->home, &path, err) < 0)
		return nbk_error_prefix(err, "%s", key);
	r = bs_read_as_owner(ctx, key, path, value, NULL, err);
	if (r > 0)
		nbk_log_add_secret(*value);
	return r;
}

/*
 * pip's index (envs.pip_*): PIP_INDEX_URL, with the user and password of
 * envs.pip_username_file and pip_password_file (a Kubernetes basic-auth
 * secret mounted as a folder holds both) put into its userinfo,
 * percent-encoded; pip masks them in what it prints.  A value with
 * credentials is a secret: the logger masks it, --print-env shows "***".
 * PIP_TRUSTED_HOST (pip then skips the TLS checks of that host) only when
 * envs.pip_trusted_host asks.  The container's own variables win.
 */
static int pip_index(struct bs_ctx *ctx, struct nbk_buf *said, struct nbk_error *err)
{
	const struct bs_config *cfg = &ctx->cfg;
	_cleanup_free_ char *user = NULL;
	_cleanup_free_ char *password = NULL;
	_cleanup_free_ char *url = NULL;
	_cleanup_free_ char *shown = NULL;
	_cleanup_free_ char *trusted = NULL;
	const char *host, *end;
	int r = 0;

	if (!*cfg->pip_index_url)
		return 0;
	if (*cfg->pip_username_file &&
	    ((r = pip_secret(ctx, "envs.pip_username_file", cfg->pip_username_file, &user, err)) <
		     0 ||
	     (r && (r = pip_secret(ctx, "envs.pip_password_file", cfg->pip_password_file, &password,
				   err)) < 0)))
		return -1;
	url = r > 0 ? nbk_url_with_userinfo(cfg->pip_index_url, user, password)
		    : nbk_xstrdup(cfg->pip_index_url);
	shown = nbk_url_redact(url);
	if (!bs_env_set_default(ctx, "PIP_INDEX_URL", url)) {
		nbk_buf_addstr(said, "; PIP_INDEX_URL kept from the environment");
		return 0;
	}
	if (nbk_url_has_credentials(url))
		bs_mark_secret(ctx, "PIP_INDEX_URL", url);
	nbk_buf_addf(said, "; pip index %s", shown);
	if (cfg->pip_trusted_host) {
		nbk_url_host_span(url, &host, &end);
		trusted = nbk_xstrndup(host, (size_t)(end - host));
		bs_env_set_default(ctx, "PIP_TRUSTED_HOST", trusted);
		nbk_buf_addf(said, ", trusted host %s", trusted);
	}
	return 0;
}

/*
 * envs.shared_dirs with each pattern ("/mnt/teams/ * /envs": the teams'
 * volumes that this user's pod has mounted) expanded to the folders it
 * matches, in name order; a pattern that matches none gives nothing, a
 * plain path is kept as it is.  The paths are the deployment's (absolute,
 * checked by config.c), never the user's.
 */
static void shared_dirs(const struct bs_config *cfg, struct nbk_strvec *out)
{
	size_t i, j;

	for (i = 0; i < cfg->shared_dirs.n; i++) {
		const char *d = cfg->shared_dirs.v[i];
		glob_t g;

		if (!strpbrk(d, "*?[")) {
			nbk_strvec_push(out, d);
			continue;
		}
		memset(&g, 0, sizeof(g));
		if (glob(d, GLOB_ONLYDIR | GLOB_NOESCAPE, NULL, &g) == 0)
			for (j = 0; j < g.gl_pathc; j++)
				if (!strchr(g.gl_pathv[j], ':'))
					nbk_strvec_push(out, g.gl_pathv[j]);
		globfree(&g);
	}
}

/* The team of a shared folder: its name, or its parent's when it is called "envs". */
static char *team_of(const char *dir)
{
	_cleanup_free_ char *norm = nbk_path_normalize(dir);
	_cleanup_free_ char *parent = nbk_path_dirname(norm);
	const char *base = strrchr(norm, '/');

	base = base ? base + 1 : norm;
	if (!strcmp(base, NBK_CONDA_ENVS_DIR) && strcmp(parent, "/")) {
		const char *pb = strrchr(parent, '/');

		return nbk_xstrdup(pb ? pb + 1 : parent);
	}
	return nbk_xstrdup(base);
}

/* envtool next to this bootstrap (both install in the same bin folder), or NULL. */
static char *envtool_path(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	_cleanup_free_ char *dir = NULL;
	char *tool;

	if (n <= 0 || (size_t)n >= sizeof(self) - 1)
		return NULL;
	self[n] = '\0';
	dir = nbk_path_dirname(self);
	tool = nbk_xasprintf("%s/envtool", dir);
	if (access(tool, X_OK) == 0)
		return tool;
	free(tool);
	return NULL;
}

/*
 * A Jupyter kernel for each environment of envs.shared_dirs (a team's
 * read-only folder; one with bin/python), named "team-TEAM-ENV" and shown
 * as "Python (ENV, team TEAM)".  They are written by envtool (kernel.json's
 * one owner, `kernel install --kernel-name --display-name`) into a folder
 * of bootstrap's own, made afresh at each start, never into the home: as
 * root /run/nbkit/jupyter (root's, world-readable), else
 * ~/.cache/nbkit/jupyter; JUPYTER_PATH gets it first.  Nothing in a shared
 * folder is run.  A problem with one is a warning.
 */
static int shared_kernels(struct bs_ctx *ctx, const struct nbk_strvec *dirs, struct nbk_buf *said,
			  struct nbk_error *err)
{
	_cleanup_free_ char *tool = NULL, *data = NULL, *kernels = NULL;
	struct nbk_error e = NBK_ERROR_INIT;
	size_t i, j, made = 0;

	if (!dirs->n)
		return 0;
	data = ctx->is_root ? nbk_xstrdup("/run/nbkit/jupyter")
			    : nbk_xasprintf("%s/.cache/nbkit/jupyter", ctx->home);
	kernels = nbk_xasprintf("%s/kernels", data);
	if (nbk_remove_tree(kernels, &e) < 0 && e.errnum != ENOENT) {
		nbk_warn("envroots: shared environments: %s: no kernels for them", e.msg);
		return 0;
	}
	if (nbk_mkdir_p(kernels, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0)
		return nbk_error_prefix(err, "envs.shared_dirs");
	if (!(tool = envtool_path())) {
		nbk_warn(
			"envroots: no envtool next to bootstrap: no kernels for the shared "
			"environments");
		return 0;
	}
	for (i = 0; i < dirs->n; i++) {
		_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
		_cleanup_free_ char *team = team_of(dirs->v[i]);

		if (nbk_dir_names(dirs->v[i], NULL, &names, &e) != 0) {
			nbk_warn("envroots: envs.shared_dirs: '%s': %s", dirs->v[i],
				 e.errnum ? e.msg : "not there");
			nbk_error_clear(&e);
			continue;
		}
		for (j = 0; j < names.n; j++) {
			_cleanup_free_ char *prefix =
				nbk_xasprintf("%s/%s", dirs->v[i], names.v[j]);
			_cleanup_free_ char *py = nbk_xasprintf("%s/bin/python", prefix);
			_cleanup_free_ char *kname = nbk_xasprintf("team-%s-%s", team, names.v[j]);
			_cleanup_free_ char *display =
				nbk_xasprintf("Python (%s, team %s)", names.v[j], team);
			_cleanup_free_ char *env_data = nbk_xasprintf("JUPYTER_DATA_DIR=%s", data);
			_cleanup_strvec_ struct nbk_strvec argv = NBK_STRVEC_INIT;
			_cleanup_strvec_ struct nbk_strvec envp = NBK_STRVEC_INIT;
			struct nbk_proc_opts po = { 0 };
			struct nbk_proc_result res;

			if (access(py, X_OK) < 0)
				continue; /* not an environment with python */
			nbk_strvec_push(&argv, tool);
			nbk_strvec_pushv(&argv, (const char *const[]){
							"kernel", "install", "-p", prefix,
							"--kernel-name", kname, "--display-name",
							display, "--no-rc", "-q", NULL });
			nbk_strvec_push(&envp, "PATH=/usr/bin:/bin");
			nbk_strvec_push(&envp, "HOME=/nonexistent");
			nbk_strvec_push(&envp, env_data);
			po.argv = argv.v;
			po.envp = envp.v;
			po.flags = NBK_PROC_STDIN_NULL;
			po.timeout_ms = 10000;
			if (nbk_proc_run(&po, NULL, &res, &e) < 0 || !res.reaped ||
			    !WIFEXITED(res.status) || WEXITSTATUS(res.status)) {
				nbk_warn("envroots: no kernel for the shared environment '%s'%s%s",
					 prefix, e.errnum ? ": " : "", e.errnum ? e.msg : "");
				nbk_error_clear(&e);
				continue;
			}
			made++;
		}
	}
	{
		const char *old = nbk_env_get(&ctx->env, "JUPYTER_PATH");
		_cleanup_free_ char *path = old && *old ? nbk_xasprintf("%s:%s", data, old)
							: nbk_xstrdup(data);

		nbk_env_set(&ctx->env, "JUPYTER_PATH", path);
	}
	nbk_buf_addf(said, "; %zu shared environment kernel(s) in %s", made, data);
	return 0;
}

/*
 * The "envroots" step (docs/bootstrap.md): CONDA_ENVS_DIRS (the user's,
 * then the shared folders) and CONDA_PKGS_DIRS, pip's index, the channels'
 * auth file, the shared environments' kernels and the trust bundle, as
 * root; then, as the user, the folders in the home and the managed
 * .condarc.  A home that cannot be written is warned about, not an error;
 * -1 with err only for what the deployment got wrong (a secret, a CA file).
 */
int bs_envroots_apply(struct bs_ctx *ctx, struct nbk_error *err)
{
	const struct bs_config *cfg = &ctx->cfg;
	_cleanup_free_ char *root = NULL;
	_cleanup_free_ char *condarc = NULL;
	_cleanup_buf_ struct nbk_buf said = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf also = NBK_BUF_INIT; /* pip, trust: the end of the line */
	_cleanup_strvec_ struct nbk_strvec shared = NBK_STRVEC_INIT;
	const char *envs_dir, *pkgs_dir;
	struct bs_userfs as_user;

	if (nbk_path_expand_user(cfg->envs_root, ctx->home, &root, err) < 0)
		return nbk_error_prefix(err, "envs.root");
	shared_dirs(cfg, &shared);
	{
		_cleanup_free_ char *envs = nbk_xasprintf("%s/" NBK_CONDA_ENVS_DIR, root);
		_cleanup_free_ char *pkgs = nbk_xasprintf("%s/" NBK_CONDA_PKGS_DIR, root);

		struct nbk_buf all = NBK_BUF_INIT;
		size_t i;

		/* the user's own first (where create goes), then the teams' shared ones */
		nbk_buf_addstr(&all, envs);
		for (i = 0; i < shared.n; i++)
			nbk_buf_addf(&all, ":%s", shared.v[i]);
		/* The container's own CONDA_*_DIRS win, as every variable does. */
		bs_env_set_default(ctx, NBK_ENV_CONDA_ENVS_DIRS, all.data);
		nbk_buf_release(&all);
		bs_env_set_default(ctx, NBK_ENV_CONDA_PKGS_DIRS, pkgs);
	}
	envs_dir = nbk_env_get(&ctx->env, NBK_ENV_CONDA_ENVS_DIRS);
	pkgs_dir = nbk_env_get(&ctx->env, NBK_ENV_CONDA_PKGS_DIRS);
	if (pip_index(ctx, &also, err) < 0)
		return -1;
	/*
	 * The channels' credentials: the file's path only (a mounted secret
	 * the user can read); envtool reads it as the user, never bootstrap.
	 */
	if (*cfg->auth_file) {
		_cleanup_free_ char *auth = NULL;

		if (nbk_path_expand_user(cfg->auth_file, ctx->home, &auth, err) < 0)
			return nbk_error_prefix(err, "envs.auth_file");
		bs_env_set_default(ctx, NBK_ENV_AUTH_FILE, auth);
	}
	if (shared_kernels(ctx, &shared, &also, err) < 0)
		return -1;
	/* as root, before the user part: the bundle is root's (tls.c) */
	if (bs_tls_bundle(ctx, &also, err) < 0)
		return -1;
	if (*cfg->condarc && nbk_path_expand_user(cfg->condarc, ctx->home, &condarc, err) < 0)
		return nbk_error_prefix(err, "envs.condarc");

	if (ctx->home_readonly) {
		bs_step_log(ctx, "envroots",
			    NBK_ENV_CONDA_ENVS_DIRS "=%s " NBK_ENV_CONDA_PKGS_DIRS
						    "=%s (home read-only: "
						    "no folders, no .condarc)%s",
			    envs_dir, pkgs_dir, also.len ? also.data : "");
		return 0;
	}
	/*
	 * Everything below acts as the user, the .condarc too, wherever it is:
	 * a .condarc the user cannot write is not one bootstrap should change.
	 */
	if (bs_userfs_enter(ctx, &as_user, err) < 0)
		return -1;
	home_part(ctx, root, condarc, envs_dir, pkgs_dir, &said);
	bs_userfs_leave(&as_user);
	bs_step_log(ctx, "envroots",
		    NBK_ENV_CONDA_ENVS_DIRS "=%s " NBK_ENV_CONDA_PKGS_DIRS "=%s; %s%s%s", envs_dir,
		    pkgs_dir, condarc ? condarc : "no " NBK_CONDARC_FILE, said.len ? said.data : "",
		    also.len ? also.data : "");
	return 0;
}
