"""An expiry schedule: which keys of a store were written in which time slot, so that an expiry
pass reads only the keys that can have expired instead of scanning the whole store.

``MemorySchedule`` keeps it in a dict; streams.pipeline.materialised.DiskSchedule keeps the same
thing in the RocksDB cache of a disk-store worker (one entry per slot and key, nothing per key in
memory). Both offer:

* ``add(slot, keys)``: ``keys`` were written at a time in ``slot`` (repeats are harmless: each is
  checked when its slot comes);
* ``take(last)``: the slots up to ``last`` in ascending order, each as ``(slot, keys)`` removed from
  the schedule as it is yielded; keys ``add``-ed back meanwhile (to a slot already taken) wait for
  the next ``take``;
* ``clear()``.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator


class MemorySchedule:
    def __init__(self) -> None:
        self.slots: dict[int, list[str]] = {}

    def add(self, slot: int, keys: Iterable[str]) -> None:
        due = self.slots.get(slot)
        if due is None:
            self.slots[slot] = list(keys)
        else:
            due.extend(keys)

    def take(self, last: int) -> Iterator[tuple[int, list[str]]]:
        for slot in sorted(x for x in self.slots if x <= last):
            keys = self.slots.pop(slot, None)
            if keys is not None:
                yield slot, keys

    def clear(self) -> None:
        self.slots = {}

    def __len__(self) -> int:
        """Scheduled entries (repeats counted)."""
        return sum(len(v) for v in self.slots.values())
