# shellcheck shell=dash
# shellcheck disable=SC1090,SC2034,SC2317 # sources computed paths; variables and stubs are used by the sourced init script
# Runs the OpenWrt init script (openwrt/mptcpd-rs/files/mptcpd-rs.init)
# under BusyBox ash with procd, UCI and network.sh stubbed (stubs.sh,
# root/lib/functions/network.sh) and compares, for each case in cases/:
#   expected.record  the procd/logger calls of start_service, then
#                    service_triggers (then reload_service, see below)
#   expected.conf    the generated /var/etc/mptcpd-rs.conf; absent: the
#                    case must not leave one
# A case directory holds:
#   config           UCI /etc/config/mptcpd-rs (absent: the shipped default)
#   devices          "logical device" lines (netifd's view; absent: none up)
#   reload.config    optional: after the start, switch to this UCI file and
#                    run reload_service with rc.common's start/restart stubbed
#
# Usage: busybox ash tests/openwrt/harness.sh [--update] [CASE...]
# --update rewrites the golden files from the actual output (review the diff).

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
INIT="$HERE/../../openwrt/mptcpd-rs/files/mptcpd-rs.init"
DEFAULT_CONFIG="$HERE/../../openwrt/mptcpd-rs/files/mptcpd-rs.config"

update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
if [ $# -eq 0 ]; then
	for d in "$HERE"/cases/*/; do
		d=${d%/}
		set -- "$@" "${d##*/}"
	done
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

# run_case NAME: writes $WORK/NAME/actual.record and actual.conf
run_case() (
	# rc.common runs init scripts without -u
	set +u
	case_dir="$HERE/cases/$1"
	out="$WORK/$1"
	root="$out/root"
	mkdir -p "$root"
	RECORD="$out/raw.record"
	: >"$RECORD"
	STUB_UCI_PACKAGE=mptcpd-rs
	STUB_UCI_FILE="$case_dir/config"
	[ -f "$STUB_UCI_FILE" ] || STUB_UCI_FILE="$DEFAULT_CONFIG"
	NETWORK_DEVICES="$case_dir/devices"
	IPKG_INSTROOT="$HERE/root"

	. "$HERE/stubs.sh"
	. "$INIT"
	# the init script's paths, moved under this case's scratch root
	CONF="$root$CONF"
	ARGV_FILE="$root$ARGV_FILE"

	stub_record "# start_service"
	start_service
	stub_record "# start_service returned $?"
	stub_record "# service_triggers"
	service_triggers
	stub_record "# service_triggers returned $?"

	if [ -f "$case_dir/reload.config" ]; then
		STUB_UCI_FILE="$case_dir/reload.config"
		start() {
			stub_record start
			start_service
		}
		restart() { stub_record restart; }
		stub_record "# reload_service"
		reload_service
		stub_record "# reload_service returned $?"
	fi

	sed "s|$root||g" "$RECORD" >"$out/actual.record"
	[ ! -e "$root/var/etc/mptcpd-rs.conf" ] || cp "$root/var/etc/mptcpd-rs.conf" "$out/actual.conf"
	for leftover in "$root"/var/etc/*.new; do
		[ ! -e "$leftover" ] || echo "leftover temporary file ${leftover#"$root"}" >>"$out/actual.record"
	done
)

failed=0
for name in "$@"; do
	case_dir="$HERE/cases/$name"
	if [ ! -d "$case_dir" ]; then
		echo "FAIL $name: no such case"
		failed=$((failed + 1))
		continue
	fi
	if ! run_case "$name"; then
		echo "FAIL $name: the case did not run"
		failed=$((failed + 1))
		continue
	fi
	out="$WORK/$name"
	if [ "$update" = 1 ]; then
		cp "$out/actual.record" "$case_dir/expected.record"
		if [ -f "$out/actual.conf" ]; then
			cp "$out/actual.conf" "$case_dir/expected.conf"
		else
			rm -f "$case_dir/expected.conf"
		fi
		echo "updated $name"
		continue
	fi
	ok=1
	if ! diff -u "$case_dir/expected.record" "$out/actual.record" >"$out/diff"; then
		ok=0
		cat "$out/diff"
	fi
	if [ -f "$case_dir/expected.conf" ]; then
		if [ ! -f "$out/actual.conf" ]; then
			ok=0
			echo "$name: no /var/etc/mptcpd-rs.conf was written"
		elif ! diff -u "$case_dir/expected.conf" "$out/actual.conf"; then
			ok=0
		fi
	elif [ -f "$out/actual.conf" ]; then
		ok=0
		echo "$name: /var/etc/mptcpd-rs.conf written, none expected:"
		cat "$out/actual.conf"
	fi
	if [ "$ok" = 1 ]; then
		echo "ok   $name"
	else
		echo "FAIL $name"
		failed=$((failed + 1))
	fi
done

echo "$# cases, $failed failed"
[ "$failed" = 0 ]
