# attkit: two commands do all set-up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/attkit
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2

.PHONY: help install demo serve serve-prod test lint typecheck test-sqlite test-postgres test-slow system-deps messages clean

help:
	@echo "make demo   install, migrate an SQLite database under var/, load demo data, serve http://127.0.0.1:8000"
	@echo "make test   ruff, mypy, the whole test suite on SQLite, then on PostgreSQL when one answers"
	@echo "make test-slow  the long tests (load, faults, fuzzing) — called by .ci/run"
	@echo "make serve-prod  gunicorn workers on PostgreSQL (and Redis when it answers), production settings"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)
	@$(BIN)/attkit i18n compile >/dev/null

# System packages the tests need: Chromium for browser tests, gettext for the catalog check.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || { echo "apt-get install$$missing failed"; exit 1; }; \
	  else \
	    echo "warning: missing$$missing (run as root or install them); the tests that need them will fail"; \
	  fi; \
	fi

demo: install
	@mkdir -p var
	ATTKIT_ENV=demo $(BIN)/attkit migrate --no-input -v 0
	ATTKIT_ENV=demo $(BIN)/attkit demo load
	@echo ""
	@echo "Serving attkit on http://127.0.0.1:8000 (Ctrl-C to stop)."
	ATTKIT_ENV=demo $(BIN)/attkit runserver 127.0.0.1:8000 --noreload

serve-prod: install
	./scripts/serve-prod.sh

serve: install
	ATTKIT_ENV=demo $(BIN)/attkit runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	ATTKIT_ENV=test $(BIN)/mypy

test-sqlite: install system-deps
	ATTKIT_ENV=test $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

# PostgreSQL runs when a server answers at ATTKIT_TEST_DATABASE_URL (default PG_URL); CI=true requires it.
PG_REACHABLE = $(BIN)/python -c "import psycopg,sys; u=sys.argv[1]; psycopg.connect(u.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()"

define run_on_postgres
	@url="$${ATTKIT_TEST_DATABASE_URL:-$(PG_URL)}"; \
	if $(PG_REACHABLE) "$$url" 2>/dev/null; then \
	  echo "== PostgreSQL: $$url"; \
	  ( export ATTKIT_ENV=test ATTKIT_TEST_DATABASE_URL="$$url"; $(1) ) || exit 1; \
	elif [ "$${CI:-}" = "true" ] || [ -n "$${ATTKIT_TEST_DATABASE_URL:-}" ]; then \
	  echo "ERROR: PostgreSQL is required (CI=true or ATTKIT_TEST_DATABASE_URL set) but $$url cannot be reached."; exit 1; \
	else \
	  echo "== PostgreSQL not reachable at $$url: skipping the PostgreSQL run (set ATTKIT_TEST_DATABASE_URL or start a server)."; \
	fi
endef

# pytest exits 5 when no test is selected (no slow test yet): not a failure.
SLOW_PYTEST = $(BIN)/pytest -m slow -n $(PYTEST_WORKERS) $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

test-postgres: install
	$(call run_on_postgres,$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS))

test: install system-deps lint typecheck test-sqlite test-postgres
	@echo "make test: all checks passed"

# The slow tests (every role, every record, big fuzzing budgets, faults, backup, load smoke) run once, on
# PostgreSQL, the production database (CI=true requires it); on SQLite only when no PostgreSQL answers.
# The fast part of every suite runs on both databases in `make test`.
test-slow: install system-deps
	@url="$${ATTKIT_TEST_DATABASE_URL:-$(PG_URL)}"; \
	if $(PG_REACHABLE) "$$url" 2>/dev/null; then \
	  echo "== PostgreSQL (slow tests): $$url"; \
	  export ATTKIT_TEST_DATABASE_URL="$$url"; \
	elif [ "$${CI:-}" = "true" ] || [ -n "$${ATTKIT_TEST_DATABASE_URL:-}" ]; then \
	  echo "ERROR: PostgreSQL is required (CI=true or ATTKIT_TEST_DATABASE_URL set) but $$url cannot be reached."; exit 1; \
	else \
	  echo "== SQLite (slow tests; no PostgreSQL at $$url)"; \
	fi; \
	export ATTKIT_ENV=test; $(SLOW_PYTEST)

messages: install
	ATTKIT_ENV=test $(BIN)/attkit i18n extract

clean:
	rm -rf var/attkit.sqlite3* var/static .mypy_cache .ruff_cache
