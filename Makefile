# Two commands a newcomer needs: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck unit bench container-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/warta demo

lint: $(DEVSTAMP)
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/ruff check bot tests bench

typecheck: $(DEVSTAMP)
	$(BIN)/mypy

unit: $(DEVSTAMP)
	$(BIN)/pytest

test: $(DEVSTAMP) lint typecheck
	$(BIN)/warta check -c config.example.yaml
	$(BIN)/pytest

bench: $(DEVSTAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

container-check: $(DEVSTAMP)
	scripts/container-check

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
