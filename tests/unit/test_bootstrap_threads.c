/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootstrap/threads.c: the cgroup quota parsers, the discovery of the
 * process's cgroup through /proc/self/cgroup and /proc/self/mountinfo on the
 * fixture trees of tests/fixtures/cgroup/, the affinity fallback, CPU_LIMIT,
 * and the step itself on a context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nbkit/buf.h"
#include "nbkit/log.h"
#include "nbkit/strvec.h"

#include "../../bootstrap/bootstrap.h"
#include "../../bootstrap/threads.h"

struct quota_case {
	const char *text;
	int ret;
	unsigned long cpus;
};

static void test_parse_cpu_max(void **state)
{
	static const struct quota_case cases[] = {
		{ "max 100000\n", 0, 0 },
		{ "max\n", 0, 0 },
		{ "150000 100000\n", 1, 2 },
		{ "100000 100000\n", 1, 1 },
		{ "50000 100000\n", 1, 1 },
		{ "200000 100000", 1, 2 },
		{ "200001 100000\n", 1, 3 },
		{ "1 1000000\n", 1, 1 },
		{ "150000\n", 1, 2 }, /* write syntax: default period */
		{ "  300000 100000  \n", 1, 3 },
		{ "", -1, 0 },
		{ "\n", -1, 0 },
		{ "banana 100000\n", -1, 0 },
		{ "150000 0\n", -1, 0 },
		{ "0 100000\n", -1, 0 },
		{ "-5 100000\n", -1, 0 },
		{ "150000 100000 7\n", -1, 0 },
		{ "150000 100000\ngarbage\n", -1, 0 },
		{ "15e4 100000\n", -1, 0 },
		{ "99999999999999999999999 100000\n", -1, 0 },
		{ "maximum 100000\n", -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long cpus = 12345;
		int r = bs_threads_parse_cpu_max(cases[i].text, &cpus);

		if (r != cases[i].ret || (r == 1 && cpus != cases[i].cpus))
			fail_msg("cpu.max '%s': got %d/%lu, want %d/%lu", cases[i].text, r, cpus,
				 cases[i].ret, cases[i].cpus);
	}
}

static void test_parse_cfs(void **state)
{
	static const struct {
		const char *quota, *period;
		int ret;
		unsigned long cpus;
	} cases[] = {
		{ "-1\n", "100000\n", 0, 0 },
		{ "-1", "garbage", 0, 0 }, /* unlimited whatever the period */
		{ "150000\n", "100000\n", 1, 2 },
		{ "100000\n", "100000\n", 1, 1 },
		{ "25000\n", "50000\n", 1, 1 },
		{ "400000\n", "100000\n", 1, 4 },
		{ "150000\n", "0\n", -1, 0 },
		{ "150000\n", "\n", -1, 0 },
		{ "abc\n", "100000\n", -1, 0 },
		{ "-2\n", "100000\n", -1, 0 },
		{ "-1x\n", "100000\n", -1, 0 },
		{ "0\n", "100000\n", -1, 0 },
		{ "", "100000\n", -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long cpus = 12345;
		int r = bs_threads_parse_cfs(cases[i].quota, cases[i].period, &cpus);

		if (r != cases[i].ret || (r == 1 && cpus != cases[i].cpus))
			fail_msg("cfs '%s'/'%s': got %d/%lu, want %d/%lu", cases[i].quota,
				 cases[i].period, r, cpus, cases[i].ret, cases[i].cpus);
	}
}

static void test_parse_cpu_limit(void **state)
{
	static const struct quota_case cases[] = {
		{ "0.5", 1, 1 },  { "1", 1, 1 },         { "1.0", 1, 1 },   { "1.01", 1, 2 },
		{ "2", 1, 2 },    { "2.5", 1, 3 },       { "16", 1, 16 },   { "0.001", 1, 1 },
		{ "4\n", 1, 4 },  { "1e300", 1, 65536 }, { "0", -1, 0 },    { "-1", -1, 0 },
		{ "", -1, 0 },    { "two", -1, 0 },      { "2x", -1, 0 },   { "nan", -1, 0 },
		{ "inf", -1, 0 }, { " 2", -1, 0 },       { "500m", -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long cpus = 12345;
		int r = bs_threads_parse_cpu_limit(cases[i].text, &cpus);

		if (r != cases[i].ret || (r == 1 && cpus != cases[i].cpus))
			fail_msg("CPU_LIMIT '%s': got %d/%lu, want %d/%lu", cases[i].text, r, cpus,
				 cases[i].ret, cases[i].cpus);
	}
}

static void test_parse_cpu_list(void **state)
{
	static const struct quota_case cases[] = {
		{ "0-3", 0, 4 }, { "0", 0, 1 },     { "0-3,8", 0, 5 },  { "0-1,4-5,7\n", 0, 5 },
		{ "", 0, 0 },    { "\n", 0, 0 },    { "3-1", -1, 0 },   { "0-", -1, 0 },
		{ "a", -1, 0 },  { "0,,1", -1, 0 }, { "0-3 x", -1, 0 }, { "0-3,", -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long n = 12345;
		int r = bs_threads_parse_cpu_list(cases[i].text, &n);

		if (r != cases[i].ret || (r == 0 && n != cases[i].cpus))
			fail_msg("cpu list '%s': got %d/%lu, want %d/%lu", cases[i].text, r, n,
				 cases[i].ret, cases[i].cpus);
	}
}

static void test_find_cgroup(void **state)
{
	static const char hybrid[] =
		"12:memory:/a\n5:cpuset:/cs\n4:cpuacct:/acct\n3:cpu,cpuacct:/kube/pod/c\n"
		"1:name=systemd:/sd\n0::/unified/x\n";
	char *path = NULL;

	(void)state;
	assert_int_equal(bs_threads_find_cgroup(hybrid, false, &path), 0);
	assert_string_equal(path, "/kube/pod/c");
	free(path);
	assert_int_equal(bs_threads_find_cgroup(hybrid, true, &path), 0);
	assert_string_equal(path, "/unified/x");
	free(path);
	/* "cpuset" and "cpuacct" alone are not "cpu" */
	assert_int_equal(bs_threads_find_cgroup("5:cpuset:/cs\n4:cpuacct:/a\n", false, &path), -1);
	assert_int_equal(bs_threads_find_cgroup("0::/\n", false, &path), -1);
	assert_int_equal(bs_threads_find_cgroup("4:cpu:/x\n", true, &path), -1);
	/* a path holding ':' is kept whole */
	assert_int_equal(bs_threads_find_cgroup("0::/a:b\n", true, &path), 0);
	assert_string_equal(path, "/a:b");
	free(path);
	/* malformed lines are skipped */
	assert_int_equal(bs_threads_find_cgroup("garbage\n0:\n::\n0::/ok", true, &path), 0);
	assert_string_equal(path, "/ok");
	free(path);
	assert_int_equal(bs_threads_find_cgroup("", true, &path), -1);
}

static void test_find_mount(void **state)
{
	static const char mi[] =
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"31 30 0:28 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
		"32 30 0:29 /kube /sys/fs/cgroup/cpu,cpuacct rw master:1 shared:2 - cgroup cgroup rw,cpu,cpuacct\n"
		"33 30 0:29 /kube/pod /mnt/pod\\040cpu rw - cgroup cgroup rw,cpu,cpuacct\n"
		"34 30 0:29 /elsewhere /mnt/other rw - cgroup cgroup rw,cpu,cpuacct\n"
		"41 30 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		"short line\n"
		"1 2 3 4 5 6 - \n";
	char *mnt = NULL, *rel = NULL;

	(void)state;
	/* the longest root that holds the path wins; \040 is a blank */
	assert_int_equal(bs_threads_find_mount(mi, false, "/kube/pod/c", &mnt, &rel), 0);
	assert_string_equal(mnt, "/mnt/pod cpu");
	assert_string_equal(rel, "/c");
	free(mnt);
	free(rel);
	assert_int_equal(bs_threads_find_mount(mi, false, "/kube/other", &mnt, &rel), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(rel, "/other");
	free(mnt);
	free(rel);
	/* the path is the root itself */
	assert_int_equal(bs_threads_find_mount(mi, false, "/kube", &mnt, &rel), 0);
	assert_string_equal(rel, "");
	free(mnt);
	free(rel);
	/* "/kubernetes" is not below "/kube" */
	assert_int_equal(bs_threads_find_mount(mi, false, "/kubernetes/x", &mnt, &rel), -1);
	assert_null(mnt);
	assert_int_equal(bs_threads_find_mount(mi, true, "/a/b", &mnt, &rel), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/unified");
	assert_string_equal(rel, "/a/b");
	free(mnt);
	free(rel);
	assert_int_equal(bs_threads_find_mount("", true, "/", &mnt, &rel), -1);
}

static const char *fixtures(void)
{
	const char *f = getenv("NBK_FIXTURES");

	return f && *f ? f : "tests/fixtures";
}

static void test_cgroup_fixtures(void **state)
{
	static const struct {
		const char *name;
		int ret;
		unsigned long cpus;
		size_t notes;
	} cases[] = {
		{ "v2-namespace", 1, 2, 0 },   { "v2-unlimited", 0, 0, 0 },
		{ "v2-nested", 1, 3, 0 },    /* the pod's quota, the container has none */
		{ "v1-unlimited", 0, 0, 0 }, /* the cpuset mount's files are not read */
		{ "v1-nested", 1, 2, 0 },    /* the pod (2) is below the container (3) */
		{ "hybrid", 1, 2, 0 },       /* v2 says 2, v1 says 4 */
		{ "malformed", 1, 1, 1 },    /* leaf ignored with a note, parent counts */
		{ "escaped", 1, 1, 0 },      /* escaped mount point, longest root */
		{ "does-not-exist", 0, 0, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_strvec notes = NBK_STRVEC_INIT;
		char *root = nbk_xasprintf("%s/cgroup/%s", fixtures(), cases[i].name);
		unsigned long cpus = 12345;
		int r = bs_threads_cgroup_cpus(root, &cpus, &notes);

		if (r != cases[i].ret || (r == 1 && cpus != cases[i].cpus) ||
		    notes.n != cases[i].notes)
			fail_msg("%s: got %d/%lu with %zu notes (%s), want %d/%lu with %zu",
				 cases[i].name, r, cpus, notes.n, notes.n ? notes.v[0] : "",
				 cases[i].ret, cases[i].cpus, cases[i].notes);
		if (notes.n)
			assert_non_null(strstr(notes.v[0], cases[i].name));
		nbk_strvec_release(&notes);
		free(root);
	}
}

static void test_affinity_status(void **state)
{
	char *root = nbk_xasprintf("%s/cgroup/affinity", fixtures());

	(void)state;
	assert_int_equal(bs_threads_affinity_from_status(root), 7);
	free(root);
	assert_int_equal(bs_threads_affinity_from_status("/nonexistent-root"), 0);
}

/* The step on a context: CPU_LIMIT bounds every variable, a user's value stays. */
static void test_apply(void **state)
{
	static const char *const vars[] = {
		"MKL_NUM_THREADS",     "OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS",
		"NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS",    "VECLIB_MAXIMUM_THREADS",
		"LOKY_MAX_CPU_COUNT",
	};
	struct nbk_error err = NBK_ERROR_INIT;
	struct bs_ctx ctx;
	size_t i;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	bs_config_init(&ctx.cfg);
	nbk_strvec_init(&ctx.env);
	nbk_strvec_init(&ctx.secret_keys);
	nbk_env_set(&ctx.env, "CPU_LIMIT", "0.5");
	nbk_env_set(&ctx.env, "OMP_NUM_THREADS", "7");
	assert_int_equal(bs_threads_apply(&ctx, &err), 0);
	assert_string_equal(nbk_env_get(&ctx.env, "OMP_NUM_THREADS"), "7");
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = nbk_env_get(&ctx.env, vars[i]);

		assert_non_null(v);
		assert_string_equal(v, "1");
	}

	/* a malformed CPU_LIMIT is ignored: the count is still at least 1 */
	nbk_strvec_release(&ctx.env);
	nbk_env_set(&ctx.env, "CPU_LIMIT", "lots");
	assert_int_equal(bs_threads_apply(&ctx, &err), 0);
	assert_non_null(nbk_env_get(&ctx.env, "OMP_NUM_THREADS"));
	assert_true(atoi(nbk_env_get(&ctx.env, "OMP_NUM_THREADS")) >= 1);

	/* threads.mode: off sets nothing */
	nbk_strvec_release(&ctx.env);
	ctx.cfg.threads_mode = BS_THREADS_OFF;
	assert_int_equal(bs_threads_apply(&ctx, &err), 0);
	assert_int_equal(ctx.env.n, 0);

	nbk_strvec_release(&ctx.env);
	nbk_strvec_release(&ctx.secret_keys);
	bs_config_release(&ctx.cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_cpu_max),   cmocka_unit_test(test_parse_cfs),
		cmocka_unit_test(test_parse_cpu_limit), cmocka_unit_test(test_parse_cpu_list),
		cmocka_unit_test(test_find_cgroup),     cmocka_unit_test(test_find_mount),
		cmocka_unit_test(test_cgroup_fixtures), cmocka_unit_test(test_affinity_status),
		cmocka_unit_test(test_apply),
	};

	nbk_log_init("test_bootstrap_threads");
	nbk_log_set_level(NBK_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
