# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements.sha256

# Python 3.10 (Rasa 3.6 supports 3.8-3.10): pyenv's newest 3.10 if present, else python3.10 on PATH.
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON310 := $(or $(lastword $(sort $(wildcard $(PYENV_ROOT_DIR)/versions/3.10.*/bin/python3.10))),$(shell command -v python3.10 2>/dev/null))

# The chat widget's Socket.IO client, vendored from the npm registry (git-ignored). To upgrade,
# change both lines: the hash is that of dist/socket.io.min.js in the package.
SOCKETIO_VERSION := 4.8.4
SOCKETIO_SHA256 := d5d79a35039e860b32bdef4795528b05c2f788d4b2d9dacc913120e2878f7b3f
SOCKETIO_JS := channels/widget/static/vendor/socket.io.min.js
CHROMIUM := /usr/bin/chromium

# `make audit`: pip-audit in a venv of its own (it needs a newer `packaging` than Rasa allows).
AUDIT_VENV := .venv-audit
PIP_AUDIT_VERSION := 2.10.1

.PHONY: help venv env migrate train run run-production shell lint test test-unit test-production lock clean widget chromium nginx audit redis

help:
	@echo "make run    set up (venv, .env, model) and start the assistant on 127.0.0.1"
	@echo "make test   set up and run the whole test suite (lint first)"
	@echo "make lint   ruff's lint and format check, and the size check (harness/sizes.py)"
	@echo "make test-unit      the fast tests that need no server (tests/unit)"
	@echo "make run-production  two replicas of each server on PostgreSQL and Redis behind nginx"
	@echo "make test-production the tests that use the servers, against that profile"
	@echo "make shell  chat with the running assistant in the terminal"
	@echo "make train  train the model if its inputs changed"
	@echo "make audit  pip-audit of requirements.txt against the registry's advisories (audit-allowlist.txt)"
	@echo "make migrate create or upgrade the vault's databases"
	@echo "make lock   recompile requirements.txt from requirements.in"

# The venv is (re)installed only when requirements.txt changes (by content).
venv:
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "Python 3.10 not found. Install it, e.g. 'pyenv install 3.10' or your system's python3.10 package." >&2; exit 1; fi
	@if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $(PYTHON310)"; $(PYTHON310) -m venv $(VENV); fi
	@want=$$(sha256sum requirements.txt | cut -d' ' -f1); \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
	  echo "Installing pinned requirements into $(VENV)"; \
	  $(VENV)/bin/pip install --quiet --disable-pip-version-check "$$(grep '^uv==' requirements.txt)" && \
	  $(VENV)/bin/uv pip sync --quiet --python $(PY) requirements.txt && \
	  echo "$$want" > $(STAMP); \
	fi

env: venv
	@$(PY) -m runtime.envfile .env

migrate: env
	@$(PY) -m privacy migrate

train: venv
	@$(PY) -m runtime.train

# Fetched only when the file is missing or is not the pinned version.
widget:
	@if ! echo "$(SOCKETIO_SHA256)  $(SOCKETIO_JS)" | sha256sum --check --status 2>/dev/null; then \
	  command -v npm >/dev/null || { echo "npm not found: install Node.js (Debian: apt-get install npm)." >&2; exit 1; }; \
	  echo "Vendoring socket.io-client $(SOCKETIO_VERSION) into $(dir $(SOCKETIO_JS))"; \
	  tmp=$$(mktemp -d); \
	  (cd $$tmp && npm pack --silent socket.io-client@$(SOCKETIO_VERSION) >/dev/null && \
	    tar -xzf socket.io-client-$(SOCKETIO_VERSION).tgz package/dist/socket.io.min.js && \
	    echo "$(SOCKETIO_SHA256)  package/dist/socket.io.min.js" | sha256sum --check --quiet) && \
	  mkdir -p $(dir $(SOCKETIO_JS)) && mv $$tmp/package/dist/socket.io.min.js $(SOCKETIO_JS); \
	  status=$$?; rm -rf $$tmp; exit $$status; \
	fi

# The browser tests drive Debian's Chromium (Playwright downloads no browser).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the widget's browser tests"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# nginx in front of the replicas of the production profile (Debian's package).
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  echo "Installing Debian's nginx for the production profile"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	fi

# The production profile's own Redis (Debian's package; the profile starts its own redis-server).
redis:
	@if ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then \
	  echo "Installing Debian's redis-server for the production profile"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	fi

run: migrate train widget
	@$(PY) -m runtime.launch

run-production: env train widget nginx redis
	@$(PY) -m runtime.production

shell: venv
	@$(PY) -m channels.terminal

lint: venv
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/ruff format --check --quiet .
	@$(PY) -m harness.sizes

test: lint widget chromium
	@$(PY) -m pytest

test-unit: venv
	@$(PY) -m pytest tests/unit

# The suite's tests that use the servers, with the servers in the production profile (tests/conftest.py).
test-production: venv widget chromium nginx redis
	@HEALTHTIGO_PROFILE=production $(PY) -m pytest

# Every pinned requirement against the registry's advisory data; fails on an advisory not in
# audit-allowlist.txt and on a package the registry could not answer for (--strict).
audit:
	@test -x $(AUDIT_VENV)/bin/pip-audit || { python3 -m venv $(AUDIT_VENV) && $(AUDIT_VENV)/bin/pip install --quiet pip-audit==$(PIP_AUDIT_VERSION); }
	@$(AUDIT_VENV)/bin/pip-audit --requirement requirements.txt --no-deps --disable-pip --strict --progress-spinner off \
		$$(grep -v '^#' audit-allowlist.txt | awk 'NF {print "--ignore-vuln " $$1}')

lock: venv
	$(VENV)/bin/uv pip compile --quiet --python-version 3.10 requirements.in -o requirements.txt

clean:
	rm -rf $(VENV) $(AUDIT_VENV) models .rasa var/test-* $(dir $(SOCKETIO_JS))
