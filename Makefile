# tenlog: `make run` serves on SQLite; `make test` runs every check CI runs.
SHELL := /bin/bash
PY := .venv/bin/python
RUNTIME_STAMP := .venv/.installed-runtime
VENV_STAMP := .venv/.installed-dev
NODE_STAMP := node_modules/.installed
NODE_CLIENT_STAMP := clients/node/node_modules/.installed

.PHONY: run test pytest lint protos protos-check buf-lint node-test bench postgres chromium clean otel-venvs fuzz conformance
# One venv per OpenTelemetry instrumentation (they conflict): tests/otlp drives each in its own.
OTEL_VENVS := genai openai-v2 openinference openllmetry
OTEL_STAMPS := $(foreach n,$(OTEL_VENVS),.venv-otel/$(n)/.installed)

# `make run` needs only the runtime dependencies; every other target adds the development ones.
# The server depends on the client by its path in this repository; the client is then installed
# again in editable mode (no deps) so the stubs `make protos` writes are used in place.
$(RUNTIME_STAMP): pyproject.toml clients/python/pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	$(PY) -m pip install -q --no-deps -e clients/python
	touch $@

$(VENV_STAMP): $(RUNTIME_STAMP)
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q --no-deps -e clients/python
	# log10-io ships a `log10` package that clashes with log10py: the gateway tests load it from here.
	$(PY) -m pip install -q --no-deps --target .venv/sdk/log10-io log10-io==0.16.1
	touch $@

# `npm ci` installs exactly the lock and never rewrites it (the lock lists buf's packages for every platform).
$(NODE_STAMP): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

$(NODE_CLIENT_STAMP): clients/node/package.json clients/node/package-lock.json
	cd clients/node && npm ci --silent --no-audit --no-fund
	touch $@

# Built side by side, without pip of their own (the project venv's pip installs into each) and without
# compiling bytecode up front (only what the tests import is compiled, on first import): 4x less time.
$(OTEL_STAMPS) &: $(VENV_STAMP) $(foreach n,$(OTEL_VENVS),tests/otlp/requirements-$(n).txt)
	@for n in $(OTEL_VENVS); do \
		( test -x .venv-otel/$$n/bin/python || python3 -m venv --without-pip .venv-otel/$$n ) && \
		$(PY) -m pip --python .venv-otel/$$n/bin/python install -q --no-compile -r tests/otlp/requirements-$$n.txt \
			> .venv-otel/$$n.log 2>&1 && touch .venv-otel/$$n/.installed || { cat .venv-otel/$$n.log; exit 1; } & \
	done; wait
	@for n in $(OTEL_VENVS); do test -f .venv-otel/$$n/.installed || { echo "venv $$n failed"; exit 1; }; done

otel-venvs: $(OTEL_STAMPS)

run: $(RUNTIME_STAMP)
	.venv/bin/tenlog migrate
	.venv/bin/tenlog serve

# PostgreSQL 15 server binaries for the storage tests (Debian's package).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then \
		echo "installing PostgreSQL from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

# Headless Chromium for the dashboard tests and bench (Debian's package; Playwright drives it).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Chromium from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

protos: $(VENV_STAMP)
	$(PY) scripts/gen_protos.py

buf-lint: $(NODE_STAMP)
	npx --no-install buf lint

lint: $(VENV_STAMP) buf-lint
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports

pytest: $(VENV_STAMP) postgres chromium $(OTEL_STAMPS)
	.venv/bin/pytest -q

node-test: $(VENV_STAMP) $(NODE_CLIENT_STAMP) postgres
	@if [ -d clients/node/test ]; then cd clients/node && npm test; fi

test: lint pytest node-test

# The longer fuzz run (make test runs 3 examples per route).
fuzz: $(VENV_STAMP) postgres
	TENLOG_FUZZ_EXAMPLES=200 .venv/bin/pytest -q tests/fuzz

# The seed-spec schemathesis run of `make test`, with many more examples per operation.
conformance: $(VENV_STAMP) postgres
	TENLOG_SCHEMATHESIS_EXAMPLES=$${TENLOG_SCHEMATHESIS_EXAMPLES:-300} .venv/bin/pytest -q tests/gateway/test_seed_conformance.py

bench: $(VENV_STAMP) postgres chromium
	$(PY) -m bench

clean:
	rm -rf .venv .venv-otel node_modules clients/node/node_modules .pytest_cache .mypy_cache
