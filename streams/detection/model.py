"""The spike model: is the number of distinct contacts in the recent window surprising given the
pair's own history?

Most pairs see 0-2 contacts a week, so a z-score (zero variance, normal approximation) is not
usable. We use a gamma-Poisson model: contacts of a pair arrive as a Poisson process with an unknown
weekly rate; the rate has a gamma prior with mean ``prior_rate`` worth ``prior_weeks`` weeks of
observation, updated by the history (``history`` contacts in ``history_weeks`` weeks). The
posterior predictive of the count in a window of ``t`` weeks is negative binomial:

    r = prior_rate * prior_weeks + history,   q = (prior_weeks + history_weeks) / (prior_weeks + history_weeks + t)
    expected = t * r / (prior_weeks + history_weeks)
    p = P(X >= observed),  X ~ NegBin(r, q)

Compared with a Poisson at the plug-in rate, the negative binomial is wider when the history is
short (few weeks observed), which keeps new or sparsely observed pairs from firing on noise, and
tends to the Poisson when the history is long. A window fires when p < alpha AND observed >=
min_count AND observed >= min_ratio * expected (and at least ``min_history_days`` of history were
observed). Score = -log10(p).

Unobserved history: days of the baseline before the system's coverage start (the first weeks of
a deployment or of a backtest file) were not seen, not quiet. With ``fill_missing_history`` they
are imputed at the pair's own shrunk rate -- the posterior mean (prior_rate * prior_weeks + history)
/ (prior_weeks + observed weeks) -- and the test is made as if the full baseline had been observed
at that rate. Without it, a pair observed for nine days is judged on nine days of evidence only,
which is too little to call any week a spike.

Parameters and the reasons for their defaults: docs/detection.md.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy.special import betainc

METHOD = "gamma-poisson-v1"


@dataclass(frozen=True, slots=True)
class SpikeParams:
    window_days: int = 7          # the recent window, ending at the as-of day (inclusive)
    history_weeks: int = 12       # the baseline: the weeks immediately before the window
    alpha: float = 0.01           # tail probability under the baseline below which a window fires
    min_count: int = 3            # never fire on fewer distinct contacts than this
    min_ratio: float = 2.0        # ... nor below this multiple of the expected count
    prior_rate: float = 0.1       # prior mean of a pair's weekly rate (contacts/week): the global rate
    prior_weeks: float = 2.5      # weight of the prior in weeks of observation
    min_history_days: int = 7     # observed history needed before anything fires (warm-up)
    cooldown_days: int = 7        # an episode ends after this many consecutive quiet days
    fill_missing_history: bool = True   # impute unobserved baseline weeks at the pair's shrunk rate

    def threshold(self) -> dict[str, float | int]:
        return {"alpha": self.alpha, "min_count": self.min_count, "min_ratio": self.min_ratio}

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class WindowStats:
    observed: int
    history: int
    history_days: int
    expected: float
    p_value: float
    score: float
    fires: bool


def tail_probability(observed: int, history: int, history_weeks: float, window_weeks: float,
                     prior_rate: float, prior_weeks: float) -> tuple[float, float]:
    """(P(X >= observed), expected) under the gamma-Poisson posterior predictive (module doc)."""
    r = prior_rate * prior_weeks + history
    exposure = prior_weeks + history_weeks
    if r <= 0 or exposure <= 0:
        raise ValueError("prior_rate and prior_weeks must be positive")
    expected = window_weeks * r / exposure
    if observed <= 0:
        return 1.0, expected
    q = exposure / (exposure + window_weeks)
    # P(X >= k) for X ~ NegBin(r, q) is the regularised incomplete beta I_{1-q}(k, r)
    # (= scipy.stats.nbinom.sf(k - 1, r, q), which costs ~0.3 ms a call in argument checking)
    return float(betainc(observed, r, 1.0 - q)), expected


def score_of(p: float) -> float:
    """-log10(p), capped at 300 where p underflows to 0."""
    return 300.0 if p <= 0 else round(min(300.0, -math.log10(p)), 4)


def window_stats(observed: int, history: int, history_days: int, params: SpikeParams) -> WindowStats:
    history_weeks = history_days / 7.0
    hist = float(history)
    missing = max(0.0, params.history_weeks - history_weeks)
    if params.fill_missing_history and missing > 0:
        # impute the unobserved weeks at the pair's own shrunk rate (the posterior mean from what
        # was observed and the prior): "had the baseline been observed in full and looked like the
        # observed part, would this window be a spike?"
        rate = (params.prior_rate * params.prior_weeks + hist) / (params.prior_weeks + history_weeks)
        hist += rate * missing
        history_weeks += missing
    p, expected = tail_probability(observed, hist, history_weeks, params.window_days / 7.0,
                                   params.prior_rate, params.prior_weeks)
    fires = (
        history_days >= params.min_history_days
        and p < params.alpha
        and observed >= params.min_count
        and observed >= params.min_ratio * expected
    )
    return WindowStats(observed, history, history_days, expected, p, score_of(p), fires)
