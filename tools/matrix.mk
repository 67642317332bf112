# check-matrix: build and test the tree inside cached Debian trixie (OpenSSL 3.5) and
# sid (OpenSSL 3.6) chroots; tools/check-matrix.sh explains the caching.
# Needs root and Debian's mirror. Settings, e.g.:
#   make check-matrix MATRIX_SUITES=trixie MATRIX_CACHE=/srv/roots
# A root that cannot be created or refreshed fails the target, it never passes empty.
MATRIX_SUITES  ?= trixie sid
MATRIX_CACHE   ?= /var/cache/tlsdiag-matrix
MATRIX_MIRROR  ?=
MATRIX_MAX_AGE ?= 86400
MATRIX_TARGETS ?= unit check-integration check-transparency-smoke
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
