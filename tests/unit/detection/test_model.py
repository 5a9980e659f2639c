"""streams/detection/model.py: the fourth pass's count unit and report test (the older model
functions are tested in test_detector.py)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from streams.detection import SpikeParams, window_stats
from streams.detection.model import WindowStats, report_stats, unit_counts


def test_unit_counts_contacts_or_days():
    series = [0, 2, 1, 0, 3]
    assert unit_counts(series, "contacts") == series
    assert unit_counts(series, "days") == [0, 1, 1, 0, 1]
    with pytest.raises(ValueError):
        unit_counts(series, "weeks")


# a busy pair: 3 contacts a week over its 12 baseline weeks, 5 in the window (not a spike)
P = SpikeParams(report_dispersion=2.0)
BUSY = window_stats(5, 36, 84, P)


def test_report_stats_fires_on_a_reported_surge_of_a_busy_pair():
    # expected (0.1 x 5 prior weeks + 36) / (5 + 12) weeks: the prior pulls it down a little
    assert not BUSY.fires and BUSY.expected == pytest.approx(36.5 / 17)
    # its baseline was reported in 2 articles a week; the window in 30
    st = report_stats(BUSY, 30, 24, P)
    assert st.fires and st.unit == "reports" and st.reports == 30
    # reports divided by phi 2 under the same prior: (0.5 + 12) / 17, times phi
    assert st.p_value < P.alpha and st.reports_expected == pytest.approx(2 * 12.5 / 17)
    # the contact counts of the window are kept
    assert (st.observed, st.history, st.history_days, st.expected) == (
        BUSY.observed, BUSY.history, BUSY.history_days, BUSY.expected)
    # an ordinary week's reports: nothing
    assert report_stats(BUSY, 3, 24, P) is BUSY


def test_report_stats_dispersion_makes_reports_less_surprising():
    p2 = report_stats(BUSY, 12, 24, P)
    p8 = report_stats(BUSY, 12, 24, replace(P, report_dispersion=8.0))
    assert p2.fires and p8 is BUSY     # 12 articles against 2 a week: enough at phi 2, not at phi 8


def test_report_stats_is_off_unless_asked_and_for_quiet_pairs():
    assert report_stats(BUSY, 30, 24, replace(P, report_dispersion=0.0)) is BUSY
    assert report_stats(BUSY, 30, 24, replace(P, busy_expected=3.0)) is BUSY   # expects 2.15
    assert report_stats(BUSY, 30, 24, replace(P, busy_expected=2.0)).fires
    few = window_stats(2, 36, 84, P)                       # fewer contacts than min_count
    assert report_stats(few, 30, 24, P) is few
    young = window_stats(5, 3, 5, P)                       # less than min_history_days observed
    assert report_stats(young, 30, 2, P) is young
    fired = WindowStats(6, 0, 84, 0.4, 1e-6, 6.0, True)    # the contacts fired already
    assert report_stats(fired, 30, 0, P) is fired
