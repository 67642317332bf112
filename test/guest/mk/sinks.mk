# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-sinks: where tlsdiag's output goes (test/guest/t_sinks.py): writes that never block,
# sink opens that never block (FIFOs), refused sink paths, fd 2 decided at start-up, log
# rotation by rename, whole lines only.
SINKS_HOSTS := sk_fd2

$(SINKS_HOSTS:%=$(GUEST_BIN)/%): $(GUEST_BIN)/%: $(GUEST_SRC)/%.c $(GUEST_LIB) | $(GUEST_BIN)
	$(CC) $(GUEST_CFLAGS) $(LDFLAGS) $< $(GUEST_SRC)/guestlib.c -o $@ $(GUEST_LIBS)

check-sinks: guest-progs $(SINKS_HOSTS:%=$(GUEST_BIN)/%)
	$(GUEST_RUN) $@ $(BUILD)

CHECK_TARGETS += check-sinks
.PHONY: check-sinks
