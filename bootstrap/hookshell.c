/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hookshell.c: the shell that sources the hooks of a phase (hooks.c says
 * which hooks, in which order, and logs what became of each), one hook
 * after another (issue 14: a shell per hook cost its start, about 4.6 ms
 * here, for each hook).
 *
 * bash reads its script from a memory file of ours and we append one line
 * per hook, which sources the hook at the shell's top level (as `. hook` in
 * a shell of its own would: `local`, `break`, `return` behave as they did)
 * and then reports: a record on a pipe ("r STATUS BG"), read as a record,
 * never as an end of file, and the shell's exported environment, dumped
 * into a memory file, which is diffed against the dump before the hook;
 * the difference is applied to ctx->env.  Diffing two dumps of the same
 * shell, rather than diffing against ctx->env, keeps out what the shell
 * itself adds or rewrites (SHLVL, PWD, _) and whatever it refuses to import
 * (names that are not valid identifiers).  Executable hooks run in between
 * with ctx->env, which already holds every export so far; the shell waits
 * meanwhile, so the two never disagree.
 *
 * What stays as it was with a shell per hook:
 *   - the timeout: each hook has hooks.timeout from the moment its go line
 *     is written (the shell is started, and ready, before); past it the
 *     shell's whole process group gets SIGTERM, SIGKILL after
 *     BS_HOOK_GRACE_MS, and the hooks after it get a fresh shell, started
 *     from ctx->env as it is then: the killed hook's own exports are lost,
 *     as they were;
 *   - `exit N` (or a failure under `set -e`) ends the shell: our EXIT trap
 *     dumps the environment and reports "x N" first, so the hook fails with
 *     N and its exports before the exit count; a fresh shell goes on;
 *   - a stop signal reaches the shell's group, and on_error: abort stops at
 *     the failing hook: each hook waits for our go line, none runs ahead;
 *   - what each hook starts from: after each hook the shell gets back its
 *     options (set -o, shopt), its traps (a hook's EXIT trap runs then, at
 *     the end of that hook, as it did at its shell's end), IFS, $0 (the
 *     hook's path) and the positional parameters (none), the folder, the
 *     umask, stdin (/dev/null), stdout and stderr (our stderr);
 *   - a hook that leaves a job in the background (`$!` is set) ends the
 *     shell once it has reported, so that a later hook's timeout kills the
 *     group of a later shell, never that daemon, and a later `wait` does
 *     not wait for it;
 *   - a shell killed while it waits for us (by an executable hook, the OOM
 *     killer) fails no hook: it writes a byte to its ack file as it takes
 *     each hook, and a hook it did not take goes to a fresh shell.
 * Limits: a hook's shell functions and unexported variables are seen by the
 * later hooks of the same shell (as in run-hooks.sh's one shell), and so
 * are the descriptors it leaves open (but 0-2) and its ulimits; a daemon
 * started as `(daemon &)` leaves `$!` empty and stays in the shell's group,
 * so a later hook's timeout kills it too; a hook that runs `set -n`
 * (nothing runs after it, the hook times out), closes or writes to the
 * shell's descriptors 247-254, or defines a function named `builtin`,
 * breaks the shell: the hook fails, its changes are lost and the next hook
 * gets a fresh shell.
 *
 * bash older than 5.0 (no BASH_ARGV0 to give each hook its $0) and images
 * without bash (/bin/sh) get one shell per hook, with the same records:
 * `SHELL -c SCRIPT HOOK`, which waits for the go line, sources "$0" and
 * reports from its EXIT trap.
 *
 * Memory files, not pipes, carry the dumps, and the records are read as
 * records: a daemon that a hook starts in the background inherits the
 * descriptors, and a pipe would then never see its end.
 *
 * The shell runs with stdin from /dev/null (it leads its own process group,
 * so a hook reading the terminal would only be stopped by SIGTTIN) and with
 * stdout sent to our stderr: stdout belongs to the command.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/log.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"
#include "hookshell.h"

/* An environment dump larger than this is refused (a runaway hook). */
#define HOOK_ENV_MAX ((size_t)16 << 20)
/* A record is one short line. */
#define RECORD_MAX 64
/*
 * The shell's descriptors: single digits, which dash can name.  The batch
 * shell moves all but FD_SCRIPT (which bash has opened for itself) to
 * 247-254 at once, out of the way of a hook's own `exec 9>lock`.
 */
#define FD_ACK 4    /* a byte per hook the shell takes */
#define FD_SCRIPT 5 /* batch: the shell's script, a memory file */
#define FD_CTL 6    /* our pipe: the go lines */
#define FD_NAMES 7
#define FD_DUMP 8
#define FD_REC 9

/*
 * How the one-hook shell dumps its exported variables.  bash 4.4 or newer,
 * with compgen, uses builtins only: `compgen -e` writes the names into a
 * memory file of ours, mapfile reads them back through /proc/self/fd (a
 * fresh open, at offset 0), ${!v@a} leaves out arrays (never exported), one
 * printf writes the "NAME=VALUE\0" entries ("\0" alone when there are
 * none: an empty entry, skipped).  `env -0` would cost a fork and an exec
 * per dump.  Other shells, and older bash, use `command -p env -0`, which
 * finds env with the default PATH even when a hook changed PATH.  `>|`
 * because a hook may set noclobber.
 */
/* clang-format off */
#define BASH_DUMP_FN(names, dump) \
	"__bs_dump() {\n" \
	"  builtin compgen -e >|/proc/self/fd/" names " &&\n" \
	"  builtin mapfile -t __bs_n </proc/self/fd/" names " || builtin return\n" \
	"  __bs_e=()\n" \
	"  for __bs_v in \"${__bs_n[@]}\"; do\n" \
	"    [[ -v $__bs_v && ${!__bs_v@a} != *[aA]* ]] && __bs_e+=(\"$__bs_v=${!__bs_v}\")\n" \
	"  done\n" \
	"  builtin printf '%s\\0' \"${__bs_e[@]}\" >&" dump "\n" \
	"}\n"
#define ENV_DUMP_FN "__bs_dump() { command -p env -0 >&8; }\n"
/* clang-format on */

/*
 * One shell per hook (sh, bash < 5.0): `SHELL -c SCRIPT HOOK`.  It dumps,
 * reports "s single", waits for our go line, then sources "$0" (the hook,
 * named as `sh hook.sh` names it); its EXIT trap dumps again and reports
 * "x 0" (we take the status from its end: an EXIT trap leaves the exit
 * status as it was, and a variable to carry it would be exported by a
 * hook's `set -a`).  Two scripts, as dash cannot even parse bash's dump.
 */
/* clang-format off */
#define SINGLE_TAIL \
	"__bs_dump || exit 125\n" \
	"printf 's single\\n' >&9\n" \
	"read -r __bs_go <&6 || exit 0\n" \
	"exec 6<&-\n" \
	"printf g >&4\n" \
	"trap '__bs_dump && printf \"x 0\\n\" >&9' EXIT\n" \
	". \"$0\"\n"

static const char single_bash_script[] =
	"if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)) &&\n"
	"   type compgen mapfile >/dev/null 2>&1 && [ -e /proc/self/fd/7 ]; then\n"
	BASH_DUMP_FN("7", "8")
	"else\n"
	ENV_DUMP_FN
	"fi\n"
	SINGLE_TAIL;

static const char single_sh_script[] = ENV_DUMP_FN SINGLE_TAIL;
/* clang-format on */

/*
 * The batch shell (bash 5.0 or newer) reads its script from a memory file
 * of ours, `bash /proc/self/fd/5`: a regular file, which bash reads in
 * blocks (from a pipe it would read a byte per read()).  The file starts
 * with this preamble; we append one hook_line per hook, then write a go
 * line to the pipe on FD_CTL, where the shell waits (__bs_wait) at the end
 * of the preamble and of every hook line, so it never reads past what we
 * wrote.  Older bash reports "s unable" and we fall back to a shell per
 * hook (the test reads $BASH_VERSION, which any sh can parse).  After its
 * first dump the shell saves what each hook must start from (options,
 * folder, umask, traps) and reports "s batch".  After each hook:
 *   __bs_after   takes the hook's status, turns off the options that would
 *                touch our own commands (set -aeuxv; __bs_rc is never left
 *                exported), gives the others back (set +o and shopt -p as
 *                saved, only when they changed) and the signal traps: a
 *                hook's own EXIT trap is kept in __bs_t, and ours is set
 *                again;
 *   then, at the top level: ERR, DEBUG and RETURN reset (a function cannot
 *                change those), $? set back to the hook's status
 *                (__bs_status), and the hook's EXIT trap run, as its
 *                shell's end ran it;
 *   __bs_end     stdin, stdout, stderr, IFS, folder, umask, then the dump
 *                (`declare -px`: one builtin, read back by
 *                bs_declare_to_env0()), the record "r STATUS BG" (BG 1: a
 *                job was left in the background, `$!` is set), and the wait.
 * Builtins are called through `builtin`, so that a hook's function of the
 * same name (a `cd` wrapper) leaves the protocol alone, and with stderr on
 * /dev/null (fd 249), so that a hook's `set -x` traces nothing of ours.
 */
/* clang-format off */
static const char batch_preamble[] =
	"case ${BASH_VERSION-} in\n"
	"[5-9].* | [1-9][0-9]*) ;;\n"
	"*) printf 's unable\\n' >&9; exit 0 ;;\n"
	"esac\n"
	"exec 247>&4 248</dev/null 249>/dev/null 250>&7 251>&8 252>&9 253>&2 254<&6\n"
	"exec 4>&- 5<&- 6<&- 7>&- 8>&- 9>&-\n"
	"__bs_dump() { builtin declare -px >&251; }\n"
	"__bs_wait() { IFS= builtin read -r __bs_go <&254 || { builtin trap - EXIT; exit 0; }; }\n"
	"__bs_trapcmd() { __bs_t=$2; }\n"
	"__bs_exit() {\n"
	"  __bs_rc=$?\n"
	"  builtin set +aeuxv\n"
	"  builtin export -n __bs_rc\n"
	"  __bs_dump && builtin printf 'x %d\\n' \"$__bs_rc\" >&252\n"
	"}\n"
	"__bs_after() {\n"
	"  __bs_rc=$?\n"
	"  builtin set +aeuxv\n"
	"  builtin export -n __bs_rc\n"
	"  [[ $SHELLOPTS == \"$__bs_so\" && $BASHOPTS == \"$__bs_bo\" ]] ||\n"
	"    builtin eval \"$__bs_opts\"\n"
	"  __bs_t=\n"
	"  builtin trap -p >|/proc/self/fd/250 &&\n"
	"    IFS= builtin read -r -d '' __bs_tp </proc/self/fd/250\n"
	"  if [[ $__bs_tp != \"$__bs_traps\" ]]; then\n"
	"    [[ $__bs_tp == *\"$__bs_traps\"* ]] || {\n"
	"      builtin trap -p EXIT >|/proc/self/fd/250 &&\n"
	"        IFS= builtin read -r -d '' __bs_tp </proc/self/fd/250\n"
	"      [[ -z $__bs_tp ]] || builtin eval \"__bs_trapcmd ${__bs_tp#trap }\"\n"
	"    }\n"
	"    builtin trap - {1..64}\n"
	"    builtin trap '{ __bs_exit; } 2>&249' EXIT\n"
	"  fi\n"
	"}\n"
	"__bs_status() { builtin return \"$__bs_rc\"; }\n"
	"__bs_end() {\n"
	"  builtin set +aeuxv\n"
	"  exec <&248 >&253 2>&253\n"
	"  IFS=$' \\t\\n'\n"
	"  [[ $PWD == \"$__bs_cwd\" ]] || builtin cd -- \"$__bs_cwd\" 2>&249\n"
	"  builtin umask \"$__bs_umask\"\n"
	"  __bs_bg=0\n"
	"  [[ -z $! ]] || __bs_bg=1\n"
	"  __bs_dump 2>&249 &&\n"
	"    builtin printf 'r %d %d\\n' \"$__bs_rc\" \"$__bs_bg\" 2>&249 >&252 ||\n"
	"    builtin exit 125\n"
	"  __bs_wait\n"
	"}\n"
	"__bs_dump || exit 125\n"
	"builtin set +o >|/proc/self/fd/250 && builtin shopt -p >>/proc/self/fd/250 &&\n"
	"  IFS= builtin read -r -d '' __bs_opts </proc/self/fd/250\n"
	"__bs_so=$SHELLOPTS __bs_bo=$BASHOPTS __bs_cwd=$PWD\n"
	"builtin umask >|/proc/self/fd/250 && builtin read -r __bs_umask </proc/self/fd/250\n"
	"builtin trap '{ __bs_exit; } 2>&249' EXIT\n"
	"builtin trap -p >|/proc/self/fd/250 &&\n"
	"  IFS= builtin read -r -d '' __bs_traps </proc/self/fd/250\n"
	"builtin printf 's batch\\n' >&252\n"
	"__bs_wait\n";

/* One hook in the batch shell; both %s are the hook's path, quoted. */
static const char hook_line[] =
	"builtin printf g >&247; BASH_ARGV0=%s; builtin set --; . %s; { __bs_after; } 2>&249; "
	"builtin trap - ERR DEBUG RETURN; __bs_status; "
	"builtin eval \"$__bs_t\"; __bs_end\n";
/* clang-format on */

/* Variables the shell owns: never taken from a dump. */
static const char *const shell_owned[] = { "_", "PWD", "OLDPWD", "SHLVL", NULL };

static bool is_shell_owned(const char *entry, size_t klen)
{
	size_t i;

	for (i = 0; shell_owned[i]; i++)
		if (strlen(shell_owned[i]) == klen && !strncmp(entry, shell_owned[i], klen))
			return true;
	return false;
}

/* Length of the key of "KEY=VALUE", or 0 when entry is not a valid one. */
static size_t entry_key_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	if (!eq || !nbk_env_name_valid(entry, (size_t)(eq - entry)))
		return 0;
	return (size_t)(eq - entry);
}

/* Compare two "KEY=VALUE" entries by key only. */
static int cmp_key(const void *a, const void *b)
{
	const char *x = *(char *const *)a;
	const char *y = *(char *const *)b;
	size_t xl = strcspn(x, "=");
	size_t yl = strcspn(y, "=");
	int c = strncmp(x, y, xl < yl ? xl : yl);

	if (c)
		return c;
	return xl < yl ? -1 : xl > yl;
}

/*
 * Split a dump of NUL-terminated "KEY=VALUE" entries into out, keeping the
 * valid entries that the shell does not own, sorted by key, one per key
 * (a shell never exports a name twice; a hostile dump that does gets one of
 * its values).
 */
static void split_dump(const char *data, size_t len, struct nbk_strvec *out)
{
	size_t off = 0;
	size_t i, j;

	while (off < len) {
		const char *entry = data + off;
		size_t elen = strnlen(entry, len - off);
		size_t klen;
		char *copy;

		/* an unterminated last entry ends at len: strnlen keeps it bounded */
		off += elen + 1;
		if (!elen)
			continue;
		copy = nbk_xstrndup(entry, elen);
		klen = entry_key_len(copy);
		if (!klen || is_shell_owned(copy, klen)) {
			free(copy);
			continue;
		}
		nbk_strvec_push_owned(out, copy);
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_key);
	for (i = 0, j = 0; i < out->n; i++) {
		if (j > 0 && !cmp_key(&out->v[j - 1], &out->v[i])) {
			free(out->v[j - 1]);
			out->v[j - 1] = out->v[i];
			continue;
		}
		out->v[j++] = out->v[i];
	}
	out->n = j;
	if (out->alloc)
		out->v[j] = NULL;
}

/*
 * Apply to env what changed between the dumps `before` and `after` (each a
 * sequence of NUL-terminated "KEY=VALUE" entries, as `env -0` writes):
 * a key new in after, or with another value, is set; a key of before missing
 * from after is unset.  The shell's own variables (_, PWD, OLDPWD, SHLVL)
 * and invalid names are ignored.  The keys set are appended to `set` and the
 * keys removed to `unset` (each may be NULL).  Returns the number of changes.
 */
NBK_STATIC size_t bs_env_apply_diff(struct nbk_strvec *env, const char *before, size_t blen,
				    const char *after, size_t alen, struct nbk_strvec *set,
				    struct nbk_strvec *unset)
{
	_cleanup_strvec_ struct nbk_strvec b = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec a = NBK_STRVEC_INIT;
	size_t i = 0, j = 0, changes = 0;

	split_dump(before, blen, &b);
	split_dump(after, alen, &a);
	while (i < b.n || j < a.n) {
		int c;

		if (i == b.n)
			c = 1;
		else if (j == a.n)
			c = -1;
		else
			c = cmp_key(&b.v[i], &a.v[j]);
		if (c < 0) {
			/* in before only: unset */
			size_t klen = strcspn(b.v[i], "=");
			char *key = nbk_xstrndup(b.v[i], klen);

			nbk_env_unset(env, key);
			if (unset)
				nbk_strvec_push_owned(unset, key);
			else
				free(key);
			changes++;
			i++;
		} else if (c > 0 || strcmp(b.v[i], a.v[j])) {
			/* new in after, or another value: set */
			size_t klen = strcspn(a.v[j], "=");
			char *key = nbk_xstrndup(a.v[j], klen);

			nbk_env_set(env, key, a.v[j] + klen + 1);
			if (set)
				nbk_strvec_push_owned(set, key);
			else
				free(key);
			changes++;
			if (c == 0)
				i++;
			j++;
		} else {
			i++;
			j++;
		}
	}
	return changes;
}

/* ---- bash's `declare -px`, read back ---------------------------------- */

/* The value of a hexadecimal or octal digit c, or -1. */
static int digit_value(char c, int base)
{
	int v = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10
				       : 99;

	return v < base ? v : -1;
}

/*
 * One escape of $'...' at *p (after the backslash), as bash reads it:
 * \a \b \e \E \f \n \r \t \v \\ \' \" \?, \NNN octal (1-3 digits), \xHH
 * (1-2 digits), \cX; any other letter keeps its backslash.  Appends the
 * byte to out and moves *p past the escape.  Returns -1 for what bash does
 * not write (\u, \U: declare -p never uses them; a NUL).
 */
static int ansic_escape(const char **p, const char *end, struct nbk_buf *out)
{
	static const char from[] = "abeEfnrtv\\'\"?";
	static const char to[] = "\a\b\033\033\f\n\r\t\v\\'\"?";
	const char *q = *p;
	const char *hit = strchr(from, *q);
	int v = 0, n = 0, base = 8, max = 3;

	if (*q && hit) {
		nbk_buf_addch(out, to[hit - from]);
		*p = q + 1;
		return 0;
	}
	if (*q == 'c' && q + 1 < end) {
		nbk_buf_addch(out, (char)(q[1] & 0x1f));
		*p = q + 2;
		return q[1] & 0x1f ? 0 : -1;
	}
	if (*q == 'u' || *q == 'U')
		return -1;
	if (*q == 'x') {
		base = 16;
		max = 2;
		q++;
	}
	while (q < end && n < max && digit_value(*q, base) >= 0) {
		v = v * base + digit_value(*q++, base);
		n++;
	}
	if (!n) {
		if (base == 16)
			return -1;
		nbk_buf_addch(out, '\\'); /* an escape bash does not know: kept */
		return 0;
	}
	if (!(v & 0xff))
		return -1;
	nbk_buf_addch(out, (char)v);
	*p = q;
	return 0;
}

/*
 * Read one shell word at *p up to an unquoted newline (consumed), the way
 * bash reads back what `declare -p` writes: "..." (\ before $ ` " \ and
 * newline escapes it), $'...' (ansic_escape()), '...' and bare characters
 * (\ escapes the next one), in any sequence.  Appends the value to out
 * (NULL: only skip, for an array's "(...)").  Returns 0, or -1 when the
 * text ends inside quotes or without the newline.
 */
static int shell_word(const char **p, const char *end, struct nbk_buf *out)
{
	struct nbk_buf sink = NBK_BUF_INIT;
	const char *q = *p;
	int r = -1;

	if (!out)
		out = &sink;
	while (q < end && *q != '\n') {
		if (*q == '"') {
			for (q++; q < end && *q != '"'; q++) {
				if (*q == '\\' && q + 1 < end && strchr("$`\"\\\n", q[1])) {
					if (*++q != '\n')
						nbk_buf_addch(out, *q);
				} else {
					nbk_buf_addch(out, *q);
				}
			}
		} else if (*q == '$' && q + 1 < end && q[1] == '\'') {
			for (q += 2; q < end && *q != '\''; q++) {
				if (*q != '\\') {
					nbk_buf_addch(out, *q);
					continue;
				}
				q++;
				if (q >= end || ansic_escape(&q, end, out) < 0)
					goto out;
				q--;
			}
		} else if (*q == '\'') {
			for (q++; q < end && *q != '\''; q++)
				nbk_buf_addch(out, *q);
		} else {
			if (*q == '\\' && ++q >= end)
				goto out;
			if (*q != '\n')
				nbk_buf_addch(out, *q);
			q++;
			continue;
		}
		if (q >= end)
			goto out; /* unterminated quotes */
		q++;              /* the closing quote */
	}
	if (q < end) {
		*p = q + 1;
		r = 0;
	}
out:
	nbk_buf_release(&sink);
	return r;
}

/*
 * Turn what bash's `declare -px` wrote (data[0..len): one
 * "declare -FLAGS NAME[=WORD]" line per exported variable) into `env -0`'s
 * shape, "NAME=VALUE\0" per variable that has a value, appended to out;
 * arrays (flags a, A) are left out, as bash leaves them out of a child's
 * environment.  Returns 0, or -1 when data is not that (a bash that writes
 * another shape, a hook that wrote into the dump): nothing of it is used.
 */
NBK_STATIC int bs_declare_to_env0(const char *data, size_t len, struct nbk_buf *out)
{
	static const char lead[] = "declare -";
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *flags, *name;
		size_t nlen, mark = out->len;
		bool array;

		if ((size_t)(end - p) < sizeof(lead) || memcmp(p, lead, sizeof(lead) - 1))
			return -1;
		flags = p += sizeof(lead) - 1;
		while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			p++;
		if (p == flags || p >= end || *p != ' ' || !memchr(flags, 'x', (size_t)(p - flags)))
			return -1;
		array = memchr(flags, 'a', (size_t)(p - flags)) ||
			memchr(flags, 'A', (size_t)(p - flags));
		name = ++p;
		while (p < end && *p != '=' && *p != '\n')
			p++;
		nlen = (size_t)(p - name);
		if (p >= end || !nbk_env_name_valid(name, nlen))
			return -1;
		if (*p++ == '\n')
			continue; /* exported, never given a value: not in the environment */
		if (array) {
			if (shell_word(&p, end, NULL) < 0)
				return -1;
			continue;
		}
		nbk_buf_add(out, name, nlen);
		nbk_buf_addch(out, '=');
		if (shell_word(&p, end, out) < 0 ||
		    memchr(out->data + mark, '\0', out->len - mark)) {
			out->len = mark;
			out->data[mark] = '\0';
			return -1;
		}
		nbk_buf_add(out, "", 1);
	}
	return 0;
}

