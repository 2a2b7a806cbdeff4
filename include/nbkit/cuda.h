/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CUDA driver probe, shared by bootstrap (gpu.c: CONDA_OVERRIDE_CUDA)
 * and envtool (the __cuda virtual package).
 *
 * The driver is asked in a child process (nbk_proc_run() with opts.fn),
 * never in the caller: a broken driver or a wedged GPU can hang cuInit()
 * for minutes, crash, or leave threads behind.  The child dlopen()s the
 * library, calls cuInit(0) then cuDriverGetVersion() with the driver's ABI
 * (CUresult cuInit(unsigned int), CUresult cuDriverGetVersion(int *)) and
 * writes one record into a pipe; past the time limit its process group is
 * killed.  dlopen() after fork() is safe only in a single-threaded caller
 * (no lock can be held by a thread that does not exist in the child):
 * bootstrap is, and envtool probes before it starts any thread.
 */
#ifndef NBKIT_CUDA_H
#define NBKIT_CUDA_H

#include <stddef.h>
#include <stdint.h>

/* The driver's library, as the loader finds it (its default folders, LD_LIBRARY_PATH). */
#define NBK_CUDA_LIB "libcuda.so.1"

enum nbk_cuda_result {
	NBK_CUDA_OK,          /* version holds cuDriverGetVersion()'s number */
	NBK_CUDA_NO_LIBRARY,  /* dlopen() failed */
	NBK_CUDA_NOT_DRIVER,  /* no cuInit or cuDriverGetVersion symbol */
	NBK_CUDA_INIT_FAILED, /* cuInit(0) said no (code) */
	NBK_CUDA_NO_VERSION,  /* cuDriverGetVersion() failed (code) or gave nonsense */
	NBK_CUDA_CRASHED,     /* the probe ended before answering (status) */
	NBK_CUDA_HUNG,        /* no answer in time: killed, or left behind */
	NBK_CUDA_ERROR,       /* the probe could not be started */
};

struct nbk_cuda_probe {
	enum nbk_cuda_result result;
	int version; /* 12040 for 12.4 */
	int code;    /* CUresult of the failing call */
	int status;  /* wait status, for NBK_CUDA_CRASHED */
	uint64_t elapsed_ms;
	char why[512]; /* what went wrong, "" when OK */
};

/*
 * Probe lib (a path, or NULL: NBK_CUDA_LIB through the loader's search) in
 * a child killed after timeout_ms (0: 5000).  Fills *p.  Returns 0 when
 * the driver answered, -1 when not (p->result and p->why say why).
 */
int nbk_cuda_probe(const char *lib, uint64_t timeout_ms, struct nbk_cuda_probe *p);

/* "MAJOR.MINOR" of a cuDriverGetVersion() number (12040 -> "12.4"). */
void nbk_cuda_version_string(int version, char *out, size_t outlen);

#endif
