# Fangkong: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= $(or $(FANGKONG_PORT),8000)
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install migrate demo messages format clean check-deploy

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_divisions
	$(BIN)/python manage.py demo

run: demo
	@echo
	@echo "Fangkong is starting on http://127.0.0.1:$(PORT)/  (log in with a demo user above)"
	@echo "API docs: http://127.0.0.1:$(PORT)/api/v1/docs   Stop with Ctrl-C."
	@echo "The task worker (alert SMS, scheduled work) runs beside it; its output is in var/worker.log."
	@$(BIN)/python manage.py alerts_sweep --schedule
	@mkdir -p var; $(BIN)/python manage.py db_worker --interval 2 --no-reload >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Tests run on SQLite by default; set FANGKONG_DATABASE_URL for PostgreSQL.
test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy fangkong e2e benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/vendor_static.py --check
	$(BIN)/python scripts/compile_messages.py --check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python benchmarks/run.py

# One catalogue for the foundation (fangkong/locale) and one per domain app (fangkong/<app>/locale).
DOMAIN_APPS := directives returnees checkpoints passes community assistance alerts
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-location --ignore '.venv/*' --ignore 'var/*' \
		--ignore 'static/vendor/*' $(foreach app,$(DOMAIN_APPS),--ignore 'fangkong/$(app)/*')
	for app in $(DOMAIN_APPS); do if [ -d fangkong/$$app/locale ]; then \
		(cd fangkong/$$app && ../../$(BIN)/python ../../manage.py makemessages -l zh_Hans --no-location); fi; done
	$(BIN)/python scripts/compile_messages.py

check-deploy: install
	FANGKONG_DEBUG=0 FANGKONG_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	FANGKONG_ALLOWED_HOSTS=fangkong.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .mypy_cache .ruff_cache
