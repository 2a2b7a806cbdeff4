/* SPDX-License-Identifier: Apache-2.0 */
/* The CUDA driver probe (cuda.h). */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/cuda.h"
#include "nbkit/fd.h"
#include "nbkit/proc.h"

#define CUDA_DEFAULT_TIMEOUT_MS 5000
/* How long to wait for the killed probe before leaving it to a reaper: a
 * child asleep in the driver (uninterruptible) cannot die even of SIGKILL. */
#define CUDA_REAP_MS 1000

/* The driver's ABI (cuda.h): CUresult is an enum, int-sized; 0 is CUDA_SUCCESS. */
typedef int (*cu_init_fn)(unsigned int flags);
typedef int (*cu_driver_get_version_fn)(int *version);

/* What the child writes into the pipe: one fixed-size record. */
struct probe_record {
	int result; /* enum nbk_cuda_result */
	int code;
	int version;
	char msg[256];
};

/* The CUresult values a probe meets in practice (cuda.h). */
static const char *cu_result_name(int code)
{
	switch (code) {
	case 1:
		return "CUDA_ERROR_INVALID_VALUE";
	case 2:
		return "CUDA_ERROR_OUT_OF_MEMORY";
	case 3:
		return "CUDA_ERROR_NOT_INITIALIZED";
	case 4:
		return "CUDA_ERROR_DEINITIALIZED";
	case 34:
		return "CUDA_ERROR_STUB_LIBRARY";
	case 35:
		return "CUDA_ERROR_INSUFFICIENT_DRIVER";
	case 46:
		return "CUDA_ERROR_DEVICE_UNAVAILABLE";
	case 100:
		return "CUDA_ERROR_NO_DEVICE";
	case 101:
		return "CUDA_ERROR_INVALID_DEVICE";
	case 304:
		return "CUDA_ERROR_OPERATING_SYSTEM";
	case 802:
		return "CUDA_ERROR_SYSTEM_NOT_READY";
	case 803:
		return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
	case 804:
		return "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
	case 999:
		return "CUDA_ERROR_UNKNOWN";
	default:
		return "CUresult";
	}
}

/* In the child (nbk_proc_opts.fn): ask the driver, write the record to fd. */
static int probe_child(void *arg, int fd)
{
	const char *lib = arg;
	struct probe_record rec;
	cu_init_fn cu_init;
	cu_driver_get_version_fn cu_version;
	const char *e;
	void *h;

	memset(&rec, 0, sizeof(rec));
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		rec.result = NBK_CUDA_NO_LIBRARY;
		e = dlerror();
		snprintf(rec.msg, sizeof(rec.msg), "%s", e ? e : "dlopen failed");
		goto out;
	}
	cu_init = (cu_init_fn)dlsym(h, "cuInit");
	cu_version = (cu_driver_get_version_fn)dlsym(h, "cuDriverGetVersion");
	if (!cu_init || !cu_version) {
		rec.result = NBK_CUDA_NOT_DRIVER;
		snprintf(rec.msg, sizeof(rec.msg), "no %s symbol",
			 !cu_init ? "cuInit" : "cuDriverGetVersion");
		goto out;
	}
	rec.code = cu_init(0);
	if (rec.code != 0) {
		rec.result = NBK_CUDA_INIT_FAILED;
		goto out;
	}
	rec.code = cu_version(&rec.version);
	rec.result = rec.code != 0 ? NBK_CUDA_NO_VERSION : NBK_CUDA_OK;
out:
	return nbk_write_all(fd, &rec, sizeof(rec)) < 0 ? 1 : 0;
}

