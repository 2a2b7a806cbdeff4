/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conda names that bootstrap and envtool share: bootstrap writes them
 * (bootstrap/envroots.c, bootstrap/gpu.c) and envtool's engine reads them
 * (libconda/config.c, libconda/virtual.c).  They are part of the contract
 * in DESIGN.md (../shared/DESIGN.md; docs/design.md in the tree): the
 * `envs:` keys of bootstrap's configuration, "What the command's
 * environment gets", and envtool's "Configuration" and "Environment
 * layout".  conda, mamba and micromamba read the same names, so none of
 * them may change.  Each side uses these
 * macros and spells no name itself; tests/envtool/names_shared.sh fails
 * on a literal one outside this header.  A name only one side uses stays
 * with that side (bootstrap.h's NB_*, libconda/config.h's ET_ENV_*).
 */
#ifndef NBKIT_CONDA_NAMES_H
#define NBKIT_CONDA_NAMES_H

/*
 * Environment variables (conda's context.py reads CONDA_<KEY>):
 *   CONDA_ENVS_DIRS      ':'-separated, the first wins
 *   CONDA_PKGS_DIRS      ':'-separated, the first writable one holds the cache
 *   CONDA_OVERRIDE_CUDA  MAJOR.MINOR of __cuda; "" hides it
 */
#define NBK_ENV_CONDA_ENVS_DIRS "CONDA_ENVS_DIRS"
#define NBK_ENV_CONDA_PKGS_DIRS "CONDA_PKGS_DIRS"
#define NBK_ENV_CONDA_OVERRIDE_CUDA "CONDA_OVERRIDE_CUDA"
/* Channel credentials, rattler's and pixi's file (libconda/auth.h); bootstrap's envs.auth_file */
#define NBK_ENV_AUTH_FILE "RATTLER_AUTH_FILE"

/* Keys of the .condarc that bootstrap manages (merged, the user's entries kept). */
#define NBK_CONDARC_ENVS_DIRS "envs_dirs"
#define NBK_CONDARC_PKGS_DIRS "pkgs_dirs"
#define NBK_CONDARC_CHANNELS "channels"
#define NBK_CONDARC_SSL_VERIFY "ssl_verify" /* a CA bundle's path, or true/false */

/* Files and folders: ~/.condarc, the root ~/.conda and its envs/ and pkgs/. */
#define NBK_CONDARC_FILE ".condarc"
#define NBK_CONDA_ROOT_DIR ".conda"
#define NBK_CONDA_ENVS_DIR "envs"
#define NBK_CONDA_PKGS_DIR "pkgs"

#endif
