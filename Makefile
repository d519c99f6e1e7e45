# Asisten Kota: `make run` starts everything on embedded defaults; `make test` proves it works.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# pyenv shims answer `python3.10` even when it is not the selected version, so ask it to run.
PY311 ?= $(shell for p in python3.11 $$HOME/.pyenv/versions/3.11.*/bin/python3.11; do $$p -c '' 2>/dev/null && { echo $$p; break; }; done)
PY310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10.*/bin/python3.10; do $$p -c '' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: browser help setup run run-cluster audit test lint typecheck validate train index db pytest story-test nlu-test bench bench-real bench-conversations clean

help:
	@echo "make run    - set up everything and start the assistant (web chat on http://localhost:8080/)"
	@echo "make test   - set up everything and run lint, type checks, data validation, pytest and story tests"
	@echo "make bench  - print benchmark figures"
	@echo "make bench-conversations - scripted multi-turn citizens against a fresh stack (add ARGS=--show for transcripts)"

$(VENV)/.installed: requirements/app.lock
	@test -n "$(PY311)" || { echo "python3.11 is needed (e.g. pyenv install 3.11)"; exit 1; }
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install -q "pip>=23,<26"
	# torch first and exactly 2.13.0: any other spec pulls a multi-GB CUDA build here.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements/app.lock
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt
	@test -n "$(PY310)" || { echo "python3.10 is needed for Rasa 3.6 (e.g. pyenv install 3.10)"; exit 1; }
	test -x $(RASA_VENV)/bin/python || $(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q "pip>=23,<25"
	$(RASA_VENV)/bin/python -m pip install -q -r requirements/rasa.txt
	touch $@

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`, which
# downloads a browser build this network cannot reach).
browser:
	@test -x /usr/bin/chromium || { if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and this is not root: browser tests will skip"; fi; }

.env: .env.example | $(VENV)/.installed
	$(PY) -m citybot.cli init-env

setup: $(VENV)/.installed $(RASA_VENV)/.installed .env
	@mkdir -p var

train: setup
	$(PY) -m citybot.cli train

index: setup
	$(PY) -m citybot.retrieval build

db: setup
	$(PY) -m citybot.backend migrate
	$(PY) -m citybot.backend seed

run: train index db
	$(VENV)/bin/honcho start -f Procfile

# Cluster mode (docs/cluster.md): two Rasa servers, PostgreSQL everywhere, Redis lock store.
# `-e /dev/null`: honcho would let .env override these; pydantic-settings still reads .env for the rest.
CLUSTER_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432
CLUSTER_ENV = DATABASE_URL=$(CLUSTER_PG)/asisten_kota GATEWAY_DATABASE_URL=$(CLUSTER_PG)/asisten_kota_gateway \
	TRACKER_STORE_URL=$(CLUSTER_PG)/asisten_kota_tracker RASA_LOCK_STORE=redis \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} RASA_URLS=http://127.0.0.1:5005,http://127.0.0.1:5006
run-cluster: train index
	env $(CLUSTER_ENV) $(PY) -m bench._common create-databases
	env $(CLUSTER_ENV) $(PY) -m citybot.backend migrate
	env $(CLUSTER_ENV) $(PY) -m citybot.backend seed
	env $(CLUSTER_ENV) $(VENV)/bin/honcho start -f Procfile.cluster -e /dev/null

# Known vulnerabilities in both environments; accepted findings are listed in docs/security.md.
audit: setup
	$(PY) -m tests.security.audit

lint: setup
	$(VENV)/bin/ruff check citybot actions tests bench

typecheck: setup
	$(VENV)/bin/mypy citybot actions

validate: setup
	$(RASA) data validate --config config.yml --domain bot/domain --data bot/data nlu_data
	$(PY) -m citybot.retrieval validate knowledge

pytest: train index browser
	$(PY) -m pytest -q tests

story-test: train
	$(RASA) test core --model models/asisten-kota.tar.gz --stories tests/stories --fail-on-prediction-errors --out var/results/core

nlu-test: setup
	$(RASA) test nlu --config config.yml --nlu nlu_data --cross-validation --folds 3 --out var/results/nlu

# Story results come last so the run ends with pytest's summary and the Rasa story results.
test: audit lint typecheck validate pytest story-test

bench: train index db
	$(PY) bench/backend.py
	$(PY) bench/retrieval.py
	$(PY) bench/load.py
	$(MAKE) --no-print-directory bench-real
	$(MAKE) --no-print-directory bench-conversations

# Real citizens' messages (../shared/real_dev, issue 18) as first messages to a fresh stack:
# the held-back 30 % first (the figure that counts), then the part used for error analysis.
bench-real: train index db
	$(PY) bench/real_messages.py --split held_out
	$(PY) bench/real_messages.py --split dev

# Scripted multi-turn citizens in the walkthrough personas' styles (issue 19), on a fresh stack:
# completed yes/no and turns used against the minimum per conversation.
bench-conversations: train index db
	$(PY) bench/conversations.py $(ARGS)

clean:
	rm -rf var/results .mypy_cache .ruff_cache .pytest_cache
