# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-host-code: tlsdiag must never run the host's own code (certificate verify callbacks:
# Ruby's store verify_callback, a C X509_STORE callback) nor need a thread of its own, so that
# hosts with callbacks, and hosts under a thread limit (RLIMIT_NPROC: an unprivileged Python,
# an nginx worker) behave the same with tlsdiag on as off. See test/guest/t_host_code.py.

HC_PROGS := $(GUEST_BIN)/hc_store_cb

$(HC_PROGS): $(GUEST_BIN)/%: $(GUEST_SRC)/%.c $(GUEST_LIB) | $(GUEST_BIN)
	$(CC) $(GUEST_CFLAGS) $(LDFLAGS) $< $(GUEST_SRC)/guestlib.c -o $@ $(GUEST_LIBS)

check-host-code: guest-progs $(HC_PROGS)
	$(GUEST_RUN) $@ $(BUILD)

CHECK_TARGETS += check-host-code
.PHONY: check-host-code
