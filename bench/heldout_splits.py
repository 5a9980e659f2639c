"""Scores of the extractor on every annotated split of ``corpus/splits.tsv``: the development
splits it is tuned on and the frozen test splits it never is, side by side (issue 13).

    .venv/bin/python bench/heldout_splits.py                 # all splits, pooled per role and language
    .venv/bin/python bench/heldout_splits.py --role dev --errors   # what to tune on
    .venv/bin/python bench/heldout_splits.py --tree ../old-checkout  # another checkout's extractor

A split's files must hash to the SHA-256 the manifest records (a changed file is refused: a test
split is frozen), and its gold must be well formed. ``--errors`` lists the errors of development
splits only: a test split's errors are not printed, so that nobody tunes on them by accident.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import corpus_build  # noqa: E402


def _tree_from_argv(argv: list[str]) -> Path:
    """``--tree DIR``: whose ``streams`` package extracts (read before anything is imported)."""
    for i, a in enumerate(argv):
        if a == "--tree" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if a.startswith("--tree="):
            return Path(a.split("=", 1)[1]).resolve()
    return ROOT


sys.path.insert(0, str(_tree_from_argv(sys.argv)))

from streams.extraction import extract_contacts  # noqa: E402
from streams.extraction.evaluate import Score, format_errors, score  # noqa: E402

MANIFEST = ROOT / "corpus" / "splits.tsv"
_MODES = frozenset({"phone", "visit", "third-party", "multilateral"})
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE_RE = re.compile(r"^[A-Z]{3}$")


class SplitError(Exception):
    """A split that cannot be scored as recorded (missing, changed or malformed file)."""


@dataclass(frozen=True)
class Split:
    name: str
    lang: str
    role: str
    articles: Path
    gold: Path
    articles_sha256: str
    gold_sha256: str
    source: str
    manifest: Path | None = None   # where the texts come from (bench/corpus_build.py builds ``articles``)


def load_manifest(path: Path = MANIFEST) -> list[Split]:
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    out = []
    for r in csv.DictReader(io.StringIO("\n".join(rows)), delimiter="\t"):
        if r["role"] not in ("dev", "test"):
            raise SplitError(f"{path}: split {r['name']!r}: role must be dev or test, got {r['role']!r}")
        if r["role"] == "test" and "-" in (r["articles_sha256"], r["gold_sha256"]):
            raise SplitError(f"{path}: test split {r['name']!r} has no recorded SHA-256: a test split is frozen")
        manifest = (ROOT / r["articles"]).resolve() if r["articles"].endswith("manifest.jsonl") else None
        articles = corpus_build.text_path(r["name"]) if manifest else (ROOT / r["articles"]).resolve()
        out.append(Split(r["name"], r["lang"], r["role"], articles, (ROOT / r["gold"]).resolve(),
                         r["articles_sha256"], r["gold_sha256"], r["source"], manifest))
    return out


def _read(path: Path, expected: str) -> list[dict]:
    if not path.exists():
        raise SplitError(f"{path}: not found (the texts are built beside the project from the repositories "
                         f"they come from: bench/corpus_build.py, see corpus/README.md)")
    data = path.read_bytes()
    if expected != "-" and hashlib.sha256(data).hexdigest() != expected:
        raise SplitError(f"{path}: SHA-256 {hashlib.sha256(data).hexdigest()[:12]}… is not the recorded "
                         f"{expected[:12]}…: the split was changed after it was frozen")
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def check_gold(gold: list[dict], articles: list[dict], where: Path) -> int:
    """Well-formed gold for exactly the split's articles; the number of required contacts."""
    ids = {a["id"] for a in articles}
    seen = set()
    required = 0
    for g in gold:
        aid = g.get("article_id")
        if aid not in ids:
            raise SplitError(f"{where}: gold for an article not in the split: {aid!r}")
        if aid in seen:
            raise SplitError(f"{where}: two gold records for {aid!r}")
        seen.add(aid)
        for c in g.get("contacts", []):
            cs = c.get("countries")
            if not (isinstance(cs, list) and len(cs) == 2 and cs[0] != cs[1]
                    and all(isinstance(x, str) and _CODE_RE.match(x) for x in cs)):
                raise SplitError(f"{where}: {aid}: countries must be two different ISO alpha-3 codes, got {cs!r}")
            if c.get("mode") not in _MODES:
                raise SplitError(f"{where}: {aid}: mode {c.get('mode')!r} is not one of {sorted(_MODES)}")
            d = c.get("date")
            if d is not None and not (isinstance(d, str) and _DATE_RE.match(d)):
                raise SplitError(f"{where}: {aid}: date must be YYYY-MM-DD or null, got {d!r}")
            required += not c.get("optional", False)
    if seen != ids:
        raise SplitError(f"{where}: no gold record for {len(ids - seen)} article(s), e.g. {sorted(ids - seen)[0]!r}")
    return required


