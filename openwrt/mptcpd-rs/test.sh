#!/bin/sh
# shellcheck shell=dash
# Runtime test for the openwrt/packages CI, which runs it inside the
# target's rootfs under QEMU user mode once the package is installed, as
#   test.sh <package name> <package version>
# Offline checks only: qemu-user refuses generic netlink sockets, so the
# daemon proper cannot run there. MPTCPD overrides the binary (local runs).

name="${1:-${PKG_NAME:-}}"
version="${2:-${PKG_VERSION:-}}"
bin="${MPTCPD:-/usr/sbin/mptcpd}"

case "$name" in
mptcpd-rs) ;;
*) exit 0 ;;
esac

fail() {
	echo "test.sh: $*" >&2
	exit 1
}

[ -n "$version" ] || fail "no package version given"
[ -x "$bin" ] || fail "$bin is not installed"

for opt in --version -V; do
	out="$("$bin" "$opt")" || fail "mptcpd $opt exited with $?"
	[ "$out" = "mptcpd $version" ] || fail "mptcpd $opt printed '$out', want 'mptcpd $version'"
done

# EX_USAGE (64) for an unknown option, before any netlink socket is opened
"$bin" --no-such-option >/dev/null 2>&1
rc=$?
[ "$rc" = 64 ] || fail "mptcpd --no-such-option exited with $rc, want 64"

echo "mptcpd-rs $version: ok"
