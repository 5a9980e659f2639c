"""A minimal Faust app for tests/integration/test_faust_smoke.py, run as a worker subprocess:

    python -m tests.integration.faust_smoke_app worker --without-web

Configured by environment (the test gives each run a unique app id and topics):
SMOKE_BROKER (bootstrap, host:port[,host:port]), SMOKE_APP_ID, SMOKE_IN, SMOKE_OUT, SMOKE_PARTITIONS, SMOKE_DATADIR, SMOKE_EVENTS
(a JSONL file the worker appends lifecycle events to, e.g. the table contents after recovery).

One agent counts words per key in a Table (memory store, so after a restart the counts can only
come from the changelog topic) and writes {"key", "count"} to the output topic.
"""
from __future__ import annotations

import json
import os

import faust

from streams.devkafka import faust_broker_url

ENV = os.environ
PARTITIONS = int(ENV.get("SMOKE_PARTITIONS", "2"))

app = faust.App(
    ENV["SMOKE_APP_ID"],
    broker=faust_broker_url(ENV["SMOKE_BROKER"]),
    store="memory://",
    # Faust writes <id>-data/ into the working directory unless told otherwise
    datadir=ENV["SMOKE_DATADIR"],
    web_enabled=False,
    topic_partitions=PARTITIONS,
    # commit offsets often so the stop/restart boundary is exact even without a clean shutdown
    broker_commit_every=1,
    broker_commit_interval=0.5,
)
words = app.topic(ENV["SMOKE_IN"], key_type=str, value_type=str, key_serializer="raw",
                  value_serializer="raw", partitions=PARTITIONS)
counts_out = app.topic(ENV["SMOKE_OUT"], key_type=str, value_type=bytes, key_serializer="raw",
                       value_serializer="raw", partitions=1)
counts = app.Table("counts", default=int, partitions=PARTITIONS)


def event(kind: str, **data) -> None:
    with open(ENV["SMOKE_EVENTS"], "a") as f:
        f.write(json.dumps({"event": kind, "pid": os.getpid(), **data}) + "\n")


@counts.on_recover
async def table_recovered() -> None:
    event("recovered", table=dict(counts.items()))


@app.agent(words)
async def count_words(stream):
    async for key, _value in stream.items():
        counts[key] += 1
        await counts_out.send(key=key, value=json.dumps({"key": key, "count": counts[key]}).encode())


if __name__ == "__main__":
    app.main()
