# The two commands: `make run` (dashboard on the embedded default) and `make test` (the whole suite).
# Each sets up what it needs: a virtual environment with the package, and the Debian packages: for
# running, Chromium (the report's charts) and a Chinese font (the PDF); for the tests, also poppler
# (pdftoppm) and LibreOffice Calc (opens the report's workbook; about 90 MB, 30 s: docs/report.md).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# uv installs the locked environment (uv.lock); it is bootstrapped into .tools/ with the machine's
# own Python and pip, so a machine needs nothing but Python and make.
UV_VERSION := 0.13.8
UV     := .tools/bin/uv
SYNC   := $(UV) sync --locked --python $(PYTHON)
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
# Installed packages come with their bytecode: every process (a test worker, a CLI subprocess) then
# imports Streamlit, Polars and Plotly without compiling them again.
export UV_COMPILE_BYTECODE := 1
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUN_DEBS  := chromium fonts-wqy-microhei
TEST_DEBS := $(RUN_DEBS) poppler-utils libreoffice-calc-nogui

.PHONY: run test test-fast bench lock system-run-deps system-test-deps

run: $(VENV)/.run-installed system-run-deps
	$(BIN)/vendorboard serve

# The lock must match pyproject.toml; lint and format are checked by the suite (tests/test_lint.py).
# Every test, a test module (or class) per core: each module's Streamlit server and fixtures are built once.
test: $(VENV)/.test-installed system-test-deps
	$(UV) lock --check --python $(PYTHON)
	$(BIN)/pytest -n auto --dist loadscope

# The quick tests (no subprocess, server or browser) on every core, the same way: about a minute
# on two cores.
test-fast: $(VENV)/.test-installed system-run-deps
	$(BIN)/pytest -m "not slow and not browser" -n auto --dist loadscope

# Not part of `make test`: 10 M calls, about 10 minutes on 2 cores, then the scale sweeps at a tenth
# of their size (`make bench SWEEPS=` for the full sweeps, 3 M calls and up to 100 M) (docs/benchmarks.md).
SWEEPS ?= --quick
bench: $(VENV)/.bench-installed
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/sweeps.py $(SWEEPS)
	$(BIN)/python benchmarks/imports.py

# Refresh uv.lock after changing the dependencies in pyproject.toml (then commit both).
lock: $(UV)
	$(UV) lock --python $(PYTHON)

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --inexact: `make run` after `make test` keeps the test tools; every locked package is exact.
$(VENV)/.run-installed: pyproject.toml uv.lock $(UV)
	$(SYNC) --inexact --quiet
	touch $@

$(VENV)/.test-installed: pyproject.toml uv.lock $(UV)
	$(SYNC) --extra test --quiet
	touch $@ $(VENV)/.run-installed

$(VENV)/.bench-installed: pyproject.toml uv.lock $(UV)
	$(SYNC) --extra test --extra bench --quiet
	touch $@ $(VENV)/.run-installed $(VENV)/.test-installed

# system-run-deps installs RUN_DEBS, system-test-deps TEST_DEBS: only those missing.
system-run-deps system-test-deps: system-%-deps:
	@missing=""; for p in $(if $(filter run,$*),$(RUN_DEBS),$(TEST_DEBS)); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages ($*):$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
