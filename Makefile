# One entry point. `make demo` and `make test` are the README's two commands.
.PHONY: demo test test-pg check lint typecheck migrations-check bench messages vectors install

install:
	scripts/install.sh dev

demo:
	scripts/demo.sh

test:
	scripts/test.sh

test-pg:
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/keneya scripts/test.sh

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: install
	DEBUG=1 .venv/bin/mypy keneya

migrations-check: install
	DEBUG=1 .venv/bin/python manage.py makemigrations --check --dry-run

check: lint typecheck migrations-check test

bench: install
	DEBUG=1 .venv/bin/python -m bench.run

# One catalog per language, keneya/locale (the engine's English twins included): an app with its
# own locale/ directory would take its strings out of it (test_engine_texts checks there is none).
messages: install
	DEBUG=1 .venv/bin/python manage.py makemessages -l fr -l en --ignore=.venv --ignore=var --no-obsolete
	DEBUG=1 .venv/bin/python manage.py compilemessages --ignore=.venv

vectors: install
	.venv/bin/python -m keneya.clinical.vectors.export
