# Two commands do everything on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
APT_PACKAGES := graphviz poppler-utils qpdf
TEST_APT_PACKAGES := chromium hunspell hunspell-en-us redis-server
ACE := node_modules/.bin/ace-cli

.PHONY: build test test-fast lint bench clean system-deps test-system-deps java

build: $(STAMP) system-deps
	$(BIN)/publish build .
	$(BIN)/publish build . --format web -q

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Install Debian packages when missing: as root we install them, otherwise we say how.
define ensure_apt
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || exit 1; \
	  else \
	    echo "missing system packages; run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

system-deps:
	$(call ensure_apt,$(APT_PACKAGES))

test-system-deps: system-deps
	$(call ensure_apt,$(TEST_APT_PACKAGES))
	@command -v java >/dev/null || $(MAKE) --no-print-directory java

java:
	$(call ensure_apt,default-jre-headless)

$(ACE): package.json package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Everything, as CI runs it: lint, then every test (Java, Chromium, Node, whole builds).
test: $(TEST_STAMP) test-system-deps $(ACE)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/pytest -q

# The fast tier, while you work: lint, then the tests not marked slow (under a minute).
test-fast: $(TEST_STAMP) system-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/pytest -q -m "not slow"

lint: $(TEST_STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP) system-deps
	$(BIN)/python bench/run.py

clean:
	rm -rf build $(VENV) node_modules

# The stamping queue on this machine (README: Storefront: stamped copies and the queue):
# `make redis` in one terminal, `make worker BUILD=build STORE=stamped` in others.
.PHONY: redis worker
REDIS_PORT ?= 6379
BUILD ?= build
STORE ?= stamped
QUEUE_STAMP := $(VENV)/.installed-queue

$(QUEUE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[queue]'
	touch $@

redis:
	$(call ensure_apt,redis-server)
	redis-server --port $(REDIS_PORT) --bind 127.0.0.1 --save ''

worker: $(QUEUE_STAMP)
	PUBLISH_BROKER_URL=$${PUBLISH_BROKER_URL:-redis://127.0.0.1:$(REDIS_PORT)/0} \
	PUBLISH_BUILD_DIR=$${PUBLISH_BUILD_DIR:-$(abspath $(BUILD))} \
	PUBLISH_STORE_DIR=$${PUBLISH_STORE_DIR:-$(abspath $(STORE))} \
	$(BIN)/celery -A publish.worker worker --loglevel INFO
