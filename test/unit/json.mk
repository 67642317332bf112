# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# test_json: the strict JSON reader of `tlsdiag report` (cli/json.c) on tricky and invalid input.

UNIT_BINS += $(UNIT_DIR)/test_json

$(UNIT_DIR)/test_json: test/unit/test_json.c cli/json.c cli/json.h test/unit/check.h | $(UNIT_DIR)
	$(CC) $(ALL_CFLAGS) -Icli -o $@ $(filter %.c,$^) $(ALL_LDFLAGS)

unit-json: $(UNIT_DIR)/test_json
	@$(UNIT_ENV) $(UNIT_DIR)/test_json

.PHONY: unit-json

# unit.mk's own recipe lists its programs; this one joins `make unit` as a prerequisite.
unit: unit-json
