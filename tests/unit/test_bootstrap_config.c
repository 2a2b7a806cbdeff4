/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: bootstrap's configuration (valid, malformed YAML with its
 * position, wrong types, unknown keys, drop-ins, NB_* overrides) and the
 * .condarc merge.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_tmpdir.h"
#include "../../bootstrap/bootstrap.h"
#include "../../bootstrap/envroots.h"
#include "nbkit/buf.h"
#include "nbkit/path.h"

/* Load text as the main file with env entries; returns 0/-1, err filled. */
static int load(struct bs_config *cfg, const char *text, const char *dropin_dir,
		const char *const *env, struct nbk_error *err)
{
	struct nbk_strvec e = NBK_STRVEC_INIT;
	char *path = unit_tmpdir_write("main.yaml", text);
	int r;

	struct bs_config_sources src = { NULL, path, false, dropin_dir };

	nbk_strvec_pushv(&e, env);
	bs_config_init(cfg);
	r = bs_config_load(cfg, &src, &e, err);
	nbk_strvec_release(&e);
	free(path);
	return r;
}

static void test_defaults(void **state)
{
	struct bs_config cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec env = NBK_STRVEC_INIT;
	struct bs_config_sources none = { "/nonexistent/image", "/nonexistent/bootstrap.yaml", true,
					  "/nonexistent" },
				 missing = { NULL, "/nonexistent/b.yaml", false, NULL };

	(void)state;
	bs_config_init(&cfg);
	assert_int_equal(bs_config_load(&cfg, &none, &env, &err), 0);
	assert_string_equal(cfg.user_name, "jovyan");
	assert_int_equal(cfg.uid, 1000);
	assert_int_equal(cfg.gid, 100);
	assert_int_equal(cfg.umask, 022);
	assert_string_equal(cfg.home, "/home/jovyan");
	assert_int_equal(cfg.hook_timeout_s, 120);
	assert_int_equal(cfg.stop_timeout_s, 25);
	assert_string_equal(cfg.cmd_default.v[0], "jupyter");
	assert_string_equal(cfg.cmd_hub.v[0], "jupyterhub-singleuser");
	assert_int_equal(cfg.driver_dirs.n, 3);
	assert_int_equal(cfg.sources.n, 0);
	bs_config_release(&cfg);
	/* an explicit main file that is missing is an error */
	bs_config_init(&cfg);
	assert_int_equal(bs_config_load(&cfg, &missing, &env, &err), -1);
	assert_string_equal(err.msg,
			    "cannot open '/nonexistent/b.yaml': No such file or directory");
	bs_config_release(&cfg);
}

