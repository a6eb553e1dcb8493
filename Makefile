# Coachline: `make run` sets everything up and serves the app; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi
# Models come from installed packages; never reach for a model hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TRANSFORMERS_VERBOSITY := error

.PHONY: setup run test pytest lint db demo bench clean i18n-extract i18n-update i18n-compile

setup: $(STAMP) db i18n-compile

# The lock pins the whole tree and installs without resolving (--no-deps), so a fresh machine gets
# exactly what was tested; torch==2.13.0 resolves to the local CPU wheel.
$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	touch $@

db: $(STAMP)
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load

run: setup demo
	@$(BIN)/flask demo logins
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C stops)"
	@# gunicorn, not the development server; uploads are transcribed inline, hence the long timeout.
	$(BIN)/gunicorn --workers 2 --threads 4 --timeout 600 --bind 127.0.0.1:5000 --access-logfile - wsgi:app

test: setup lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite without lint: CI's second pass on PostgreSQL (QA_TEST_DATABASE_URL) runs this.
pytest: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Interface translations (Flask-Babel): extract the strings marked with _() from Python and
# templates, merge them into each language's catalogue, compile the catalogues the app reads.
# The .po files are under version control; the compiled .mo files are built here.
TRANSLATIONS := qa/translations
i18n-extract: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o $(TRANSLATIONS)/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

i18n-compile: $(STAMP)
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

bench: $(STAMP)
	$(BIN)/python bench/transcription.py --quick
	$(BIN)/python bench/autoqa.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache
