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

Whether a firing window opens a *new* episode also depends on corroboration (``min_reports``,
``corroborate_by``, ``strong_alpha``), which needs the window's contacts and so is applied by
streams.detection.detector. ``method`` selects the model: ``gamma-poisson-v1`` (above, the
default), ``nb-eb-v2`` (quasi-Poisson after the improved Farrington method) or ``ears-c1``; the
other two were measured against it on labelled episodes and lost (docs/detection.md, section 7).

Parameters and the reasons for their defaults: docs/detection.md.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy.special import betainc, ndtr

METHOD = "gamma-poisson-v1"
METHODS = ("gamma-poisson-v1", "nb-eb-v2", "ears-c1", "ears-c2", "ears-c3")
COUNT_UNITS = ("contacts", "days")
EARS = ("ears-c1", "ears-c2", "ears-c3")
# Anscombe residual above which a baseline week counts as a past outbreak (Noufaily et al. 2013)
OUTBREAK_RESIDUAL = 2.58


@dataclass(frozen=True, slots=True)
class SpikeParams:
    window_days: int = 7          # the recent window, ending at the as-of day (inclusive)
    history_weeks: int = 12       # the baseline: the weeks immediately before the window
    alpha: float = 0.01           # tail probability under the baseline below which a window fires
    min_count: int = 3            # never fire on fewer distinct contacts than this
    min_ratio: float = 2.0        # ... nor below this multiple of the expected count
    prior_rate: float = 0.1       # prior mean of a pair's weekly rate (contacts/week): the global rate
    prior_weeks: float = 5.0      # weight of the prior in weeks of observation
    min_history_days: int = 7     # observed history needed before anything fires (warm-up)
    cooldown_days: int = 42       # an episode ends after this many consecutive quiet days
    fill_missing_history: bool = True   # impute unobserved baseline weeks at the pair's shrunk rate
    min_reports: int = 8          # a new episode needs its window's contacts reported this often ...
    corroborate_by: str = "article_ids"   # ... counting distinct articles ("sources": outlets) ...
    strong_alpha: float = 1e-8    # ... unless its p-value is below this (strong evidence alone)
    min_days: int = 1             # a new episode needs its window's contacts on this many distinct days
    reports_per_contact: float = 0.0   # > 0: min_reports is in units of this many reports per contact
                                       # (the feed it was chosen on), scaled to this feed's running mean
    feed_prior_contacts: float = 100.0  # ... which starts at reports_per_contact, worth this many contacts
    alpha_new: float = 0.0        # > 0: a new episode needs p below this too (updates: alpha); 0: alpha
    reports_per_expected: float = 4.0   # a new episode needs this many more reports per contact the
                                        # baseline expects in the window (busy pairs need more)
    unseen_pair_reports: int = 2  # a new episode of a pair with no contact in its observed baseline
                                  # needs this many more reports (its first busy week)
    min_ratio_new: float = 4.0    # > 0: a new episode needs observed >= this x expected (updates: min_ratio)
    min_reported_contacts: int = 2   # > 0: a new episode needs this many of its window's contacts
                                     # each reported ``contact_reports`` times (more than one story)
    contact_reports: int = 2      # ... distinct reports (corroborate_by) that make a contact "reported"
    dispersion_min_history: int = 0  # > 0: a pair with at least this many contacts in its observed
                                     # baseline opens an episode only if the window is also below
                                     # alpha with its counts scaled by the pair's own overdispersion
    count_unit: str = "contacts"  # what the window and the baseline count: distinct "contacts", or
                                  # "days" with at least one contact (fourth pass, family T)
    report_dispersion: float = 0.0   # > 0: a window may also fire on its distinct reports against the
                                     # pair's own reports per week, counts divided by this dispersion
                                     # (quasi-Poisson; fourth pass, family X); 0: off
    busy_expected: float = 0.0    # ... only for a pair whose baseline expects at least this many
                                  # contacts in the window (0: every pair)
    method: str = METHOD          # one of METHODS (docs/detection.md, "Methods compared")
    dispersion: float = 1.0       # nb-eb-v2: pooled dispersion of weekly counts (variance/mean)
    dispersion_weeks: float = -1.0  # nb-eb-v2: weight (in weeks) of the pooled dispersion against the
                                    # pair's own estimate; < 0: the pooled one alone
    downweight_outbreaks: bool = False   # nb-eb-v2: down-weight past outbreak weeks of the baseline
    ears_weeks: int = 4           # ears-c1: baseline weeks (the most recent ones)
    ears_z: float = 3.0           # ears-c1: alarm when (observed - mean) / sd exceeds this
    ears_min_sd: float = 1.0      # ears-c1: floor of the baseline sd (sparse counts have sd 0)
    ears_guard_days: int = 2      # ears-c2/c3: days between the baseline and the window (EARS: 2)

    def threshold(self) -> dict[str, float | int]:
        return {"alpha": self.alpha, "min_count": self.min_count, "min_ratio": self.min_ratio,
                "min_reports": self.min_reports, "corroborate_by": self.corroborate_by,
                "strong_alpha": self.strong_alpha, "reports_per_expected": self.reports_per_expected,
                "unseen_pair_reports": self.unseen_pair_reports, "min_ratio_new": self.min_ratio_new,
                "min_reported_contacts": self.min_reported_contacts,
                "contact_reports": self.contact_reports}

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
    unit: str = "contacts"        # "reports": the window fired on its reports (report_stats)
    reports: int = 0              # ... the window's distinct reports
    reports_expected: float = 0.0  # ... and what the pair's own baseline expects of them


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
    # (= scipy.stats.nbinom.sf(k - 1, r, q), whose argument checking costs more than the formula)
    return float(betainc(observed, r, 1.0 - q)), expected


