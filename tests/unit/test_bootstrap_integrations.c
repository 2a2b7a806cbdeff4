/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootstrap/integrations.c: the MLflow and S3 variables, precedence
 * (container > *_file > env_files > integrations.env > literal keys),
 * env_file parsing, ${VAR} expansion, and secrets: never in the logger's
 * output, always marked for --print-env.
 */
#include <fcntl.h>
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

#include "nbkit/str.h"
#include "nbkit/buf.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/strvec.h"

#include "../../bootstrap/bootstrap.h"
#include "../../bootstrap/integrations.h"

/* A scratch folder, a context, and the logger's output captured in a file. */
struct fixture {
	char dir[64];
	char logpath[96];
	int logfd;
	struct bs_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/nbk-integrations-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->logpath, sizeof(f->logpath), "%s/log", f->dir);
	f->logfd = open(f->logpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (f->logfd < 0)
		return -1;
	nbk_log_set_fd(f->logfd);
	nbk_log_set_level(NBK_LOG_DEBUG);
	nbk_log_clear_secrets();
	bs_config_init(&f->ctx.cfg);
	nbk_strvec_init(&f->ctx.env);
	nbk_strvec_init(&f->ctx.secret_keys);
	f->ctx.home = nbk_xasprintf("%s/home", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = nbk_xasprintf("rm -rf '%s'", f->dir);

	nbk_log_set_fd(2);
	nbk_log_clear_secrets();
	close(f->logfd);
	bs_config_release(&f->ctx.cfg);
	nbk_strvec_release(&f->ctx.env);
	nbk_strvec_release(&f->ctx.secret_keys);
	free(f->ctx.home);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	free(f);
	return 0;
}

/* Write text to DIR/name and return the path (caller frees). */
static char *put(struct fixture *f, const char *name, const char *text, mode_t mode)
{
	char *path = nbk_xasprintf("%s/%s", f->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static char *log_text(struct fixture *f)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;

	assert_int_equal(nbk_read_file(f->logpath, 1 << 20, &b, &err), 0);
	return nbk_buf_detach(&b, NULL);
}

static void assert_env(struct fixture *f, const char *key, const char *value)
{
	const char *v = nbk_env_get(&f->ctx.env, key);

	if (!value) {
		if (v)
			fail_msg("%s is set to '%s', expected unset", key, v);
		return;
	}
	if (!v)
		fail_msg("%s is not set, expected '%s'", key, value);
	if (strcmp(v, value))
		fail_msg("%s='%s', expected '%s'", key, v, value);
}

static void test_literals(void **state)
{
	struct fixture *f = *state;
	struct bs_config *cfg = &f->ctx.cfg;
	struct nbk_error err = NBK_ERROR_INIT;

	nbk_str_set(&cfg->mlflow.tracking_uri, "https://mlflow.example");
	nbk_str_set(&cfg->mlflow.experiment_name, "churn");
	nbk_str_set(&cfg->s3.endpoint, "https://minio.example:9000");
	nbk_str_set(&cfg->s3.region, "eu-west-1");
	nbk_str_set(&cfg->s3.ca_bundle, "~/ca.pem");
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_env(f, "MLFLOW_TRACKING_URI", "https://mlflow.example");
	assert_env(f, "MLFLOW_EXPERIMENT_NAME", "churn");
	assert_env(f, "MLFLOW_S3_ENDPOINT_URL", "https://minio.example:9000");
	assert_env(f, "MLFLOW_TRACKING_INSECURE_TLS", "false");
	assert_env(f, "AWS_ENDPOINT_URL", "https://minio.example:9000");
	assert_env(f, "AWS_ENDPOINT_URL_S3", "https://minio.example:9000");
	assert_env(f, "FSSPEC_S3_ENDPOINT_URL", "https://minio.example:9000");
	assert_env(f, "AWS_DEFAULT_REGION", "eu-west-1");
	assert_env(f, "AWS_REGION", "eu-west-1");
	{
		char *ca = nbk_xasprintf("%s/home/ca.pem", f->dir);

		assert_env(f, "AWS_CA_BUNDLE", ca);
		free(ca);
	}
	assert_env(f, "MLFLOW_TRACKING_PASSWORD", NULL);
	assert_env(f, "AWS_ACCESS_KEY_ID", NULL);
	assert_int_equal(f->ctx.secret_keys.n, 0);
}

static void test_mlflow_endpoint_and_tls(void **state)
{
	struct fixture *f = *state;
	struct bs_config *cfg = &f->ctx.cfg;
	struct nbk_error err = NBK_ERROR_INIT;

	nbk_str_set(&cfg->mlflow.tracking_uri, "https://mlflow.example");
	nbk_str_set(&cfg->mlflow.s3_endpoint_url, "https://artifacts.example");
	nbk_str_set(&cfg->s3.endpoint, "https://minio.example");
	cfg->mlflow.insecure_tls = true;
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_env(f, "MLFLOW_S3_ENDPOINT_URL", "https://artifacts.example");
	assert_env(f, "AWS_ENDPOINT_URL", "https://minio.example");
	assert_env(f, "MLFLOW_TRACKING_INSECURE_TLS", "true");
}

static void test_nothing_configured(void **state)
{
	struct fixture *f = *state;
	struct nbk_error err = NBK_ERROR_INIT;

	nbk_env_set(&f->ctx.env, "PATH", "/usr/bin");
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_int_equal(f->ctx.env.n, 1);
}

static void test_tls_spellings(void **state)
{
	struct fixture *f = *state;
	struct nbk_error err = NBK_ERROR_INIT;

	/* the container's meaning wins, MLflow's spelling is restored */
	nbk_env_set(&f->ctx.env, "MLFLOW_TRACKING_INSECURE_TLS", "True");
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_env(f, "MLFLOW_TRACKING_INSECURE_TLS", "true");

	nbk_strvec_release(&f->ctx.env);
	nbk_strvec_push(&f->ctx.cfg.extra_env, "MLFLOW_TRACKING_INSECURE_TLS=0");
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_env(f, "MLFLOW_TRACKING_INSECURE_TLS", "false");

	nbk_strvec_release(&f->ctx.env);
	nbk_strvec_release(&f->ctx.cfg.extra_env);
	nbk_strvec_push(&f->ctx.cfg.extra_env, "MLFLOW_TRACKING_INSECURE_TLS=maybe");
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), -1);
	assert_non_null(strstr(err.msg, "must be true or false"));
	assert_int_equal(f->ctx.env.n, 0);
}

