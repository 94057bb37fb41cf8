# Journey Bot: the single entry point for people and CI.
#   make run    install if needed, train if the model is missing or older than the data, start the bot
#   make test   everything CI checks
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV     := .venv
PY       := $(VENV)/bin/python
RASA     := $(VENV)/bin/rasa
MODEL    := models/journey.tar.gz
SIGNAL   := models/journey_signal.pkl
PHASE    := models/journey_phase.pkl
WIDGET   := website/node_modules/rasa-webchat/lib/index.js
EVAL_DIR ?= ../shared/eval
TRAINING_DATA := data/nlu data/rules
TRAINING_FILES := config.yml $(shell find domain $(TRAINING_DATA) -name '*.yml' 2>/dev/null)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)

.PHONY: help install install-dev browser services content run run-cluster shell train test lint unit validate nlu-test conversation-test eval eval-dev eval-answers bench-nlu bench-load bench-dashboard clean

help:
	@echo "make run     start the bot (installs and trains when needed)"
	@echo "make run-cluster  the same with PostgreSQL, Redis, nginx and 2 Rasa replicas (docs/deploy.md)"
	@echo "make test    run every check CI runs"
	@echo "make shell   chat with the bot in the terminal"
	@echo "make train   train the model (only if data changed)"
	@echo "make content check data/content/ and load it into the database"
	@echo "make eval    score the bot on $(EVAL_DIR)/conversations.yml"
	@echo "make bench-nlu  compare config.yml with Rasa's stock config (slow)"
	@echo "make bench-load load benchmark, ours against stock rasa init (about 10 min)"
	@echo "make bench-dashboard  the journey dashboard over 100,000 generated conversations"

install: $(VENV)/.installed $(WIDGET)
$(VENV)/.installed: requirements.txt requirements.lock scripts/setup.sh scripts/find_python.sh
	bash scripts/setup.sh requirements.txt
	@touch $@

# The website's chat widget (rasa-webchat, pinned in website/package-lock.json), from npm.
$(WIDGET): website/package.json website/package-lock.json scripts/install_widget.sh
	bash scripts/install_widget.sh
	@touch $@

# Debian's Chromium for the browser test (installed with apt when missing).
browser:
	@bash scripts/ensure_chromium.sh

# Debian's PostgreSQL, Redis and nginx for cluster mode and its tests (installed with apt when missing; the
# tests start their own servers in temporary directories).
services:
	@bash scripts/ensure_services.sh

install-dev: $(VENV)/.installed-dev
$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	bash scripts/setup.sh requirements-dev.txt
	@touch $@

train: $(MODEL) $(SIGNAL) $(PHASE)
# The learned journey signal (bot/journey/signals.py) from data/journey/examples/, in seconds (the folder itself is a
# prerequisite too, so that a removed example file retrains it).
$(SIGNAL): data/journey/examples $(wildcard data/journey/examples/*.yml) bot/journey/signals.py bot/journey/evidence.py bot/text.py \
	  bot/content/schemas/base.py bot/content/schemas/journey.py bot/journey/vocabulary.py requirements.lock | $(VENV)/.installed
	$(PY) -m bot.journey.signals train --out $@

# The conversation phase model (bot/journey/phase_model.py) from data/journey/conversations/, each message read by
# the trained Rasa model and the signal (about a minute).
$(PHASE): $(MODEL) $(SIGNAL) data/journey/conversations $(wildcard data/journey/conversations/*.yml) \
	  data/journey/evidence.yml data/content/questions.yml $(wildcard bot/journey/*.py) | $(VENV)/.installed
	$(PY) -m bot.journey.phase_model train --out $@

$(MODEL): $(TRAINING_FILES) | $(VENV)/.installed
	$(RASA) train --config config.yml --domain domain --data $(TRAINING_DATA) \
	  --out models --fixed-model-name journey
	@touch $@

# Check data/content/ and load it into the database (a no-op when nothing changed).
content: install
	$(PY) -m bot.catalogue.loader

run: $(MODEL) $(SIGNAL) $(PHASE) content
	$(PY) -m bot.launcher run

# Cluster mode (docs/deploy.md): PostgreSQL, Redis, nginx, RASA_REPLICAS Rasa servers, ACTION_REPLICAS action
# servers, web app and worker, on the same addresses as `make run`.
run-cluster: $(MODEL) $(SIGNAL) $(PHASE) content services
	$(PY) -m bot.launcher run-cluster

shell: $(MODEL) $(SIGNAL) $(PHASE) content
	$(PY) -m bot.launcher shell

eval: $(MODEL) $(SIGNAL) $(PHASE) content
	$(PY) -m bot.launcher eval --eval-dir $(EVAL_DIR) $(EVAL_ARGS)

# Our own labelled conversations (written independently of the training data), for tuning;
# CONVERSATIONS=tests/journey/dev_k_conversations.yml for the second dev part, and
# tests/journey/locked_conversations.yml for the locked test part (score once per finished change). The older
# development sets in data/journey/conversations/ train the conversation phase model: not held out.
eval-dev: CONVERSATIONS ?= tests/journey/dev_j_conversations.yml
eval-dev: $(MODEL) $(SIGNAL) $(PHASE) content
	$(PY) -m bot.launcher eval --eval-dir $(EVAL_DIR) --conversations $(CONVERSATIONS) $(EVAL_ARGS)

# Answer quality (issue 11): the share of turns whose reply has what a good answer must, and the
# fallback rate; ANSWERS=tests/answers/locked.yml for the locked test part (never tune on it).
eval-answers: ANSWERS ?= tests/answers/dev.yml
eval-answers: $(MODEL) $(SIGNAL) $(PHASE) content
	$(PY) -m bot.launcher answers $(ANSWERS) $(EVAL_ARGS)

test: lint unit validate nlu-test conversation-test

lint: install-dev
	$(VENV)/bin/ruff check bot actions tests scripts migrations

# The test files run on PYTEST_WORKERS processes (pytest-xdist; a file's tests stay on one, in order, with their
# module's bot and browser); PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= 2
unit: install-dev $(MODEL) $(SIGNAL) $(PHASE) $(WIDGET) browser services
	$(VENV)/bin/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile)

validate: install
	$(RASA) data validate --config config.yml --domain domain --data $(TRAINING_DATA) --fail-on-warnings

nlu-test: $(MODEL)
	$(RASA) test nlu --model $(MODEL) --domain domain --nlu tests/nlu --out results/nlu --no-plot
	$(PY) scripts/check_nlu_report.py results/nlu/intent_report.json --min-macro-f1 0.90

conversation-test: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests --out results/core --e2e --fail-on-prediction-errors --no-plot

bench-nlu: install $(MODEL)
	$(PY) scripts/bench_nlu.py --out results/bench-nlu.json

# Load benchmark (issue 13): ours against a stock `rasa init` bot in one run; not part of `make test`
# (a 5-second smoke run of its harness is). BENCH_ARGS="--visitors 1,20 --seconds 30" and so on.
bench-load: install $(MODEL) $(SIGNAL) $(PHASE) content
	$(PY) scripts/bench_load.py $(BENCH_ARGS)

# The journey dashboard over 100,000 generated conversations, on SQLite and PostgreSQL (issue 16); not part of
# `make test` (tests/test_dashboard_browser.py renders it over 500). BENCH_ARGS="--conversations 20000" and so on.
bench-dashboard: install services
	$(PY) scripts/bench_dashboard.py $(BENCH_ARGS)

clean:
	rm -rf models results .rasa
