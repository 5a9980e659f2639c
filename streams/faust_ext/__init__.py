"""The one place where diplowatch reaches past the public API of Faust, mode and aiokafka.

Every private name of theirs the project touches (``._name`` on one of their objects), every
method of theirs replaced or overridden for its side effects, and every call into their internals
is in this package, each module saying which upstream behaviour it changes, why, and where upstream
it lives. Outside it, streams/ uses only their public API.

- ``transport``: the worker's App, transport, consumer thread and flow control (fetch long-poll,
  the fetch loop's fast path, no queue clearing on a resume of an active flow, a rewind of
  never-committed partitions after a rebalance, records fetched during a rebalance read again
  instead of dropped)
- ``leave_group``: a static member's clean stop leaves the consumer group
- ``producer``: records handed straight to Faust's producer; its buffer's limit
- ``changelog``: the memory store's dict and Faust's changelog record encoding
- ``stream``: a stream's events acked by hand
- ``worker``: a hook on mode's SIGTERM/SIGINT handlers
- ``monitor``: Faust's Monitor without its per-message bookkeeping

The versions are pinned exactly (pyproject.toml, and the whole environment in
deploy/python/requirements.lock). tests/unit/faust_ext/ pins each private name this package uses
(it exists, with the signature or source it was written against), so an upgrade that changes one
fails a test named after it; docs/pipeline.md ("Upgrading Faust, mode or aiokafka") says how an
upgrade is checked. docs/upstream.md reports the upstream bugs worked around here.
"""
