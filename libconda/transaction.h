/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Changing a prefix safely (issue 4, "Transactions").
 *
 * Three names, three things: the solver's answer is a struct et_solution
 * (solve.h, in memory); a struct et_txn is that answer made concrete for
 * one prefix (records, their extracted folders, history), and
 * et_txn_apply() carries it out; struct et_journal (transaction.c) is the
 * on-disk record of a change in progress, conda-meta/.envtool-journal,
 * from which et_journal_recover() finishes a change that was interrupted.
 *
 * create: everything is linked into a temporary folder next to the target
 * (.NAME.envtool-tmp-XXXXXX), with the final path written into the files,
 * and renamed into place only when every package is in; post-link scripts
 * then run in the final prefix, and one that fails removes it again.  A
 * create that is killed leaves only the temporary folder, which the next
 * create of that name removes.  Replacing an environment (create over an
 * existing one, ET_TXN_REPLACE) renames the old one aside
 * (.NAME.envtool-old-XXXXXX) just before the new one goes in, and removes
 * it only after the new one's post-link scripts succeeded; a failure puts
 * the old one back, and a replacement killed between the two renames is
 * undone by the next create of that name.
 *
 * install / update / remove: the packages are already extracted (the
 * caller fetched them first); a journal (conda-meta/.envtool-journal)
 * lists every step before the first one is taken.  Steps are ordered so
 * that conda-meta never claims what is not there: a package's conda-meta
 * record is moved out (conda-meta/.envtool-unlinking-DIST.json) before its
 * files are removed, and written only after all its files are linked.  A
 * run that finds a journal (the last one was killed) finishes the change
 * (et_journal_recover()), so conda-meta and the files agree again.  Files that
 * no package listed (the user's) are never removed; folders only when
 * empty.
 *
 * Locks: an existing prefix is locked with flock() on
 * conda-meta/.envtool-lock, a prefix being created on
 * PARENT/.NAME.envtool-lock; a second envtool gets a clear error at once.
 */
#ifndef LIBCONDA_TRANSACTION_H
#define LIBCONDA_TRANSACTION_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "record.h"

struct et_txn_link {
	const struct et_record *rec;
	const char *pkg_dir;        /* extracted, conda's pkgs layout */
	const char *requested_spec; /* NULL or "" when not requested by the user */
};

enum et_txn_flags {
	ET_TXN_CREATE = 1 << 0, /* a new prefix, built aside and renamed in */
	ET_TXN_REMOVE_ENV =
		1 << 1,       /* remove --all: every package, then conda-meta and empty folders */
	ET_TXN_COPY = 1 << 2, /* never hard link */
	ET_TXN_REPLACE = 1 << 3, /* with CREATE: an environment at prefix is replaced */
};

/*
 * What the packages themselves say while a change is applied, for the tool
 * to show (the engine never prints).  Each buffer is appended to in the
 * order the packages ran.
 */
struct et_txn_output {
	struct nbk_buf scripts; /* the post-link/pre-unlink scripts' output, bash -x trace included */
	struct nbk_buf messages; /* the environment's .messages.txt, written by those scripts */
};

struct et_txn {
	struct et_txn_output *output; /* NULL: what the packages say is dropped */
	const char *prefix;           /* absolute path */
	unsigned flags;               /* enum et_txn_flags */
	const struct et_txn_link *link;
	size_t nlink;
	const char *const *unlink; /* names of installed packages to remove */
	size_t nunlink;
	const char *cmd;        /* the command line, for conda-meta/history */
	const char *specs_kind; /* "update" or "remove" (history); may be NULL */
	const struct nbk_strvec *specs;
};

/*
 * Take the prefix's lock (create: the lock next to it).  *fd is the lock
 * (close it to release).  Busy: an error saying another envtool is at work.
 */
int et_txn_lock(const char *prefix, bool create, int *fd, struct nbk_error *err);

/*
 * Release a lock of et_txn_lock().  A create's lock file (next to the
 * prefix) is removed first, so a create leaves nothing in the envs folder;
 * et_txn_lock() checks that the file it locked is still the one at that
 * path, so removing it is safe.
 */
void et_txn_unlock(const char *prefix, bool create, int fd);

/*
 * Finish the change an interrupted run left in prefix, from its journal
 * (the caller holds the lock).  Returns 0 when there was no journal or the
 * change is done (the journal removed).
 */
int et_journal_recover(const char *prefix, struct nbk_error *err);

/*
 * When an interrupted run left a journal in prefix: take the lock, finish
 * that change, release the lock.  For commands that read conda-meta before
 * they lock (solving install/update).  Returns 0 when there was nothing to
 * do or it is done.
 */
int et_journal_recover_now(const char *prefix, struct nbk_error *err);

/*
 * Apply t (the caller holds the lock and recovered).  Returns 0, or -1 with
 * err saying what failed; then a create left nothing behind and any other
 * change left a journal that the next run finishes.
 */
int et_txn_apply(const struct et_txn *t, struct nbk_error *err);

/*
 * Test hook: ENVTOOL_TEST_STEP_FDS=W,R writes "step\n" to fd W and waits for
 * a byte (or EOF) on fd R once the journal (or a create's temporary folder)
 * is made and after each package step: a test reads N lines, then kills
 * envtool at exactly that step (tests/envtool/interrupt.sh).
 */
#define ET_ENV_TEST_STEP_FDS "ENVTOOL_TEST_STEP_FDS"

#endif
