/* SPDX-License-Identifier: Apache-2.0 */
/* Streamed prefix replacement: see replace.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "replace.h"

/* A first line (a shebang) is held whole, with the prefix written in, up to this. */
#define MAX_FIRST_LINE_OUT (1u << 20)

/* Buffered output with a bound on what is written. */
struct out {
	int fd;
	char *buf;
	size_t len, cap;
	unsigned long long total, max;
	struct nbk_error *err;
};

static int out_flush(struct out *o)
{
	if (o->len && nbk_write_all(o->fd, o->buf, o->len) < 0)
		return nbk_error_set(o->err, errno, "cannot write the file");
	o->len = 0;
	return 0;
}

static int out_add(struct out *o, const void *p, size_t n)
{
	o->total += n;
	if (o->max && o->total > o->max)
		return nbk_error_set(o->err, EFBIG, "the file would grow past %llu bytes", o->max);
	if (o->len + n > o->cap) {
		if (out_flush(o) < 0)
			return -1;
		if (n > o->cap) {
			if (nbk_write_all(o->fd, p, n) < 0)
				return nbk_error_set(o->err, errno, "cannot write the file");
			return 0;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

static int out_zeros(struct out *o, size_t n)
{
	static const char zeros[256];

	while (n) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);

		if (out_add(o, zeros, k) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* The input: what is left of the first bytes read, then the file. */
struct src {
	int fd;
	const char *mem;
	size_t mlen;
};

static ssize_t src_read(struct src *s, char *dst, size_t n)
{
	if (s->mlen) {
		size_t k = s->mlen < n ? s->mlen : n;

		memcpy(dst, s->mem, k);
		s->mem += k;
		s->mlen -= k;
		return (ssize_t)k;
	}
	return nbk_read(s->fd, dst, n);
}

/* Append s[0..n) to out with every needle replaced by with; returns the hits. */
static size_t replace_all(const char *s, size_t n, const char *needle, size_t nlen,
			  const char *with, size_t wlen, struct nbk_buf *out)
{
	size_t pos = 0, hits = 0;
	const char *hit;

	while (pos < n && (hit = memmem(s + pos, n - pos, needle, nlen))) {
		nbk_buf_add(out, s + pos, (size_t)(hit - (s + pos)));
		nbk_buf_add(out, with, wlen);
		pos = (size_t)(hit - s) + nlen;
		hits++;
	}
	nbk_buf_add(out, s + pos, n - pos);
	return hits;
}

/*
 * conda's handling of the first line (replace_prefix's shebang escaping,
 * then replace_long_shebang's regex ^(#!((?:\\ |[^ \n\r\t])+)(.*))) on
 * line[0..len), which ends before its '\n' (has_nl) or at the end of the
 * file.  Appends the new line to out; *changed when it differs.
 */
static int first_line(const char *line, size_t len, bool has_nl, const char *ph, const char *prefix,
		      struct nbk_buf *out, bool *changed, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf esc = NBK_BUF_INIT, l1 = NBK_BUF_INIT;
	size_t phl = strlen(ph), i, exe_end, slash;
	const char *l2;
	size_t l2len, start = out->len;

	/* "#!PLACEHOLDER" -> "#!" + prefix with "\ " for each space (only
	 * when the file has a newline: conda splits at the first one) */
	if (has_nl && strchr(prefix, ' ')) {
		_cleanup_buf_ struct nbk_buf needle = NBK_BUF_INIT;

		nbk_buf_addstr(&needle, "#!");
		nbk_buf_addstr(&needle, ph);
		nbk_buf_addstr(&esc, "#!");
		for (i = 0; prefix[i]; i++) {
			if (prefix[i] == ' ')
				nbk_buf_addch(&esc, '\\');
			nbk_buf_addch(&esc, prefix[i]);
		}
		replace_all(line, len, needle.data, needle.len, esc.data, esc.len, &l1);
	} else {
		nbk_buf_add(&l1, line, len);
	}
	replace_all(l1.data, l1.len, ph, phl, prefix, strlen(prefix), out);
	if (out->len - start > MAX_FIRST_LINE_OUT)
		return nbk_error_set(
			err, 0, "the first line is longer than %u bytes with the prefix written in",
			MAX_FIRST_LINE_OUT);
	l2 = out->data + start;
	l2len = out->len - start;
	if (l2len >= 2 && !memcmp(l2, "#!", 2)) {
		/* EXE: "\ " pairs and bytes other than blanks */
		for (exe_end = 2; exe_end < l2len;) {
			if (l2[exe_end] == '\\' && exe_end + 1 < l2len && l2[exe_end + 1] == ' ')
				exe_end += 2;
			else if (!strchr(" \n\r\t", l2[exe_end]))
				exe_end++;
			else
				break;
		}
		for (slash = exe_end; slash > 2 && l2[slash - 1] != '/'; slash--)
			;
		if (exe_end > 2 && slash > 2 &&
		    (l2len > ET_MAX_SHEBANG || memmem(l2 + 2, slash - 1 - 2, "\\ ", 2))) {
			_cleanup_buf_ struct nbk_buf nb = NBK_BUF_INIT;

			nbk_buf_addstr(&nb, "#!/usr/bin/env ");
			nbk_buf_add(&nb, l2 + slash, l2len - slash);
			out->len = start;
			nbk_buf_add(out, nb.data, nb.len);
		}
	}
	*changed = out->len - start != len || memcmp(out->data + start, line, len);
	return 0;
}

/* Text replacement of the rest of the input, window bytes at a time. */
static int stream_text(struct src *s, struct out *o, const char *ph, const char *prefix,
		       size_t window, bool *changed)
{
	size_t phl = strlen(ph), pl = strlen(prefix), len = 0;
	_cleanup_free_ char *buf = nbk_xmalloc(window + phl);
	bool eof = false;

	while (!eof) {
		ssize_t r = src_read(s, buf + len, window);
		size_t pos = 0, keep;
		const char *hit;

		if (r < 0)
			return nbk_error_set(o->err, errno, "cannot read the file");
		eof = r == 0;
		len += (size_t)r;
		while (pos < len && (hit = memmem(buf + pos, len - pos, ph, phl))) {
			if (out_add(o, buf + pos, (size_t)(hit - (buf + pos))) < 0 ||
			    out_add(o, prefix, pl) < 0)
				return -1;
			pos = (size_t)(hit - buf) + phl;
			if (strcmp(ph, prefix))
				*changed = true;
		}
		/* the last phl - 1 bytes may start a placeholder the next read completes */
		keep = eof ? 0 : len - pos < phl - 1 ? len - pos : phl - 1;
		if (out_add(o, buf + pos, len - pos - keep) < 0)
			return -1;
		memmove(buf, buf + len - keep, keep);
		len = keep;
	}
	return 0;
}

static int replace_text(int in, struct out *o, const char *ph, const char *prefix, size_t window,
			bool *changed)
{
	size_t phl = strlen(ph);
	_cleanup_free_ char *head = nbk_xmalloc(ET_REPLACE_HEAD + 1);
	_cleanup_free_ char *needle = nbk_xasprintf("#!%s", ph);
	ssize_t n = nbk_read_full(in, head, ET_REPLACE_HEAD + 1);
	struct src s = { in, head, 0 };
	const char *nl;
	size_t hlen, line_len;
	bool whole;

	if (n < 0)
		return nbk_error_set(o->err, errno, "cannot read the file");
	hlen = (size_t)n;
	s.mlen = hlen;
	nl = memchr(head, '\n', hlen);
	line_len = nl ? (size_t)(nl - head) : hlen;
	/* the first line is known whole: it ends in the head, or the file does */
	whole = nl || hlen <= ET_REPLACE_HEAD;
	if (hlen >= 2 && !memcmp(head, "#!", 2) && !whole)
		return nbk_error_set(o->err, 0, "a shebang line longer than %u bytes",
				     ET_REPLACE_HEAD);
	if (whole && ((hlen >= 2 && !memcmp(head, "#!", 2)) ||
		      (nl && strchr(prefix, ' ') && memmem(head, line_len, needle, phl + 2)))) {
		_cleanup_buf_ struct nbk_buf line = NBK_BUF_INIT;
		bool ch = false;

		if (first_line(head, line_len, nl != NULL, ph, prefix, &line, &ch, o->err) < 0 ||
		    out_add(o, line.data, line.len) < 0)
			return -1;
		*changed |= ch;
		s.mem += line_len;
		s.mlen -= line_len;
	}
	return stream_text(&s, o, ph, prefix, window, changed);
}

/*
 * The input offset of the first NUL at or after off (found in buf first,
 * then read ahead with pread()), -1 when none, -2 on a read error.
 */
static off_t find_nul(int in, off_t off, char *scratch, size_t window)
{
	for (;;) {
		ssize_t r;
		const char *z;

		r = nbk_pread(in, scratch, window, off);
		if (r < 0)
			return -2;
		if (r == 0)
			return -1;
		if ((z = memchr(scratch, '\0', (size_t)r)))
			return off + (z - scratch);
		off += r;
	}
}

/* Copy what is left of the input as it is. */
static int copy_rest(int in, struct out *o, char *buf, size_t window)
{
	for (;;) {
		ssize_t r = nbk_read(in, buf, window);

		if (r < 0)
			return nbk_error_set(o->err, errno, "cannot read the file");
		if (r == 0)
			return 0;
		if (out_add(o, buf, (size_t)r) < 0)
			return -1;
	}
}

/*
 * conda's binary_replace(), window bytes at a time: copy in (from its
 * current offset to the end) to o, replacing the placeholder ph by prefix
 * inside each NUL-terminated string that holds it and padding that string
 * with NULs back to its length, so every offset in the file stays.  A
 * placeholder with no NUL after it is not a string: the rest is copied as
 * it is.  Memory stays bounded by window + strlen(ph) whatever the file's
 * size.  Sets *changed when a placeholder was replaced by a different
 * prefix (the caller initialises it).  Returns 0, or -1 with o->err: a
 * read, seek or write error, o->max exceeded, or a prefix longer than ph
 * (a binary cannot be patched then).  Flushing o is the caller's.
 */
static int replace_binary(int in, struct out *o, const char *ph, const char *prefix, size_t window,
			  bool *changed)
{
	size_t phl = strlen(ph), pl = strlen(prefix), len = 0;
	_cleanup_free_ char *buf = nbk_xmalloc(window + phl);
	_cleanup_free_ char *scratch = nbk_xmalloc(window);
	off_t buf_off = lseek(in, 0, SEEK_CUR), str_end = -1;
	size_t hits = 0; /* placeholders in the current string */
	bool eof = false;

	if (buf_off < 0)
		return nbk_error_set(o->err, errno, "cannot seek in the file");
	while (!eof || len) {
		size_t pos = 0, keep;

		if (!eof) {
			ssize_t r = nbk_read(in, buf + len, window);

			if (r < 0)
				return nbk_error_set(o->err, errno, "cannot read the file");
			eof = r == 0;
			len += (size_t)r;
		}
		while (pos < len) {
			const char *hit;

			if (str_end >= 0) {
				/* in a string: its NUL is at str_end */
				size_t lim = str_end - buf_off < (off_t)len
						     ? (size_t)(str_end - buf_off)
						     : len;

				hit = memmem(buf + pos, lim - pos, ph, phl);
				if (hit) {
					if (out_add(o, buf + pos, (size_t)(hit - (buf + pos))) <
						    0 ||
					    out_add(o, prefix, pl) < 0)
						return -1;
					pos = (size_t)(hit - buf) + phl;
					hits++;
					continue;
				}
				if (lim < len) {
					/* the NUL: pad the string back to its length */
					if (out_add(o, buf + pos, lim - pos) < 0 ||
					    out_zeros(o, hits * (phl - pl)) < 0)
						return -1;
					pos = lim;
					str_end = -1;
					continue;
				}
				break;
			}
			hit = memmem(buf + pos, len - pos, ph, phl);
			if (!hit)
				break;
			if (out_add(o, buf + pos, (size_t)(hit - (buf + pos))) < 0)
				return -1;
			pos = (size_t)(hit - buf);
			{
				const char *z = memchr(buf + pos + phl, '\0', len - pos - phl);

				str_end = z ? buf_off + (z - buf)
					    : find_nul(in, buf_off + (off_t)len, scratch, window);
			}
			if (str_end == -2)
				return nbk_error_set(o->err, errno, "cannot read the file");
			if (str_end == -1) {
				/* no NUL after it: not a string conda rewrites, nor anything after */
				if (out_add(o, buf + pos, len - pos) < 0)
					return -1;
				return copy_rest(in, o, scratch, window);
			}
			if (pl > phl)
				return nbk_error_set(
					o->err, 0,
					"the prefix '%s' (%zu bytes) is longer than the placeholder (%zu bytes) of a binary file",
					prefix, pl, phl);
			hits = 0;
			if (strcmp(ph, prefix))
				*changed = true;
		}
		/* keep what may start a placeholder the next read completes */
		keep = eof ? 0 : len - pos < phl - 1 ? len - pos : phl - 1;
		if (out_add(o, buf + pos, len - pos - keep) < 0)
			return -1;
		memmove(buf, buf + len - keep, keep);
		buf_off += (off_t)(len - keep);
		len = keep;
		if (eof)
			break;
	}
	return 0;
}

int et_replace_fd(int in_fd, int out_fd, const char *placeholder, const char *prefix,
		  enum et_file_mode mode, size_t window, unsigned long long out_max,
		  struct nbk_error *err)
{
	_cleanup_free_ char *obuf = NULL;
	struct out o;
	bool changed = false;
	int r;

	if (!*placeholder || strchr(placeholder, '\n'))
		return nbk_error_set(err, 0, "bad placeholder '%s'", placeholder);
	if (!window)
		window = ET_REPLACE_WINDOW;
	o.fd = out_fd;
	o.cap = window > 4096 ? window : 4096;
	o.buf = obuf = nbk_xmalloc(o.cap);
	o.len = 0;
	o.total = 0;
	o.max = out_max;
	o.err = err;
	if (mode == ET_FILE_MODE_BINARY)
		r = replace_binary(in_fd, &o, placeholder, prefix, window, &changed);
	else
		r = replace_text(in_fd, &o, placeholder, prefix, window, &changed);
	if (r == 0)
		r = out_flush(&o);
	if (r < 0)
		return -1;
	return changed ? 0 : 1;
}
