/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output shared by the commands: records as micromamba's JSON objects,
 * spec errors with a caret, aligned tables.
 */
#ifndef ENVTOOL_PRINT_H
#define ENVTOOL_PRINT_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/json.h"
#include "record.h"
#include "transaction.h"

/*
 * Write rec to w as a JSON object on one line (NBK_JSON_LINE) with
 * micromamba's keys (build, build_number, build_string, channel,
 * constrains, depends, fn, license, md5, name, noarch, sha256, size,
 * subdir, timestamp, track_features, url, version).
 */
void et_print_record_json(struct nbk_json *w, const struct et_record *rec);

/* A list of records in a transaction's answer: "FETCH", "LINK", "UNLINK". */
struct et_print_list {
	const char *key;
	const struct et_record *const *v;
	size_t n;
};

/*
 * Write micromamba's answer to a transaction to stdout: {"actions":
 * {LISTS and "PREFIX", keys sorted}, "dry_run", "prefix", "success": true},
 * one record a line.  lists are n lists in key order.
 */
void et_print_actions_json(const char *prefix, const struct et_print_list *lists, size_t n,
			   bool dry_run);

/*
 * Write a spec error to stderr: "envtool: MSG", then the spec with a caret
 * under the column the message names ("column N", 1-based).
 */
void et_print_spec_error(const char *spec, const char *msg);

/*
 * Write rows of ncols cells (row-major, rows * ncols strings) to stdout as
 * an aligned table; the first row is the header, underlined.
 */
struct et_repo;

/*
 * Warn about the records each repo refused (repodata.h: a file name that
 * is not a plain NAME-VERSION-BUILD.conda ...): one line each, then how
 * many more.
 */
void et_print_refused(const struct et_repo *repos, size_t n);

void et_print_table(const char *const *cells, size_t rows, size_t ncols);

/*
 * Show on stderr what the packages said while a change was applied: their
 * link scripts' output with -v (verbose > 0) or when the change failed,
 * their .messages.txt always (conda shows it after linking).  Then the
 * buffers are released.
 */
void et_print_txn_output(struct et_txn_output *out, bool failed, int verbose);

#endif
