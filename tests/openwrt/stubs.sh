# shellcheck shell=dash
# Stand-ins for the OpenWrt shell environment an init script runs in, for
# tests/openwrt/harness.sh. Written for this project: a minimal UCI reader
# (config/option/list and the config_* helpers the init script uses), and
# procd/logger stubs that record each call, one line per call with every
# argument in brackets so word boundaries show.
#
# Needs: RECORD (file the calls go to), STUB_UCI_FILE (the UCI file that
# config_load reads).

stub_record() {
	local line="$1" arg
	shift
	for arg in "$@"; do
		line="$line [$arg]"
	done
	echo "$line" >>"$RECORD"
}

procd_open_instance() { stub_record procd_open_instance "$@"; }
procd_close_instance() { stub_record procd_close_instance "$@"; }
procd_set_param() { stub_record procd_set_param "$@"; }
procd_append_param() { stub_record procd_append_param "$@"; }
procd_open_trigger() { stub_record procd_open_trigger "$@"; }
procd_close_trigger() { stub_record procd_close_trigger "$@"; }
procd_add_reload_trigger() { stub_record procd_add_reload_trigger "$@"; }
procd_add_reload_interface_trigger() { stub_record procd_add_reload_interface_trigger "$@"; }
procd_add_interface_trigger() { stub_record procd_add_interface_trigger "$@"; }
procd_add_validation() { stub_record procd_add_validation "$@"; }
logger() { stub_record logger "$@"; }

# --- UCI -------------------------------------------------------------------
# State lives in UCI_* variables: UCI_SECTIONS (names in file order),
# UCI_T_<section> (type), UCI_O_<section>_<option> (value; for a list the
# items joined by spaces, as uci itself shows them), UCI_N_<section>_<option>
# and UCI_L_<section>_<option>_<i> (list items).

uci_reset() {
	local v
	for v in $(set | sed -n 's/^\(UCI_[A-Za-z0-9_]*\)=.*/\1/p'); do
		unset "$v"
	done
	UCI_SECTIONS=""
	UCI_ANON=0
}

config() {
	local name="$2"
	if [ -z "$name" ]; then
		UCI_ANON=$((UCI_ANON + 1))
		name="cfg$UCI_ANON"
	fi
	UCI_CUR="$name"
	UCI_SECTIONS="$UCI_SECTIONS $name"
	eval "UCI_T_$name=\$1"
}

option() {
	eval "UCI_O_${UCI_CUR}_$1=\$2"
}

list() {
	local n
	eval "n=\$((\${UCI_N_${UCI_CUR}_$1:-0} + 1))"
	eval "UCI_N_${UCI_CUR}_$1=\$n"
	eval "UCI_L_${UCI_CUR}_$1_$n=\$2"
	eval "UCI_O_${UCI_CUR}_$1=\"\${UCI_O_${UCI_CUR}_$1:+\$UCI_O_${UCI_CUR}_$1 }\$2\""
}

config_load() {
	uci_reset
	[ "$1" = "$STUB_UCI_PACKAGE" ] || return 1
	# shellcheck source=/dev/null
	. "$STUB_UCI_FILE"
}

# config_get var section option [default] | config_get section option
config_get() {
	if [ $# -eq 2 ]; then
		eval "echo \"\${UCI_O_$1_$2}\""
		return 0
	fi
	eval "$1=\${UCI_O_$2_$3:-\$4}"
}

config_get_bool() {
	local v
	config_get v "$2" "$3" "$4"
	case "$v" in
	1 | on | true | yes | enabled) v=1 ;;
	0 | off | false | no | disabled) v=0 ;;
	*) v="$4" ;;
	esac
	eval "$1=\$v"
}

# config_foreach fn [type] [args...]
config_foreach() {
	local fn="$1" type="$2" s t
	shift
	[ $# -gt 0 ] && shift
	for s in $UCI_SECTIONS; do
		eval "t=\$UCI_T_$s"
		[ -z "$type" ] || [ "$t" = "$type" ] || continue
		"$fn" "$s" "$@"
	done
}

# config_list_foreach section option fn [args...]
config_list_foreach() {
	local section="$1" opt="$2" fn="$3" n i=1 item
	shift 3
	eval "n=\${UCI_N_${section}_$opt:-0}"
	while [ "$i" -le "$n" ]; do
		eval "item=\$UCI_L_${section}_${opt}_$i"
		"$fn" "$item" "$@"
		i=$((i + 1))
	done
}
