# End-to-end tests: real servers and clients on 127.0.0.1, with and without tlsdiag.
# Certificates are generated at run time into $(BUILD)/test-pki (test/pki/make-pki.sh).
#   make check-integration                     every scenario in test/scenarios/ (README there)
#   make check-integration SCENARIOS='py-* curl-expired'   a subset, by name glob
#   make check-load        the provider loads from build/openssl.cnf and is silent when off
#   make check-policy      tools/gen-cnf.sh keeps the system's MinProtocol/CipherString
#   make check-callbacks   s_client's own -state/-msg callbacks still fire with tlsdiag
#   make demo              the guide's five failures, explained (tools/demo.sh)

TEST_PKI      := $(BUILD)/test-pki
SCENARIOS     ?=
SCENARIO_JOBS ?= 3

test-pki:
	sh test/pki/make-pki.sh $(TEST_PKI)

check-integration: all
	SCENARIOS='$(SCENARIOS)' $(PYTHON) test/harness/run_scenarios.py --build $(BUILD) --jobs $(SCENARIO_JOBS)

check-load: all
	$(PYTHON) test/harness/check_load.py $(BUILD) $(VERSION)

check-policy: all
	$(PYTHON) test/harness/check_policy.py $(BUILD)

check-callbacks: all
	$(PYTHON) test/harness/check_callbacks.py $(BUILD)

demo: all
	PYTHON=$(PYTHON) sh tools/demo.sh $(BUILD)

CHECK_TARGETS += check-load check-policy check-callbacks check-integration

.PHONY: test-pki check-integration check-load check-policy check-callbacks demo
