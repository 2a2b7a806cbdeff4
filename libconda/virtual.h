/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conda's virtual packages: what the machine offers, as records that specs
 * can depend on ("__glibc >=2.17", "__cuda >=12").
 *
 *   __unix      always (version 0)
 *   __linux     the kernel release from uname(2) ("6.1.0")
 *   __glibc     confstr(_CS_GNU_LIBC_VERSION) ("2.36")
 *   __archspec  version 1, build = the x86-64 micro-architecture level
 *               ("x86_64_v3"), or the machine name elsewhere ("aarch64")
 *   __cuda      the driver's cuDriverGetVersion() ("12.4"), asked in a
 *               child process (a wedged driver can hang or crash) that is
 *               killed at a time limit; absent without a driver
 *
 * CONDA_OVERRIDE_LINUX, CONDA_OVERRIDE_GLIBC, CONDA_OVERRIDE_ARCHSPEC
 * (the build string) and CONDA_OVERRIDE_CUDA win over detection; set to ""
 * they remove the package (conda's rule).
 */
#ifndef LIBCONDA_VIRTUAL_H
#define LIBCONDA_VIRTUAL_H

#include <stddef.h>

#include "nbkit/conda_names.h"
#include "nbkit/error.h"
#include "record.h"

/* and NBK_ENV_CONDA_OVERRIDE_CUDA (nbkit/conda_names.h: bootstrap sets it) */
#define ET_ENV_OVERRIDE_GLIBC "CONDA_OVERRIDE_GLIBC"
#define ET_ENV_OVERRIDE_LINUX "CONDA_OVERRIDE_LINUX"
#define ET_ENV_OVERRIDE_ARCHSPEC "CONDA_OVERRIDE_ARCHSPEC"

struct et_virtual_opts {
	const char *libcuda;  /* the driver library to dlopen; NULL: "libcuda.so.1" */
	int cuda_timeout_ms;  /* 0: 5000 */
	const char *platform; /* subdir the packages are for; NULL: the host's
				 * (only linux-* gets __linux/__glibc, __unix for
				 * everything but win-*) */
};

/*
 * Detect the virtual packages.  On success *out is an array of *n owned
 * records (release each with et_record_release(), then free the array),
 * with channel "@" and subdir the platform's.  Fails only on errors in an
 * override.
 */
int et_virtual_detect(const struct et_virtual_opts *opts, struct et_record **out, size_t *n,
		      struct nbk_error *err);

/*
 * The CUDA driver version through opts->libcuda in a child process:
 * "12.4" into buf, 0; 1 when there is no usable driver (missing library,
 * cuInit failure, crash, timeout: *why says which).
 */
int et_virtual_cuda_version(const struct et_virtual_opts *opts, char *buf, size_t len,
			    const char **why);

#endif
