# coopetition — every target installs what it needs first (Python venv + pinned npm toolchain).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: setup test demo lint bench bench-year compile bindings clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup
	$(BIN)/ruff check coopetition tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2
	$(PY) tools/slither_gate.py --slither $(SLITHER_VENV)/bin/slither

demo: setup
	$(BIN)/coopetition demo

compile: setup
	$(BIN)/coopetition compile

bindings: setup
	$(BIN)/coopetition bindings --all
	$(BIN)/coopetition bindings tests/artifacts -o tests/mocks

bench: setup
	$(PY) bench/run.py

# a consortium's year on anvil (minutes; not in CI): SCALE=0.1 for a tenth of the bulk
bench-year: setup
	$(PY) bench/year.py --scale $(or $(SCALE),1)

clean:
	rm -rf $(VENV) node_modules .coopetition .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info

# slither-analyzer pins another web3 than the package: it gets its own venv. `make test` runs the gate.
SLITHER_VENV := .venv-slither
.PHONY: slither
test: $(SLITHER_VENV)/.installed

$(SLITHER_VENV)/.installed: constraints-slither.txt
	$(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints-slither.txt slither-analyzer
	touch $@

slither: setup $(SLITHER_VENV)/.installed
	$(PY) tools/slither_gate.py --slither $(SLITHER_VENV)/bin/slither

# brownie (eth-brownie 1.22.2) pins web3 and its eth-* libraries exactly: `make brownie-check` installs
# brownie and this project with brownie's pins as constraints (constraints-brownie.txt) in .venv-brownie,
# then runs a brownie script that drives the suite through connect_web3 over brownie's own web3.
BROWNIE_VENV := .venv-brownie
.PHONY: brownie-check

$(BROWNIE_VENV)/.installed: constraints-brownie.txt
	$(PYTHON) -m venv $(BROWNIE_VENV)
	$(BROWNIE_VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints-brownie.txt eth-brownie==1.22.2
	touch $@

# Only anvil is needed: npm ci runs when it is missing, never over an existing (possibly shared) node_modules.
node_modules/.bin/anvil:
	npm ci --no-audit --no-fund --loglevel=error

brownie-check: $(BROWNIE_VENV)/.installed node_modules/.bin/anvil
	$(BROWNIE_VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints-brownie.txt .
	$(BROWNIE_VENV)/bin/python tools/brownie_check.py
