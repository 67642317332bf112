# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-drivers and check-false-alarms (test/guest/t_drivers.py, t_false_alarms.py): real
# database drivers and hosts whose normal, successful handshakes tlsdiag must not report.
# mongoc_client (test/clients/mongoc_client.c, also the runtime matrix's) links the system
# libmongoc; the PHP driver needs no build. Without libmongoc's pkg-config file it is not built
# and its checks say skip.

MONGOC_FLAGS := $(shell pkg-config --cflags --libs libmongoc-1.0 2>/dev/null)
DRV_PROGS    := $(if $(MONGOC_FLAGS),$(GUEST_BIN)/mongoc_client)

$(GUEST_BIN)/mongoc_client: test/clients/mongoc_client.c | $(GUEST_BIN)
	$(CC) $(PROG_CFLAGS) $(LDFLAGS) $< -o $@ $(MONGOC_FLAGS)

check-drivers: guest-progs $(DRV_PROGS)
	$(GUEST_RUN) $@ $(BUILD)

check-false-alarms: guest-progs
	$(GUEST_RUN) $@ $(BUILD)

CHECK_TARGETS += check-drivers check-false-alarms
.PHONY: check-drivers check-false-alarms
