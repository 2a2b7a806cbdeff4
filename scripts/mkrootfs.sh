#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# scripts/mkrootfs.sh [IMAGE]: a local Debian 12 (bookworm) base image, for
# machines that cannot pull debian:bookworm-slim from a registry.
#
# debootstrap --variant=minbase from this machine's own apt source (the
# first .../debian and .../debian-security URIs of /etc/apt/sources.list and
# sources.list.d, or MIRROR= / SECURITY_MIRROR=), trimmed the way
# debian:bookworm-slim is (no documentation, man pages or locales, apt
# without recommends and without caches), then `docker import` as IMAGE
# (default nbkit/base:bookworm).  The image's apt uses the same sources, and
# the same Acquire::Check-Valid-Until / Check-Date settings as this machine,
# so `docker build --network host` FROM it installs from the same archive.
# Needs root, debootstrap and a running Docker engine.
set -eu

IMAGE=${1:-nbkit/base:bookworm}
SUITE=${SUITE:-bookworm}
DOCKER=${DOCKER:-docker}

say() { echo "mkrootfs: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (scripts/install-deps.sh)"
$DOCKER info >/dev/null 2>&1 || die "no Docker engine answers ($DOCKER info failed)"

# The machine's apt sources: one-line (deb URI SUITE ...) and deb822 (URIs:).
uris=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
	sed -n -e 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
		-e 's/^URIs:[[:space:]]*//p' | tr ' ' '\n' | grep -v '^$' || true)
MIRROR=${MIRROR:-$(echo "$uris" | grep -E '/debian/?$' | head -n 1)}
SECURITY_MIRROR=${SECURITY_MIRROR:-$(echo "$uris" | grep -E '/debian-security/?$' | head -n 1)}
[ -n "$MIRROR" ] || die "no Debian mirror (.../debian) in /etc/apt/sources.list*: set MIRROR="
MIRROR=${MIRROR%/}
SECURITY_MIRROR=${SECURITY_MIRROR%/}

work=$(mktemp -d /var/tmp/nbkit-rootfs.XXXXXX)
# debootstrap mounts /proc and /sys (and, in a container, binds /dev) into
# the target while it runs, and can leave them mounted when it fails: never
# remove files through a mount.  Unmount what is under $work (deepest
# first), then remove without crossing into another file system.
cleanup() {
	awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	if awk -v w="$work/" 'index($2, w) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
		say "something is still mounted under $work: left in place"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$work/rootfs

say "debootstrap --variant=minbase $SUITE from $MIRROR"
start=$(date +%s)
if ! debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
	"$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1; then
	tail -n 30 "$work/debootstrap.log" >&2
	die "debootstrap failed (log above)"
fi

if awk -v w="$root/" 'index($2, w) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
	die "debootstrap left file systems mounted under $root; not going on"
fi

# apt: the same sources and validity settings as this machine.
{
	echo "deb $MIRROR $SUITE main"
	echo "deb $MIRROR $SUITE-updates main"
	[ -z "$SECURITY_MIRROR" ] || echo "deb $SECURITY_MIRROR $SUITE-security main"
} >"$root/etc/apt/sources.list"
rm -f "$root"/etc/apt/sources.list.d/*
{
	echo "// nbkit: copied from the machine that built this base (scripts/mkrootfs.sh)"
	for k in Acquire::Check-Valid-Until Acquire::Check-Date; do
		v=$(apt-config dump "$k" 2>/dev/null | sed -n "s/^$k \"\(.*\)\";$/\1/p")
		[ -z "$v" ] || echo "$k \"$v\";"
	done
	echo 'APT::Install-Recommends "false";'
	echo 'APT::Install-Suggests "false";'
	echo 'Acquire::Languages "none";'
	echo 'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";'
	echo 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };'
} >"$root/etc/apt/apt.conf.d/90nbkit"

# What debian:bookworm-slim leaves out: documentation (copyright files
# kept), man and info pages, translations.
cat >"$root/etc/dpkg/dpkg.cfg.d/90nbkit-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
	"$root"/var/cache/debconf/*-old "$root"/var/log/* "$root"/tmp/* "$root"/var/tmp/*
# No policy-rc.d games: nothing runs services in the image.
: >"$root/etc/machine-id"
rm -f "$root/etc/hostname" "$root/etc/resolv.conf"

say "docker import as $IMAGE"
tar --numeric-owner --xattrs -C "$root" -c . |
	$DOCKER import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' \
		--message "nbkit base: debootstrap --variant=minbase $SUITE from $MIRROR" - "$IMAGE" >/dev/null
size=$($DOCKER image inspect -f '{{.Size}}' "$IMAGE")
say "$IMAGE: $((size / 1000000)) MB, $(($(date +%s) - start)) s"
