# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# Guest checks: tlsdiag inside real processes (threads, fork, several library contexts, output
# faults, hostile peers, setuid). Included by the main Makefile; every target below is in
# CHECK_TARGETS. `make check-guest` runs them all. test/guest/run.py holds the checks.
#
# Builds: $(BUILD)/guest/ has the C hosts for the normal provider; build-tsan/ is a
# ThreadSanitizer copy of the provider and of the threads host (clang); build-asan/ is the
# main Makefile's SANITIZE=1 provider, with ASan+UBSan copies of the hosts.

GUEST_SRC   := test/guest
GUEST_BIN   := $(BUILD)/guest
GUEST_HOSTS := threads hshost forker reload
GUEST_LIB   := $(GUEST_SRC)/guestlib.c $(GUEST_SRC)/guestlib.h
GUEST_CFLAGS = $(PROG_CFLAGS) -I$(GUEST_SRC) $(OPENSSL_CFLAGS)
GUEST_LIBS   = $(OPENSSL_LIBS) -lpthread
GUEST_RUN    = $(PYTHON) -B $(GUEST_SRC)/run.py

GUEST_PROGS := $(GUEST_HOSTS:%=$(GUEST_BIN)/%) $(GUEST_BIN)/hostile_cert

$(GUEST_HOSTS:%=$(GUEST_BIN)/%): $(GUEST_BIN)/%: $(GUEST_SRC)/%.c $(GUEST_LIB) | $(GUEST_BIN)
	$(CC) $(GUEST_CFLAGS) $(LDFLAGS) $< $(GUEST_SRC)/guestlib.c -o $@ $(GUEST_LIBS)

$(GUEST_BIN)/hostile_cert: $(GUEST_SRC)/hostile_cert.c | $(GUEST_BIN)
	$(CC) $(GUEST_CFLAGS) $(LDFLAGS) $< -o $@ $(GUEST_LIBS)

$(GUEST_BIN):
	mkdir -p $@

guest-progs: $(BUILD)/tlsdiag.so $(BUILD)/openssl.cnf $(GUEST_PROGS)

# ---- ThreadSanitizer: provider and host both instrumented --------------------------------
# The .so is linked without --no-undefined: its __tsan_* symbols come from the TSan runtime
# in the host executable. The flag sets (TSAN_CFLAGS, WARNINGS, ...) are the main Makefile's.
# These rules exist only when BUILD is not build-tsan itself (the main rules would then make
# the same files).
TSAN_BUILD  := build-tsan
TSAN_CC     ?= clang
GUEST_TSAN_CFLAGS = -std=gnu11 $(CPPFLAGS) $(SAN_OPT) $(TSAN_CFLAGS) -fPIC $(WARNINGS) $(OPENSSL_CFLAGS)
TSAN_OBJS   := $(PROVIDER_SRCS:provider/%.c=$(TSAN_BUILD)/obj/%.o)

ifneq ($(abspath $(BUILD)),$(abspath $(TSAN_BUILD)))
$(TSAN_BUILD)/obj/%.o: provider/%.c $(HEADERS) | $(TSAN_BUILD)/obj
	$(TSAN_CC) $(GUEST_TSAN_CFLAGS) -fvisibility=hidden $(PROVIDER_DEFS) -c $< -o $@

$(TSAN_BUILD)/tlsdiag.so: $(TSAN_OBJS) provider/tlsdiag.map
	$(TSAN_CC) -shared $(TSAN_LDFLAGS) -Wl,-z,nodelete -Wl,--version-script=provider/tlsdiag.map \
	    $(LDFLAGS) -o $@ $(TSAN_OBJS) $(OPENSSL_LIBS) -lpthread -lm

$(TSAN_BUILD)/openssl.cnf: $(BUILD)/tlsdiag | $(TSAN_BUILD)/obj
	$(BUILD)/tlsdiag config --module "$(abspath $(TSAN_BUILD))/tlsdiag.so" "$(SYSTEM_CNF)" > $@.tmp && mv $@.tmp $@

