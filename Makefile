# Shouhu: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The folders of templates djhtml formats: each app's templates/ (none outside the apps).
TEMPLATE_DIRS := $(wildcard */templates)
PG_URL ?= postgres://postgres@127.0.0.1:5432/shouhu
# Everything started from this Makefile is the local demo or development: built-in keys
# are allowed (production sets SECRET_KEY and FIELD_ENCRYPTION_KEY instead).
export SHOUHU_DEMO ?= 1

.PHONY: run test install test-postgres test-browser test-fuzz lint check bench bench-files bench-weaknet messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Shouhu needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

## make run: install, migrate the embedded SQLite database, load the demo county once, then
## serve it with one worker and the scheduler (Procfile; Ctrl-C stops all three).
run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable --verbosity 0
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --scale county
	@$(BIN)/python manage.py demo_logins
	@echo "Shouhu is serving on http://127.0.0.1:$(PORT)/ with a worker and the scheduler (Ctrl-C stops them)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --port $(PORT) -f Procfile

## make test: install and run the whole suite on SQLite (browser tests: make test-browser).
test: install
	$(BIN)/python -m pytest

## The same suite against PostgreSQL (needs a server; PG_URL overrides the address).
test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest

$(VENV)/.browser: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev,browser]"
	@touch $@

## Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), no browser download.
test-browser: $(VENV)/.browser
	$(BIN)/python -m pytest -m browser -p no:cacheprovider tests/browser

## API fuzzing pass: schemathesis against /api/schema/ on the small demo county, signed in,
## fixed seed, FUZZ_EXAMPLES cases per operation and persona (default 12): fails on any 5xx
## or answer the schema does not describe (tests/fuzz/test_api_fuzz.py).
test-fuzz: install
	$(BIN)/python -m pytest -m fuzz -p no:cacheprovider tests/fuzz

## ruff for Python; djhtml checks the templates' indentation (2 spaces), djLint lints them.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check --tabwidth 2 $(TEMPLATE_DIRS)
	$(BIN)/djlint --lint .

check: install
	@mkdir -p var
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

## Benchmarks: seed time and server time / query count of the main pages, then the time to
## build a township's village file (PDF and Excel) at county scale, printed.
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/village_files.py

bench-files: install
	$(BIN)/python bench/village_files.py

## Weak network (issue 15, point 7): the director's phone at 250 kbit/s down, 50 up, 800 ms
## (Chromium through a slow proxy), county demo on a temporary SQLite: the worklist cold and
## from the service worker's cache, a visit saved through the outbox; figures against the
## budgets. WEAKNET_ARGS passes options (--runs N, --strict, --throttle cdp, --scale small).
bench-weaknet: $(VENV)/.browser
	$(BIN)/python bench/weaknet.py $(WEAKNET_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache

## Refresh the Chinese catalogue after changing strings (needs GNU gettext: apt-get install gettext).
## Translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po, then run it again.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-wrap --ignore=.venv --ignore=bench --ignore=tests --ignore="*/tests/*"
	$(BIN)/python manage.py compilemessages --ignore=.venv

## Load test: 50 signed-in users on gunicorn against PostgreSQL (PG_URL's server; the test
## uses its own database shouhu_load, dropped and created again), about 5 minutes.
## Prints throughput, p50/p95/p99 and errors; see bench/README.md, "Load test".
.PHONY: bench-load
bench-load: install
	$(BIN)/python bench/load/run.py --pg-url $(PG_URL)

## A year of the audit log on PostgreSQL (PG_URL's server; its own database
## shouhu_audit_year, dropped at the end): size per entry, a write and the audit page.
.PHONY: bench-audit
bench-audit: install
	$(BIN)/python bench/audit_year.py --pg-url $(PG_URL)

## National-scale benchmark on PostgreSQL (PG_URL's server; its own databases
## shouhu_national_*): builds the national hierarchy and children/visits by COPY at 1/100
## and 1/10 of national scale, then times the dashboards and a director's worklist.
.PHONY: bench-national
bench-national: install
	$(BIN)/python bench/national.py --pg-url $(PG_URL)