static void test_precedence(void **state)
{
	struct fixture *f = *state;
	struct bs_config *cfg = &f->ctx.cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	char *pw = put(f, "password", "from-password-file\n", 0600);
	char *tok = put(f, "token", "from-token-file\r\n", 0600);
	char *env1 = put(f, "one.env",
			 "MLFLOW_TRACKING_PASSWORD=from-env-file\n"
			 "A=env-one\nB=env-one\n",
			 0600);
	char *env2 = put(f, "two.env", "B=env-two\n", 0600);

	nbk_str_set(&cfg->mlflow.password_file, pw);
	nbk_str_set(&cfg->mlflow.token_file, tok);
	nbk_str_set(&cfg->s3.region, "literal-region");
	nbk_strvec_push(&cfg->env_files, env1);
	nbk_strvec_push(&cfg->env_files, env2);
	nbk_strvec_push(&cfg->extra_env, "MLFLOW_TRACKING_PASSWORD=literal");
	nbk_strvec_push(&cfg->extra_env, "A=extra");
	nbk_strvec_push(&cfg->extra_env, "AWS_DEFAULT_REGION=extra-region");
	nbk_strvec_push(&cfg->extra_env, "C=extra");
	nbk_strvec_push(&cfg->extra_env, "AWS_REGION=extra-region");
	nbk_env_set(&f->ctx.env, "AWS_REGION", "pod-region");
	nbk_env_set(&f->ctx.env, "MLFLOW_TRACKING_TOKEN", "pod-token");

	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_env(f, "MLFLOW_TRACKING_PASSWORD",
		   "from-password-file");                    /* file > env_file > literal */
	assert_env(f, "MLFLOW_TRACKING_TOKEN", "pod-token"); /* the container wins */
	assert_env(f, "A", "env-one");                       /* env_file > integrations.env */
	assert_env(f, "B", "env-two");                       /* later env_file wins */
	assert_env(f, "C", "extra");
	assert_env(f, "AWS_DEFAULT_REGION", "extra-region"); /* integrations.env > literal key */
	assert_env(f, "AWS_REGION", "pod-region");
	/* the token read from the file is unused but still masked in logs */
	{
		char *raw = nbk_log_redact("x from-token-file y");

		assert_string_equal(raw, "x *** y");
		free(raw);
	}
	assert_true(nbk_strvec_find(&f->ctx.secret_keys, "MLFLOW_TRACKING_PASSWORD") >= 0);
	free(pw);
	free(tok);
	free(env1);
	free(env2);
}

