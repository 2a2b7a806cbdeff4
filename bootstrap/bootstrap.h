/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootstrap: the notebook image's init.  The contract is DESIGN.md, section
 * bootstrap.  This header holds what the steps share: the parsed
 * configuration (config.c), the run context, and one entry point per step,
 * each in its own file.
 *
 * Conventions: every step takes the context and a struct nbk_error, returns
 * 0 or -1 (err filled, never a secret value in it) and logs one line with
 * what it did.  Steps change ctx->env, the environment the command will get;
 * they never call setenv() on bootstrap's own environment.
 */
#ifndef BOOTSTRAP_H
#define BOOTSTRAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "nbkit/testing.h" /* NBK_STATIC: internal functions, extern in test builds */

/*
 * The configuration's layers, lowest first: the image's own drop-ins
 * (written at image build; an image variant's settings), the main file,
 * the deployment's drop-ins (shipped empty, so a ConfigMap mounted as the
 * whole folder hides nothing of the image), then the NB_* variables.
 */
#define BS_DEFAULT_IMAGE_CONFIG_DIR "/usr/share/nbkit/conf.d"
#define BS_DEFAULT_CONFIG "/etc/bootstrap/bootstrap.yaml"
#define BS_DEFAULT_CONFIG_DIR "/etc/bootstrap/conf.d"

/* Environment variables bootstrap reads (tini-style named constants). */
#define BS_ENV_CONFIG "BOOTSTRAP_CONFIG"
#define BS_ENV_CONFIG_DIR "BOOTSTRAP_CONFIG_DIR"
#define BS_ENV_IMAGE_CONFIG_DIR "BOOTSTRAP_IMAGE_CONFIG_DIR"
#define BS_ENV_VERBOSITY "BOOTSTRAP_VERBOSITY"
#define BS_ENV_LOG_FORMAT "BOOTSTRAP_LOG_FORMAT"
#define BS_ENV_NB_USER "NB_USER"
#define BS_ENV_NB_UID "NB_UID"
#define BS_ENV_NB_GID "NB_GID"
#define BS_ENV_NB_UMASK "NB_UMASK"
#define BS_ENV_HUB_TOKEN "JUPYTERHUB_API_TOKEN"
#define BS_ENV_CPU_LIMIT "CPU_LIMIT"
/* docker-stacks' start.sh variables for giving folders to NB_UID:NB_GID */
#define BS_ENV_CHOWN_HOME "CHOWN_HOME"
#define BS_ENV_CHOWN_HOME_OPTS "CHOWN_HOME_OPTS"
#define BS_ENV_CHOWN_EXTRA "CHOWN_EXTRA"
#define BS_ENV_CHOWN_EXTRA_OPTS "CHOWN_EXTRA_OPTS"

enum bs_gpu_mode { BS_GPU_AUTO, BS_GPU_OFF, BS_GPU_REQUIRED };
enum bs_threads_mode { BS_THREADS_AUTO, BS_THREADS_OFF };
enum bs_on_error { BS_ON_ERROR_CONTINUE, BS_ON_ERROR_ABORT };

/*
 * The configuration after merging the main file, the drop-ins and the NB_*
 * variables.  Strings are owned (freed by bs_config_release); "" means
 * "not set".  Paths may still hold "~", expanded with user.home by the step
 * that uses them.
 */
struct bs_config {
	char *user_name;
	uid_t uid;
	gid_t gid;
	char *home;
	mode_t umask;

	char *skeleton;
	struct nbk_strvec home_dirs;

	char *envs_root;
	char *condarc;
	struct nbk_strvec channels;
	struct nbk_strvec shared_dirs;  /* envs.shared_dirs: teams' read-only envs folders */
	struct nbk_strvec tls_ca_files; /* tls.ca_files: PEM files added to the trust bundle */
	char *pip_index_url;
	char *pip_username_file; /* envs.pip_*_file: the index's credentials (a secret) */
	char *pip_password_file;
	bool pip_trusted_host; /* envs.pip_trusted_host: PIP_TRUSTED_HOST=the index's host */
	char *auth_file; /* envs.auth_file: channel credentials for envtool (RATTLER_AUTH_FILE) */

	struct {
		char *tracking_uri;
		char *s3_endpoint_url;
		char *experiment_name;
		char *username_file;
		char *password_file;
		char *token_file;
		bool insecure_tls;
	} mlflow;
	struct {
		char *endpoint;
		char *region;
		char *access_key_file;
		char *secret_key_file;
		char *ca_bundle;
	} s3;
	struct nbk_strvec extra_env; /* "KEY=VALUE", ${VAR} not yet expanded */
	struct nbk_strvec env_files;

