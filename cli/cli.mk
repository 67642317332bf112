# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# cli.mk: the tlsdiag command (build/tlsdiag), `make install` / `make uninstall`, and the
# tests of both. Included by the main Makefile.
#   make install [PREFIX=/usr/local] [DESTDIR=] [MODULESDIR=]   loader, module, command, configs, man pages,
#                                                               bash completion
#   make uninstall [PREFIX=...] [DESTDIR=]        removes exactly what install put there
#   make check-cli       tlsdiag check/run/explain against local faulty servers
#   make check-install   install into a scratch DESTDIR and PREFIX, handshakes through the installed loader
#   make check-report    tlsdiag report over the events of real failing handshakes on two "hosts"
#   make check-explain-real  tlsdiag explain over messages pasted in public threads (three figures)

CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(CLI_SRCS:cli/%.c=$(BUILD)/obj/cli/%.o)
# The catalogue and the staple checker are the provider's own sources, linked in as they are,
# so `explain` and `check` cannot say anything the provider would not.
CLI_SHARED_OBJS := $(BUILD)/obj/catalogue.o $(BUILD)/obj/ocsp_check.o $(BUILD)/obj/report.o \
                   $(BUILD)/obj/util.o $(BUILD)/obj/intercept.o

all: $(BUILD)/tlsdiag

$(BUILD)/obj/cli:
	mkdir -p $@

