"""backtest: the CLI over the same detector; sorting, bad lines, summary, the ICEWS episode."""
from __future__ import annotations

import io
import json
import sys

import pytest

from streams.__main__ import main

from tests.paths import ROOT
from tests.corpus import events_path

ICEWS = "icews-contacts-2016.jsonl"


def line(d, mode="phone", pair=("IRN", "SAU"), **kw):
    return json.dumps({"article_id": f"a-{d}-{mode}", "countries": list(pair), "mode": mode,
                       "date": d, "topics": [], "evidence": "x", "source": "s", "cameo_text": "?",
                       **kw})


def run_backtest(tmp_path, capsys, lines, *extra):
    """The CLI in-process (python -m streams backtest ...): same code path, no interpreter start."""
    src = tmp_path / "contacts.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "alerts.jsonl"
    capsys.readouterr()
    # the synthetic contacts come from one outlet: no corroboration gate unless a test asks for it
    if "--min-reports" not in extra:
        extra = ("--min-reports", "1", *extra)
    assert main(["backtest", "--input", str(src), "--output", str(out), *extra]) == 0
    err = capsys.readouterr().err
    alerts = [json.loads(x) for x in out.read_text().splitlines()]
    summary = json.loads(err.split("backtest: summary ", 1)[1])
    return alerts, summary, err


def test_unsorted_input_bad_lines_and_summary(tmp_path, capsys):
    history = [line(f"2024-01-{d:02d}") for d in (1, 15)]
    burst = [line("2024-02-20", "visit"), line("2024-02-19"), line("2024-02-18"),
             line("2024-02-18", "third-party")]
    lines = burst + ["{not json", '{"countries": ["IRN"]}', "[1,2]"] + history
    alerts, s, err = run_backtest(tmp_path, capsys, lines)
    assert "line 5:" in err and "line 6:" in err and "line 7:" in err
    assert s["bad_lines"] == 3 and s["contacts_read"] == 9
    assert s["distinct_contacts"] == 6          # Feb 18 has a call and a meeting: two contacts
    # sorted by event day: fires on Feb 19 (3 in the window), grows on Feb 20
    assert [a["status"] for a in alerts] == ["new", "update"]
    assert alerts[0]["window_end"] == "2024-02-19" and alerts[0]["observed"] == 3
    assert alerts[1]["window_end"] == "2024-02-20" and alerts[1]["observed"] == 4
    assert s["alerts_new"] == 1 and s["pairs"] == 1


def test_undated_contacts_use_published_day_or_are_skipped(tmp_path, capsys):
    lines = [line(None, published_at="2024-03-01T08:00:00Z"), line(None)]
    _, s, _ = run_backtest(tmp_path, capsys, lines)
    assert s["undated_skipped"] == 1 and s["distinct_contacts"] == 1


def test_thresholds_come_from_the_command_line(tmp_path, capsys):
    lines = [line(f"2024-01-{d:02d}") for d in (1, 2, 3)]
    alerts, _, _ = run_backtest(tmp_path, capsys, lines, "--coverage-start", "2023-10-01")
    assert len(alerts) == 1 and alerts[0]["threshold"]["min_count"] == 3
    alerts, _, _ = run_backtest(tmp_path, capsys, lines, "--coverage-start", "2023-10-01", "--min-count", "4")
    assert alerts == []


def test_min_confidence_drops_contacts_below_it(tmp_path, capsys):
    lines = [json.dumps({**json.loads(line(f"2024-01-{d:02d}")), "confidence": c})
             for d, c in ((1, 0.9), (2, 0.3), (3, 0.8))]
    _, s, _ = run_backtest(tmp_path, capsys, lines)
    assert s["distinct_contacts"] == 3 and s["below_min_confidence"] == 0
    _, s, _ = run_backtest(tmp_path, capsys, lines, "--min-confidence", "0.5")
    assert s["distinct_contacts"] == 2 and s["below_min_confidence"] == 1 and s["contacts_read"] == 3


def test_icews_flags_the_saudi_iranian_rupture(capsys):
    out = io.StringIO()
    from streams.commands.backtest import _read, backtest
    from streams.detection import SpikeParams
    with open(events_path(ICEWS), encoding="utf-8") as f:
        rows, bad, _ = _read(f, sys.stderr)
    assert bad == 0
    s = backtest(rows, SpikeParams(), rows[0][0], out)
    alerts = [json.loads(x) for x in out.getvalue().splitlines()]
    irn_sau = [a for a in alerts if a["pair"] == ["IRN", "SAU"] and a["status"] == "new"]
    assert irn_sau and irn_sau[0]["window_end"] <= "2016-01-07"
    # steady, busy pairs fire rarely: at most a handful of episodes a year each
    assert max(s["new_by_pair"].values()) <= 5
    assert s["new_per_100_pair_weeks"] < 10


def test_the_operating_point_on_the_labelled_2016_episodes(tmp_path, capsys):
    """docs/detection.md: the defaults catch at least 19 of the 28 observable labelled episodes at
    under 3 new alerts per 100 active pair-weeks."""
    capsys.readouterr()
    assert main(["backtest", "--input", str(events_path(ICEWS)), "--output", str(tmp_path / "a.jsonl"),
                 "--episodes", str(ROOT / "episodes" / "icews-2016.tsv"),
                 "--steady", str(ROOT / "episodes" / "steady-2016.tsv")]) == 0
    err = capsys.readouterr().err
    s = json.loads(err.split("backtest: summary ", 1)[1])["labelled"]
    assert s["observable"] == 28 and s["observable_caught"] >= 19
    assert s["new_per_100_pair_weeks"] <= 3.0
    assert "episode IRN-SAU 2015-W53 2016-01-02: caught" in err


def test_cli_help_lists_parameters(capsys):
    with pytest.raises(SystemExit):
        main(["backtest", "--help"])
    assert "--alpha" in capsys.readouterr().out
