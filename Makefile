# Two commands do all set-up on a fresh machine:
#   make demo   create .venv, install genenvs, train a baseline on MolGen-v0 (CPU) and print its result
#   make test   create .venv, install genenvs, run the test suite
#
# CI (.ci/run) calls `make test`.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: demo test install system-deps clean

$(STAMP): pyproject.toml
	bash scripts/install_system_deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/install_system_deps.sh

demo: $(STAMP)
	$(PY) -m baselines.demo

test: $(STAMP)
	$(PY) -m pytest -n $(JOBS) -q

clean:
	rm -rf $(VENV) .pytest_cache runs
