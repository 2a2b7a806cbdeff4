/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootstrap/gpu.c: the driver probe against the test drivers of
 * tests/helpers/libcuda_*.c (real shared libraries with the driver's ABI,
 * copied as libcuda.so.1 into a driver folder), the variables it sets, and
 * the list and version helpers.
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

#include "nbkit/buf.h"
#include "nbkit/cuda.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/strvec.h"

#include "../../bootstrap/bootstrap.h"
#include "../../bootstrap/gpu.h"

struct fixture {
	char dir[64];
	struct bs_ctx ctx;
};

/* build/tests/helpers of the build being tested (BUILD as the runner sets it). */
static char *helper(const char *name)
{
	const char *build = getenv("BUILD");
	char *path =
		nbk_xasprintf("%s/tests/helpers/%s.so", build && *build ? build : "build", name);

	if (access(path, R_OK) != 0)
		fail_msg("test driver '%s' is missing: build it with make tests-build", path);
	return path;
}

static void copy_file(const char *from, const char *to)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;

	assert_int_equal(nbk_read_file(from, 1 << 24, &b, &err), 0);
	assert_int_equal(nbk_write_file_atomic(to, b.data, b.len, 0755, (uid_t)-1, (gid_t)-1, &err),
			 0);
	nbk_buf_release(&b);
}

/* DIR/NAME/lib64/libcuda.so.1 from the helper, and DIR/NAME/bin; returns the lib folder. */
static char *driver(struct fixture *f, const char *name, const char *kind)
{
	char *lib = nbk_xasprintf("%s/%s/lib64", f->dir, name);
	char *bin = nbk_xasprintf("%s/%s/bin", f->dir, name);
	char *so = nbk_xasprintf("%s/libcuda.so.1", lib);
	char *src = helper(kind);
	struct nbk_error err = NBK_ERROR_INIT;

	assert_int_equal(nbk_mkdir_p(lib, 0755, (uid_t)-1, (gid_t)-1, NULL, &err), 0);
	assert_int_equal(nbk_mkdir_p(bin, 0755, (uid_t)-1, (gid_t)-1, NULL, &err), 0);
	copy_file(src, so);
	free(bin);
	free(so);
	free(src);
	return lib;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/nbk-gpu-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	bs_config_init(&f->ctx.cfg);
	nbk_strvec_release(&f->ctx.cfg.driver_dirs);
	f->ctx.cfg.gpu_probe_timeout_ms = 5000;
	nbk_strvec_init(&f->ctx.env);
	nbk_strvec_init(&f->ctx.secret_keys);
	nbk_env_set(&f->ctx.env, "PATH", "/usr/bin:/bin");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = nbk_xasprintf("rm -rf '%s'", f->dir);

	bs_config_release(&f->ctx.cfg);
	nbk_strvec_release(&f->ctx.env);
	nbk_strvec_release(&f->ctx.secret_keys);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	free(f);
	unsetenv("NBK_FAKE_CUDA_VERSION");
	return 0;
}

static void test_version_string(void **state)
{
	static const struct {
		int v;
		const char *s;
	} cases[] = { { 12040, "12.4" }, { 11080, "11.8" }, { 12000, "12.0" },
		      { 9020, "9.2" },   { 12090, "12.9" }, { 13010, "13.1" } };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[32];

		nbk_cuda_version_string(cases[i].v, out, sizeof(out));
		assert_string_equal(out, cases[i].s);
	}
}

static void test_path_add(void **state)
{
	struct nbk_strvec env = NBK_STRVEC_INIT;

	(void)state;
	assert_int_equal(bs_gpu_path_add(&env, "LD_LIBRARY_PATH", "/d/lib", true, NULL), 1);
	assert_string_equal(nbk_env_get(&env, "LD_LIBRARY_PATH"), "/d/lib");
	assert_int_equal(bs_gpu_path_add(&env, "LD_LIBRARY_PATH", "/e/lib", true, NULL), 1);
	assert_string_equal(nbk_env_get(&env, "LD_LIBRARY_PATH"), "/e/lib:/d/lib");
	assert_int_equal(bs_gpu_path_add(&env, "LD_LIBRARY_PATH", "/d/lib", true, NULL), 0);
	/* a prefix of an element is not the element */
	assert_int_equal(bs_gpu_path_add(&env, "LD_LIBRARY_PATH", "/d", true, NULL), 1);
	assert_string_equal(nbk_env_get(&env, "LD_LIBRARY_PATH"), "/d:/e/lib:/d/lib");
	/* PATH: appended; unset gets the default in front */
	assert_int_equal(bs_gpu_path_add(&env, "PATH", "/n/bin", false, "/usr/bin:/bin"), 1);
	assert_string_equal(nbk_env_get(&env, "PATH"), "/usr/bin:/bin:/n/bin");
	assert_int_equal(bs_gpu_path_add(&env, "PATH", "/n/bin", false, "/usr/bin:/bin"), 0);
	assert_int_equal(bs_gpu_path_add(&env, "PATH", "/x", false, "/usr/bin:/bin"), 1);
	assert_string_equal(nbk_env_get(&env, "PATH"), "/usr/bin:/bin:/n/bin:/x");
	/* set but empty */
	nbk_env_set(&env, "EMPTY", "");
	assert_int_equal(bs_gpu_path_add(&env, "EMPTY", "/x", true, NULL), 1);
	assert_string_equal(nbk_env_get(&env, "EMPTY"), "/x");
	nbk_strvec_release(&env);
}

