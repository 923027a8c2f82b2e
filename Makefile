# DiffALL — the two commands are `make run` and `make test`. Everything they need is installed into
# .venv/ from pyproject.toml, and reinstalled only when pyproject.toml changes.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=
# pytest-xdist processes for `make test`; TEST_WORKERS=0 runs the suite in this one process.
TEST_WORKERS ?= 2

.PHONY: run test lint format bench client clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $@ $(VENV)/.installed-run

# axe-core, which the browser tests inject into every page (package.json, package-lock.json).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel error
	touch $@

## Start the website/API on http://127.0.0.1:$${PORT:-8000} and a Celery worker (embedded default).
run: $(VENV)/.installed-run
	scripts/run.sh

## Install what the suite needs, make sure PostgreSQL/Redis/Chromium are there, lint, type-check
## every app (mypy --strict), run the suite on TEST_WORKERS pytest-xdist processes, which take the
## test files in the order tests/xdist_scheduling.py gives them.
test: $(VENV)/.installed-test
	scripts/test-services.sh
	$(MAKE) node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks print figures; they are run, not asserted.
bench: $(VENV)/.installed-test
	scripts/test-services.sh ffmpeg
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

## The command-line client (client/, the `diffall` command) as a wheel in client/dist/, to
## `pip install client/dist/diffall_cli-*.whl` on a CI runner. It depends on requests and rich only.
client: | $(BIN)/python
	rm -rf client/dist client/build
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir client/dist ./client
	@ls client/dist/*.whl

clean:
	rm -rf var/ $(VENV)
