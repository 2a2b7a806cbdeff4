/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: logging levels, formats and secret redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "nbkit/log.h"

/* Run the logger into a pipe and return what it wrote (caller frees). */
static char *captured(int level, const char *step, const char *msg)
{
	int fds[2];
	char buf[4096];
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	nbk_log_set_fd(fds[1]);
	nbk_log(level, step, "%s", msg);
	nbk_log_set_fd(2);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	buf[n < 0 ? 0 : n] = '\0';
	return strdup(buf);
}

static void test_levels(void **state)
{
	char *s;

	(void)state;
	nbk_log_init("/usr/bin/prog");
	nbk_log_set_format(NBK_LOG_TEXT);
	nbk_log_set_level(NBK_LOG_INFO);
	s = captured(NBK_LOG_INFO, "home", "ready");
	assert_string_equal(s, "prog: home: ready\n");
	free(s);
	s = captured(NBK_LOG_WARN, NULL, "careful\n");
	assert_string_equal(s, "prog: warning: careful\n");
	free(s);
	s = captured(NBK_LOG_DEBUG, NULL, "hidden");
	assert_string_equal(s, "");
	free(s);
	nbk_log_set_level(NBK_LOG_ERROR);
	s = captured(NBK_LOG_WARN, NULL, "hidden");
	assert_string_equal(s, "");
	free(s);
	s = captured(NBK_LOG_ERROR, NULL, "shown");
	assert_string_equal(s, "prog: error: shown\n");
	free(s);
	nbk_log_set_level(99);
	assert_int_equal(nbk_log_get_level(), NBK_LOG_DEBUG);
	assert_true(nbk_log_enabled(NBK_LOG_DEBUG));
}

static void test_json(void **state)
{
	enum nbk_log_format f;
	char *s;

	(void)state;
	assert_int_equal(nbk_log_parse_format("json", &f), 0);
	assert_int_equal(f, NBK_LOG_JSON);
	assert_int_equal(nbk_log_parse_format("xml", &f), -1);
	nbk_log_set_format(NBK_LOG_JSON);
	nbk_log_set_level(NBK_LOG_DEBUG);
	s = captured(NBK_LOG_INFO, "gpu", "say \"hi\"\n");
	assert_non_null(strstr(s, "\"level\":\"info\""));
	assert_non_null(strstr(s, "\"program\":\"prog\""));
	assert_non_null(strstr(s, "\"step\":\"gpu\""));
	assert_non_null(strstr(s, "\"msg\":\"say \\\"hi\\\"\"}\n"));
	assert_memory_equal(s, "{\"time\":\"", 9);
	free(s);
	nbk_log_set_format(NBK_LOG_TEXT);
}

static void test_redaction(void **state)
{
	char *s;

	(void)state;
	nbk_log_set_level(NBK_LOG_DEBUG);
	nbk_log_add_secret("s3cr3t");
	nbk_log_add_secret("s3cr3t-longer");
	nbk_log_add_secret("");
	nbk_log_add_secret("1");
	s = captured(NBK_LOG_DEBUG, NULL, "a=s3cr3t b=s3cr3t-longer c=s3cr3ts3cr3t d=1");
	assert_string_equal(s, "prog: debug: a=*** b=*** c=****** d=1\n");
	free(s);
	s = nbk_log_redact("nothing here");
	assert_string_equal(s, "nothing here");
	free(s);
	nbk_log_set_format(NBK_LOG_JSON);
	s = captured(NBK_LOG_ERROR, "x", "s3cr3t");
	assert_null(strstr(s, "s3cr3t"));
	free(s);
	nbk_log_set_format(NBK_LOG_TEXT);
	nbk_log_clear_secrets();
	s = nbk_log_redact("s3cr3t");
	assert_string_equal(s, "s3cr3t");
	free(s);
}

/* Number of '\n' in s. */
static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * Issue 9: a hook's file name (or any text someone else chose) holding a
 * newline and "[bootstrap] ..." forged a second log line, and an escape
 * sequence could clear the terminal.  One call must give one line, with the
 * control characters escaped, in text and in JSON, in every field.
 */
static void test_forged_lines(void **state)
{
	static const char evil[] = "hook 'x\n[bootstrap] fake line' and \x1b[2J\r\tend\x7f\x01";
	char *s;

	(void)state;
	nbk_log_init("prog");
	nbk_log_set_level(NBK_LOG_DEBUG);
	nbk_log_set_format(NBK_LOG_TEXT);
	s = captured(NBK_LOG_WARN, "hooks\nfake", evil);
	assert_int_equal(count_lines(s), 1);
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\r'));
	assert_string_equal(s,
			    "prog: warning: hooks\\nfake: hook 'x\\n[bootstrap] fake line' and "
			    "\\x1b[2J\\r\\tend\\x7f\\x01\n");
	free(s);
	nbk_log_set_format(NBK_LOG_JSON);
	s = captured(NBK_LOG_WARN, "hooks\nfake", evil);
	assert_int_equal(count_lines(s), 1);
	assert_null(strchr(s, '\x1b'));
	assert_non_null(strstr(s, "\"step\":\"hooks\\nfake\""));
	assert_non_null(strstr(s,
			       "\"msg\":\"hook 'x\\n[bootstrap] fake line' and \\u001b[2J\\r\\tend"
			       "\\u007f\\u0001\"}\n"));
	free(s);
	nbk_log_set_format(NBK_LOG_TEXT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_redaction),
		cmocka_unit_test(test_forged_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