$(TSAN_BUILD)/guest/threads: $(GUEST_SRC)/threads.c $(GUEST_LIB) | $(TSAN_BUILD)/guest
	$(TSAN_CC) $(GUEST_TSAN_CFLAGS) -I$(GUEST_SRC) $(LDFLAGS) $< $(GUEST_SRC)/guestlib.c -o $@ $(GUEST_LIBS)

$(TSAN_BUILD)/guest/tsan_canary: $(GUEST_SRC)/tsan_canary.c | $(TSAN_BUILD)/guest
	$(TSAN_CC) $(GUEST_TSAN_CFLAGS) $(LDFLAGS) $< -o $@ -lpthread

$(TSAN_BUILD)/obj $(TSAN_BUILD)/guest:
	mkdir -p $@
endif

# ---- ASan+UBSan: the main Makefile builds the provider (BUILD=build-asan SANITIZE=1) ---------
ASAN_BUILD  := build-asan
ASAN_HOSTS  := threads forker reload cn_reuse hc_store_cb
GUEST_ASAN_CFLAGS = -std=gnu11 $(CPPFLAGS) $(SAN_OPT) $(ASAN_CFLAGS) $(WARNINGS) -I$(GUEST_SRC) \
                    $(OPENSSL_CFLAGS)

# Only when this make's BUILD is not build-asan: in the SANITIZE=1 sub-make (unit-asan,
# guest-asan-provider) $(GUEST_BIN) is build-asan/guest, and the plain host rules above own
# those paths; check-asan always runs from a make whose BUILD is another directory.
ifneq ($(abspath $(BUILD)),$(abspath $(ASAN_BUILD)))
$(ASAN_HOSTS:%=$(ASAN_BUILD)/guest/%): $(ASAN_BUILD)/guest/%: $(GUEST_SRC)/%.c $(GUEST_LIB)
	@mkdir -p $(@D)
	$(CC) $(GUEST_ASAN_CFLAGS) $(ASAN_LDFLAGS) $(LDFLAGS) $< $(GUEST_SRC)/guestlib.c -o $@ $(GUEST_LIBS)
endif

# Not a file rule: inside this sub-make $(BUILD) is build-asan, and the main Makefile's own
# rules make these two files; a rule here would be a second recipe for them.
guest-asan-provider:
	$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SANITIZE=1 \
	    $(ASAN_BUILD)/tlsdiag.so $(ASAN_BUILD)/openssl.cnf

# ---- the checks ----------------------------------------------------------------------------
check-threads: guest-progs
	$(GUEST_RUN) $@ $(BUILD)

check-tsan: $(TSAN_BUILD)/tlsdiag.so $(TSAN_BUILD)/openssl.cnf $(TSAN_BUILD)/guest/threads \
            $(TSAN_BUILD)/guest/tsan_canary
	$(GUEST_RUN) $@ $(TSAN_BUILD)

check-asan: guest-asan-provider $(ASAN_HOSTS:%=$(ASAN_BUILD)/guest/%)
	$(GUEST_RUN) $@ $(ASAN_BUILD)

check-fork check-reload check-repeat check-output-faults check-hostile check-privilege: guest-progs
	$(GUEST_RUN) $@ $(BUILD)

GUEST_CHECKS := check-threads check-tsan check-asan check-fork check-reload check-repeat \
                check-output-faults check-hostile check-privilege
CHECK_TARGETS += $(GUEST_CHECKS)

# All guest checks, each one run even when another fails (under make -n: their recipes, printed).
ifeq ($(DRY_RUN),1)
check-guest: $(GUEST_CHECKS)
else
check-guest:
	@fail=0; for t in $(GUEST_CHECKS); do $(MAKE) --no-print-directory $$t || fail=1; done; exit $$fail
endif

# Newer checks bring their own fragment (build rules, CHECK_TARGETS) in test/guest/mk/.
-include $(sort $(wildcard $(GUEST_SRC)/mk/*.mk))

guest-clean:
	rm -rf $(TSAN_BUILD) $(GUEST_BIN)

clean: guest-clean

.PHONY: guest-progs guest-asan-provider guest-clean check-guest $(GUEST_CHECKS)
