"""The worker's HTTP API for analysts, under ``/api/v1/`` (docs/api.md): distinct-contact counts of a
pair per week or day, the contacts behind them with their evidence and sources, the spike alerts of
a pair or a period, and its OpenAPI document (``/api/v1/openapi.json``, from streams/api/openapi.json).

``query``: the answers, pure, over plain mappings. ``alerts``: the index of the alerts topic (pure).
``routes``: the Faust web routes, the forward to the worker holding a pair, the alerts reader.
"""
from __future__ import annotations


def register(p):
    """Add the API's routes and its alerts reader to the pipeline's Faust app."""
    from streams.api.routes import register as _register
    return _register(p)
