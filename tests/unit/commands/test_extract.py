"""``python -m streams extract`` and ``evaluate`` as a user runs them."""
from __future__ import annotations

import io
import json
import sys

from streams.__main__ import main

GOOD = {"id": "g1", "lang": "en", "published_at": "2024-03-05",
        "text": "The Foreign Minister of Oman held a phone call with the Foreign Minister of Iran today."}


class _Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _run(args, stdin: bytes = b""):
    """Run the CLI in-process (same code path as ``python -m streams``) with byte streams."""
    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = io.BytesIO(), io.StringIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    wrapper = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stdout = wrapper
    sys.stderr = err
    try:
        code = main(list(args))
        wrapper.flush()
        value = out.getvalue()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        wrapper.detach()
    return _Result(code, value, err.getvalue().encode())


def test_extract_reads_stdin_reports_bad_lines_and_goes_on():
    lines = [json.dumps(GOOD), "{not json", json.dumps([1, 2]), json.dumps({"id": "x"}),
             "", json.dumps(dict(GOOD, id="g2"))]
    r = _run(["extract"], ("\n".join(lines) + "\n").encode())
    assert r.returncode == 0
    out = [json.loads(l) for l in r.stdout.decode().splitlines()]
    assert [(c["article_id"], c["countries"], c["mode"]) for c in out] == [
        ("g1", ["IRN", "OMN"], "phone"), ("g2", ["IRN", "OMN"], "phone")]
    err = r.stderr.decode()
    assert "line 2: invalid JSON" in err
    assert "line 3: expected a JSON object" in err
    assert "line 4: missing 'text'" in err
    assert "3 articles read" not in err and "2 articles read, 3 bad lines, 2 contacts" in err


def test_extract_and_evaluate_files(tmp_path):
    arts = tmp_path / "a.jsonl"
    arts.write_text(json.dumps(GOOD) + "\n")
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"article_id": "g1", "contacts": [
        {"countries": ["IRN", "OMN"], "mode": "phone", "date": "2024-03-05", "topics": []}]}) + "\n")
    pred = tmp_path / "p.jsonl"
    r = _run(["extract", "--input", str(arts), "--output", str(pred)])
    assert r.returncode == 0, r.stderr
    r = _run(["evaluate", "--gold", str(gold), "--pred", str(pred), "--json"])
    scores = json.loads(r.stdout)
    assert scores["f1"] == 1.0 and scores["mode_accuracy"] == 1.0 and scores["date_accuracy"] == 1.0
    r = _run(["evaluate", "--gold", str(gold), "--articles", str(arts), "--errors"])
    assert r.returncode == 0 and "F1" in r.stdout.decode()
