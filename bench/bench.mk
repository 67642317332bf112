# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# bench: what tlsdiag costs a handshake (bench/README.md explains the method).
# `make bench` runs the full measurement (5 to 6 minutes on 2 cores) and writes
# $(BUILD)/bench/results.md; `make bench-smoke` runs it once at a tiny size.
# Sizes: make bench BENCH_REPS=9 BENCH_SECONDS=2 BENCH_BATCH_MS=100 BENCH_IDLE=20000 BENCH_CG_COUNT=100

BENCH_DIR      := $(BUILD)/bench
BENCH_BIN      := $(BENCH_DIR)/handshake_bench
BENCH_BASE_CNF := $(BENCH_DIR)/base.cnf
BENCH_REPS     ?= 6
BENCH_SECONDS  ?= 0.75
BENCH_BATCH_MS ?= 50
BENCH_IDLE     ?= 10000
BENCH_CG_COUNT ?= 30
BENCH_JOBS     ?= $(shell nproc 2>/dev/null || echo 1)
BENCH_RUN_FLAGS ?=

# No sanitizers here even with SANITIZE=1: the bench replaces malloc to count
# allocations, and its numbers are only meaningful for an optimised build.
BENCH_CFLAGS = $(PROG_CFLAGS) $(HARDEN_CFLAGS) $(OPENSSL_CFLAGS)

$(BENCH_BIN): bench/handshake_bench.c | $(BENCH_DIR)
	$(CC) $(BENCH_CFLAGS) $(LDFLAGS) $< -o $@ $(OPENSSL_LIBS)

# "base": the very config `make` generates, minus the tlsdiag provider, so base and
# off differ in nothing but the provider being loaded.
$(BENCH_BASE_CNF): $(BUILD)/tlsdiag bench/bench.mk | $(BENCH_DIR)
	$(BUILD)/tlsdiag config --module /nonexistent/tlsdiag.so "$(SYSTEM_CNF)" \
	  | awk '/^\[/ { skip = ($$0 ~ /^\[ *tlsdiag_sect *\]/) } \
	         !skip && !/^tlsdiag *=/' > $@.tmp
	! grep -q tlsdiag.so $@.tmp
	mv $@.tmp $@

$(BENCH_DIR):
	mkdir -p $@

BENCH_RUN = $(PYTHON) bench/run_bench.py --bin $(BENCH_BIN) --dir $(BENCH_DIR) \
            --base-cnf $(BENCH_BASE_CNF) --tlsdiag-cnf $(BUILD)/openssl.cnf \
            --jobs $(BENCH_JOBS)

bench: all $(BENCH_BIN) $(BENCH_BASE_CNF)
	$(BENCH_RUN) --reps $(BENCH_REPS) --seconds $(BENCH_SECONDS) --batch-ms $(BENCH_BATCH_MS) \
	  --idle $(BENCH_IDLE) --cg-count $(BENCH_CG_COUNT) --out $(BENCH_DIR)/results.md \
	  $(BENCH_RUN_FLAGS)
	$(MAKE) --no-print-directory bench-storm
	cat $(BENCH_DIR)/storm.md >> $(BENCH_DIR)/results.md

# The server-storm workload: nginx's worker CPU for a scan storm, tlsdiag on against off
# (bench/storm_bench.py). Needs nginx-light; about a minute.
BENCH_STORM_COUNT ?= 5000
BENCH_STORM_REPS  ?= 5
bench-storm: all | $(BENCH_DIR)
	$(PYTHON) bench/storm_bench.py --build $(BUILD) --count $(BENCH_STORM_COUNT) \
	  --reps $(BENCH_STORM_REPS) --out $(BENCH_DIR)/storm.md

# Proves the bench works end to end (every mode, every workload, callgrind, the
# report); asserts that each mode really is what it claims, never a timing target.
bench-smoke: all $(BENCH_BIN) $(BENCH_BASE_CNF)
	$(BENCH_RUN) --smoke --out $(BENCH_DIR)/smoke.md

CHECK_TARGETS += bench-smoke
.PHONY: bench-smoke bench-storm
