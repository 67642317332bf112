# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# tlsdiag inside Debian's nginx (package nginx-light, listed in .ci/packages): server-side
# explanations of failed handshakes, nginx's own behaviour and error_log unchanged, and where
# TLSDIAG_OUTPUT=stderr lands. See test/nginx/check_nginx.py.
#   make check-nginx                         every case
#   make check-nginx NGINX_CHECK_FLAGS=-v    every check, not only the failed ones

NGINX             ?= /usr/sbin/nginx
NGINX_CHECK_FLAGS ?=

check-nginx: $(BUILD)/tlsdiag.so $(BUILD)/openssl.cnf
	$(PYTHON) test/nginx/check_nginx.py --build $(BUILD) --nginx $(NGINX) $(NGINX_CHECK_FLAGS)

# A scan storm: 2,000 ClientHellos from as many 127/8 addresses, one explanation and a summary.
check-storm: $(BUILD)/tlsdiag.so $(BUILD)/openssl.cnf
	$(PYTHON) test/nginx/check_storm.py --build $(BUILD) --nginx $(NGINX)

CHECK_TARGETS += check-nginx check-storm
.PHONY: check-nginx check-storm