/* Move fd to a descriptor >= 10, close-on-exec, so that dup2() onto 6-9 in
 * the child never meets it.  Returns the new descriptor, or -1 with err
 * (fd is closed either way). */
static int high_fd(int fd, struct nbk_error *err)
{
	int high;

	if (fd < 0)
		return nbk_error_set(err, errno, "cannot create a descriptor for the hooks' shell");
	high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	if (high < 0)
		return nbk_error_set(err, errno, "cannot duplicate a descriptor");
	return high;
}

/*
 * Take the dump in the memory file fd (at most HOOK_ENV_MAX) into out, in
 * `env -0`'s shape (declared: it is bash's `declare -px`, converted), then
 * empty the file.  The shell's descriptor shares the file offset with ours,
 * so its next dump lands at 0 again.  Only called while the shell waits
 * for us, or is gone: no dump is being written.  Returns 0 or -1.
 */
static int take_dump(int fd, bool declared, struct nbk_buf *out)
{
	_cleanup_buf_ struct nbk_buf raw = NBK_BUF_INIT;

	nbk_buf_reset(out);
	if (lseek(fd, 0, SEEK_SET) < 0 || nbk_read_fd(fd, HOOK_ENV_MAX, &raw) < 0 ||
	    ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	if (!declared) {
		nbk_buf_add(out, raw.data, raw.len);
		return 0;
	}
	return bs_declare_to_env0(raw.data, raw.len, out);
}

/*
 * Parse one record of the shell (a line; see the scripts above) into rec.
 * Anything else, or more than one line, is BS_REC_BAD: a hook wrote to our
 * descriptor.  Returns rec->kind.
 */
NBK_STATIC enum bs_rec_kind bs_hook_record_parse(const char *line, size_t len,
						 struct bs_hook_record *rec)
{
	static const struct {
		const char *text;
		enum bs_rec_kind kind;
	} fixed[] = {
		{ "s batch\n", BS_REC_BATCH },
		{ "s single\n", BS_REC_SINGLE },
		{ "s unable\n", BS_REC_UNABLE },
	};
	const char *p, *end = line + len;
	unsigned rc = 0;
	size_t i;

	rec->kind = BS_REC_BAD;
	rec->status = 0;
	rec->background = false;
	if (!len || len >= RECORD_MAX || memchr(line, '\n', len) != line + len - 1 ||
	    memchr(line, '\0', len))
		return rec->kind;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strlen(fixed[i].text) == len && !memcmp(line, fixed[i].text, len))
			return rec->kind = fixed[i].kind;
	/* "r STATUS BG\n" or "x STATUS\n": STATUS 0-255 in 1-3 digits, BG 0 or 1 */
	if (len < 4 || (line[0] != 'r' && line[0] != 'x') || line[1] != ' ')
		return rec->kind;
	p = line + 2;
	while (p < end && p - line < 5 && *p >= '0' && *p <= '9')
		rc = rc * 10 + (unsigned)(*p++ - '0');
	if (p == line + 2 || rc > 255)
		return rec->kind;
	if (line[0] == 'r' && end - p == 3 && p[0] == ' ' && (p[1] == '0' || p[1] == '1')) {
		rec->kind = BS_REC_READY;
		rec->background = p[1] == '1';
	} else if (line[0] == 'x' && end - p == 1) {
		rec->kind = BS_REC_EXIT;
	} else {
		return rec->kind;
	}
	rec->status = (int)rc;
	return rec->kind;
}

