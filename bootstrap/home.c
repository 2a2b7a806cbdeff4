/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User and home: the passwd/group entries of the notebook user, the home
 * folder, the listed directories and the skeleton.
 *
 * The home is not walked unless it is the image user's or the deployment
 * asks: a home volume of a million files must not slow the start.  What
 * bootstrap creates is given to the user; the home folder itself when it
 * is owned by root (a fresh volume mounted without fsGroup); the whole
 * home when it still belongs to the image's own user and NB_UID/NB_GID
 * name another (a fresh named volume seeded from the image: docker-stacks'
 * `usermod -u` moves those files too); and what CHOWN_HOME,
 * CHOWN_HOME_OPTS, CHOWN_EXTRA and CHOWN_EXTRA_OPTS ask for, as in
 * docker-stacks.  Each of these walks is bs_chown_tree() (handoff.c).
 *
 * The home belongs to the user, who may have left anything there (a
 * symlink named .bashrc pointing at /etc/shadow): every entry is checked
 * with lstat, new files are created with O_CREAT|O_EXCL|O_NOFOLLOW, and
 * nothing that exists is overwritten or followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/log.h"
#include "nbkit/path.h"

#define BS_PASSWD "/etc/passwd"
#define BS_GROUP "/etc/group"
#define BS_SKEL_MAX_DEPTH 16

struct home_stats {
	int dirs;
	int files;
	int links;
	int kept;
};

/*
 * Rewrite or extend a passwd-format file: replace the line for which
 * match(line) is true with repl, or append repl when none matches.
 * Atomic (temporary file + rename) when the folder is writable; in place
 * otherwise (OpenShift makes /etc/passwd group-writable, not /etc).
 */
NBK_STATIC int bs_db_update(const char *path, const char *match_field, int field_index,
			    const char *repl, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf in = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf out = NBK_BUF_INIT;
	const char *p;
	bool replaced = false;
	struct stat st;

	if (nbk_read_file(path, 16 * 1024 * 1024, &in, err) < 0)
		return -1;
	if (stat(path, &st) < 0)
		return nbk_error_set(err, errno, "cannot stat '%s'", path);
	for (p = in.data; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *line = nbk_xstrndup(p, len);
		char *f = line;
		int i;

		for (i = 0; i < field_index && f; i++) {
			f = strchr(f, ':');
			if (f)
				f++;
		}
		if (match_field && f && !replaced) {
			size_t flen = strcspn(f, ":");

			if (flen == strlen(match_field) && !strncmp(f, match_field, flen)) {
				nbk_buf_addf(&out, "%s\n", repl);
				replaced = true;
				p += len + (nl ? 1 : 0);
				continue;
			}
		}
		nbk_buf_add(&out, p, len);
		nbk_buf_addch(&out, '\n');
		p += len + (nl ? 1 : 0);
	}
	if (!replaced)
		nbk_buf_addf(&out, "%s\n", repl);
	if (nbk_write_file_atomic(path, out.data, out.len, st.st_mode & 07777, st.st_uid, st.st_gid,
				  err) == 0)
		return 0;
	if (err->errnum != EACCES && err->errnum != EPERM && err->errnum != EROFS &&
	    err->errnum != EBUSY)
		return -1;
	{
		_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);

		if (fd < 0 || nbk_write_all(fd, out.data, out.len) < 0)
			return nbk_error_set(err, errno, "cannot write '%s'", path);
	}
	return 0;
}

