"""The labelled episode files and the scoring of a backtest against them."""
from __future__ import annotations


import pytest

from streams.detection.labels import iso_week, load_episodes, load_steady, score

from tests.paths import ROOT
FILES = sorted((ROOT / "episodes").glob("icews*.tsv"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_episode_files_are_well_formed(path):
    eps = load_episodes(path)
    assert len(eps) >= 6
    for e in eps:
        assert e.week == iso_week(e.start), f"{e.pair} {e.start}: week column says {e.week}"
        assert e.what and e.source and e.kind in {
            "rupture", "crisis", "reconciliation", "state-visit", "summit", "talks"}
    assert len({(e.pair, e.start) for e in eps}) == len(eps), "an episode is listed twice"


def test_steady_pairs_are_sorted_pairs_with_a_reason():
    pairs = load_steady(ROOT / "episodes" / "steady-2016.tsv")
    assert len(pairs) == len(set(pairs)) >= 5
    assert all(p == "-".join(sorted(p.split("-"))) for p in pairs)


def test_load_episodes_rejects_an_unsorted_pair(tmp_path):
    f = tmp_path / "e.tsv"
    f.write_text("pair\tweek\tstart\tend\tkind\twhat\tsource\n"
                 "SAU-IRN\t2016-W01\t2016-01-04\t2016-01-05\tcrisis\tx\ty\n")
    with pytest.raises(ValueError):
        load_episodes(f)


def test_score_catches_within_the_span_and_counts_rates(tmp_path):
    f = tmp_path / "e.tsv"
    f.write_text("pair\tweek\tstart\tend\tkind\twhat\tsource\n"
                 "IRN-SAU\t2016-W01\t2016-01-04\t2016-01-06\tcrisis\trupture\tsrc\n"
                 "EGY-SAU\t2016-W14\t2016-04-07\t2016-04-11\tstate-visit\tvisit\tsrc\n"
                 "CHN-IRN\t2016-W03\t2016-01-23\t2016-01-23\tstate-visit\tvisit\tsrc\n")
    eps = load_episodes(f)

    def alert(pair, end, status="new"):
        return {"pair": pair.split("-"), "topic": "*", "status": status, "window_end": end}
    alerts = [alert("IRN-SAU", "2016-01-05"),                    # inside the span: caught
              alert("EGY-SAU", "2016-03-20"),                    # 18 days early: not this episode
              alert("EGY-SAU", "2016-04-19", "update"),          # 8 days after its end: too late
              alert("RUS-SYR", "2016-05-01")]                    # a steady pair, no episode
    days = {"IRN-SAU": ["2016-01-02", "2016-01-04", "2016-01-05"],
            "EGY-SAU": ["2016-04-07", "2016-04-08", "2016-04-09", "2016-04-10"]}
    r = score(alerts, eps, ["RUS-SYR"], contact_days=days, active_pair_weeks=50)
    assert [x["caught"] for x in r["rows"]] == [True, False, False]
    assert [x["observable"] for x in r["rows"]] == [True, True, False]   # CHN-IRN: no contacts
    assert (r["caught"], r["observable"], r["observable_caught"]) == (1, 2, 1)
    assert r["new_alerts"] == 3 and r["new_in_labelled_episodes"] == 1
    assert r["new_on_steady_pairs_outside_episodes"] == 1
    assert r["new_per_100_pair_weeks"] == 6.0
