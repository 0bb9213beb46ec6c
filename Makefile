# The commands CI runs. `make run` and `make test` are all a newcomer needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
HAPROXY_PATH := $(PATH):/usr/sbin

.PHONY: run class haproxy test lint unit js e2e bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# PyTorch is the reference of the engine's tests and bench (never a runtime dependency): the
# CPU build from this machine's wheels; where it cannot be had, those comparisons skip, loudly.
TORCH = $(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet \
	torch==2.13.0 || echo "*** PyTorch 2.13.0 could not be installed: the comparisons with it skip ***"

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@$(TORCH)
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed  ## serve http://$(HOST):$(PORT)
	LL_HOST=$(HOST) LL_PORT=$(PORT) $(BIN)/python -m uvicorn app.main:app --ws app.ws_protocol:Protocol \
		--host $(HOST) --port $(PORT)

class: $(VENV)/.installed haproxy  ## WORKERS processes (default: one per core) behind HAProxy
	$(BIN)/python -m app.cluster --workers $(WORKERS) --host $(HOST) --port $(PORT)

haproxy:  ## Debian's HAProxy, which make class needs: installed when missing and root
	@if PATH="$(HAPROXY_PATH)" command -v haproxy >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then echo "HAProxy is missing: apt-get install -y haproxy"; \
		apt-get install -y haproxy || { apt-get update && apt-get install -y haproxy; }; \
	else echo "make class needs HAProxy: run  sudo apt-get install -y haproxy  and try again"; \
		exit 1; fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests
	$(BIN)/mypy

unit: $(VENV)/.installed-test  ## engine, data, API, stream, faults and fuzz tests
	$(BIN)/python -m pytest -q --ignore=tests/e2e --ignore=tests/bench

js:  ## the page's pure modules under Node's own test runner (skipped loudly without Node; CI fails)
	@if command -v node >/dev/null 2>&1; then node --test tests/js/; \
	elif [ "$$CI" = "true" ]; then echo "*** JS TESTS NOT RUN: no node found (apt-get install -y nodejs) ***"; exit 1; \
	else echo; echo "*** JS TESTS NOT RUN: no node found. Install it with apt-get install -y nodejs. ***"; echo; fi

e2e: $(VENV)/.installed-test  ## browser tests in Debian's Chromium (skipped loudly without it)
	$(BIN)/python -m pytest -q tests/e2e

# The browser tests run on their own, clearly apart (and after the fast ones fail fast).
test: lint unit js e2e  ## the whole suite: lint, unit and API tests, JS unit tests, then browser tests

bench: $(VENV)/.installed-test  ## benchmarks, side by side with the references
	@$(TORCH)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
