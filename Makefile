# Command surface (stable: README, CI and release checks use these names).
#   make demo   set up if needed, run the main job on the local Arbitrum-style L2
#   make test   set up if needed, run static analysis and all tests
#   make setup  .venv + node_modules + Solidity compiler (idempotent)
#   make l2     local Arbitrum-style L2 in the foreground (127.0.0.1:$L2_PORT, chain id 412346)
#   make fork   fork of that L2 in the foreground (127.0.0.1:$FORK_PORT)
#   make bench  benchmarks -> benchmarks/gas.json, benchmarks/timing.json

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export L2_PORT ?= 8545
export FORK_PORT ?= 8546
export SOLCX_BINARY_PATH ?= $(CURDIR)/.solcx
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: setup demo test l2 fork bench lint compile clean

setup: $(VENV)/.installed node_modules/.installed .solcx/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -c "import site, stocksuite.config.env as e; print('wrote', e.write_pth(__import__('pathlib').Path(site.getsitepackages()[0])))"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

.solcx/.installed: $(VENV)/.installed node_modules/.installed ape-config.yaml toolchain/solc-shim.cjs
	$(PY) -m stocksuite.dev.toolchain
	@touch $@

compile: setup
	$(VENV)/bin/ape compile

# The demo starts the L2 for itself unless one is running (state kept in $(L2_STATE), so a later
# `make l2` resumes the same chain) and stops what it started, also on SIGINT/SIGTERM.
export L2_STATE ?= .l2/devnet-state.json
demo: setup
	$(PY) -m stocksuite.dev.l2 run -- $(VENV)/bin/ape run demo --network arbitrum:devnet

# Two pytest-xdist workers (this is a 2-core machine), each with its own chain and ape data
# folder; a test file stays on one worker, so its module fixtures are built once.
TEST_WORKERS ?= 2
test: setup
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m stocksuite.dev.analysis contracts
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: setup
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m stocksuite.dev.analysis contracts

l2: setup
	$(PY) -m stocksuite.dev.l2 serve

fork: setup
	$(PY) -m stocksuite.dev.l2 fork

bench: setup
	$(PY) -m benchmarks

clean:
	rm -rf .build contracts/.cache .l2 crytic-export
