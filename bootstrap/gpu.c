/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpu: find the NVIDIA driver's libcuda.so.1 in gpu.driver_dirs, ask it its
 * version, and wire it up for the command: CONDA_OVERRIDE_CUDA=MAJOR.MINOR
 * (so that conda, mamba and envtool solve __cuda against the real driver),
 * the driver folder on LD_LIBRARY_PATH and its bin/ on PATH.
 *
 * The driver is probed by lib's nbk_cuda_probe() (nbkit/cuda.h), in a
 * child process, never in bootstrap itself: a broken driver or a wedged GPU
 * can hang cuInit() for minutes, crash, or leave threads behind, and
 * bootstrap is PID 1.  The child is killed at gpu.probe_timeout.
 *
 * What the container already says wins: CONDA_OVERRIDE_CUDA set by the pod
 * stays, and a folder already on LD_LIBRARY_PATH or PATH is not added again.
 * The loader's default folders (/usr/lib/x86_64-linux-gnu and the like) are
 * never put on LD_LIBRARY_PATH: the driver is found there anyway, and
 * listing them would make the system's libstdc++ shadow the newer one of a
 * conda environment (whose RUNPATH LD_LIBRARY_PATH overrides).
 *
 * gpu.mode: off does nothing; auto sets what it found and warns about a
 * driver that fails or hangs; required fails the start without a working
 * driver.  After a driver that hangs no other folder is tried: a hang means
 * the GPU itself is in trouble, and each try would cost the full time limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/conda_names.h"
#include "nbkit/cuda.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"
#include "gpu.h"

#define STEP "gpu"

#define BS_CUDA_LIB NBK_CUDA_LIB
#define BS_ENV_LD_LIBRARY_PATH "LD_LIBRARY_PATH"
#define BS_ENV_PATH "PATH"
#define BS_GPU_DEFAULT_TIMEOUT_MS 5000

/* Folders the dynamic loader searches by default (ld.so(8)). */
static const char *const loader_dirs[] = {
	"/lib",
	"/lib64",
	"/usr/lib",
	"/usr/lib64",
	"/lib/x86_64-linux-gnu",
	"/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu",
	"/usr/lib/aarch64-linux-gnu",
	NULL,
};

NBK_STATIC enum bs_gpu_probe_outcome bs_gpu_probe(const char *lib, unsigned timeout_ms,
						  int *version, char *why, size_t whylen,
						  uint64_t *elapsed_ms)
{
	struct nbk_cuda_probe p;

	nbk_cuda_probe(lib, timeout_ms, &p);
	*version = p.version;
	*elapsed_ms = p.elapsed_ms;
	snprintf(why, whylen, "%s", p.why);
	if (p.result == NBK_CUDA_OK)
		return BS_GPU_PROBE_OK;
	return p.result == NBK_CUDA_HUNG ? BS_GPU_PROBE_HUNG : BS_GPU_PROBE_FAILED;
}

static bool list_contains(const char *list, const char *dir)
{
	size_t dlen = strlen(dir);
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ":");

		if (len == dlen && !strncmp(p, dir, dlen))
			return true;
		if (!p[len])
			return false;
		p += len + 1;
	}
}

NBK_STATIC int bs_gpu_path_add(struct nbk_strvec *env, const char *key, const char *dir,
			       bool prepend, const char *fallback)
{
	const char *cur = nbk_env_get(env, key);
	_cleanup_free_ char *value = NULL;

	if (cur && list_contains(cur, dir))
		return 0;
	if (!cur || !*cur) {
		if (!prepend && fallback && !cur)
			value = list_contains(fallback, dir)
					? nbk_xstrdup(fallback)
					: nbk_xasprintf("%s:%s", fallback, dir);
		else
			value = nbk_xstrdup(dir);
	} else if (prepend) {
		value = nbk_xasprintf("%s:%s", dir, cur);
	} else {
		value = nbk_xasprintf("%s:%s", cur, dir);
	}
	nbk_env_set(env, key, value);
	return 1;
}

