# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# test_classify: td_classify and td_render on reports built in C, one case per cause at least
# (test/unit/test_classify.c fails when the catalogue has a cause without one).

UNIT_BINS += $(UNIT_DIR)/test_classify

$(UNIT_DIR)/test_classify: test/unit/test_classify.c provider/classify.c provider/render.c \
                           provider/catalogue.c provider/report.c provider/util.c \
                           provider/ocsp_check.c provider/intercept.c $(HEADERS) test/unit/check.h | $(UNIT_DIR)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(ALL_LDFLAGS) $(OPENSSL_LIBS)

unit-classify: $(UNIT_DIR)/test_classify
	@$(UNIT_ENV) $(UNIT_DIR)/test_classify

.PHONY: unit-classify

# unit.mk's own recipe lists its programs; this one joins `make unit` as a prerequisite.
unit: unit-classify

