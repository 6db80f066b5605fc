# coopetition — every target installs what it needs first (Python venv + pinned npm toolchain).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: setup test demo lint bench compile bindings clean

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
