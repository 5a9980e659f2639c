"""Pure aggregation and spike detection: distinct contacts per pair/topic/day, a gamma-Poisson
spike model, episodes. The same classes run in the Faust agents (tables as stores) and in
``python -m streams backtest`` (dicts as stores)."""
from streams.detection.contact_keys import contact_day, contact_key, pair_key, split_contact_key
from streams.detection.counts import ALL_TOPICS, AddResult, PairCounts
from streams.detection.detector import SpikeDetector
from streams.detection.model import METHOD, SpikeParams, WindowStats, tail_probability, window_stats

__all__ = [
    "ALL_TOPICS", "AddResult", "METHOD", "PairCounts", "SpikeDetector", "SpikeParams", "WindowStats",
    "contact_day", "contact_key", "pair_key", "split_contact_key", "tail_probability", "window_stats",
]
