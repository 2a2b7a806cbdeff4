/* SPDX-License-Identifier: Apache-2.0 */
/* The stop request of SIGINT and SIGTERM (interrupt.h). */
#include <signal.h>

#include "interrupt.h"

static volatile sig_atomic_t requested;

void et_interrupt(int sig)
{
	if (!requested)
		requested = sig;
}

int et_interrupted(void)
{
	return requested;
}

void et_interrupt_reset(void)
{
	requested = 0;
}
