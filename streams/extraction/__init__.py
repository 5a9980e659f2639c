"""The contact extractor: a pure library (no Kafka, no asyncio).

``extract_contacts(article) -> list[Contact]`` is the one entry point used by the pipeline, the
``extract``/``evaluate`` commands and the benchmarks; ``extraction_errors()`` counts articles on
which it failed (it never raises on an article; a missing or malformed knowledge file raises
``KnowledgeError``, at the latest from ``load_knowledge()``). ``extractor_build()`` tells whether the Cython-compiled modules
or the plain Python ones run (``compiled.py``; ``DIPLOWATCH_PURE_PYTHON=1`` forces the latter).
"""
from streams.extraction import compiled as _compiled

_compiled.select()  # before any other module of the package is imported

from streams.extraction.contacts import extract_contacts, extraction_errors  # noqa: E402


def load_knowledge() -> None:
    """Load and check everything the extractor reads from ``streams/knowledge/`` (the gazetteer,
    the date vocabulary, the boilerplate markers, the confidence weights) now: raises ``KnowledgeError`` naming the file
    and line when one is missing or malformed. The worker calls it before taking partitions."""
    from streams.extraction import boilerplate, confidence, date_vocab, gazetteer

    gazetteer.gazetteer()
    confidence.weights()
    date_vocab.vocab()
    boilerplate.segment("x", "en")  # builds its marker patterns


def extractor_build() -> tuple[str, str]:
    """("compiled" | "pure" | "mixed", why)."""
    return _compiled.MODE, _compiled.REASON


__all__ = ["extract_contacts", "extraction_errors", "extractor_build", "load_knowledge"]
