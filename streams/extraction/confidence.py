"""A contact's ``confidence``: the probability that the pair is a contact the article reports, from
features of the pair's reports, by a logistic model whose weights are data
(``streams/knowledge/confidence.tsv``, read by the one loader).

    p = 1 / (1 + exp(-(w · x)))

Features (``FEATURES``; ``x`` of a contact is ``vector(...)``):

=================  ==========================================================================
``bias``           1
``named_sides``    sides named by an office holder, a title or "counterpart" (0-2)
``explicit_mode``  a cue decided the mode (phone, venue, summit, host/visitor verb)
``strong_trigger`` the sentence has call/meet/receive/visit, not only "talks"/"discussed"
``inferred_side``  one side was inferred (home country, the story's subject), not named
``bare_side``      a side stands only as a bare country name or a visit's destination
``crowded``        the sentence names more than two parties
``talk_only``      the only triggers are talk words
``dated``          the contact got a date from the text
``extra_reports``  further reports of the pair in the article (0-5)
``headline``       reported in the headline or lead paragraph of the first story
``lang_ar``        Arabic (English is the baseline)
``lang_fa``        Persian
=================  ==========================================================================

The weights shipped are fitted (maximum likelihood, L2) with ``bench/fit_confidence.py --write``
on the development splits of ``corpus/splits.tsv``. The rules were tuned on those same articles,
so the probabilities lean optimistic on new text; ``bench/README.md`` gives their calibration
(Brier score, reliability) on the frozen test splits, which they were not fitted on.
``DIPLOWATCH_MIN_CONFIDENCE`` makes the pipeline count only contacts at or above a probability.
"""
from __future__ import annotations

import math
from functools import lru_cache

from streams.knowledge import loader

FEATURES: tuple[str, ...] = (
    "bias", "named_sides", "explicit_mode", "strong_trigger", "inferred_side", "bare_side",
    "crowded", "talk_only", "dated", "extra_reports", "headline", "lang_ar", "lang_fa",
)
MAX_EXTRA_REPORTS = 5


@lru_cache(maxsize=1)
def weights() -> tuple[float, ...]:
    """The model's weights in ``FEATURES`` order; KnowledgeError naming the file and line for a
    feature the extractor does not compute, or a missing bias."""
    rows = loader.load_confidence_weights()
    names = {r.feature: r for r in rows}
    for r in rows:
        if r.feature not in FEATURES:
            raise loader.KnowledgeError(f"{loader.CONFIDENCE_FILE}:{r.line}: unknown feature {r.feature!r}; "
                                        f"known: {', '.join(FEATURES)}")
    if "bias" not in names:
        raise loader.KnowledgeError(f"{loader.CONFIDENCE_FILE}: no weight for 'bias'")
    return tuple(names[f].weight if f in names else 0.0 for f in FEATURES)


def sentence_features(named_sides: int, explicit_mode: bool, strong_trigger: bool, inferred_side: bool,
                      bare_side: bool, crowded: bool, talk_only: bool) -> tuple[float, ...]:
    """The features one sentence gives a pair (the first eight of ``FEATURES``, bias included)."""
    return (1.0, float(named_sides), float(explicit_mode), float(strong_trigger), float(inferred_side),
            float(bare_side), float(crowded), float(talk_only))


def vector(sentence: tuple[float, ...], dated: bool, reports: int, headline: bool, lang: str) -> tuple[float, ...]:
    """The full feature vector of a contact: its best report's sentence features and the
    article-level ones."""
    return sentence + (float(dated), float(min(max(reports - 1, 0), MAX_EXTRA_REPORTS)), float(headline),
                       float(lang == "ar"), float(lang == "fa"))


def probability(x: tuple[float, ...], w: tuple[float, ...] | None = None) -> float:
    """The logistic model's probability for the feature vector ``x``."""
    w = weights() if w is None else w
    z = 0.0
    for a, b in zip(w, x):
        z += a * b
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
