# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-connections: every report names its own connection, however connections share a thread
# (asyncio), an SSL object (SSL_clear) or a freed SSL's address (nginx, cn_reuse), and however
# big their ClientHellos are. See test/guest/t_connections.py; nginx is Debian's nginx-light.

CN_PROGS := $(GUEST_BIN)/cn_reuse

$(CN_PROGS): $(GUEST_BIN)/%: $(GUEST_SRC)/%.c $(GUEST_LIB) | $(GUEST_BIN)
	$(CC) $(GUEST_CFLAGS) $(LDFLAGS) $< $(GUEST_SRC)/guestlib.c -o $@ $(GUEST_LIBS)

check-connections: guest-progs $(CN_PROGS)
	$(GUEST_RUN) $@ $(BUILD)

CHECK_TARGETS += check-connections
.PHONY: check-connections
