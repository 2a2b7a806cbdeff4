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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
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
 * -1 on a write error.
 */
NBK_STATIC int bs_condarc_update(const char *path, const char *envs_dir, const char *pkgs_dir,
				 const struct nbk_strvec *channels, uid_t uid, gid_t gid,
				 const char **why, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	_cleanup_buf_ struct nbk_buf out = NBK_BUF_INIT;
	_cleanup_strvec_ struct nbk_strvec envs = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec pkgs = NBK_STRVEC_INIT;
	struct nbk_error perr = NBK_ERROR_INIT;
	mode_t mode = 0644;
	struct stat st;
	bool changed = false;

	*why = NULL;
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			*why = "it is not a regular file";
			return 0;
		}
		mode = st.st_mode & 0777;
		if (nbk_yaml_load_file(path, BS_CONDARC_MAX, &root, &perr) < 0) {
			nbk_warn("envroots: '%s' is not valid YAML (%s): left untouched; the roots "
				 "still reach conda through CONDA_ENVS_DIRS and CONDA_PKGS_DIRS",
				 path, perr.msg);
			*why = "it is not valid YAML";
			return 0;
		}
		if (root->kind == NBK_NODE_NULL) {
			nbk_node_free(root);
			root = NULL;
		} else if (root->kind != NBK_NODE_MAP) {
			nbk_warn("envroots: '%s' is not a YAML mapping: left untouched", path);
			*why = "it is not a YAML mapping";
			return 0;
		}
	} else if (errno != ENOENT) {
		return nbk_error_set(err, errno, "cannot stat '%s'", path);
	}
	if (!root) {
		root = nbk_node_new(NBK_NODE_MAP);
		changed = true;
	}
	nbk_strvec_push(&envs, envs_dir);
	nbk_strvec_push(&pkgs, pkgs_dir);
	changed |= bs_condarc_merge_list(root, "envs_dirs", &envs);
	changed |= bs_condarc_merge_list(root, "pkgs_dirs", &pkgs);
	if (channels->n)
		changed |= bs_condarc_merge_list(root, "channels", channels);
	if (!changed)
		return 0;
	if (nbk_yaml_emit(root, &out, err) < 0)
		return -1;
	if (nbk_write_file_atomic(path, out.data, out.len, mode, uid, gid, err) < 0)
		return -1;
	return 1;
}

int bs_envroots_apply(struct bs_ctx *ctx, struct nbk_error *err)
{
	const struct bs_config *cfg = &ctx->cfg;
	_cleanup_free_ char *root = NULL;
	_cleanup_free_ char *envs = NULL;
	_cleanup_free_ char *pkgs = NULL;
	_cleanup_free_ char *condarc = NULL;
	const char *envs_dir, *pkgs_dir, *why = NULL;
	uid_t uid = ctx->is_root ? cfg->uid : (uid_t)-1;
	int written = 0;

	if (nbk_path_expand_user(cfg->envs_root, ctx->home, &root, err) < 0)
		return nbk_error_prefix(err, "envs.root");
	envs = nbk_xasprintf("%s/envs", root);
	pkgs = nbk_xasprintf("%s/pkgs", root);
	/* The container's own CONDA_*_DIRS win, as every variable does. */
	bs_env_set_default(ctx, "CONDA_ENVS_DIRS", envs);
	bs_env_set_default(ctx, "CONDA_PKGS_DIRS", pkgs);
	envs_dir = nbk_env_get(&ctx->env, "CONDA_ENVS_DIRS");
	pkgs_dir = nbk_env_get(&ctx->env, "CONDA_PKGS_DIRS");
	if (*cfg->pip_index_url)
		bs_env_set_default(ctx, "PIP_INDEX_URL", cfg->pip_index_url);

	if (ctx->home_readonly) {
		bs_step_log(ctx, "envroots", "CONDA_ENVS_DIRS=%s CONDA_PKGS_DIRS=%s (home read-only: "
			    "no folders, no .condarc)", envs_dir, pkgs_dir);
		return 0;
	}
	/* Folders inside the home only: a root elsewhere is the admin's to make. */
	if (nbk_path_is_within(ctx->home, root)) {
		if (nbk_mkdir_p(envs, 0755, uid, ctx->files_gid, NULL, err) < 0 ||
		    nbk_mkdir_p(pkgs, 0755, uid, ctx->files_gid, NULL, err) < 0)
			return nbk_error_prefix(err, "envs.root");
	}
	if (*cfg->condarc) {
		if (nbk_path_expand_user(cfg->condarc, ctx->home, &condarc, err) < 0)
			return nbk_error_prefix(err, "envs.condarc");
		written = bs_condarc_update(condarc, envs_dir, pkgs_dir, &cfg->channels, uid,
					    ctx->files_gid, &why, err);
		if (written < 0)
			return nbk_error_prefix(err, "envs.condarc");
	}
	bs_step_log(ctx, "envroots", "CONDA_ENVS_DIRS=%s CONDA_PKGS_DIRS=%s; %s %s%s%s", envs_dir,
		    pkgs_dir, condarc ? condarc : "no .condarc",
		    !condarc ? "" : written ? "updated" : why ? "left untouched: " : "already right",
		    why ? why : "", "");
	return 0;
}
