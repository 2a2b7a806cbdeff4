/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An environment's Jupyter kernel: JUPYTER_DATA_DIR (default
 * ~/.local/share/jupyter)/kernels/NAME/kernel.json with argv = LAUNCHER run
 * -p PREFIX PREFIX/bin/python -m ipykernel_launcher -f {connection_file}
 * (envtool's `run`: the kernel starts with the environment activated,
 * activate.d scripts and env_vars included, as nb_conda_kernels would),
 * the environment's name in display_name, and metadata.envtool.prefix so
 * that removing the environment removes only the kernel that points at
 * it.  Without a launcher: python itself, CONDA_PREFIX and PATH in env.
 */
#ifndef LIBCONDA_KERNEL_H
#define LIBCONDA_KERNEL_H

#include <stdbool.h>

#include "nbkit/error.h"

#define ET_ENV_JUPYTER_DATA_DIR "JUPYTER_DATA_DIR"

/* Jupyter's kernel name for an environment name ([a-z0-9._-]). New string. */
char *et_kernel_name(const char *env_name);
/* The kernel's folder. New string, NULL (err) without HOME. */
char *et_kernel_dir(const char *env_name, struct nbk_error *err);

/*
 * Write the kernel of prefix, named after env_name (et_kernel_name());
 * display_name: NULL for "Python (ENV_NAME)"; launcher: see above, or NULL.
 */
int et_kernel_install(const char *prefix, const char *env_name, const char *display_name,
		      const char *launcher, struct nbk_error *err);

/*
 * Remove the kernel named after env_name.  With prefix not NULL, only when
 * it belongs to that prefix.  Returns 1 when removed, 0 when there was
 * none (or another's), -1 on error.
 */
int et_kernel_remove(const char *prefix, const char *env_name, struct nbk_error *err);

#endif