static void test_secret_files_and_masking(void **state)
{
	struct fixture *f = *state;
	struct bs_config *cfg = &f->ctx.cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	char *user = put(f, "user", "alice\n", 0600);
	char *ak = put(f, "ak", "AKIAEXAMPLE42\n", 0600);
	char *sk = put(f, "sk", "s3cr3t-Key/With+Chars==\n\n", 0600);
	char *envf = put(f, "extra.env", "# a comment\nexport DB_URL='postgres://u:pg-Pa55@db/x'\n",
			 0600);
	char *log;

	nbk_str_set(&cfg->mlflow.tracking_uri, "https://mlflow.example");
	nbk_str_set(&cfg->mlflow.username_file, user);
	nbk_str_set(&cfg->s3.access_key_file, ak);
	nbk_str_set(&cfg->s3.secret_key_file, sk);
	nbk_strvec_push(&cfg->env_files, envf);
	nbk_strvec_push(&cfg->extra_env,
			"S3_URL=https://${AWS_ACCESS_KEY_ID}:$AWS_SECRET_ACCESS_KEY@minio");
	nbk_strvec_push(&cfg->extra_env, "PLAIN=${MLFLOW_TRACKING_URI}/x");

	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_env(f, "MLFLOW_TRACKING_USERNAME", "alice");
	assert_env(f, "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE42");
	assert_env(f, "AWS_SECRET_ACCESS_KEY", "s3cr3t-Key/With+Chars==");
	assert_env(f, "DB_URL", "postgres://u:pg-Pa55@db/x");
	assert_env(f, "S3_URL", "https://AKIAEXAMPLE42:s3cr3t-Key/With+Chars==@minio");
	assert_env(f, "PLAIN", "https://mlflow.example/x");

	/* marked for --print-env */
	assert_true(bs_is_secret(&f->ctx, "MLFLOW_TRACKING_USERNAME"));
	assert_true(bs_is_secret(&f->ctx, "AWS_SECRET_ACCESS_KEY"));
	assert_true(bs_is_secret(&f->ctx, "DB_URL"));
	assert_true(bs_is_secret(&f->ctx, "S3_URL"));
	assert_false(bs_is_secret(&f->ctx, "PLAIN"));
	assert_false(bs_is_secret(&f->ctx, "MLFLOW_TRACKING_URI"));

	/* the step's own lines, and any line that quotes a value, hold no secret */
	nbk_log(NBK_LOG_DEBUG, "test", "leak attempt: %s %s %s", nbk_env_get(&f->ctx.env, "S3_URL"),
		nbk_env_get(&f->ctx.env, "DB_URL"),
		nbk_env_get(&f->ctx.env, "MLFLOW_TRACKING_USERNAME"));
	log = log_text(f);
	assert_non_null(strstr(log, "integrations: set "));
	assert_non_null(strstr(log, "AWS_SECRET_ACCESS_KEY"));
	assert_non_null(strstr(log, "leak attempt: "));
	assert_null(strstr(log, "AKIAEXAMPLE42"));
	assert_null(strstr(log, "s3cr3t-Key"));
	assert_null(strstr(log, "pg-Pa55"));
	assert_null(strstr(log, "alice"));
	free(log);
	free(user);
	free(ak);
	free(sk);
	free(envf);
}

