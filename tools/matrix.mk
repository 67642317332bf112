# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-matrix: build and test the tree inside cached Debian trixie (OpenSSL 3.5), sid (3.6)
# and experimental (sid plus OpenSSL 4.0) chroots; tools/check-matrix.sh explains the caching.
# Needs root and Debian's mirror. Settings, e.g.:
#   make check-matrix MATRIX_SUITES=trixie MATRIX_CACHE=/srv/roots
# A root that cannot be created or refreshed fails the target, it never passes empty.
MATRIX_SUITES  ?= trixie sid experimental
MATRIX_CACHE   ?= /var/cache/tlsdiag-matrix
MATRIX_MIRROR  ?=
MATRIX_MAX_AGE ?= 86400
MATRIX_TARGETS ?= unit check-integration check-openssl-cli check-install check-transparency-smoke check-mixed-major
MATRIX_OFFLINE ?= 0

# Not root or no debootstrap: skipped (exit 77), as the check loop counts it; tools/check-matrix.sh
# itself still fails on anything else (no mirror, a root it cannot make).
check-matrix:
	@[ "$$(id -u)" -eq 0 ] || { echo "check-matrix: skipped: needs root (debootstrap, chroot)"; exit 77; }
	@command -v debootstrap >/dev/null || { echo "check-matrix: skipped: debootstrap is not installed"; exit 77; }
	MATRIX_SUITES='$(MATRIX_SUITES)' MATRIX_CACHE='$(MATRIX_CACHE)' \
	MATRIX_MIRROR='$(MATRIX_MIRROR)' MATRIX_MAX_AGE='$(MATRIX_MAX_AGE)' \
	MATRIX_TARGETS='$(MATRIX_TARGETS)' MATRIX_OFFLINE='$(MATRIX_OFFLINE)' \
	MATRIX_LOGDIR='$(abspath $(BUILD))/matrix' bash tools/check-matrix.sh

# The OpenSSL this project ships against in Debian's next releases is part of "works":
# CI runs as root with the mirror reachable, and a warm cache keeps this to minutes.
CHECK_TARGETS += check-matrix

.PHONY: check-matrix

-include test/transparency/transparency.mk

# check-mixed-major: two OpenSSL majors in one machine (test/mixed/mixed-major.sh): a process of
# one major handed the module built for the other gets one warning and its unchanged outcome.
# The forward case is this build with $(PYTHON) of the other major (sid's python3 on
# libssl.so.3 beside experimental's OpenSSL 4). For the reverse case a module is built against
# the other major's libssl-dev unpacked in MIXED_OTHER_DEV (check-matrix puts the base suite's
# there in the experimental root), and loaded by this machine's openssl CLI.
# With both builds, the loader (loader/loader.c: a tlsdiag.so that links no libcrypto and hands
# over to tlsdiag/ossl<N>.so for the major of the process; its rule is the Makefile's, `make`
# builds it) is tested with both beside it.
# (A literal make, not $$(MAKE): check-matrix probes targets with make -n, which must not run this.)
MIXED_OTHER_DEV ?= /opt/tlsdiag-other-ssl-dev
check-mixed-major: all $(BUILD)/loader/tlsdiag.so
	@set -e; other=; \
	if [ -d '$(MIXED_OTHER_DEV)/usr/include/openssl' ]; then \
	    ma=$$($(CC) -print-multiarch); \
	    so=$$(readlink '$(MIXED_OTHER_DEV)'/usr/lib/$$ma/libssl.so); n=$${so##*.so.}; \
	    make --no-print-directory BUILD='$(BUILD)/other-major' \
	        OPENSSL_CFLAGS="-I$(MIXED_OTHER_DEV)/usr/include/$$ma -I$(MIXED_OTHER_DEV)/usr/include" \
	        OPENSSL_LIBS="/usr/lib/$$ma/libssl.so.$$n /usr/lib/$$ma/libcrypto.so.$$n" \
	        '$(BUILD)/other-major/tlsdiag.so'; \
	    other='$(BUILD)/other-major'; \
	fi; \
	PYTHON='$(PYTHON)' bash test/mixed/mixed-major.sh '$(BUILD)' '$(BUILD)/mixed' $$other \
	    $${other:+'$(BUILD)/loader/tlsdiag.so'}

.PHONY: check-mixed-major
