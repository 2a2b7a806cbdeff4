#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""conda's prefix replacement, as the reference for envtool's tests.

usage: conda_replace.py MODE PLACEHOLDER PREFIX IN OUT

The steps of conda/core/portability.py's update_prefix() on Linux:
replace_prefix() (text: the first line's "#!PLACEHOLDER" with the prefix's
spaces escaped, then every placeholder; binary: binary_replace(), each
placeholder-led NUL-terminated string rewritten and padded with NULs) and
replace_long_shebang().  Exit 3 on conda's PaddingError.
"""
import re
import sys

MAX_SHEBANG_LENGTH = 127
SHEBANG_REGEX = rb"^(#!((?:\\ |[^ \n\r\t])+)(.*))"


class PaddingError(Exception):
    pass


def binary_replace(data, search, replacement):
    def replace(match):
        occurrences = match.group().count(search)
        padding = (len(search) - len(replacement)) * occurrences
        if padding < 0:
            raise PaddingError
        return match.group().replace(search, replacement) + b"\0" * padding

    pat = re.compile(re.escape(search) + b"([^\0]*?)\0")
    out = pat.sub(replace, data)
    assert len(out) == len(data)
    return out


def replace_prefix(mode, data, placeholder, new_prefix):
    if mode == "text":
        newline_pos = data.find(b"\n")
        if newline_pos > -1:
            shebang_line, rest = data[:newline_pos], data[newline_pos:]
            shebang_placeholder = b"#!" + placeholder
            if shebang_placeholder in shebang_line:
                escaped = (b"#!" + new_prefix).replace(b" ", b"\\ ")
                data = shebang_line.replace(shebang_placeholder, escaped) + rest
        return data.replace(placeholder, new_prefix)
    return binary_replace(data, placeholder, new_prefix)


def replace_long_shebang(mode, data):
    if mode == "text":
        m = re.match(SHEBANG_REGEX, data, re.MULTILINE)
        if m:
            whole, executable, options = m.groups()
            prefix, name = executable.decode("utf-8").rsplit("/", 1)
            if len(whole) > MAX_SHEBANG_LENGTH or "\\ " in prefix:
                new = b"#!/usr/bin/env " + name.encode() + options
                data = data.replace(whole, new)
    return data


def main():
    mode, ph, prefix, src, dst = sys.argv[1:]
    with open(src, "rb") as f:
        data = f.read()
    try:
        out = replace_long_shebang(mode, replace_prefix(mode, data, ph.encode(), prefix.encode()))
    except PaddingError:
        sys.exit(3)
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
