# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# libFuzzer targets for the two byte parsers (clang -fsanitize=fuzzer,address,undefined).
#   make fuzz-smoke                 both targets, 15 s each (part of `make check`)
#   make fuzz-long [FUZZ_SECONDS=600]  both targets, FUZZ_SECONDS each (not in `make check`)
# Seeds are made at build time, never committed: the hellos test_hello captures from real
# handshakes (--dump), and the responses of test/pki/ocsp-fixtures.sh. The corpus each run
# grows is kept in $(BUILD)/fuzz/corpus; a crash lands in $(BUILD)/fuzz/artifacts and fails the
# target, with the log's tail shown.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_TARGETS := hello ocsp
FUZZ_CFLAGS   = -std=gnu11 $(CPPFLAGS) $(SAN_OPT) -fsanitize=fuzzer $(ASAN_CFLAGS) \
                -fno-sanitize-recover=undefined $(WARNINGS) -Iinclude -Itest/unit $(OPENSSL_CFLAGS)

$(FUZZ_DIR):
	mkdir -p $@

$(FUZZ_DIR)/fuzz_hello: test/fuzz/fuzz_hello.c provider/hello.c include/hello.h \
                        test/unit/invariants.h | $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(OPENSSL_LIBS)

$(FUZZ_DIR)/fuzz_ocsp: test/fuzz/fuzz_ocsp.c provider/ocsp_check.c include/ocsp_check.h \
                       test/unit/invariants.h | $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(OPENSSL_LIBS)

# Remade every time: the fixtures' keys change when they are regenerated, and the seeds must
# be signed by the keys fuzz_ocsp loads.
fuzz-seeds: $(UNIT_DIR)/test_hello | $(FUZZ_DIR)
	@sh test/pki/ocsp-fixtures.sh $(FUZZ_DIR)/pki
	@rm -rf $(FUZZ_DIR)/seeds && mkdir -p $(FUZZ_DIR)/seeds/hello $(FUZZ_DIR)/seeds/ocsp \
	    $(FUZZ_DIR)/corpus/hello $(FUZZ_DIR)/corpus/ocsp $(FUZZ_DIR)/artifacts
	@$(UNIT_DIR)/test_hello --dump $(FUZZ_DIR)/seeds/hello >/dev/null
	@cp $(FUZZ_DIR)/pki/*.der $(FUZZ_DIR)/seeds/ocsp/

# fuzz_run SECONDS: each target in turn; a finding fails the target after every one has run.
define fuzz_run
	@status=0; for t in $(FUZZ_TARGETS); do \
	    log=$(FUZZ_DIR)/fuzz_$$t.log; \
	    if TD_FUZZ_PKI=$(FUZZ_DIR)/pki $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(1) -timeout=10 \
	        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/ \
	        $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t >$$log 2>&1; then \
	        echo "fuzz_$$t: $$(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' $$log | \
	            sed 's/.*: //') runs in $(1) s, no finding"; \
	    else \
	        echo "fuzz_$$t: FINDING (log $$log)"; tail -n 40 $$log; status=1; \
	    fi; \
	done; exit $$status
endef

fuzz-smoke: $(FUZZ_DIR)/fuzz_hello $(FUZZ_DIR)/fuzz_ocsp fuzz-seeds
	$(call fuzz_run,15)

fuzz-long: $(FUZZ_DIR)/fuzz_hello $(FUZZ_DIR)/fuzz_ocsp fuzz-seeds
	$(call fuzz_run,$(FUZZ_SECONDS))

.PHONY: fuzz-smoke fuzz-long fuzz-seeds
CHECK_TARGETS += fuzz-smoke
