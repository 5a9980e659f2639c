"""Benchmarks and measurements of the pure dedup and detection cores (no Kafka).

    .venv/bin/python bench/bench_detect.py speed [--repeat 3]   # timings (below)
    .venv/bin/python bench/bench_detect.py copies               # dedup on dev.jsonl vs dev.copies.json
    .venv/bin/python bench/bench_detect.py sweep                # ICEWS 2016: alpha x min_count table
    .venv/bin/python bench/bench_detect.py order                # episode ids under partition interleavings
    .venv/bin/python bench/bench_detect.py input-order          # ... under input partition interleavings at dedupe

* fingerprints: MinHash signature of a 4 KB article (consecutive dev corpus texts, 4096 chars),
  normalisation and shingling included; datasketch's default SHA-1 hashing shown for comparison;
* dedup: Deduplicator.check_and_remember per article over a dict store (dev corpus, 4 KB texts);
* detection: backtest of ../shared/events/icews-contacts-2016.jsonl (PairCounts + SpikeDetector,
  daily ticks), contacts per second.
Short by design (a few seconds): the machine is shared.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datasketch import MinHash  # noqa: E402

from streams.commands.backtest import _read, backtest  # noqa: E402
from streams.duplicates import Deduplicator  # noqa: E402
from streams.duplicates.fingerprints import NUM_PERM, signature, words  # noqa: E402
from streams.detection import SpikeParams  # noqa: E402
from streams.records import Article  # noqa: E402

SHARED = ROOT / ".." / "shared"


def best_of(fn, repeat: int) -> float:
    """Best CPU time of ``repeat`` runs: process time, not wall time, because the machine is
    shared and waiting for a core is not our cost."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def speed(args) -> None:
    arts = [json.loads(x) for x in open(SHARED / "corpus" / "dev.jsonl", encoding="utf-8")]
    # 4 KB texts: each dev article followed by the next ones until 4096 characters (not one text
    # repeated, which would make every article a near copy of itself)
    texts = []
    for i in range(len(arts)):
        t, j = "", i
        while len(t) < 4096:
            t += arts[j % len(arts)]["text"] + "\n"
            j += 1
        texts.append(t[:4096])

    t = best_of(lambda: [signature(x) for x in texts], args.repeat)
    print(f"signature (ours: crc32 word hashes -> affine32, numpy): {t / len(texts) * 1e3:.3f} ms per 4 KB article")

    def sha1_default():
        for x in texts:
            w = words(x)
            m = MinHash(num_perm=NUM_PERM)
            m.update_batch([" ".join(w[i:i + 3]).encode() for i in range(max(1, len(w) - 2))])
    t = best_of(sha1_default, args.repeat)
    print(f"signature (datasketch default SHA-1 per shingle):           {t / len(texts) * 1e3:.3f} ms per 4 KB article")

    def dedup():
        d = Deduplicator({}, horizon_seconds=86400)
        for i, x in enumerate(texts):
            d.check_and_remember(Article(id=str(i), text=x, url=arts[i].get("url")), float(i))
    t = best_of(dedup, args.repeat)
    print(f"Deduplicator.check_and_remember:                             {t / len(texts) * 1e3:.3f} ms per 4 KB article")

    icews = SHARED / "events" / "icews-contacts-2016.jsonl"
    with open(icews, encoding="utf-8") as f:
        rows, _, _ = _read(f, sys.stderr)
    t = best_of(lambda: backtest(rows, SpikeParams(), rows[0][0], io.StringIO()), max(1, args.repeat - 1))
    print(f"backtest (PairCounts + SpikeDetector + daily ticks):         {len(rows) / t:,.0f} contacts/s "
          f"({len(rows)} ICEWS contacts in {t:.2f} s)")

    # a denser year: seven copies of the 2016 contacts, each on its own pairs (every country code
    # rotated through the list of ISO codes), 47,600 contacts -- the density of ICEWS's global feed
    import pycountry
    codes = sorted(c.alpha_3 for c in pycountry.countries)
    dense = []
    for k in range(7):
        for day, n, d in rows:
            cs = [codes[(codes.index(c) + 17 * k) % len(codes)] if c in codes else c for c in d["countries"]]
            dense.append((day, n, {**d, "countries": cs, "article_id": f"{k}-{d['article_id']}"}))
    dense.sort(key=lambda r: (r[0], r[1]))
    t = best_of(lambda: backtest(dense, SpikeParams(), dense[0][0], io.StringIO()), 1)
    print(f"backtest, a year at 7x that density:                         {len(dense) / t:,.0f} contacts/s "
          f"({len(dense)} contacts in {t:.2f} s)")


def copies(args) -> None:
    """Feed dev.jsonl in file order through one Deduplicator; compare with the copy groups."""
    arts = [Article.from_dict(json.loads(x)) for x in open(SHARED / "corpus" / "dev.jsonl", encoding="utf-8")]
    groups = json.load(open(SHARED / "corpus" / "dev.copies.json", encoding="utf-8"))
    group_of = {i: n for n, g in enumerate(groups) for i in g}
    d = Deduplicator({}, horizon_seconds=30 * 86400)
    root, verdicts = {}, {}
    for a in arts:
        v = d.check_and_remember(a, 0.0)
        verdicts[a.id] = v
        root[a.id] = v.original_id if v.kind else a.id

    def find(x):
        while root[x] != x:
            x = root[x]
        return x
    false = [(a, v.original_id) for a, v in verdicts.items()
             if v.kind and group_of.get(a, -1) != group_of.get(v.original_id, -2)]
    print(f"{len(arts)} articles, {sum(1 for v in verdicts.values() if v.kind)} flagged as copies, "
          f"false merges (not in the same copy group): {len(false)} {false}")
    total = caught = 0
    for n, g in enumerate(groups):
        pairs = [(a, b) for i, a in enumerate(g) for b in g[i + 1:]]
        c = sum(find(a) == find(b) for a, b in pairs)
        total, caught = total + len(pairs), caught + c
        kinds = ", ".join(f"{i}: {verdicts[i].kind or 'new'}"
                          + (f" of {verdicts[i].original_id} ({verdicts[i].similarity})" if verdicts[i].kind else "")
                          for i in g)
        print(f"group {n} ({len(g)} articles): {c}/{len(pairs)} pairs joined -- {kinds}")
    print(f"copy pairs joined: {caught}/{total}")


