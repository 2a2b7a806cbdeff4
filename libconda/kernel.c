/* SPDX-License-Identifier: Apache-2.0 */
/* Jupyter kernels of environments: see kernel.h. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/json.h"
#include "nbkit/path.h"
#include "nbkit/yaml.h"
#include "config.h"
#include "kernel.h"

char *et_kernel_name(const char *env_name)
{
	char *s = nbk_xstrdup(env_name), *p;

	for (p = s; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			*p = '-';
	}
	return s;
}

char *et_kernel_dir(const char *env_name, struct nbk_error *err)
{
	const char *data = getenv(ET_ENV_JUPYTER_DATA_DIR), *home = getenv("HOME");
	_cleanup_free_ char *name = et_kernel_name(env_name);

	if (data && *data)
		return nbk_xasprintf("%s/kernels/%s", data, name);
	if (!home || !*home) {
		nbk_error_set(err, 0, "HOME is not set: no place for Jupyter kernels");
		return NULL;
	}
	return nbk_xasprintf("%s/.local/share/jupyter/kernels/%s", home, name);
}

int et_kernel_install(const char *prefix, const char *env_name, const char *display,
		      const char *launcher, struct nbk_error *err)
{
	_cleanup_free_ char *dir = et_kernel_dir(env_name, err), *file = NULL, *python = NULL,
			    *path = NULL, *display_name = NULL;
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_json w;
	int r;

	if (!dir)
		return -1;
	python = nbk_xasprintf("%s/bin/python", prefix);
	path = nbk_xasprintf("%s/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			     prefix);
	display_name = display ? nbk_xstrdup(display) : nbk_xasprintf("Python (%s)", env_name);
	nbk_json_init(&w, &b, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	nbk_json_key(&w, "argv");
	nbk_json_array_begin(&w);
	if (launcher) {
		nbk_json_string(&w, launcher);
		nbk_json_string(&w, "run");
		nbk_json_string(&w, "-p");
		nbk_json_string(&w, prefix);
	}
	nbk_json_string(&w, python);
	nbk_json_string(&w, "-m");
	nbk_json_string(&w, "ipykernel_launcher");
	nbk_json_string(&w, "-f");
	nbk_json_string(&w, "{connection_file}");
	nbk_json_array_end(&w);
	nbk_json_key_string(&w, "display_name", display_name);
	nbk_json_key_string(&w, "language", "python");
	if (!launcher) {
		nbk_json_key(&w, "env");
		nbk_json_object_begin(&w);
		nbk_json_key_string(&w, ET_ENV_CONDA_PREFIX, prefix);
		nbk_json_key_string(&w, ET_ENV_CONDA_DEFAULT_ENV, env_name);
		nbk_json_key_string(&w, "PATH", path);
		nbk_json_object_end(&w);
	}
	nbk_json_key(&w, "metadata");
	nbk_json_object_begin(&w);
	nbk_json_key_bool(&w, "debugger", true);
	nbk_json_key(&w, "envtool");
	nbk_json_object_begin(&w);
	nbk_json_key_string(&w, "prefix", prefix);
	nbk_json_object_end(&w);
	nbk_json_object_end(&w);
	nbk_json_object_end(&w);
	nbk_buf_addch(&b, '\n');
	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0) {
		nbk_buf_release(&b);
		return -1;
	}
	file = nbk_xasprintf("%s/kernel.json", dir);
	r = nbk_write_file_atomic(file, b.data, b.len, 0644, (uid_t)-1, (gid_t)-1, err);
	nbk_buf_release(&b);
	return r;
}

int et_kernel_remove(const char *prefix, const char *env_name, struct nbk_error *err)
{
	_cleanup_free_ char *dir = et_kernel_dir(env_name, err), *file = NULL;
	_cleanup_node_ struct nbk_node *root = NULL;
	const struct nbk_node *p;

	if (!dir)
		return -1;
	file = nbk_xasprintf("%s/kernel.json", dir);
	if (access(file, F_OK) < 0)
		return 0;
	if (prefix) {
		struct nbk_error e = NBK_ERROR_INIT;

		if (nbk_yaml_load_file(file, 1u << 20, &root, &e) < 0)
			return 0; /* not ours to judge: leave it */
		p = nbk_node_path(root, "metadata.envtool.prefix");
		if (!p || p->kind != NBK_NODE_SCALAR || strcmp(p->scalar, prefix))
			return 0;
	}
	if (unlink(file) < 0 && errno != ENOENT)
		return nbk_error_set(err, errno, "cannot remove '%s'", file);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return nbk_error_set(err, errno,
				     "cannot remove '%s' (it holds more than kernel.json)", dir);
	return 1;
}
