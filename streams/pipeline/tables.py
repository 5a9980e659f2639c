"""Per-partition views of Faust tables.

A Faust table writes a key's changelog record to the partition of the event being processed, and
its memory store keeps the keys of all partitions this worker holds in one dict. A stage that
iterates its table (to expire old entries) must therefore only touch the keys of the partition it
is processing, or its deletions would land in the wrong changelog partition and the keys would
come back on the next recovery. ``PartitionView`` prefixes keys with the partition number, so each
partition's keys are a namespace of their own; the pure cores see a plain mapping.
"""
from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any


class PartitionView(MutableMapping):
    def __init__(self, table: MutableMapping, partition: int = 0) -> None:
        self.table = table
        self.use(partition)

    def use(self, partition: int) -> "PartitionView":
        """Switch to the partition of the event about to be processed."""
        self.partition = partition
        self.prefix = f"{partition}|"
        return self

    def __getitem__(self, key: str) -> Any:
        return self.table[self.prefix + key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.table[self.prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self.table[self.prefix + key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (self.prefix + key) in self.table

    def __iter__(self) -> Iterator[str]:
        n = len(self.prefix)
        for k in list(self.table.keys()):
            if isinstance(k, str) and k.startswith(self.prefix):
                yield k[n:]

    def __len__(self) -> int:
        return sum(1 for _ in self)
