# Two commands on a fresh machine (Python >= 3.11 and the package registries):
#   make demo   - create .venv, install, run the whole pipeline offline on the bundled sample site
#   make test   - create .venv, install with test dependencies, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install install-dev lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

# The tests also load a tiny random opus-mt-shaped model through both neural engines, so they need the mt and hf
# extras; torch is pinned to the 2.13.0 CPU build in the hf extra.
install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,mt,hf]'

demo: install
	$(BIN)/pilotwatch demo --out pilotwatch-demo

test: install-dev
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python bench/translate_engines.py

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf pilotwatch-demo .pytest_cache