/* bash said "s unable" once (older than 5.0): a shell per hook from then on. */
static bool batch_unable;

static void shell_close(struct bs_hook_shell *sh)
{
	int *fds[] = { &sh->script, &sh->ctl, &sh->rec, &sh->dump, &sh->names, &sh->ack };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	sh->pid = 0;
	sh->handed = 0;
}

/*
 * End sh's shell, which waits for our next hook: SIGKILL to the shell alone
 * (the daemons a hook left in its group go on, as they would have after a
 * shell's normal end), reaped; its descriptors closed.
 */
static void shell_end(struct bs_hook_shell *sh)
{
	int status;

	if (sh->pid > 0 && kill(sh->pid, SIGKILL) == 0)
		nbk_waitpid(sh->pid, &status, 0);
	shell_close(sh);
}

void bs_hook_shell_end(struct bs_hook_shell *sh)
{
	shell_end(sh);
	nbk_buf_release(&sh->env);
}

/*
 * Wait up to timeout_ms (0: no limit) for sh's next record, with
 * nbk_proc_wait(): past the time its group gets SIGTERM, SIGKILL after
 * BS_HOOK_GRACE_MS; a stop request reaches the group the same way.  rec is what
 * came (BS_REC_NONE when the shell ended, was killed or closed the record
 * pipe without one); res says how the shell ended when it did (then sh has
 * no shell any more: sh->pid is 0, its descriptors are left for
 * shell_close()).  Returns 0, or -1 with err when waiting failed.
 */
