# Self-documenting: `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# Jupyter, IPython and Matplotlib keep their state here, not in the home folder.
STATE := $(CURDIR)/.cache
export JUPYTER_CONFIG_DIR := $(STATE)/jupyter/config
export JUPYTER_DATA_DIR := $(STATE)/jupyter/data
export IPYTHONDIR := $(STATE)/ipython
export MPLCONFIGDIR := $(STATE)/matplotlib
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help all setup browser data figures report test test-fast bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

all: setup report ## set up a fresh machine and run the main job (data, figures, executed notebooks, HTML)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,distributed,query]"
	touch $@

setup: $(VENV)/.installed ## create .venv and install the package with its test extras

browser: ## install headless Chromium and its driver from Debian's packages (for the browser tests; needs root)
	apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver

data: setup ## build the corpus tables in data/processed
	$(PY) -m analysis data

figures: setup ## draw every paper figure into reports/figures
	$(PY) -m analysis figures

report: setup ## build data, execute every notebook in place, write HTML reports
	$(PY) -m analysis report

test: setup ## run every test, the notebooks included (nbval)
	$(PY) -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env

test-fast: setup ## run the tests without the slow ones and without notebooks
	$(PY) -m pytest -p no:cacheprovider -m "not slow" tests

bench: setup ## run the benchmark scripts (ratios measured side by side)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script; done

clean: ## delete the derived tables (they are rebuilt from data/raw)
	find data/processed -mindepth 1 ! -name README.md -delete
