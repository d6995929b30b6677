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
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -q "DejaVu Sans" || \
	  echo "PDF letters and cards need Pango and DejaVu fonts: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
	touch $@

# Outgoing mail lands in var/mail/ unless EMAIL_BACKEND is set, e.g. to
# django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST to send it for real.
run: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
# Links in mail and workbooks point where this server listens, unless AMENDS_BASE_URL says otherwise.
run: export AMENDS_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/amends migrate --noinput
	$(BIN)/amends collectstatic --noinput -v 0
	$(BIN)/amends demo --if-empty
	$(BIN)/amends duplicates_index
	$(BIN)/amends search_index
	$(BIN)/amends worker & trap 'kill $$!' EXIT; \
	HOST=$(HOST) PORT=$(PORT) scripts/serve

test: install
	scripts/test

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy amends

# Refresh the translation catalogues after changing UI strings, then compile them.
messages: install
	cd amends && ../$(BIN)/amends makemessages -l ru -l en -l hy --no-obsolete
	cd amends && ../$(BIN)/amends compilemessages
