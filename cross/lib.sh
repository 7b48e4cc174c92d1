# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Shared by cross/build, cross/smoke, cross/test-mips and cross/ci (sourced,
# never run). Everything here stays inside the calling script's process:
# RUSTC_BOOTSTRAP in particular must never leak into the host toolchain.

set -euo pipefail

CROSS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$CROSS_DIR/.." && pwd)
BIN=mptcpd
ALL_TARGETS=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl
    armv7-unknown-linux-musleabihf mipsel-unknown-linux-musl mips-unknown-linux-musl)

# Both are prebuilt PyPI wheels; these exact versions are the ones the
# recipe in shared/reference/cross-toolchain.md was verified with.
ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.1
# The -Z flags and build-std need a std source that matches the compiler
# exactly; Debian ships both from one source package (bookworm-security).
MIN_RUSTC=1.96
APT_PACKAGES=(rustc-web cargo-web rust-web-src qemu-user-static file)

# Cross artefacts live apart from the host build: another compiler (Debian
# 1.96, not rustup 1.95) and a tree CI can cache on its own.
export CARGO_TARGET_DIR=${CROSS_TARGET_DIR:-$ROOT/target/cross}
DIST=${CROSS_DIST:-$ROOT/dist}
PROFILE=${CROSS_PROFILE:-router}

log() { printf '[cross] %s\n' "$*" >&2; }
die() { printf '[cross] error: %s\n' "$*" >&2; exit 1; }

now() { date +%s; }

# Budgets in bytes for the stripped static binary; other targets only report.
budget_for() {
    case $1 in
        x86_64-unknown-linux-musl) echo 409600 ;;  # 400 KiB
        mipsel-unknown-linux-musl) echo 524288 ;;  # 512 KiB
        *) echo "" ;;
    esac
}

runner_for() {
    case $1 in
        x86_64-*) echo "" ;;
        aarch64-*) echo qemu-aarch64-static ;;
        armv7-* | arm-*) echo qemu-arm-static ;;
        mipsel-*) echo qemu-mipsel-static ;;
        mips-*) echo qemu-mips-static ;;
        *) die "no qemu runner known for $1" ;;
    esac
}

check_target() {
    local t
    for t in "${ALL_TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done
    die "unsupported target $1 (supported: ${ALL_TARGETS[*]})"
}

zigbuild_path() {
    local p
    p=$(command -v cargo-zigbuild 2>/dev/null || true)
    if [[ -z $p ]]; then
        p="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/cargo-zigbuild"
    fi
    echo "$p"
}

apt_missing() {
    local p missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    echo "${missing[*]}"
}

pip_install() {
    # PEP 668 (Debian's own python3) refuses plain pip installs; a pyenv or
    # venv python accepts them. Retry with the override only when refused.
    python3 -m pip install -q "$@" ||
        PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q "$@"
}

# Installs whatever is missing (CROSS_NO_INSTALL=1: only report it), then
# checks that the toolchain is one the recipe works with.
ensure_toolchain() {
    local missing zb
    missing=$(apt_missing)
    if [[ -n $missing ]]; then
        [[ ${CROSS_NO_INSTALL:-0} == 1 ]] && die "missing apt packages: $missing"
        [[ $(id -u) == 0 ]] || die "missing apt packages (run as root to install): $missing"
        log "apt-get install $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        # shellcheck disable=SC2086 # a list of package names
        apt-get install -y -q --no-install-recommends $missing >/dev/null
    fi
    zb=$(zigbuild_path)
    if ! python3 -m ziglang version 2>/dev/null | grep -qx "$ZIGLANG_VERSION" ||
        ! "$zb" --version 2>/dev/null | grep -q " $CARGO_ZIGBUILD_VERSION\$"; then
        [[ ${CROSS_NO_INSTALL:-0} == 1 ]] && die "missing ziglang==$ZIGLANG_VERSION / cargo-zigbuild==$CARGO_ZIGBUILD_VERSION (pip)"
        log "pip install ziglang==$ZIGLANG_VERSION cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
        pip_install "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
        zb=$(zigbuild_path)
    fi
    [[ -x $zb ]] || die "cargo-zigbuild not found after install"
    ZIGBUILD=$zb

    local rustc_v src_v
    rustc_v=$(/usr/bin/rustc --version | awk '{print $2}')
    src_v=$(dpkg-query -W -f='${Version}' rust-web-src | sed 's/+.*//')
    [[ $src_v == "$rustc_v" ]] ||
        die "rust-web-src $src_v does not match rustc-web $rustc_v (build-std needs the same release)"
    dpkg --compare-versions "$rustc_v" ge "$MIN_RUSTC" ||
        die "rustc-web $rustc_v < $MIN_RUSTC: is bookworm-security in the apt sources?"
    [[ -d /usr/lib/rustlib/src/rust/library/std ]] ||
        die "rust-web-src: no library/std under /usr/lib/rustlib/src/rust"
}

# rustup's proxies come first on PATH; name Debian's tools explicitly.
# cargo-zigbuild runs whatever $CARGO points at.
cross_env() {
    export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CARGO=/usr/bin/cargo
    export RUSTC_BOOTSTRAP=1
}

# CROSS_EXTRA_RUSTFLAGS as a --config table for target $1. RUSTFLAGS would
# replace cargo-config.toml's rustflags; cargo joins those of every matching
# [target] table instead.
extra_rustflags_config() {
    local words toml
    [[ -n ${CROSS_EXTRA_RUSTFLAGS:-} ]] || return 0
    read -r -a words <<<"$CROSS_EXTRA_RUSTFLAGS"
    toml=$(printf '"%s",' "${words[@]}")
    printf '%s\n' --config "target.$1.rustflags=[${toml%,}]"
}

kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

expected_version() {
    sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1
}
