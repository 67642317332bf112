# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# tlsdiag: an OpenSSL 3 provider that explains failed TLS handshakes.
# `make` builds build/tlsdiag.so, build/loader/tlsdiag.so, build/openssl.cnf and build/tlsdiag.
# `make check-fast` is the quick loop; `make check` runs every test; `make help` lists the rest.

PKG_CONFIG ?= pkg-config
CC         ?= cc
BUILD      ?= build
PYTHON     ?= /usr/bin/python3
# The version is defined once, in the VERSION file (make dist ships it in the tarball).
VERSION    := $(shell cat $(dir $(lastword $(MAKEFILE_LIST)))VERSION 2>/dev/null || echo 0.0.0-unknown)
# The clock check ("this machine's clock is wrong") compares against the build time.
BUILD_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell date +%s))
PREFIX     ?= /usr/local
DESTDIR    ?=

OPENSSL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libssl libcrypto)
OPENSSL_LIBS   := $(shell $(PKG_CONFIG) --libs libssl libcrypto)
MODULESDIR     := $(shell $(PKG_CONFIG) --variable=modulesdir libcrypto)
# The major of the libcrypto built against: the module installs as tlsdiag/ossl$(OPENSSL_MAJOR).so.
OPENSSL_MAJOR  := $(shell $(PKG_CONFIG) --modversion libcrypto | cut -d. -f1)
SYSTEM_CNF     ?= $(shell openssl version -d | sed 's/^OPENSSLDIR: "\(.*\)"/\1/')/openssl.cnf

# ---- the flag sets: defined here, once, and used by every fragment ----------------------------
# CPPFLAGS, CFLAGS and LDFLAGS are the user's (or the distribution's) and reach every compile and
# link: the provider, the command, the man page generator and every test program.
# WERROR=0 drops -Werror (distribution builds, newer compilers); the project's own builds keep it.
CFLAGS   ?= -O2 -g
WERROR   ?= 1
WARNINGS := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wformat=2 -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
# Hardening: compile side and link side.
# _FORTIFY_SOURCE only when the user's flags do not set it already: a second, different value
# would be a redefinition warning, an error under -Werror (distributions pass their own).
HARDEN_CFLAGS  := -fstack-protector-strong \
                  $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDEN_LDFLAGS := -Wl,-z,relro -Wl,-z,now
# Sanitizer builds: SAN_OPT is their optimisation level when they do not take CFLAGS.
SAN_OPT      := -O1 -g
ASAN_CFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_LDFLAGS := -fsanitize=address,undefined
TSAN_CFLAGS  := -fsanitize=thread -fno-omit-frame-pointer
TSAN_LDFLAGS := -fsanitize=thread
# What every build of the provider's own sources needs (plain, ASan, TSan, unit tests).
PROVIDER_DEFS := -Iinclude -DTLSDIAG_VERSION='"$(VERSION)"' -DTLSDIAG_BUILD_EPOCH=$(BUILD_EPOCH)L
# Test programs and hosts that are not the provider: the user's flags and the warnings.
PROG_CFLAGS = -std=gnu11 $(CPPFLAGS) $(CFLAGS) $(WARNINGS)

# SANITIZE=1 builds the provider (and what links its sources: CLI, unit tests) with ASan+UBSan
# instead of the hardening flags; build-asan/ keeps those objects apart (see unit-asan).
ifeq ($(SANITIZE),1)
  BUILD_MODE_CFLAGS := $(ASAN_CFLAGS)
  SANITIZE_LDFLAGS  := $(ASAN_LDFLAGS)
else
  BUILD_MODE_CFLAGS := $(HARDEN_CFLAGS)
  SANITIZE_LDFLAGS  :=
endif
ALL_CFLAGS  = -std=gnu11 $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(BUILD_MODE_CFLAGS) -fPIC \
              -fvisibility=hidden $(PROVIDER_DEFS) $(OPENSSL_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANITIZE_LDFLAGS)
SO_LDFLAGS  = -shared -Wl,-z,nodelete $(HARDEN_LDFLAGS) -Wl,--no-undefined \
              -Wl,--version-script=provider/tlsdiag.map $(ALL_LDFLAGS)

# `make -n TARGET` must print, never run: a recipe line naming $(MAKE) runs even under -n, so
# lines that only pass make's name on (to a script) use SUBMAKE, and the check loops below have
# a dry-run form. DRY_RUN is 1 when -n is among make's flags (the first word of MAKEFLAGS holds
# the one-letter flags, the manual's test; a first word that is a long option, such as
# --no-print-directory, holds none).
SUBMAKE  = $(MAKE)
MAKE_SHORT_FLAGS := $(firstword -$(MAKEFLAGS))
DRY_RUN := $(if $(filter ---%,$(MAKE_SHORT_FLAGS)),,$(if $(findstring n,$(MAKE_SHORT_FLAGS)),1))
# A recipe prefix that marks a line as recursive (jobserver passed on) except under -n.
RECURSE  = $(if $(DRY_RUN),,+)

