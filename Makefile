PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint messages

install: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

# Outgoing mail lands in var/mail/ unless EMAIL_BACKEND is set, e.g. to
# django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST to send it for real.
# Two threads a process: each thread keeps its own database connection, and more threads only
# waited on each other (API intake 307–314/s with granian's default pool, 359–463/s with two).
# Ctrl-C reaches granian's workers as well as granian, and some then miss the stop (granian 2.8.7):
# --workers-kill-timeout kills a worker still running 5 s after the stop.
run: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
run: install
	$(BIN)/amends migrate --noinput
	$(BIN)/amends collectstatic --noinput -v 0
	$(BIN)/amends demo --if-empty
	$(BIN)/amends duplicates_index
	$(BIN)/amends worker & trap 'kill $$!' EXIT; \
	$(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) --workers 3 --blocking-threads 2 --access-log --workers-kill-timeout 5 config.wsgi:application

test: install
	scripts/test

lint: install
	$(BIN)/ruff check .

# Refresh the translation catalogues after changing UI strings, then compile them.
messages: install
	cd amends && ../$(BIN)/amends makemessages -l ru -l en -l hy --no-obsolete
	cd amends && ../$(BIN)/amends compilemessages
