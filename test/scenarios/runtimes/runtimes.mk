# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# make check-runtimes: the driver matrix as declarative cases (test/scenarios/runtimes/*.case,
# format: test/scenarios/README), run by the one scenario runner. Each runtime (the MongoDB C,
# PHP, Ruby and Node drivers, PyMongo with and without its C extensions, plain Ruby, Node tls,
# requests, pip, curl) against real local servers: an expired, a self-signed and a wrong-name
# certificate, a TLS 1.0-only server (drivers) and a good one. A case whose runtime is not
# installed here says skip.
#   make check-runtimes SCENARIOS='rt-curl-*'      a subset, by name glob
# Built here, under $(BUILD)/runtimes: the C driver's client (when libmongoc's pkg-config file
# is there) and, once, the npm mongodb driver (when npm is there and registry.npmjs.org
# answers; the npm-mongodb cases skip otherwise).
# Debian packages (.ci/packages): libmongoc-dev php-cli php-mongodb ruby ruby-mongo nodejs npm
# python3-requests python3-pip curl python3-pymongo python3-pymongo-ext python3-bson-ext

RT_DIR          := $(BUILD)/runtimes
RT_MONGOC_FLAGS := $(shell $(PKG_CONFIG) --cflags --libs libmongoc-1.0 2>/dev/null)
RT_NPM_MONGODB  ?= mongodb@6
RT_JOBS         ?= 2
RT_DEPS         := $(if $(RT_MONGOC_FLAGS),$(RT_DIR)/mongoc_client) \
                   $(if $(shell command -v npm 2>/dev/null),$(RT_DIR)/npm/node_modules/mongodb/package.json)

$(RT_DIR):
	mkdir -p $@

$(RT_DIR)/mongoc_client: test/clients/mongoc_client.c | $(RT_DIR)
	$(CC) $(PROG_CFLAGS) $(LDFLAGS) $< -o $@ $(RT_MONGOC_FLAGS)

# Once: no network, no driver (its cases skip), and the next run tries again.
$(RT_DIR)/npm/node_modules/mongodb/package.json: | $(RT_DIR)
	npm install --prefix $(RT_DIR)/npm --cache $(RT_DIR)/npm-cache --no-audit --no-fund \
	    --no-package-lock --no-save --loglevel=error $(RT_NPM_MONGODB) \
	    || echo "runtimes: npm install $(RT_NPM_MONGODB) failed; the npm mongodb cases will skip"

check-runtimes: $(BUILD)/tlsdiag.so $(BUILD)/openssl.cnf $(RT_DEPS)
	SCENARIOS='$(SCENARIOS)' $(PYTHON) -B test/harness/run_scenarios.py --build $(BUILD) \
	    --cases test/scenarios/runtimes --jobs $(RT_JOBS)

CHECK_TARGETS += check-runtimes
.PHONY: check-runtimes