PROVIDER_SRCS := $(wildcard provider/*.c)
PROVIDER_OBJS := $(PROVIDER_SRCS:provider/%.c=$(BUILD)/obj/%.o)
HEADERS       := $(wildcard include/*.h)

all: $(BUILD)/tlsdiag.so $(BUILD)/loader/tlsdiag.so $(BUILD)/openssl.cnf

$(BUILD)/obj/%.o: provider/%.c $(HEADERS) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tlsdiag.so: $(PROVIDER_OBJS) provider/tlsdiag.map
	$(CC) $(SO_LDFLAGS) -o $@ $(PROVIDER_OBJS) $(OPENSSL_LIBS) -lpthread -lm

# The loader (loader/loader.c): the tlsdiag.so `make install` puts in the modules directory. It
# links libc only (OpenSSL's headers, no libcrypto), asks the core for its major and hands over
# to tlsdiag/ossl<N>.so beside itself, so the 3.x and 4.x builds share one modules directory.
# Tests load $(BUILD)/tlsdiag.so directly; check-mixed-major and check-install load this.
$(BUILD)/loader/tlsdiag.so: loader/loader.c | $(BUILD)/loader
	$(CC) $(ALL_CFLAGS) -shared $(HARDEN_LDFLAGS) -Wl,--no-undefined $(ALL_LDFLAGS) -o $@ $<

# A config that includes the system one, keeps its ssl_conf policy, and activates tlsdiag
# (and default where the system's list would otherwise lose it). Written by the command itself
# (cli/cnf.c explains how the policy is preserved), so that `tlsdiag run` composes the same way.
$(BUILD)/openssl.cnf: $(BUILD)/tlsdiag | $(BUILD)
	$(BUILD)/tlsdiag config --module "$(abspath $(BUILD))/tlsdiag.so" "$(SYSTEM_CNF)" > $@.tmp && mv $@.tmp $@

$(BUILD) $(BUILD)/obj $(BUILD)/loader:
	mkdir -p $@

# ---- clean, distclean ------------------------------------------------------------------------
# build/fresh-ci.log is written by a tool outside the build (ci-in-fresh-root), possibly while
# make runs: neither clean nor distclean touches it. The version-matrix roots live outside the
# tree (MATRIX_CACHE, default /var/cache/tlsdiag-matrix) and stay too: remove them by hand.
KEEP_IN_BUILD := fresh-ci.log
# rm_build DIR: DIR and everything in it, except the files named in KEEP_IN_BUILD.
define rm_build
	@if [ -d "$(1)" ]; then \
	    echo "rm -rf $(1) (keeping $(KEEP_IN_BUILD))"; \
	    find "$(1)" -mindepth 1 -maxdepth 1 $(foreach k,$(KEEP_IN_BUILD),! -name '$(k)') \
	        -exec rm -rf {} +; \
	    rmdir "$(1)" 2>/dev/null || true; \
	fi
endef

clean:
	$(call rm_build,build)
	rm -rf build-asan

# Everything any target builds: every build directory (build/, build-asan/, build-tsan/, a
# BUILD= of your own, build-*), the Python bytecode caches, leftover .tmp files of interrupted
# generators.
distclean: clean
	$(call rm_build,$(BUILD))
	rm -rf build-* $(ASAN_BUILD) $(TSAN_BUILD)
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
	rm -f README.md.tmp

# ---- help ------------------------------------------------------------------------------------
help:
	@echo "make [all]          build $(BUILD)/tlsdiag.so, the loader $(BUILD)/loader/tlsdiag.so, $(BUILD)/openssl.cnf, $(BUILD)/tlsdiag and the man pages"
	@echo "make check-fast     the developer's loop: build, then $(strip $(CHECK_FAST_TARGETS)) (a few minutes)"
	@echo "make check          every test target, keeps going, ends with 'check: N passed, N failed[, N skipped]'"
	@echo "make demo           local servers with the guide's five faults, each one explained"
	@echo "make bench          the full benchmark (5-6 minutes), report in $(BUILD)/bench/results.md"
	@echo "make install        loader and module (MODULESDIR=$(MODULESDIR)), command, configs, man pages, bash completion into \$$(DESTDIR)\$$(PREFIX) (PREFIX=$(PREFIX))"
	@echo "make uninstall      removes exactly what install put there (same PREFIX/DESTDIR); the loader stays while another major's build is installed"
	@echo "make check-matrix   build and integration tests in Debian trixie and sid roots (root, mirror; slow)"
	@echo "make check-style    every C file in .clang-format's style (make format applies it)"
	@echo "make clean          removes build/ and build-asan/ (keeps build/fresh-ci.log)"
	@echo "make distclean      removes every build directory (build/, build-asan/, build-tsan/, build-*) and caches; keeps build/fresh-ci.log and the matrix cache $(MATRIX_CACHE)"
	@echo "Settings: WERROR=0 (no -Werror), CPPFLAGS/CFLAGS/LDFLAGS (honoured everywhere), BUILD=dir, SANITIZE=1 (ASan+UBSan build)."
	@echo "Single tests: any check-* or unit* target listed by 'make -n check'; README.md's Tests table says what each proves."

.PHONY: all clean distclean help check check-fast demo bench install uninstall check-matrix check-style

-include cli/cli.mk
-include test/test.mk
-include bench/bench.mk
-include doc/doc.mk
-include test/unit/unit.mk
-include test/fuzz/fuzz.mk
-include tools/matrix.mk
-include test/guest/guest.mk
-include test/ocsp/ocsp.mk
-include test/scenarios/runtimes/runtimes.mk
-include test/nginx/nginx.mk
-include tools/dist.mk

# ---- check-style -----------------------------------------------------------------------------
# clang-format (.clang-format) over every C file git knows: the tree is kept in that style, so
# a change that is not formatted fails here, with the diff to apply. Skips (exit 77) without
# clang-format. `make format` formats the tree in place.
CLANG_FORMAT ?= clang-format
STYLE_FILES   = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

check-style:
	@command -v $(CLANG_FORMAT) >/dev/null || \
	    { echo "check-style: skipped: $(CLANG_FORMAT) is not installed"; exit 77; }
	@[ -n "$(STYLE_FILES)" ] || { echo "check-style: skipped: not a git checkout"; exit 77; }
	@bad=""; for f in $(STYLE_FILES); do \
	    $(CLANG_FORMAT) --style=file "$$f" | diff -u --label "$$f" --label "$$f (formatted)" "$$f" - || bad="$$bad $$f"; \
	 done; \
	 if [ -n "$$bad" ]; then echo "check-style: not formatted:$$bad; make format formats them" >&2; exit 1; fi; \
	 echo "check-style: ok ($(words $(STYLE_FILES)) files)"

format:
	$(CLANG_FORMAT) -i --style=file $(STYLE_FILES)

.PHONY: check-style format

CHECK_TARGETS += check-style

# ---- the check loops -------------------------------------------------------------------------
# Every fragment above appends its test targets to CHECK_TARGETS. `make check` runs each one in
# its own make, keeps going after a failure, and ends with one line for CI:
#   check: N passed, N failed             (", N skipped" appended when a target skipped)
# A target skips by having its test exit 77 (nothing to test here: a missing tool or package,
# not root). Make turns any failing recipe into its own exit status 2, so inside the loop every
# recipe line runs through tools/check-shell.sh (a plain /bin/sh -c that notes a 77 in
# $CHECK_SKIP_LOG): a target whose make failed after a line exited 77 is skipped, not failed.
# Output is not piped anywhere, so a test that leaves a process behind cannot stall the loop.
# `make check-fast` is the same loop over CHECK_FAST_TARGETS: what a developer runs between edits.
CHECK_FAST_TARGETS ?= unit unit-asan check-load check-policy check-callbacks check-symbols check-man \
                      check-readme check-style check-cli check-report check-install check-threads check-integration

ifdef CHECK_SKIP_LOG
.SHELLFLAGS := $(CURDIR)/tools/check-shell.sh -c
endif

# run_checks NAME,TARGETS: the keep-going loop and its summary line.
define run_checks
	+@pass=0; fail=0; skip=0; failed=""; skipped=""; log=$$(mktemp) || exit 1; \
	trap 'rm -f "$$log"' EXIT; \
	for t in $(2); do \
	    echo "=== $$t"; : > "$$log"; \
	    if CHECK_SKIP_LOG="$$log" $(MAKE) --no-print-directory $$t; then pass=$$((pass+1)); \
	    elif [ -s "$$log" ]; then skip=$$((skip+1)); skipped="$$skipped $$t"; echo "=== $$t: skipped"; \
	    else fail=$$((fail+1)); failed="$$failed $$t"; fi; \
	done; \
	[ -z "$$skipped" ] || echo "skipped targets:$$skipped"; \
	[ -z "$$failed" ] || echo "failed targets:$$failed"; \
	if [ $$skip -gt 0 ]; then echo "$(1): $$pass passed, $$fail failed, $$skip skipped"; \
	else echo "$(1): $$pass passed, $$fail failed"; fi; \
	[ $$fail -eq 0 ]
endef

ifeq ($(DRY_RUN),1)
# Under -n the loop would run every test (its line names $(MAKE)); instead make prints each
# target's recipe, as it would for any other target.
check: all $(CHECK_TARGETS)
	@echo "check: dry run: each of $(CHECK_TARGETS) runs in its own make, failures do not stop the rest"
check-fast: all $(CHECK_FAST_TARGETS)
	@echo "check-fast: dry run: each of $(CHECK_FAST_TARGETS) runs in its own make"
else
check: all
	$(call run_checks,check,$(CHECK_TARGETS))

check-fast: all
	$(call run_checks,check-fast,$(CHECK_FAST_TARGETS))
endif
