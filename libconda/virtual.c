/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual packages (virtual.h): detection and conda's overrides.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cuda.h"
#include "nbkit/proc.h"
#include "version.h"
#include "virtual.h"

#define CUDA_TIMEOUT_MS 5000

static void add(struct et_record **v, size_t *n, const char *name, const char *version,
		const char *build, const char *subdir)
{
	struct et_record *r;

	*v = nbk_xrealloc(*v, (*n + 1) * sizeof(**v));
	r = &(*v)[(*n)++];
	et_record_init(r);
	r->name = nbk_xstrdup(name);
	r->version = nbk_xstrdup(version);
	r->build = nbk_xstrdup(build);
	r->subdir = nbk_xstrdup(subdir);
	r->channel = nbk_xstrdup("@");
	r->fn = nbk_xasprintf("%s-%s-%s", name, version, build);
}

/* The leading "N.N[.N[.N]]" of a kernel release ("6.1.0-18-amd64" -> "6.1.0"). */
static void kernel_version(const char *release, char *out, size_t len)
{
	size_t i = 0, dots = 0;

	while (release[i] && i + 1 < len) {
		if (release[i] == '.') {
			if (dots == 3 || !(release[i + 1] >= '0' && release[i + 1] <= '9'))
				break;
			dots++;
		} else if (!(release[i] >= '0' && release[i] <= '9')) {
			break;
		}
		out[i] = release[i];
		i++;
	}
	out[i] = '\0';
	if (dots == 0)
		snprintf(out, len, "0");
}

/* The x86-64 micro-architecture level (psABI levels v1..v4). */
static const char *x86_64_level(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	if (!(__builtin_cpu_supports("popcnt") && __builtin_cpu_supports("sse3") &&
	      __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1") &&
	      __builtin_cpu_supports("sse4.2")))
		return "x86_64";
	if (!(__builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
	      __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
	      __builtin_cpu_supports("fma")))
		return "x86_64_v2";
	if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	      __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
	      __builtin_cpu_supports("avx512vl")))
		return "x86_64_v3";
	return "x86_64_v4";
#else
	return NULL;
#endif
}

int et_virtual_cuda_version(const struct et_virtual_opts *opts, char *buf, size_t len,
			    const char **why)
{
	const char *lib = opts && opts->libcuda ? opts->libcuda : NBK_CUDA_LIB;
	uint64_t timeout = opts && opts->cuda_timeout_ms > 0 ? (uint64_t)opts->cuda_timeout_ms
							     : CUDA_TIMEOUT_MS;
	struct nbk_cuda_probe p;

	*why = NULL;
	if (nbk_cuda_probe(lib, timeout, &p) == 0) {
		nbk_cuda_version_string(p.version, buf, len);
		return 0;
	}
	switch (p.result) {
	case NBK_CUDA_HUNG:
		*why = "the driver did not answer in time";
		break;
	case NBK_CUDA_CRASHED:
		*why = WIFSIGNALED(p.status) ? "the driver crashed" : "the driver gave no version";
		break;
	case NBK_CUDA_NO_LIBRARY:
		*why = "no CUDA driver library";
		break;
	case NBK_CUDA_INIT_FAILED:
		*why = "cuInit failed (no usable GPU)";
		break;
	case NBK_CUDA_ERROR:
		*why = "cannot start the driver probe";
		break;
	default:
		*why = "the driver gave no version";
		break;
	}
	return 1;
}

/*
 * An override: NULL when unset, "" when set empty (the package goes away),
 * else the value, checked as a version.
 */
static int override(const char *var, const char **out, bool is_version, struct nbk_error *err)
{
	const char *v = getenv(var);

	*out = v;
	if (v && *v && is_version && !et_version_valid(v))
		return nbk_error_set(err, 0, "invalid %s '%s': not a version", var, v);
	return 0;
}

/*
 * Detect the virtual packages for opts->platform (opts may be NULL: the
 * host's): __unix (all but win-*), __linux and __glibc (linux-* only),
 * __archspec (the x86-64 level, else the machine), __cuda (the driver's
 * version, probed through a child with a timeout).  Detection describes
 * this machine only: for another platform just the CONDA_OVERRIDE_*
 * variables count; an override set to "" removes that package.  On
 * success *out is a new array of *n records the caller owns (release each
 * with et_record_release(), then free the array), channel "@".  Returns
 * -1 with err, *out NULL and *n 0, only when an override is not a version;
 * what cannot be detected is simply left out.
 */
int et_virtual_detect(const struct et_virtual_opts *opts, struct et_record **out, size_t *n,
		      struct nbk_error *err)
{
	const char *platform = opts && opts->platform ? opts->platform : NULL;
	const char *o_linux, *o_glibc, *o_arch, *o_cuda;
	struct et_record *v = NULL;
	struct utsname u;
	char host[sizeof(u.machine) + 8], buf[128];
	bool native;
	size_t i;

	*out = NULL;
	*n = 0;
	if (override(ET_ENV_OVERRIDE_LINUX, &o_linux, true, err) < 0 ||
	    override(ET_ENV_OVERRIDE_GLIBC, &o_glibc, true, err) < 0 ||
	    override(ET_ENV_OVERRIDE_ARCHSPEC, &o_arch, false, err) < 0 ||
	    override(NBK_ENV_CONDA_OVERRIDE_CUDA, &o_cuda, true, err) < 0)
		return -1;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	snprintf(host, sizeof(host), "linux-%s",
		 strcmp(u.machine, "x86_64") == 0 ? "64" : u.machine);
	if (!platform)
		platform = host;
	/* Detection describes this machine: for another platform only overrides. */
	native = strcmp(platform, host) == 0;
	if (strncmp(platform, "win-", 4) != 0)
		add(&v, n, "__unix", "0", "0", platform);
	if (strncmp(platform, "linux-", 6) == 0) {
		if (o_linux) {
			if (*o_linux)
				add(&v, n, "__linux", o_linux, "0", platform);
		} else if (native) {
			kernel_version(u.release, buf, sizeof(buf));
			add(&v, n, "__linux", buf, "0", platform);
		}
		if (o_glibc) {
			if (*o_glibc)
				add(&v, n, "__glibc", o_glibc, "0", platform);
		} else if (native && confstr(_CS_GNU_LIBC_VERSION, buf, sizeof(buf)) > 0) {
			const char *sp = strchr(buf, ' ');

			add(&v, n, "__glibc", sp ? sp + 1 : buf, "0", platform);
		}
	}
	if (o_arch) {
		if (*o_arch)
			add(&v, n, "__archspec", "1", o_arch, platform);
	} else if (native) {
		const char *lvl = x86_64_level();

		if (!lvl)
			lvl = u.machine[0] ? u.machine : NULL;
		if (lvl)
			add(&v, n, "__archspec", "1", lvl, platform);
	}
	if (o_cuda) {
		if (*o_cuda)
			add(&v, n, "__cuda", o_cuda, "0", platform);
	} else if (native) {
		const char *why;

		if (et_virtual_cuda_version(opts, buf, sizeof(buf), &why) == 0)
			add(&v, n, "__cuda", buf, "0", platform);
	}
	for (i = 0; i < *n; i++)
		v[i].timestamp_ms = 0;
	*out = v;
	return 0;
}