def sweep(args) -> None:
    """alpha x min_count on ICEWS 2016: alerts, false-alarm rate, alerts on steady pairs, IRN-SAU."""
    import collections
    import statistics
    from datetime import date

    from streams.detection import contact_key
    with open(SHARED / "events" / "icews-contacts-2016.jsonl", encoding="utf-8") as f:
        rows, _, _ = _read(f, sys.stderr)
    # steady pairs: active in >= 13 of the 53 weeks and Poisson-like weekly counts (var/mean <= 1.3)
    weekly = collections.defaultdict(collections.Counter)
    start = date.fromisoformat(rows[0][0]).toordinal()
    for k in {contact_key(r) for _, _, r in rows}:
        pair, day, _ = k.split("|")
        weekly[pair][(date.fromisoformat(day).toordinal() - start) // 7] += 1
    nweeks = (date.fromisoformat(rows[-1][0]).toordinal() - start) // 7 + 1
    steady = {}
    for pair, c in weekly.items():
        xs = [c.get(i, 0) for i in range(nweeks)]
        m, v = statistics.mean(xs), statistics.pvariance(xs)
        if sum(1 for x in xs if x) >= 13 and v / m <= 1.3:
            steady[pair] = sum(1 for x in xs if x)
    print(f"steady pairs ({len(steady)}, {sum(steady.values())} active pair-weeks): {sorted(steady)}")
    print("| alpha | min_count | new | updates | new per 100 active pair-weeks | new on steady pairs "
          "| IRN-SAU new alerts (window end) |")
    print("|---|---|---|---|---|---|---|")
    for alpha in (0.001, 0.005, 0.01, 0.05):
        for m in (2, 3, 4):
            out = io.StringIO()
            s = backtest(rows, SpikeParams(alpha=alpha, min_count=m), rows[0][0], out)
            alerts = [json.loads(x) for x in out.getvalue().splitlines()]
            irn = [a["window_end"] for a in alerts if a["pair"] == ["IRN", "SAU"] and a["status"] == "new"]
            st = sum(1 for a in alerts if a["status"] == "new" and "-".join(a["pair"]) in steady)
            print(f"| {alpha} | {m} | {s['alerts_new']} | {s['alerts_update']} | "
                  f"{s['new_per_100_pair_weeks']} | {st} | {', '.join(irn) or 'none'} |")


EPISODES = ROOT / "episodes"


def _load_rows(path: Path):
    with open(path, encoding="utf-8") as f:
        rows, _, _ = _read(f, sys.stderr)
    return rows


def run_scored(rows, params: SpikeParams, episodes, steady, upto: str | None = None,
               on_evaluate=None) -> dict:
    """One backtest over ``rows`` (optionally only the rows before ``upto``), scored against
    the labelled episodes (streams.detection.labels)."""
    from collections import defaultdict

    from streams.detection import contact_key
    from streams.detection.labels import score
    if upto:
        rows = [r for r in rows if r[0] < upto]
    out = io.StringIO()
    s = backtest(rows, params, rows[0][0], out, on_evaluate=on_evaluate)
    alerts = [json.loads(x) for x in out.getvalue().splitlines()]
    days = defaultdict(list)
    for k in {contact_key(r) for _, _, r in rows}:
        pair, day, _ = k.split("|")
        days[pair].append(day)
    return score(alerts, episodes, steady, contact_days=days,
                 active_pair_weeks=s["pair_weeks_with_activity"]) | {"updates": s["alerts_update"]}


# the episode length and prior weight the candidates of `compare`, `holdout` and `families` were
# measured with (the defaults until the operating point of docs/detection.md section 7 changed them)
# (and the gate as it was before the second pass of issue 15 chose today's: no extra reports for
# busy or unseen pairs, strong evidence at 1e-6)
# (and without the third pass's gates: PRE_DET3 is the second pass's defaults, today's before det3)
PRE_DET3 = {"min_ratio_new": 0.0, "min_reported_contacts": 0}
PRE_DET2 = {"cooldown_days": 28, "strong_alpha": 1e-6, "reports_per_expected": 0.0, "unseen_pair_reports": 0,
            **PRE_DET3}
BEFORE = {**PRE_DET2, "cooldown_days": 7, "prior_weeks": 2.5}
# every candidate of `compare` and `holdout` starts from the detector as it was before the
# corroboration gate (min_reports 1)
NO_GATE = {"min_reports": 1, "strong_alpha": 0.0, **BEFORE}
CANDIDATES = [
    # (label, SpikeParams overrides on top of NO_GATE)
    ("gamma-poisson-v1 (before the gate)", {}),
    ("gamma-poisson-v1 alpha 0.001", {"alpha": 0.001}),
    ("gamma-poisson-v1 alpha 0.0005", {"alpha": 0.0005}),
    ("gamma-poisson-v1 alpha 0.01 min_count 4", {"min_count": 4}),
    ("gamma-poisson-v1 alpha 0.001 min_count 4", {"alpha": 0.001, "min_count": 4}),
    ("ears-c1 4 weeks z 3", {"method": "ears-c1", "ears_weeks": 4, "ears_z": 3.0}),
    ("ears-c1 4 weeks z 4", {"method": "ears-c1", "ears_weeks": 4, "ears_z": 4.0}),
    ("ears-c1 12 weeks z 3", {"method": "ears-c1", "ears_weeks": 12, "ears_z": 3.0}),
]
for _phi in (1.45, 2.0, 3.0):
    for _a in (0.01, 0.001, 0.0001):
        CANDIDATES.append((f"nb-eb-v2 pooled phi {_phi} alpha {_a}",
                           {"method": "nb-eb-v2", "dispersion": _phi, "alpha": _a}))
for _dw in (4.0, 12.0):
    for _a in (0.01, 0.001):
        CANDIDATES.append((f"nb-eb-v2 phi 1.45 + pair's own (weight {_dw:g} wk) alpha {_a}",
                           {"method": "nb-eb-v2", "dispersion": 1.45, "dispersion_weeks": _dw, "alpha": _a}))
for _a in (0.01, 0.001):
    CANDIDATES.append((f"nb-eb-v2 phi 1.45 + outbreak down-weighting alpha {_a}",
                       {"method": "nb-eb-v2", "dispersion": 1.45, "downweight_outbreaks": True, "alpha": _a}))


for _ms in (6, 8, 10, 12):
    CANDIDATES.append((f"gamma-poisson-v1 alpha 0.01 corroborated by {_ms} articles",
                       {"min_reports": _ms, "corroborate_by": "article_ids"}))
for _ms in (3, 4, 5, 6):
    _out = {"min_reports": _ms, "corroborate_by": "sources"}
    CANDIDATES.append((f"gamma-poisson-v1 alpha 0.01 corroborated by {_ms} outlets", _out))
    CANDIDATES.append((f"nb-eb-v2 phi 1.45 alpha 0.01 corroborated by {_ms} outlets",
                       {"method": "nb-eb-v2", "dispersion": 1.45, **_out}))
    CANDIDATES.append((f"nb-eb-v2 phi 2 alpha 0.01 corroborated by {_ms} outlets",
                       {"method": "nb-eb-v2", "dispersion": 2.0, **_out}))


def compare(args) -> None:
    """Candidate methods on ICEWS 2016 against the labelled episodes: the trade-off table."""
    from dataclasses import replace

    from streams.detection.labels import load_episodes, load_steady
    rows = _load_rows(SHARED / "events" / "icews-contacts-2016.jsonl")
    eps = load_episodes(EPISODES / "icews-2016.tsv")
    steady = load_steady(EPISODES / "steady-2016.tsv")
    only = set(args.only or ())
    print("| method and setting | observable episodes caught | all labelled caught | new alerts "
          "| in labelled episodes | on steady pairs outside them | updates "
          "| new per 100 active pair-weeks |")
    print("|---|---|---|---|---|---|---|---|")
    for label, over in CANDIDATES:
        if (only and label not in only) or (args.match and args.match not in label):
            continue
        r = run_scored(rows, replace(SpikeParams(), **{**NO_GATE, **over}), eps, steady)
        print(f"| {label} | {r['observable_caught']}/{r['observable']} | {r['caught']}/{r['episodes']} "
              f"| {r['new_alerts']} | {r['new_in_labelled_episodes']} "
              f"| {r['new_on_steady_pairs_outside_episodes']} | {r['updates']} "
              f"| {r['new_per_100_pair_weeks']} |", flush=True)


def multiple_testing(args) -> None:
    """Simulated multiple-testing controls on ICEWS 2016 (not in the detector; see
    docs/detection.md): Benjamini-Hochberg across the pairs tested on each day, and a weekly alert
    budget ranking the week's new episodes by surprise. Every as-of evaluation of a lax run is
    recorded (SpikeDetector.on_evaluate); a kept window opens a new alert when its pair had no
    kept window in the cool-down before it (the detector's episode rule)."""
    from collections import defaultdict
    from dataclasses import replace
    from datetime import date

    from streams.detection import contact_key
    from streams.detection.labels import load_episodes, load_steady, score
    rows = _load_rows(SHARED / "events" / "icews-contacts-2016.jsonl")
    eps = load_episodes(EPISODES / "icews-2016.tsv")
    steady = load_steady(EPISODES / "steady-2016.tsv")
    days = defaultdict(list)
    for k in {contact_key(r) for _, _, r in rows}:
        pair, day, _ = k.split("|")
        days[pair].append(day)
    apw = len({(p, date.fromisoformat(d).isocalendar()[:2]) for p, ds in days.items() for d in ds})

    def episodes_of(kept: list[tuple[str, str, float]], cooldown: int = 7) -> list[dict]:
        alerts, last, episode = [], {}, {}
        for pair, day, sc in sorted(kept, key=lambda k: (k[1], k[0])):
            o = date.fromisoformat(day).toordinal()
            status = "update" if pair in last and o - last[pair] <= cooldown else "new"
            last[pair] = o
            if status == "new":
                episode[pair] = f"{pair}|{day}"
            alerts.append({"pair": pair.split("-"), "topic": "*", "status": status,
                           "window_end": day, "score": sc, "episode_id": episode[pair]})
        return alerts

    def line(label: str, alerts: list[dict]) -> None:
        r = score(alerts, eps, steady, contact_days=days, active_pair_weeks=apw)
        print(f"| {label} | {r['observable_caught']}/{r['observable']} | {r['caught']}/{r['episodes']} "
              f"| {r['new_alerts']} | {r['new_in_labelled_episodes']} "
              f"| {r['new_on_steady_pairs_outside_episodes']} | {r['new_per_100_pair_weeks']} |")

    print("| control | observable episodes caught | all labelled caught | new alerts "
          "| in labelled episodes | on steady pairs outside them | new per 100 active pair-weeks |")
    print("|---|---|---|---|---|---|---|")
    for method, over in (("gamma-poisson-v1", {}),
                         ("nb-eb-v2 phi 1.45", {"method": "nb-eb-v2", "dispersion": 1.45})):
        params = replace(SpikeParams(), **{**NO_GATE, **over})
        tests: dict[str, dict[str, object]] = defaultdict(dict)
        run_scored(rows, params, eps, steady,
                   on_evaluate=lambda pair, topic, day, st: tests[day].__setitem__(pair, st))
        eligible = lambda st: (st.observed >= params.min_count and st.history_days >= params.min_history_days
                               and st.observed >= params.min_ratio * st.expected)
        for q in (0.01, 0.05, 0.1, 0.2):
            kept = []
            for day, t in tests.items():
                ps = sorted(st.p_value for st in t.values())
                m = len(ps)
                k = max((i + 1 for i, pv in enumerate(ps) if pv <= q * (i + 1) / m), default=0)
                kept += [(pair, day, st.score) for pair, st in t.items()
                         if k and st.p_value <= q * k / m and eligible(st)]
            line(f"{method}: Benjamini-Hochberg across the pairs tested each day, q = {q}", episodes_of(kept))
        lax = [(pair, day, st.score) for day, t in tests.items() for pair, st in t.items()
               if st.p_value < params.alpha and eligible(st)]
        base = episodes_of(lax)
        for budget in (1, 2, 3):
            byweek = defaultdict(list)
            for a in base:
                if a["status"] == "new":
                    byweek[date.fromisoformat(a["window_end"]).isocalendar()[:2]].append(a)
            keep = {a["episode_id"] for w in byweek.values()
                    for a in sorted(w, key=lambda a: -a["score"])[:budget]}
            line(f"{method} alpha {params.alpha}: weekly budget of {budget} new alert(s), ranked by score",
                 [a for a in base if a["episode_id"] in keep])


SPLIT = "2016-10-01"   # 2016 is tuned on before this day; the last quarter is held out


def holdout(args) -> None:
    """Choose on 2016-01..09, report on 2016-10..12 (held out): for every candidate, the tuning
    part's figures (rows before SPLIT, episodes starting before it); then the held-out quarter's
    figures for today's detector and for the candidate chosen on the tuning part alone (the most
    observable episodes caught at <= 3 new alerts per 100 active pair-weeks, ties to the lower
    rate). The detector runs over the whole year (the quarter needs its history); only alerts whose
    window ends in the quarter and the quarter's active pair-weeks count for it."""
    from dataclasses import replace
    from datetime import date

    from streams.detection import contact_key
    from streams.detection.labels import load_episodes, load_steady, score
    rows = _load_rows(SHARED / "events" / "icews-contacts-2016.jsonl")
    eps = load_episodes(EPISODES / "icews-2016.tsv")
    steady = load_steady(EPISODES / "steady-2016.tsv")
    tune_eps = [e for e in eps if e.start < SPLIT]
    held_eps = [e for e in eps if e.start >= SPLIT]
    cands = list(CANDIDATES) + [(f"gamma-poisson-v1 alpha {a} min {m} outlets min_count {c}",
                                 {"alpha": a, "min_reports": m, "min_count": c, "strong_alpha": 1e-6,
                                  "corroborate_by": "sources"})
                                for a in (0.005, 0.01, 0.02) for m in (4, 5, 6) for c in (3, 4)]
    cands += [(f"gamma-poisson-v1 alpha {a} min {m} articles", {"alpha": a, "min_reports": m,
               "corroborate_by": "article_ids", "strong_alpha": 1e-6})
              for a in (0.01, 0.02) for m in (5, 6, 7, 8, 10, 12)]
    print("tuning part (2015-12-21 .. 2016-09-30):")
    print("| method and setting | observable episodes caught | new alerts | new per 100 active pair-weeks |")
    print("|---|---|---|---|")
    best = None
    for label, over in cands:
        r = run_scored(rows, replace(SpikeParams(), **{**NO_GATE, **over}), tune_eps, steady, upto=SPLIT)
        print(f"| {label} | {r['observable_caught']}/{r['observable']} | {r['new_alerts']} "
              f"| {r['new_per_100_pair_weeks']} |", flush=True)
        key = (r["observable_caught"], -r["new_per_100_pair_weeks"])
        if r["new_per_100_pair_weeks"] <= 3.0 and (best is None or key > best[0]):
            best = (key, label, over)
    print(f"chosen on the tuning part: {best[1]}")
    days = {}
    for k in {contact_key(r) for _, _, r in rows}:
        pair, day, _ = k.split("|")
        days.setdefault(pair, []).append(day)
    held_apw = len({(p, date.fromisoformat(d).isocalendar()[:2])
                    for p, ds in days.items() for d in ds if d >= SPLIT})
    print("held-out quarter (2016-10-01 .. 2016-12-31):")
    for label, over in (("gamma-poisson-v1 (before the gate)", {}), (best[1], best[2]),
                        ("the defaults (SpikeParams())", None)):
        out = io.StringIO()
        backtest(rows, SpikeParams() if over is None else replace(SpikeParams(), **{**NO_GATE, **over}),
                 rows[0][0], out)
        alerts = [a for a in map(json.loads, out.getvalue().splitlines()) if a["window_end"] >= SPLIT]
        r = score(alerts, held_eps, steady, contact_days=days, active_pair_weeks=held_apw)
        print(f"| {label} | {r['observable_caught']}/{r['observable']} (all {r['caught']}/{r['episodes']}) "
              f"| {r['new_alerts']} | {r['new_per_100_pair_weeks']} |")


def _grid(**axes) -> list[dict]:
    import itertools
    return [dict(zip(axes, vals)) for vals in itertools.product(*axes.values())]


# Candidate families for `families`: each a grid of SpikeParams overrides on top of the detector
# of before (BEFORE: the corroboration gate on unless the family turns it off). One setting per
# family is chosen on 2016-01..09 alone; only that setting is scored on the held-out sets.
FAMILIES = [
    ("A. gamma-poisson + 8-article corroboration (the defaults before)", [{}]),
    ("B. A + longer episodes (cooldown) and a heavier pooled prior (prior_weeks)",
     _grid(cooldown_days=[7, 14, 21, 28], min_reports=[7, 8, 9], prior_weeks=[2.5, 4, 5, 6])),
    ("C. counts only (no corroboration): alpha, min_count, cooldown, prior weight",
     [{**NO_GATE, **g} for g in _grid(alpha=[0.01, 0.003, 0.001], min_count=[3, 4, 5],
                                      cooldown_days=[7, 21], prior_weeks=[2.5, 6])]),
    ("D. EARS C1 + corroboration",
     [{"method": "ears-c1", **g} for g in _grid(ears_weeks=[4, 8, 12], ears_z=[2.0, 2.5, 3.0],
                                                min_reports=[6, 8])]),
    ("E. persistence (contacts on >= min_days days) + corroboration",
     _grid(min_days=[2, 3, 4], min_reports=[5, 6, 7, 8])),
    ("F. minimum relative increase (min_ratio) + corroboration",
     _grid(min_ratio=[3.0, 4.0, 6.0], min_reports=[6, 7, 8])),
    ("G. EARS C2/C3 + corroboration",
     [{"method": m, **g} for m in ("ears-c2", "ears-c3")
      for g in _grid(ears_weeks=[4, 8, 12], ears_z=[2.0, 2.5, 3.0], min_reports=[6, 8])]),
    ("I. corroboration in units of the feed's reporting (1.7 articles per contact: 2016-01..09's mean)",
     [{"reports_per_contact": 1.7, **g} for g in _grid(cooldown_days=[7, 28], prior_weeks=[2.5, 5],
                                                       min_reports=[7, 8, 9])]),
    ("H. EARS C2/C3, counts only",
     [{**NO_GATE, "method": m, **g} for m in ("ears-c2", "ears-c3")
      for g in _grid(ears_weeks=[4, 12], ears_z=[3.0, 4.0], min_count=[3, 4])]),
]


# Second pass (issue 15, det2): families on top of the defaults before it (PRE_DET2), chosen by the
# rule of bench/HISTORY.md "the selection rule" (`select`): the most observable 2016-01..09 episodes
# at <= 2.0 new alerts per 100 active pair-weeks on that part.
FAMILIES_2 = [
    ("0. the defaults before the second pass", [{}]),
    ("J. a stricter p-value to open an episode (alpha_new; updates keep alpha 0.01)",
     _grid(alpha_new=[0.005, 0.003, 0.002, 0.001], min_reports=[6, 7, 8])),
    ("K. busy pairs need more reports (reports_per_expected per contact the baseline expects)",
     _grid(reports_per_expected=[2.0, 4.0, 6.0, 8.0], min_reports=[6, 7, 8])),
    ("L. J and K together",
     _grid(alpha_new=[0.005, 0.003], reports_per_expected=[4.0, 8.0], min_reports=[7, 8])),
    ("M. quasi-Poisson (nb-eb-v2) with the gate",
     [{"method": "nb-eb-v2", **g} for g in _grid(dispersion=[1.45, 2.0], dispersion_weeks=[-1.0, 12.0],
                                                 min_reports=[7, 8])]),
    ("N. a stricter absolute gate",
     _grid(min_reports=[9, 10, 11, 12])),
    ("K2. K on a finer grid",
     _grid(reports_per_expected=[3.0, 5.0, 7.0], min_reports=[7, 8, 9])),
    ("P. a pair's first busy week needs more reports (unseen_pair_reports), with and without K",
     _grid(unseen_pair_reports=[2, 4, 8], reports_per_expected=[0.0, 4.0, 6.0], min_reports=[7, 8])),
    ("Q. K and P with a stricter (or no) strong-evidence bypass and longer episodes",
     _grid(strong_alpha=[1e-8, 0.0], cooldown_days=[28, 42], unseen_pair_reports=[0, 2],
           reports_per_expected=[4.0, 6.0], min_reports=[7, 8])),
]


# SHA-256 of the ICEWS18 contacts file docs/detection.md section 8 describes (not in the project;
# bench/icews_contacts.py icews18 makes it)
ICEWS18_SHA256 = "957e7551f8927afb74aa8a3a78f13b18666c8b8e8b46e915011a43c7d75e7c57"


def _check_sha256(path: str, expected: str) -> None:
    """Name on stderr a held-out file that is not the one the docs describe."""
    import hashlib
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if digest != expected:
        print(f"warning: {path} has SHA-256 {digest}, not the file the docs describe ({expected})",
              file=sys.stderr)


def _check_baselines(rows, pre, held_eps, icews18: str | None):
    """The checks' baselines for today's defaults ``pre``, printed: 2016-Q4, and ICEWS18 when its
    file is given (its rows, episodes and score; None otherwise)."""
    q4_base = score_heldout(rows, pre, held_eps, since=SPLIT)
    print(f"defaults: 2016-Q4 {q4_base['observable_caught']}/{q4_base['observable']} at "
          f"{q4_base['new_per_100_pair_weeks']} ({q4_base['new_alerts']} new, {q4_base['updates']} updates)")
    r18 = e18 = b18 = None
    if icews18:
        r18, e18 = _load_icews18(icews18)
        b18, w18 = _score_icews18(r18, e18, pre)
        print(f"defaults: ICEWS18 {b18['observable_caught']}/{b18['observable']} at "
              f"{b18['new_per_100_pair_weeks']} ({b18['new_alerts']} new, {b18['updates']} updates); "
              f"without the warm-up weeks {w18['new_per_100_pair_weeks']}")
    return q4_base, r18, e18, b18


def _load_icews18(path: str):
    """ICEWS18's contact rows and its held-out episodes."""
    from streams.detection.labels import load_episodes

    _check_sha256(path, ICEWS18_SHA256)
    return _load_rows(Path(path)), load_episodes(EPISODES / "icews18-heldout.tsv")


def _score_icews18(rows, episodes, params):
    """ICEWS18 scored whole and without its warm-up weeks (the first baselines' history)."""
    return (score_heldout(rows, params, episodes),
            score_heldout(rows, params, episodes, since=_warm_up_end(rows[0][0])))


def _warm_up_end(start: str) -> str:
    """First day of the ISO week holding ``start`` + 14 days: the weeks before it are the warm-up
    (the first week cannot fire at all, min_history_days; the second fires on a week of history)."""
    from datetime import date, timedelta
    d = date.fromisoformat(start) + timedelta(days=14)
    return (d - timedelta(days=d.weekday())).isoformat()


def score_heldout(rows, params: SpikeParams, episodes, since: str | None = None) -> dict:
    """One backtest over all ``rows`` (their first day is the coverage start); alerts whose window
    ends on or after ``since`` and the active pair-weeks from ``since`` on are scored (``since``
    None: all of them)."""
    from collections import defaultdict
    from datetime import date

    from streams.detection import contact_key
    from streams.detection.labels import score
    out = io.StringIO()
    s = backtest(rows, params, rows[0][0], out)
    alerts = [a for a in map(json.loads, out.getvalue().splitlines())
              if since is None or a["window_end"] >= since]
    days = defaultdict(list)
    for k in {contact_key(r) for _, _, r in rows}:
        pair, day, _ = k.split("|")
        days[pair].append(day)
    apw = len({(p, date.fromisoformat(d).isocalendar()[:2]) for p, ds in days.items() for d in ds
               if since is None or d >= since})
    r = score(alerts, episodes, (), contact_days=days, active_pair_weeks=apw)
    r["updates"] = sum(1 for a in alerts if a["status"] == "update")
    return r


def families(args) -> None:
    """Per candidate family: the setting chosen on 2016-01..09 by the rule of `holdout` (most
    observable labelled episodes caught at <= 3 new alerts per 100 active pair-weeks, ties to the
    lower rate), then -- once -- its figures on the held-out sets: 2016-10..12 (the detector runs
    over the whole year, the quarter's alerts and pair-weeks count) and, with --icews18 FILE,
    ICEWS18 2018-08-29..10-31 (episodes/icews18-heldout.tsv; rate over all weeks and without the
    two warm-up weeks)."""
    from dataclasses import replace

    from streams.detection.labels import load_episodes, load_steady
    rows = _load_rows(SHARED / "events" / "icews-contacts-2016.jsonl")
    eps = load_episodes(EPISODES / "icews-2016.tsv")
    steady = load_steady(EPISODES / "steady-2016.tsv")
    tune_eps = [e for e in eps if e.start < SPLIT]
    held_eps = [e for e in eps if e.start >= SPLIT]
    r18 = e18 = None
    if args.icews18:
        r18, e18 = _load_icews18(args.icews18)
    table = []
    for name, grid in FAMILIES:
        if args.match and args.match not in name:
            continue
        best = None
        for over in grid:
            r = run_scored(rows, replace(SpikeParams(), **{**BEFORE, **over}), tune_eps, steady, upto=SPLIT)
            if args.verbose:
                print(f"  {name[:2]} {over}: {r['observable_caught']}/{r['observable']}, "
                      f"{r['new_alerts']} new ({r['new_per_100_pair_weeks']}), {r['updates']} updates",
                      flush=True)
            key = (r["observable_caught"], -r["new_per_100_pair_weeks"])
            if r["new_per_100_pair_weeks"] <= 3.0 and (best is None or key > best[0]):
                best = (key, over, r)
        if best is None:
            table.append(f"| {name} | nothing at <= 3 on the tuning part | | | | |")
            continue
        _, over, r = best
        params = replace(SpikeParams(), **{**BEFORE, **over})
        q4 = score_heldout(rows, params, held_eps, since=SPLIT)
        line = (f"| {name} | {over or 'defaults'} | {r['observable_caught']}/{r['observable']} at "
                f"{r['new_per_100_pair_weeks']} ({r['updates']} updates) | {q4['observable_caught']}/"
                f"{q4['observable']} at {q4['new_per_100_pair_weeks']} ({q4['new_alerts']} new, "
                f"{q4['updates']} updates) |")
        if r18:
            a, w = _score_icews18(r18, e18, params)
            line += (f" {a['observable_caught']}/{a['observable']} at {a['new_per_100_pair_weeks']} "
                     f"({a['new_alerts']} new, {a['updates']} updates); without the warm-up weeks "
                     f"{w['observable_caught']}/{w['observable']} at {w['new_per_100_pair_weeks']} |")
        table.append(line)
        print(line, flush=True)
    print("\n| family | chosen on 2016-01..09 | tuning: observable caught at new per 100 | "
          "held-out 2016-Q4 | held-out ICEWS18 |")
    print("|---|---|---|---|---|")
    print("\n".join(table))


HELDOUT_2017 = ("2017-01-01", "2017-12-31")
# SHA-256 of the 2017 contacts file docs/detection.md section 8 describes (not in the project)
ICEWS_2017_SHA256 = "1f0fa5d75255086fbd9b870f7531ae2eeb73c419b4890ff34b2dd2ef442f7c36"


def heldout_2017(args) -> None:
    """ICEWS 2017, held out (never tuned on): the detector runs over the 2016 contacts of
    ../shared/events (the history a live deployment would have had) followed by the 2017 contacts of
    --icews2017 FILE; only alerts whose window ends in 2017 and 2017's active pair-weeks are scored,
    against episodes/icews-2017.tsv. Rows: today's defaults, the defaults before the second pass of
    issue 15 (scored with it once, 2026-12-06, before that pass), and the detector before the
    corroboration gate (the figure issue 15 calls "today"). --verbose lists every episode."""
    from dataclasses import replace

    from streams.detection.labels import load_episodes
    if not args.icews2017:
        raise SystemExit("heldout-2017 needs --icews2017 FILE (docs/detection.md section 8)")
    rows = _rows_2017(args.icews2017)
    since, _ = HELDOUT_2017
    eps = load_episodes(EPISODES / "icews-2017.tsv")
    print(f"rows {len(rows)} ({sum(1 for r in rows if r[0] >= since)} in {since[:4]}); "
          f"episodes {len(eps)}")
    print("| detector | observable caught | all labelled | new alerts | in labelled episodes | updates "
          "| active pair-weeks | new per 100 active pair-weeks |")
    print("|---|---|---|---|---|---|---|---|")
    for label, params in (("before the corroboration gate (gamma-poisson-v1, alpha 0.01, min_count 3, "
                           "cool-down 7, prior 2.5 weeks)", replace(SpikeParams(), **NO_GATE)),
                          ("the defaults before the second pass of issue 15 (PRE_DET2)",
                           replace(SpikeParams(), **PRE_DET2)),
                          ("today's defaults (SpikeParams())", SpikeParams())):
        r = score_heldout(rows, params, eps, since=since)
        print(f"| {label} | {r['observable_caught']}/{r['observable']} | {r['caught']}/{r['episodes']} "
              f"| {r['new_alerts']} | {r['new_in_labelled_episodes']} | {r['updates']} "
              f"| {r['active_pair_weeks']} | {r['new_per_100_pair_weeks']} |", flush=True)
        if args.verbose:
            _print_episodes(r["rows"])


def _rows_2017(path: str) -> list:
    """The 2016 contacts (history) then the held-out 2017 file's, up to the end of 2017; a file
    that is not the one docs/detection.md section 8 describes is named on stderr."""
    import itertools
    _check_sha256(path, ICEWS_2017_SHA256)
    with open(SHARED / "events" / "icews-contacts-2016.jsonl", encoding="utf-8") as a, \
            open(path, encoding="utf-8") as b:
        rows, _, _ = _read(itertools.chain(a, b), sys.stderr)
    until = HELDOUT_2017[1]
    return [r for r in rows if r[0] <= until]


def _print_episodes(rows: list[dict]) -> None:
    """One line per labelled episode of a held-out score: caught or missed, its contacts."""
    for e in rows:
        state = (("caught" if e["observable"] else "caught, not observable") if e["caught"]
                 else ("MISSED" if e["observable"] else "not observable"))
        print(f"    {e['pair']} {e['start']} {state} ({e['contacts']} contacts"
              f"{', first alert window ' + e['first_alert'] if e['first_alert'] else ''}): "
              f"{e['what'][:70]}")


def select(args) -> None:
    """The second pass's selection (bench/HISTORY.md, "the selection rule", committed before any
    of these were measured): every setting of FAMILIES_2 on 2016-01..09 alone; chosen: the most
    observable tuning episodes among the settings at <= --max-rate (2.0) new alerts per 100 active
    pair-weeks there, ties to the lower rate, then fewer updates, then grid order; adopted only at
    >= 16 tuning episodes and, on 2016-Q4 (scored once, for the chosen setting only), >= 3 of 7 at
    <= 2.685. --heldout scores the chosen setting on 2016-Q4 and, with --icews18 / --icews2017, on
    ICEWS18 and 2017 (run that once: 2017 is never tuned on)."""
    from dataclasses import replace

    from streams.detection.labels import load_episodes, load_steady
    rows = _load_rows(SHARED / "events" / "icews-contacts-2016.jsonl")
    eps = load_episodes(EPISODES / "icews-2016.tsv")
    steady = load_steady(EPISODES / "steady-2016.tsv")
    tune_eps = [e for e in eps if e.start < SPLIT]
    best = None
    print("| family | setting | tuning: observable caught | new alerts | in labelled episodes | updates "
          "| new per 100 active pair-weeks |")
    print("|---|---|---|---|---|---|---|")
    for name, grid in FAMILIES_2:
        if args.match and args.match not in name and not name.startswith("0."):
            continue
        for over in grid:
            r = run_scored(rows, replace(SpikeParams(), **{**PRE_DET2, **over}), tune_eps, steady, upto=SPLIT)
            print(f"| {name[:2]} | {over or 'defaults'} | {r['observable_caught']}/{r['observable']} "
                  f"| {r['new_alerts']} | {r['new_in_labelled_episodes']} | {r['updates']} "
                  f"| {r['new_per_100_pair_weeks']} |", flush=True)
            key = (r["observable_caught"], -r["new_per_100_pair_weeks"], -r["updates"])
            if r["new_per_100_pair_weeks"] <= args.max_rate and (best is None or key > best[0]):
                best = (key, name, over, r)
    if best is None:
        print(f"nothing at <= {args.max_rate} on the tuning part")
        return
    _, name, over, r = best
    adopt = r["observable_caught"] >= 16
    print(f"chosen: {name[:2]} {over}: {r['observable_caught']}/{r['observable']} at "
          f"{r['new_per_100_pair_weeks']} ({r['new_alerts']} new, {r['updates']} updates); "
          f">= 16 tuning episodes: {adopt}")
    if not args.heldout:
        return
    params = replace(SpikeParams(), **{**PRE_DET2, **over})
    held_eps = [e for e in eps if e.start >= SPLIT]
    q4 = score_heldout(rows, params, held_eps, since=SPLIT)
    q4_ok = q4["observable_caught"] >= 3 and q4["new_per_100_pair_weeks"] <= 2.685
    print(f"2016-Q4: {q4['observable_caught']}/{q4['observable']} at {q4['new_per_100_pair_weeks']} "
          f"({q4['new_alerts']} new, {q4['updates']} updates); >= 3/7 at <= 2.685: {q4_ok}; "
          f"adopted under the rule: {adopt and q4_ok}", flush=True)
    if args.icews18:
        r18, e18 = _load_icews18(args.icews18)
        a, w = _score_icews18(r18, e18, params)
        print(f"ICEWS18: {a['observable_caught']}/{a['observable']} at {a['new_per_100_pair_weeks']} "
              f"({a['new_alerts']} new, {a['updates']} updates); without the warm-up weeks "
              f"{w['observable_caught']}/{w['observable']} at {w['new_per_100_pair_weeks']}", flush=True)
    if args.icews2017:
        r17 = _rows_2017(args.icews2017)
        since, _ = HELDOUT_2017
        e17 = load_episodes(EPISODES / "icews-2017.tsv")
        h = score_heldout(r17, params, e17, since=since)
        print(f"2017 (held out, run once): {h['observable_caught']}/{h['observable']} observable "
              f"({h['caught']}/{h['episodes']} labelled) at {h['new_per_100_pair_weeks']} "
              f"({h['new_alerts']} new, {h['new_in_labelled_episodes']} in labelled episodes, "
              f"{h['updates']} updates, {h['active_pair_weeks']} active pair-weeks)")
        if args.verbose:
            _print_episodes(h["rows"])


def cold_start(args) -> None:
    """What a short, cold held-out window does to the rate, measured on 2016 alone: 9-week slices
    run with their own first day as the coverage start (as a 9-week held-out file is), scored on
    their weeks 3-9, against the same weeks of the full-year run."""
    from dataclasses import replace
    from datetime import date, timedelta

    from streams.detection import contact_key
    rows = _load_rows(SHARED / "events" / "icews-contacts-2016.jsonl")

    def new_alerts(rs, params, cov):
        out = io.StringIO()
        backtest(rs, params, cov, out)
        return [a for a in map(json.loads, out.getvalue().splitlines()) if a["status"] == "new"]

    print("| detector | slice start | active pair-weeks, weeks 3-9 | new alerts: 9-week run | new alerts: full-year run |")
    print("|---|---|---|---|---|")
    for name, params in (("first operating point", replace(SpikeParams(), **BEFORE)),
                         ("no gate", replace(SpikeParams(), **NO_GATE)),
                         ("the first pass's defaults", replace(SpikeParams(), **PRE_DET2)),
                         ("defaults", SpikeParams())):
        full = new_alerts(rows, params, rows[0][0])
        tot = [0, 0, 0]
        for start in ("2016-03-01", "2016-05-01", "2016-07-01", "2016-09-01"):
            s0 = date.fromisoformat(start)
            lo, hi = (s0 + timedelta(14)).isoformat(), (s0 + timedelta(63)).isoformat()
            cold = new_alerts([r for r in rows if start <= r[0] < hi], params, start)
            n_cold = sum(1 for a in cold if lo <= a["window_end"] < hi)
            n_full = sum(1 for a in full if lo <= a["window_end"] < hi)
            apw = len({(contact_key(d).split("|")[0], date.fromisoformat(day).isocalendar()[:2])
                       for day, _, d in rows if lo <= day < hi})
            tot = [tot[0] + apw, tot[1] + n_cold, tot[2] + n_full]
            print(f"| {name} | {start} | {apw} | {n_cold} ({100 * n_cold / apw:.2f}) | {n_full} ({100 * n_full / apw:.2f}) |")
        print(f"| {name} | all four | {tot[0]} | {tot[1]} ({100 * tot[1] / tot[0]:.2f}) "
              f"| {tot[2]} ({100 * tot[2] / tot[0]:.2f}) |", flush=True)
# Third pass (issue 15, det3): structural gates on opening an episode, on top of today's defaults,
# chosen by the rule of docs/detection.md section 7 "Third pass" (`select3`; committed before any
# of these was measured).
FAMILIES_3 = [
    ("0. today's defaults", [{}]),
    ("R. more than one reported event: min_reported_contacts contacts each in >= contact_reports articles",
     _grid(min_reported_contacts=[2, 3], contact_reports=[2, 3])),
    ("S. a minimum ratio observed / expected to open (min_ratio_new; updates keep min_ratio 2)",
     _grid(min_ratio_new=[3.0, 4.0, 5.0, 6.0, 8.0])),
    ("S2. a minimum ratio observed / expected for every firing window (min_ratio)",
     _grid(min_ratio=[3.0, 4.0, 5.0, 6.0])),
    ("V. the pair's own overdispersion (quasi-Poisson, Pearson phi of its baseline weeks) for pairs "
     "with enough history (dispersion_min_history contacts)",
     _grid(dispersion_min_history=[4, 8, 12, 20])),
    ("W. R, S and V together",
     _grid(min_reported_contacts=[0, 2], min_ratio_new=[0.0, 4.0, 6.0], dispersion_min_history=[0, 8, 12])[1:]),
]


def _caught_cells(r: dict) -> set:
    return {(e["pair"], e["start"]) for e in r["rows"] if e["observable"] and e["caught"]}


def select3(args) -> None:
    """The third pass's selection (docs/detection.md section 7, "Third pass"; the rule was committed
    before any of these were measured): every setting of FAMILIES_3 on 2016-01..09, on top of
    the second pass's defaults (PRE_DET3: today's defaults before this pass adopted its choice). Eligible: catches every observable tuning episode the defaults catch (the same
    cells) with no more updates. Ranked: tuning rate, then updates, then grid order. Adopted: the
    first ranked setting with at least one new alert fewer that passes the checks -- 2016-Q4 and
    (--icews18) ICEWS18 each catch every episode the defaults catch there, at a rate no higher.
    --icews2017 FILE then scores the adopted setting (or the defaults if none) on 2017: run it
    once, at the end (2017 is never tuned on)."""
    from dataclasses import replace

    from streams.detection.labels import load_episodes, load_steady
    rows = _load_rows(SHARED / "events" / "icews-contacts-2016.jsonl")
    eps = load_episodes(EPISODES / "icews-2016.tsv")
    steady = load_steady(EPISODES / "steady-2016.tsv")
    tune_eps = [e for e in eps if e.start < SPLIT]
    held_eps = [e for e in eps if e.start >= SPLIT]
    pre = replace(SpikeParams(), **PRE_DET3)   # the second pass's defaults (today's before det3)
    base = run_scored(rows, pre, tune_eps, steady, upto=SPLIT)
    base_cells = _caught_cells(base)
    print("| family | setting | tuning: observable caught | same cells | new alerts | in labelled episodes "
          "| updates | new per 100 active pair-weeks |")
    print("|---|---|---|---|---|---|---|---|")
    ranked = []
    i = 0
    for name, grid in FAMILIES_3:
        if args.match and args.match not in name and not name.startswith("0."):
            continue
        for over in grid:
            r = base if not over else run_scored(rows, replace(pre, **over), tune_eps, steady,
                                                  upto=SPLIT)
            same = _caught_cells(r) >= base_cells
            print(f"| {name.split('.')[0]} | {over or 'defaults'} | {r['observable_caught']}/{r['observable']} "
                  f"| {'yes' if same else 'no'} | {r['new_alerts']} | {r['new_in_labelled_episodes']} "
                  f"| {r['updates']} | {r['new_per_100_pair_weeks']} |", flush=True)
            if over and same and r["updates"] <= base["updates"] and r["new_alerts"] < base["new_alerts"]:
                ranked.append(((r["new_per_100_pair_weeks"], r["updates"], i), name, over, r))
            i += 1
    ranked.sort(key=lambda t: t[0])
    print(f"eligible with at least one new alert fewer: {len(ranked)}")
    q4_base, r18, e18, b18 = _check_baselines(rows, pre, held_eps, args.icews18)
    adopted = None
    vetoed = 0
    for _, name, over, r in ranked:
        params = replace(pre, **over)
        q4 = score_heldout(rows, params, held_eps, since=SPLIT)
        ok = _caught_cells(q4) >= _caught_cells(q4_base) and \
            q4["new_per_100_pair_weeks"] <= q4_base["new_per_100_pair_weeks"]
        line = (f"{name.split('.')[0]} {over}: tuning {r['observable_caught']}/{r['observable']} at "
                f"{r['new_per_100_pair_weeks']} ({r['new_alerts']} new, {r['updates']} updates); 2016-Q4 "
                f"{q4['observable_caught']}/{q4['observable']} at {q4['new_per_100_pair_weeks']} "
                f"({q4['new_alerts']} new, {q4['updates']} updates)")
        if r18 is not None:
            a = score_heldout(r18, params, e18)
            w = score_heldout(r18, params, e18, since=_warm_up_end(r18[0][0]))
            ok = ok and _caught_cells(a) >= _caught_cells(b18) and \
                a["new_per_100_pair_weeks"] <= b18["new_per_100_pair_weeks"]
            line += (f"; ICEWS18 {a['observable_caught']}/{a['observable']} at {a['new_per_100_pair_weeks']} "
                     f"({a['new_alerts']} new, {a['updates']} updates), without the warm-up weeks "
                     f"{w['new_per_100_pair_weeks']}")
        print(line + f"; checks passed: {ok}", flush=True)
        if ok:
            adopted = (name, over)
            break
        vetoed += 1
    if adopted is None:
        print(f"nothing adopted ({vetoed} vetoed by the checks): the defaults stay")
    else:
        print(f"adopted: {adopted[0].split('.')[0]} {adopted[1]} ({vetoed} vetoed by the checks before it)")
    if args.icews2017:
        params = replace(pre, **(adopted[1] if adopted else {}))
        r17 = _rows_2017(args.icews2017)
        since, _ = HELDOUT_2017
        e17 = load_episodes(EPISODES / "icews-2017.tsv")
        h = score_heldout(r17, params, e17, since=since)
        print(f"2017 (held out, run once) for {adopted[1] if adopted else 'the defaults'}: "
              f"{h['observable_caught']}/{h['observable']} observable ({h['caught']}/{h['episodes']} "
              f"labelled) at {h['new_per_100_pair_weeks']} ({h['new_alerts']} new, "
              f"{h['new_in_labelled_episodes']} in labelled episodes, {h['updates']} updates, "
              f"{h['active_pair_weeks']} active pair-weeks)")


# Fourth pass (issue 15, det4): recall on busy pairs, on top of today's defaults, chosen by the rule
# of docs/detection.md section 7 "Fourth pass" (`select4`; committed before any of these was measured).
FAMILIES_4 = [
    ("T. contact-days: the window and the baseline count days with a contact",
     _grid(count_unit=["days"], min_ratio_new=[4.0, 3.0])),
    ("X. reports for busy pairs: a window may fire on its distinct reports against the pair's own",
     _grid(busy_expected=[0.0, 0.5, 1.0], report_dispersion=[2.0, 4.0, 8.0])),
    ("TX. T's contact-days with X",
     _grid(count_unit=["days"], busy_expected=[0.5, 1.0], report_dispersion=[4.0])),
]
DET4_MAX_UPDATES = 63   # today's 57 tuning updates + 10 %


def _gain_ok(r: dict, base: dict) -> bool:
    """At most one more new alert than ``base`` per extra observable episode caught."""
    extra = r["observable_caught"] - base["observable_caught"]
    return extra >= 0 and r["new_alerts"] <= base["new_alerts"] + extra


def select4(args) -> None:
    """The fourth pass's selection (docs/detection.md section 7, "Fourth pass"; the rule was
    committed before any of these were measured): every setting of FAMILIES_4 on 2016-01..09 on top
    of today's defaults. Eligible: the defaults' tuning cells kept, updates <= DET4_MAX_UPDATES, and
    a gain (more observable episodes at <= one more new alert per extra episode, or the same with
    fewer new alerts). Ranked: episodes (more first), rate, updates, grid order. Checks in ranked
    order: 2016-Q4 and (--icews18) ICEWS18 keep the defaults' cells with <= one more new alert per
    extra episode; the first that passes is adopted. Then, for the report only, each family's best
    tuning setting on 2016-Q4 and ICEWS18. --icews2017 FILE scores the adopted setting once (nothing
    adopted: nothing is run)."""
    from dataclasses import replace

    from streams.detection.labels import load_episodes, load_steady
    rows = _load_rows(SHARED / "events" / "icews-contacts-2016.jsonl")
    eps = load_episodes(EPISODES / "icews-2016.tsv")
    steady = load_steady(EPISODES / "steady-2016.tsv")
    tune_eps = [e for e in eps if e.start < SPLIT]
    held_eps = [e for e in eps if e.start >= SPLIT]
    pre = SpikeParams()
    base = run_scored(rows, pre, tune_eps, steady, upto=SPLIT)
    base_cells = _caught_cells(base)
    print(f"defaults: tuning {base['observable_caught']}/{base['observable']} at "
          f"{base['new_per_100_pair_weeks']} ({base['new_alerts']} new, {base['updates']} updates)")
    print("| family | setting | tuning: observable caught | same cells | new alerts | in labelled episodes "
          "| updates | new per 100 active pair-weeks | eligible |")
    print("|---|---|---|---|---|---|---|---|---|")
    ranked, best_of_family = [], {}
    i = 0
    for name, grid in FAMILIES_4:
        fam = name.split(".")[0]
        for over in grid:
            t = time.process_time()
            r = run_scored(rows, replace(pre, **over), tune_eps, steady, upto=SPLIT)
            cpu = time.process_time() - t
            same = _caught_cells(r) >= base_cells
            gain = _gain_ok(r, base) and (r["observable_caught"] > base["observable_caught"]
                                          or r["new_alerts"] < base["new_alerts"])
            ok = same and r["updates"] <= DET4_MAX_UPDATES and gain
            key = (-r["observable_caught"], r["new_per_100_pair_weeks"], r["updates"], i)
            print(f"| {fam} | {over} | {r['observable_caught']}/{r['observable']} | {'yes' if same else 'no'} "
                  f"| {r['new_alerts']} | {r['new_in_labelled_episodes']} | {r['updates']} "
                  f"| {r['new_per_100_pair_weeks']} | {'yes' if ok else 'no'} | ({cpu:.2f} s)", flush=True)
            if args.verbose:
                lost = sorted(base_cells - _caught_cells(r))
                won = sorted(_caught_cells(r) - base_cells)
                print(f"    lost {lost} won {won}")
            if ok:
                ranked.append((key, name, over, r))
            if fam not in best_of_family or key < best_of_family[fam][0]:
                best_of_family[fam] = (key, over, r)
            i += 1
    ranked.sort(key=lambda t: t[0])
    print(f"eligible (a gain on the tuning part, its cells kept): {len(ranked)}")
    q4_base, r18, e18, b18 = _check_baselines(rows, pre, held_eps, args.icews18)

    def checks(over: dict) -> tuple[bool, str]:
        params = replace(pre, **over)
        q4 = score_heldout(rows, params, held_eps, since=SPLIT)
        ok = _caught_cells(q4) >= _caught_cells(q4_base) and _gain_ok(q4, q4_base)
        line = (f"2016-Q4 {q4['observable_caught']}/{q4['observable']} at {q4['new_per_100_pair_weeks']} "
                f"({q4['new_alerts']} new, {q4['updates']} updates)")
        if r18 is not None:
            a, w = _score_icews18(r18, e18, params)
            ok = ok and _caught_cells(a) >= _caught_cells(b18) and _gain_ok(a, b18)
            line += (f"; ICEWS18 {a['observable_caught']}/{a['observable']} at {a['new_per_100_pair_weeks']} "
                     f"({a['new_alerts']} new, {a['updates']} updates), without the warm-up weeks "
                     f"{w['new_per_100_pair_weeks']}")
        return ok, line

    adopted, vetoed = None, 0
    for _, name, over, r in ranked:
        ok, line = checks(over)
        print(f"{name.split('.')[0]} {over}: tuning {r['observable_caught']}/{r['observable']} at "
              f"{r['new_per_100_pair_weeks']} ({r['new_alerts']} new, {r['updates']} updates); {line}; "
              f"checks passed: {ok}", flush=True)
        if ok:
            adopted = (name, over)
            break
        vetoed += 1
    if adopted is None:
        print(f"nothing adopted ({len(ranked)} eligible, {vetoed} vetoed by the checks): the defaults stay")
    else:
        print(f"adopted: {adopted[0].split('.')[0]} {adopted[1]} ({vetoed} vetoed by the checks before it)")
    print("for the report only (the rule has decided): each family's best tuning setting held out")
    for fam, (_, over, r) in best_of_family.items():
        print(f"  {fam} {over}: tuning {r['observable_caught']}/{r['observable']} at "
              f"{r['new_per_100_pair_weeks']} ({r['new_alerts']} new, {r['updates']} updates); "
              f"{checks(over)[1]}", flush=True)
    if args.icews2017:
        if adopted is None:
            print("2017: not run (nothing adopted; the rule runs 2017 only for an adopted setting)")
            return
        r17 = _rows_2017(args.icews2017)
        since, _ = HELDOUT_2017
        e17 = load_episodes(EPISODES / "icews-2017.tsv")
        h = score_heldout(r17, replace(pre, **adopted[1]), e17, since=since)
        print(f"2017 (held out, run once) for {adopted[1]}: "
              f"{h['observable_caught']}/{h['observable']} observable ({h['caught']}/{h['episodes']} "
              f"labelled) at {h['new_per_100_pair_weeks']} ({h['new_alerts']} new, "
              f"{h['new_in_labelled_episodes']} in labelled episodes, {h['updates']} updates, "
              f"{h['active_pair_weeks']} active pair-weeks)")
        if args.verbose:
            _print_episodes(h["rows"])


def _alert_view(a: dict) -> tuple:
    """An alert without its generation time (the rest must be the same in every order)."""
    return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in a.items() if k != "generated_at"))