static void test_probe(void **state)
{
	struct fixture *f = *state;
	char why[512];
	uint64_t ms;
	int version;
	char *ok = driver(f, "ok", "libcuda_ok");
	char *fail = driver(f, "fail", "libcuda_fail");
	char *hang = driver(f, "hang", "libcuda_hang");
	char *crash = driver(f, "crash", "libcuda_crash");
	char *lib = nbk_xasprintf("%s/libcuda.so.1", ok);
	char *text = nbk_xasprintf("%s/not-a-library.so", f->dir);
	FILE *fp;

	assert_int_equal(bs_gpu_probe(lib, 5000, &version, why, sizeof(why), &ms), BS_GPU_PROBE_OK);
	assert_int_equal(version, 12040);

	setenv("NBK_FAKE_CUDA_VERSION", "11080", 1);
	assert_int_equal(bs_gpu_probe(lib, 5000, &version, why, sizeof(why), &ms), BS_GPU_PROBE_OK);
	assert_int_equal(version, 11080);
	setenv("NBK_FAKE_CUDA_VERSION", "-5", 1);
	assert_int_equal(bs_gpu_probe(lib, 5000, &version, why, sizeof(why), &ms),
			 BS_GPU_PROBE_FAILED);
	assert_non_null(strstr(why, "not a version"));
	unsetenv("NBK_FAKE_CUDA_VERSION");
	free(lib);

	lib = nbk_xasprintf("%s/libcuda.so.1", fail);
	assert_int_equal(bs_gpu_probe(lib, 5000, &version, why, sizeof(why), &ms),
			 BS_GPU_PROBE_FAILED);
	assert_non_null(strstr(why, "CUDA_ERROR_NO_DEVICE (100)"));
	free(lib);

	lib = nbk_xasprintf("%s/libcuda.so.1", crash);
	assert_int_equal(bs_gpu_probe(lib, 5000, &version, why, sizeof(why), &ms),
			 BS_GPU_PROBE_FAILED);
	assert_non_null(strstr(why, "signal 11"));
	free(lib);

	lib = nbk_xasprintf("%s/libcuda.so.1", hang);
	/* the double never answers: a probe that did not stop it at the limit
	 * would keep this test waiting until the runner's limit (issue 10) */
	assert_int_equal(bs_gpu_probe(lib, 300, &version, why, sizeof(why), &ms),
			 BS_GPU_PROBE_HUNG);
	assert_true(ms >= 300);
	assert_non_null(strstr(why, "no answer within 300 ms"));
	free(lib);

	fp = fopen(text, "w");
	assert_non_null(fp);
	fputs("not ELF\n", fp);
	fclose(fp);
	assert_int_equal(bs_gpu_probe(text, 5000, &version, why, sizeof(why), &ms),
			 BS_GPU_PROBE_FAILED);
	assert_non_null(strstr(why, "cannot load it"));
	/* a real library that is not a driver */
	assert_int_equal(bs_gpu_probe("libc.so.6", 5000, &version, why, sizeof(why), &ms),
			 BS_GPU_PROBE_FAILED);
	assert_non_null(strstr(why, "no cuInit symbol"));
	free(text);
	free(ok);
	free(fail);
	free(hang);
	free(crash);
}

static void test_apply_ok(void **state)
{
	struct fixture *f = *state;
	struct nbk_error err = NBK_ERROR_INIT;
	char *missing = nbk_xasprintf("%s/none", f->dir);
	char *fail = driver(f, "fail", "libcuda_fail");
	char *ok = driver(f, "nvidia", "libcuda_ok");
	char *bin = nbk_xasprintf("%s/nvidia/bin", f->dir);
	char *want_path = nbk_xasprintf("/usr/bin:/bin:%s", bin);
	char *want_ld = nbk_xasprintf("%s:/opt/lib", ok);

	/* a missing folder and a failing driver come first: the working one is used */
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, missing);
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, fail);
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, ok);
	nbk_env_set(&f->ctx.env, "LD_LIBRARY_PATH", "/opt/lib");
	assert_int_equal(bs_gpu_apply(&f->ctx, &err), 0);
	assert_string_equal(nbk_env_get(&f->ctx.env, "CONDA_OVERRIDE_CUDA"), "12.4");
	assert_string_equal(nbk_env_get(&f->ctx.env, "LD_LIBRARY_PATH"), want_ld);
	assert_string_equal(nbk_env_get(&f->ctx.env, "PATH"), want_path);

	/* again: nothing is added twice; the pod's CONDA_OVERRIDE_CUDA wins */
	nbk_env_set(&f->ctx.env, "CONDA_OVERRIDE_CUDA", "11.2");
	assert_int_equal(bs_gpu_apply(&f->ctx, &err), 0);
	assert_string_equal(nbk_env_get(&f->ctx.env, "CONDA_OVERRIDE_CUDA"), "11.2");
	assert_string_equal(nbk_env_get(&f->ctx.env, "LD_LIBRARY_PATH"), want_ld);
	assert_string_equal(nbk_env_get(&f->ctx.env, "PATH"), want_path);
	free(missing);
	free(fail);
	free(ok);
	free(bin);
	free(want_path);
	free(want_ld);
}

