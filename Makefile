# Followthrough — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCKS := requirements.lock requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCKS) 2>/dev/null | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-fast fmt install lock lockcheck lint layers typecheck pytest openapi \
	migration bench clean

## Install exactly the hash-pinned dev lock, then the project itself without dependencies.
## A lock older than pyproject's dependencies is regenerated here (and must be committed);
## under CI it fails instead, so CI always tests the committed lock.
$(STAMP): pyproject.toml $(wildcard $(LOCKS))
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PYTHON) scripts/lock.py check || { \
	  if [ -n "$$CI" ]; then exit 1; fi; \
	  echo "--- pyproject.toml changed: regenerating the locks (commit them)"; \
	  $(MAKE) --no-print-directory lock; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(VENV)/.installed-$$(cat pyproject.toml $(LOCKS) | cksum | cut -d' ' -f1)

install: $(STAMP)

## Re-resolve pyproject.toml into requirements.lock (runtime) and requirements-dev.lock, with hashes.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(PYTHON) scripts/lock.py compile $(BIN)/uv

lockcheck:
	@$(PYTHON) scripts/lock.py check

## Serve on the embedded SQLite database with demo data (created on first run).
run: install
	$(BIN)/followthrough db upgrade
	$(BIN)/followthrough demo load
	$(BIN)/followthrough serve --host $(HOST) --port $(PORT) --no-migrate

## Lint, check the layers, type-check and run the whole suite (TEST_DATABASE_URL picks PostgreSQL).
test: install lint layers typecheck pytest

## The same checks with only the tests that need no database or browser (seconds, not minutes).
test-fast: install lint layers typecheck
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -q -m "not database and not slow" $(PYTEST_ARGS)

## Rewrite the code in the project's style (ruff's fixes and formatting).
fmt: install
	$(BIN)/ruff check --fix app tests bench migrations scripts
	$(BIN)/ruff format app tests bench migrations scripts

lint: install
	$(BIN)/ruff check app tests bench migrations scripts
	$(BIN)/ruff format --check app tests bench migrations scripts

## Imports go one way: core < facts < language < derivation < readers (pyproject.toml).
layers: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## Rewrite openapi/openapi.json from the code.
openapi: install
	$(BIN)/python -m app.openapi_dump openapi/openapi.json

## Autogenerate a migration: make migration m="add something"
migration: install
	DATABASE_URL=sqlite:///$$(mktemp -d)/gen.db $(BIN)/followthrough db upgrade
	@echo "use: DATABASE_URL=... $(BIN)/alembic revision --autogenerate -m \"$(m)\""

## Benchmarks on PostgreSQL (see bench/RESULTS.md).
bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache followthrough.db*