def asof_alerts(paths: list[list[dict]], pick, settle_days: int = 1,
                coverage_start: str = "2015-12-01") -> list[dict]:
    """Run the contacts of ``paths`` (each a list of contact dicts in its own order, stamped with
    ``"~stamp"``) through the live stage's as-of evaluation, one record at a time from the path
    ``pick(live)`` chooses among those with records left (how the aggregate stage receives
    several extract partitions); the bound is the least newest stamp over the paths that have
    sent one (every path sends its first record's stamp as a heartbeat before anything, as the
    timer's heartbeats do), and the end of the input lets every day out. The alerts, in order."""
    from streams.detection import PairCounts, SpikeDetector
    from streams.detection.asof import AsOfEvaluator
    counts = PairCounts({})
    det = SpikeDetector(counts, {}, SpikeParams(), coverage_start=coverage_start, now=lambda: "-")
    ev = AsOfEvaluator(counts, lambda: det, settle_days)
    newest = [p[0]["~stamp"] if p else "9999-12-31" for p in paths]
    idx = [0] * len(paths)
    out: list[dict] = []
    while True:
        live = [i for i in range(len(paths)) if idx[i] < len(paths[i])]
        if not live:
            break
        i = pick(live, [len(paths[j]) - idx[j] for j in live])
        c = paths[i][idx[i]]
        idx[i] += 1
        newest[i] = c["~stamp"]
        if idx[i] == len(paths[i]):
            newest[i] = "9999-12-31"   # the path's last record: its heartbeats say it is done
        ev.add(c, c["~stamp"])
        out += ev.advance(min(newest))
    return out + ev.finish()