/* Give the uid (and gid) an entry so that whoami, ssh, git and pip work. */
static int ensure_user_entries(struct bs_ctx *ctx, struct nbk_buf *did, struct nbk_error *err)
{
	const struct bs_config *cfg = &ctx->cfg;
	struct passwd *pw;
	struct group *gr;
	_cleanup_free_ char *line = NULL;
	char idbuf[32];

	errno = 0;
	pw = getpwuid(cfg->uid);
	if (!pw) {
		if (access(BS_PASSWD, W_OK) < 0) {
			nbk_warn("uid %u has no entry in " BS_PASSWD
				 " and the file is not writable: "
				 "tools that look the user up (whoami, ssh, git) may complain",
				 (unsigned)cfg->uid);
		} else {
			line = nbk_xasprintf("%s:x:%u:%u:nbkit notebook user:%s:/bin/bash",
					     cfg->user_name, (unsigned)cfg->uid, (unsigned)cfg->gid,
					     ctx->home);
			/* docker-stacks' NB_UID: the name keeps its entry, with the new uid;
			 * never another account's (checked at load, and again here on a
			 * fresh lookup). */
			if (bs_user_may_take(cfg, err) < 0)
				return -1;
			if (bs_db_update(BS_PASSWD,
					 getpwnam(cfg->user_name) ? cfg->user_name : NULL, 0, line,
					 err) < 0)
				return -1;
			nbk_buf_addf(did, "; passwd entry %s:%u", cfg->user_name,
				     (unsigned)cfg->uid);
		}
	}
	errno = 0;
	gr = getgrgid(cfg->gid);
	if (!gr && access(BS_GROUP, W_OK) == 0) {
		free(line);
		snprintf(idbuf, sizeof(idbuf), "nbgroup%u", (unsigned)cfg->gid);
		line = nbk_xasprintf("%s:x:%u:", getgrnam(cfg->user_name) ? idbuf : cfg->user_name,
				     (unsigned)cfg->gid);
		if (bs_db_update(BS_GROUP, NULL, 0, line, err) < 0)
			return -1;
		nbk_buf_addf(did, "; group entry for gid %u", (unsigned)cfg->gid);
	}
	return 0;
}

static int copy_file(int srcdir, int dstdir, const char *name, const char *dst_path, mode_t mode,
		     struct nbk_error *err)
{
	_cleanup_close_ int in = openat(srcdir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_close_ int out = -1;

	if (in < 0)
		return nbk_error_set(err, errno, "cannot open skeleton file '%s'", name);
	out = openat(dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     mode & 0777);
	if (out < 0)
		return nbk_error_set(err, errno, "cannot create '%s'", dst_path);
	if (nbk_copy_fd(in, out) < 0)
		return nbk_error_set(err, errno, "cannot copy skeleton file '%s' to '%s'", name,
				     dst_path);
	if (fchmod(out, mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID)) < 0)
		return nbk_error_set(err, errno, "cannot set the mode of '%s'", dst_path);
	return 0;
}

/*
 * Copy what is missing from the skeleton folder srcdir into dstdir,
 * recursively, never overwriting: an existing entry is kept (counted in
 * st->kept), and an existing folder is walked into.  Works only on
 * descriptors (openat with O_NOFOLLOW, no link followed), so the caller
 * must already act with the user's credentials on the home.  Folders,
 * regular files and links are copied with their modes; devices, fifos and
 * sockets are skipped.  srcdir and dstdir stay the caller's (srcdir is
 * dup'ed for reading); dst_path names dstdir in messages; depth is 0 at
 * the top and limited to BS_SKEL_MAX_DEPTH.  Adds to st.  Returns 0, or -1
 * with err at the first entry that cannot be created; what was copied
 * before stays.
 */
