/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpu: find the NVIDIA driver's libcuda.so.1 in gpu.driver_dirs, ask it its
 * version, and wire it up for the command: CONDA_OVERRIDE_CUDA=MAJOR.MINOR
 * (so that conda, mamba and envtool solve __cuda against the real driver),
 * the driver folder on LD_LIBRARY_PATH and its bin/ on PATH.
 *
 * The driver is probed in a forked child, never in bootstrap itself: a
 * broken driver or a wedged GPU can hang cuInit() for minutes, crash, or
 * leave threads behind, and bootstrap is PID 1.  The child dlopen()s the
 * library, calls cuInit(0) and cuDriverGetVersion(), and writes the result
 * into a pipe; the parent waits at most gpu.probe_timeout, then kills the
 * child's process group.  (dlopen() after fork() is not async-signal-safe in
 * general; it is safe here because bootstrap is single-threaded, so no lock
 * can be held by a thread that does not exist in the child.)
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
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"
#include "gpu.h"

#define STEP "gpu"

#define BS_CUDA_LIB "libcuda.so.1"
#define BS_ENV_CONDA_OVERRIDE_CUDA "CONDA_OVERRIDE_CUDA"
#define BS_ENV_LD_LIBRARY_PATH "LD_LIBRARY_PATH"
#define BS_ENV_PATH "PATH"
/* What execvp() searches when PATH is unset (glibc's confstr(_CS_PATH) plus the sbin folders). */
#define BS_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* How long to wait for the killed child before leaving it to the reaper. */
#define BS_GPU_REAP_MS 1000
#define BS_GPU_DEFAULT_TIMEOUT_MS 5000

/* The driver's ABI (cuda.h): CUresult is an enum, int-sized; 0 is CUDA_SUCCESS. */
typedef int (*cu_init_fn)(unsigned int flags);
typedef int (*cu_driver_get_version_fn)(int *version);

enum probe_stage { STAGE_OK, STAGE_DLOPEN, STAGE_DLSYM, STAGE_INIT, STAGE_VERSION };

/* What the child writes into the pipe: one fixed-size record. */
struct probe_record {
	int stage;
	int code;     /* CUresult of the failing call */
	int version;
	char msg[256];
};

/* Folders the dynamic loader searches by default (ld.so(8)). */
static const char *const loader_dirs[] = {
	"/lib", "/lib64", "/usr/lib", "/usr/lib64",
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	NULL,
};

/* The CUresult values a probe meets in practice (cuda.h). */
static const char *cu_result_name(int code)
{
	switch (code) {
	case 1: return "CUDA_ERROR_INVALID_VALUE";
	case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
	case 3: return "CUDA_ERROR_NOT_INITIALIZED";
	case 4: return "CUDA_ERROR_DEINITIALIZED";
	case 34: return "CUDA_ERROR_STUB_LIBRARY";
	case 35: return "CUDA_ERROR_INSUFFICIENT_DRIVER";
	case 46: return "CUDA_ERROR_DEVICE_UNAVAILABLE";
	case 100: return "CUDA_ERROR_NO_DEVICE";
	case 101: return "CUDA_ERROR_INVALID_DEVICE";
	case 304: return "CUDA_ERROR_OPERATING_SYSTEM";
	case 802: return "CUDA_ERROR_SYSTEM_NOT_READY";
	case 803: return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
	case 804: return "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
	case 999: return "CUDA_ERROR_UNKNOWN";
	default: return "CUresult";
	}
}

static void write_record(int fd, const struct probe_record *rec)
{
	const char *p = (const char *)rec;
	size_t left = sizeof(*rec);

	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		left -= (size_t)n;
	}
}

/* In the child: never returns. */
static void __attribute__((noreturn)) probe_child(const char *lib, int fd)
{
	struct probe_record rec;
	struct rlimit no_core = { 0, 0 };
	cu_init_fn cu_init;
	cu_driver_get_version_fn cu_version;
	const char *e;
	void *h;

	memset(&rec, 0, sizeof(rec));
	setpgid(0, 0);
	nbk_reset_signals();
	/* A driver that crashes must not leave a core file of bootstrap in the cwd. */
	setrlimit(RLIMIT_CORE, &no_core);
	/* stdout belongs to the command (and to --print-env): a chatty driver writes to stderr. */
	dup2(2, 1);
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		rec.stage = STAGE_DLOPEN;
		e = dlerror();
		snprintf(rec.msg, sizeof(rec.msg), "%s", e ? e : "dlopen failed");
		goto out;
	}
	cu_init = (cu_init_fn)dlsym(h, "cuInit");
	cu_version = (cu_driver_get_version_fn)dlsym(h, "cuDriverGetVersion");
	if (!cu_init || !cu_version) {
		rec.stage = STAGE_DLSYM;
		snprintf(rec.msg, sizeof(rec.msg), "no %s symbol",
			 !cu_init ? "cuInit" : "cuDriverGetVersion");
		goto out;
	}
	rec.code = cu_init(0);
	if (rec.code != 0) {
		rec.stage = STAGE_INIT;
		goto out;
	}
	rec.code = cu_version(&rec.version);
	if (rec.code != 0) {
		rec.stage = STAGE_VERSION;
		goto out;
	}
	rec.stage = STAGE_OK;
