# The two commands of the README: `make run` and `make test`. Both set up everything they need on a
# machine with nothing but Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint lint-imports format bench clean messages healthcheck audit bandit

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,saml]"
	touch $(STAMP)

install: $(STAMP)

# The local demo: web on http://127.0.0.1:8000, a Celery worker and beat, all stopped by Ctrl-C
# (honcho sends SIGTERM, and SIGKILL to whatever still runs 5 s later).
# Settings: lms.settings.dev (manage.py's default): SQLite, the embedded broker, mail to var/mail/.
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	@echo ""
	@echo "Outgoing mail is written to files in $${LMS_VAR_DIR:-$(CURDIR)/var}/mail/ (one file per message)."
	@echo "Open http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/). Ctrl-C stops everything."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" PYTHONUNBUFFERED=1 $(BIN)/honcho -f Procfile.dev start

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Database, cache, broker and a round trip through a running worker.
healthcheck: $(STAMP)
	$(BIN)/python manage.py healthcheck

# Benchmarks print timings, never assert them; run on demand (DATABASE_URL picks the database).
bench: $(STAMP)
	for f in tests/benchmarks/bench_*.py; do \
		$(BIN)/python -m "$$(echo "$${f%.py}" | tr / .)" || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) lint-imports

# The dependency rule between the apps: import-linter's contracts in pyproject.toml.
lint-imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Security checks. bandit reads the code (CI runs it; it fails on high-severity findings).
# pip-audit asks the PyPI advisory database about the installed packages: it needs the network,
# so it runs here only, not in CI.
bandit: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r . --severity-level high --quiet

audit: bandit
	$(BIN)/pip-audit --skip-editable --progress-spinner off

clean:
	rm -rf $(VENV) var db.sqlite3* staticfiles

# Danish translations live in lms/locale/fragments/*.po (one per area); this merges and compiles them.
# Strings of JavaScript (Wagtail's admin reads them from /admin/jsi18n/, the djangojs domain) live in
# lms/locale/fragments/djangojs/*.po.
messages: $(STAMP)
	msgcat --use-first --sort-output lms/locale/fragments/*.po -o lms/locale/da/LC_MESSAGES/django.po
	msgcat --use-first --sort-output lms/locale/fragments/djangojs/*.po -o lms/locale/da/LC_MESSAGES/djangojs.po
	cd lms && ../$(BIN)/python ../manage.py compilemessages -l da
