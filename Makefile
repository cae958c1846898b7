# The two commands: `make run` (dashboard on the embedded default) and `make test` (the whole suite).
# Each sets up what it needs: a virtual environment with the package, and the Debian packages: for
# running, Chromium (the report's charts) and a Chinese font (the PDF); for the tests, also poppler
# (pdftoppm) and LibreOffice Calc (opens the report's workbook; about 90 MB, 30 s: docs/report.md).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUN_DEBS  := chromium fonts-wqy-microhei
TEST_DEBS := $(RUN_DEBS) poppler-utils libreoffice-calc-nogui

.PHONY: run test test-fast bench system-run-deps system-test-deps

run: $(VENV)/.run-installed system-run-deps
	$(BIN)/vendorboard serve

test: $(VENV)/.test-installed system-test-deps
	$(BIN)/pytest

test-fast: $(VENV)/.test-installed system-run-deps
	$(BIN)/pytest -m "not slow and not browser"

# Not part of `make test`: 10 M calls, about 10 minutes on 2 cores (docs/benchmarks.md).
bench: $(VENV)/.bench-installed
	$(BIN)/python benchmarks/run.py

$(VENV)/.venv-created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.run-installed: pyproject.toml $(VENV)/.venv-created
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.venv-created
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.venv-created
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.run-installed

# system-run-deps installs RUN_DEBS, system-test-deps TEST_DEBS: only those missing.
system-run-deps system-test-deps: system-%-deps:
	@missing=""; for p in $(if $(filter run,$*),$(RUN_DEBS),$(TEST_DEBS)); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages ($*):$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
