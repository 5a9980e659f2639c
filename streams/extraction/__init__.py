"""The contact extractor: a pure library (no Kafka, no asyncio).

``extract_contacts(article) -> list[Contact]`` is the one entry point used by the pipeline, the
``extract``/``evaluate`` commands and the benchmarks; ``extraction_errors()`` counts articles on
which it failed (it never raises). ``extractor_build()`` tells whether the Cython-compiled modules
or the plain Python ones run (``compiled.py``; ``DIPLOWATCH_PURE_PYTHON=1`` forces the latter).
"""
from streams.extraction import compiled as _compiled

_compiled.select()  # before any other module of the package is imported

from streams.extraction.contacts import extract_contacts, extraction_errors  # noqa: E402


def extractor_build() -> tuple[str, str]:
    """("compiled" | "pure" | "mixed", why)."""
    return _compiled.MODE, _compiled.REASON


__all__ = ["extract_contacts", "extraction_errors", "extractor_build"]
