# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: run test bench clean crash fuzz load reliability

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/droidledger serve --sim 4 $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q $(ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed-run

# The four benchmarks in quick mode (each under 2 minutes); see bench/README.md.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/append.py --quick
	$(BIN)/python bench/api.py --quick
	$(BIN)/python bench/replay.py --quick
	$(BIN)/python bench/devices.py --quick

# Long forms of tests/reliability (bench/RELIABILITY.md); each ends with one JSON line of figures.
crash: $(VENV)/.installed-test
	$(BIN)/python bench/crash.py --rounds 20 $(ARGS)

fuzz: $(VENV)/.installed-test
	$(BIN)/python bench/fuzz.py --per-operation 100 $(ARGS)

load: $(VENV)/.installed-test
	$(BIN)/python bench/load.py --clients 100 --seconds 60 $(ARGS)

reliability: crash fuzz load

clean:
	rm -rf $(VENV) build *.egg-info
