/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privileges.c: become the notebook user (setgroups, setgid, setuid), set
 * the umask, and give the command the variables that name the user (HOME,
 * USER, LOGNAME, SHELL).
 *
 * The environment is ctx->env, handed to execve() by supervise.c: nothing
 * here filters it, and LD_LIBRARY_PATH (the GPU driver's folder) reaches the
 * command.  The loader would only drop it for a secure-execution exec
 * (AT_SECURE: a set-user-ID or set-group-ID binary, or file capabilities);
 * after a full setuid() to an unprivileged user the exec of the command is
 * an ordinary one, so the variable stays.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/proc.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"

#define STEP "privileges"

static bool has_gid(const gid_t *groups, size_t n, gid_t gid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * The supplementary groups of the user: from /etc/group (getgrouplist) when
 * the name has a passwd entry, else the primary group alone.  Then the home
 * folder's group when the folder is group-writable and the group is not
 * root's: that is how a Kubernetes volume with securityContext.fsGroup is
 * made writable (the kubelet chgrps the volume to fsGroup and sets g+w,s),
 * and the container runtime adds fsGroup to the first process's groups.
 * Dropping to our own group list would lose it, and the user could no
 * longer write to their own home volume.  Group 0 is never added that way:
 * a group-writable root-owned folder is not a reason to be in root's group.
 * Returns the count written to groups (at most max).
 */
size_t bs_user_groups(const struct bs_ctx *ctx, gid_t *groups, size_t max)
{
	const char *name = ctx->cfg.user_name;
	const char *home = ctx->home ? ctx->home : ctx->cfg.home;
	size_t n = 0;
	struct stat st;

	if (name && *name && getpwnam(name)) {
		int ng = (int)max;

		if (getgrouplist(name, ctx->cfg.gid, groups, &ng) < 0)
			ng = (int)max; /* cut: getgrouplist filled the first max */
		n = ng > 0 ? (size_t)ng : 0;
	}
	if (!has_gid(groups, n, ctx->cfg.gid) && n < max)
		groups[n++] = ctx->cfg.gid;
	if (home && *home && stat(home, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & S_IWGRP) && st.st_gid != 0 && !has_gid(groups, n, st.st_gid) && n < max) {
		groups[n++] = st.st_gid;
		nbk_log(NBK_LOG_DEBUG, STEP, "keeping group %u of the group-writable home '%s'",
			(unsigned)st.st_gid, home);
	}
	return n;
}

/* HOME, USER, LOGNAME and SHELL for the command.  These describe the user
 * the command runs as, so they replace what the container had. */
static void set_user_env(struct bs_ctx *ctx, bool with_identity)
{
	const char *home = ctx->home ? ctx->home : ctx->cfg.home;
	const struct passwd *pw;

	if (home && *home)
		nbk_env_set(&ctx->env, "HOME", home);
	if (!with_identity)
		return;
	if (ctx->cfg.user_name && *ctx->cfg.user_name) {
		nbk_env_set(&ctx->env, "USER", ctx->cfg.user_name);
		nbk_env_set(&ctx->env, "LOGNAME", ctx->cfg.user_name);
	}
	pw = getpwuid(ctx->cfg.uid);
	if (pw && pw->pw_shell && *pw->pw_shell)
		nbk_env_set(&ctx->env, "SHELL", pw->pw_shell);
}

int bs_privileges_drop(struct bs_ctx *ctx, struct nbk_error *err)
{
	uid_t uid = ctx->cfg.uid;
	gid_t gid = ctx->cfg.gid;
	_cleanup_free_ gid_t *groups = NULL;
	size_t ngroups;

	umask(ctx->cfg.umask);
	if (!ctx->is_root || geteuid() != 0) {
		bs_note_not_root(ctx, "the privilege drop");
		set_user_env(ctx, false);
		bs_step_log(ctx, STEP, "staying uid %u gid %u, umask %04o", (unsigned)geteuid(),
			    (unsigned)getegid(), (unsigned)ctx->cfg.umask);
		return 0;
	}
	if (uid == 0) {
		/* The configuration asks for root (NB_UID=0): nothing to drop. */
		set_user_env(ctx, true);
		nbk_log(NBK_LOG_WARN, STEP, "user.uid is 0: the command runs as root");
		return 0;
	}

	groups = nbk_xcalloc(BS_MAX_GROUPS, sizeof(*groups));
	ngroups = bs_user_groups(ctx, groups, BS_MAX_GROUPS);
	if (setgroups(ngroups, groups) < 0)
		return nbk_error_set(err, errno, "cannot set the supplementary groups of uid %u",
				     (unsigned)uid);
	if (setresgid(gid, gid, gid) < 0)
		return nbk_error_set(err, errno, "cannot change to group %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return nbk_error_set(err, errno, "cannot change to user %u", (unsigned)uid);

	/* Verify, as CERT POS37-C asks: the drop must be permanent. */
	if (setuid(0) == 0 || geteuid() == 0 || getuid() != uid || getegid() != gid ||
	    getgid() != gid)
		return nbk_error_set(err, 0, "privileges were not dropped to uid %u gid %u",
				     (unsigned)uid, (unsigned)gid);

	set_user_env(ctx, true);
	bs_step_log(ctx, STEP, "now uid %u gid %u (%zu group%s), umask %04o", (unsigned)uid,
		    (unsigned)gid, ngroups, ngroups == 1 ? "" : "s", (unsigned)ctx->cfg.umask);
	return 0;
}
