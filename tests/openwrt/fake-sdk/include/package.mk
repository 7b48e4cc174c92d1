# Fake include/package.mk: BuildPackage reads the package definition like
# the real one (DEPENDS, PROVIDES, ... become plain variables) and, instead
# of building, defines two targets:
#   print    the variables a reviewer cares about, one NAME=value per line
#   install  runs Package/<name>/install into $(DESTDIR)
define BuildPackage
$(eval $(Package/$(1)))
print:
	@echo 'PKG_NAME=$(PKG_NAME)'
	@echo 'PKG_VERSION=$(PKG_VERSION)'
	@echo 'PKG_BUILD_DEPENDS=$(PKG_BUILD_DEPENDS)'
	@echo 'PKG_CONFIG_DEPENDS=$(strip $(PKG_CONFIG_DEPENDS))'
	@echo 'DEPENDS=$(DEPENDS)'
	@echo 'PROVIDES=$(PROVIDES)'
	@echo 'CONFLICTS=$(CONFLICTS)'
	@echo 'RUST_PKG_FEATURES=$(RUST_PKG_FEATURES)'
	@echo 'CARGO_PKG_PROFILE=$(CARGO_PKG_PROFILE)'
	@echo 'CARGO_PKG_ARGS=$(strip $(CARGO_PKG_ARGS))'
	@echo 'conffiles=$(strip $(Package/$(1)/conffiles))'
	@echo 'RustBinPackage=$(FAKE_RUST_BIN_PACKAGE)'

install:
	$(call Package/$(1)/install,$(DESTDIR))
endef
