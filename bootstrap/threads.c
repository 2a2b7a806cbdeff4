/* SPDX-License-Identifier: Apache-2.0 */
/*
 * threads: size the thread pools of the numeric libraries to the CPUs the
 * pod may really use (DESIGN.md, "What the command's environment gets").
 *
 * A Kubernetes CPU limit is a CFS quota, not a CPU set: a pod limited to two
 * CPUs on a 64-core node still sees 64 CPUs in sched_getaffinity() and
 * /proc/cpuinfo, and OpenBLAS or MKL then start 64 threads that the quota
 * throttles into a crawl.  The effective count is the smallest of
 *
 *   - ceil(quota / period) of the process's cgroup and of each ancestor (a
 *     parent's quota limits its children too), cgroup v2 cpu.max or v1
 *     cpu.cfs_quota_us / cpu.cfs_period_us, both when a hybrid host has both;
 *   - the affinity mask (cpusets, taskset);
 *   - ceil(CPU_LIMIT), the variable KubeSpawner sets (may be fractional);
 *
 * and at least 1.  The cgroup is found the way the kernel documents it
 * (cgroups(7), proc(5)): the process's path in each hierarchy comes from
 * /proc/self/cgroup, the hierarchy's mount point and the root it exposes come
 * from /proc/self/mountinfo, and the folder is the mount point plus the path
 * relative to that root (a container without a cgroup namespace sees
 * "/kubepods/.../ctr" in /proc/self/cgroup but a mount whose root is that
 * same folder).
 *
 * The parsers take file contents, and the discovery takes a root folder that
 * stands for "/", so that tests/unit/test_bootstrap_threads.c runs them on
 * the fixture trees of tests/fixtures/cgroup/.
 */
#include <errno.h>
#include <math.h> /* HUGE_VAL only: no libm */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"
#include "threads.h"

#define STEP "threads"

/* The largest count we ever report; bounds every conversion below. */
#define BS_THREADS_MAX_CPUS 65536UL
/* cgroup and /proc files are small; mountinfo can be long on busy hosts. */
#define BS_CG_FILE_MAX 4096
#define BS_PROC_FILE_MAX (4UL << 20)

#define BS_ENV_OMP_NUM_THREADS "OMP_NUM_THREADS"

/* The variables of DESIGN.md, set to the effective count unless already set. */
static const char *const thread_vars[] = {
	BS_ENV_OMP_NUM_THREADS,   "MKL_NUM_THREADS",     "OPENBLAS_NUM_THREADS",
	"BLIS_NUM_THREADS",       "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS",
	"VECLIB_MAXIMUM_THREADS", "LOKY_MAX_CPU_COUNT",  NULL,
};

/*
 * s (len bytes) without the blanks around it (the kernel's files end with a
 * newline), NUL-terminated into buf: 0, or -1 when that does not fit.
 */
