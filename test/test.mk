# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# End-to-end tests: real servers and clients on 127.0.0.1, with and without tlsdiag.
# Certificates are generated at run time into $(BUILD)/test-pki (test/pki/make-pki.sh).
#   make check-integration                     every scenario in test/scenarios/ (README there)
#   make check-integration SCENARIOS='py-* curl-expired'   a subset, by name glob
#   make check-openssl-cli scenarios whose client and server are the openssl command alone
#   make check-load        the provider loads from build/openssl.cnf and is silent when off
#   make check-policy      `tlsdiag config` and `tlsdiag run` keep the system's MinProtocol/CipherString
#   make check-callbacks   s_client's own -state/-msg callbacks still fire with tlsdiag
#   make demo              the guide's five failures, explained (tools/demo.sh)

TEST_PKI      := $(BUILD)/test-pki
SCENARIOS     ?=
SCENARIO_JOBS ?= 3

test-pki:
	sh test/pki/make-pki.sh $(TEST_PKI)

check-integration: all
	SCENARIOS='$(SCENARIOS)' $(PYTHON) test/harness/run_scenarios.py --build $(BUILD) --jobs $(SCENARIO_JOBS)

# Only the openssl command on both ends: the scenarios that run under any OpenSSL major the
# machine's openssl is (in check-matrix's experimental root its clients are 4.0, python3 is 3.x).
check-openssl-cli: all
	$(PYTHON) -B test/harness/run_scenarios.py --build $(BUILD) --cases test/scenarios/openssl --jobs $(SCENARIO_JOBS)
	$(PYTHON) -B test/harness/run_scenarios.py --build $(BUILD) --cases test/scenarios/ocsp --jobs $(SCENARIO_JOBS) 's_client-*'

check-load: all
	$(PYTHON) test/harness/check_load.py $(BUILD) $(VERSION)

check-policy: all
	$(PYTHON) test/harness/check_policy.py $(BUILD)

check-callbacks: all
	$(PYTHON) test/harness/check_callbacks.py $(BUILD)

demo: all
	PYTHON=$(PYTHON) sh tools/demo.sh $(BUILD)

CHECK_TARGETS += check-load check-policy check-callbacks check-integration check-openssl-cli

.PHONY: test-pki check-integration check-openssl-cli check-load check-policy check-callbacks demo

# The module exports its entry point and nothing else, and stays mapped once loaded
# (-z nodelete: callbacks left on live SSL_CTXs must never point into unmapped code).
check-symbols: $(BUILD)/tlsdiag.so
	@syms=$$(nm -D --defined-only $(BUILD)/tlsdiag.so | awk '{print $$3}'); \
	 [ "$$syms" = "OSSL_provider_init" ] || { echo "check-symbols: exports [$$syms]" >&2; exit 1; }; \
	 readelf -d $(BUILD)/tlsdiag.so | grep -q 'FLAGS_1.*NODELETE' || { echo "check-symbols: not NODELETE" >&2; exit 1; }; \
	 readelf -d $(BUILD)/tlsdiag.so | grep -q 'BIND_NOW' || { echo "check-symbols: not BIND_NOW" >&2; exit 1; }; \
	 echo "check-symbols: ok (exports only OSSL_provider_init; NODELETE, BIND_NOW)"

CHECK_TARGETS += check-symbols
.PHONY: check-symbols
