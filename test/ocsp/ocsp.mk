# End-to-end tests of the INVALID_STATUS_RESPONSE explanations (every OCSP cause, with PyMongo
# on its pyOpenSSL path, pyOpenSSL clients and s_client) and of trace mode's staple health.
# Fixtures and scratch files go to $(BUILD)/ocsp; see test/ocsp/run_ocsp.py.
# Debian packages: faketime (fixtures), python3-pymongo python3-openssl
# python3-service-identity python3-requests (PyMongo's OCSP support), listed in .ci/packages.

check-ocsp: $(BUILD)/tlsdiag.so $(BUILD)/openssl.cnf
	$(PYTHON) test/ocsp/run_ocsp.py --build $(BUILD)

CHECK_TARGETS += check-ocsp
.PHONY: check-ocsp
