# make run   installs into .venv and runs the controller with sample data on SQLite in var/,
#            and a player for it (PORT=8080 by default)
# make test  installs the test dependencies into .venv and runs the whole suite

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export SIGNAGE_DATA_DIR ?= $(CURDIR)/var
PORT ?= 8080

.PHONY: run provision test lint fuzz venv clean fonts translations
comma := ,

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP) fonts
	@mkdir -p -m 700 "$(SIGNAGE_DATA_DIR)"
	@umask 077; if [ ! -f "$(SIGNAGE_DATA_DIR)/.demo-loaded" ]; then \
		{ $(BIN)/signage init && $(BIN)/signage demo; } > "$(SIGNAGE_DATA_DIR)/demo-credentials.txt" && \
		$(MAKE) --no-print-directory provision && \
		touch "$(SIGNAGE_DATA_DIR)/.demo-loaded"; \
	else \
		$(BIN)/signage init; \
		[ -f "$(SIGNAGE_DATA_DIR)/zwzx-24h.json" ] || $(MAKE) --no-print-directory provision; \
	fi
	@cat "$(SIGNAGE_DATA_DIR)/demo-credentials.txt"
	@echo
	@echo "Open http://127.0.0.1:$(PORT)/ and sign in with a user name and password from above."
	@echo "Programs use the API with a token from above, e.g."
	@echo "  curl -H 'Authorization: Bearer <token>' http://127.0.0.1:$(PORT)/api/v1/notices"
	@echo "The whole API: http://127.0.0.1:$(PORT)/api/v1/openapi.json"
	@echo "(These credentials are kept in $(SIGNAGE_DATA_DIR)/demo-credentials.txt, readable by you only.)"
	@echo
	@echo "A player for screen zwzx-24h (384x128, always on) draws into $(SIGNAGE_DATA_DIR)/frames:"
	@echo "latest.png is the panel now, frames/ one PNG per item shown (a frame from its middle)$(if $(DISPLAY), and a window at 0$(comma)0 shows it live,)."
	@$(BIN)/signage-player run \
		--provision "$(SIGNAGE_DATA_DIR)/zwzx-24h.json" --controller http://127.0.0.1:$(PORT) \
		--cache "$(SIGNAGE_DATA_DIR)/player" \
		--output "png:$(SIGNAGE_DATA_DIR)/frames" $(if $(DISPLAY),--output window:0$(comma)0) \
		> "$(SIGNAGE_DATA_DIR)/player.log" 2>&1 & \
	player=$$!; trap 'kill $$player 2>/dev/null' EXIT INT TERM; \
	$(BIN)/signage serve --host 127.0.0.1 --port $(PORT)

# The sample player's provisioning file. Writing it gives screen zwzx-24h a new token, so the
# credentials file's line for that screen is brought up to date with it.
provision: $(STAMP)
	@umask 077; token=$$($(BIN)/signage screen token zwzx-24h \
		--provision "$(SIGNAGE_DATA_DIR)/zwzx-24h.json" --controller-url http://127.0.0.1:$(PORT) | tail -n 1) && \
	if [ -f "$(SIGNAGE_DATA_DIR)/demo-credentials.txt" ]; then \
		sed "s/^\(  zwzx-24h .* token \).*/\1$$token/" "$(SIGNAGE_DATA_DIR)/demo-credentials.txt" \
			> "$(SIGNAGE_DATA_DIR)/demo-credentials.new" && \
		mv "$(SIGNAGE_DATA_DIR)/demo-credentials.new" "$(SIGNAGE_DATA_DIR)/demo-credentials.txt"; \
	fi

# A CJK font for the player: installed from Debian's packages when missing and possible.
fonts:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q . ; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y -qq fonts-wqy-zenhei >/dev/null 2>&1 || \
			{ apt-get update -qq && apt-get install -y -qq fonts-wqy-zenhei; }; \
		else \
			echo "No Chinese font found: install one (Debian/Ubuntu: sudo apt-get install fonts-wqy-zenhei)"; \
		fi; \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Fuzz the API against its OpenAPI document with schemathesis, on a real `signage serve`.
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.api_fuzz $(FUZZ_ARGS)

# After changing a text on a page: collect the texts, add the new ones to the Chinese catalog
# (translate them in signage/translations/zh_Hans_CN/LC_MESSAGES/messages.po), compile it.
# The service errors' message templates are message ids too (signage/errors.py).
ERROR_KEYWORDS = $(foreach e,ServiceError InvalidInput BadRequest Unauthenticated PermissionDenied NotFound Conflict PayloadTooLarge UnsupportedMediaType TooManyAttempts KeyProblem PreviewUnavailable Said WeeklySpecError,-k $(e))

translations: $(STAMP)
	@mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k N_ $(ERROR_KEYWORDS) --no-location -w 100 -o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d signage/translations -l zh_Hans_CN -N -w 100 --ignore-obsolete
	$(BIN)/pybabel compile -d signage/translations -l zh_Hans_CN

lint: $(STAMP)
	$(BIN)/ruff check signage playlists player tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