static int copy_tree(int srcdir, int dstdir, const char *dst_path, int depth, struct home_stats *st,
		     struct nbk_error *err)
{
	_cleanup_close_ int dupfd = dup(srcdir);
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (dupfd < 0)
		return nbk_error_set(err, errno, "cannot read the skeleton");
	if (depth > BS_SKEL_MAX_DEPTH)
		return nbk_error_set(err, 0, "skeleton nested deeper than %d levels at '%s'",
				     BS_SKEL_MAX_DEPTH, dst_path);
	d = fdopendir(dupfd);
	if (!d)
		return nbk_error_set(err, errno, "cannot read the skeleton");
	dupfd = -1;
	while (ret == 0 && (errno = 0, de = readdir(d))) {
		struct stat s, t;
		_cleanup_free_ char *path = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = nbk_xasprintf("%s/%s", dst_path, de->d_name);
		if (fstatat(srcdir, de->d_name, &s, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (fstatat(dstdir, de->d_name, &t, AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISDIR(s.st_mode) && S_ISDIR(t.st_mode)) {
				_cleanup_close_ int sub_s =
					openat(srcdir, de->d_name,
					       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
				_cleanup_close_ int sub_d =
					openat(dstdir, de->d_name,
					       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

				if (sub_s >= 0 && sub_d >= 0)
					ret = copy_tree(sub_s, sub_d, path, depth + 1, st, err);
			} else {
				st->kept++;
			}
			continue;
		}
		if (S_ISDIR(s.st_mode)) {
			_cleanup_close_ int sub_s = -1;
			_cleanup_close_ int sub_d = -1;

			if (mkdirat(dstdir, de->d_name, s.st_mode & 0777) < 0) {
				ret = nbk_error_set(err, errno, "cannot create '%s'", path);
				break;
			}
			sub_s = openat(srcdir, de->d_name,
				       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			sub_d = openat(dstdir, de->d_name,
				       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (sub_s < 0 || sub_d < 0) {
				ret = nbk_error_set(err, errno, "cannot open '%s'", path);
				break;
			}
			if (fchmod(sub_d, s.st_mode & 0777) < 0) {
				ret = nbk_error_set(err, errno, "cannot set the mode of '%s'",
						    path);
				break;
			}
			st->dirs++;
			ret = copy_tree(sub_s, sub_d, path, depth + 1, st, err);
		} else if (S_ISREG(s.st_mode)) {
			ret = copy_file(srcdir, dstdir, de->d_name, path, s.st_mode, err);
			st->files++;
		} else if (S_ISLNK(s.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(srcdir, de->d_name, target, sizeof(target) - 1);

			if (n < 0)
				continue;
			target[n] = '\0';
			if (symlinkat(target, dstdir, de->d_name) < 0) {
				ret = nbk_error_set(err, errno, "cannot create the link '%s'",
						    path);
				break;
			}
			st->links++;
		}
		/* devices, fifos, sockets in a skeleton: skipped */
	}
	closedir(d);
	return ret;
}

/* Can uid/gid write to the home with this stat?  (root may not ask access()). */
NBK_STATIC bool bs_can_write(const struct stat *st, uid_t uid, gid_t gid)
{
	if (uid == 0)
		return true;
	if (st->st_uid == uid)
		return st->st_mode & S_IWUSR;
	/* privileges.c gives the user a group-writable home's group (fsGroup) */
	if (st->st_gid == gid || (st->st_gid != 0 && (st->st_mode & S_IWGRP)))
		return st->st_mode & S_IWGRP;
	return st->st_mode & S_IWOTH;
}

/* The home folder's state now, through a descriptor opened without following a link. */
static int stat_home(const struct bs_ctx *ctx, struct stat *hs, struct nbk_error *err)
{
	_cleanup_close_ int fd = open(ctx->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || fstat(fd, hs) < 0)
		return nbk_error_set(err, errno == ELOOP ? ENOTDIR : errno,
				     "the home '%s' is not a folder", ctx->home);
	return 0;
}

/*
 * The home folder itself, as root: the one thing in the home root makes.
 * Its parent is the image's (/home), not the user's; still, every step after
 * the mkdir is on a descriptor opened without following a link.  Fills *hs
 * with the folder's state after the step.
 */
static int home_folder(struct bs_ctx *ctx, struct stat *hs, struct nbk_buf *did,
		       struct nbk_error *err)
{
	const struct bs_config *cfg = &ctx->cfg;
	mode_t dir_mode = (0777 & ~cfg->umask) | S_IRWXU;
	_cleanup_close_ int fd = -1;
	bool created = false;

	fd = open(ctx->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		_cleanup_free_ char *parent = nbk_path_dirname(ctx->home);

		if (nbk_mkdir_p(parent, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0)
			return nbk_error_prefix(err, "cannot create the home folder");
		if (mkdir(ctx->home, dir_mode) == 0)
			created = true;
		else if (errno != EEXIST)
			return nbk_error_set(err, errno, "cannot create the home folder '%s'",
					     ctx->home);
		fd = open(ctx->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return nbk_error_set(err, errno == ELOOP ? ENOTDIR : errno,
				     "the home '%s' is not a folder", ctx->home);
	if (fstat(fd, hs) < 0)
		return nbk_error_set(err, errno, "cannot stat the home folder '%s'", ctx->home);
	if (created) {
		if (fchmod(fd, dir_mode) < 0 ||
		    (ctx->is_root && fchown(fd, cfg->uid, cfg->gid) < 0))
			return nbk_error_set(err, errno, "cannot give the new home '%s' to uid %u",
					     ctx->home, (unsigned)cfg->uid);
		nbk_buf_addf(did, "; created %s", ctx->home);
	} else if (ctx->is_root && hs->st_uid == 0 && cfg->uid != 0 &&
		   !(hs->st_gid != 0 && (hs->st_mode & S_IWGRP))) {
		/*
		 * A fresh volume mounted without fsGroup: the folder itself only.
		 * A root-owned folder that is group-writable by a group other
		 * than root is a Kubernetes fsGroup volume: its group is what
		 * makes it writable (privileges.c keeps that group), so it stays.
		 */
		if (fchown(fd, cfg->uid, cfg->gid) < 0)
			return nbk_error_set(err, errno, "cannot give the home '%s' to uid %u",
					     ctx->home, (unsigned)cfg->uid);
		nbk_buf_addf(did, "; gave %s (the folder only) to %u:%u", ctx->home,
			     (unsigned)cfg->uid, (unsigned)cfg->gid);
	}
	if (fstat(fd, hs) < 0)
		return nbk_error_set(err, errno, "cannot stat the home folder '%s'", ctx->home);
	return 0;
}

/* The passwd uid and gid of the image's own user, before this start changes passwd. */
struct image_user {
	bool known;
	uid_t uid;
	gid_t gid;
};

/*
 * A home that still belongs to the image's own user while NB_UID/NB_GID
 * name another: its tree follows (the image user's files to the new uid,
 * the image group's to the new gid), as root.  A failure is a warning.
 */
static void hand_home_over(struct bs_ctx *ctx, const struct stat *hs, const struct image_user *iu,
			   struct nbk_buf *did)
{
	const struct bs_config *cfg = &ctx->cfg;
	struct bs_chown_rule rule = { cfg->uid, cfg->gid, iu->uid, iu->gid, true };
	struct bs_chown_stats st;
	struct nbk_error e = NBK_ERROR_INIT;

	if (!ctx->is_root || !iu->known || hs->st_uid != iu->uid ||
	    (cfg->uid == iu->uid && cfg->gid == iu->gid))
		return;
	if (bs_chown_tree(ctx->home, &rule, &st, &e) < 0) {
		nbk_warn("home: giving the image user's home to %u:%u: %s", (unsigned)cfg->uid,
			 (unsigned)cfg->gid, e.msg);
		return;
	}
	nbk_buf_addf(did, "; gave the image user's (%u:%u) files of %s to %u:%u: %lu changed",
		     (unsigned)iu->uid, (unsigned)iu->gid, ctx->home, (unsigned)cfg->uid,
		     (unsigned)cfg->gid, st.changed);
	if (st.skipped)
		nbk_buf_addf(did, ", %lu left (other file systems, links)", st.skipped);
}

/*
 * docker-stacks' CHOWN_*_OPTS: "-R" (or --recursive) walks the tree; -h and
 * --no-dereference are what bs_chown_tree() always does.  Anything else is
 * ignored with a warning.
 */
static bool chown_opts_recursive(const char *var, const char *opts)
{
	_cleanup_free_ char *copy = nbk_xstrdup(opts ? opts : "");
	char *save = NULL, *w;
	bool recursive = false;

	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(w, "-R") || !strcmp(w, "--recursive"))
			recursive = true;
		else if (strcmp(w, "-h") && strcmp(w, "--no-dereference"))
			nbk_warn("%s: '%s' is not supported (only -R): ignored", var, w);
	}
	return recursive;
}

/* One CHOWN_HOME / CHOWN_EXTRA path to NB_UID:NB_GID, every owner; a failure is a warning. */
static void chown_asked(struct bs_ctx *ctx, const char *var, const char *path, bool recursive,
			struct nbk_buf *did)
{
	struct bs_chown_rule rule = { ctx->cfg.uid, ctx->cfg.gid, (uid_t)-1, (gid_t)-1, recursive };
	struct bs_chown_stats st;
	struct nbk_error e = NBK_ERROR_INIT;

	if (bs_chown_tree(path, &rule, &st, &e) < 0) {
		nbk_warn("home: %s: %s", var, e.msg);
		return;
	}
	nbk_buf_addf(did, "; %s: %s%s to %u:%u (%lu changed", var, path, recursive ? " -R" : "",
		     (unsigned)ctx->cfg.uid, (unsigned)ctx->cfg.gid, st.changed);
	if (st.skipped)
		nbk_buf_addf(did, ", %lu left", st.skipped);
	nbk_buf_addch(did, ')');
}

/* CHOWN_HOME=yes|1 (CHOWN_HOME_OPTS) and CHOWN_EXTRA=a,b (CHOWN_EXTRA_OPTS), as root. */
static void chown_home_extra(struct bs_ctx *ctx, struct nbk_buf *did)
{
	const char *home = nbk_env_get(&ctx->env, BS_ENV_CHOWN_HOME);
	const char *extra = nbk_env_get(&ctx->env, BS_ENV_CHOWN_EXTRA);
	bool asked_home = home && (!strcmp(home, "yes") || !strcmp(home, "1"));

	if (!asked_home && !(extra && *extra))
		return;
	if (!ctx->is_root) {
		bs_note_not_root(ctx, "CHOWN_HOME and CHOWN_EXTRA");
		return;
	}
	if (asked_home)
		chown_asked(ctx, BS_ENV_CHOWN_HOME, ctx->home,
			    chown_opts_recursive(BS_ENV_CHOWN_HOME_OPTS,
						 nbk_env_get(&ctx->env, BS_ENV_CHOWN_HOME_OPTS)),
			    did);
	if (extra && *extra) {
		_cleanup_free_ char *copy = nbk_xstrdup(extra);
		bool recursive = chown_opts_recursive(
			BS_ENV_CHOWN_EXTRA_OPTS, nbk_env_get(&ctx->env, BS_ENV_CHOWN_EXTRA_OPTS));
		char *save = NULL, *p;

		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			if (*p != '/') {
				nbk_warn("home: CHOWN_EXTRA: '%s' is not an absolute path: skipped",
					 p);
				continue;
			}
			chown_asked(ctx, BS_ENV_CHOWN_EXTRA, p, recursive, did);
		}
	}
}

/*
 * Inside the home, as the user (userfs.c): the listed folders and the
 * skeleton.  The home is the user's to shape, so nothing here stops the
 * start: each thing that cannot be done is one warning naming its path.
 */
static void home_contents(struct bs_ctx *ctx, struct home_stats *st)
{
	const struct bs_config *cfg = &ctx->cfg;
	mode_t dir_mode = (0777 & ~cfg->umask) | S_IRWXU;
	size_t i;

	for (i = 0; i < cfg->home_dirs.n; i++) {
		struct nbk_error e = NBK_ERROR_INIT;
		const char *rel = cfg->home_dirs.v[i];
		_cleanup_free_ char *path = NULL;
		int created = 0;

		if (rel[0] == '~' && rel[1] == '/')
			rel += 2;
		if (nbk_path_join_safe(ctx->home, rel, &path, &e) < 0 ||
		    nbk_mkdir_p(path, dir_mode, (uid_t)-1, (gid_t)-1, &created, &e) < 0) {
			nbk_warn("home: %s: skipped", e.msg);
			continue;
		}
		st->dirs += created;
	}

	if (*cfg->skeleton) {
		struct nbk_error e = NBK_ERROR_INIT;
		_cleanup_close_ int src = open(cfg->skeleton, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int dst = -1;

		if (src < 0) {
			if (errno != ENOENT)
				nbk_warn("home: cannot read the skeleton '%s': %s", cfg->skeleton,
					 strerror(errno));
			return;
		}
		dst = open(ctx->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dst < 0)
			nbk_warn("home: cannot open the home '%s': %s: the skeleton is skipped",
				 ctx->home, strerror(errno));
		else if (copy_tree(src, dst, ctx->home, 0, st, &e) < 0)
			nbk_warn("home: copying the skeleton '%s': %s: the rest of it is skipped",
				 cfg->skeleton, e.msg);
	}
}

int bs_home_prepare(struct bs_ctx *ctx, struct nbk_error *err)
{
	const struct bs_config *cfg = &ctx->cfg;
	_cleanup_buf_ struct nbk_buf did = NBK_BUF_INIT;
	struct home_stats st = { 0, 0, 0, 0 };
	struct bs_userfs as_user;
	struct image_user iu = { false, 0, 0 };
	struct passwd *pw;
	struct stat hs;

	/* the image's passwd, before ensure_user_entries() gives the name NB_UID */
	errno = 0;
	if (cfg->image_user && (pw = getpwnam(cfg->image_user))) {
		iu.known = true;
		iu.uid = pw->pw_uid;
		iu.gid = pw->pw_gid;
	}
	if (ensure_user_entries(ctx, &did, err) < 0 || home_folder(ctx, &hs, &did, err) < 0)
		return -1;
	hand_home_over(ctx, &hs, &iu, &did);
	chown_home_extra(ctx, &did);
	if (stat_home(ctx, &hs, err) < 0)
		return -1;

	/* On an fsGroup volume what we create keeps the volume's group. */
	ctx->files_gid = hs.st_gid != 0 && (hs.st_mode & S_IWGRP) && hs.st_uid != cfg->uid
				 ? hs.st_gid
				 : cfg->gid;
	if (!bs_can_write(&hs, ctx->is_root ? cfg->uid : geteuid(),
			  ctx->is_root ? cfg->gid : getegid()) ||
	    (!ctx->is_root && access(ctx->home, W_OK) < 0)) {
		nbk_warn(
			"home: '%s' is not writable by uid %u (owned by %u:%u, mode %04o): the "
			"skeleton, the listed folders and the .condarc are skipped and files cannot "
			"be saved there; give the volume to the user (fsGroup or chown)",
			ctx->home, (unsigned)cfg->uid, (unsigned)hs.st_uid, (unsigned)hs.st_gid,
			(unsigned)(hs.st_mode & 07777));
		ctx->home_readonly = true;
		bs_step_log(ctx, "home", "%s is read-only for the user%s", ctx->home, did.data);
		return 0;
	}

	if (bs_userfs_enter(ctx, &as_user, err) < 0)
		return -1;
	home_contents(ctx, &st);
	bs_userfs_leave(&as_user);
	bs_step_log(ctx, "home", "%s ready: %d folder(s), %d file(s), %d link(s) added, %d kept%s",
		    ctx->home, st.dirs, st.files, st.links, st.kept, did.data);
	return 0;
}
