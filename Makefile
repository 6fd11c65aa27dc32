# Self-documenting: `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
PY := $(VENV)/bin/python
# Every package at one version, with hashes (Linux, Python 3.11); `make lock` writes it with uv.
LOCK := requirements.lock
PIP := $(PY) -m pip --quiet --disable-pip-version-check
# Jupyter, IPython and Matplotlib keep their state here, not in the home folder.
STATE := $(CURDIR)/.cache
export JUPYTER_CONFIG_DIR := $(STATE)/jupyter/config
export JUPYTER_DATA_DIR := $(STATE)/jupyter/data
export IPYTHONDIR := $(STATE)/ipython
export MPLCONFIGDIR := $(STATE)/matplotlib
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# The state folder must exist: IPython warns and falls back to a temporary folder when it does not.
$(shell mkdir -p $(IPYTHONDIR))

.PHONY: help all setup lock browser data figures report test test-fast check-fresh bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

all: setup report ## set up a fresh machine and run the main job (data, figures, executed notebooks, HTML)

$(VENV)/.installed: $(LOCK) pyproject.toml
	@echo "setup: $(VENV) with the packages of $(LOCK)"
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "setup: $(LOCK) is for Python 3.11; run make PYTHON=python3.11")'
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --require-hashes --no-deps --only-binary :all: -r $(LOCK)
	@$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

setup: $(VENV)/.installed ## create .venv and install the locked packages and the package itself

lock: setup ## re-resolve $(LOCK) and environment.yml from pyproject.toml (UPGRADE=1: newest versions)
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --group dev --generate-hashes --quiet \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" \
		$(if $(UPGRADE),--upgrade) -o $(LOCK)
	{ sed -n '1,/^  - pip:$$/p' environment.yml; \
	  sed -nE 's/^([A-Za-z0-9._-]+==[^ ;]+).*/      - \1/p' $(LOCK); echo "      - -e ."; } > environment.yml.tmp
	mv environment.yml.tmp environment.yml

browser: ## install headless Chromium and its driver from Debian's packages (for the browser tests; needs root)
	apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver

data: setup ## build the corpus tables in data/processed
	$(PY) -m analysis data

figures: setup ## draw every paper figure into reports/figures
	$(PY) -m analysis figures

report: setup ## build data, execute every notebook in place, write HTML reports
	$(PY) -m analysis report

# Tests run on every core (pytest-xdist, at most four workers); a notebook's cells stay together in one
# worker, in order (--dist loadscope: one test module or notebook per unit of work).
PARALLEL := -n auto --maxprocesses 4 --dist loadscope

test: setup data ## run every test, the notebooks included (nbval), and the linter (tables built first, on every core)
	$(PY) -m pytest -p no:cacheprovider $(PARALLEL) --nbval-lax --nbval-current-env
	$(PY) -m ruff check --quiet .

test-fast: setup data ## run the tests without the slow ones and without notebooks
	$(PY) -m pytest -p no:cacheprovider $(PARALLEL) -m "not slow" tests

check-fresh: setup ## run the main command; fail if a committed notebook, figure or manifest changed
	$(PY) -m analysis report
	@changed=$$(git status --porcelain --untracked-files=all -- notebooks reports); \
	if [ -n "$$changed" ]; then \
		echo "check-fresh: the main command changed these committed outputs:"; echo "$$changed"; \
		git --no-pager diff --stat -- notebooks reports; exit 1; fi
	@echo "check-fresh: every committed notebook, figure and manifest is reproduced byte for byte"

bench: setup ## run the benchmark scripts (ratios measured side by side)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script; done

clean: ## delete the derived tables (they are rebuilt from data/raw)
	find data/processed -mindepth 1 ! -name README.md -delete
