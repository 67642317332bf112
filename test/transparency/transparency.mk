# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-transparency: tlsdiag must not change what a host program does.
#   1. CPython's own TLS tests (test_ssl, test_httplib, test_urllib2_localnet, test_ftplib,
#      test_poplib, test_imaplib and test_asyncio's TLS modules), run without tlsdiag and
#      with TLSDIAG=trace writing to a file: the per-test outcomes must be identical.
#   2. curl, openssl s_client and Python ssl against openssl s_server setups (good,
#      self-signed, wrong host, TLS 1.0 only, ...): exit status and output identical
#      without tlsdiag, with TLSDIAG=1 and with TLSDIAG=trace.
# Subsets: make check-transparency TRANSPARENCY_TESTS='test_ssl test_httplib'
# regrtest runs with -j2 (one worker per module, so test_ssl itself stays sequential)
# and without the 'network' resource: only loopback is used. About 40 of ~1030 tests
# skip, identically in both runs (Windows-only, network, TLS 1.0/1.1 and SSLv3 absent
# from OpenSSL 3's default build); the target prints them by reason.
# Needs libpython3.X-testsuite for $(PYTHON) (in .ci/packages).
# Included from tools/matrix.mk; the guard keeps a second include harmless.
ifndef TRANSPARENCY_MK
TRANSPARENCY_MK := 1

TRANSPARENCY_TESTS ?=
TRANSPARENCY_JOBS  ?= 2

check-transparency: check-transparency-cpython check-transparency-smoke

check-transparency-cpython: all
	$(PYTHON) test/transparency/cpython_tls.py --cnf $(BUILD)/openssl.cnf \
	    --workdir $(BUILD)/transparency/cpython -j $(TRANSPARENCY_JOBS) $(TRANSPARENCY_TESTS)

check-transparency-smoke: all
	PYTHON=$(PYTHON) bash test/transparency/smoke.sh $(BUILD) $(BUILD)/transparency/smoke

CHECK_TARGETS += check-transparency

.PHONY: check-transparency check-transparency-cpython check-transparency-smoke
endif
