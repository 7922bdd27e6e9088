# iptriad: `make help` lists every task.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)

.DEFAULT_GOAL := help
.PHONY: help run test test-fast static lint typecheck checks security test-sqlite test-postgres browser bench clean lock crash crash-notify topology topology-down topology-kill

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(RUN_STAMP): pyproject.toml requirements/constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e .
	touch $@

$(TEST_STAMP): $(RUN_STAMP) pyproject.toml requirements/constraints.txt
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e '.[test]'
	touch $@

run: $(RUN_STAMP) ## Serve the demo on http://127.0.0.1:$(PORT) (SQLite under var/), printing the demo logins
	$(BIN)/iptriad migrate --verbosity 0
	$(BIN)/iptriad demo
	$(BIN)/iptriad serve --port $(PORT)

browser: ## Install Debian's chromium for the browser tests if it is missing
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

lint: $(TEST_STAMP) ## ruff lint and format check, and import-linter's contracts (the apps' layers, the pure core)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-logo

typecheck: $(TEST_STAMP) ## mypy (strict for iptriad.core)
	$(BIN)/mypy

checks: $(TEST_STAMP) ## Django system checks and the migrations check
	IPTRIAD_DATA_DIR=var/test $(BIN)/iptriad check --fail-level WARNING
	IPTRIAD_DATA_DIR=var/test $(BIN)/iptriad makemigrations --check --dry-run

# pip-audit asks PyPI about each pinned release; its report is judged by tests/security/dependency_audit.py, which
# also says how many pins were really audited (pip-audit alone reads as a pass when it could audit none) and audits
# the pins pip-audit skipped from PyPI's per-project JSON when the pin is the newest release.
# AUDIT_REQUIRED=1 fails when a pin could not be audited as well.
security: $(TEST_STAMP) ## Security checks: bandit on src (no medium or high finding) and pip-audit of the pins (asks PyPI)
	$(BIN)/bandit -r src -ll -q
	set -o pipefail; $(BIN)/pip-audit --requirement requirements/constraints.txt --disable-pip --no-deps \
		--progress-spinner off --format json \
		| $(BIN)/python -m tests.security.dependency_audit $(if $(AUDIT_REQUIRED),--require-audit)

# The inner loop while changing code: no lint, no browser, no crash test (the tests marked slow); `make test` and CI
# still run everything.
test-fast: $(TEST_STAMP) ## The pytest suite on SQLite without the slow tests (crash, browser): the inner loop
	$(BIN)/pytest -m "not slow"

# The whole runs list their slowest tests, so a CI log says where its minutes went.
DURATIONS := --durations=15 --durations-min=3

test-sqlite: $(TEST_STAMP) browser ## The whole pytest suite on SQLite
	IPTRIAD_CHROMIUM=$(CHROMIUM) $(BIN)/pytest $(DURATIONS)

test-postgres: $(TEST_STAMP) browser ## The whole pytest suite on PostgreSQL ($$IPTRIAD_TEST_POSTGRES, a server URL)
	@if [ -z "$$IPTRIAD_TEST_POSTGRES" ]; then echo "IPTRIAD_TEST_POSTGRES is not set: skipping PostgreSQL"; exit 0; fi; \
	IPTRIAD_DATABASE_URL="$${IPTRIAD_TEST_POSTGRES%/}/iptriad" IPTRIAD_DATA_DIR=var/test-postgres \
		IPTRIAD_CHROMIUM=$(CHROMIUM) $(BIN)/pytest $(DURATIONS)

static: lint typecheck checks security ## The static checks of `make test`: lint, types, Django checks, security checks

# The two databases' suites run side by side (each prints its report when it ends): the SQLite run is one Python
# process, the PostgreSQL run shares its work with the server, so two cores finish both in about the time of one.
# The static checks run beside them: the SQLite suite ends minutes before the PostgreSQL one, leaving room.
test: $(TEST_STAMP) browser ## Everything: lint, types, checks, security checks, unit, integration and browser tests (SQLite, and PostgreSQL when IPTRIAD_TEST_POSTGRES is set)
	@$(MAKE) --no-print-directory -j3 --output-sync=target static test-sqlite test-postgres

bench: $(RUN_STAMP) ## Benchmark the client pages at 10,000 clients (CLIENTS=100000 for tier M)
	$(BIN)/python bench/client_pages.py --clients $${CLIENTS:-10000}

crash: $(RUN_STAMP) ## The long crash test: kill -9 mid-write, 1,000 times on SQLite and 100 on PostgreSQL ($$IPTRIAD_TEST_POSTGRES)
	$(BIN)/python bench/crash.py --database sqlite --iterations $${SQLITE_ITERATIONS:-1000}
	@if [ -z "$$IPTRIAD_TEST_POSTGRES" ]; then echo "IPTRIAD_TEST_POSTGRES is not set: skipping PostgreSQL"; exit 0; fi; \
	$(BIN)/python bench/crash.py --database postgresql --iterations $${POSTGRES_ITERATIONS:-100} --postgres-server "$$IPTRIAD_TEST_POSTGRES"

crash-notify: $(TEST_STAMP) ## Kill -9 the notifications worker while it sends: 200 times on SQLite, 50 on PostgreSQL+Redis ($$IPTRIAD_TEST_POSTGRES)
	$(BIN)/python bench/notify_crash.py --database sqlite --kills $${SQLITE_KILLS:-200}
	@if [ -z "$$IPTRIAD_TEST_POSTGRES" ]; then echo "IPTRIAD_TEST_POSTGRES is not set: skipping PostgreSQL"; exit 0; fi; \
	$(BIN)/python bench/notify_crash.py --database postgresql --kills $${POSTGRES_KILLS:-50} \
		--postgres-server "$$IPTRIAD_TEST_POSTGRES" --redis "$${IPTRIAD_TEST_REDIS:-redis://127.0.0.1:6379/11}"

topology: $(RUN_STAMP) ## Start PostgreSQL + streaming replica, Redis, 2 app servers, 2 workers and HAProxy under var/topology/
	$(BIN)/python bench/topology.py up

topology-down: ## Stop everything `make topology` started (WIPE=1 also removes var/topology/)
	$(BIN)/python bench/topology.py down $(if $(WIPE),--wipe)

topology-kill: $(RUN_STAMP) ## Mixed load through HAProxy while one app server and one worker are killed (needs `make topology`)
	$(BIN)/python bench/topology_kill.py

lock: $(TEST_STAMP) ## Rewrite requirements/constraints.txt from the installed packages
	$(BIN)/pip freeze --exclude-editable > requirements/constraints.txt

clean: ## Remove the virtual environment and test data (keeps var/ with your database)
	rm -rf $(VENV) var/test var/test-postgres .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