static void test_full(void **state)
{
	static const char *const env[] = { NULL };
	struct bs_config cfg;
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	if (load(&cfg,
		 "user: {name: ann, uid: 1234, gid: 1234, home: /home/ann, umask: \"0077\"}\n"
		 "home: {skeleton: /etc/skel, directories: [.local, work]}\n"
		 "envs: {root: ~/.conda, condarc: ~/.condarc, channels: [https://mirror/cf],"
		 " pip_index_url: https://pypi.mirror/simple}\n"
		 "integrations:\n"
		 "  mlflow: {tracking_uri: http://mlflow:5000, insecure_tls: true,"
		 " password_file: /run/secrets/pw}\n"
		 "  s3: {endpoint: http://minio:9000, region: eu-1}\n"
		 "  env: {TEAM: risk, HOME_COPY: '${HOME}'}\n"
		 "  env_files: [/run/secrets/env]\n"
		 "gpu: {mode: required, driver_dirs: [/drv], probe_timeout: 2}\n"
		 "threads: {mode: 'off'}\n"
		 "hooks: {dirs: [/h], user_dirs: [], timeout: 5, on_error: abort}\n"
		 "supervise: {stop_timeout: 3, unset_env: [SECRET_X]}\n"
		 "command: {default: [sleep, '1'], hub: [hub-cmd]}\n",
		 NULL, env, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.user_name, "ann");
	assert_int_equal(cfg.uid, 1234);
	assert_int_equal(cfg.umask, 077);
	assert_int_equal(cfg.home_dirs.n, 2);
	assert_string_equal(cfg.channels.v[0], "https://mirror/cf");
	assert_string_equal(cfg.pip_index_url, "https://pypi.mirror/simple");
	assert_true(cfg.mlflow.insecure_tls);
	assert_string_equal(cfg.mlflow.password_file, "/run/secrets/pw");
	assert_string_equal(cfg.s3.region, "eu-1");
	assert_int_equal(cfg.extra_env.n, 2);
	assert_string_equal(cfg.extra_env.v[0], "TEAM=risk");
	assert_string_equal(cfg.extra_env.v[1], "HOME_COPY=${HOME}");
	assert_int_equal(cfg.gpu_mode, BS_GPU_REQUIRED);
	assert_int_equal(cfg.gpu_probe_timeout_ms, 2000);
	assert_int_equal(cfg.threads_mode, BS_THREADS_OFF);
	assert_int_equal(cfg.hook_user_dirs.n, 0);
	assert_int_equal(cfg.hook_timeout_s, 5);
	assert_int_equal(cfg.on_error, BS_ON_ERROR_ABORT);
	assert_int_equal(cfg.stop_timeout_s, 3);
	assert_string_equal(cfg.cmd_default.v[1], "1");
	assert_int_equal(cfg.sources.n, 1);
	bs_config_release(&cfg);
}

static void test_errors(void **state)
{
	static const char *const env[] = { NULL };
	static const struct {
		const char *text;
		const char *want; /* after "<tmpdir>/main.yaml:" */
	} cases[] = {
		{ "user:\n  name: [a\n",
		  "3:1: did not find expected ',' or ']' while parsing a flow sequence" },
		{ "user:\n  nmae: x\n", "2:3: unknown key 'user.nmae'" },
		{ "gpus: {}\n", "1:1: unknown key 'gpus'" },
		{ "user: {uid: abc}\n", "1:13: 'user.uid': expected a whole number, found 'abc'" },
		{ "user: {uid: -5}\n", "1:13: 'user.uid': -5 is out of range (0 to 4294967294)" },
		{ "user: {uid: '1000'}\n",
		  "1:13: 'user.uid': expected a whole number, found a string" },
		{ "user: {umask: '999'}\n",
		  "1:15: 'user.umask': expected an octal umask such as \"0022\", found '999'" },
		{ "hooks: {timeout: 0}\n",
		  "1:18: 'hooks.timeout': 0 is out of range (1 to 86400)" },
		{ "hooks: {on_error: stop}\n",
		  "1:19: 'hooks.on_error': expected one of continue, abort, found 'stop'" },
		{ "gpu: {mode: yes}\n",
		  "1:13: 'gpu.mode': expected one of auto, off, required, found 'yes'" },
		{ "gpu: {driver_dirs: /x}\n",
		  "1:20: 'gpu.driver_dirs': expected a list, found a value" },
		{ "home: [a]\n", "1:7: 'home': expected a mapping, found a list" },
		{ "integrations: {mlflow: {insecure_tls: maybe}}\n",
		  "1:39: 'integrations.mlflow.insecure_tls': expected true or false, found 'maybe'" },
		{ "integrations: {env: {'1BAD': x}}\n",
		  "1:22: 'integrations.env': '1BAD' is not a valid variable name" },
		{ "integrations: {env: {A: [x]}}\n",
		  "1:25: 'integrations.env': 'A' must be a value, found a list" },
		{ "command: {default: []}\n", NULL },
		{ "- a\n", "1:1: '(top level)': expected a mapping, found a list" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_config cfg;
		struct nbk_error err = NBK_ERROR_INIT;
		char want[512];

		assert_int_equal(load(&cfg, cases[i].text, NULL, env, &err), -1);
		if (cases[i].want) {
			snprintf(want, sizeof(want), "%s/main.yaml:%s", tmpdir, cases[i].want);
			if (strcmp(err.msg, want))
				fail_msg("case %zu:\n got '%s'\nwant '%s'", i, err.msg, want);
		} else {
			assert_string_equal(err.msg,
					    "command.default and command.hub must not be empty");
		}
		bs_config_release(&cfg);
	}
}

static void test_dropins_and_overrides(void **state)
{
	static const char *const env[] = { "NB_USER=zoe", "NB_UID=2001", "NB_GID=2002",
					   "NB_UMASK=0002", NULL };
	static const char *const bad_uid[] = { "NB_UID=12x", NULL };
	static const char *const bad_user[] = { "NB_USER=a:b", NULL };
	struct bs_config cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	char *dir = nbk_xasprintf("%s/conf.d", tmpdir);
	char *f;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	free(unit_tmpdir_write("conf.d/20-b.yaml",
			       "supervise: {stop_timeout: 7}\nhooks: {dirs: [/b]}\n"));
	free(unit_tmpdir_write("conf.d/10-a.yaml",
			       "supervise: {stop_timeout: 5}\nhooks: {timeout: 9}\n"));
	free(unit_tmpdir_write("conf.d/notes.txt", "not: yaml: at all: ["));
	free(unit_tmpdir_write("conf.d/.hidden.yaml", "bogus: 1\n"));
	assert_int_equal(
		load(&cfg, "hooks: {dirs: [/a, /a2]}\nuser: {name: ann}\n", dir, env, &err), 0);
	assert_int_equal(cfg.stop_timeout_s, 7); /* 20-b after 10-a */
	assert_int_equal(cfg.hook_timeout_s, 9); /* kept from 10-a */
	assert_int_equal(cfg.hook_dirs.n, 1);    /* lists are replaced */
	assert_string_equal(cfg.hook_dirs.v[0], "/b");
	assert_string_equal(cfg.user_name, "zoe");
	assert_int_equal(cfg.uid, 2001);
	assert_int_equal(cfg.gid, 2002);
	assert_int_equal(cfg.umask, 02);
	assert_int_equal(cfg.sources.n, 3);
	bs_config_release(&cfg);

	assert_int_equal(load(&cfg, "", dir, bad_uid, &err), -1);
	assert_string_equal(err.msg, "NB_UID: expected a number from 0 to 4294967294, found '12x'");
	bs_config_release(&cfg);
	assert_int_equal(load(&cfg, "", dir, bad_user, &err), -1);
	assert_string_equal(err.msg,
			    "NB_USER: 'a:b' is not a valid user name (a lowercase letter "
			    "or '_', then at most 31 lowercase letters, digits, '_', '.' or '-')");
	bs_config_release(&cfg);

	/* an error in a drop-in names the drop-in */
	f = unit_tmpdir_write("conf.d/30-c.yaml", "threads: {mode: sometimes}\n");
	assert_int_equal(load(&cfg, "", dir, bad_uid, &err), -1);
	if (!strstr(err.msg, "conf.d/30-c.yaml:1:17: 'threads.mode'"))
		fail_msg("got '%s'", err.msg);
	bs_config_release(&cfg);
	free(f);
	free(dir);
}

/*
 * The layers, lowest first: the image's drop-ins, the main file, the
 * deployment's drop-ins, NB_*.  The deployment's folder replaced by a
 * mount that holds one drop-in (a ConfigMap: files as links into ..data/)
 * hides nothing of the image's layer.
 */
static void test_layers(void **state)
{
	static const char *const env[] = { "NB_UMASK=0077", NULL };
	struct bs_config cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec e = NBK_STRVEC_INIT;
	char *image = nbk_xasprintf("%s/image", tmpdir), *deploy = nbk_xasprintf("%s/cm", tmpdir),
	     *main_file, *link_to;
	struct bs_config_sources src = { image, NULL, false, deploy };

	(void)state;
	assert_int_equal(mkdir(image, 0755), 0);
	assert_int_equal(mkdir(deploy, 0755), 0);
	free(unit_tmpdir_write(
		"image/10-variant.yaml",
		"command: {default: [jupyter, notebook]}\n"
		"supervise: {stop_timeout: 3}\nhooks: {timeout: 4}\nuser: {umask: \"0022\"}\n"));
	free(unit_tmpdir_write("image/20-java.yaml", "integrations: {env: {JAVA_HOME: /jvm}}\n"));
	main_file = unit_tmpdir_write("layers.yaml",
				      "supervise: {stop_timeout: 10}\nhooks: {timeout: 11}\n");
	src.main = main_file;
	/* the ConfigMap's shape: NAME -> ..data/NAME, ..data -> a dated folder */
	link_to = nbk_xasprintf("%s/..2026", deploy);
	assert_int_equal(mkdir(link_to, 0755), 0);
	free(unit_tmpdir_write("cm/..2026/50-team.yaml", "hooks: {timeout: 12}\n"));
	free(link_to);
	link_to = nbk_xasprintf("%s/..data", deploy);
	assert_int_equal(symlink("..2026", link_to), 0);
	free(link_to);
	link_to = nbk_xasprintf("%s/50-team.yaml", deploy);
	assert_int_equal(symlink("..data/50-team.yaml", link_to), 0);
	free(link_to);

	nbk_strvec_pushv(&e, env);
	bs_config_init(&cfg);
	assert_int_equal(bs_config_load(&cfg, &src, &e, &err), 0);
	assert_string_equal(cfg.cmd_default.v[1], "notebook"); /* the image's, kept */
	assert_string_equal(cfg.extra_env.v[0], "JAVA_HOME=/jvm");
	assert_int_equal(cfg.stop_timeout_s, 10); /* the main file over the image */
	assert_int_equal(cfg.hook_timeout_s, 12); /* the deployment's over both */
	assert_int_equal(cfg.umask, 077);         /* NB_UMASK over every file */
	assert_int_equal(cfg.sources.n, 4);
	assert_true(strstr(cfg.sources.v[0], "/image/10-variant.yaml") != NULL);
	assert_true(strstr(cfg.sources.v[1], "/image/20-java.yaml") != NULL);
	assert_string_equal(cfg.sources.v[2], main_file);
	assert_true(strstr(cfg.sources.v[3], "/cm/50-team.yaml") != NULL);
	bs_config_release(&cfg);

	/* an error in the image's layer names its file */
	free(unit_tmpdir_write("image/30-bad.yaml", "gpu: {mode: maybe}\n"));
	bs_config_init(&cfg);
	assert_int_equal(bs_config_load(&cfg, &src, &e, &err), -1);
	if (!strstr(err.msg, "image/30-bad.yaml:1:"))
		fail_msg("got '%s'", err.msg);
	bs_config_release(&cfg);
	nbk_strvec_release(&e);
	free(main_file);
	free(image);
	free(deploy);
}

/* load() with a single environment entry (NULL: none). */
static int load_env(struct bs_config *cfg, const char *text, const char *entry,
		    struct nbk_error *err)
{
	const char *env[] = { entry, NULL };

	return load(cfg, text, NULL, env, err);
}

/*
 * Issue 9: ids and umasks are plain digits.  strtol read " 4242" and
 * "+4242" (and YAML's int reads "+4242"), so what an admin saw was not
 * what was checked.
 */
static void test_ids_plain_digits(void **state)
{
	static const char *const bad_env[] = {
		"NB_UID= 4242",      "NB_UID=+4242",       "NB_UID=4242 ",  "NB_UID=0x10",
		"NB_UID=4294967295", "NB_UID=00000000001", "NB_GID= 100",   "NB_GID=+100",
		"NB_UMASK=+022",     "NB_UMASK= 022",      "NB_UMASK=0x12", "NB_UMASK=00022",
		"NB_UMASK=-022",
	};
	static const char *const bad_yaml[] = {
		"user: {uid: +4242}\n",
		"user: {gid: +100}\n",
		"user: {uid: 0x10}\n",
	};
	struct bs_config cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_env) / sizeof(bad_env[0]); i++) {
		if (load_env(&cfg, "", bad_env[i], &err) != -1)
			fail_msg("'%s' was accepted", bad_env[i]);
		if (!strstr(err.msg, "expected"))
			fail_msg("'%s': %s", bad_env[i], err.msg);
		bs_config_release(&cfg);
	}
	for (i = 0; i < sizeof(bad_yaml) / sizeof(bad_yaml[0]); i++) {
		if (load_env(&cfg, bad_yaml[i], NULL, &err) != -1)
			fail_msg("'%s' was accepted", bad_yaml[i]);
		if (!strstr(err.msg, "main.yaml:1:"))
			fail_msg("'%s': %s", bad_yaml[i], err.msg);
		bs_config_release(&cfg);
	}
	assert_int_equal(load_env(&cfg, "user: {uid: 4242, gid: 0}\n", "NB_UMASK=027", &err), 0);
	assert_int_equal(cfg.uid, 4242);
	assert_int_equal(cfg.gid, 0);
	assert_int_equal(cfg.umask, 027);
	bs_config_release(&cfg);
	/* uid 0 stays allowed: the tests and root images rely on it */
	assert_int_equal(load_env(&cfg, "user: {name: root}\n", "NB_UID=0", &err), 0);
	assert_int_equal(cfg.uid, 0);
	bs_config_release(&cfg);
}

