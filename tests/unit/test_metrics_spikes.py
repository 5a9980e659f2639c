"""diplowatch_spike_active: the running spike episodes by pair and topic, read from the detector's
episodes table by the refresh timer, bounded in series."""
from __future__ import annotations

import pytest

from streams import metrics
from streams.detection import PairCounts, SpikeDetector, SpikeParams
from streams.records import Contact
from streams.web import refresh


@pytest.fixture(autouse=True)
def fresh_topic_labels():
    """The topic label set is capped per process and other tests fill it (test_metrics checks the
    cap): start these tests from an empty set and put the others' values back afterwards."""
    saved = set(metrics._topic.seen)
    metrics._topic.seen.clear()
    yield
    metrics._topic.seen.clear()
    metrics._topic.seen.update(saved)


def active() -> dict[tuple[str, str], float]:
    out = {}
    for m in metrics.REGISTRY.collect():
        if m.name == "diplowatch_spike_active":
            for s in m.samples:
                out[(s.labels["pair"], s.labels["topic"])] = s.value
    return out


def test_running_spikes_reads_the_episode_table_layout():
    table = {
        "0|JOR-USA|gaza": {"clock": "2023-10-15", "active": {"episode_id": "e1", "observed": 6, "score": 4.2}},
        "1|EGY-QAT|*": {"clock": "2023-10-15", "active": {"episode_id": "e2", "observed": 3, "score": 2.5}},
        "IRN-SAU|*": {"clock": "2023-10-15", "active": None, "episodes": 2},    # ended
        "0|~coverage": {"day": "2023-01-01"},
        "junk": 5,
    }
    assert sorted(refresh.running_spikes(table.items())) == [
        ("EGY-QAT", "*", 3, 2.5), ("JOR-USA", "gaza", 6, 4.2)]
    refresh.refresh({"episodes": table}, pairs=False)
    assert active() == {("JOR-USA", "gaza"): 6, ("EGY-QAT", "all"): 3}
    # the episode ends: its series goes on the next refresh
    table["0|JOR-USA|gaza"]["active"] = None
    refresh.refresh({"episodes": table}, pairs=False)
    assert active() == {("EGY-QAT", "all"): 3}


def test_series_are_bounded_and_labels_cleaned():
    eps = [(f"A{chr(65 + i // 26)}{chr(65 + i % 26)}-USA", "gaza", i, float(i)) for i in range(200)]
    eps += [("not-a-pair", "gaza", 9, 99.0), (("USA", "JOR"), "*", 4, 1.0)]
    published = metrics.set_active_spikes(eps)
    assert len(published) == metrics.MAX_SPIKES == len(active())
    assert published[0] == ("AHR-USA", "gaza", 199)      # highest score first (i = 199)
    assert all(p != "not-a-pair" for p, _, _ in published)
    metrics.set_active_spikes([(("USA", "JOR"), "*", 4, 1.0), ("JOR-USA", "*", 2, 0.5),
                               ("IRN-SAU", "Bad Topic!", 3, 1.0)])
    # one series per (pair, topic), the higher-scoring episode; a bad topic folds into "other"
    assert active() == {("JOR-USA", "all"): 4, ("IRN-SAU", "other"): 3}
    metrics.set_active_spikes([])
    assert active() == {}


def test_gauge_follows_the_real_detector():
    """A real SpikeDetector over dict stores: a burst after a quiet history opens an episode, the
    gauge shows its pair and topic; when the episode ends, the series goes."""
    episodes: dict = {}
    det = SpikeDetector(PairCounts({}), episodes, SpikeParams(), coverage_start="0001-01-01",
                        now=lambda: "2024-06-01T00:00:00Z")
    for i in range(6):
        det.observe(Contact(article_id=f"a{i}", countries=["JOR", "USA"], mode="phone",
                            date=f"2024-03-0{i + 1}", date_precision="day", topics=["gaza"],
                            evidence="call", source=f"s{i}.com"))
    running = refresh.running_spikes(episodes.items())
    assert ("JOR-USA", "gaza") in {(p, t) for p, t, _, _ in running}
    refresh.refresh({"episodes": episodes}, pairs=False)
    assert active()[("JOR-USA", "gaza")] >= 3
    det.tick("2024-06-01")                    # months later: the episodes ended
    refresh.refresh({"episodes": episodes}, pairs=False)
    assert active() == {}
