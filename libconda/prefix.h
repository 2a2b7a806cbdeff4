/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A prefix's own description, in conda's format so conda and mamba read
 * what envtool writes and the other way round:
 *
 * - conda-meta/NAME-VERSION-BUILD.json: the package's record (repodata
 *   keys), plus files, paths_data, link {source, type}, url, channel,
 *   requested_spec, extracted_package_dir, package_tarball_full_path (the
 *   shapes of ../shared/data/conda/meta, keys sorted as conda writes them);
 * - conda-meta/history: "==> YYYY-MM-DD HH:MM:SS <==", "# cmd: ...",
 *   "+CHANNEL::DIST" / "-CHANNEL::DIST" lines, "# update specs: [...]";
 * - ~/.conda/environments.txt: one environment path a line.
 *
 * Reading a prefix back gives the installed set (owned records) with each
 * package's files.
 */
#ifndef LIBCONDA_PREFIX_H
#define LIBCONDA_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/json.h"
#include "nbkit/strvec.h"
#include "nbkit/yaml.h"
#include "link.h"
#include "record.h"

#define ET_CONDA_META "conda-meta"
/* Files of conda-meta that are envtool's own (dot files conda ignores). */
#define ET_JOURNAL ".envtool-journal"
#define ET_LOCK ".envtool-lock"

/*
 * Largest conda-meta file read, by every command (python's lists 14,000
 * files: a few MB).
 */
#define ET_META_MAX_SIZE (256u << 20)

/* One installed package. */
struct et_prefix_pkg {
	struct et_record rec; /* owned */
	char *dist;           /* its conda-meta file's name without ".json" (NAME-VERSION-BUILD) */
	char *requested_spec; /* "" when none */
	struct nbk_strvec files; /* prefix-relative paths, as conda-meta lists them */
};

struct et_prefix {
	struct et_prefix_pkg *v; /* sorted by name */
	size_t n;
};

/* clang-format off */
#define ET_PREFIX_INIT { NULL, 0 }
/* clang-format on */

/*
 * The one reader of conda-meta records (issue 10: list, install, update,
 * remove, env export, the transaction's unlink all read through it, with
 * the same rules and limit).  Reads file (at most ET_META_MAX_SIZE bytes)
 * into p; rules, conda's PrefixData's: name and version are required; a
 * missing or empty key is absent: build "" (conda-meta written by hand or
 * by an old tool), a string "", a number 0, a list empty; build_string
 * stands in for build; the record's names must pass
 * et_record_check_names(); files, when present, is a list of strings.
 * p->dist is the file's name without ".json".  Returns 0; -1 with err
 * "'FILE' is not a conda-meta record: why".  Release p with the prefix
 * (et_prefix_release()) or by itself with et_prefix_pkg_release(), in
 * every case.
 */
int et_prefix_read_meta(const char *file, struct et_prefix_pkg *p, struct nbk_error *err);
void et_prefix_pkg_release(struct et_prefix_pkg *p);

/*
 * Read prefix/conda-meta/ *.json with et_prefix_read_meta(), sorted by
 * name (a prefix without conda-meta is empty: n = 0).  A file that does
 * not read is an error naming it.  Release with et_prefix_release() in
 * every case.
 */
int et_prefix_load(const char *prefix, struct et_prefix *out, struct nbk_error *err);
void et_prefix_release(struct et_prefix *p);
/* Owned copies of p's records, in p's order (the solver's installed set); free with et_prefix_records_free(). */
void et_prefix_records(const struct et_prefix *p, struct et_record **out, size_t *n);
void et_prefix_records_free(struct et_record *v, size_t n);
/* The installed package of that name, or NULL. */
const struct et_prefix_pkg *et_prefix_find(const struct et_prefix *p, const char *name);
/* true when path/conda-meta is a folder: path is an environment. */
bool et_prefix_is_env(const char *path);
/*
 * true when an environment manager made path: its conda-meta holds a
 * history file or a package record (*.json).  An empty conda-meta is not
 * enough: `create --yes` replaces (removes) only such an environment, never
 * a folder of the user's that merely holds an empty conda-meta (issue 9).
 */
bool et_prefix_is_made_env(const char *path);

/*
 * 0 when this process may change the environment at prefix (its
 * conda-meta can be written); else -1 with err saying it is read-only for
 * us, as a team's shared environment is, and how to get one's own copy:
 * "environment 'PREFIX' is read-only here (a shared environment?): make
 * your own copy with 'envtool create --clone PREFIX -n NAME'".
 */
int et_prefix_check_writable(const char *prefix, struct nbk_error *err);

/* Longest environment name: its temporary folder ".NAME.envtool-tmp-XXXXXX" fits NAME_MAX. */
#define ET_ENV_NAME_MAX 200