def split_stamped(rows: list[dict], k: int) -> list[list[dict]]:
    """``rows`` in day order through one dedupe partition (each stamped with the newest day so
    far, the watermark of a single input in that order), split by article id over ``k`` extract
    partitions as extract's topic is keyed."""
    import zlib
    stamped, wm = [], ""
    for c in rows:
        wm = max(wm, c["date"])
        stamped.append({**c, "~stamp": wm})
    return [[c for c in stamped if zlib.crc32(c["article_id"].encode()) % k == i] for i in range(k)]


def order(args) -> None:
    """ICEWS 2016 in day order (what one dedupe partition gives), then split by article id into
    2-4 partitions (as extract's are keyed) and merged at random, each partition keeping its own
    order (how the aggregate stage receives them), through the live stage's as-of evaluation: the
    alerts (ids, windows, counts, evidence) against day order's."""
    import random
    rows = sorted((json.loads(x) for x in open(SHARED / "events" / "icews-contacts-2016.jsonl")),
                  key=lambda c: c["date"])
    base = asof_alerts(split_stamped(rows, 1), lambda live, w: live[0])
    base_new = sorted(a["episode_id"] for a in base if a["status"] == "new")
    print(f"day order: {len(base_new)} new alerts, {len(base) - len(base_new)} updates")
    rng = random.Random(5)
    for t in range(args.repeat * 2):
        k = 2 + t % 3
        got = asof_alerts(split_stamped(rows, k), lambda live, w: rng.choices(live, weights=w)[0])
        new = sorted(a["episode_id"] for a in got if a["status"] == "new")
        same = [_alert_view(a) for a in got] == [_alert_view(a) for a in base]
        print(f"{k} partitions: {len(new)} new alerts, {len(got) - len(new)} updates, "
              f"{len(set(new) - set(base_new))} ids not in day order's, "
              f"{len(set(base_new) - set(new))} of day order's missing; every alert identical "
              f"(ids, windows, counts, evidence) and in the same order: {same}")


