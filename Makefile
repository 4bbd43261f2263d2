# KAP Certification Tracker: the two commands are `make run` and `make test`.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app tracker
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# pytest-xdist: one worker per core, a test file's tests in one worker (its module fixtures, such
# as the browser, start once). TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

.PHONY: help install install-test run serve test test-sqlite test-postgres lint format screenshots bench load clean

help:
	@echo "make run     set up and serve on http://127.0.0.1:$(PORT) with demo data (SQLite), and the worker"
	@echo "make test    set up and run the tests on SQLite, and on PostgreSQL when one answers"
	@echo "make serve   gunicorn (4 processes) and the worker, production settings, local HTTP"
	@echo "make lint    ruff, import contracts, bandit (security lint) and pip-audit (vulnerabilities)"
	@echo "make load    serving under load: gunicorn on a scratch database, driven by locust"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-load: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[load]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The address printed in certificates' QR codes and e-mailed links: this server's unless set.
# Links, verification URLs and QR codes lead to the server started (unless PUBLIC_BASE_URL is set).
run serve: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
serve: export ALLOW_INSECURE_BASE_URL ?= 1

run: install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(BIN)/python -m tracker.launch $(FLASK) run --host 127.0.0.1 --port $(PORT)

# make serve keys new audit events with a generated key; the development key stays listed so that
# what `make run` recorded in the same database still verifies.
SERVE_AUDIT_KEYS = dev:development-only-audit-key-not-for-production,$$(cat instance/audit_key)

serve: install
	@mkdir -p instance
	@test -s instance/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > instance/secret_key
	@test -s instance/audit_key || $(BIN)/python -c "import secrets; print('serve:' + secrets.token_hex(32))" > instance/audit_key
	AUDIT_KEYS="$(SERVE_AUDIT_KEYS)" $(FLASK) db upgrade
	AUDIT_KEYS="$(SERVE_AUDIT_KEYS)" $(FLASK) demo --if-empty
	TRACKER_ENV=production SECRET_KEY="$$(cat instance/secret_key)" SESSION_COOKIE_SECURE=0 \
	AUDIT_KEYS="$(SERVE_AUDIT_KEYS)" SECOND_FACTOR_REQUIRED="$${SECOND_FACTOR_REQUIRED:-0}" \
	RATELIMIT_STORAGE_URI="$${RATELIMIT_STORAGE_URI:-$$( (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && echo redis://127.0.0.1:6379/0 || echo memory://)}" \
	$(BIN)/python -m tracker.launch \
	  $(BIN)/gunicorn --workers $${WORKERS:-4} --bind 127.0.0.1:$(PORT) --access-logfile - 'tracker:create_app()'

# SQLite always; PostgreSQL when TEST_DATABASE_URL is set or a server answers on 127.0.0.1:5432
# (each worker then uses its own database, TEST_DATABASE_URL's name with _gw0, _gw1... added).
# REQUIRE_POSTGRES=1 (CI) turns a missing PostgreSQL into a failure instead of a visible skip.
test: install-test
	@echo "=== Tests on SQLite ==="
	env -u TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)
	@url="$${TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
	  url="$(PG_URL)"; fi; \
	if [ -z "$$url" ]; then \
	  echo "=== PostgreSQL half SKIPPED: no TEST_DATABASE_URL and nothing answers on 127.0.0.1:5432 ==="; \
	  if [ -n "$${REQUIRE_POSTGRES:-}" ]; then echo "PostgreSQL is required here"; exit 1; fi; \
	else \
	  echo "=== Tests on PostgreSQL ($${url##*@}) ==="; \
	  TEST_DATABASE_URL="$$url" $(PYTEST) $(PYTEST_ARGS); \
	fi

test-sqlite: install-test
	env -u TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

test-postgres: install-test
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_URL)} $(PYTEST) $(PYTEST_ARGS)

# lint-imports: the import contracts in pyproject.toml ([tool.importlinter]).
# bandit: the application's code, failing on medium or high severity (settings in pyproject.toml).
# pip-audit: known vulnerabilities in the packages installed in the venv, from PyPI's advisory data.
# It lists a package PyPI could not answer for as skipped; AUDIT_STRICT=1 makes a skip fail.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit --configfile pyproject.toml --severity-level medium --quiet -r tracker config.py
	$(BIN)/pip-audit --skip-editable --progress-spinner off $(if $(AUDIT_STRICT),--strict)

# README screenshots: the demo photographed by Debian's Chromium (apt-get install chromium).
screenshots: install-test
	$(BIN)/python -m pip install --quiet playwright
	$(BIN)/python tests/browser/screenshots.py

# Benchmark at scale (BENCH_TRAINEES=1000,10000,50000; BENCH_DATABASE_URL for PostgreSQL).
bench: install-test
	$(BIN)/python bench/run.py

# Serving under load: 4 gunicorn workers on a scratch database (SQLite; PostgreSQL with
# LOAD_DATABASE_URL, never the database `test`), LOAD_USERS people for LOAD_SECONDS, then the
# writes checked against the database. Exits non-zero on any error or lost/doubled write.
# LOAD_SERVERS=2: two gunicorn servers behind nginx (its own process), PostgreSQL and Redis shared.
load: $(VENV)/.installed-load
	$(BIN)/python bench/load.py

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
