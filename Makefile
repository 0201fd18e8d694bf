# nianbao: `make demo` runs the main job on bundled material, `make test` runs the tests.
# Both set everything up on a fresh machine (system packages, .venv, the project).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
SYSTEM := $(VENV)/.system-packages

.PHONY: demo test bench fixtures lint setup clean

setup: $(SYSTEM) $(STAMP)

$(SYSTEM): scripts/system-packages.sh
	@bash scripts/system-packages.sh
	@mkdir -p $(VENV) && touch $@

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (Python 3.11 is required)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the project into $(VENV) (log: $(VENV)/install.log)"
	@( $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[dev,ocr]' ) \
		> $(VENV)/install.log 2>&1 || { tail -n 30 $(VENV)/install.log; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $@

demo: setup
	PYTHONPATH=$(CURDIR) $(BIN)/nianbao demo

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

# ruff, then the type checker (configured in pyproject.toml); CI runs both (.ci/run)
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Rebuild tests/fixtures/formats from the real reports (needs LibreOffice and poppler).
fixtures: setup
	$(BIN)/python tests/fixtures/formats/build.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
