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
	$(BIN)/pytest -q

demo: setup
	$(BIN)/coopetition demo

compile: setup
	$(BIN)/coopetition compile

bindings: setup
	$(BIN)/coopetition bindings --all

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules .coopetition .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
