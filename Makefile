# Two entry points for a fresh machine with Python 3.11 and make:
#   make demo   install into .venv, generate the synthetic pilot data, run every strand, render reports
#   make test   install into .venv (with test extras) and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= output

.PHONY: install demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/evaluation demo --out $(OUT)

test: install
	$(BIN)/python -m pytest -n 2 -q

bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check evaluation tests

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
