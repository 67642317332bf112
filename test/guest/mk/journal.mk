# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-journal: the journal sink against the real systemd-journald, run by the test in a mount
# namespace of its own (the machine's journal untouched; skipped without root or journald), and
# a socket nobody reads behind a strict parser of the native protocol. test/guest/t_journal.py.

check-journal: guest-progs test-pki
	$(GUEST_RUN) $@ $(BUILD)

CHECK_TARGETS += check-journal
.PHONY: check-journal

# The memfd case preloads this: sends over EMSGSIZE_OVER bytes fail as on a small wmem_default.
JOURNAL_SHIM := $(GUEST_BIN)/emsgsize_shim.so
$(JOURNAL_SHIM): $(GUEST_SRC)/emsgsize_shim.c | $(GUEST_BIN)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -ldl

check-journal: $(JOURNAL_SHIM)