static int shell_wait(struct bs_hook_shell *sh, uint64_t timeout_ms, struct bs_hook_record *rec,
		      struct nbk_proc_result *res, struct nbk_error *err)
{
	sigset_t stop_signals;
	struct nbk_proc_opts o = {
		.flags = NBK_PROC_NEW_PGRP,
		.grace_ms = BS_HOOK_GRACE_MS,
		.stop = &bs_stop_signal,
		.stop_signals = &stop_signals,
	};
	uint64_t start = nbk_now_ms();
	uint64_t deadline = timeout_ms ? start + timeout_ms : 0;
	char line[RECORD_MAX];
	size_t len = 0;
	bool eof = false;

	bs_stop_sigset(&stop_signals);
	memset(res, 0, sizeof(*res));
	rec->kind = BS_REC_NONE;
	for (;;) {
		uint64_t now = nbk_now_ms();
		ssize_t n;
		int w;

		res->pid = sh->pid;
		if (deadline)
			o.timeout_ms = deadline > now ? deadline - now : 1;
		w = nbk_proc_wait(&o, eof ? -1 : sh->rec, res, err);
		if (w < 0)
			return -1;
		if (w == 0)
			sh->pid = 0; /* ended: a record may still be there */
		/* what is there: a whole record (a write of a few bytes to a
		 * pipe is atomic), or an end when no writer is left */
		n = nbk_read(sh->rec, line + len, sizeof(line) - len);
		if (n == 0)
			eof = true;
		if (n > 0) {
			len += (size_t)n;
			if (memchr(line, '\n', len) || len == sizeof(line)) {
				bs_hook_record_parse(line, len, rec);
				break;
			}
		}
		if (w == 0)
			break;
	}
	res->elapsed_ms = nbk_now_ms() - start;
	return 0;
}