/*
 * Issue 9: a user name or home holding a newline or ':' wrote extra passwd
 * lines (home.c joins them with ':'), and NB_USER=root rewrote root's entry.
 */
static void test_identity(void **state)
{
	static const struct {
		const char *yaml;
		const char *env;
		const char *want; /* NULL: accepted */
	} cases[] = {
		{ "user: {name: \"ann\\nroot2::0:0::/root:/bin/sh\"}\n", NULL,
		  "main.yaml:1:14: 'user.name': 'ann\nroot2::0:0::/root:/bin/sh' is not a valid user name" },
		{ "user: {name: \"a:b\"}\n", NULL,
		  "main.yaml:1:14: 'user.name': 'a:b' is not a valid" },
		{ "user: {name: Ann}\n", NULL,
		  "main.yaml:1:14: 'user.name': 'Ann' is not a valid" },
		{ "user: {name: -ann}\n", NULL,
		  "main.yaml:1:14: 'user.name': '-ann' is not a valid" },
		{ "user: {name: \"\"}\n", NULL, "main.yaml:1:14: 'user.name': '' is not a valid" },
		{ "user: {name: a23456789012345678901234567890123}\n", NULL,
		  "main.yaml:1:14: 'user.name'" },
		{ "user: {name: a2345678901234567890123456789012}\n", NULL, NULL },
		{ "user: {name: john.doe_2-x}\n", NULL, NULL },
		{ "user: {home: \"/home/a\\nb\"}\n", NULL,
		  "main.yaml:1:14: 'user.home': must not hold ':' or a control character" },
		{ "user: {home: \"/home/a:/bin/sh\"}\n", NULL,
		  "main.yaml:1:14: 'user.home': must not hold ':'" },
		{ "user: {home: /home/../etc}\n", NULL,
		  "main.yaml:1:14: 'user.home': must not have a '.' or '..' part" },
		{ "user: {home: /home/./a}\n", NULL,
		  "main.yaml:1:14: 'user.home': must not have a '.' or '..' part" },
		{ "user: {home: /home/a/..}\n", NULL,
		  "main.yaml:1:14: 'user.home': must not have a '.' or '..' part" },
		{ "user: {home: //}\n", NULL, "main.yaml:1:14: 'user.home': must not be '/'" },
		{ "user: {home: home/a}\n", NULL,
		  "main.yaml:1:14: 'user.home': must be an absolute path" },
		{ "user: {home: /home/a.b/..c/.d}\n", NULL, NULL },
		{ "", "NB_USER=a\nb", "NB_USER: 'a\nb' is not a valid user name" },
		{ "", "NB_USER=../x", "NB_USER: '../x' is not a valid user name" },
		/* an existing account other than the image's user, with another uid */
		{ "", "NB_USER=root",
		  "NB_USER: 'root' is an existing account (uid 0), not the image's "
		  "user 'jovyan': refusing to give its passwd entry uid 1000" },
		{ "user: {uid: 4242}\n", "NB_USER=root",
		  "NB_USER: 'root' is an existing account (uid 0)" },
		/* the same account with exactly its uid: nothing to rewrite */
		{ "user: {uid: 0}\n", "NB_USER=root", NULL },
		/* the image's own user (docker-stacks' NB_UID renumbers it) */
		{ "user: {name: root, uid: 4242}\n", "NB_USER=root", NULL },
		{ "user: {name: root, uid: 4242}\n", NULL, NULL },
		/* a new name */
		{ "", "NB_USER=nbk-no-such-user-9", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_config cfg;
		struct nbk_error err = NBK_ERROR_INIT;
		int r = load_env(&cfg, cases[i].yaml, cases[i].env, &err);

		if (!cases[i].want) {
			if (r != 0)
				fail_msg("case %zu refused: %s", i, err.msg);
		} else if (r != -1) {
			fail_msg("case %zu accepted", i);
		} else {
			const char *msg = err.msg;

			if (!strncmp(msg, tmpdir, strlen(tmpdir)))
				msg += strlen(tmpdir) + 1;
			if (strncmp(msg, cases[i].want, strlen(cases[i].want)))
				fail_msg("case %zu:\n got '%s'\nwant '%s...'", i, msg,
					 cases[i].want);
		}
		bs_config_release(&cfg);
	}
}

/* Issue 9: a second document in the main file or a drop-in was silently dropped. */
static void test_second_document(void **state)
{
	static const char *const env[] = { NULL };
	struct bs_config cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	char *dir = nbk_xasprintf("%s/second.d", tmpdir);
	char *want;

	(void)state;
	assert_int_equal(load(&cfg, "user: {uid: 4242}\n---\nuser: {uid: 0}\n", NULL, env, &err),
			 -1);
	want = nbk_xasprintf("%s/main.yaml:2:1: a second YAML document", tmpdir);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("got '%s'", err.msg);
	free(want);
	bs_config_release(&cfg);
	assert_int_equal(mkdir(dir, 0755), 0);
	free(unit_tmpdir_write("second.d/50-site.yaml",
			       "gpu: {mode: \"off\"}\n...\n---\nhooks: {dirs: []}\n"));
	assert_int_equal(load(&cfg, "", dir, env, &err), -1);
	want = nbk_xasprintf("%s/50-site.yaml:3:1: a second YAML document", dir);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("got '%s'", err.msg);
	free(want);
	bs_config_release(&cfg);
	free(dir);
}

static char *slurp(const char *path)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;

	assert_int_equal(nbk_read_file(path, 1 << 20, &b, &err), 0);
	return nbk_buf_detach(&b, NULL);
}

