# TMS Info. Two commands for a new machine: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pytest-xdist processes for `make test` (auto: one per CPU core). TEST_WORKERS=0 runs serially.
# --dist loadfile keeps each file's tests in one worker, so a file's module fixtures are made once.
TEST_WORKERS ?= auto
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests run with production-like settings (DEBUG off) over plain HTTP.
TEST_ENV := DJANGO_SECRET_KEY=insecure-test-only-key DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver DJANGO_DEBUG=

# The first Python 3.12+ found: $(PYTHON) if given, then python3.13, python3.12, python3, then pyenv's.
define find_python
	found=""; \
	if [ -n "$(PYTHON)" ]; then \
		if "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then found="$(PYTHON)"; \
		else echo "PYTHON=$(PYTHON) is not a working Python 3.12 or newer." >&2; exit 1; fi; \
	fi; \
	if [ -z "$$found" ]; then \
		for c in python3.13 python3.12 python3 \
			$$(ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.*/bin/python3 2>/dev/null | sort -rV); do \
			if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then found="$$c"; break; fi; \
		done; \
	fi; \
	if [ -z "$$found" ]; then \
		echo "No Python 3.12 or newer found. Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; \
	fi
endef

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@$(find_python); \
	if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Creating $(VENV) with $$found ($$("$$found" --version))"; \
		rm -rf "$(VENV)"; "$$found" -m venv "$(VENV)" || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## Create the virtual environment and install dependencies

.PHONY: setup
setup: venv messages ## Migrate the database and add pages from content/ that it does not have yet
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py import_content --new-only content

.PHONY: run
run: setup ## Set everything up and serve the site at http://127.0.0.1:8000
	@echo "Serving TMS Info at http://$(HOST):$(PORT)/ (admin at /admin/). Stop with Ctrl-C."
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

.PHONY: messages
messages: venv ## Compile the interface's translations (locale/*/LC_MESSAGES/django.po to .mo)
	DJANGO_DEBUG=1 $(PY) manage.py compile_translations

.PHONY: lint
lint: venv ## ruff lint and format check, hadolint on the Dockerfile
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/hadolint --failure-threshold warning Dockerfile

.PHONY: fmt
fmt: venv ## Format Python code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: check
check: venv ## Django system checks and missing migrations
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

.PHONY: content
content: venv ## Import content/ into the local database, overwriting pages that differ
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py import_content content

.PHONY: test
test: venv messages lint check ## Set everything up and run the whole test suite
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$CI" = "true" ]; then echo "CI: chromium is missing, so the browser tests cannot run." >&2; exit 1; \
	else echo "NOTE: chromium not found: the browser tests will be SKIPPED (apt-get install -y chromium to run them)."; fi
	$(TEST_ENV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

.PHONY: bench
bench: venv ## Load the site (SQLite; PostgreSQL + Redis) under gunicorn against a static file (ARTICLES=10000: scale)
	DJANGO_SECRET_KEY=bench-only $(PY) manage.py collectstatic --noinput --verbosity 0
	BENCH_ARTICLES=$(ARTICLES) $(PY) bench/bench.py

audit/node_modules/.installed: audit/package.json
	cd audit && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: audit
audit: venv audit/node_modules/.installed ## Lighthouse (mobile) on home and an article: prints the four scores per page
	DJANGO_SECRET_KEY=audit-only $(PY) manage.py collectstatic --noinput --verbosity 0
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(PY) bench/audit.py