out:
	write_record(fd, &rec);
	_exit(0);
}

/*
 * Wait for pid for at most ms; 1 when reaped (*status set), 0 when not.  A
 * child stuck in the kernel (uninterruptible sleep in the driver) cannot die
 * even of SIGKILL: it is left to the supervisor's reaper rather than
 * blocking the start.
 */
static int reap_within(pid_t pid, unsigned ms, int *status)
{
	uint64_t deadline = nbk_now_ms() + ms;

	for (;;) {
		pid_t r = nbk_waitpid(pid, status, WNOHANG);

		if (r == pid || r < 0)
			return r == pid;
		if (nbk_now_ms() >= deadline)
			return 0;
		usleep(5000);
	}
}

NBK_STATIC enum bs_gpu_probe_outcome bs_gpu_probe(const char *lib, unsigned timeout_ms, int *version,
				       char *why, size_t whylen, uint64_t *elapsed_ms)
{
	struct probe_record rec;
	uint64_t start = nbk_now_ms();
	uint64_t deadline = start + timeout_ms;
	size_t got = 0;
	int fds[2];
	int status = 0;
	pid_t pid;
	bool hung = false;

	*version = 0;
	why[0] = '\0';
	*elapsed_ms = 0;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "cannot create a pipe: %s", strerror(errno));
		return BS_GPU_PROBE_FAILED;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "cannot fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return BS_GPU_PROBE_FAILED;
	}
	if (pid == 0) {
		close(fds[0]);
		probe_child(lib, fds[1]);
	}
	setpgid(pid, pid); /* no race with the child's own setpgid() */
	close(fds[1]);

	memset(&rec, 0, sizeof(rec));
	while (got < sizeof(rec)) {
		uint64_t now = nbk_now_ms();
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t n;
		int r;

		if (now >= deadline) {
			hung = true;
			break;
		}
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, whylen, "cannot wait for the probe: %s", strerror(errno));
			break;
		}
		if (r == 0)
			continue; /* the deadline check above ends the loop */
		n = read(fds[0], (char *)&rec + got, sizeof(rec) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF: the child died without a full answer */
		got += (size_t)n;
	}
	close(fds[0]);

	if (got < sizeof(rec)) {
		/* Hung, or died half way: make sure it is gone, then say how it ended. */
		if (kill(-pid, SIGKILL) < 0)
			kill(pid, SIGKILL);
		if (!reap_within(pid, BS_GPU_REAP_MS, &status)) {
			*elapsed_ms = nbk_now_ms() - start;
			snprintf(why, whylen,
				 "no answer within %u ms; the probe (pid %d) could not be stopped "
				 "and is left behind", timeout_ms, (int)pid);
			return BS_GPU_PROBE_HUNG;
		}
		*elapsed_ms = nbk_now_ms() - start;
		if (hung) {
			snprintf(why, whylen, "no answer within %u ms: the probe was killed",
				 timeout_ms);
			return BS_GPU_PROBE_HUNG;
		}
		if (!why[0]) {
			char desc[96];

			nbk_describe_status(status, desc, sizeof(desc));
			snprintf(why, whylen, "the probe ended before answering: %s", desc);
		}
		return BS_GPU_PROBE_FAILED;
	}
	reap_within(pid, BS_GPU_REAP_MS, &status);
	*elapsed_ms = nbk_now_ms() - start;
	rec.msg[sizeof(rec.msg) - 1] = '\0';
	switch (rec.stage) {
	case STAGE_OK:
		if (rec.version <= 0 || rec.version >= 1000000) {
			snprintf(why, whylen, "cuDriverGetVersion() gave %d, not a version",
				 rec.version);
			return BS_GPU_PROBE_FAILED;
		}
		*version = rec.version;
		return BS_GPU_PROBE_OK;
	case STAGE_DLOPEN:
		snprintf(why, whylen, "cannot load it: %s", rec.msg);
		break;
	case STAGE_DLSYM:
		snprintf(why, whylen, "not a CUDA driver: %s", rec.msg);
		break;
	case STAGE_INIT:
		snprintf(why, whylen, "cuInit(0) failed: %s (%d)", cu_result_name(rec.code),
			 rec.code);
		break;
	case STAGE_VERSION:
		snprintf(why, whylen, "cuDriverGetVersion() failed: %s (%d)",
			 cu_result_name(rec.code), rec.code);
		break;
	default:
		snprintf(why, whylen, "the probe answered nonsense");
		break;
	}
	return BS_GPU_PROBE_FAILED;
}

