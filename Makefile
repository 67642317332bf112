# tlsdiag: an OpenSSL 3 provider that explains failed TLS handshakes.
# `make` builds build/tlsdiag.so, build/openssl.cnf and build/tlsdiag.
# `make check` runs every test; `make demo` shows the explanations.

PKG_CONFIG ?= pkg-config
CC         ?= cc
BUILD      ?= build
PYTHON     ?= /usr/bin/python3
VERSION    := 0.1.0
# The clock check ("this machine's clock is wrong") compares against the build time.
BUILD_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell date +%s))
PREFIX     ?= /usr/local
DESTDIR    ?=

OPENSSL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libssl libcrypto)
OPENSSL_LIBS   := $(shell $(PKG_CONFIG) --libs libssl libcrypto)
MODULESDIR     := $(shell $(PKG_CONFIG) --variable=modulesdir libcrypto)
SYSTEM_CNF     ?= $(shell openssl version -d | sed 's/^OPENSSLDIR: "\(.*\)"/\1/')/openssl.cnf

CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
HARDEN   := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC -fvisibility=hidden
ifeq ($(SANITIZE),1)
  HARDEN := -fsanitize=address,undefined -fno-omit-frame-pointer -fPIC -fvisibility=hidden
  SANITIZE_LDFLAGS := -fsanitize=address,undefined
endif
ALL_CFLAGS = -std=gnu11 $(CFLAGS) $(WARNINGS) $(HARDEN) -Iinclude $(OPENSSL_CFLAGS) \
             -DTLSDIAG_VERSION='"$(VERSION)"' -DTLSDIAG_BUILD_EPOCH=$(BUILD_EPOCH)L
SO_LDFLAGS = -shared -Wl,-z,nodelete -Wl,-z,relro -Wl,-z,now -Wl,--no-undefined \
             -Wl,--version-script=provider/tlsdiag.map $(SANITIZE_LDFLAGS)

PROVIDER_SRCS := $(wildcard provider/*.c)
PROVIDER_OBJS := $(PROVIDER_SRCS:provider/%.c=$(BUILD)/obj/%.o)
HEADERS       := $(wildcard include/*.h)

all: $(BUILD)/tlsdiag.so $(BUILD)/openssl.cnf

$(BUILD)/obj/%.o: provider/%.c $(HEADERS) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tlsdiag.so: $(PROVIDER_OBJS) provider/tlsdiag.map
	$(CC) $(SO_LDFLAGS) -o $@ $(PROVIDER_OBJS) $(OPENSSL_LIBS) -lpthread

# A config that includes the system one, keeps its ssl_conf policy, and activates
# default + tlsdiag. tools/gen-cnf.sh explains how the policy is preserved.
$(BUILD)/openssl.cnf: tools/gen-cnf.sh | $(BUILD)
	sh tools/gen-cnf.sh "$(SYSTEM_CNF)" "$(abspath $(BUILD))/tlsdiag.so" > $@.tmp && mv $@.tmp $@

$(BUILD) $(BUILD)/obj:
	mkdir -p $@

clean:
	rm -rf build build-asan

.PHONY: all clean check demo bench install uninstall check-matrix

-include cli/cli.mk
-include test/test.mk
-include bench/bench.mk
-include doc/doc.mk
-include test/unit/unit.mk
-include test/fuzz/fuzz.mk
-include tools/matrix.mk
-include test/guest/guest.mk
-include test/ocsp/ocsp.mk
-include test/nginx/nginx.mk

# Every fragment above appends its test targets to CHECK_TARGETS. `make check` runs
# each one, keeps going after a failure, and ends with one "N passed, N failed" line.
check: all
	@pass=0; fail=0; failed=""; \
	for t in $(CHECK_TARGETS); do \
	    echo "=== $$t"; \
	    if $(MAKE) --no-print-directory $$t; then pass=$$((pass+1)); \
	    else fail=$$((fail+1)); failed="$$failed $$t"; fi; \
	done; \
	[ -z "$$failed" ] || echo "failed targets:$$failed"; \
	echo "check: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]