/*
 * An environment name (-n NAME, an environment file's name:) is a folder
 * name in envs_dirs.  conda refuses '/', ' ', ':' and '#'
 * (conda/base/constants.py PREFIX_NAME_DISALLOWED_CHARS); envtool refuses
 * as well the empty name, "." and "..", a leading '.' (envtool's own lock
 * and temporary names), control characters (a newline would split
 * environments.txt) and names longer than ET_ENV_NAME_MAX bytes.
 * Returns 0, or -1 with err: "invalid environment name 'NAME': why" (the
 * name escaped, one line).
 */
int et_env_name_check(const char *name, struct nbk_error *err);
/*
 * A prefix (-p PREFIX, $CONDA_PREFIX) becomes a line of environments.txt:
 * no control character, at most PATH_MAX bytes.  Returns 0 or -1 with err.
 */
int et_prefix_path_check(const char *prefix, struct nbk_error *err);

/*
 * What the user asked for, from root/conda-meta/history, conda's way: the
 * specs of every "# install|update|create specs: [...]" line (conda
 * writes ['a', 'b'], envtool ["a", "b"]), a later spec of a name replacing
 * an earlier one, and "# remove specs:" taking names out.  Into specs
 * (appended), in the order first asked, and into names (may be NULL) the
 * package name of each.  A missing history is none; a line that does not
 * read is skipped.
 */
void et_prefix_requested(const char *root, struct nbk_strvec *specs, struct nbk_strvec *names);

/*
 * root/conda-meta/pinned (conda's): one spec a line, '#' comments and
 * blank lines skipped, appended to pins.  A missing file is none.
 */
void et_prefix_pinned(const char *root, struct nbk_strvec *pins);

/* A Python package another installer than conda (pip) put in a prefix. */
struct et_pip_pkg {
	char *name;    /* METADATA's Name */
	char *version; /* METADATA's Version */
};

/*
 * The pip-installed packages of prefix: each
 * lib/pythonX.Y/site-packages/ *.dist-info folder that no conda-meta record
 * of p lists a file of (a conda package's own dist-info is the conda
 * package), named by its METADATA, sorted by name.  micromamba lists them
 * with channel "pypi", build "pypi_0"; env export puts them under pip:.
 * A dist-info without a readable Name and Version is left out.  *out is
 * an array (free with et_pip_pkgs_free()), *n its length.
 */
void et_prefix_pip(const char *prefix, const struct et_prefix *p, struct et_pip_pkg **out,
		   size_t *n);
void et_pip_pkgs_free(struct et_pip_pkg *v, size_t n);

/* NAME-VERSION-BUILD of rec; new string. */
char *et_dist(const struct et_record *rec);

/*
 * Fill rec (not initialised) from a conda-meta, repodata_record.json,
 * index.json or journal document, by et_prefix_read_meta()'s rules.  -1
 * with err when name or version is missing or a name cannot be a path.
 */
int et_record_from_node(const struct nbk_node *n, struct et_record *rec, struct nbk_error *err);

/*
 * The one writer of on-disk records (conda-meta/DIST.json, the package
 * cache's info/repodata_record.json, the journal's records; never the
 * --json printer of print.h, whose keys are micromamba's output): write
 * rec to w as a JSON object laid out as conda's (NBK_JSON_PRETTY), keys
 * sorted as conda writes them; when paths is not NULL its files,
 * paths_data and link (pkg_dir, link_type); when requested_spec is not
 * NULL, requested_spec.  et_prefix_read_meta() reads it back.
 */
void et_prefix_meta_json(struct nbk_json *w, const struct et_record *rec, const char *pkg_dir,
			 const struct et_pkg_paths *paths, int link_type,
			 const char *requested_spec);

/* Write root/conda-meta/DIST.json atomically (the last step of a link). */
int et_prefix_write_meta(const char *root, const struct et_record *rec, const char *pkg_dir,
			 const struct et_pkg_paths *paths, int link_type,
			 const char *requested_spec, struct nbk_error *err);

/*
 * The "# cmd:" of a history revision: this process's command line, as
 * conda writes sys.argv (arguments joined by a space, each escaped to one
 * line: an argument cannot add a line of its own).  New string.  The one
 * builder for every command that changes a prefix.
 */
char *et_prefix_history_cmd(void);

/*
 * Append one revision to root/conda-meta/history: cmd (the command line),
 * "-" lines for removed, "+" lines for added, and "# update specs" or
 * "# remove specs" (specs may be NULL).
 */
int et_prefix_history(const char *root, const char *cmd, const struct et_record *const *removed,
		      size_t nremoved, const struct et_record *const *added, size_t nadded,
		      const char *specs_kind, const struct nbk_strvec *specs,
		      struct nbk_error *err);

/*
 * ~/.conda/environments.txt ($HOME from the environment): add prefix when
 * absent, or remove it.  Errors are returned; callers usually only warn.
 */
int et_environments_add(const char *prefix, struct nbk_error *err);
int et_environments_remove(const char *prefix, struct nbk_error *err);
/* The lines of environments.txt (missing file: none). */
int et_environments_read(struct nbk_strvec *out, struct nbk_error *err);

#endif
