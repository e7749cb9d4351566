# Two entry points: `make run` (install + start the bot) and `make test` (install + run every test).
# Only Python 3.11+ and make are needed; everything else is installed into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: run test console eval check bench bench-breakdown clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test,bench]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

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

# Benchmarks (not part of `make test`): prints a table, writes bench/results/latest.{md,json};
# exits 1 when a target is missed.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

# Where the CPU time per update goes, step by step from the echo bot to CrampBot:
# writes bench/results/breakdown.md (about 7 minutes).
bench-breakdown: $(VENV)/.installed-bench
	$(BIN)/python bench/breakdown.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
