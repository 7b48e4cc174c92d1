# Fake OpenWrt buildroot for tests/openwrt.rs: just enough of rules.mk for
# openwrt/mptcpd-rs/Makefile to be read without an SDK. Written for this
# project; it models only what our Makefile relies on.
empty:=
space:=$(empty) $(empty)
comma:=,
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_CONF:=install -m0600
CP:=cp -fpR
PKG_BUILD_DIR=$(FAKE_BUILD_DIR)
PKG_INSTALL_DIR=$(FAKE_INSTALL_DIR)
