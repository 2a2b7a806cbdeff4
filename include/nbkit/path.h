/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Path and file helpers.  Every function returns 0 or -1 with err set to a
 * message that quotes the path ("cannot open '/x': No such file or
 * directory").  Every descriptor is opened O_CLOEXEC; every syscall is
 * retried on EINTR.
 */
#ifndef NBKIT_PATH_H
#define NBKIT_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/strvec.h"

/*
 * Expand a leading "~" or "~/" with home (other forms such as "~user" are
 * refused).  *out is a new string.
 */
int nbk_path_expand_user(const char *path, const char *home, char **out, struct nbk_error *err);

/*
 * Join base and rel, refusing a rel that is absolute or that climbs out of
 * base with "..".  Duplicate slashes are squeezed.  *out is a new string.
 */
int nbk_path_join_safe(const char *base, const char *rel, char **out, struct nbk_error *err);

/* Lexically normalise: squeeze "//", drop ".", resolve ".." (no I/O). */
char *nbk_path_normalize(const char *path);

/* true when path is base or lies below it, lexically. */
bool nbk_path_is_within(const char *base, const char *path);

/*
 * Create path and missing parents with mode; created folders (not those
 * already there) are chowned to uid:gid unless uid is (uid_t)-1.  *created
 * (may be NULL) is set to the number of folders made.
 */
int nbk_mkdir_p(const char *path, mode_t mode, uid_t uid, gid_t gid, int *created,
		struct nbk_error *err);

/*
 * Read a whole regular file (at most max bytes, else an error) into out
 * (appended).  Anything else (a FIFO, a device, a socket) is refused
 * with "cannot read 'PATH': not a regular file" (a folder: "Is a
 * directory", as read() says), without blocking:
 * the file is opened O_NONBLOCK and checked with fstat before any read.
 * A link is followed.
 */
int nbk_read_file(const char *path, size_t max, struct nbk_buf *out, struct nbk_error *err);

/*
 * Write data to path atomically: a temporary file in the same folder,
 * fsync, chmod mode, chown uid:gid (unless uid is (uid_t)-1), rename.
 * Nothing is left behind on failure.
 */
int nbk_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
			  gid_t gid, struct nbk_error *err);

/*
 * A file written piece by piece and put in place only once whole (what
 * nbk_write_file_atomic() does with one buffer; a download's body as it
 * arrives): nbk_atomic_open() creates DEST.tmp.XXXXXX beside dest,
 * nbk_atomic_write() appends to it, nbk_atomic_commit() sets its mode (and
 * owner unless uid is (uid_t)-1), fsyncs it and renames it over dest.
 * nbk_atomic_discard() removes what is left: after a failure, or to give
 * up; it may be called any number of times.  A failed write or commit
 * discards the file itself.  Messages name dest ("cannot write 'DEST'").
 */
struct nbk_atomic_file {
	int fd;     /* the temporary file, open; -1 when none */
	char *tmp;  /* its path; NULL when none */
	char *dest; /* where it goes */
};

/* clang-format off */
#define NBK_ATOMIC_FILE_INIT { -1, NULL, NULL }
/* clang-format on */

int nbk_atomic_open(struct nbk_atomic_file *f, const char *dest, struct nbk_error *err);
int nbk_atomic_write(struct nbk_atomic_file *f, const void *data, size_t len,
		     struct nbk_error *err);
int nbk_atomic_commit(struct nbk_atomic_file *f, mode_t mode, uid_t uid, gid_t gid,
		      struct nbk_error *err);
void nbk_atomic_discard(struct nbk_atomic_file *f);

/*
 * Create path, which must not exist (O_EXCL), with data and mode, without
 * the temporary file and fsync of nbk_write_file_atomic(): for files that
 * a journal or a rename makes safe (a package's files in a prefix).  Nothing
 * is left behind on failure.
 */
int nbk_write_file_new(const char *path, const void *data, size_t len, mode_t mode,
		       struct nbk_error *err);

/*
 * rm -rf path: a file or link is unlinked, a folder removed with all it
 * holds (links are removed, never followed).  A path that does not exist
 * is not an error.
 */
int nbk_remove_tree(const char *path, struct nbk_error *err);

/* Return a string naming the folder part of path ("." for none); caller frees. */
char *nbk_path_dirname(const char *path);

/*
 * The names in the folder dir that end in one of suffixes (a NULL-ended
 * list; NULL: any name), hidden ones left out as the shell's glob leaves
 * them out, sorted with strcmp, appended to names.  The one lister of
 * drop-in folders: .condarc's condarc.d, bootstrap's conf.d and hooks, an
 * environment's activate.d.  Returns 0, 1 when dir does not exist or is
 * not a folder, -1 with err ("cannot read folder 'DIR': ...").
 */
int nbk_dir_names(const char *dir, const char *const *suffixes, struct nbk_strvec *names,
		  struct nbk_error *err);

#endif
