/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nbkit/cleanup.h"

void nbk_cleanup_freep(void *p)
{
	void **pp = p;

	free(*pp);
	*pp = NULL;
}

void nbk_cleanup_closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	errno = saved;
}

void nbk_cleanup_fclosep(FILE **f)
{
	int saved = errno;

	if (*f)
		fclose(*f);
	*f = NULL;
	errno = saved;
}