NBK_STATIC bool bs_gpu_is_loader_dir(const char *dir)
{
	_cleanup_free_ char *norm = nbk_path_normalize(dir);

	return nbk_str_in(norm, loader_dirs);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Set the variables for a working driver in dir; describe what was done in line. */
static void wire_up(struct bs_ctx *ctx, const char *dir, int version, uint64_t ms,
		    struct nbk_buf *line)
{
	_cleanup_free_ char *norm = nbk_path_normalize(dir);
	_cleanup_free_ char *up = nbk_xasprintf("%s/../bin", norm);
	_cleanup_free_ char *bin = nbk_path_normalize(up);
	struct nbk_strvec set = NBK_STRVEC_INIT;
	struct nbk_strvec kept = NBK_STRVEC_INIT;
	char ver[32];

	nbk_cuda_version_string(version, ver, sizeof(ver));
	if (bs_env_set_default(ctx, NBK_ENV_CONDA_OVERRIDE_CUDA, ver))
		nbk_strvec_push(&set, NBK_ENV_CONDA_OVERRIDE_CUDA);
	else
		nbk_strvec_pushf(&kept, "%s=%s", NBK_ENV_CONDA_OVERRIDE_CUDA,
				 nbk_env_get(&ctx->env, NBK_ENV_CONDA_OVERRIDE_CUDA));
	if (bs_gpu_is_loader_dir(norm))
		nbk_strvec_pushf(&kept, "%s (a default library folder)", BS_ENV_LD_LIBRARY_PATH);
	else if (bs_gpu_path_add(&ctx->env, BS_ENV_LD_LIBRARY_PATH, norm, true, NULL))
		nbk_strvec_push(&set, BS_ENV_LD_LIBRARY_PATH);
	else
		nbk_strvec_pushf(&kept, "%s (already lists it)", BS_ENV_LD_LIBRARY_PATH);
	if (is_dir(bin)) {
		if (bs_gpu_path_add(&ctx->env, BS_ENV_PATH, bin, false, NBK_DEFAULT_PATH))
			nbk_strvec_pushf(&set, "%s (+%s)", BS_ENV_PATH, bin);
		else
			nbk_strvec_pushf(&kept, "%s (already lists %s)", BS_ENV_PATH, bin);
	}
	nbk_buf_addf(line, "driver %s/%s answered in %llu ms: CUDA %s (%d)", norm, BS_CUDA_LIB,
		     (unsigned long long)ms, ver, version);
	if (set.n)
		nbk_buf_addstr(line, "; set ");
	nbk_strvec_join(&set, ", ", line);
	if (kept.n)
		nbk_buf_addstr(line, "; kept ");
	nbk_strvec_join(&kept, ", ", line);
	nbk_strvec_release(&set);
	nbk_strvec_release(&kept);
}

static void join_dirs(struct nbk_buf *b, const struct nbk_strvec *dirs)
{
	if (!dirs->n)
		nbk_buf_addstr(b, "(no gpu.driver_dirs)");
	nbk_strvec_join(dirs, ", ", b);
}

int bs_gpu_apply(struct bs_ctx *ctx, struct nbk_error *err)
{
	const struct bs_config *cfg = &ctx->cfg;
	unsigned timeout_ms = cfg->gpu_probe_timeout_ms ? cfg->gpu_probe_timeout_ms
							: BS_GPU_DEFAULT_TIMEOUT_MS;
	_cleanup_strvec_ struct nbk_strvec probed =
		NBK_STRVEC_INIT; /* real paths, to probe each once */
	_cleanup_buf_ struct nbk_buf failures = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf line = NBK_BUF_INIT;
	size_t i;

	if (cfg->gpu_mode == BS_GPU_OFF) {
		bs_step_log(ctx, STEP, "gpu.mode is off: nothing set");
		return 0;
	}
	for (i = 0; i < cfg->driver_dirs.n; i++) {
		const char *dir = cfg->driver_dirs.v[i];
		_cleanup_free_ char *lib = nbk_xasprintf("%s/%s", dir, BS_CUDA_LIB);
		_cleanup_free_ char *real = realpath(lib, NULL);
		enum bs_gpu_probe_outcome outcome;
		uint64_t ms = 0;
		char why[512];
		int version = 0;

		if (!real)
			continue; /* not there (or a dangling link): the next folder */
		if (nbk_strvec_find(&probed, real) >= 0)
			continue;
		nbk_strvec_push(&probed, real);
		outcome = bs_gpu_probe(lib, timeout_ms, &version, why, sizeof(why), &ms);
		if (outcome == BS_GPU_PROBE_OK) {
			wire_up(ctx, dir, version, ms, &line);
			bs_step_log(ctx, STEP, "%s", line.data);
			return 0;
		}
		nbk_buf_addf(&failures, "%s'%s': %s (after %llu ms)", failures.len ? "; " : "", lib,
			     why, (unsigned long long)ms);
		if (cfg->gpu_mode != BS_GPU_REQUIRED)
			nbk_log(NBK_LOG_WARN, STEP, "'%s': %s (after %llu ms)", lib, why,
				(unsigned long long)ms);
		if (outcome == BS_GPU_PROBE_HUNG)
			break;
	}

	join_dirs(&line, &cfg->driver_dirs);
	if (cfg->gpu_mode == BS_GPU_REQUIRED)
		return nbk_error_set(err, 0,
				     "gpu.mode is required but no working %s was found in %s%s%s",
				     BS_CUDA_LIB, line.data, failures.len ? ": " : "",
				     failures.data);
	bs_step_log(ctx, STEP, "no %s%s in %s: nothing set", probed.n ? "working " : "",
		    BS_CUDA_LIB, line.data);
	return 0;
}
