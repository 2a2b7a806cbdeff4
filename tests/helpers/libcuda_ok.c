/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test double of the NVIDIA driver's libcuda.so.1 (there is no GPU here):
 * a real shared library with the driver's ABI for the two calls bootstrap's
 * probe makes.  This one answers: cuInit succeeds and cuDriverGetVersion
 * reports NBK_FAKE_CUDA_VERSION, 12040 (CUDA 12.4) by default.
 */
#include <stdlib.h>

typedef int CUresult; /* an enum in cuda.h: int-sized, 0 is CUDA_SUCCESS */

static int initialised;

CUresult cuInit(unsigned int flags);
CUresult cuDriverGetVersion(int *version);

CUresult cuInit(unsigned int flags)
{
	if (flags != 0)
		return 1; /* CUDA_ERROR_INVALID_VALUE, as the driver does */
	initialised = 1;
	return 0;
}

CUresult cuDriverGetVersion(int *version)
{
	const char *v = getenv("NBK_FAKE_CUDA_VERSION");

	if (!version)
		return 1;
	if (!initialised)
		return 3; /* CUDA_ERROR_NOT_INITIALIZED: the probe must call cuInit first */
	*version = v && *v ? atoi(v) : 12040;
	return 0;
}
