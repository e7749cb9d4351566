# Two entry points: `make run` (install + start the bot) and `make test` (install + run every test).
# Only Python 3.11+ and make are needed; everything else is installed into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: run test console eval check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/crampbot

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

console: $(VENV)/.installed
	$(BIN)/crampbot console

eval: $(VENV)/.installed
	$(BIN)/crampbot eval

check: $(VENV)/.installed
	$(BIN)/crampbot knowledge check

clean:
	rm -rf $(VENV) build dist .pytest_cache
