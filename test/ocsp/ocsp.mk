# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the INVALID_STATUS_RESPONSE explanations (every OCSP cause, with PyMongo
# on its pyOpenSSL path, pyOpenSSL clients and s_client) and of trace mode's staple health: the
# declarative cases in test/scenarios/ocsp/ (format: test/scenarios/README), run by the one
# scenario runner. Fixtures go to $(BUILD)/ocsp/pki.
# Debian packages: faketime (fixtures), python3-pymongo python3-openssl
# python3-service-identity python3-requests (PyMongo's OCSP support), listed in .ci/packages.

check-ocsp: $(BUILD)/tlsdiag.so $(BUILD)/openssl.cnf
	$(PYTHON) -B test/harness/run_scenarios.py --build $(BUILD) --cases test/scenarios/ocsp --jobs 3

CHECK_TARGETS += check-ocsp
.PHONY: check-ocsp
