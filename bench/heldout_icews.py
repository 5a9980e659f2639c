"""Held-out measure of the contact extractor on ICEWS 2016 sentences it was never tuned on.

Each distinct ``evidence`` sentence of ``../shared/events/icews-contacts-2016.jsonl`` becomes an
article (text = the sentence, published_at = its date, source = its publisher); the ICEWS pairs
coded from that sentence are the reference. Reported:

* pair recall: share of (sentence, ICEWS pair) for which the pair is among the extracted pairs,
  overall and per ICEWS mode (phone / visit / third-party);
* extra rate: share of extracted (sentence, pair) not coded by ICEWS for that sentence. ICEWS is
  noisy and codes events our definition excludes (future meetings, statements), and one sentence
  is thin context, so neither figure is an error rate: read the samples.
* mode agreement on the pairs found;
* a sample of misses and extras (``--sample N``, seeded), written to stdout.

    .venv/bin/python bench/heldout_icews.py                 # figures + 30 misses + 30 extras
    .venv/bin/python bench/heldout_icews.py --sample 0 --json out.json
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streams.extraction import extract_contacts  # noqa: E402
from streams.records import Article  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "events" / "icews-contacts-2016.jsonl"


def load(path: Path) -> list[dict]:
    """One item per distinct evidence sentence: text, date, source, {pair: {modes}}."""
    by_text: dict[str, dict] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            text = (r.get("evidence") or "").strip()
            if not text or len(r.get("countries") or []) != 2:
                continue
            item = by_text.setdefault(text, {"text": text, "date": r.get("date"),
                                             "source": r.get("source"), "pairs": defaultdict(set)})
            item["pairs"][tuple(sorted(r["countries"]))].add(r.get("mode") or "?")
    return list(by_text.values())


def run(items: list[dict]) -> dict:
    found_by_mode: Counter = Counter()
    total_by_mode: Counter = Counter()
    mode_ok = mode_n = 0
    n_gold = n_hit = n_extr = n_extra = 0
    misses, extras = [], []
    t0 = time.process_time()
    for i, it in enumerate(items):
        art = Article(id=f"icews-{i}", text=it["text"], source=it["source"],
                      published_at=it["date"], lang="en")
        contacts = extract_contacts(art)
        got: dict[tuple, str] = {}
        for c in contacts:
            got.setdefault(tuple(sorted(c.countries)), c.mode)
        for pair, modes in it["pairs"].items():
            # a sentence coded both "host" and "make a visit" is one pair; its mode: the
            # most specific one ICEWS gave (third-party > phone > visit)
            mode = next((m for m in ("third-party", "phone", "visit") if m in modes),
                        sorted(modes)[0])
            n_gold += 1
            total_by_mode[mode] += 1
            if pair in got:
                n_hit += 1
                found_by_mode[mode] += 1
                mode_n += 1
                mode_ok += got[pair] == mode
            else:
                misses.append({"text": it["text"], "icews": list(pair), "mode": mode,
                               "extracted": [list(p) for p in got]})
        for pair, mode in got.items():
            n_extr += 1
            if pair not in it["pairs"]:
                n_extra += 1
                extras.append({"text": it["text"], "extracted": list(pair), "mode": mode,
                               "icews": [list(p) for p in it["pairs"]]})
    cpu = time.process_time() - t0
    return {
        "sentences": len(items),
        "icews_pairs": n_gold,
        "recall": n_hit / n_gold if n_gold else 0.0,
        "extracted_pairs": n_extr,
        "extra_rate": n_extra / n_extr if n_extr else 0.0,
        "mode_accuracy_on_found": mode_ok / mode_n if mode_n else 0.0,
        "recall_by_mode": {m: {"found": found_by_mode[m], "total": total_by_mode[m],
                               "recall": found_by_mode[m] / total_by_mode[m]}
                           for m in sorted(total_by_mode)},
        "cpu_s": round(cpu, 1),
        "misses": misses,
        "extras": extras,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=Path, default=DEFAULT)
    ap.add_argument("--sample", type=int, default=30, help="misses and extras to print (each)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit", type=int, default=0, help="first N sentences only (quick look)")
    ap.add_argument("--json", type=Path, help="write figures + all misses/extras here")
    args = ap.parse_args(argv)

    items = load(args.events)
    if args.limit:
        items = items[: args.limit]
    res = run(items)
    print(f"sentences {res['sentences']}  ICEWS pairs {res['icews_pairs']}  "
          f"extracted pairs {res['extracted_pairs']}  ({res['cpu_s']} s CPU)")
    print(f"pair recall      {res['recall']:.3f}")
    print(f"extra rate       {res['extra_rate']:.3f}  (extracted pairs ICEWS did not code)")
    print(f"mode agreement   {res['mode_accuracy_on_found']:.3f}  (on pairs found)")
    for m, d in res["recall_by_mode"].items():
        print(f"  recall {m:12s} {d['recall']:.3f}  ({d['found']}/{d['total']})")
    rng = random.Random(args.seed)
    if args.sample:
        for title, rows, keys in (("MISSES", res["misses"], ("icews", "mode", "extracted")),
                                  ("EXTRAS", res["extras"], ("extracted", "mode", "icews"))):
            print(f"\n== {title} (sample of {min(args.sample, len(rows))}/{len(rows)}) ==")
            for r in rng.sample(rows, min(args.sample, len(rows))):
                print(" ".join(f"{k}={r[k]}" for k in keys))
                print("   ", r["text"][:400])
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