/* Turn a complete record into p's result and message. */
static void from_record(const struct probe_record *rec, struct nbk_cuda_probe *p)
{
	p->code = rec->code;
	switch (rec->result) {
	case NBK_CUDA_OK:
		if (rec->version <= 0 || rec->version >= 1000000) {
			p->result = NBK_CUDA_NO_VERSION;
			snprintf(p->why, sizeof(p->why),
				 "cuDriverGetVersion() gave %d, not a version", rec->version);
			return;
		}
		p->result = NBK_CUDA_OK;
		p->version = rec->version;
		return;
	case NBK_CUDA_NO_LIBRARY:
		p->result = NBK_CUDA_NO_LIBRARY;
		snprintf(p->why, sizeof(p->why), "cannot load it: %s", rec->msg);
		return;
	case NBK_CUDA_NOT_DRIVER:
		p->result = NBK_CUDA_NOT_DRIVER;
		snprintf(p->why, sizeof(p->why), "not a CUDA driver: %s", rec->msg);
		return;
	case NBK_CUDA_INIT_FAILED:
		p->result = NBK_CUDA_INIT_FAILED;
		snprintf(p->why, sizeof(p->why), "cuInit(0) failed: %s (%d)",
			 cu_result_name(rec->code), rec->code);
		return;
	case NBK_CUDA_NO_VERSION:
		p->result = NBK_CUDA_NO_VERSION;
		snprintf(p->why, sizeof(p->why), "cuDriverGetVersion() failed: %s (%d)",
			 cu_result_name(rec->code), rec->code);
		return;
	default:
		p->result = NBK_CUDA_CRASHED;
		snprintf(p->why, sizeof(p->why), "the probe answered nonsense");
		return;
	}
}

int nbk_cuda_probe(const char *lib, uint64_t timeout_ms, struct nbk_cuda_probe *p)
{
	struct nbk_error err = NBK_ERROR_INIT;
	_cleanup_buf_ struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_proc_result res;
	struct probe_record rec;
	struct nbk_proc_opts o = {
		.fn = probe_child,
		.arg = (void *)(lib ? lib : NBK_CUDA_LIB),
		/* stdout belongs to the caller's command (and to --print-env): a
		 * chatty driver writes to stderr; a crash leaves no core file */
		.flags = NBK_PROC_NEW_PGRP | NBK_PROC_CAPTURE_STDOUT | NBK_PROC_STDOUT_TO_STDERR |
			 NBK_PROC_NO_CORE,
		.timeout_ms = timeout_ms ? timeout_ms : CUDA_DEFAULT_TIMEOUT_MS,
		.grace_ms = 0, /* a hung driver gets SIGKILL at once */
		.reap_ms = CUDA_REAP_MS,
		.max_out = sizeof(rec),
	};

	memset(p, 0, sizeof(*p));
	if (nbk_proc_run(&o, &out, &res, &err) < 0) {
		p->result = NBK_CUDA_ERROR;
		snprintf(p->why, sizeof(p->why), "cannot start the probe: %.400s", err.msg);
		return -1;
	}
	p->elapsed_ms = res.elapsed_ms;
	p->status = res.status;
	if (out.len == sizeof(rec)) {
		/* a full answer counts even when the exit came late */
		memcpy(&rec, out.data, sizeof(rec));
		rec.msg[sizeof(rec.msg) - 1] = '\0';
		from_record(&rec, p);
		return p->result == NBK_CUDA_OK ? 0 : -1;
	}
	if (!res.reaped) {
		p->result = NBK_CUDA_HUNG;
		snprintf(p->why, sizeof(p->why),
			 "no answer within %llu ms; the probe (pid %d) could not be stopped "
			 "and is left behind",
			 (unsigned long long)o.timeout_ms, (int)res.pid);
	} else if (res.timed_out) {
		p->result = NBK_CUDA_HUNG;
		snprintf(p->why, sizeof(p->why), "no answer within %llu ms: the probe was killed",
			 (unsigned long long)o.timeout_ms);
	} else {
		char desc[96];

		p->result = NBK_CUDA_CRASHED;
		nbk_describe_status(res.status, desc, sizeof(desc));
		snprintf(p->why, sizeof(p->why), "the probe ended before answering: %s", desc);
	}
	return -1;
}

void nbk_cuda_version_string(int version, char *out, size_t outlen)
{
	snprintf(out, outlen, "%d.%d", version / 1000, (version % 1000) / 10);
}
