# The two commands a newcomer needs: `make run` and `make test`.
# Every install takes its versions from requirements.lock (the whole dependency tree, pinned),
# so a fresh clone installs exactly what was tested. `make lock` moves the pins on purpose.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock
ARGS   ?=
# pip reads the lock as constraints, also inside the isolated environment that builds the package.
PIP    := PIP_CONSTRAINT=$(CURDIR)/$(LOCK) $(BIN)/python -m pip install --quiet

.PHONY: run test check format bench clean crash fuzz load cluster reliability lock relock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) pip

# Re-install whenever pyproject.toml or the lock changes.
$(VENV)/.installed-run: pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) -e '.[test,bench]'
	touch $@ $(VENV)/.installed-run $(VENV)/.installed-test

run: $(VENV)/.installed-run
	$(BIN)/droidledger serve --sim 4 $(ARGS)

# The whole suite: what CI runs (.ci/run).
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q $(ARGS)

# The fast tier for the edit-test loop: every test not marked slow (end to end, reliability, browser).
# Formatting and lint (ruff, configured in pyproject.toml) first: `make format` fixes what it can.
check: $(VENV)/.installed-test
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .
	$(BIN)/python -m pytest -q -m "not slow" $(ARGS)

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The five benchmarks in quick mode (each under 2 minutes); see bench/README.md.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/append.py --quick
	$(BIN)/python bench/api.py --quick
	$(BIN)/python bench/replay.py --quick
	$(BIN)/python bench/devices.py --quick
	$(BIN)/python bench/stream.py --quick

# Long forms of tests/reliability (bench/RELIABILITY.md); each ends with one JSON line of figures.
crash: $(VENV)/.installed-test
	$(BIN)/python bench/crash.py --rounds 20 $(ARGS)

fuzz: $(VENV)/.installed-test
	$(BIN)/python bench/fuzz.py --per-operation 100 $(ARGS)

load: $(VENV)/.installed-test
	$(BIN)/python bench/load.py --clients 100 --seconds 60 $(ARGS)

# Agents on PostgreSQL (127.0.0.1:5432, database test) with random kills and pauses (docs/agents.md).
cluster: $(VENV)/.installed-test
	$(BIN)/python bench/cluster.py --agents 3 --phones 5 --minutes 3 $(ARGS)

reliability: crash fuzz load

# The lock: every package of every extra, for every platform, pinned. uv writes it; pip reads it.
UV_COMPILE = printf 'pip\nsetuptools>=77\nuv\n' | $(BIN)/uv pip compile pyproject.toml - --all-extras \
	--universal --python-version 3.11 --quiet \
	--custom-compile-command "make lock" -o $(LOCK)

$(BIN)/uv: | $(BIN)/python
	$(PIP) uv

# Move every pin to the newest release allowed by pyproject.toml. Commit it on its own, after make test.
lock: $(BIN)/uv
	$(UV_COMPILE) --upgrade

# Pin what pyproject.toml newly asks for, keeping every other pin as it is.
relock: $(BIN)/uv
	$(UV_COMPILE)

clean:
	rm -rf $(VENV) build *.egg-info
