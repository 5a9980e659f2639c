"""The contact extractor: a pure library (no Kafka, no asyncio).

``extract_contacts(article) -> list[Contact]`` is the one entry point used by the pipeline, the
``extract``/``evaluate`` commands and the benchmarks; ``extraction_errors()`` counts articles on
which it failed (it never raises).
"""
from streams.extraction.contacts import extract_contacts, extraction_errors

__all__ = ["extract_contacts", "extraction_errors"]
