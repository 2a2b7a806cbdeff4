/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal functions of gpu.c, visible to tests/unit/test_bootstrap_gpu.c
 * (NBK_STATIC: static in the program, extern in test builds).  Only gpu.c
 * and its test include this header.
 */
#ifndef BOOTSTRAP_GPU_H
#define BOOTSTRAP_GPU_H

#include <stddef.h>
#include <stdint.h>

#include "nbkit/strvec.h"

#include "bootstrap.h"

enum bs_gpu_probe_outcome {
	BS_GPU_PROBE_OK,     /* cuInit(0) and cuDriverGetVersion() answered */
	BS_GPU_PROBE_FAILED, /* the library did not load, or the driver said no */
	BS_GPU_PROBE_HUNG,   /* no answer within the time limit: the child was killed */
};

/*
 * nbk_cuda_probe() (nbkit/cuda.h) of lib, in bootstrap's terms: a hung
 * driver stops the search of later folders, any other failure does not.
 * Returns the outcome; *version is the driver's number (12040 for 12.4) on
 * success, why (always NUL-terminated) says what went wrong otherwise, and
 * *elapsed_ms how long the probe took.
 */
NBK_STATIC enum bs_gpu_probe_outcome bs_gpu_probe(const char *lib, unsigned timeout_ms,
						  int *version, char *why, size_t whylen,
						  uint64_t *elapsed_ms);

/*
 * Add dir to the colon-separated list of variable key in env, in front or
 * at the end, unless it is already one of its elements.  When the variable
 * is unset it becomes dir, or fallback:dir when appending with a fallback
 * (PATH's default).  Returns 1 when the list changed, 0 when not.
 */
NBK_STATIC int bs_gpu_path_add(struct nbk_strvec *env, const char *key, const char *dir,
			       bool prepend, const char *fallback);

/* true for the folders the dynamic loader searches anyway (/usr/lib64 ...). */
NBK_STATIC bool bs_gpu_is_loader_dir(const char *dir);

#endif