$(BUILD)/obj/cli/%.o: cli/%.c $(wildcard cli/*.h) $(HEADERS) | $(BUILD)/obj/cli
	$(CC) $(ALL_CFLAGS) -Icli -c $< -o $@

$(BUILD)/tlsdiag: $(CLI_OBJS) $(CLI_SHARED_OBJS)
	$(CC) $(HARDEN_LDFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(OPENSSL_LIBS)

# ---- install ----

INSTALL ?= install
BINDIR := $(PREFIX)/bin
TLSDIAG_DATADIR := $(PREFIX)/share/tlsdiag
MANDIR := $(PREFIX)/share/man
# Where bash-completion loads a command's completion from on first use.
BASH_COMPLETIONDIR := $(PREFIX)/share/bash-completion/completions
# The modules directory holds the loader as tlsdiag.so and this build as tlsdiag/ossl<N>.so, N the
# major of the libcrypto built against: the 3.x and 4.x builds (Debian's libcrypto.so.3 and .so.4
# share one modules directory) install side by side, and each process's core gets its own.
INSTALLED_LOADER := $(MODULESDIR)/tlsdiag.so
INSTALLED_BUILDS := $(MODULESDIR)/tlsdiag
INSTALLED_MODULE := $(INSTALLED_BUILDS)/ossl$(OPENSSL_MAJOR).so
# What the installed configs name (`module =`). Into libcrypto's own modules directory: the bare
# name, which OpenSSL resolves against its modules directory (OPENSSL_MODULES, else the one it
# was built with), the same line for every major. Elsewhere (MODULESDIR=... by hand): the path.
DEFAULT_MODULESDIR := $(shell $(PKG_CONFIG) --variable=modulesdir libcrypto)
CONFIG_MODULE := $(if $(filter $(DEFAULT_MODULESDIR),$(MODULESDIR)),tlsdiag.so,$(INSTALLED_LOADER))
INSTALLED_FILES := $(INSTALLED_MODULE) $(BINDIR)/tlsdiag \
                   $(TLSDIAG_DATADIR)/openssl.cnf $(TLSDIAG_DATADIR)/tlsdiag-enable.cnf \
                   $(MANDIR)/man1/tlsdiag.1 $(MANDIR)/man7/tlsdiag.7 $(BASH_COMPLETIONDIR)/tlsdiag

install: all $(BUILD)/doc/tlsdiag.1 $(BUILD)/doc/tlsdiag.7
	@test -n "$(MODULESDIR)" || { echo "install: pkg-config knows no modulesdir for libcrypto" >&2; exit 1; }
	@test -n "$(OPENSSL_MAJOR)" || { echo "install: pkg-config knows no version for libcrypto" >&2; exit 1; }
	$(INSTALL) -d "$(DESTDIR)$(MODULESDIR)" "$(DESTDIR)$(INSTALLED_BUILDS)" "$(DESTDIR)$(BINDIR)" \
	    "$(DESTDIR)$(TLSDIAG_DATADIR)" "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(MANDIR)/man7" \
	    "$(DESTDIR)$(BASH_COMPLETIONDIR)"
	$(INSTALL) -m 0644 $(BUILD)/tlsdiag.so "$(DESTDIR)$(INSTALLED_MODULE)"
	$(INSTALL) -m 0644 $(BUILD)/loader/tlsdiag.so "$(DESTDIR)$(INSTALLED_LOADER)"
	$(INSTALL) -m 0755 $(BUILD)/tlsdiag "$(DESTDIR)$(BINDIR)/tlsdiag"
	$(BUILD)/tlsdiag config --module "$(CONFIG_MODULE)" "$(SYSTEM_CNF)" > $(BUILD)/install-openssl.cnf
	$(INSTALL) -m 0644 $(BUILD)/install-openssl.cnf "$(DESTDIR)$(TLSDIAG_DATADIR)/openssl.cnf"
	$(BUILD)/tlsdiag config --snippet --module "$(CONFIG_MODULE)" "$(SYSTEM_CNF)" > $(BUILD)/install-enable.cnf
	$(INSTALL) -m 0644 $(BUILD)/install-enable.cnf "$(DESTDIR)$(TLSDIAG_DATADIR)/tlsdiag-enable.cnf"
	for page in tlsdiag.1 tlsdiag.7; do \
	    sed 's|@PREFIX@|$(PREFIX)|g' $(BUILD)/doc/$$page > $(BUILD)/install-$$page || exit 1; \
	done
	$(INSTALL) -m 0644 $(BUILD)/install-tlsdiag.1 "$(DESTDIR)$(MANDIR)/man1/tlsdiag.1"
	$(INSTALL) -m 0644 $(BUILD)/install-tlsdiag.7 "$(DESTDIR)$(MANDIR)/man7/tlsdiag.7"
	$(INSTALL) -m 0644 cli/tlsdiag.bash-completion "$(DESTDIR)$(BASH_COMPLETIONDIR)/tlsdiag"

# The loader and tlsdiag/ go with the last build: another major's (its own package, say) may
# still be installed beside this one and need them.
# A system config that still .includes our snippet keeps working without it (a missing
# .include is not an error), but say so: the line is then dead weight.
uninstall:
	rm -f $(foreach f,$(INSTALLED_FILES),"$(DESTDIR)$(f)")
	@if ls "$(DESTDIR)$(INSTALLED_BUILDS)"/ossl*.so >/dev/null 2>&1; then \
	    echo "uninstall: keeping $(INSTALLED_LOADER): $$(cd "$(DESTDIR)$(INSTALLED_BUILDS)" && echo ossl*.so) still installed"; \
	else \
	    echo "rm -f $(DESTDIR)$(INSTALLED_LOADER)"; rm -f "$(DESTDIR)$(INSTALLED_LOADER)"; \
	    rmdir "$(DESTDIR)$(INSTALLED_BUILDS)" 2>/dev/null || true; \
	fi
	-rmdir "$(DESTDIR)$(TLSDIAG_DATADIR)" 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && grep -qs "$(TLSDIAG_DATADIR)/tlsdiag-enable.cnf" "$(SYSTEM_CNF)"; then \
	    echo "uninstall: $(SYSTEM_CNF) still includes $(TLSDIAG_DATADIR)/tlsdiag-enable.cnf; remove that line" >&2; \
	fi

# ---- tests ----

CHECK_TARGETS += check-cli check-install check-report
CHECK_TARGETS += check-explain-real

check-cli: all
	$(PYTHON) test/cli/check_cli.py --build $(BUILD)

# tlsdiag report over real events: hshost and s_client failures written by the provider.
check-report: all guest-progs
	$(PYTHON) test/cli/check_report.py --build $(BUILD)

check-install: all
	$(RECURSE)PYTHON=$(PYTHON) sh test/cli/check-install.sh "$(BUILD)" "$(SUBMAKE)"

# explain over error messages users pasted in public threads: three figures against targets.
check-explain-real: all
	$(PYTHON) test/cli/check_explain_real.py --build $(BUILD)

.PHONY: check-cli check-install check-report
.PHONY: check-explain-real