def score_of(p: float) -> float:
    """-log10(p), capped at 300 where p underflows to 0."""
    return 300.0 if p <= 0 else round(min(300.0, -math.log10(p)), 4)


def window_stats(observed: int, history: int, history_days: int, params: SpikeParams,
                 weeks: tuple[tuple[int, int], ...] = (),
                 previous: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()) -> WindowStats:
    """``weeks``: the baseline week by week, most recent first, as (contacts, observed days) --
    read by the methods other than gamma-poisson-v1 (which needs only the totals). ``previous``:
    (observed, weeks) of the windows ending one and two days earlier, read by ears-c3 only."""
    if params.method == "nb-eb-v2":
        return _nb_eb(observed, history, history_days, params, weeks)
    if params.method in EARS:
        return _ears(observed, history, history_days, params, weeks, previous)
    p, expected = _imputed_tail(observed, history, history_days, params)
    return WindowStats(observed, history, history_days, expected, p, score_of(p),
                       _fires(observed, expected, p, history_days, params))


def _imputed_tail(observed: float, history: float, history_days: int, params: SpikeParams) -> tuple[float, float]:
    """``tail_probability`` of a window against its baseline, the unobserved baseline weeks
    imputed at the pair's own shrunk rate (the posterior mean from what was observed and the
    prior): "had the baseline been observed in full and looked like the observed part, would this
    window be a spike?" (``fill_missing_history``)."""
    history_weeks = history_days / 7.0
    hist = float(history)
    missing = max(0.0, params.history_weeks - history_weeks)
    if params.fill_missing_history and missing > 0:
        rate = (params.prior_rate * params.prior_weeks + hist) / (params.prior_weeks + history_weeks)
        hist += rate * missing
        history_weeks += missing
    return tail_probability(observed, hist, history_weeks, params.window_days / 7.0,
                            params.prior_rate, params.prior_weeks)


def unit_counts(series: list[int], unit: str) -> list[int]:
    """A pair's daily counts in the unit the model counts: distinct contacts as they are, or
    ``days`` (1 for a day with any contact): a visit coded as two contacts on one day counts once,
    a busy pair's baseline is its active days."""
    if unit == "contacts":
        return series
    if unit == "days":
        return [1 if c else 0 for c in series]
    raise ValueError(f"count_unit must be one of {COUNT_UNITS}, not {unit!r}")


