# The two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs only what running needs; `make test` adds the test tools.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test install install-dev migrate seed lint i18n messages worker beat bench-import bench-dashboard clean

$(RUN_STAMP): requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP) requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(STAMP)

install: $(RUN_STAMP)

install-dev: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate messages
	$(BIN)/python manage.py seed_demo

## make run: install, migrate, seed the demo company, serve on http://127.0.0.1:$(PORT) (PORT=8000)
run: seed messages
	@echo ""
	@echo "  kgiapp is running at http://127.0.0.1:$(PORT)/demo/"
	@echo "  Log in as demo-admin, demo-executive, demo-manager, demo-member or demo-viewer (password: demo)"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: ruff, import layers, migrations check, complete Japanese translation, then the whole pytest suite
test: install-dev messages
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python bin/check_translations.py
	$(BIN)/python -m pytest

## compile locale/ja (the .mo is built, not committed)
messages: install
	$(BIN)/python manage.py compilemessages -l ja --ignore=.venv -v0

## refresh locale/ja/LC_MESSAGES/django.po from the code (then translate the new entries)
i18n: install
	$(BIN)/python manage.py makemessages -l ja --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

worker:
	$(BIN)/celery -A kgiapp worker -l info
beat:
	$(BIN)/celery -A kgiapp beat -l info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