static void test_unreadable_files(void **state)
{
	struct fixture *f = *state;
	struct bs_config *cfg = &f->ctx.cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	char *missing = nbk_xasprintf("%s/no-such-secret", f->dir);
	char *good = put(f, "good", "hunter2-secret\n", 0600);
	char *nul = nbk_xasprintf("%s/nul", f->dir);
	char *big = nbk_xasprintf("%s/big", f->dir);
	char *log;
	FILE *fp;

	/* a readable secret first, then the missing one: nothing may be set */
	nbk_str_set(&cfg->mlflow.tracking_uri, "https://mlflow.example");
	nbk_str_set(&cfg->mlflow.password_file, good);
	nbk_str_set(&cfg->s3.secret_key_file, missing);
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), -1);
	assert_non_null(strstr(err.msg, "integrations.s3.secret_key_file"));
	assert_non_null(strstr(err.msg, missing));
	assert_non_null(strstr(err.msg, "No such file"));
	assert_int_equal(f->ctx.env.n, 0);

	/* a NUL byte: refused, the value never quoted */
	fp = fopen(nul, "w");
	assert_non_null(fp);
	fwrite("abc\0def", 1, 7, fp);
	fclose(fp);
	nbk_str_set(&cfg->s3.secret_key_file, nul);
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), -1);
	assert_non_null(strstr(err.msg, nul));
	assert_null(strstr(err.msg, "abc"));

	/* over the size bound */
	fp = fopen(big, "w");
	assert_non_null(fp);
	for (int i = 0; i < 70000; i++)
		fputc('x', fp);
	fclose(fp);
	nbk_str_set(&cfg->s3.secret_key_file, big);
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), -1);
	assert_non_null(strstr(err.msg, big));

	/* a FIFO would block the start: refused */
	{
		char *fifo = nbk_xasprintf("%s/fifo", f->dir);

		assert_int_equal(mkfifo(fifo, 0600), 0);
		nbk_str_set(&cfg->s3.secret_key_file, fifo);
		assert_int_equal(bs_integrations_apply(&f->ctx, &err), -1);
		assert_non_null(strstr(err.msg, "not a regular file"));
		free(fifo);
	}

	/* a missing env_file */
	nbk_str_set(&cfg->s3.secret_key_file, "");
	nbk_strvec_push(&cfg->env_files, missing);
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), -1);
	assert_non_null(strstr(err.msg, "integrations.env_files"));
	assert_non_null(strstr(err.msg, missing));
	assert_int_equal(f->ctx.env.n, 0);

	log = log_text(f);
	assert_null(strstr(log, "hunter2"));
	free(log);
	free(missing);
	free(good);
	free(nul);
	free(big);
}

static void test_empty_secret_file(void **state)
{
	struct fixture *f = *state;
	struct nbk_error err = NBK_ERROR_INIT;
	char *empty = put(f, "empty", "\n", 0600);
	char *log;

	nbk_str_set(&f->ctx.cfg.mlflow.token_file, empty);
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_env(f, "MLFLOW_TRACKING_TOKEN", NULL);
	log = log_text(f);
	assert_non_null(strstr(log, "is empty: MLFLOW_TRACKING_TOKEN not set"));
	free(log);
	free(empty);
}

static void test_read_secret(void **state)
{
	struct fixture *f = *state;
	struct nbk_error err = NBK_ERROR_INIT;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "value", "value" },
		{ "value\n", "value" },
		{ "value\r\n", "value" },
		{ "value\n\n\n", "value" },
		{ "  spaced value  \n", "  spaced value  " },
		{ "two\nlines\n", "two\nlines" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = put(f, "s", cases[i].text, 0600);
		char *out = NULL;

		assert_int_equal(bs_integrations_read_secret(path, &out, &err), 0);
		assert_string_equal(out, cases[i].want);
		free(out);
		free(path);
	}
}

