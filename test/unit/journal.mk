# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# test_journal: the journal sink's native-protocol field encoder, and one entry sent to a socket
# of the test's (provider/journal.c with the output and settings it uses).

UNIT_BINS += $(UNIT_DIR)/test_journal

$(UNIT_DIR)/test_journal: test/unit/test_journal.c provider/journal.c provider/output.c \
                          provider/settings.c provider/render.c provider/catalogue.c \
                          provider/report.c provider/util.c provider/ocsp_check.c \
                          $(HEADERS) test/unit/check.h | $(UNIT_DIR)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(ALL_LDFLAGS) $(OPENSSL_LIBS) -lpthread

unit-journal: $(UNIT_DIR)/test_journal
	@$(UNIT_ENV) $(UNIT_DIR)/test_journal

.PHONY: unit-journal

# unit.mk's own recipe lists its programs; this one joins `make unit` as a prerequisite.
unit: unit-journal
