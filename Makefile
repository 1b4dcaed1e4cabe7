# Outlay: two commands. `make run` starts the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
DB := $(or $(OUTLAY_DB),data/outlay.duckdb)
PORT ?= 8501

.PHONY: run test test-fast test-pages lint setup db bench clean messages

# the pages and the HTTP API on 127.0.0.1 (ADDRESS=0.0.0.0 to share it, once accounts exist: see README)
ADDRESS ?= 127.0.0.1
run: setup db
	$(PY) -m analytics serve --port $(PORT) --address $(ADDRESS) --db "$(DB)"

# the whole suite: unit, metric cross-checks, every page (AppTest) and the browser tests
test: setup db lint
	$(PY) -m pytest

# the fast tier: unit tests and metric cross-checks (no pages, no browser, no slow cross-check companies)
test-fast: setup
	$(PY) -m pytest -m "not apptest and not browser and not slow" -q

test-pages: setup
	$(PY) -m pytest -m "apptest or browser"

lint: setup
	$(VENV)/bin/ruff check .

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# the demo company, only when no database exists yet (never overwrites your data)
db: setup
	@test -f "$(DB)" || $(PY) -m analytics demo --db "$(DB)"

# the languages: extract the messages of the code into analytics/locale/outlay.pot and merge it into every .po
messages: setup
	$(PY) -m analytics.i18n update

bench: setup
	$(PY) -m analytics bench --rows 1000000

clean:
	rm -rf $(VENV) data/bench
