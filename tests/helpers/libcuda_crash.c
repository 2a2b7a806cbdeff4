/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test double of libcuda.so.1 that crashes inside cuInit (a driver and
 * kernel module that do not match can do that): the probe must report it
 * and bootstrap must carry on.
 */
#include <signal.h>

typedef int CUresult;

CUresult cuInit(unsigned int flags);
CUresult cuDriverGetVersion(int *version);

CUresult cuInit(unsigned int flags)
{
	(void)flags;
	raise(SIGSEGV);
	return 999;
}

CUresult cuDriverGetVersion(int *version)
{
	*version = 12040;
	return 0;
}
