# Two commands: `make run` (build the environment, run the pipeline, publish output/current)
# and `make test`. Everything installs into .venv from pinned versions.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# the repo's dagster.yaml is the instance configuration; dg expects the project's venv to be active
export DAGSTER_HOME := $(CURDIR)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install run test test-fast dev validate reliability bench clean

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed

# without a profiles folder of its own (BAROMETER_PROFILES), the example profile of Genk is published
EXAMPLES := $(CURDIR)/examples/profiles

run: install
	BAROMETER_PROFILES=$${BAROMETER_PROFILES:-$(EXAMPLES)} $(BIN)/barometer run

# every test, with the slowest listed at the end
test: install
	$(BIN)/pytest --durations=15

# the fast lane (under 90 s): unit tests, the models on small data and one end-to-end run
test-fast: install
	$(BIN)/pytest -m "not slow" --durations=10

# the Dagster UI on http://127.0.0.1:3000 (schedules and the landing-folder sensor run while it is up)
dev: install
	BAROMETER_PROFILES=$${BAROMETER_PROFILES:-$(EXAMPLES)} $(BIN)/dg dev --host 127.0.0.1 --port 3000

# the bad-input corpus, killed and concurrent runs, the browser test, the landing folder's refusals, server
# faults (full disk, unwritable folders, damaged warehouse, PostgreSQL and the mail server down) and the fuzzed
# readers; writes the README's table
RELIABILITY_LOG := output/reliability.jsonl
reliability: install
	mkdir -p output && rm -f $(RELIABILITY_LOG)
	BAROMETER_RELIABILITY_LOG=$(CURDIR)/$(RELIABILITY_LOG) $(BIN)/pytest -q -p no:cacheprovider \
		tests/test_bad_input_corpus.py tests/test_bad_input.py tests/test_faults.py tests/test_browser.py \
		tests/test_intake.py tests/test_server_faults.py tests/test_fuzz_readers.py tests/test_alerts.py \
		tests/test_deployment.py
	$(BIN)/python -m tests.reliability_report $(RELIABILITY_LOG) README.md

# benchmarks, never part of `make test` (about half an hour): writes output/bench/results.json and
# results.md, prints the table and puts it in the README's Performance section
bench: install
	$(BIN)/python -m bench.run --readme README.md

validate: install
	$(BIN)/dg check defs

clean:
	rm -rf $(VENV) output storage history schedules logs .logs_queue .nux .telemetry event_log.db
