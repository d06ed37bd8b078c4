# Chapter 5: Key-Value Stores — build, serve and test.
# `make serve` and `make test` work from a fresh clone: they install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build test lint bench system-deps clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed

# Chromium for Playwright and redis-server for the differential tests (docs/contracts.md, "Commands").
system-deps:
	bash scripts/ensure-system-deps.sh

build: setup
	$(BIN)/mkdocs build --strict

serve: setup
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

# Python: ruff (lint + format); JavaScript: Biome (lint + format) and tsc, which checks the
# kit's JSDoc types (tsconfig.json: allowJs + checkJs over sims/kit, each file // @ts-check).
lint: setup
	$(BIN)/ruff check kvengine microsims sims tests bench hooks
	$(BIN)/ruff format --check kvengine microsims sims tests bench hooks
	npx --no-install biome ci
	npx --no-install tsc -p tsconfig.json

test: setup system-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup system-deps
	$(BIN)/python bench/run_all.py

clean:
	rm -rf site .pytest_cache .hypothesis build *.egg-info
