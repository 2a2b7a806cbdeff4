/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The user's file-system identity: the one way bootstrap touches the home.
 *
 * The home belongs to the user, who controls every name in it and can change
 * them while bootstrap runs (a second server on the same volume, an NFS
 * home).  Checking a path and then acting on it as root is a race the user
 * wins (issue 9: mkdir then chown by name gave /etc/shadow to the user after
 * a few hundred starts), and planted links need no race at all.  So root
 * never acts on a path in the home: between bs_userfs_enter() and
 * bs_userfs_leave() every path is resolved and every permission checked as
 * the notebook user (setfsuid/setfsgid and the user's supplementary groups),
 * and what is created belongs to the user because the user creates it.  A
 * link to /etc/shadow or a swapped folder then gets the user nothing the
 * user could not already do.
 *
 * Linux drops CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
 * CAP_FSETID and the other file capabilities from the effective set when the
 * fsuid leaves 0, and gives them back when it returns (capabilities(7),
 * "Effect of user ID changes on capabilities"): inside the scope root's
 * override is gone, not merely unused.  The fsuid is per thread; bootstrap
 * has one thread.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "bootstrap.h"
#include "nbkit/log.h"
#include "nbkit/path.h"

int bs_userfs_enter(const struct bs_ctx *ctx, struct bs_userfs *s, struct nbk_error *err)
{
	gid_t groups[BS_MAX_GROUPS];
	size_t n;
	int saved;

	memset(s, 0, sizeof(*s));
	/* Not root, or told to stay root: the identity already is the user's. */
	if (!ctx->is_root || geteuid() != 0 || ctx->cfg.uid == 0)
		return 0;
	saved = getgroups(0, NULL);
	if (saved < 0)
		return nbk_error_set(err, errno, "cannot read the supplementary groups");
	s->saved_groups = nbk_xcalloc((size_t)saved + 1, sizeof(gid_t));
	saved = getgroups(saved, s->saved_groups);
	if (saved < 0) {
		free(s->saved_groups);
		s->saved_groups = NULL;
		return nbk_error_set(err, errno, "cannot read the supplementary groups");
	}
	s->n_saved = (size_t)saved;
	n = bs_user_groups(ctx, groups, BS_MAX_GROUPS);
	if (setgroups(n, groups) < 0) {
		free(s->saved_groups);
		s->saved_groups = NULL;
		return nbk_error_set(err, errno, "cannot take the groups of uid %u",
				     (unsigned)ctx->cfg.uid);
	}
	s->active = true;
	s->fsuid = (uid_t)setfsuid((uid_t)-1);
	s->fsgid = (gid_t)setfsgid((gid_t)-1);
	setfsgid(ctx->files_gid);
	setfsuid(ctx->cfg.uid);
	/* setfsuid() reports no error: ask again (an invalid id returns the current one). */
	if ((uid_t)setfsuid((uid_t)-1) != ctx->cfg.uid ||
	    (gid_t)setfsgid((gid_t)-1) != ctx->files_gid) {
		bs_userfs_leave(s);
		return nbk_error_set(err, EPERM, "cannot act as uid %u gid %u in the home",
				     (unsigned)ctx->cfg.uid, (unsigned)ctx->files_gid);
	}
	return 0;
}

void bs_userfs_leave(struct bs_userfs *s)
{
	if (!s->active)
		return;
	setfsuid(s->fsuid);
	setfsgid(s->fsgid);
	/* Back to root's own groups: this cannot fail for root, and if it
	 * did, bootstrap would go on with fewer groups, never more. */
	if (setgroups(s->n_saved, s->saved_groups) < 0)
		nbk_warn("cannot restore root's supplementary groups: %s", strerror(errno));
	free(s->saved_groups);
	memset(s, 0, sizeof(*s));
}

bool bs_path_in_home(const struct bs_ctx *ctx, const char *path)
{
	const char *home = ctx->home ? ctx->home : ctx->cfg.home;
	const char *p;

	if (home && *home && nbk_path_is_within(home, path))
		return true;
	/* "a/../b" is resolved by the kernel through whatever "a" links to: a
	 * lexical answer would be wrong, so such a path is the user's too. */
	for (p = strstr(path, ".."); p; p = strstr(p + 2, ".."))
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
	return false;
}
