/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test double of libcuda.so.1 on a node without a usable GPU: cuInit
 * fails with CUDA_ERROR_NO_DEVICE (100), as the real driver does there.
 */
typedef int CUresult;

CUresult cuInit(unsigned int flags);
CUresult cuDriverGetVersion(int *version);

CUresult cuInit(unsigned int flags)
{
	(void)flags;
	return 100;
}

CUresult cuDriverGetVersion(int *version)
{
	*version = 12040;
	return 0;
}
