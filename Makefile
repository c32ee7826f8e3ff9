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
	@mkdir -p "$(SIGNAGE_DATA_DIR)"
	@if [ ! -f "$(SIGNAGE_DATA_DIR)/.demo-loaded" ]; then \
		{ $(BIN)/signage init && $(BIN)/signage demo; } > "$(SIGNAGE_DATA_DIR)/demo-credentials.txt" && \
		touch "$(SIGNAGE_DATA_DIR)/.demo-loaded"; \
	else \
		$(BIN)/signage init; \
	fi
	@cat "$(SIGNAGE_DATA_DIR)/demo-credentials.txt"
	@echo
	@echo "How to log in: there are no web pages yet; call the API with a token from above, e.g."
	@echo "  curl -H 'Authorization: Bearer <token>' http://127.0.0.1:8080/api/v1/notices"
	@echo "The whole API: http://127.0.0.1:8080/api/v1/openapi.json"
	@echo "(These credentials are kept in $(SIGNAGE_DATA_DIR)/demo-credentials.txt.)"
	$(BIN)/signage serve --host 127.0.0.1 --port 8080

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check signage playlists player tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