struct env_case {
	const char *text;
	const char *want; /* the "KEY=VALUE" lines joined with '|', or the error's substring */
	int ret;
};

static void test_parse_env_file(void **state)
{
	static const struct env_case cases[] = {
		{ "A=1\nB=2\n", "A=1|B=2", 0 },
		{ "# comment\n\n  \nA=1", "A=1", 0 },
		{ "export A=1\nexport\tB=2\n", "A=1|B=2", 0 },
		{ "A = spaced \n", "A=spaced", 0 },
		{ "A=\"double quoted\"\nB='single # not a comment'\n",
		  "A=double quoted|B=single # not a comment", 0 },
		{ "A=\"it's\"\n", "A=it's", 0 },
		{ "A='\"'\n", "A=\"", 0 },
		{ "A=\n", "A=", 0 },
		{ "A=\"\"\n", "A=", 0 },
		{ "A=x=y\n", "A=x=y", 0 },
		{ "A=1\r\nB=2\r\n", "A=1|B=2", 0 },
		{ "A=1\nA=2\n", "A=2", 0 },
		{ "A=value # not stripped\n", "A=value # not stripped", 0 },
		{ "exported=1\n", "exported=1", 0 },
		{ "export=1\n", "export=1", 0 },
		{ "", "", 0 },
		{ "A=1\nnot a pair\n", "f.env:2: expected KEY=VALUE", -1 },
		{ "1A=x\n", "f.env:1: not a valid variable name", -1 },
		{ "A B=x\n", "f.env:1: not a valid variable name", -1 },
		{ "=x\n", "f.env:1: not a valid variable name", -1 },
		{ "\n\nA=\"open\n", "f.env:3: unterminated quote", -1 },
		{ "A='x' y\n", "f.env:1: text after the closing quote", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_strvec out = NBK_STRVEC_INIT;
		struct nbk_error err = NBK_ERROR_INIT;
		struct nbk_buf got = NBK_BUF_INIT;
		size_t j;
		int r = bs_integrations_parse_env_file("f.env", cases[i].text,
						       strlen(cases[i].text), &out, &err);

		for (j = 0; j < out.n; j++)
			nbk_buf_addf(&got, "%s%s", j ? "|" : "", out.v[j]);
		if (r != cases[i].ret)
			fail_msg("case %zu: returned %d (%s)", i, r, err.msg);
		if (r == 0 && strcmp(got.data, cases[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, got.data, cases[i].want);
		if (r < 0 && !strstr(err.msg, cases[i].want))
			fail_msg("case %zu: error '%s', want '%s'", i, err.msg, cases[i].want);
		nbk_buf_release(&got);
		nbk_strvec_release(&out);
	}
	{
		/* a NUL byte in the text */
		struct nbk_strvec out = NBK_STRVEC_INIT;
		struct nbk_error err = NBK_ERROR_INIT;

		assert_int_equal(bs_integrations_parse_env_file("f.env", "A=1\0B=2", 7, &out, &err),
				 -1);
		assert_non_null(strstr(err.msg, "NUL"));
		nbk_strvec_release(&out);
	}
	{
		/* the secret value of a bad line never reaches the message */
		struct nbk_strvec out = NBK_STRVEC_INIT;
		struct nbk_error err = NBK_ERROR_INIT;

		assert_int_equal(bs_integrations_parse_env_file("f.env", "TOKEN='sup3rs3cret\n", 19,
								&out, &err),
				 -1);
		assert_null(strstr(err.msg, "sup3rs3cret"));
		nbk_strvec_release(&out);
	}
}

static const char *test_lookup(void *data, const char *name, bool *secret)
{
	(void)data;
	*secret = !strcmp(name, "SECRET_THING");
	if (!strcmp(name, "HOME"))
		return "/home/jovyan";
	if (!strcmp(name, "USER_1"))
		return "u1";
	if (!strcmp(name, "SECRET_THING"))
		return "hidden";
	if (!strcmp(name, "EMPTY"))
		return "";
	return NULL;
}

static void test_expand(void **state)
{
	static const struct {
		const char *text, *want;
		int ret;
		bool secret;
	} cases[] = {
		{ "plain", "plain", 0, false },
		{ "${HOME}/data", "/home/jovyan/data", 0, false },
		{ "$HOME/data", "/home/jovyan/data", 0, false },
		{ "$USER_1-x", "u1-x", 0, false },
		{ "${USER_1}x", "u1x", 0, false },
		{ "$USER_1x", "", 0, false }, /* the name runs on: USER_1x is undefined */
		{ "a${UNDEFINED}b", "ab", 0, false },
		{ "${EMPTY}", "", 0, false },
		{ "cost: $$5", "cost: $5", 0, false },
		{ "$", "$", 0, false },
		{ "$1 and $-", "$1 and $-", 0, false },
		{ "100$", "100$", 0, false },
		{ "x${SECRET_THING}y", "xhiddeny", 0, true },
		{ "$SECRET_THING", "hidden", 0, true },
		{ "${HOME", "unterminated", -1, false },
		{ "${}", "is not a variable name", -1, false },
		{ "${A-b}", "is not a variable name", -1, false },
		{ "${HOME:-x}", "is not a variable name", -1, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_error err = NBK_ERROR_INIT;
		char *out = NULL;
		bool secret = false;
		int r = bs_integrations_expand("K", cases[i].text, test_lookup, NULL, &out, &secret,
					       &err);

		if (r != cases[i].ret)
			fail_msg("'%s': returned %d (%s)", cases[i].text, r, err.msg);
		if (r == 0 && (strcmp(out, cases[i].want) || secret != cases[i].secret))
			fail_msg("'%s': got '%s' secret=%d, want '%s' secret=%d", cases[i].text,
				 out, secret, cases[i].want, cases[i].secret);
		if (r < 0 &&
		    (!strstr(err.msg, cases[i].want) || !strstr(err.msg, "integrations.env.K")))
			fail_msg("'%s': error '%s'", cases[i].text, err.msg);
		free(out);
	}
}

static void test_expand_from_environment(void **state)
{
	struct fixture *f = *state;
	struct nbk_error err = NBK_ERROR_INIT;

	nbk_env_set(&f->ctx.env, "JUPYTERHUB_USER", "alice");
	nbk_env_set(&f->ctx.env, "GIT_TOKEN", "ghp-pod-token");
	nbk_strvec_push(&f->ctx.cfg.extra_env, "MLFLOW_RUN_USER=${JUPYTERHUB_USER}");
	nbk_strvec_push(&f->ctx.cfg.extra_env, "BUCKET=s3://team/$JUPYTERHUB_USER/${NOPE}");
	nbk_strvec_push(&f->ctx.cfg.extra_env, "DERIVED=${MLFLOW_RUN_USER}!");
	nbk_strvec_push(&f->ctx.cfg.extra_env, "REPO=https://x:${GIT_TOKEN}@git");
	assert_int_equal(bs_integrations_apply(&f->ctx, &err), 0);
	assert_env(f, "MLFLOW_RUN_USER", "alice");
	assert_env(f, "BUCKET", "s3://team/alice/");
	assert_env(f, "DERIVED", "alice!");
	assert_env(f, "REPO", "https://x:ghp-pod-token@git");
	/* built from a variable whose name marks it secret */
	assert_true(bs_is_secret(&f->ctx, "REPO"));
	assert_false(bs_is_secret(&f->ctx, "BUCKET"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_literals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mlflow_endpoint_and_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_spellings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_files_and_masking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_secret_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_secret, setup, teardown),
		cmocka_unit_test(test_parse_env_file),
		cmocka_unit_test(test_expand),
		cmocka_unit_test_setup_teardown(test_expand_from_environment, setup, teardown),
	};

	nbk_log_init("test_bootstrap_integrations");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