def _dedupe_order(rows: list[dict], k: int, rng, hold: int | None, vector: bool) -> list[tuple[int, dict]]:
    """``rows`` split by article id over ``k`` input partitions (as the producer keys articles), each
    partition in day order (a feed's own order), merged at random as dedupe would read them
    (weighted by what each has left; input partition ``hold`` held back until half the input went
    by, when given: a partition that starts late with older articles). Each record is stamped as
    dedupe stamps it: ``vector``, its own input partition's stamp (streams.pipeline.dedupe.
    advance_stamps, no idle partition); else the one watermark of 6233876 (the least newest day
    over the partitions seen so far, never moving back). (input partition, stamped contact), in
    dedupe's order."""
    import zlib
    from streams.pipeline.dedupe import advance_stamps
    parts = [[c for c in rows if zlib.crc32(c["article_id"].encode()) % k == i] for i in range(k)]
    marks = [f"articles:{i}" for i in range(k)]
    idx, acc, newest, wm, out = [0] * k, {}, {}, None, []
    total = len(rows)
    while len(out) < total:
        live = [i for i in range(k) if idx[i] < len(parts[i])]
        if hold is not None and len(out) < total // 2 and len(live) > 1:
            live = [i for i in live if i != hold]
        i = rng.choices(live, weights=[len(parts[j]) - idx[j] for j in live])[0]
        c = parts[i][idx[i]]
        idx[i] += 1
        if vector:
            acc, stamp = advance_stamps(acc, marks[i], c["date"], 1.9e9, marks, 0)
        else:
            newest[i] = max(newest.get(i, ""), c["date"])
            low = min(newest.values())
            wm = low if wm is None or low > wm else wm
            stamp = wm
        out.append((i, {**c, "~stamp": stamp}))
    return out


