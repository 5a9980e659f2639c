"""``backing``: a factory of DeltaLogStore backings, run once with each (streams.pipeline.materialised):
dicts (the memory store's worker) and a RocksDB database in a temporary directory (the disk
store's). The DeltaLogStore tests that take it hold for both."""
from __future__ import annotations

import itertools

import pytest

from streams.pipeline.materialised import DiskBacking, MemoryBacking


@pytest.fixture(params=["memory", "disk"])
def backing(request, tmp_path):
    made: list = []
    n = itertools.count()

    def make():
        b = MemoryBacking() if request.param == "memory" else DiskBacking(tmp_path / f"b{next(n)}")
        made.append(b)
        return b

    make.kind = request.param
    yield make
    for b in made:
        b.close()
