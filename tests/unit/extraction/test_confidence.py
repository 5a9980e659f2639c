"""The confidence model: features, the logistic probability, weights as data, and the fitter of
bench/fit_confidence.py (which must recover known weights from samples drawn from them)."""
from __future__ import annotations

import math
import os
import random
import shutil
import subprocess
import sys

import pytest

from streams.extraction import confidence, extract_contacts
from streams.extraction.contacts import explain
from streams.knowledge import loader as kb

from tests.paths import ROOT
sys.path.insert(0, str(ROOT / "bench"))

import fit_confidence  # noqa: E402


def test_features_and_weights_line_up():
    w = confidence.weights()
    assert len(w) == len(confidence.FEATURES)
    rows = [line.split("\t") for line in (ROOT / "streams" / "knowledge" / "confidence.tsv")
            .read_text(encoding="utf-8").split("\n") if line and not line.startswith("#")][1:]
    assert {name: float(v) for name, v, *_ in rows} == {
        name: pytest.approx(w[i]) for i, name in enumerate(confidence.FEATURES) if w[i] != 0.0}


def test_probability_is_the_logistic_of_the_weighted_sum():
    w = (0.5, -1.0, 2.0)
    x = (1.0, 1.0, 0.25)
    assert confidence.probability(x, w) == pytest.approx(1 / (1 + math.exp(-(0.5 - 1.0 + 0.5))))
    assert confidence.probability((1.0, 900.0, 0.0), w) == pytest.approx(0.0, abs=1e-12)  # no overflow
    assert confidence.probability((1.0, -900.0, 0.0), w) == pytest.approx(1.0)


def test_contacts_carry_the_probability_of_their_features():
    art = {"id": "c", "lang": "en", "published_at": "2024-03-04",
           "text": "Iranian Foreign Minister Abbas Araghchi met his Omani counterpart in Muscat on Monday."}
    [(c, x)] = explain(art)
    assert len(x) == len(confidence.FEATURES)
    f = dict(zip(confidence.FEATURES, x))
    assert f["named_sides"] == 2 and f["strong_trigger"] == 1 and f["dated"] == 1 and f["headline"] == 1
    assert c.confidence == round(confidence.probability(x), 2)
    assert [c.to_dict() for c in extract_contacts(art)] == [c.to_dict()]
    # fewer agreeing cues, lower probability: a bare country name, no date, only "discussed"
    [(weak, _)] = explain({"id": "d", "lang": "en", "published_at": "2024-03-04",
                           "text": "Iran and Oman discussed regional issues."})
    assert weak.confidence < c.confidence


def test_the_fitter_recovers_the_weights_it_samples_from():
    rng = random.Random(7)
    true_w = [-1.0, 2.0, -1.5]
    xs, ys = [], []
    for _ in range(4000):
        x = (1.0, float(rng.random() < 0.5), float(rng.randint(0, 2)))
        xs.append(x)
        ys.append(int(rng.random() < confidence.probability(x, true_w)))
    w = fit_confidence.fit(xs, ys, l2=0.0)
    assert w == pytest.approx(true_w, abs=0.2)
    report = fit_confidence.report("synthetic", [confidence.probability(x, w) for x in xs], ys)
    assert report["ece"] < 0.03


@pytest.mark.parametrize("text, message", [
    ("feature\tweight\tsource\nbias\tabc\tx\n", "f.tsv:2: weight must be a number"),
    ("feature\tweight\tsource\nbias\t1\tx\nbias\t2\tx\n", "f.tsv:3: feature 'bias' already on line 2"),
    ("feature\tweight\tsource\nbias\tnan\tx\n", "f.tsv:2: weight must be finite"),
])
def test_bad_weight_rows_name_file_and_line(text, message):
    with pytest.raises(kb.KnowledgeError, match=message):
        kb.parse_confidence_weights(text, "f.tsv")


def test_a_weight_for_a_feature_the_extractor_does_not_compute_is_an_error(tmp_path):
    dst = tmp_path / "streams"
    shutil.copytree(ROOT / "streams", dst, ignore=shutil.ignore_patterns("*.so", "*.c", "_build.json", "__pycache__"))
    path = dst / "knowledge" / "confidence.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + ["moon_phase\t0.3\tx"]) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DIPLOWATCH_PURE_PYTHON": "1"}
    run = subprocess.run([sys.executable, "-c", "from streams.extraction import load_knowledge; load_knowledge()"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert f"KnowledgeError: confidence.tsv:{len(lines) + 1}: unknown feature 'moon_phase'" in run.stderr