def report_stats(st: WindowStats, reports: int, history_reports: int, params: SpikeParams) -> WindowStats:
    """The report test of a window whose contact count ``st`` did not fire (fourth pass, family X):
    its ``reports`` distinct reports against the pair's ``history_reports`` over the same baseline
    (``st.history_days``, unobserved weeks imputed as for contacts), under the gamma-Poisson model
    with every count divided by ``report_dispersion`` (quasi-Poisson: an event's several articles
    are not independent reports). A busy pair's summit week rarely has many more contact-days than
    its ordinary weeks, but it is reported far more. Fires when the tail is below ``alpha``, the
    reports are at least ``min_ratio`` times their expectation, the window holds ``min_count``
    contacts and the baseline is long enough; the result carries the contact counts of ``st`` and
    ``unit="reports"``. Off (``st`` returned) when ``report_dispersion`` is 0, the window already
    fires, or the baseline expects fewer than ``busy_expected`` contacts in the window."""
    phi = params.report_dispersion
    if phi <= 0 or st.fires or st.expected < params.busy_expected:
        return st
    if st.observed < params.min_count or st.history_days < params.min_history_days:
        return st
    p, expected = _imputed_tail(reports / phi, history_reports / phi, st.history_days, params)
    expected *= phi
    fires = p < params.alpha and reports >= params.min_ratio * expected
    if not fires:
        return st
    return WindowStats(st.observed, st.history, st.history_days, st.expected, p, score_of(p), True,
                       "reports", reports, expected)


def own_dispersion_p(observed: int, history: int, history_days: int, params: SpikeParams,
                     weeks: tuple[tuple[int, int], ...]) -> float:
    """P(X >= observed) under the pair's own overdispersion: the quasi-Poisson tail of ``nb-eb-v2``
    with phi = the Pearson dispersion of the pair's baseline weeks (``weeks``) around its shrunk
    rate, never below 1, no pooled value; rate, prior and imputation as in gamma-poisson-v1. A pair
    whose contacts come in clusters (a visit's week, then quiet weeks) has phi > 1, and the same
    count is less surprising for it than for a pair whose contacts come evenly."""
    own = SpikeParams(**{**params.to_dict(), "method": "nb-eb-v2", "dispersion": 1.0,
                         "dispersion_weeks": 0.0, "downweight_outbreaks": False})
    return _nb_eb(observed, history, history_days, own, weeks).p_value


def may_fire(observed: int, params: SpikeParams) -> bool:
    """False when no window with ``observed`` contacts can fire, whatever its history: every
    method requires ``observed >= min_count`` (``_fires`` and ``_ears``). The detector asks this
    before computing a walked day's statistics, most of which hold a contact or two."""
    return observed >= params.min_count


def _fires(observed: int, expected: float, p: float, history_days: int, params: SpikeParams) -> bool:
    return (history_days >= params.min_history_days and p < params.alpha
            and observed >= params.min_count and observed >= params.min_ratio * expected)


def _anscombe(y: float, mu: float) -> float:
    """Anscombe residual of a Poisson count (Noufaily et al. 2013 use it to spot past outbreaks)."""
    if mu <= 0:
        return 0.0
    return 1.5 * (y ** (2 / 3) - mu ** (2 / 3)) / mu ** (1 / 6)


