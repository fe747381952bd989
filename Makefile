# The two commands of the README: `make run` and `make test`. Everything else is set up here.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
UV := $(PYTHON) -m uv
BIN := .venv/bin
SYNCED := .venv/.synced
export UV_PYTHON_DOWNLOADS := never

.PHONY: help run test lint typecheck imports pytest fuzz bench bench-ab bench-keyset bench-login bench-round-trips clean

help:
	@echo "make run   - set up, then serve itemhub on http://127.0.0.1:8000 (docs at /docs)"
	@echo "make test  - set up, then ruff, mypy, the import contract and the test suite"
	@echo "make fuzz  - a long schemathesis run over the OpenAPI document (ITEMHUB_FUZZ_EXAMPLES=500)"
	@echo "make bench - itemhub vs the yardstick (and a FastAPI floor) on PostgreSQL, same run; see BENCHMARKS.md"
	@echo "make bench-ab BASE=<commit> - server CPU per request, this checkout vs a commit, interleaved"
	@echo "make bench-login  - failed-login and reset-request timings (account or not), and a burst of guesses"
	@echo "make bench-keyset - time first, deep keyset and deep offset pages on SQLite and PostgreSQL"

# Bootstrap uv with pip when it is missing, then install exactly what uv.lock pins.
$(SYNCED): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

run: $(SYNCED)
	$(BIN)/itemhub migrate
	$(BIN)/itemhub serve --host 127.0.0.1 --port 8000

test: lint typecheck imports pytest

lint: $(SYNCED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(SYNCED)
	$(BIN)/mypy

imports: $(SYNCED)
	$(BIN)/lint-imports

pytest: $(SYNCED)
	$(BIN)/pytest -n 2  # both cores: most of the suite waits on servers, databases and bcrypt

# A long schemathesis run (make test runs a bounded one): 500 cases per operation and role.
fuzz: $(SYNCED)
	ITEMHUB_FUZZ_EXAMPLES=$${ITEMHUB_FUZZ_EXAMPLES:-500} $(BIN)/pytest tests/fuzz -q

# Benchmarks print figures; they are never part of `make test`.
bench: $(SYNCED)
	$(BIN)/python -m tests.benchmarks.http_bench

bench-ab: $(SYNCED)
	$(BIN)/python -m tests.benchmarks.ab --base $${BASE:-HEAD}

bench-keyset: $(SYNCED)
	$(BIN)/python -m tests.benchmarks.keyset_depth

bench-login: $(SYNCED)
	$(BIN)/python -m tests.benchmarks.login_timing

bench-round-trips: $(SYNCED)
	$(BIN)/python -m tests.benchmarks.round_trips

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
