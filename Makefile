# Two entry points: `make run` (install + start the bot) and `make test` (install + run every test).
# Only Python 3.11+ and make are needed; everything else is installed into .venv, at the exact
# versions in requirements.lock (the bot) and requirements-dev.lock (the bot, tests and benchmarks).
# pyproject.toml keeps the ranges; `make lock` picks the newest versions inside them again.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: run test console eval check lock bench bench-instances bench-breakdown clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The locked packages first, then the bot itself without resolving anything again.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.installed-test $(VENV)/.installed-bench: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(PIP) install -r requirements-dev.lock
	$(PIP) install --no-deps -e .
	touch $(VENV)/.installed $(VENV)/.installed-test $(VENV)/.installed-bench

run: $(VENV)/.installed
	$(BIN)/crampbot

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

console: $(VENV)/.installed
	$(BIN)/crampbot console

eval: $(VENV)/.installed
	$(BIN)/crampbot eval

# Lint (ruff, rules in pyproject.toml), types (mypy, likewise) and the content's own checks.
check: $(VENV)/.installed-test
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy
	$(BIN)/crampbot knowledge check

# Regenerate both lock files in a scratch virtualenv: the newest versions pyproject.toml allows
# (the dev lock adds the test and bench extras to the same runtime versions). Review the diff.
LOCKENV := build/lockenv
LOCKPIP := $(LOCKENV)/bin/python -m pip --quiet --disable-pip-version-check
LOCKED   = $(LOCKPIP) freeze --exclude-editable
lock:
	rm -rf $(LOCKENV)
	$(PYTHON) -m venv $(LOCKENV)
	$(LOCKPIP) install -e .
	{ echo '# What the bot needs to run (make run). Exact versions inside the ranges in pyproject.toml,'; \
	  echo '# written by `make lock` (Python 3.11, Linux): regenerate, do not edit by hand.'; $(LOCKED); } > requirements.lock
	$(LOCKPIP) install -e '.[test,bench]'
	{ echo '# The bot, its tests and benchmarks (make test, make check, make bench): the same runtime versions as'; \
	  echo '# requirements.lock plus the test and bench extras, written by `make lock` (Python 3.11, Linux):'; \
	  echo '# regenerate, do not edit by hand.'; $(LOCKED); } > requirements-dev.lock
	rm -rf $(LOCKENV)

# Benchmarks (not part of `make test`; docs/benchmarks.md): prints a table, writes
# bench/results/latest.{md,json}; exits 1 when a target is missed (a few minutes).
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

# Webhook mode with one and three instances, on SQLite and PostgreSQL, and the time to take over after an
# instance is killed (needs PostgreSQL's server binaries): writes bench/results/instances.md (about 3 minutes).
bench-instances: $(VENV)/.installed-bench
	$(BIN)/python bench/instances.py

# Where the CPU time per update goes, step by step from the echo bot to CrampBot:
# writes bench/results/breakdown.md (about 6 minutes).
bench-breakdown: $(VENV)/.installed-bench
	$(BIN)/python bench/breakdown.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