def _nb_eb(observed: int, history: int, history_days: int, params: SpikeParams,
           weeks: tuple[tuple[int, int], ...]) -> WindowStats:
    """Quasi-Poisson version of the gamma-Poisson model, after the improved Farrington method.

    The pair's weekly rate is shrunk towards the pooled prior (empirical Bayes) as in
    gamma-poisson-v1; contacts come in clusters, so counts are overdispersed by a factor phi
    (variance = phi * mean): the pooled ``dispersion`` of all pairs, combined with the pair's own
    Pearson estimate from its baseline weeks (weight ``dispersion_weeks`` for the pooled one), never
    below 1. The predictive tail is computed on counts divided by phi (the quasi-likelihood scaling:
    phi contacts carry the information of one). With ``downweight_outbreaks``, baseline weeks whose
    Anscombe residual exceeds 2.58 get weight residual^-2, so a past outbreak does not inflate the
    baseline (Noufaily et al. 2013)."""
    prior_c = params.prior_rate * params.prior_weeks
    wk = [(float(c), d / 7.0) for c, d in weeks if d > 0] or [(float(history), history_days / 7.0)]
    w = [1.0] * len(wk)
    expo = sum(f for _, f in wk)
    rate = (prior_c + sum(c for c, _ in wk)) / (params.prior_weeks + expo)
    if params.downweight_outbreaks and len(wk) > 1:
        w = []
        for c, f in wk:
            s = _anscombe(c, rate * f)
            w.append(s ** -2 if s > OUTBREAK_RESIDUAL else 1.0)
        rate = (prior_c + sum(wi * c for wi, (c, _) in zip(w, wk))) / (
            params.prior_weeks + sum(wi * f for wi, (_, f) in zip(w, wk)))
    # the pair's own dispersion (weighted Pearson statistic), shrunk towards the pooled one
    phi = params.dispersion
    n = sum(w)
    if params.dispersion_weeks >= 0 and n > 1 and rate > 0:  # < 0: pooled dispersion alone
        chi2 = sum(wi * (c - rate * f) ** 2 / (rate * f) for wi, (c, f) in zip(w, wk) if f > 0)
        phi = (params.dispersion_weeks * params.dispersion + chi2) / (params.dispersion_weeks + n - 1)
    phi = max(1.0, phi)
    hist = sum(wi * c for wi, (c, _) in zip(w, wk))
    hist_weeks = sum(wi * f for wi, (_, f) in zip(w, wk))
    missing = max(0.0, params.history_weeks - history_days / 7.0)
    if params.fill_missing_history and missing > 0:
        hist += rate * missing
        hist_weeks += missing
    t = params.window_days / 7.0
    r = (prior_c + hist) / phi
    exposure = params.prior_weeks + hist_weeks
    expected = t * (prior_c + hist) / exposure
    if observed <= 0:
        p = 1.0
    else:
        q = exposure / (exposure + t)
        p = float(betainc(observed / phi, r, 1.0 - q))
    return WindowStats(observed, history, history_days, expected, p, score_of(p),
                       _fires(observed, expected, p, history_days, params))


def _ears_z(observed: int, weeks: tuple[tuple[int, int], ...], params: SpikeParams) -> tuple[float, float] | None:
    """(z, baseline mean) of a window against the most recent ``ears_weeks`` fully observed
    baseline weeks (sd floored at ``ears_min_sd``); None with fewer than two such weeks."""
    full = [c for c, d in weeks if d >= 7][: params.ears_weeks]
    if len(full) < 2:
        return None
    mean = sum(full) / len(full)
    sd = (sum((c - mean) ** 2 for c in full) / (len(full) - 1)) ** 0.5
    return (observed - mean) / max(sd, params.ears_min_sd), mean


def _ears(observed: int, history: int, history_days: int, params: SpikeParams,
          weeks: tuple[tuple[int, int], ...],
          previous: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()) -> WindowStats:
    """EARS on weekly counts (Hutwagner et al. 2003, adapted from days to 7-day windows). C1: the
    window against the mean and sd of the most recent ``ears_weeks`` full baseline weeks, alarm when
    z > ``ears_z``. C2: the same with a guard band of ``ears_guard_days`` between the baseline and
    the window (the detector shifts the baseline), so an outbreak's first days do not raise its own
    baseline. C3: the sum of max(0, z - 1) over the C2 statistics of the windows ending on this day
    and the two days before, alarm when it exceeds ``ears_z``. The p-value is the normal tail of
    this window's z, as EARS reads it."""
    zm = _ears_z(observed, weeks, params)
    if zm is None:
        return WindowStats(observed, history, history_days, 0.0, 1.0, 0.0, False)
    z, mean = zm
    stat = z
    if params.method == "ears-c3":
        stat = max(0.0, z - 1.0)
        for obs, wk in previous:
            prev = _ears_z(obs, wk, params)
            stat += max(0.0, prev[0] - 1.0) if prev else 0.0
    p = float(ndtr(-z))
    fires = (stat > params.ears_z and observed >= params.min_count
             and observed >= params.min_ratio * mean and history_days >= params.min_history_days)
    return WindowStats(observed, history, history_days, mean, p, score_of(p), fires)
