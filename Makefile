# Two commands on a fresh machine (Python >= 3.11 and the package registries):
#   make demo   - create .venv, install, run the whole pipeline offline on the bundled sample site
#   make test   - create .venv, install with test dependencies, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install install-dev lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

demo: install
	$(BIN)/pilotwatch demo --out pilotwatch-demo

test: install-dev
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf pilotwatch-demo .pytest_cache