/* Where bash is, else /bin/sh (docker-stacks images have bash; slim ones
 * may not). */
static const char *find_shell(void)
{
	static const char *const shells[] = { "/bin/bash", "/usr/bin/bash", "/bin/sh" };
	size_t i;

	for (i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (access(shells[i], X_OK) == 0)
			return shells[i];
	return "/bin/sh";
}

/*
 * Create sh's memory files (the script one in batch mode) and pipes, ours in
 * sh and the shell's ends of the pipes in *their_ctl and *their_rec, all
 * close-on-exec at 10 or above.  Returns 0, or -1 with err and everything
 * closed.
 */
static int shell_open(struct bs_hook_shell *sh, int *their_ctl, int *their_rec,
		      struct nbk_error *err)
{
	int ctl[2], rec[2];

	if (pipe2(ctl, O_CLOEXEC) < 0)
		return nbk_error_set(err, errno, "cannot create a pipe");
	if (pipe2(rec, O_CLOEXEC) < 0) {
		int e = errno;

		close(ctl[0]);
		close(ctl[1]);
		return nbk_error_set(err, e, "cannot create a pipe");
	}
	*their_ctl = high_fd(ctl[0], err);
	sh->ctl = high_fd(ctl[1], err);
	sh->rec = high_fd(rec[0], err);
	*their_rec = high_fd(rec[1], err);
	sh->names = high_fd(memfd_create("bootstrap-hook-names", MFD_CLOEXEC), err);
	sh->dump = high_fd(memfd_create("bootstrap-hook-env", MFD_CLOEXEC), err);
	sh->ack = high_fd(memfd_create("bootstrap-hook-ack", MFD_CLOEXEC), err);
	if (sh->batch)
		sh->script = high_fd(memfd_create("bootstrap-hook-script", MFD_CLOEXEC), err);
	if (*their_ctl < 0 || *their_rec < 0 || sh->ctl < 0 || sh->rec < 0 || sh->names < 0 ||
	    sh->dump < 0 || sh->ack < 0 || (sh->batch && sh->script < 0) ||
	    (sh->batch &&
	     nbk_write_all(sh->script, batch_preamble, sizeof(batch_preamble) - 1) < 0 &&
	     nbk_error_set(err, errno, "cannot write the hooks' shell script"))) {
		if (*their_ctl >= 0)
			close(*their_ctl);
		if (*their_rec >= 0)
			close(*their_rec);
		shell_close(sh);
		return -1;
	}
	fcntl(sh->rec, F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * Start a shell for the hooks from path on, with ctx->env, and wait (up to
 * the hook timeout) until it has dumped its environment (into sh->env) and
 * waits for us.  A batch shell is tried first when the shell is bash and
 * /proc is there (stat, not access: after the privilege drop our own
 * /proc/self/fd is root's, the shell's will be its own).  On return sh->pid
 * is the ready shell, or 0 when it did not get ready: res says how it ended
 * (timed out, stopped, exited).  Returns -1 with err when it could not be
 * started at all.
 */
static int shell_start(struct bs_ctx *ctx, const char *phase, struct bs_hook_shell *sh,
		       const char *path, struct nbk_proc_result *res, struct nbk_error *err)
{
	struct stat st;
	bool bash = strstr(sh->shell, "bash") != NULL;

	sh->batch = bash && !batch_unable && stat("/proc/self/fd", &st) == 0;
	for (;;) {
		const char *script = bash ? single_bash_script : single_sh_script;
		char *argv_batch[] = { (char *)sh->shell, (char *)"/proc/self/fd/5", NULL };
		char *argv_single[] = { (char *)sh->shell, (char *)"-c", (char *)script,
					(char *)path, NULL };
		struct nbk_proc_fd fds[6];
		struct nbk_proc_opts o = {
			.argv = sh->batch ? argv_batch : argv_single,
			.envp = ctx->env.v,
			.flags = NBK_PROC_NEW_PGRP | NBK_PROC_STDIN_NULL |
				 NBK_PROC_STDOUT_TO_STDERR,
			.fds = fds,
			.n_fds = 5,
		};
		struct bs_hook_record first;
		int their_ctl = -1, their_rec = -1, started;

		if (shell_open(sh, &their_ctl, &their_rec, err) < 0)
			return -1;
		fds[0] = (struct nbk_proc_fd){ their_ctl, FD_CTL };
		fds[1] = (struct nbk_proc_fd){ sh->names, FD_NAMES };
		fds[2] = (struct nbk_proc_fd){ sh->dump, FD_DUMP };
		fds[3] = (struct nbk_proc_fd){ their_rec, FD_REC };
		fds[4] = (struct nbk_proc_fd){ sh->ack, FD_ACK };
		if (sh->batch)
			fds[o.n_fds++] = (struct nbk_proc_fd){ sh->script, FD_SCRIPT };
		started = nbk_proc_start(&o, res, err);
		close(their_ctl);
		close(their_rec);
		if (started < 0 || !res->pid) {
			shell_close(sh); /* an exec failure: its 127/126 is in res */
			return started;
		}
		sh->pid = res->pid;
		if (shell_wait(sh, (uint64_t)ctx->cfg.hook_timeout_s * 1000, &first, res, err) <
		    0) {
			shell_end(sh);
			return -1;
		}
		if (first.kind == BS_REC_UNABLE) {
			shell_end(sh);
			batch_unable = true;
			sh->batch = false;
			continue;
		}
		if (first.kind != (sh->batch ? BS_REC_BATCH : BS_REC_SINGLE) ||
		    take_dump(sh->dump, sh->batch, &sh->env) < 0) {
			/* not ready: it ended (res says how), or it is out of protocol */
			if (sh->pid > 0)
				kill(-sh->pid, SIGKILL);
			shell_end(sh);
			return 0;
		}
		nbk_log(NBK_LOG_DEBUG, phase, "started '%s' (pid %d) to source hooks%s", sh->shell,
			(int)sh->pid, sh->batch ? "" : ", one per shell");
		return 0;
	}
}

/*
 * Did the shell take the last hook we handed it?  It writes one byte to
 * its ack file as it takes each hook (before sourcing it): a shell killed
 * while it waited for us, even as our go line came in, wrote none for it.
 */
static bool hook_started(const struct bs_hook_shell *sh)
{
	struct stat st;

	return fstat(sh->ack, &st) == 0 && (uint64_t)st.st_size >= sh->handed;
}

/*
 * Source the hook at path in sh's shell, started first when none runs (see
 * the header comment).  Fills res as nbk_proc_run() would for a shell of its
 * own (status: the hook's, as a wait status; timed_out, stopped; elapsed_ms
 * from our line to its record), *env and, when its changes were applied,
 * set and unset (the names).  Afterwards sh has a shell waiting for the next
 * hook, or none.  Returns -1 with err when no shell could be started.
 */
int bs_hook_shell_source(struct bs_ctx *ctx, const char *phase, struct bs_hook_shell *sh,
			 const char *path, struct nbk_proc_result *res, enum bs_hook_env *env,
			 struct nbk_strvec *set, struct nbk_strvec *unset, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf line = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf after = NBK_BUF_INIT;
	uint64_t timeout_ms = (uint64_t)ctx->cfg.hook_timeout_s * 1000;
	struct bs_hook_record rec;
	bool retried = false;
	uint64_t start;

	*env = BS_HOOK_ENV_LOST;
	if (!sh->shell)
		sh->shell = find_shell();
again:
	if (!sh->pid) {
		if (shell_start(ctx, phase, sh, path, res, err) < 0)
			return -1;
		if (!sh->pid) {
			if (!res->timed_out && !res->stopped)
				*env = BS_HOOK_ENV_NOT_SOURCED;
			return 0;
		}
	}
	if (sh->batch) {
		_cleanup_buf_ struct nbk_buf quoted = NBK_BUF_INIT;

		nbk_buf_add_sh_quoted(&quoted, path);
		nbk_buf_addf(&line, hook_line, quoted.data, quoted.data);
		if (nbk_write_all(sh->script, line.data, line.len) < 0) {
			shell_end(sh);
			return nbk_error_set(err, errno, "cannot write the hooks' shell script");
		}
	}
	start = nbk_now_ms();
	/* the go line; a failed write (EPIPE) is a shell that died: the wait
	 * reports it */
	(void)nbk_write_all(sh->ctl, "\n", 1);
	sh->handed++;
	if (shell_wait(sh, timeout_ms, &rec, res, err) < 0) {
		shell_end(sh);
		return -1;
	}
	if (rec.kind == BS_REC_NONE && !sh->pid && !res->timed_out && !res->stopped && !retried &&
	    !hook_started(sh)) {
		/* the shell was gone (killed by an executable hook, the OOM
		 * killer) before it took this hook: a fresh one takes it */
		shell_close(sh);
		retried = true;
		nbk_buf_reset(&line);
		goto again;
	}
	if (rec.kind == BS_REC_EXIT && sh->pid) {
		/* our EXIT trap has run: the shell is ending, wait for its status */
		struct bs_hook_record none;
		uint64_t spent = nbk_now_ms() - start;

		if (shell_wait(sh, timeout_ms ? (spent < timeout_ms ? timeout_ms - spent : 1) : 0,
			       &none, res, err) < 0) {
			shell_end(sh);
			return -1;
		}
	}
	if (rec.kind == BS_REC_READY && sh->batch) {
		res->status = W_EXITCODE(rec.status, 0);
		res->reaped = true;
	} else if (rec.kind != BS_REC_EXIT && rec.kind != BS_REC_NONE) {
		nbk_log(NBK_LOG_WARN, phase,
			"'%s' wrote to the descriptors of the hooks' shell: the shell is killed",
			path);
		if (sh->pid > 0)
			kill(-sh->pid, SIGKILL);
		shell_end(sh);
		res->status = W_EXITCODE(0, SIGKILL);
		rec.kind = BS_REC_NONE;
	}
	res->elapsed_ms = nbk_now_ms() - start;
	/* A failed sourced hook's exports still count: in run-hooks.sh they
	 * already happened in the one shell that sources them all. */
	if (rec.kind != BS_REC_NONE && !res->timed_out && !res->stopped &&
	    take_dump(sh->dump, sh->batch, &after) == 0 && after.len) {
		struct nbk_buf before = sh->env;

		bs_env_apply_diff(&ctx->env, before.data, before.len, after.data, after.len, set,
				  unset);
		sh->env = after; /* where the next hook starts */
		after = before;  /* freed on return */
		*env = BS_HOOK_ENV_APPLIED;
	}
	if (sh->pid && (rec.kind != BS_REC_READY || rec.background))
		shell_end(sh);
	if (!sh->pid)
		shell_close(sh);
	return 0;
}
