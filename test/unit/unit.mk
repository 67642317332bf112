# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# Unit tests: the two byte parsers (provider/hello.c, provider/ocsp_check.c) and the escaping every
# output goes through (provider/render.c), each linked on its own against OpenSSL.
#   make unit        build with ALL_CFLAGS and run every test program
#   make unit-asan   the same, built with -fsanitize=address,undefined into build-asan/
# test_ocsp reads the responses test/pki/ocsp-fixtures.sh makes in $(BUILD)/unit/pki.

UNIT_DIR := $(BUILD)/unit
UNIT_PKI := $(UNIT_DIR)/pki
UNIT_BINS := $(UNIT_DIR)/test_hello $(UNIT_DIR)/test_ocsp $(UNIT_DIR)/test_escape
# Sanitizer findings must fail the run, not scroll past.
UNIT_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

$(UNIT_DIR):
	mkdir -p $@

$(UNIT_DIR)/test_hello: test/unit/test_hello.c provider/hello.c include/hello.h \
                        test/unit/check.h test/unit/invariants.h | $(UNIT_DIR)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(ALL_LDFLAGS) $(OPENSSL_LIBS)

$(UNIT_DIR)/test_ocsp: test/unit/test_ocsp.c provider/ocsp_check.c include/ocsp_check.h \
                       test/unit/check.h test/unit/invariants.h | $(UNIT_DIR)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(ALL_LDFLAGS) $(OPENSSL_LIBS) -lpthread -lm

$(UNIT_DIR)/test_escape: test/unit/test_escape.c provider/render.c provider/catalogue.c \
                         provider/report.c provider/util.c \
                         provider/ocsp_check.c $(HEADERS) test/unit/check.h | $(UNIT_DIR)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(ALL_LDFLAGS) $(OPENSSL_LIBS)

# Every program runs even when an earlier one fails, so one run reports everything.
unit: $(UNIT_BINS)
	@sh test/pki/ocsp-fixtures.sh $(UNIT_PKI)
	@status=0; \
	$(UNIT_ENV) $(UNIT_DIR)/test_hello || status=1; \
	$(UNIT_ENV) $(UNIT_DIR)/test_ocsp $(UNIT_PKI) || status=1; \
	$(UNIT_ENV) $(UNIT_DIR)/test_escape || status=1; \
	exit $$status

# SANITIZE=1 is the Makefile's own sanitizer switch; build-asan/ keeps those objects apart.
unit-asan:
	@$(MAKE) --no-print-directory SANITIZE=1 BUILD=build-asan unit

.PHONY: unit unit-asan
CHECK_TARGETS += unit unit-asan

# Every other fragment in test/unit/ (a test program of its own, added to UNIT_BINS and joined
# to `make unit`) is included without being named here.
-include $(sort $(filter-out test/unit/unit.mk,$(wildcard test/unit/*.mk)))
