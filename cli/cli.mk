# cli.mk: the tlsdiag command (build/tlsdiag), `make install` / `make uninstall`, and the
# tests of both. Included by the main Makefile.
#   make install [PREFIX=/usr/local] [DESTDIR=]   module, command, configs, man pages
#   make uninstall [PREFIX=...] [DESTDIR=]        removes exactly what install put there
#   make check-cli       tlsdiag check/run/explain against local faulty servers
#   make check-install   install into a scratch DESTDIR, handshake with the installed module

CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(CLI_SRCS:cli/%.c=$(BUILD)/obj/cli/%.o)
# The catalogue and the staple checker are the provider's own sources, linked in as they are,
# so `explain` and `check` cannot say anything the provider would not.
CLI_SHARED_OBJS := $(BUILD)/obj/catalogue.o $(BUILD)/obj/ocsp_check.o $(BUILD)/obj/report.o \
                   $(BUILD)/obj/util.o

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
# Where the module ends up for good; the configs name this path, never the DESTDIR one.
INSTALLED_MODULE := $(MODULESDIR)/tlsdiag.so
INSTALLED_FILES := $(INSTALLED_MODULE) $(BINDIR)/tlsdiag \
                   $(TLSDIAG_DATADIR)/openssl.cnf $(TLSDIAG_DATADIR)/tlsdiag-enable.cnf \
                   $(MANDIR)/man1/tlsdiag.1 $(MANDIR)/man7/tlsdiag.7

install: all $(BUILD)/doc/tlsdiag.1 $(BUILD)/doc/tlsdiag.7
	@test -n "$(MODULESDIR)" || { echo "install: pkg-config knows no modulesdir for libcrypto" >&2; exit 1; }
	$(INSTALL) -d "$(DESTDIR)$(MODULESDIR)" "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(TLSDIAG_DATADIR)" \
	    "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(MANDIR)/man7"
	$(INSTALL) -m 0644 $(BUILD)/tlsdiag.so "$(DESTDIR)$(INSTALLED_MODULE)"
	$(INSTALL) -m 0755 $(BUILD)/tlsdiag "$(DESTDIR)$(BINDIR)/tlsdiag"
	$(BUILD)/tlsdiag config --module "$(INSTALLED_MODULE)" "$(SYSTEM_CNF)" > $(BUILD)/install-openssl.cnf
	$(INSTALL) -m 0644 $(BUILD)/install-openssl.cnf "$(DESTDIR)$(TLSDIAG_DATADIR)/openssl.cnf"
	$(BUILD)/tlsdiag config --snippet --module "$(INSTALLED_MODULE)" "$(SYSTEM_CNF)" > $(BUILD)/install-enable.cnf
	$(INSTALL) -m 0644 $(BUILD)/install-enable.cnf "$(DESTDIR)$(TLSDIAG_DATADIR)/tlsdiag-enable.cnf"
	for page in tlsdiag.1 tlsdiag.7; do \
	    sed 's|@PREFIX@|$(PREFIX)|g' $(BUILD)/doc/$$page > $(BUILD)/install-$$page || exit 1; \
	done
	$(INSTALL) -m 0644 $(BUILD)/install-tlsdiag.1 "$(DESTDIR)$(MANDIR)/man1/tlsdiag.1"
	$(INSTALL) -m 0644 $(BUILD)/install-tlsdiag.7 "$(DESTDIR)$(MANDIR)/man7/tlsdiag.7"

# A system config that still .includes our snippet keeps working without it (a missing
# .include is not an error), but say so: the line is then dead weight.
uninstall:
	rm -f $(foreach f,$(INSTALLED_FILES),"$(DESTDIR)$(f)")
	-rmdir "$(DESTDIR)$(TLSDIAG_DATADIR)" 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && grep -qs "$(TLSDIAG_DATADIR)/tlsdiag-enable.cnf" "$(SYSTEM_CNF)"; then \
	    echo "uninstall: $(SYSTEM_CNF) still includes $(TLSDIAG_DATADIR)/tlsdiag-enable.cnf; remove that line" >&2; \
	fi

# ---- tests ----

CHECK_TARGETS += check-cli check-install

check-cli: all
	$(PYTHON) test/cli/check_cli.py --build $(BUILD)

check-install: all
	$(RECURSE)PYTHON=$(PYTHON) sh test/cli/check-install.sh "$(BUILD)" "$(SUBMAKE)"

.PHONY: check-cli check-install
