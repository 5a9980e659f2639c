"""Every user mistake gets one line on stderr saying what is wrong and what to do, and a non-zero
exit code; never a traceback. Run in-process through ``streams.__main__.main`` (the code path of
``python -m streams``); the checks that need a server process are in
tests/integration/test_startup_failures.py."""
from __future__ import annotations

import json
import socket

import pytest

from tests.cli import run
from tests.paths import ROOT as PROJECT


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert "Traceback" not in text
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("command", [["extract", "-i"], ["backtest", "--input"],
                                     ["evaluate", "--gold", "GOLD", "--pred"]])
def test_missing_and_directory_inputs(command, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"article_id": "a", "contacts": []}\n')
    command = [str(gold) if a == "GOLD" else a for a in command]
    code, _, err = run(command + [str(tmp_path / "nope.jsonl")])
    assert code == 2 and "no such" in one_line(err) and "nope.jsonl" in err
    code, _, err = run(command + [str(tmp_path)])
    assert code == 2 and "is a directory" in one_line(err)


def test_evaluate_missing_gold_file(tmp_path):
    code, _, err = run(["evaluate", "--gold", str(tmp_path / "g.jsonl"), "--pred", str(tmp_path)])
    assert code == 2 and "no such gold file" in one_line(err)


def test_evaluate_names_a_json_array_and_how_to_convert_it(tmp_path):
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps([{"article_id": "a", "contacts": []}], indent=1))
    code, _, err = run(["evaluate", "--gold", str(gold), "--pred", str(gold)])
    assert code == 2 and "one JSON array" in one_line(err) and "jq -c" in err


def test_evaluate_predictions_without_article_id(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"article_id": "a", "contacts": []}\n')
    pred = tmp_path / "pred.jsonl"
    pred.write_text('{"countries": ["IRN", "OMN"], "mode": "phone"}\n')
    code, _, err = run(["evaluate", "--gold", str(gold), "--pred", str(pred)])
    line = one_line(err)
    assert code == 2 and "pred.jsonl:1" in line and "'article_id'" in line and "countries" in line


def test_extract_fails_when_no_line_is_usable():
    code, out, err = run(["extract"], b"not json\n[1, 2]\n")
    assert code == 1 and out == ""
    assert err.splitlines()[-1].startswith("extract: no usable article line")
    assert "Traceback" not in err


def test_extract_help_names_the_fields_it_reads():
    code, out, _ = run(["extract", "--help"])
    assert code == 0
    for field in ("id", "text", "published_at", "lang", "title", "source", "url"):
        assert f"\n  {field}" in out or f"  {field} " in out, field


def test_backtest_fed_articles_says_so_once():
    articles = "".join(json.dumps({"id": f"a{i}", "text": "x"}) + "\n" for i in range(50))
    code, _, err = run(["backtest"], articles.encode())
    line = one_line(err)
    assert code == 2 and "is an article, not a contact" in line and "extract" in line


def test_backtest_without_usable_contacts_exits_non_zero():
    code, _, err = run(["backtest", "--quiet"], b'{"countries": ["IRN", "OMN"]}\n')
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[0].startswith("backtest: line 1: skipped")
    assert err.splitlines()[-1].startswith("backtest: no usable contact")


@pytest.mark.parametrize("option, value", [("--alpha", "5"), ("--alpha", "0"), ("--window-days", "0"),
                                           ("--history-weeks", "x"), ("--coverage-start", "2016-13-01"),
                                           ("--prior-rate", "-1")])
def test_backtest_rejects_impossible_values(option, value):
    code, _, err = run(["backtest", option, value])
    line = one_line(err)
    assert code == 2 and option in line and "--help" in line


def test_backtest_help_gives_every_option_a_text_and_its_default():
    code, out, _ = run(["backtest", "--help"])
    assert code == 0
    for option in ("--window-days", "--history-weeks", "--alpha", "--min-count", "--min-ratio",
                   "--prior-rate", "--prior-weeks", "--min-history-days", "--cooldown-days"):
        block = out.split(option, 2)[-1].split("\n  --", 1)[0]
        assert "(default:" in " ".join(block.split()), option


@pytest.mark.parametrize("command", [["replay", str(PROJECT / "tests" / "fixtures" / "burst_stream.jsonl")],
                                     ["alerts"]])
def test_no_broker_at_the_address(command, closed_port):
    code, _, err = run(command + ["--bootstrap", f"127.0.0.1:{closed_port}"])
    line = one_line(err)
    assert code == 1
    assert f"no Kafka at 127.0.0.1:{closed_port}" in line and "python -m streams kafka" in line


def test_replay_missing_file():
    code, _, err = run(["replay", "/nonexistent/articles.jsonl"])
    assert code == 2 and "no such articles file" in one_line(err)


def test_unknown_command_and_bad_option_are_one_line():
    code, _, err = run(["nope"])
    assert code == 2 and "invalid choice" in one_line(err)
    code, _, err = run(["extract", "--frobnicate"])
    assert code == 2 and "--frobnicate" in one_line(err)


def test_busy_ports_for_worker_kafka_and_demo():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for command, option in ((["worker", "--web-port", str(port)], "--web-port"),
                                (["kafka", "--port", str(port)], "--port"),
                                (["demo", "--web-port", str(port)], "--web-port")):
            code, _, err = run(command)
            line = one_line(err)
            assert code == 1, (command, err)
            assert f"port {port} on 127.0.0.1 is already in use" in line and option in line


@pytest.mark.parametrize("args, says", [
    (["--pair", "JORUSA", "--from", "2023-10-01", "--to", "2023-10-31"], "--pair 'JORUSA' is not two country codes"),
    (["--pair", "JOR-USA", "--from", "2023-10-31", "--to", "2023-10-01"], "--from 2023-10-31 is after --to 2023-10-01"),
    (["--pair", "JOR-USA", "--from", "2023-02-30", "--to", "2023-10-01"], "--from '2023-02-30' is not a day"),
    (["--pair", "JOR-USA", "--from", "2023-10-01", "--to", "2023-10-31", "--url", "127.0.0.1:6066"],
     "--url '127.0.0.1:6066' is not an http:// URL"),
])
def test_counts_mistakes_are_found_before_asking_a_worker(args, says):
    code, out, err = run(["counts", *args])
    assert code == 2 and out == "" and one_line(err).startswith(f"counts: {says}")


def test_counts_with_no_worker_at_the_url(closed_port):
    code, out, err = run(["counts", "--pair", "JOR-USA", "--from", "2023-10-01", "--to", "2023-10-31",
                          "--url", f"http://127.0.0.1:{closed_port}"])
    line = one_line(err)
    assert code == 1 and out == ""
    assert line.startswith(f"counts: no worker at http://127.0.0.1:{closed_port}")
    assert "python -m streams worker" in line and "--url" in line
