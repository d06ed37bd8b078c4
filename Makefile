# Chapter 5: Key-Value Stores — build, serve and test.
# `make serve` and `make test` work from a fresh clone: they install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup serve build test lint bench system-deps clean lock

# The whole Python environment comes from requirements-dev.lock (every package pinned with its
# hashes, setuptools included), then the package itself is installed editable from it.
$(BIN)/.installed: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Regenerate requirements-dev.lock from pyproject.toml's [dev] extra (keeps current pins;
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed versions).
PIP_TOOLS := pip-tools==7.7.0
LOCK_ARGS ?=
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(PIP_TOOLS)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps --extra dev \
	  --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) \
	  --output-file requirements-dev.lock pyproject.toml

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
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)/} $(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

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
