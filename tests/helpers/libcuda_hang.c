/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test double of libcuda.so.1 whose cuInit never returns, like a driver
 * stuck on a wedged GPU: bootstrap's probe must kill it at its time limit.
 */
#include <unistd.h>

typedef int CUresult;

CUresult cuInit(unsigned int flags);
CUresult cuDriverGetVersion(int *version);

CUresult cuInit(unsigned int flags)
{
	(void)flags;
	for (;;)
		pause();
}

CUresult cuDriverGetVersion(int *version)
{
	*version = 12040;
	return 0;
}
