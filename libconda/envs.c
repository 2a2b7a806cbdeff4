/* SPDX-License-Identifier: Apache-2.0 */
/* Finding environments: see envs.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "envs.h"
#include "prefix.h"

/* envs_dirs as a message lists them: "'D1', 'D2'" (escaped). */
static char *dirs_shown(const struct nbk_strvec *dirs)
{
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	for (i = 0; i < dirs->n; i++) {
		nbk_buf_addstr(&b, i ? ", '" : "'");
		nbk_buf_add_escaped(&b, dirs->v[i]);
		nbk_buf_addch(&b, '\'');
	}
	return nbk_buf_detach(&b, NULL);
}

/*
 * May an environment be made in dir: an existing folder we may write, or a
 * missing one whose nearest existing parent we may write (create makes it).
 * conda's _first_writable_envs_dir makes the folder to find out; this
 * asks without changing anything (a --dry-run changes nothing).
 */
static bool may_make_in(const char *dir)
{
	_cleanup_free_ char *p = nbk_xstrdup(dir);
	struct stat st;

	for (;;) {
		char *up;

		if (stat(p, &st) == 0)
			return S_ISDIR(st.st_mode) &&
			       faccessat(AT_FDCWD, p, W_OK | X_OK, AT_EACCESS) == 0;
		if (errno != ENOENT || !strcmp(p, "/") || !strchr(p, '/'))
			return false;
		up = nbk_path_dirname(p);
		free(p);
		p = up;
	}
}

int et_env_locate(const struct et_config *cfg, const char *name, enum et_env_want want, char **out,
		  bool *usage, struct nbk_error *err)
{
	_cleanup_free_ char *shown = NULL;
	const struct nbk_strvec *dirs = &cfg->envs_dirs;
	size_t i;

	*out = NULL;
	if (usage)
		*usage = false;
	if (et_env_name_check(name, err) < 0) {
		if (usage)
			*usage = true;
		return -1;
	}
	if (!strcmp(name, "base") || !strcmp(name, "root")) {
		*out = nbk_xstrdup(cfg->root_prefix);
		return 0;
	}
	if (!dirs->n)
		return nbk_error_set(err, 0, "no envs_dirs configured for -n '%s'", name);
	for (i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *p = nbk_xasprintf("%s/%s", dirs->v[i], name);

		if (et_prefix_is_env(p)) {
			*out = nbk_steal_pointer(&p);
			return 0;
		}
	}
	shown = dirs_shown(dirs);
	switch (want) {
	case ET_ENV_ANY:
		*out = nbk_xasprintf("%s/%s", dirs->v[0], name);
		return 0;
	case ET_ENV_NEW:
		for (i = 0; i < dirs->n; i++)
			if (may_make_in(dirs->v[i])) {
				*out = nbk_xasprintf("%s/%s", dirs->v[i], name);
				return 0;
			}
		return nbk_error_set(
			err, 0,
			"cannot create environment '%s': no envs_dir may be written (envs_dirs %s)",
			name, shown);
	case ET_ENV_EXISTING:
	default:
		return nbk_error_set(err, 0,
				     "environment '%s' does not exist (no '%s' in envs_dirs %s)",
				     name, name, shown);
	}
}

int et_env_check_exists(const char *prefix, struct nbk_error *err)
{
	_cleanup_free_ char *shown = NULL;

	if (et_prefix_is_env(prefix))
		return 0;
	shown = nbk_printable(prefix);
	return nbk_error_set(err, 0, "environment '%s' does not exist (no '%s/" ET_CONDA_META "')",
			     shown, shown);
}

char *et_env_display_name(const struct et_config *cfg, const char *prefix)
{
	const char *s = strrchr(prefix, '/');

	if (cfg->root_prefix && !strcmp(prefix, cfg->root_prefix))
		return nbk_xstrdup("base");
	return nbk_xstrdup(s && s[1] ? s + 1 : prefix);
}

void et_env_known(const struct et_config *cfg, struct nbk_strvec *out)
{
	struct nbk_strvec txt = NBK_STRVEC_INIT, dirs = NBK_STRVEC_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	if (cfg->root_prefix && et_prefix_is_env(cfg->root_prefix))
		nbk_strvec_push(out, cfg->root_prefix);
	for (i = 0; i < cfg->envs_dirs.n; i++) {
		DIR *d = opendir(cfg->envs_dirs.v[i]);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d))) {
			char *p;

			if (de->d_name[0] == '.')
				continue;
			p = nbk_xasprintf("%s/%s", cfg->envs_dirs.v[i], de->d_name);
			if (et_prefix_is_env(p))
				nbk_strvec_push_owned(&dirs, p);
			else
				free(p);
		}
		closedir(d);
	}
	nbk_strvec_sort(&dirs);
	for (i = 0; i < dirs.n; i++)
		if (nbk_strvec_find(out, dirs.v[i]) < 0)
			nbk_strvec_push(out, dirs.v[i]);
	if (et_environments_read(&txt, &err) < 0)
		nbk_warn("%s", err.msg);
	for (i = 0; i < txt.n; i++)
		if (et_prefix_is_env(txt.v[i]) && nbk_strvec_find(out, txt.v[i]) < 0)
			nbk_strvec_push(out, txt.v[i]);
	nbk_strvec_release(&txt);
	nbk_strvec_release(&dirs);
}
