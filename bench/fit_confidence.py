"""Fit the confidence model (streams/extraction/confidence.py) on an annotated corpus, and measure
how well calibrated a set of weights is on articles it was not fitted on.

Each contact the extractor outputs is a sample: label 1 when its pair is a required gold pair of
its article, 0 when it is no gold pair at all (optional gold pairs are left out, as in scoring).
The model is logistic regression with an L2 penalty (Newton's method; a dozen features), fitted
per fold on the other folds' articles (folds by article, seeded): the report gives, for the
shipped weights and for the fitted ones, the Brier score, the log loss, the expected calibration
error and the reliability table (predicted vs observed rate per probability bin).

    .venv/bin/python bench/fit_confidence.py --gold G.jsonl --articles A.jsonl [--gold ... --articles ...]
    .venv/bin/python bench/fit_confidence.py ... --write streams/knowledge/confidence.tsv

Fit on a corpus the rules were not tuned on (the dev set is what they were tuned on: weights
fitted there are optimistic); ``--write`` fits on every sample given and writes the weights file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streams.extraction import confidence  # noqa: E402
from streams.extraction.contacts import explain  # noqa: E402


def samples(gold_path: Path, articles_path: Path) -> list[tuple[str, tuple[float, ...], int]]:
    """(article id, feature vector, label) of every predicted contact with a label."""
    gold = {}
    # JSON lines split on "\n" only: str.splitlines would also cut at U+2028 / U+0085 inside a text
    for line in gold_path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            g = json.loads(line)
            gold[g["article_id"]] = g["contacts"]
    out = []
    for line in articles_path.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        art = json.loads(line)
        contacts = gold.get(art["id"])
        if contacts is None:
            continue
        required = {tuple(sorted(c["countries"])) for c in contacts if not c.get("optional")}
        optional = {tuple(sorted(c["countries"])) for c in contacts if c.get("optional")}
        for contact, x in explain(art):
            pair = tuple(sorted(contact.countries))
            if pair in required:
                out.append((art["id"], x, 1))
            elif pair not in optional:
                out.append((art["id"], x, 0))
    return out


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a is small and positive definite here)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n + 1):
                m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def fit(xs: list[tuple[float, ...]], ys: list[int], l2: float = 1.0, iterations: int = 50) -> list[float]:
    """Maximum-likelihood logistic regression with an L2 penalty on every weight but the bias."""
    d = len(xs[0])
    w = [0.0] * d
    for _ in range(iterations):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y in zip(xs, ys):
            p = confidence.probability(x, w)
            g = p - y
            s = p * (1 - p)
            for i in range(d):
                grad[i] += g * x[i]
                if x[i]:
                    for j in range(d):
                        hess[i][j] += s * x[i] * x[j]
        for i in range(1, d):
            grad[i] += l2 * w[i]
            hess[i][i] += l2
        hess[0][0] += 1e-9
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return w


def report(name: str, probs: list[float], ys: list[int], bins: int = 10) -> dict:
    n = len(ys)
    brier = sum((p - y) ** 2 for p, y in zip(probs, ys)) / n
    logloss = -sum(math.log(min(max(p if y else 1 - p, 1e-12), 1.0)) for p, y in zip(probs, ys)) / n
    table = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, p in enumerate(probs) if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if not idx:
            continue
        mean_p = sum(probs[i] for i in idx) / len(idx)
        rate = sum(ys[i] for i in idx) / len(idx)
        ece += len(idx) / n * abs(mean_p - rate)
        table.append((f"{lo:.1f}-{hi:.1f}", len(idx), round(mean_p, 3), round(rate, 3)))
    print(f"{name}: n {n}, positives {sum(ys)}, Brier {brier:.4f}, log loss {logloss:.4f}, ECE {ece:.4f}")
    for row in table:
        print(f"   bin {row[0]}  n {row[1]:4d}  predicted {row[2]:.3f}  observed {row[3]:.3f}")
    return {"brier": brier, "logloss": logloss, "ece": ece, "table": table}


def cross_validate(data, folds: int, l2: float, seed: int) -> list[float]:
    """Out-of-fold probabilities of a model fitted on the other folds (folds by article)."""
    ids = sorted({a for a, _, _ in data})
    random.Random(seed).shuffle(ids)
    fold_of = {a: i % folds for i, a in enumerate(ids)}
    probs = [0.0] * len(data)
    for f in range(folds):
        train = [(x, y) for a, x, y in data if fold_of[a] != f]
        w = fit([x for x, _ in train], [y for _, y in train], l2)
        for i, (a, x, _) in enumerate(data):
            if fold_of[a] == f:
                probs[i] = confidence.probability(x, w)
    return probs


def write_weights(path: Path, w: list[float], sources: list[str]) -> None:
    today = dt.date.today().isoformat()
    lines = ["# Weights of the logistic model of a contact's confidence (streams/extraction/confidence.py):",
             "# p = 1 / (1 + exp(-sum(weight * feature))). Written by bench/fit_confidence.py.",
             "feature\tweight\tsource"]
    for name, v in zip(confidence.FEATURES, w):
        lines.append(f"{name}\t{v:.4f}\tfitted {today} on {' + '.join(sources)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", action="append", required=True, type=Path)
    ap.add_argument("--articles", action="append", required=True, type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--write", type=Path, help="fit on all samples and write the weights file here")
    args = ap.parse_args(argv)
    if len(args.gold) != len(args.articles):
        ap.error("give one --articles per --gold")
    data = []
    for g, a in zip(args.gold, args.articles):
        data += samples(g, a)
    if len({y for _, _, y in data}) < 2:
        print("need both true and false contacts to fit", file=sys.stderr)
        return 1
    ys = [y for _, _, y in data]
    report("shipped weights", [confidence.probability(x) for _, x, _ in data], ys)
    report(f"fitted, {args.folds}-fold out-of-fold", cross_validate(data, args.folds, args.l2, args.seed), ys)
    if args.write:
        w = fit([x for _, x, _ in data], ys, args.l2)
        write_weights(args.write, w, [p.name for p in args.articles])
        print(f"weights written to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
