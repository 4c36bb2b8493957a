# The two commands: `make run` and `make test`. Everything else is a step of one of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
PACKAGES := shared_kernel building_blocks accounts_payments compliance cards
COVERAGE_MIN ?= 80

# uv is installed with pip into a private tool venv when it is not on PATH.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# Trust the platform's certificate store (as pip and curl do), e.g. behind a TLS proxy.
export UV_SYSTEM_CERTS ?= 1
RUN := $(UV) run --frozen --all-packages
# The browser test drives this Chromium (Debian's package; Playwright downloads no browser).
export CHROMIUM_PATH ?= /usr/bin/chromium

.PHONY: help install run run-postgres test lint format typecheck imports browsers pytest coverage-gates bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)  ## install uv (if absent) and the whole workspace
	$(UV) sync --frozen --all-packages

run: install  ## start the three services in one process on embedded defaults
	SANDBOX_ENABLED=$${SANDBOX_ENABLED:-true} $(RUN) python -m scripts.run_embedded

test: install lint typecheck imports browsers pytest coverage-gates  ## everything in the quality bar

lint:  ## ruff lint and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format:  ## apply ruff's fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

typecheck:  ## mypy --strict on all source
	$(RUN) mypy

imports:  ## import-linter layer and independence contracts
	$(RUN) lint-imports

# Root needs no sudo; anyone else needs password-less sudo (CI). Never reads standard input.
# A failed install does not stop the run: the browser test then fails and says what to do.
browsers:  ## install Debian's chromium for the browser test when CHROMIUM_PATH is absent
	@if [ -x "$(CHROMIUM_PATH)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "browsers: not root and no password-less sudo: cannot install chromium" >&2; exit 0; fi; \
	echo "browsers: installing chromium with apt-get"; \
	{ $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } </dev/null \
	|| echo "browsers: could not install chromium: run 'sudo apt-get install chromium'" \
	        "or set CHROMIUM_PATH to a Chromium binary" >&2

pytest:  ## unit, integration and system tests with coverage
	$(RUN) pytest --cov --cov-report=xml:coverage.xml --cov-report=term $(PYTEST_ARGS)

coverage-gates:  ## at least $(COVERAGE_MIN)% line+branch coverage for each package
	@set -e; for pkg in $(PACKAGES); do \
	  echo "coverage of $$pkg:"; \
	  $(RUN) coverage report --include="*/$$pkg/*" --fail-under=$(COVERAGE_MIN) --format=total; \
	done

bench: install  ## benchmarks under bench/, as ratios against a baseline measured in the same run
	$(RUN) python -m bench

clean:
	rm -rf .venv .tools var .coverage coverage.xml .pytest_cache .mypy_cache .ruff_cache
