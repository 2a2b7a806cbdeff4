#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Install every Debian package that nbkit's build, tests, benchmarks and demo
# need: the union of scripts/deps/*.txt (one package a line, # comments).
# Does nothing when all of them are already installed, so `make test` stays
# fast on a prepared machine.  Needs root (or sudo) only when something is
# missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pkgs=$(cat "$here"/deps/*.txt | sed -e 's/#.*//' -e 's/[[:space:]]//g' | grep -v '^$' | sort -u)

missing=""
for p in $pkgs; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "install-deps: all $(echo "$pkgs" | wc -l) Debian packages are installed"
	exit 0
fi

echo "install-deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-deps: these packages are missing and installing them needs root:$missing" >&2
		exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 $missing
