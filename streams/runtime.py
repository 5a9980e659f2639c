"""Process-level tuning of a long-running worker (and of the benchmark loop that stands in for it).

Garbage collection: the extractor's knowledge base (gazetteer, automaton, office holders: a few
hundred thousand long-lived objects) and the tables make a worker's heap large, and the stages
allocate thousands of short-lived objects per article. With CPython's defaults (a young collection
every 700 net allocations) the collector runs every few articles, and its full collections walk
the whole heap, the knowledge base included, though none of it ever becomes garbage. So, once the
knowledge base is loaded:

* ``gc.freeze()`` moves everything alive so far to the permanent generation: full collections no
  longer walk the knowledge base (which never becomes garbage);
* a young generation of 10,000 objects (``YOUNG_THRESHOLD``): young collections about 14 times
  rarer than with the default 700; the older ones after every 50 young and 50 middle collections.

Reference cycles are still collected, only less often; memory stays bounded by the same rules.
"""
from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
OLDER_THRESHOLDS = (50, 50)


def tune_gc() -> None:
    """Call after the long-lived state is loaded (the worker: after the extractor's warm-up)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
