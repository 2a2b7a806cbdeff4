/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Giving a tree to the notebook user (bootstrap.h, bs_chown_tree): what
 * docker-stacks' start.sh does with `usermod -u` (the image user's files in
 * the home follow the new NB_UID) and with CHOWN_HOME / CHOWN_EXTRA.
 *
 * Root walks a tree the user controls, so every step is on a descriptor:
 * each folder is opened with O_NOFOLLOW from its parent's descriptor and
 * checked to be the entry that was looked at, each entry is changed with
 * fchownat(AT_SYMLINK_NOFOLLOW) from its folder's descriptor (a symlink
 * gets a new owner itself; its target is never touched), other file
 * systems (mounts inside the tree) are not entered, and a file with more
 * than one link that belongs to neither the old nor the new owner is left
 * alone: a hard link to /etc/shadow planted in the home stays root's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "nbkit/cleanup.h"

/* How deep the walk goes; deeper folders are counted in skipped. */
#define BS_CHOWN_MAX_DEPTH 256

struct walk {
	const struct bs_chown_rule *rule;
	struct bs_chown_stats *st;
	dev_t dev;
	const char *top;
};

/* The owner st should get under the rule: -1 where a field stays. */
static bool new_owner(const struct bs_chown_rule *r, const struct stat *st, uid_t *u, gid_t *g)
{
	*u = (r->from_uid == (uid_t)-1 || st->st_uid == r->from_uid) ? r->uid : (uid_t)-1;
	*g = (r->from_gid == (gid_t)-1 || st->st_gid == r->from_gid) ? r->gid : (gid_t)-1;
	if (*u == st->st_uid)
		*u = (uid_t)-1;
	if (*g == st->st_gid)
		*g = (gid_t)-1;
	return *u != (uid_t)-1 || *g != (gid_t)-1;
}

/* A hard link to a file of someone else (neither the old nor the new owner). */
static bool foreign_link(const struct bs_chown_rule *r, const struct stat *st)
{
	return !S_ISDIR(st->st_mode) && st->st_nlink > 1 && st->st_uid != r->uid &&
	       (r->from_uid == (uid_t)-1 || st->st_uid != r->from_uid);
}

/*
 * The entries of the folder open at dfd (already changed itself), depth
 * levels below the top.  Returns -1 with err on a failure to read or
 * change; what is skipped on purpose is counted.
 */
static int walk_dir(struct walk *w, int dfd, int depth, struct nbk_error *err)
{
	DIR *d;
	struct dirent *de;
	int r = 0, fd2 = dup(dfd);

	if (fd2 < 0 || !(d = fdopendir(fd2))) {
		if (fd2 >= 0)
			close(fd2);
		return nbk_error_set(err, errno, "cannot read a folder under '%s'", w->top);
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		struct stat st, st2;
		uid_t u;
		gid_t g;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* gone meanwhile */
			r = nbk_error_set(err, errno, "cannot stat '%s' under '%s'", de->d_name,
					  w->top);
			break;
		}
		if (st.st_dev != w->dev) {
			w->st->skipped++; /* a mount inside the tree */
			continue;
		}
		if (foreign_link(w->rule, &st)) {
			w->st->skipped++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (new_owner(w->rule, &st, &u, &g)) {
				if (fchownat(dfd, de->d_name, u, g, AT_SYMLINK_NOFOLLOW) < 0 &&
				    errno != ENOENT) {
					r = nbk_error_set(
						err, errno,
						"cannot change the owner of '%s' under '%s'",
						de->d_name, w->top);
					break;
				}
				w->st->changed++;
			}
			continue;
		}
		if (!w->rule->recursive)
			continue;
		if (depth + 1 > BS_CHOWN_MAX_DEPTH) {
			w->st->skipped++;
			continue;
		}
		{
			_cleanup_close_ int cfd = openat(
				dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			/* replaced by a link or another folder since fstatat: not followed */
			if (cfd < 0 || fstat(cfd, &st2) < 0 || st2.st_ino != st.st_ino ||
			    st2.st_dev != st.st_dev) {
				w->st->skipped++;
				continue;
			}
			if (new_owner(w->rule, &st2, &u, &g)) {
				if (fchown(cfd, u, g) < 0) {
					r = nbk_error_set(
						err, errno,
						"cannot change the owner of '%s' under '%s'",
						de->d_name, w->top);
					break;
				}
				w->st->changed++;
			}
			r = walk_dir(w, cfd, depth + 1, err);
		}
	}
	if (r == 0 && errno != 0)
		r = nbk_error_set(err, errno, "cannot read a folder under '%s'", w->top);
	closedir(d);
	return r;
}

int bs_chown_tree(const char *path, const struct bs_chown_rule *rule, struct bs_chown_stats *st,
		  struct nbk_error *err)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int dfd = -1;
	struct walk w = { rule, st, 0, path };
	struct stat s;
	uid_t u;
	gid_t g;

	memset(st, 0, sizeof(*st));
	if (fd < 0 || fstat(fd, &s) < 0)
		return nbk_error_set(err, errno, "cannot open '%s'", path);
	if (S_ISLNK(s.st_mode))
		return nbk_error_set(err, 0, "'%s' is a symbolic link: not followed", path);
	if (new_owner(rule, &s, &u, &g)) {
		if (fchownat(fd, "", u, g, AT_EMPTY_PATH) < 0)
			return nbk_error_set(err, errno, "cannot change the owner of '%s'", path);
		st->changed++;
	}
	if (!S_ISDIR(s.st_mode) || !rule->recursive)
		return 0;
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return nbk_error_set(err, errno, "cannot open '%s'", path);
	w.dev = s.st_dev;
	return walk_dir(&w, dfd, 0, err);
}
