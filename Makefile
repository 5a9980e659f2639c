# The two commands of the README. Both bootstrap .venv first (quick when already done).
PY := .venv/bin/python

.PHONY: demo test bootstrap system-deps
bootstrap:
	@scripts/bootstrap.sh

system-deps:
	@scripts/install-system-deps.sh

# The main job: local Kafka (unless KAFKA_BOOTSTRAP is set), worker, replay of real articles,
# contacts and alerts printed, /metrics served. Ctrl-C stops everything.
demo: bootstrap
	@$(PY) -m streams demo $(ARGS)

# Every test: unit tests and the live-broker integration tests.
test: bootstrap system-deps
	@$(PY) -m pytest $(ARGS)