NBK_STATIC void bs_gpu_version_string(int version, char *out, size_t outlen)
{
	snprintf(out, outlen, "%d.%d", version / 1000, (version % 1000) / 10);
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

NBK_STATIC int bs_gpu_path_add(struct nbk_strvec *env, const char *key, const char *dir, bool prepend,
		    const char *fallback)
{
	const char *cur = nbk_env_get(env, key);
	_cleanup_free_ char *value = NULL;

	if (cur && list_contains(cur, dir))
		return 0;
	if (!cur || !*cur) {
		if (!prepend && fallback && !cur)
			value = list_contains(fallback, dir) ? nbk_xstrdup(fallback)
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
	size_t i;

	for (i = 0; loader_dirs[i]; i++)
		if (!strcmp(norm, loader_dirs[i]))
			return true;
	return false;
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
	size_t i;

	bs_gpu_version_string(version, ver, sizeof(ver));
	if (bs_env_set_default(ctx, BS_ENV_CONDA_OVERRIDE_CUDA, ver))
		nbk_strvec_push(&set, BS_ENV_CONDA_OVERRIDE_CUDA);
	else
		nbk_strvec_pushf(&kept, "%s=%s", BS_ENV_CONDA_OVERRIDE_CUDA,
				 nbk_env_get(&ctx->env, BS_ENV_CONDA_OVERRIDE_CUDA));
	if (bs_gpu_is_loader_dir(norm))
		nbk_strvec_pushf(&kept, "%s (a default library folder)", BS_ENV_LD_LIBRARY_PATH);
	else if (bs_gpu_path_add(&ctx->env, BS_ENV_LD_LIBRARY_PATH, norm, true, NULL))
		nbk_strvec_push(&set, BS_ENV_LD_LIBRARY_PATH);
	else
		nbk_strvec_pushf(&kept, "%s (already lists it)", BS_ENV_LD_LIBRARY_PATH);
	if (is_dir(bin)) {
		if (bs_gpu_path_add(&ctx->env, BS_ENV_PATH, bin, false, BS_DEFAULT_PATH))
			nbk_strvec_pushf(&set, "%s (+%s)", BS_ENV_PATH, bin);
		else
			nbk_strvec_pushf(&kept, "%s (already lists %s)", BS_ENV_PATH, bin);
	}
	nbk_buf_addf(line, "driver %s/%s answered in %llu ms: CUDA %s (%d)", norm, BS_CUDA_LIB,
		     (unsigned long long)ms, ver, version);
	for (i = 0; i < set.n; i++)
		nbk_buf_addf(line, "%s%s", i ? ", " : "; set ", set.v[i]);
	for (i = 0; i < kept.n; i++)
		nbk_buf_addf(line, "%s%s", i ? ", " : "; kept ", kept.v[i]);
	nbk_strvec_release(&set);
	nbk_strvec_release(&kept);
}

static void join_dirs(struct nbk_buf *b, const struct nbk_strvec *dirs)
{
	size_t i;

	if (!dirs->n)
		nbk_buf_addstr(b, "(no gpu.driver_dirs)");
	for (i = 0; i < dirs->n; i++)
		nbk_buf_addf(b, "%s%s", i ? ", " : "", dirs->v[i]);
}

int bs_gpu_apply(struct bs_ctx *ctx, struct nbk_error *err)
{
	const struct bs_config *cfg = &ctx->cfg;
	unsigned timeout_ms = cfg->gpu_probe_timeout_ms ? cfg->gpu_probe_timeout_ms
							: BS_GPU_DEFAULT_TIMEOUT_MS;
	_cleanup_strvec_ struct nbk_strvec probed = NBK_STRVEC_INIT; /* real paths, to probe each once */
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
		return nbk_error_set(err, 0, "gpu.mode is required but no working %s was found in %s%s%s",
				     BS_CUDA_LIB, line.data, failures.len ? ": " : "", failures.data);
	bs_step_log(ctx, STEP, "no %s%s in %s: nothing set", probed.n ? "working " : "",
		    BS_CUDA_LIB, line.data);
	return 0;
}