static void test_loader_dirs(void **state)
{
	(void)state;
	assert_true(bs_gpu_is_loader_dir("/usr/lib/x86_64-linux-gnu"));
	assert_true(bs_gpu_is_loader_dir("/usr/lib/x86_64-linux-gnu/"));
	assert_true(bs_gpu_is_loader_dir("/usr//lib64"));
	assert_false(bs_gpu_is_loader_dir("/usr/local/nvidia/lib64"));
	assert_false(bs_gpu_is_loader_dir("/usr/lib/x86_64-linux-gnu/nvidia"));
}

static void test_apply_no_driver(void **state)
{
	struct fixture *f = *state;
	struct nbk_error err = NBK_ERROR_INIT;

	nbk_strvec_push(&f->ctx.cfg.driver_dirs, "/nonexistent/lib64");
	assert_int_equal(bs_gpu_apply(&f->ctx, &err), 0);
	assert_null(nbk_env_get(&f->ctx.env, "LD_LIBRARY_PATH"));
	assert_null(nbk_env_get(&f->ctx.env, "CONDA_OVERRIDE_CUDA"));
}

static void test_apply_failures(void **state)
{
	struct fixture *f = *state;
	struct nbk_error err = NBK_ERROR_INIT;
	char *fail = driver(f, "fail", "libcuda_fail");
	char *hang = driver(f, "hang", "libcuda_hang");
	char *ok = driver(f, "ok", "libcuda_ok");

	/* auto + a failing driver: nothing set, no error */
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, fail);
	assert_int_equal(bs_gpu_apply(&f->ctx, &err), 0);
	assert_null(nbk_env_get(&f->ctx.env, "CONDA_OVERRIDE_CUDA"));
	assert_null(nbk_env_get(&f->ctx.env, "LD_LIBRARY_PATH"));
	assert_string_equal(nbk_env_get(&f->ctx.env, "PATH"), "/usr/bin:/bin");

	/* required + a failing driver: the start stops, the message says why */
	f->ctx.cfg.gpu_mode = BS_GPU_REQUIRED;
	assert_int_equal(bs_gpu_apply(&f->ctx, &err), -1);
	assert_non_null(
		strstr(err.msg, "gpu.mode is required but no working libcuda.so.1 was found in"));
	assert_non_null(strstr(err.msg, fail));
	assert_non_null(strstr(err.msg, "CUDA_ERROR_NO_DEVICE"));

	/* required + no driver at all */
	nbk_strvec_release(&f->ctx.cfg.driver_dirs);
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, "/nonexistent/a");
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, "/nonexistent/b");
	assert_int_equal(bs_gpu_apply(&f->ctx, &err), -1);
	assert_string_equal(err.msg,
			    "gpu.mode is required but no working libcuda.so.1 was found in "
			    "/nonexistent/a, /nonexistent/b");

	/* a hanging driver: stopped at the limit, and no later folder is tried */
	f->ctx.cfg.gpu_mode = BS_GPU_AUTO;
	f->ctx.cfg.gpu_probe_timeout_ms = 300;
	nbk_strvec_release(&f->ctx.cfg.driver_dirs);
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, hang);
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, ok);
	assert_int_equal(bs_gpu_apply(&f->ctx, &err), 0);
	assert_null(nbk_env_get(&f->ctx.env, "CONDA_OVERRIDE_CUDA"));

	/* off: not even probed */
	f->ctx.cfg.gpu_mode = BS_GPU_OFF;
	nbk_strvec_release(&f->ctx.cfg.driver_dirs);
	nbk_strvec_push(&f->ctx.cfg.driver_dirs, ok);
	assert_int_equal(bs_gpu_apply(&f->ctx, &err), 0);
	assert_null(nbk_env_get(&f->ctx.env, "CONDA_OVERRIDE_CUDA"));
	free(fail);
	free(hang);
	free(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_string),
		cmocka_unit_test(test_path_add),
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_ok, setup, teardown),
		cmocka_unit_test(test_loader_dirs),
		cmocka_unit_test_setup_teardown(test_apply_no_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_failures, setup, teardown),
	};

	nbk_log_init("test_bootstrap_gpu");
	nbk_log_set_level(NBK_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
