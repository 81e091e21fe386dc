# Two entry points for a fresh machine with Python 3.11 and make:
#   make demo   install into .venv, generate the synthetic pilot data, run every strand, render reports
#   make test   install into .venv (with the test extras) and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= output

.PHONY: install install-test demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per set of extras, so that a change to pyproject.toml reinstalls.
$(VENV)/.installed-core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-core

install: $(VENV)/.installed-core

install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/evaluation demo --out $(OUT)

test: install-test
	$(BIN)/python -m pytest -n 2 -q

bench: install-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py

lint: install-test
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check evaluation tests

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
