# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-syslog: the syslog sink against real rsyslogd processes of the test's own (Debian's
# rsyslog; sockets and files in a temporary directory, /dev/log untouched). test/guest/t_syslog.py.

check-syslog: guest-progs test-pki
	$(GUEST_RUN) $@ $(BUILD)

CHECK_TARGETS += check-syslog
.PHONY: check-syslog