	enum bs_gpu_mode gpu_mode;
	struct nbk_strvec driver_dirs;
	unsigned gpu_probe_timeout_ms; /* gpu.probe_timeout (s) * 1000; default 5000 */

	enum bs_threads_mode threads_mode;

	struct nbk_strvec hook_dirs;
	struct nbk_strvec hook_user_dirs;
	unsigned hook_timeout_s;
	enum bs_on_error on_error;

	unsigned stop_timeout_s;
	struct nbk_strvec unset_env;

	struct nbk_strvec cmd_default;
	struct nbk_strvec cmd_hub;

	struct nbk_strvec sources; /* files read, in order, for the plan */
	char *image_user;          /* user.name from the files, before NB_USER */
};

/* What every step shares. */
struct bs_ctx {
	struct bs_config cfg;
	struct nbk_strvec env;         /* the command's environment, "KEY=VALUE" */
	struct nbk_strvec secret_keys; /* variables whose values are secret */
	bool is_root;                  /* started with euid 0 */
	bool print_env;                /* --print-env: no hooks, no command */
	bool root_skip_logged;         /* "not root: skipping ..." said once */
	char *home;                    /* cfg.home, normalised */
	uint64_t step_start_us;        /* set by main before each step */
	bool home_readonly;            /* the user cannot write the home: skip writes there */
	gid_t files_gid;               /* group of what bootstrap creates in the home:
					  cfg.gid, or an fsGroup volume's group */
	char *tls_bundle;              /* the trust bundle written (tls.c), or NULL */
};

/* config.c */
void bs_config_init(struct bs_config *cfg);
void bs_config_release(struct bs_config *cfg);
/* Where the configuration comes from, lowest layer first. */
struct bs_config_sources {
	const char *image_dir;  /* the image's drop-ins; NULL or "": none */
	const char *main;       /* the main file */
	bool main_is_default;   /* then a missing main file means "all defaults" */
	const char *dropin_dir; /* the deployment's drop-ins; NULL or "": none */
};

/*
 * Load every *.yaml of src->image_dir in name order, then src->main (a
 * missing file is an error unless it is the default path), then every
 * *.yaml of src->dropin_dir in name order; a missing folder is no layer,
 * an unreadable one an error.  Merge them (later keys win), validate types
 * and keys, then apply the NB_* overrides found in env.  cfg->sources
 * lists the files read, in that order.
 */
int bs_config_load(struct bs_config *cfg, const struct bs_config_sources *src,
		   const struct nbk_strvec *env, struct nbk_error *err);
/* Write the plan (--check) to fd. */
void bs_config_print_plan(const struct bs_config *cfg, int fd);
/*
 * Identity rules (issue 9), checked by bs_config_load before anything
 * changes.  A user name: a lowercase letter or '_', then at most 31
 * lowercase letters, digits, '_', '.' or '-' (so never ':', '/', a space or
 * a control character, which would break or add passwd lines).
 */
bool bs_user_name_valid(const char *name);
/*
 * May bootstrap write a passwd entry for cfg->user_name with cfg->uid?  Yes
 * when no account has that name (getpwnam), when it is the image's own user
 * (cfg->image_user: docker-stacks' NB_UID renumbers it), or when the account
 * already has exactly cfg->uid.  Otherwise -1 with a message: an NB_USER
 * naming root, daemon or any other account must never rewrite its entry.
 * home.c's passwd update relies on it (call it again there if the lookup
 * must be fresh).
 */
int bs_user_may_take(const struct bs_config *cfg, struct nbk_error *err);

/*
 * The stop signal (TERM, INT, HUP, QUIT) received while the steps run, or 0.
 * Set by main's handler; a step that waits for a long time (the hooks)
 * looks at it, stops what it waits for and gives up.
 */
#include <signal.h>
extern volatile sig_atomic_t bs_stop_signal;

/* The stop signals whose handler sets bs_stop_signal, as a set. */
void bs_stop_sigset(sigset_t *set);

