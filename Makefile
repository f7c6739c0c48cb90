# Everyday commands. Only python3 (3.11 or newer), git and make are needed: the first
# command creates .venv and installs the project into it; a change to pyproject.toml
# reinstalls it. PostgreSQL is embedded unless DATABASE_URL is set; Redis is used only
# when REDIS_URL is set.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.DEFAULT_GOAL := help
.PHONY: help run test lint fmt check bench bench-http screenshots clean

help:
	@echo "make run    start web, Celery worker and beat on http://127.0.0.1:$(PORT)/ (Ctrl-C stops all)"
	@echo "make test   run the test suite (pass options with ARGS='-k scoring')"
	@echo "make lint   ruff lint and format check"
	@echo "make fmt    fix lint findings that are safe to fix, and format"
	@echo "make check  Django system checks and missing-migration check"
	@echo "make bench  run bench/run.py"
	@echo "make bench-http  hot pages under gunicorn + wrk, as a share of a hello-world view"
	@echo "make screenshots  refresh the README's screenshots (docs/screenshots/)"
	@echo "make clean  delete local data (.devdata: database, broker folders, beat schedule)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "prodops needs Python 3.11 or newer; try: make PYTHON=python3.12 ..."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "Could not create $(VENV); on Debian/Ubuntu install python3-venv."; exit 1; }
	PIP_DISABLE_PIP_VERSION_CHECK=1 $(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

run: $(VENV)/.installed
	$(BIN)/python -m prodops.devserver

# The suite runs on every core (at most four workers, each with its own test database);
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: $(VENV)/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist worksteal $(ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.installed
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(VENV)/.installed
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py; else echo "bench/run.py not found"; fi

bench-http: $(VENV)/.installed
	$(BIN)/python bench/http_load.py

screenshots: $(VENV)/.installed
	PRODOPS_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser/test_layout_and_a11y.py

# Refuses while the embedded PostgreSQL still runs from .devdata (stop `make run` first).
clean:
	@pid=$$(head -n 1 .devdata/postgres/postmaster.pid 2>/dev/null); \
	if [ -n "$$pid" ] && kill -0 "$$pid" 2>/dev/null; then \
		echo "PostgreSQL (pid $$pid) still runs from .devdata; stop 'make run' first."; exit 1; \
	fi
	rm -rf .devdata
