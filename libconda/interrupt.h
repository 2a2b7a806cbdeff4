/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ctrl-C (issue 12): SIGINT or SIGTERM asks the engine to stop, and the
 * engine stops at the next safe point, leaving the environment as it was
 * or as asked, never half-changed:
 *   - before a change starts (fetching, extracting, solving): the transfer
 *     in flight is cut, nothing in the environment is touched;
 *   - create: the temporary folder is removed (no environment, or the old
 *     one still in place) until the new one is renamed in; after that the
 *     create finishes;
 *   - install, update, remove: once the journal is written the change is
 *     finished (its packages are extracted already: linking takes moments),
 *     so no next run is needed.
 * The tool's signal handler calls et_interrupt() (async-signal-safe); the
 * engine asks et_interrupted() at each safe point and fails with
 * ET_ERR_INTERRUPTED in err->errnum.  The engine never exits: the tool
 * prints one line and exits 128 + the signal (130, 143).
 */
#ifndef LIBCONDA_INTERRUPT_H
#define LIBCONDA_INTERRUPT_H

#include <errno.h>

/* err->errnum of an engine call that stopped for a signal */
#define ET_ERR_INTERRUPTED ECANCELED

/* Record sig (the first one wins); safe in a signal handler. */
void et_interrupt(int sig);
/* The signal that asked to stop, or 0. */
int et_interrupted(void);
/* Forget it (tests). */
void et_interrupt_reset(void);

#endif
