# Fake lang/rust/rust-package.mk. What it models of the real one (see
# shared reference openwrt.md section 1.2): including it resets
# CARGO_PKG_ARGS and CARGO_PKG_PROFILE, so a package must set them after
# the include line, and it defines RUST_ARCH_DEPENDS and RustBinPackage.
CARGO_PKG_ARGS:=--locked
CARGO_PKG_PROFILE:=release
RUST_ARCH_DEPENDS:=@(aarch64||arm||i386||loongarch64||mips||mips64||mips64el||mipsel||powerpc||powerpc64||riscv64||x86_64)

define RustBinPackage
FAKE_RUST_BIN_PACKAGE:=$(1)
endef
