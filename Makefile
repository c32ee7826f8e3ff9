# make run   installs into .venv and runs the controller with sample data on SQLite in var/
# make test  installs the test dependencies into .venv and runs the whole suite

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export SIGNAGE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/signage init
	@if [ ! -f "$(SIGNAGE_DATA_DIR)/.demo-loaded" ]; then \
		$(BIN)/signage demo > "$(SIGNAGE_DATA_DIR)/demo-credentials.txt" && \
		touch "$(SIGNAGE_DATA_DIR)/.demo-loaded"; \
	fi
	@cat "$(SIGNAGE_DATA_DIR)/demo-credentials.txt"
	$(BIN)/signage serve --host 127.0.0.1 --port 8080

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check signage playlists player tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
