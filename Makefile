# Barista: two commands do all the set-up.
#   make run    create .venv, install, start the dashboard on http://127.0.0.1:8080
#   make test   create .venv with test extras, make sure Chromium is there, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=
# pytest-xdist workers for the non-browser tests (one per CPU; PYTEST_WORKERS=0 runs them in-process)
PYTEST_WORKERS ?= auto

.PHONY: run test install install-test chromium lint format bench clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed-run: requirements.lock pyproject.toml | $(BIN)/uv
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --compile-bytecode -r requirements.lock
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock pyproject.toml | $(BIN)/uv
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --compile-bytecode -r requirements-test.lock
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/python main.py

chromium:
	@if [ -x "$(CHROMIUM)" ]; then echo "chromium: $(CHROMIUM)"; \
	else echo "installing Debian's chromium (Playwright cannot download browsers here)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	  [ -x "$(CHROMIUM)" ] || { echo "chromium not found at $(CHROMIUM); set CHROMIUM=/path/to/chromium"; exit 1; }; fi

# Browser tests run in their own pytest call, in one process: sync Playwright breaks later
# asyncio tests. The others run in parallel, a test file per worker at a time.
test: install-test chromium
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	BARISTA_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)
	BARISTA_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -m browser $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc = 5 ]; then echo "no browser tests collected"; rc=0; fi; exit $$rc

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-test chromium
	for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache .import_linter_cache
