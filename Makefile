# Two commands on a fresh machine with Python 3.11+ and make:  `make dev`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: dev test test-fast bench install materialize clean-db

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Embedded PostgreSQL + migrations + demo accounts, then the Dagster UI on http://127.0.0.1:3000
dev: $(STAMP)
	$(BIN)/social-pipeline dev

## `dg check defs` (definitions load and validate), then the suite on a real PostgreSQL (embedded, or $$SOCIAL_PIPELINE_DATABASE_URL)
test: $(STAMP)
	@home=$$(mktemp -d) && touch $$home/dagster.yaml && DAGSTER_HOME=$$home $(BIN)/dg check defs; rc=$$?; rm -rf $$home; exit $$rc
	$(BIN)/python -m pytest -n 2 --dist loadfile

## The tests that need no database (clients, parsers, simulator, analytics): the loop while editing one
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not db and not e2e"

## Every asset for one day (DATE=YYYY-MM-DD, default yesterday UTC), recorded in the Dagster instance
materialize: $(STAMP)
	$(BIN)/social-pipeline materialize $(if $(DATE),--date $(DATE),)

## Every performance figure with its baseline and ratio, into docs/benchmarks.md (benchmarks, not tests)
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## Stop the embedded PostgreSQL and delete its data (asks no questions)
clean-db: $(STAMP)
	-$(BIN)/social-pipeline db stop
	rm -rf .social_pipeline
