# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# dist.mk: the release tarball and the tests of the release recipes. Included by the Makefile.
#   make dist        $(BUILD)/tlsdiag-$(VERSION).tar.gz from `git archive HEAD` (committed files
#                    only, nothing built): sorted, owner 0, every mtime the last commit's time
#                    (or SOURCE_DATE_EPOCH), gzip without a timestamp, so the same commit always
#                    gives the same bytes
#   make check-dist  builds the tarball twice (same bytes), checks it holds nothing built, unpacks
#                    it outside git, builds it there with -Werror and runs `make unit check-load`
#   make check-deb   dpkg-buildpackage -us -uc -b from the unpacked tarball, then checks with
#                    dpkg -c that the .deb holds the module in the multiarch modules directory,
#                    (the loader and tlsdiag/ossl<major>.so), the command, both man pages, the two configs and the docs
#   make check-deb-install  (root) installs that .deb into this system with dpkg -i, checks the
#                    installed module explains a real failed handshake, the command and the man
#                    pages, then purges it and checks nothing is left (test/dist/deb-install.sh)
# All of them exit 77 (skip) outside a git checkout; check-deb and check-deb-install also without
# dpkg-buildpackage or the build dependencies (.ci/packages lists them); check-deb-install also
# when not root, without man, or when tlsdiag is installed already (a package or make install).
# Both Debian targets use the .deb of `deb-package`, built once for a given tarball.

DIST_NAME    := tlsdiag-$(VERSION)
DIST_TARBALL := $(BUILD)/$(DIST_NAME).tar.gz
DIST_EPOCH    = $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null))
IN_GIT        = $(shell git rev-parse --is-inside-work-tree 2>/dev/null)

# make_dist OUT: the tarball of HEAD at OUT.
define make_dist
	@[ "$(IN_GIT)" = true ] || { echo "dist: skipped: not a git checkout (make dist needs git archive)"; exit 77; }
	@mkdir -p "$(dir $(1))"
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	 git archive --format=tar --prefix=$(DIST_NAME)/ HEAD | tar -x -C "$$tmp"; \
	 [ -f "$$tmp/$(DIST_NAME)/VERSION" ] || { echo "dist: VERSION is not committed" >&2; exit 1; }; \
	 [ "$$(cat "$$tmp/$(DIST_NAME)/VERSION")" = "$(VERSION)" ] || { echo "dist: VERSION differs from HEAD's" >&2; exit 1; }; \
	 tar -C "$$tmp" --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
	     --mtime=@$(DIST_EPOCH) --mode='u+rwX,go=rX' -cf - $(DIST_NAME) | gzip -n -9 > "$(1).tmp"; \
	 mv "$(1).tmp" "$(1)"
	@git diff --quiet HEAD -- || echo "dist: note: uncommitted changes are not in the tarball (it is HEAD, $$(git rev-parse --short HEAD))"
endef

dist:
	$(call make_dist,$(DIST_TARBALL))
	@echo "dist: $(DIST_TARBALL) ($$(wc -c < $(DIST_TARBALL)) bytes, sha256 $$(sha256sum $(DIST_TARBALL) | cut -c1-16)...)"

CHECK_TARGETS += check-dist check-deb check-deb-install

