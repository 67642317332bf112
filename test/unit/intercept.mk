# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# test_intercept: provider/intercept.c's lookups, and its SPKI hashes recomputed from the real
# certificates in test/pki/fixtures.

UNIT_BINS += $(UNIT_DIR)/test_intercept

$(UNIT_DIR)/test_intercept: test/unit/test_intercept.c provider/intercept.c provider/util.c provider/ocsp_check.c \
                            include/intercept.h \
                            test/unit/check.h | $(UNIT_DIR)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(ALL_LDFLAGS) $(OPENSSL_LIBS)

unit-intercept: $(UNIT_DIR)/test_intercept
	@$(UNIT_ENV) $(UNIT_DIR)/test_intercept test/pki/fixtures

.PHONY: unit-intercept

# unit.mk's own recipe lists its programs; this one joins `make unit` as a prerequisite.
unit: unit-intercept
