#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run the test suites (all, or those named: unit cli pytest custom) and end
# with one line "N passed, M failed".  See tests/runner.py.
exec /usr/bin/python3 "$(dirname "$0")/runner.py" "$@"