check-dist: dist
	$(call make_dist,$(BUILD)/dist-again/$(DIST_NAME).tar.gz)
	@cmp -s $(DIST_TARBALL) $(BUILD)/dist-again/$(DIST_NAME).tar.gz || { echo "check-dist: two runs gave different tarballs" >&2; exit 1; }
	@rm -rf $(BUILD)/dist-again
	@bad=$$(tar -tzf $(DIST_TARBALL) | grep -E '(^|/)(build[^/]*/|\.git/)|\.(o|so|a|pyc)$$' || true); \
	 [ -z "$$bad" ] || { echo "check-dist: the tarball holds built files: $$bad" >&2; exit 1; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	 tar -xzf $(DIST_TARBALL) -C "$$tmp"; cd "$$tmp/$(DIST_NAME)"; \
	 ! git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "check-dist: $$tmp is inside git" >&2; exit 1; }; \
	 echo "check-dist: building $(DIST_NAME) in $$tmp (WERROR=1)"; \
	 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -j2 WERROR=1 > build.log 2>&1 || { cat build.log >&2; echo "check-dist: build from the tarball failed" >&2; exit 1; }; \
	 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s unit check-load > check.log 2>&1 || { cat check.log >&2; echo "check-dist: unit/check-load from the tarball failed" >&2; exit 1; }; \
	 v=$$(./build/tlsdiag --version 2>&1 | head -1); \
	 case "$$v" in *$(VERSION)*) ;; *) echo "check-dist: tlsdiag --version says '$$v', not $(VERSION)" >&2; exit 1;; esac; \
	 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s install DESTDIR="$$tmp/root" PREFIX=/usr > install.log 2>&1 || { cat install.log >&2; echo "check-dist: make install DESTDIR=$$tmp/root PREFIX=/usr from the tarball failed" >&2; exit 1; }; \
	 md=$$($(PKG_CONFIG) --variable=modulesdir libcrypto); \
	 for f in usr/bin/tlsdiag $${md#/}/tlsdiag.so usr/share/tlsdiag/openssl.cnf; do \
	     [ -f "$$tmp/root/$$f" ] || { echo "check-dist: make install from the tarball put no $$tmp/root/$$f" >&2; exit 1; }; \
	 done; \
	 v=$$("$$tmp/root/usr/bin/tlsdiag" --version 2>&1) || { echo "check-dist: the installed $$tmp/root/usr/bin/tlsdiag does not run: $$v" >&2; exit 1; }; \
	 [ "$$v" = "tlsdiag $(VERSION)" ] || { echo "check-dist: the installed tlsdiag --version says '$$v', not $(VERSION)" >&2; exit 1; }
	@echo "check-dist: ok ($(DIST_TARBALL): reproducible, nothing built in it; builds with -Werror outside git, unit and check-load pass, make install DESTDIR= PREFIX=/usr installs the command)"

# ---- the Debian package ----
DPKG_BUILDPACKAGE ?= dpkg-buildpackage
DEB_ARCH     = $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
DEB_VERSION  = $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
DEB_FILE     = $(BUILD)/deb/tlsdiag_$(DEB_VERSION)_$(DEB_ARCH).deb
# The build for this OpenSSL major, a package of its own (debian/control: tlsdiag-openssl3, and
# tlsdiag-openssl4 with the pkg.tlsdiag.openssl4 build profile).
DEB_MODULE   = $(BUILD)/deb/tlsdiag-openssl$(OPENSSL_MAJOR)_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_STAMP    = $(BUILD)/deb/built-from

# deb-package: $(DEB_FILE), built by dpkg-buildpackage -us -uc -b from the unpacked tarball. A
# prerequisite of check-deb and check-deb-install, so one make builds it once; $(DEB_STAMP)
# holds the tarball's sha256 and DEB_BUILD_OPTIONS, so the next make (make check runs each
# target in its own) reuses the .deb while HEAD and the options are the same.
# Debian's build dependencies, read from debian/control (dpkg-checkbuilddeps says what is missing).
deb-package: dist
	@command -v $(DPKG_BUILDPACKAGE) >/dev/null || { echo "check-deb: skipped: dpkg-buildpackage is not installed (dpkg-dev)"; exit 77; }
	@missing=$$(dpkg-checkbuilddeps debian/control 2>&1) || { echo "check-deb: skipped: $$missing (apt-get install debhelper, see .ci/packages)"; exit 77; }
	@set -e; key="$$(sha256sum < $(DIST_TARBALL) | cut -d' ' -f1) DEB_BUILD_OPTIONS=$$DEB_BUILD_OPTIONS"; \
	 if [ -f $(DEB_FILE) ] && [ -f $(DEB_MODULE) ] && [ "$$(cat $(DEB_STAMP) 2>/dev/null)" = "$$key" ]; then \
	     echo "check-deb: $(DEB_FILE) is built from this tarball already"; exit 0; fi; \
	 rm -rf $(BUILD)/deb; mkdir -p $(BUILD)/deb; \
	 tar -xzf $(DIST_TARBALL) -C $(BUILD)/deb; \
	 echo "check-deb: dpkg-buildpackage -us -uc -b in $(BUILD)/deb/$(DIST_NAME)"; \
	 ( cd $(BUILD)/deb/$(DIST_NAME) && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS DEB_BUILD_OPTIONS="parallel=2 $$DEB_BUILD_OPTIONS" \
	       $(DPKG_BUILDPACKAGE) -us -uc -b > ../build.log 2>&1 ) || { tail -40 $(BUILD)/deb/build.log >&2; echo "check-deb: dpkg-buildpackage failed (whole log: $(BUILD)/deb/build.log)" >&2; exit 1; }; \
	 for f in $(DEB_FILE) $(DEB_MODULE); do [ -f $$f ] || { echo "check-deb: no $$f" >&2; ls $(BUILD)/deb >&2; exit 1; }; done; \
	 echo "$$key" > $(DEB_STAMP)

check-deb: deb-package
	@set -e; md=$$($(PKG_CONFIG) --variable=modulesdir libcrypto); dpkg -c $(DEB_FILE) | awk '{ print $$6 }' | sed 's|^\./|/|' > $(BUILD)/deb/contents; \
	 dpkg -c $(DEB_MODULE) | awk '{ print $$6 }' | sed 's|^\./|/|' > $(BUILD)/deb/module-contents; \
	 ! grep -Eq "/ossl[0-9]+\.so$$" $(BUILD)/deb/contents || { echo "check-deb: $(DEB_FILE) holds a per-major build (it belongs in tlsdiag-openssl<major>)" >&2; exit 1; }; \
	 [ "$$(grep -Ec '\.so$$' $(BUILD)/deb/module-contents)" = 1 ] && grep -Eqx "$$md/tlsdiag/ossl$(OPENSSL_MAJOR)\.so" $(BUILD)/deb/module-contents || \
	     { echo "check-deb: $(DEB_MODULE) does not hold exactly $$md/tlsdiag/ossl$(OPENSSL_MAJOR).so" >&2; cat $(BUILD)/deb/module-contents >&2; exit 1; }; \
	 dpkg-deb -f $(DEB_FILE) Depends | grep -q 'tlsdiag-openssl$(OPENSSL_MAJOR) (= $(DEB_VERSION))' || \
	     { echo "check-deb: tlsdiag does not depend on tlsdiag-openssl$(OPENSSL_MAJOR) of its own version" >&2; exit 1; }; \
	 for f in $$md/tlsdiag.so /usr/bin/tlsdiag /usr/share/man/man1/tlsdiag.1 /usr/share/man/man7/tlsdiag.7 \
	          /usr/share/tlsdiag/openssl.cnf /usr/share/tlsdiag/tlsdiag-enable.cnf /usr/share/bash-completion/completions/tlsdiag \
	          /usr/share/doc/tlsdiag/README.md /usr/share/doc/tlsdiag/SECURITY.md /usr/share/doc/tlsdiag/copyright; do \
	     grep -Eqx "$$f(\.gz)?" $(BUILD)/deb/contents || { echo "check-deb: $(DEB_FILE) has no $$f" >&2; cat $(BUILD)/deb/contents >&2; exit 1; }; \
	 done; \
	 ! grep -q '^/etc/' $(BUILD)/deb/contents $(BUILD)/deb/module-contents || { echo "check-deb: a package ships files under /etc (it must enable nothing by itself)" >&2; exit 1; }
	@if command -v lintian >/dev/null; then lintian --fail-on error $(DEB_FILE) $(DEB_MODULE) || { echo "check-deb: lintian reports errors" >&2; exit 1; }; \
	 else echo "check-deb: lintian not installed, not run"; fi
	@echo "check-deb: ok ($(DEB_FILE): the loader in $$($(PKG_CONFIG) --variable=modulesdir libcrypto), /usr/bin/tlsdiag, man pages, configs, docs; $(notdir $(DEB_MODULE)): tlsdiag/ossl$(OPENSSL_MAJOR).so alone; nothing under /etc)"

# The preflight first: not root, or tlsdiag installed already, skips before the package build.
check-deb-install: deb-install-preflight deb-package
	@bash test/dist/deb-install.sh $(DEB_FILE) $(DEB_MODULE) $(VERSION)

deb-install-preflight:
	@bash test/dist/deb-install.sh --preflight

.PHONY: dist check-dist deb-package check-deb check-deb-install deb-install-preflight
