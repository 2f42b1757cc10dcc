# The one entry point for people and for CI. Every target creates the virtual environment
# and installs the packages first if needed, so a fresh clone needs only Python 3.11+ and make.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export ONETEAM_DATA_DIR ?= $(CURDIR)/.data

# Installed editable, in dependency order; each has its own pyproject.toml.
PACKAGES := contracts libs/eventbus libs/servicekit libs/devstack[dev] libs/deadlines services/intake services/dispatch services/case_penalty[dev] services/mediation services/evaluation services/console[browser]
MYPY_PACKAGES := oneteam_contracts oneteam_eventbus oneteam_servicekit oneteam_devstack oneteam_deadlines oneteam_intake oneteam_dispatch oneteam_case_penalty oneteam_mediation oneteam_evaluation oneteam_console
PYPROJECTS := $(wildcard contracts/pyproject.toml libs/*/pyproject.toml services/*/pyproject.toml)

.PHONY: install console-web run test test-unit test-browser test-kafka lint contracts contracts-check bench bench-kafka sim sim-events faults load load-kafka clean help

help:
	@echo "make run          start PostgreSQL, the broker and every service (Ctrl-C stops all)"
	@echo "make test         the whole suite on embedded PostgreSQL and the embedded broker (browser test included)"
	@echo "make test-browser the command-centre screen in Debian's chromium, driven by Playwright"
	@echo "make console-web  build the screen's page (npm ci && npm run build) when its sources changed"
	@echo "make test-kafka   the integration and end-to-end suites on Apache Kafka (KRaft), then a broker killed in a 3-node cluster, then SASL/SCRAM, TLS and ACLs on a secured broker"
	@echo "make lint         ruff, import contracts (.importlinter), mypy, contracts drift/compatibility"
	@echo "make contracts    regenerate JSON Schemas and the AsyncAPI document"
	@echo "make bench        report→assignment latency through the whole pipeline; intake alone; matching time (bench-kafka: pipeline on Apache Kafka)"
	@echo "make sim          a simulated shift: nearest-officer baseline versus batch assignment"
	@echo "make sim-events   the same, then the batch shift published as events (yesterday) to make run's broker"
	@echo "make faults       kill -9 a service, cut or restart the database under load: lost / doubled / longest stall"
	@echo "make load         load test of the running suite over HTTP, up to saturation (load-kafka: on Apache Kafka)"
	@echo "make clean        remove .data (databases, logs, Kafka jars and data)"

install: $(VENV)/.installed

$(VENV)/.installed: $(PYPROJECTS) deploy/constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is needed"; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c deploy/constraints.txt $(foreach p,$(PACKAGES),-e '$(p)')
	touch $@

# The console's page: node 20 and npm build it into the package that serves it.
CONSOLE_WEB := services/console/web
CONSOLE_PAGE := services/console/oneteam_console/static/index.html
console-web: $(CONSOLE_PAGE)

$(CONSOLE_PAGE): $(wildcard $(CONSOLE_WEB)/src/*) $(CONSOLE_WEB)/index.html $(CONSOLE_WEB)/package-lock.json \
		$(CONSOLE_WEB)/vite.config.ts $(CONSOLE_WEB)/tsconfig.json
	cd $(CONSOLE_WEB) && npm ci --no-audit --no-fund && npm run build

run: install console-web
	$(BIN)/python -m oneteam_devstack run

test: install console-web
	$(BIN)/python -m pytest -q

test-unit: install
	$(BIN)/python -m pytest -q -m "not integration and not e2e and not browser"

test-browser: install console-web
	$(BIN)/python -m pytest -q -m browser tests/browser

# Apache Kafka itself, fetched from Maven Central and started in KRaft mode on loopback.
# tests/security starts a secured broker of its own; the bootstrap it is given only spares the
# PostgreSQL fixture from starting the embedded broker.
test-kafka: install
	@set -e; trap 'deploy/kafka/kafka.sh stop' EXIT; \
	bootstrap=$$(deploy/kafka/kafka.sh start | tail -n 1); \
	echo "Apache Kafka at $$bootstrap"; \
	KAFKA_BOOTSTRAP_SERVERS=$$bootstrap $(BIN)/python -m pytest -q -m "integration or e2e"; \
	ONETEAM_KAFKA_CLUSTER=1 KAFKA_BOOTSTRAP_SERVERS=$$bootstrap $(BIN)/python -m pytest -q -m cluster; \
	ONETEAM_KAFKA_SECURE=1 KAFKA_BOOTSTRAP_SERVERS=$$bootstrap $(BIN)/python -m pytest -q tests/security

lint: install contracts-check
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy $(foreach p,$(MYPY_PACKAGES),-p $(p))

contracts: install
	$(BIN)/python -m oneteam_contracts.export

contracts-check: install
	$(BIN)/python -m oneteam_contracts.export --check

bench: install
	$(BIN)/python tests/bench/pipeline.py
	$(BIN)/python tests/bench/intake.py
	$(BIN)/python tests/bench/matching.py

bench-kafka: install
	@set -e; trap 'deploy/kafka/kafka.sh stop' EXIT; \
	bootstrap=$$(deploy/kafka/kafka.sh start | tail -n 1); \
	KAFKA_BOOTSTRAP_SERVERS=$$bootstrap $(BIN)/python tests/bench/pipeline.py

sim: install
	$(BIN)/python tests/bench/simulate.py

# With `make run` going: evaluation then shows the day's KPIs and daily report. SIM_ARGS adds options,
# e.g. SIM_ARGS="--day 2026-11-20 --bootstrap 127.0.0.1:9092".
sim-events: install
	$(BIN)/python tests/bench/simulate.py --emit $(SIM_ARGS)

faults: install
	$(BIN)/python tests/bench/faults.py

load: install
	$(BIN)/python tests/bench/loadtest.py

load-kafka: install
	@set -e; trap 'deploy/kafka/kafka.sh stop' EXIT; \
	bootstrap=$$(deploy/kafka/kafka.sh start | tail -n 1); \
	KAFKA_BOOTSTRAP_SERVERS=$$bootstrap $(BIN)/python tests/bench/loadtest.py

clean:
	rm -rf $(ONETEAM_DATA_DIR)