static int unblank(const char *s, size_t len, char *buf, size_t size)
{
	while (len && (*s == ' ' || *s == '\t' || *s == '\n')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
		len--;
	if (len >= size)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

/* Parse a whole non-negative decimal integer (surrounding blanks allowed). */
static int parse_ulong(const char *s, size_t len, uint64_t *out)
{
	char buf[32];

	if (unblank(s, len, buf, sizeof(buf)) < 0)
		return -1;
	return nbk_parse_u64(buf, out);
}

static unsigned long cpus_from_quota(uint64_t quota, uint64_t period)
{
	uint64_t n = quota / period + (quota % period != 0);

	if (n < 1)
		n = 1;
	return n > BS_THREADS_MAX_CPUS ? BS_THREADS_MAX_CPUS : (unsigned long)n;
}

/*
 * cgroup v2 cpu.max: "QUOTA PERIOD" or "max PERIOD" (the kernel also accepts
 * a lone QUOTA when written; we accept it with the default period).
 * Returns 1 with *cpus = ceil(QUOTA / PERIOD), 0 when unlimited, -1 when
 * the text is malformed.
 */
NBK_STATIC int bs_threads_parse_cpu_max(const char *text, unsigned long *cpus)
{
	uint64_t quota, period = 100000;
	const char *p = text;
	const char *q;
	const char *end;
	bool unlimited;

	while (*p == ' ' || *p == '\t')
		p++;
	q = p + strcspn(p, " \t\n");
	if (q == p)
		return -1;
	unlimited = (size_t)(q - p) == 3 && !strncmp(p, "max", 3);
	if (!unlimited && parse_ulong(p, (size_t)(q - p), &quota) < 0)
		return -1;
	p = q + strspn(q, " \t");
	end = p + strcspn(p, "\n");
	if (end != p && parse_ulong(p, (size_t)(end - p), &period) < 0)
		return -1;
	/* Nothing may follow the first line but blanks. */
	if (end[strspn(end, " \t\n")] != '\0')
		return -1;
	if (period == 0)
		return -1;
	if (unlimited)
		return 0;
	if (quota == 0)
		return -1;
	*cpus = cpus_from_quota(quota, period);
	return 1;
}

/*
 * cgroup v1 cpu.cfs_quota_us ("-1" when unlimited) and cpu.cfs_period_us.
 * Same return convention as bs_threads_parse_cpu_max().
 */
NBK_STATIC int bs_threads_parse_cfs(const char *quota_text, const char *period_text,
				    unsigned long *cpus)
{
	uint64_t quota, period;
	const char *q = quota_text + strspn(quota_text, " \t");

	if (!strncmp(q, "-1", 2) && q[2 + strspn(q + 2, " \t\n")] == '\0')
		return 0;
	if (parse_ulong(quota_text, strlen(quota_text), &quota) < 0 || quota == 0)
		return -1;
	if (parse_ulong(period_text, strlen(period_text), &period) < 0 || period == 0)
		return -1;
	*cpus = cpus_from_quota(quota, period);
	return 1;
}

/*
 * CPU_LIMIT as KubeSpawner sets it: a positive decimal number of CPUs, maybe
 * fractional ("0.5", "2", "1.25").  Returns 1 with *cpus = ceil(value), -1
 * when the text is not such a number.
 */
NBK_STATIC int bs_threads_parse_cpu_limit(const char *text, unsigned long *cpus)
{
	char buf[64];
	double v;

	/* a newline after it is what a file gives; a blank before it is not a number */
	if (*text == ' ' || *text == '\t' || unblank(text, strlen(text), buf, sizeof(buf)) < 0 ||
	    nbk_parse_double(buf, 0, HUGE_VAL, &v) < 0 || v <= 0)
		return -1;
	/* ceil() by hand: the programs do not link libm for one call. */
	if (v >= (double)BS_THREADS_MAX_CPUS) {
		*cpus = BS_THREADS_MAX_CPUS;
	} else {
		*cpus = (unsigned long)v;
		if ((double)*cpus < v)
			(*cpus)++;
	}
	return 1;
}

/*
 * The kernel's CPU list format ("0-3,8,10-11", as in cpuset.cpus or the
 * Cpus_allowed_list line of /proc/PID/status).  Returns 0 with *count, -1
 * when malformed.  An empty list counts 0.
 */
NBK_STATIC int bs_threads_parse_cpu_list(const char *text, unsigned long *count)
{
	const char *p = text + strspn(text, " \t");
	uint64_t total = 0;

	*count = 0;
	if (*p == '\n' || *p == '\0')
		return 0;
	for (;;) {
		uint64_t lo, hi;
		size_t len = strspn(p, "0123456789");

		if (parse_ulong(p, len, &lo) < 0)
			return -1;
		p += len;
		hi = lo;
		if (*p == '-') {
			p++;
			len = strspn(p, "0123456789");
			if (parse_ulong(p, len, &hi) < 0 || hi < lo)
				return -1;
			p += len;
		}
		total += hi - lo + 1;
		if (total > BS_THREADS_MAX_CPUS)
			total = BS_THREADS_MAX_CPUS;
		if (*p == ',') {
			p++;
			continue;
		}
		if (p[strspn(p, " \t\n")] != '\0')
			return -1;
		break;
	}
	*count = (unsigned long)total;
	return 0;
}

/* true when the comma-separated list holds item exactly. */
static bool list_has(const char *list, size_t len, const char *item)
{
	size_t ilen = strlen(item);
	const char *end = list + len;

	while (list < end) {
		const char *comma = memchr(list, ',', (size_t)(end - list));
		size_t l = comma ? (size_t)(comma - list) : (size_t)(end - list);

		if (l == ilen && !strncmp(list, item, ilen))
			return true;
		list += l + 1;
	}
	return false;
}

/*
 * Find the process's cgroup path in /proc/self/cgroup text: the v2 line
 * ("0::PATH") when v2, else the v1 line whose controller list holds "cpu"
 * ("4:cpu,cpuacct:PATH").  Returns 0 with *path (caller frees), -1 when
 * there is no such line.
 */
NBK_STATIC int bs_threads_find_cgroup(const char *text, bool v2, char **path)
{
	const char *line = text;

	while (*line) {
		const char *eol = line + strcspn(line, "\n");
		const char *c1 = memchr(line, ':', (size_t)(eol - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;

		if (c2 && c2 + 1 < eol && c2[1] == '/') {
			bool is_v2 = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1;

			if (v2 ? is_v2 : list_has(c1 + 1, (size_t)(c2 - c1 - 1), "cpu")) {
				*path = nbk_xstrndup(c2 + 1, (size_t)(eol - c2 - 1));
				return 0;
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	return -1;
}

/* mountinfo escapes blanks and backslashes as \ooo (proc(5)); undo that. */
static char *unescape_field(const char *s, size_t len)
{
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			nbk_buf_addch(&b, (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
						 (s[i + 3] - '0')));
			i += 3;
		} else {
			nbk_buf_addch(&b, s[i]);
		}
	}
	return nbk_buf_detach(&b, NULL);
}

/*
 * The part of cgpath below root, component-wise ("" when equal; NULL when
 * cgpath is not below root).
 */
static const char *path_below(const char *cgpath, const char *root)
{
	size_t len = nbk_str_rtrim_len(root, '/');

	if (strncmp(cgpath, root, len) || (cgpath[len] != '\0' && cgpath[len] != '/'))
		return NULL;
	return cgpath + len;
}

/*
 * Find, in /proc/self/mountinfo text, the mount of the hierarchy that holds
 * cgpath: fstype "cgroup2" when v2, else fstype "cgroup" with "cpu" among
 * its super options.  Of several such mounts (bind mounts), the one whose
 * root is the longest prefix of cgpath wins.  Returns 0 with *mountpoint and
 * *rel (the path below the mount's root, "" or "/a/b"; caller frees both),
 * -1 when no mount holds cgpath.
 */
NBK_STATIC int bs_threads_find_mount(const char *text, bool v2, const char *cgpath,
				     char **mountpoint, char **rel)
{
	const char *line = text;
	size_t best_len = 0;
	bool found = false;

	*mountpoint = NULL;
	*rel = NULL;
	while (*line) {
		const char *eol = line + strcspn(line, "\n");
		const char *f[6];
		size_t flen[6];
		const char *p = line;
		const char *sep;
		int nf = 0;

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
		while (nf < 5 && p < eol) {
			size_t l = strcspn(p, " \n");

			f[nf] = p;
			flen[nf++] = l;
			p += l;
			p += strspn(p, " ");
		}
		sep = nf == 5 ? strstr(p, " - ") : NULL;
		if (sep && sep < eol) {
			const char *fs = sep + 3;
			size_t fslen = strcspn(fs, " \n");
			const char *src = fs + fslen + (fs[fslen] == ' ');
			const char *super = src + strcspn(src, " \n");
			bool match;

			super += *super == ' ';
			if (super > eol)
				super = eol;
			if (v2)
				match = fslen == 7 && !strncmp(fs, "cgroup2", 7);
			else
				match = fslen == 6 && !strncmp(fs, "cgroup", 6) &&
					list_has(super, (size_t)(eol - super), "cpu");
			if (match) {
				_cleanup_free_ char *root = unescape_field(f[3], flen[3]);
				const char *below = path_below(cgpath, root);
				size_t rlen = strlen(root);

				if (below && (!found || rlen > best_len)) {
					free(*mountpoint);
					free(*rel);
					*mountpoint = unescape_field(f[4], flen[4]);
					*rel = nbk_xstrdup(below);
					best_len = rlen;
					found = true;
				}
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	return found ? 0 : -1;
}

/* Read a small file under root; 1 read, 0 absent, -1 other error (noted). */
static int read_small(const char *path, struct nbk_buf *out, struct nbk_strvec *notes)
{
	struct nbk_error err = NBK_ERROR_INIT;

	nbk_buf_reset(out);
	if (nbk_read_file(path, BS_CG_FILE_MAX, out, &err) == 0)
		return 1;
	if (err.errnum == ENOENT || err.errnum == ENOTDIR)
		return 0;
	if (notes)
		nbk_strvec_push(notes, err.msg);
	return -1;
}

/*
 * Walk from the process's cgroup folder up to the hierarchy's mount point
 * and keep the smallest quota found.  Returns 1 with *cpus, 0 when no level
 * has a quota.  Unreadable or malformed files are noted and skipped.
 */
static int walk_hierarchy(const char *root, const char *mountpoint, const char *rel, bool v2,
			  unsigned long *cpus, struct nbk_strvec *notes)
{
	_cleanup_free_ char *relcopy = nbk_xstrdup(rel);
	_cleanup_buf_ struct nbk_buf a = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;
	int found = 0;

	for (;;) {
		_cleanup_free_ char *dir = nbk_xasprintf("%s%s%s", root, mountpoint, relcopy);
		char *slash;

		if (v2) {
			_cleanup_free_ char *f = nbk_xasprintf("%s/cpu.max", dir);
			unsigned long n = 0;
			int r;

			if (read_small(f, &a, notes) == 1) {
				r = bs_threads_parse_cpu_max(a.data, &n);
				if (r < 0)
					nbk_strvec_pushf(
						notes,
						"ignoring '%s': not \"QUOTA PERIOD\" or \"max PERIOD\"",
						f);
				else if (r == 1 && (!found || n < *cpus)) {
					*cpus = n;
					found = 1;
				}
			}
		} else {
			_cleanup_free_ char *fq = nbk_xasprintf("%s/cpu.cfs_quota_us", dir);
			_cleanup_free_ char *fp = nbk_xasprintf("%s/cpu.cfs_period_us", dir);
			unsigned long n = 0;
			int r;

			if (read_small(fq, &a, notes) == 1 && read_small(fp, &b, notes) == 1) {
				r = bs_threads_parse_cfs(a.data, b.data, &n);
				if (r < 0)
					nbk_strvec_pushf(
						notes, "ignoring '%s': not a CFS quota and period",
						fq);
				else if (r == 1 && (!found || n < *cpus)) {
					*cpus = n;
					found = 1;
				}
			}
		}
		if (!relcopy[0])
			break;
		slash = strrchr(relcopy, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	return found;
}

/*
 * The smallest cgroup CPU quota of the process, v1 and v2 alike, with every
 * path read below root ("" for the real system, a fixture folder in tests).
 * Returns 1 with *cpus, 0 when no quota applies.  Problems worth a warning
 * (a malformed cpu.max) are appended to notes.
 */
NBK_STATIC int bs_threads_cgroup_cpus(const char *root, unsigned long *cpus,
				      struct nbk_strvec *notes)
{
	_cleanup_buf_ struct nbk_buf cg = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf mi = NBK_BUF_INIT;
	_cleanup_free_ char *cgfile = nbk_xasprintf("%s/proc/self/cgroup", root);
	_cleanup_free_ char *mifile = nbk_xasprintf("%s/proc/self/mountinfo", root);
	struct nbk_error err = NBK_ERROR_INIT;
	int found = 0;
	int pass;

	if (nbk_read_file(cgfile, BS_PROC_FILE_MAX, &cg, &err) < 0 ||
	    nbk_read_file(mifile, BS_PROC_FILE_MAX, &mi, &err) < 0) {
		nbk_strvec_push(notes, err.msg);
		return 0;
	}
	for (pass = 0; pass < 2; pass++) {
		bool v2 = pass == 1;
		_cleanup_free_ char *path = NULL;
		_cleanup_free_ char *mnt = NULL;
		_cleanup_free_ char *rel = NULL;
		unsigned long n = 0;

		if (bs_threads_find_cgroup(cg.data, v2, &path) < 0)
			continue;
		/* A path with ".." (outside our cgroup namespace) names no folder we can see. */
		if (strstr(path, "/..") || bs_threads_find_mount(mi.data, v2, path, &mnt, &rel) < 0)
			continue;
		if (!strcmp(rel, "/"))
			rel[0] = '\0';
		if (walk_hierarchy(root, strcmp(mnt, "/") ? mnt : "", rel, v2, &n, notes) &&
		    (!found || n < *cpus)) {
			*cpus = n;
			found = 1;
		}
	}
	return found;
}

/* CPUs in the affinity mask; 0 when it cannot be read. */
static unsigned long affinity_count(void)
{
	size_t ncpus = 1024;

	while (ncpus <= BS_THREADS_MAX_CPUS) {
		cpu_set_t *set = CPU_ALLOC(ncpus);
		size_t size = CPU_ALLOC_SIZE(ncpus);
		int n;

		if (!set)
			return 0;
		CPU_ZERO_S(size, set);
		if (sched_getaffinity(0, size, set) == 0) {
			n = CPU_COUNT_S(size, set);
			CPU_FREE(set);
			return n > 0 ? (unsigned long)n : 0;
		}
		CPU_FREE(set);
		if (errno != EINVAL)
			return 0;
		ncpus *= 2; /* more CPUs than the mask can hold: retry larger */
	}
	return 0;
}

/*
 * Fallback when sched_getaffinity() fails: the Cpus_allowed_list line of
 * ROOT/proc/self/status.  Returns the count, 0 when it cannot be read.
 */
NBK_STATIC unsigned long bs_threads_affinity_from_status(const char *root)
{
	_cleanup_free_ char *path = nbk_xasprintf("%s/proc/self/status", root);
	_cleanup_buf_ struct nbk_buf st = NBK_BUF_INIT;
	_cleanup_free_ char *list = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	static const char tag[] = "\nCpus_allowed_list:";
	const char *p;
	unsigned long n;

	if (nbk_read_file(path, BS_PROC_FILE_MAX, &st, &err) < 0)
		return 0;
	p = strstr(st.data, tag);
	if (!p)
		return 0;
	p += strlen(tag);
	p += strspn(p, " \t");
	list = nbk_xstrndup(p, strcspn(p, "\n"));
	if (bs_threads_parse_cpu_list(list, &n) < 0)
		return 0;
	return n;
}

/*
 * The threads step: unless threads.mode is off, find the CPUs the command may
 * use, the smallest of the cgroup's CPU quota, the affinity mask and
 * CPU_LIMIT (at least 1), and set each of thread_vars[] to it in ctx->env
 * where the container has not set it already (the container's value wins).
 * Unreadable cgroup or /proc files and a malformed CPU_LIMIT are warnings,
 * not errors: the step always returns 0 and never sets err.  Logs one line
 * with the count, where it came from, and what was set and kept.
 */
int bs_threads_apply(struct bs_ctx *ctx, struct nbk_error *err)
{
	_cleanup_strvec_ struct nbk_strvec notes = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec set = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec kept = NBK_STRVEC_INIT;
	_cleanup_buf_ struct nbk_buf line = NBK_BUF_INIT;
	unsigned long cg_cpus = 0, aff, limit = 0, n = 0;
	const char *cpu_limit;
	char count[32];
	int have_cg;
	size_t i;

	(void)err;
	if (ctx->cfg.threads_mode == BS_THREADS_OFF) {
		bs_step_log(ctx, STEP, "threads.mode is off: nothing set");
		return 0;
	}

	have_cg = bs_threads_cgroup_cpus("", &cg_cpus, &notes);
	for (i = 0; i < notes.n; i++)
		nbk_log(NBK_LOG_WARN, STEP, "%s", notes.v[i]);
	aff = affinity_count();
	if (!aff)
		aff = bs_threads_affinity_from_status("");
	cpu_limit = nbk_env_get(&ctx->env, BS_ENV_CPU_LIMIT);
	if (cpu_limit && *cpu_limit && bs_threads_parse_cpu_limit(cpu_limit, &limit) < 0) {
		nbk_log(NBK_LOG_WARN, STEP, "ignoring %s='%s': not a positive number of CPUs",
			BS_ENV_CPU_LIMIT, cpu_limit);
		limit = 0;
	}

	if (have_cg)
		n = cg_cpus;
	if (aff && (!n || aff < n))
		n = aff;
	if (limit && (!n || limit < n))
		n = limit;
	if (!n)
		n = 1;

	snprintf(count, sizeof(count), "%lu", n);
	for (i = 0; thread_vars[i]; i++) {
		if (bs_env_set_default(ctx, thread_vars[i], count))
			nbk_strvec_push(&set, thread_vars[i]);
		else
			nbk_strvec_push(&kept, thread_vars[i]);
	}

	nbk_buf_addf(&line, "%lu CPU%s (cgroup quota: ", n, n == 1 ? "" : "s");
	if (have_cg)
		nbk_buf_addf(&line, "%lu", cg_cpus);
	else
		nbk_buf_addstr(&line, "none");
	nbk_buf_addstr(&line, ", affinity: ");
	if (aff)
		nbk_buf_addf(&line, "%lu", aff);
	else
		nbk_buf_addstr(&line, "unknown");
	if (limit)
		nbk_buf_addf(&line, ", %s: %lu", BS_ENV_CPU_LIMIT, limit);
	nbk_buf_addstr(&line, ")");
	if (set.n) {
		nbk_buf_addstr(&line, "; set ");
		nbk_strvec_join(&set, ", ", &line);
	}
	if (kept.n) {
		nbk_buf_addstr(&line, "; kept from the environment: ");
		nbk_strvec_join(&kept, ", ", &line);
	}
	bs_step_log(ctx, STEP, "%s", line.data);
	return 0;
}
