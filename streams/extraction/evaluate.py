"""Score predicted contacts against a gold file, with the rules of the corpus README.

Within each article predictions are matched to gold contacts by country pair (duplicates of a pair
count once). A predicted pair is a true positive when it matches a required gold pair, a false
positive when the article's gold has no such pair (optional gold pairs absorb their predictions), and
a required gold pair without a prediction is a false negative. P/R/F1 are micro-averaged. On true
positives: mode accuracy, date accuracy (over gold contacts with a date; a null prediction is
wrong) and topic accuracy (whether ``gaza`` is present, both ways). Date accuracy cannot see a date
given where the gold has none, so those are counted beside it (``date_extra`` of ``tp - date_n``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from streams.records import Contact


@dataclass
class Mismatch:
    article_id: str
    pair: tuple[str, str]
    field: str
    gold: Any
    pred: Any
    evidence: str


@dataclass
class Score:
    articles: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    mode_ok: int = 0
    date_ok: int = 0
    date_n: int = 0
    date_extra: int = 0     # true positives whose gold has no date but the prediction gives one
    topic_ok: int = 0
    false_positives: list[tuple[str, tuple[str, str], str]] = field(default_factory=list)
    false_negatives: list[tuple[str, tuple[str, str], str]] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def mode_accuracy(self) -> float:
        return self.mode_ok / self.tp if self.tp else 0.0

    @property
    def date_accuracy(self) -> float:
        return self.date_ok / self.date_n if self.date_n else 0.0

    @property
    def topic_accuracy(self) -> float:
        return self.topic_ok / self.tp if self.tp else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles, "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "mode_accuracy": round(self.mode_accuracy, 4), "mode_n": self.tp,
            "date_accuracy": round(self.date_accuracy, 4), "date_n": self.date_n,
            "date_extra": self.date_extra,
            "topic_accuracy": round(self.topic_accuracy, 4), "topic_n": self.tp,
        }


def _pair(countries: Iterable[str]) -> tuple[str, str]:
    a, b = sorted(countries)
    return (a, b)


def score(gold: Iterable[dict[str, Any]], predictions: Iterable[Contact | dict[str, Any]]) -> Score:
    """Score predictions (Contact or dict) against gold records (one per article)."""
    by_article: dict[str, dict[tuple[str, str], Contact]] = {}
    for p in predictions:
        c = p if isinstance(p, Contact) else Contact.from_dict(p)
        if len(c.countries) != 2:
            continue
        pairs = by_article.setdefault(c.article_id, {})
        key = _pair(c.countries)
        # duplicates of a pair count once: keep the most confident one
        if key not in pairs or c.confidence > pairs[key].confidence:
            pairs[key] = c
    s = Score()
    for g in gold:
        aid = str(g["article_id"])
        s.articles += 1
        required = {}
        optional = set()
        for gc in g.get("contacts") or []:
            key = _pair(gc["countries"])
            if gc.get("optional"):
                optional.add(key)
            else:
                required[key] = gc
        optional -= set(required)
        preds = by_article.get(aid, {})
        for key, c in preds.items():
            if key in required:
                s.tp += 1
                gc = required[key]
                if c.mode == gc["mode"]:
                    s.mode_ok += 1
                else:
                    s.mismatches.append(Mismatch(aid, key, "mode", gc["mode"], c.mode, c.evidence))
                if gc.get("date") is not None:
                    s.date_n += 1
                    if c.date == gc["date"]:
                        s.date_ok += 1
                    else:
                        s.mismatches.append(Mismatch(aid, key, "date", gc["date"], c.date, c.evidence))
                elif c.date is not None:
                    s.date_extra += 1
                    s.mismatches.append(Mismatch(aid, key, "date", None, c.date, c.evidence))
                g_gaza = "gaza" in (gc.get("topics") or [])
                p_gaza = "gaza" in (c.topics or [])
                if g_gaza == p_gaza:
                    s.topic_ok += 1
                else:
                    s.mismatches.append(Mismatch(aid, key, "topic", g_gaza, p_gaza, c.evidence))
            elif key not in optional:
                s.fp += 1
                s.false_positives.append((aid, key, c.evidence))
        for key, gc in required.items():
            if key not in preds:
                s.fn += 1
                s.false_negatives.append((aid, key, gc.get("note") or ""))
    return s


def format_table(s: Score, title: str = "") -> str:
    rows = [
        ("articles", str(s.articles)),
        ("true positives", str(s.tp)),
        ("false positives", str(s.fp)),
        ("false negatives", str(s.fn)),
        ("precision", f"{s.precision:.3f}"),
        ("recall", f"{s.recall:.3f}"),
        ("F1", f"{s.f1:.3f}"),
        ("mode accuracy", f"{s.mode_accuracy:.3f}  ({s.mode_ok}/{s.tp})"),
        ("date accuracy", f"{s.date_accuracy:.3f}  ({s.date_ok}/{s.date_n})"),
        ("dated, gold undated", f"{s.date_extra}/{s.tp - s.date_n}"),
        ("topic accuracy", f"{s.topic_accuracy:.3f}  ({s.topic_ok}/{s.tp})"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [title] if title else []
    lines += [f"{k.ljust(width)}  {v}" for k, v in rows]
    return "\n".join(lines)


def format_errors(s: Score) -> str:
    """FP/FN and field mismatches grouped per article: the extractor's debugging view."""
    per: dict[str, list[str]] = {}
    for aid, key, ev in s.false_positives:
        per.setdefault(aid, []).append(f"  FP {'-'.join(key)}  evidence: {_short(ev)}")
    for aid, key, note in s.false_negatives:
        per.setdefault(aid, []).append(f"  FN {'-'.join(key)}  gold: {_short(note)}")
    for m in s.mismatches:
        per.setdefault(m.article_id, []).append(
            f"  {m.field.upper()} {'-'.join(m.pair)} gold={m.gold} pred={m.pred}  evidence: {_short(m.evidence)}")
    out = []
    for aid in sorted(per):
        out.append(aid)
        out.extend(per[aid])
    return "\n".join(out)


def _short(text: str, limit: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
