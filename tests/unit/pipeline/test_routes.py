"""/pipeline/counts/'s watermark bound (streams.pipeline.routes._bound): the least aggregate bound
over the contacts partitions this worker holds, null until every path of each delivered a stamp."""
from __future__ import annotations

from types import SimpleNamespace

from streams.pipeline.routes import _bound


def pipeline(windows: dict, partitions: int = 2):
    s = SimpleNamespace(topic_contacts="contacts", dedupe_partitions=1, partitions=partitions)
    return SimpleNamespace(settings=s, tables={"windows": windows})


def paths(stamp: str, behind: str | None = None) -> dict:
    """The 8 paths of 2 input partitions through 1 dedupe and 2 extract partitions (contacts and
    sources) at ``stamp``; "1.0.0" at ``behind``."""
    out = {f"{i}.0.{e}{t}": stamp for i in range(2) for e in range(2) for t in ("", ":sources")}
    if behind:
        out["1.0.0"] = behind
    return out


def test_the_bound_is_the_least_over_the_held_partitions_once_every_path_delivered():
    windows = {"0|~stamps": paths("2024-03-05", "2024-03-01"), "1|~stamps": paths("2024-03-09"),
               "0|IRN-OMN|*|2024-03-01": {}}
    p = pipeline(windows)
    assert _bound(p, ["contacts:0", "contacts:1", "articles:0"]) == "2024-03-01"
    windows["0|~stamps"]["1.0.0"] = "2024-03-07"
    assert _bound(p, ["contacts:0", "contacts:1"]) == "2024-03-05"
    assert _bound(p, ["contacts:1"]) == "2024-03-09"         # partition 0 given away: not counted
    del windows["1|~stamps"]["1.0.1:sources"]                  # a path still to deliver
    assert _bound(p, ["contacts:0", "contacts:1"]) is None
    windows["1|~stamps"]["1.0.1:sources"] = "2024-03-09"
    windows["1|~paths"] = {"0.0": "2024-03-01"}                # before the upgrade: not read
    assert _bound(p, ["contacts:1"]) == "2024-03-09"
    windows["1|~stamps"] = {"0.0.0": "2024-03-09"}
    assert _bound(p, ["contacts:0", "contacts:1"]) is None
    assert _bound(p, ["contacts:0", "contacts:2"]) is None   # partition 2 has no paths yet
    assert _bound(p, []) is None
