# Followthrough — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-fast fmt install lint layers typecheck pytest openapi migration bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## Serve on the embedded SQLite database with demo data (created on first run).
run: install
	$(BIN)/followthrough db upgrade
	$(BIN)/followthrough demo load
	$(BIN)/followthrough serve --host $(HOST) --port $(PORT) --no-migrate

## Lint, check the layers, type-check and run the whole suite (TEST_DATABASE_URL picks PostgreSQL).
test: install lint typecheck pytest

## The same checks with only the tests that need no database or browser (seconds, not minutes).
test-fast: install lint typecheck
	$(BIN)/python -m pytest -q -m "not database" $(PYTEST_ARGS)

## Rewrite the code in the project's style (ruff's fixes and formatting).
fmt: install
	$(BIN)/ruff check --fix app tests bench migrations
	$(BIN)/ruff format app tests bench migrations

lint: install
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations

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
