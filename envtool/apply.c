/* SPDX-License-Identifier: Apache-2.0 */
/* Applying the solver's solution: see apply.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "install.h"

bool et_confirm(const struct et_ctx *ctx, const char *question, bool default_yes)
{
	char line[64];
	size_t i;

	if (ctx->opts.yes)
		return true;
	/* micromamba: no prompt when nobody can answer; the default decides */
	if (ctx->opts.json || !isatty(STDIN_FILENO))
		return default_yes;
	fprintf(stderr, "%s %s ", question, default_yes ? "[Y/n]" : "[y/N]");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	for (i = 0; line[i] == ' ' || line[i] == '\t'; i++)
		;
	if (line[i] == '\n' || line[i] == '\0')
		return default_yes;
	return line[i] == 'y' || line[i] == 'Y';
}

int et_cmd_apply(struct et_ctx *ctx, const char *prefix, const struct et_solution *sol,
		 const struct nbk_strvec *specs, unsigned flags)
{
	if (!et_confirm(ctx, "Confirm changes:", true)) {
		fprintf(stderr, "envtool: aborted: nothing was changed\n");
		return ET_EXIT_FAIL;
	}
	return et_install_apply(ctx, prefix, sol, specs, flags);
}