static void test_condarc(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec channels = NBK_STRVEC_INIT;
	struct nbk_strvec none = NBK_STRVEC_INIT;
	const char *why;
	char *path, *text, *before;
	struct stat st1, st2;

	(void)state;
	/* a new file */
	path = nbk_xasprintf("%s/new-condarc", tmpdir);
	nbk_strvec_push(&channels, "https://mirror/conda-forge");
	assert_int_equal(bs_condarc_update(path, "/h/.conda/envs", "/h/.conda/pkgs", &channels,
					   NULL, &why, &err),
			 1);
	text = slurp(path);
	assert_string_equal(text,
			    "envs_dirs:\n- /h/.conda/envs\npkgs_dirs:\n- /h/.conda/pkgs\n"
			    "channels:\n- https://mirror/conda-forge\n");
	free(text);
	/* already right: not rewritten */
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(bs_condarc_update(path, "/h/.conda/envs", "/h/.conda/pkgs", &channels,
					   NULL, &why, &err),
			 0);
	assert_null(why);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	free(path);

	/* the user's keys and extra entries stay */
	path = unit_tmpdir_write("user-condarc",
				 "channels: [defaults]\nenvs_dirs: [/data/envs]\n"
				 "always_yes: true\nssl_verify: /etc/ca.pem\n");
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(bs_condarc_update(path, "/h/envs", "/h/pkgs", &none, NULL, &why, &err), 1);
	text = slurp(path);
	assert_string_equal(text,
			    "channels:\n- defaults\nenvs_dirs:\n- /h/envs\n- /data/envs\n"
			    "always_yes: true\nssl_verify: /etc/ca.pem\npkgs_dirs:\n- /h/pkgs\n");
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(st1.st_mode & 0777, 0600);
	free(text);
	free(path);

	/* not valid YAML, or not a mapping: left untouched, byte for byte */
	path = unit_tmpdir_write("bad-condarc", "channels: [unclosed\n");
	before = slurp(path);
	assert_int_equal(bs_condarc_update(path, "/h/envs", "/h/pkgs", &none, NULL, &why, &err), 0);
	assert_string_equal(why, "it is not valid YAML");
	text = slurp(path);
	assert_string_equal(text, before);
	free(text);
	free(before);
	free(path);
	path = unit_tmpdir_write("list-condarc", "- a\n");
	assert_int_equal(bs_condarc_update(path, "/h/envs", "/h/pkgs", &none, NULL, &why, &err), 0);
	assert_string_equal(why, "it is not a YAML mapping");
	free(path);

	/* ssl_verify (tls.ca_files): the bundle replaces the user's value, once */
	path = unit_tmpdir_write("tls-condarc", "ssl_verify: false\nalways_yes: true\n");
	assert_int_equal(bs_condarc_update(path, "/h/envs", "/h/pkgs", &none, "/run/nbkit/b.pem",
					   &why, &err),
			 1);
	text = slurp(path);
	assert_non_null(strstr(text, "ssl_verify: /run/nbkit/b.pem\n"));
	assert_non_null(strstr(text, "always_yes: true\n"));
	free(text);
	assert_int_equal(bs_condarc_update(path, "/h/envs", "/h/pkgs", &none, "/run/nbkit/b.pem",
					   &why, &err),
			 0);
	free(path);
	nbk_strvec_release(&channels);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dropins_and_overrides),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_condarc),
		cmocka_unit_test(test_ids_plain_digits),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_second_document),
	};

	return cmocka_run_group_tests(tests, unit_tmpdir_setup, unit_tmpdir_teardown);
}
