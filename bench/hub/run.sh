#!/usr/bin/env bash
# groupspawner micro-benchmark: form rendering and option resolving with a
# 50-group policy. Prints the medians and writes them to bench/out/hub.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-/usr/bin/python3}"
exec "$PYTHON" bench/hub/bench.py "$@"