/* ctx.c: secret marking and helpers shared by the steps */
/* true when a variable's name marks its value secret (SECRET, PASSWORD, TOKEN, KEY). */
bool bs_env_name_is_secret(const char *name);
/* Set KEY in ctx->env unless it is already there (the container wins). */
bool bs_env_set_default(struct bs_ctx *ctx, const char *key, const char *value);
/* Mark key secret and register value with the logger's redaction. */
void bs_mark_secret(struct bs_ctx *ctx, const char *key, const char *value);
bool bs_is_secret(const struct bs_ctx *ctx, const char *key);
/* Log "not running as root: skipping ..." the first time only. */
void bs_note_not_root(struct bs_ctx *ctx, const char *what);
/*
 * The one info line a step writes about what it did: "STEP: MESSAGE (1.2 ms)",
 * the time counted from ctx->step_start_us.
 */
void bs_step_log(const struct bs_ctx *ctx, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* home.c: user entries, home folder, skeleton, listed directories */
int bs_home_prepare(struct bs_ctx *ctx, struct nbk_error *err);

/* handoff.c: giving a tree to the user, as root, no link followed */
struct bs_chown_rule {
	uid_t uid;      /* the new owner */
	gid_t gid;      /* the new group */
	uid_t from_uid; /* only entries of this owner get uid; (uid_t)-1: every entry */
	gid_t from_gid; /* only entries of this group get gid; (gid_t)-1: every entry */
	bool recursive; /* the folder's whole tree; else path itself only */
};
struct bs_chown_stats {
	unsigned long changed; /* entries given a new owner or group */
	unsigned long skipped; /* mounts inside, foreign hard links, links swapped in, too deep */
};
/*
 * Give path (and, with rule->recursive, everything below it on the same
 * file system) to rule->uid:gid as the rule says.  Every step is on a
 * descriptor: a symlink is given a new owner itself and never followed (a
 * symlink at path is an error), a folder swapped for a link during the
 * walk is skipped, another file system is not entered, and a non-folder
 * with more than one link owned by neither rule->uid nor rule->from_uid
 * is left as it is.  At most 256 levels deep.  Returns 0 with *st filled,
 * or -1 with err at the first entry that could not be read or changed.
 */
int bs_chown_tree(const char *path, const struct bs_chown_rule *rule, struct bs_chown_stats *st,
		  struct nbk_error *err);
/*
 * tls.c: with tls.ca_files, one trust bundle (the system's CAs, then the
 * certificates of those files) at BS_TLS_BUNDLE (root) or in the user's
 * ~/.cache/nbkit (not root), ctx->tls_bundle set, and SSL_CERT_FILE,
 * REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, PIP_CERT and NODE_EXTRA_CA_CERTS
 * pointing at it unless the container sets them; what it did is appended
 * to said.  Nothing without tls.ca_files.  Called by envroots, as root.
 */
#define BS_TLS_BUNDLE "/run/nbkit/ca-bundle.pem"
#define BS_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
int bs_tls_bundle(struct bs_ctx *ctx, struct nbk_buf *said, struct nbk_error *err);
/* envroots.c: CONDA_ENVS_DIRS, CONDA_PKGS_DIRS, the managed .condarc */
int bs_envroots_apply(struct bs_ctx *ctx, struct nbk_error *err);
/* integrations.c: MLflow, S3/MinIO, integrations.env, env_files */
int bs_integrations_apply(struct bs_ctx *ctx, struct nbk_error *err);
/* gpu.c: driver discovery and the cuDriverGetVersion probe */
int bs_gpu_apply(struct bs_ctx *ctx, struct nbk_error *err);
/* threads.c: effective CPU count and the thread variables */
int bs_threads_apply(struct bs_ctx *ctx, struct nbk_error *err);
/* hooks.c: run the hooks of dirs (sourced *.sh, executables) */
int bs_hooks_run(struct bs_ctx *ctx, const struct nbk_strvec *dirs, const char *phase,
		 struct nbk_error *err);
/* Between SIGTERM and SIGKILL to the group of a hook that ran past its time. */
#define BS_HOOK_GRACE_MS 2000
/*
 * hookshell.c: the shell that sources the hooks of a phase one after
 * another (its header comment says how, what stays as with a shell per
 * hook, and the limits).  Start from BS_HOOK_SHELL_INIT; the shell starts
 * with the first hook; bs_hook_shell_end() ends it (SIGKILL to the shell
 * alone, reaped) and frees the rest.
 */
struct bs_hook_shell {
	const char *shell;  /* bash, else /bin/sh; found with the first hook */
	pid_t pid;          /* the shell, waiting for our next hook; 0: none */
	bool batch;         /* it takes a line per hook; else one hook ("$0") */
	int script;         /* batch: the memory file of its script */
	int ctl;            /* our end of the pipe of its go lines */
	int rec;            /* where its records come from (O_NONBLOCK) */
	int dump;           /* the memory file of its dumps */
	int names;          /* its scratch memory file */
	int ack;            /* the memory file where it writes a byte per hook it takes */
	uint64_t handed;    /* hooks handed to it (go lines written) */
	struct nbk_buf env; /* its last dump, `env -0`'s shape: where the next hook starts */
};
/* clang-format off */
#define BS_HOOK_SHELL_INIT { NULL, 0, false, -1, -1, -1, -1, -1, -1, 0, NBK_BUF_INIT }
/* clang-format on */
/* What became of a sourced hook's environment. */
enum bs_hook_env {
	BS_HOOK_ENV_APPLIED,     /* its changes are in ctx->env */
	BS_HOOK_ENV_NOT_SOURCED, /* the shell could not dump its environment: the hook did not run */
	BS_HOOK_ENV_LOST,        /* no dump came back after it (exec, its own EXIT trap, killed) */
};
struct nbk_proc_result;
/*
 * Source the hook at path in sh's shell, started first (with ctx->env) when
 * none runs.  Fills res as nbk_proc_run() would for a shell of the hook's
 * own (status: the hook's, as a wait status; timed_out, stopped;
 * elapsed_ms from our go line to its record), *env, and when the changes
 * were applied to ctx->env, set and unset (the names).  Afterwards sh has a
 * shell waiting for the next hook, or none.  Returns -1 with err when no
 * shell could be started (no pipe, no fork).
 */
int bs_hook_shell_source(struct bs_ctx *ctx, const char *phase, struct bs_hook_shell *sh,
			 const char *path, struct nbk_proc_result *res, enum bs_hook_env *env,
			 struct nbk_strvec *set, struct nbk_strvec *unset, struct nbk_error *err);
void bs_hook_shell_end(struct bs_hook_shell *sh);
/* privileges.c: setgroups/setgid/setuid to cfg.uid/gid, umask, HOME/USER */
int bs_privileges_drop(struct bs_ctx *ctx, struct nbk_error *err);
/* A user in more groups than this is cut to the first ones (NGROUPS_MAX is
 * 65536 on Linux; a notebook user in hundreds of groups is already odd). */
#define BS_MAX_GROUPS 1024
/*
 * The supplementary groups the user runs with (from /etc/group, plus the
 * primary group and a group-writable home's group: see privileges.c).
 * Returns the count written to groups, at most max.
 */
size_t bs_user_groups(const struct bs_ctx *ctx, gid_t *groups, size_t max);

/*
 * userfs.c: the scope in which bootstrap acts in the home.  Between enter
 * and leave, every path is resolved and every permission checked as the
 * notebook user (fsuid cfg.uid, fsgid ctx->files_gid, the user's groups), so
 * root never acts through a name the user controls.  A no-op when bootstrap
 * is not root or the user is root.  leave restores root's identity and
 * frees what enter saved; it is safe on a scope that was never entered.
 */
struct bs_userfs {
	bool active;
	uid_t fsuid;
	gid_t fsgid;
	gid_t *saved_groups;
	size_t n_saved;
};
int bs_userfs_enter(const struct bs_ctx *ctx, struct bs_userfs *s, struct nbk_error *err);
void bs_userfs_leave(struct bs_userfs *s);
/*
 * true when path (expanded, absolute) may lead through the user's files: it
 * lies in the home, or it holds a ".." that the kernel resolves through
 * whatever links the path crosses.  Such a path is opened as the user.
 */
bool bs_path_in_home(const struct bs_ctx *ctx, const char *path);
/*
 * integrations.c: read a secret file (into *value, trimmed; at most 64 KiB)
 * or any other file (into text; at most 1 MiB) named by the configuration.
 * A file in the home is the user's: it is read with the user's identity
 * (userfs.c), so a link there reaches only what the user may read, and a
 * problem with it is a warning naming what (the config key), since the
 * user must not be able to stop their own server.  Any other file is the
 * deployment's: read as root, and a problem stops the start.  Returns 1
 * when read, 0 when skipped, -1 with err.
 */
int bs_read_as_owner(const struct bs_ctx *ctx, const char *what, const char *path, char **value,
		     struct nbk_buf *text, struct nbk_error *err);
/*
 * supervise.c: become subreaper (or act as PID 1), start argv with ctx->env,
 * forward signals, reap, stop what is left when the command ends.  Returns
 * the exit code bootstrap must end with (the command's status, 128+N for a
 * signal, 127/126 for exec failures).
 */
int bs_supervise(struct bs_ctx *ctx, char *const argv[]);

#endif
