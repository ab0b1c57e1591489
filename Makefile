# The two commands of the README: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format bench clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,saml]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var db.sqlite3* staticfiles

# Danish translations live in lms/locale/fragments/*.po (one per area); this merges and compiles them.
messages: $(STAMP)
	msgcat --use-first --sort-output lms/locale/fragments/*.po -o lms/locale/da/LC_MESSAGES/django.po
	cd lms && ../$(BIN)/python ../manage.py compilemessages -l da