@dataclass
class Result:
    split: Split
    score: Score
    required: int
    by_lang: dict[str, tuple[Score, int]]   # the article's ``lang`` -> its score, required contacts


def run_split(s: Split, min_confidence: float = 0.0) -> Result:
    articles = _read(s.articles, s.articles_sha256)
    gold = _read(s.gold, s.gold_sha256)
    required = check_gold(gold, articles, s.gold)
    preds = [c for a in articles for c in extract_contacts(a) if c.confidence >= min_confidence]
    lang_of = {a["id"]: a.get("lang") or "?" for a in articles}
    by_lang = {}
    for lang in sorted(set(lang_of.values())):
        g = [x for x in gold if lang_of[x["article_id"]] == lang]
        by_lang[lang] = (score(g, [c for c in preds if lang_of.get(c.article_id) == lang]),
                         sum(1 for x in g for c in x.get("contacts", []) if not c.get("optional", False)))
    return Result(s, score(gold, preds), required, by_lang)


def _pool(scores: list[Score]) -> Score:
    p = Score()
    for s in scores:
        for f in ("articles", "tp", "fp", "fn", "mode_ok", "date_ok", "date_n", "date_extra", "topic_ok"):
            setattr(p, f, getattr(p, f) + getattr(s, f))
    return p


def _row(name: str, lang: str, role: str, s: Score, required: int) -> str:
    return (f"| {name} | {lang} | {role} | {s.articles} | {required} | {s.tp} / {s.fp} / {s.fn} | "
            f"{s.precision:.3f} | {s.recall:.3f} | **{s.f1:.3f}** | {s.mode_accuracy:.3f} | "
            f"{s.date_accuracy:.3f} ({s.date_ok}/{s.date_n}) | {s.date_extra}/{s.tp - s.date_n} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--role", choices=("dev", "test", "all"), default="all")
    ap.add_argument("--split", action="append", metavar="NAME", help="only this split (repeatable)")
    ap.add_argument("--errors", action="store_true", help="list the errors of the development splits")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--min-confidence", type=float, default=0.0, metavar="P",
                    help="count only contacts of at least this confidence (DIPLOWATCH_MIN_CONFIDENCE)")
    ap.add_argument("--tree", type=Path, default=ROOT,
                    help="a checkout whose extractor to score (default: this one)")
    args = ap.parse_args(argv)
    try:
        splits = load_manifest(args.manifest)
    except (OSError, SplitError, KeyError) as e:
        print(f"heldout_splits: {e}", file=sys.stderr)
        return 2
    names = {s.name for s in splits}
    for n in args.split or []:
        if n not in names:
            print(f"heldout_splits: no split {n!r} in {args.manifest} (have: {', '.join(sorted(names))})",
                  file=sys.stderr)
            return 2
    import streams
    print(f"extractor: {Path(streams.__file__).parent}", file=sys.stderr)
    chosen = [s for s in splits if (args.role in ("all", s.role)) and (not args.split or s.name in args.split)]
    results: list[Result] = []
    t0 = time.process_time()
    for i, s in enumerate(chosen, 1):
        print(f"[{i}/{len(chosen)}] {s.name} ...", file=sys.stderr)
        try:
            results.append(run_split(s, args.min_confidence))
        except SplitError as e:
            print(f"heldout_splits: {e}", file=sys.stderr)
            return 2
    # date+: true positives the gold leaves undated that were given a date anyway (date accuracy,
    # over the gold's dated contacts, cannot see them)
    print("| split | lang | role | articles | required | TP / FP / FN | P | R | F1 | mode | date | date+ |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(_row(r.split.name, r.split.lang, r.split.role, r.score, r.required))
    for role in ("dev", "test"):
        mine = [r for r in results if r.split.role == role]
        if not mine:
            continue
        for lang in ("ar", "fa", "en"):
            per = [r.by_lang[lang] for r in mine if lang in r.by_lang]
            if per:
                print(_row(f"all {role} {lang}", lang, role, _pool([x for x, _ in per]), sum(n for _, n in per)))
        print(_row(f"**all {role}**", "", role, _pool([r.score for r in mine]), sum(r.required for r in mine)))
    print(f"\n({time.process_time() - t0:.1f} s CPU)", file=sys.stderr)
    if args.errors:
        for r in results:
            if r.split.role == "dev":
                print(f"\n## errors: {r.split.name}\n{format_errors(r.score)}")
        if any(r.split.role == "test" for r in results):
            print("\n(test splits: errors not listed, they stay unseen)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
