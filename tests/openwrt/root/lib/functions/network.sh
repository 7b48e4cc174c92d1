# shellcheck shell=dash
# Stub of OpenWrt's /lib/functions/network.sh for tests/openwrt/harness.sh:
# logical interface -> L3 device from a table ("logical device" per line) in
# $NETWORK_DEVICES, in place of netifd's ubus status. No line: not up.

network_get_device() {
	local logical device
	eval "$1="
	[ -f "$NETWORK_DEVICES" ] || return 1
	while read -r logical device; do
		if [ "$logical" = "$2" ] && [ -n "$device" ]; then
			eval "$1=\$device"
			return 0
		fi
	done <"$NETWORK_DEVICES"
	return 1
}