def input_order(args) -> None:
    """ICEWS 2016 split by article id over 2-4 input partitions, each in day order, interleaved at
    random at dedupe (every other run with one partition held back until half the input went by),
    stamped as dedupe does before (one watermark over the partitions seen so far, 6233876) and
    after (each record its own input partition's stamp), then through 2 extract partitions
    (paths: extract partition before, input x extract partition after) merged at random into the
    live stage's as-of evaluation: the alerts against one input in day order's."""
    import random
    import zlib
    rows = sorted((json.loads(x) for x in open(SHARED / "events" / "icews-contacts-2016.jsonl")),
                  key=lambda c: c["date"])
    base = asof_alerts(split_stamped(rows, 1), lambda live, w: live[0])
    base_new = sorted(a["episode_id"] for a in base if a["status"] == "new")
    base_view = [_alert_view(a) for a in base]
    print(f"one input partition, day order: {len(base_new)} new alerts, {len(base) - len(base_new)} updates")
    rng = random.Random(14)
    for t in range(args.repeat * 2):
        k = 2 + t % 3
        hold = rng.randrange(k) if t % 2 == 0 else None
        seed = rng.random()
        for label, vector in (("before", False), ("after", True)):
            order = _dedupe_order(rows, k, random.Random(seed), hold, vector)
            paths: dict = {}
            for i, c in order:
                e = zlib.crc32(c["article_id"].encode()) % 2
                paths.setdefault((i, e) if vector else e, []).append(c)
            pick = random.Random(seed + 1)
            got = asof_alerts([paths[key] for key in sorted(paths)],
                              lambda live, w: pick.choices(live, weights=w)[0])
            new = sorted(a["episode_id"] for a in got if a["status"] == "new")
            print(f"{k} input partitions{f' (partition {hold} late)' if hold is not None else ''}, "
                  f"{label}: {len(new)} new alerts, {len(got) - len(new)} updates, "
                  f"{len(set(new) - set(base_new))} ids not in day order's, "
                  f"{len(set(base_new) - set(new))} of day order's missing; every alert identical: "
                  f"{[_alert_view(a) for a in got] == base_view}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="?", default="speed", choices=("speed", "copies", "sweep", "compare",
                                                                 "multiple-testing", "holdout", "families",
                                                                 "cold-start", "order", "input-order",
                                                                 "heldout-2017", "select", "select3", "select4"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", action="append", help="compare: only this candidate (repeatable)")
    ap.add_argument("--match", default=None, help="compare, families: only candidates whose label contains this")
    ap.add_argument("--icews18", default=None, help="families: the ICEWS18 contacts file (not in the project)")
    ap.add_argument("--icews2017", default=None, help="heldout-2017: the 2017 contacts file (not in the project)")
    ap.add_argument("--max-rate", type=float, default=2.0,
                    help="select: highest new alerts per 100 active pair-weeks on 2016-01..09")
    ap.add_argument("--heldout", action="store_true",
                    help="select: score the chosen setting on 2016-Q4 (and --icews18, --icews2017)")
    ap.add_argument("--verbose", action="store_true",
                    help="families: every setting's tuning figures; heldout-2017: every episode")
    args = ap.parse_args()
    {"speed": speed, "copies": copies, "sweep": sweep, "compare": compare,
     "multiple-testing": multiple_testing, "holdout": holdout, "families": families,
     "cold-start": cold_start, "order": order, "input-order": input_order, "heldout-2017": heldout_2017,
     "select": select, "select3": select3, "select4": select4}[args.what](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
