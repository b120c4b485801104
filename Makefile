# The two commands of the README: `make run` and `make test`; `make serve` for production.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install serve backup restore

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_curated
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production: DEBUG=0 and gunicorn's threaded workers (gunicorn.conf.py); needs SECRET_KEY and
# ALLOWED_HOSTS (and DATABASE_URL for PostgreSQL) in the environment.
serve: install
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 $(BIN)/gunicorn alliance.wsgi:application --config gunicorn.conf.py

# A backup of the database while the site runs (backups/…), and its restore: make restore FILE=…
backup: install
	$(BIN)/python manage.py backup_database

restore: install
	$(BIN)/python manage.py restore_database "$(FILE)" --yes

test: install
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)
