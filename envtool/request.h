/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What create, install and update share: the target prefix (envs.h's
 * et_env_resolve(), as every command that takes -n), the request's channels
 * (channel.h's et_channels_order(): -c, an environment file's, the
 * configured ones unless --override-channels, then those named in specs),
 * virtual packages, pinned_packages, the prefix's conda-meta as the
 * installed set, the solve, and the answer: micromamba's --json object or a table.  Without
 * --dry-run the solution goes to et_cmd_apply() (apply.h).
 */
#ifndef ENVTOOL_REQUEST_H
#define ENVTOOL_REQUEST_H

#include "nbkit/strvec.h"
#include "cmd.h"

enum et_request_kind { ET_REQUEST_CREATE, ET_REQUEST_INSTALL, ET_REQUEST_UPDATE };

struct et_request {
	enum et_request_kind kind;
	struct nbk_strvec specs;    /* the user's specs */
	struct nbk_strvec channels; /* an environment file's (channel.h orders them) */
	char *name;                 /* from an environment file, when -n/-p are absent */
	bool update_all;
	struct nbk_strvec pip; /* an environment file's pip: entries */
	char *pip_dir;         /* the folder of that file (pip's relative paths) */
	/* an @EXPLICIT file: these records, in its order, no solve */
	struct et_record *explicit_recs;
	size_t nexplicit;
	bool explicit_;
};

void et_request_init(struct et_request *r, enum et_request_kind kind);
void et_request_release(struct et_request *r);

/*
 * Read an environment file into r: an environment.yml (name, channels,
 * dependencies, whose pip: entries the new environment's pip installs
 * after it is made), or an @EXPLICIT lock file (conda's: one package URL a
 * line, "#sha256" or "#md5" after it; installed as listed, without
 * solving).  Returns 0; -1 with err naming the file and position.
 */
int et_request_read_file(struct et_request *r, const char *path, struct nbk_error *err);

/*
 * create --clone SOURCE: r becomes SOURCE's packages, as an @EXPLICIT file
 * would list them (its conda-meta records: the same builds from the same
 * URLs, no solve), and its pip-installed packages as pip: entries.  The
 * new environment is linked from the package cache, so its files are hard
 * links where the filesystem allows and copies otherwise, and every
 * prefix written into a file is the new one.  Returns 0; -1 with err (a
 * record without a URL cannot be cloned).
 */
int et_request_clone(struct et_request *r, const char *source, struct nbk_error *err);

/* Solve r for ctx and answer it.  Returns the exit status. */
int et_request_run(struct et_ctx *ctx, struct et_request *r);

#endif
