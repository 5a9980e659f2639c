"""Rebuild the held-out contact files of docs/detection.md section 8 from their public sources.

The files themselves are fetched data and stay out of the project (beside it: ../icews2017/,
../icews18/); this converter is the project's own code, so anyone can make them again:

    # the ICEWS weekly releases 272-383 (Geopolitical Forecasting Challenge, commit 929e036)
    .venv/bin/python bench/icews_contacts.py gfc --mirror GIT_DIR --from 2017-01-01 --to 2017-12-31 \\
        --out ../icews2017/icews-contacts-2017.jsonl
    # ICEWS18 as RE-Net publishes it (valid + test: 2018-08-29..10-31)
    .venv/bin/python bench/icews_contacts.py icews18 --mirror GIT_DIR --out ../icews18/icews18-contacts-all.jsonl

``GIT_DIR`` is a git directory holding the source repository (``github:gfchallenge/gfc``,
``github:INK-USC/RE-Net``; a bare mirror is enough): the files are read with ``git show``, so no work
tree is needed. ``--raw DIR`` reads the gfc releases from plain files instead.

**gfc** (the 2016 file's rules, docs/detection.md section 8): the six contact event texts (Consult,
Host a visit, Make a visit, Engage in negotiation -> ``visit``; Discuss by telephone -> ``phone``;
Meet at a 'third' location -> ``third-party``); Source Country and Target Country both given,
different and mapped to ISO alpha-3 (``country_code``); one record per event: ``article_id`` = Story
ID, ``event_id``, ``countries`` (sorted), ``mode``, ``date`` = Event Date, ``topics`` [], ``evidence``
= Event Sentence, ``source`` = Publisher, ``cameo_text`` = Event Text. Events are taken in release
order and file order, kept when their date is within --from/--to, and sorted by date (stable).
Converting 2015-12-21..2016-12-31 gives ../shared/events/icews-contacts-2016.jsonl byte for byte.

**icews18**: each line of RE-Net's ``valid.txt`` and ``test.txt`` is (subject, relation, object,
hour of 2018); the six contact relations as above; an actor is mapped to a country by its
"Sector (Country)" form, a plain country name (as above), or the English name (``name_en``, not the
aliases) of an office holder in office that day, from streams/knowledge/office_holders.tsv as it was
when the file was first made (project commit ``ICEWS18_HOLDERS_REV``; today's longer list maps more
actors); the pair's countries must differ. RE-Net keeps no story id or publisher: ``article_id`` is
the coded record (subject|relation|object|day), ``source`` "ICEWS18". The first file's converter is
lost; this one gives the same alerts, episodes and active pair-weeks (docs/detection.md section 8)
with 7,716 contacts where that file had 7,700.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GFC_COMMIT = "929e036"
GFC_RELEASES = range(272, 384)          # Release272_Factiva.csv .. Release383_Factiva.csv
RENET_COMMIT = "a0e5f4732c5bb20d939f0f69e34fb9cf156ac1b2"   # RE-Net as fetched on 2026-12-06
RENET_FILES = ("data/ICEWS18/valid.txt", "data/ICEWS18/test.txt")

# CAMEO event texts counted as contacts, and the mode each gives
CONTACT_MODES = {
    "Consult": "visit",
    "Host a visit": "visit",
    "Make a visit": "visit",
    "Engage in negotiation": "visit",
    "Discuss by telephone": "phone",
    "Meet at a 'third' location": "third-party",
}

# ICEWS spellings that neither CLDR's English names nor the gazetteer's English aliases give.
# Not mapped, as in the 2016 file (mapping it adds 4 EGY-MKD records there): "the former Yugoslav
# Republic of Macedonia". "Myanmar" (CLDR: "Myanmar (Burma)") occurs only in ICEWS18.
ICEWS_NAMES = {
    "Russian Federation": "RUS",
    "Occupied Palestinian Territory": "PSE",
    "Czech Republic": "CZE",
    "Bosnia and Herzegovina": "BIH",
    "Democratic Republic of Congo": "COD",
    "Congo": "COG",
    "Cote d'Ivoire": "CIV",
    "Myanmar": "MMR",
}

# known SHA-256 of the outputs (docs/detection.md section 8)
SHA256 = {
    "gfc 2015-12-21..2016-12-31": "b73e90f0a9d92c269a2d548dc8f46f7e3c457138e80e3783232226cda5614b48",
    "gfc 2017-01-01..2017-12-31": "1f0fa5d75255086fbd9b870f7531ae2eeb73c419b4890ff34b2dd2ef442f7c36",
    # RE-Net at RENET_COMMIT (valid + test), office holders of ICEWS18_HOLDERS_REV
    "icews18": "957e7551f8927afb74aa8a3a78f13b18666c8b8e8b46e915011a43c7d75e7c57",
}


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """English country name -> alpha-3: CLDR's (Babel), then the curated English names of
    country_aliases.tsv, then the ICEWS spellings above (a later source never overrides)."""
    import pycountry
    from babel import Locale

    from streams.knowledge import loader

    names: dict[str, str] = {}
    for code, name in Locale("en").territories.items():
        if len(code) == 2 and code.isalpha():
            c = pycountry.countries.get(alpha_2=code)
            a3 = c.alpha_3 if c else ("XKX" if code == "XK" else None)
            if a3:
                names.setdefault(name, a3)
    for r in loader.load_country_aliases():
        if r.lang == "en" and r.kind == "name":
            names.setdefault(r.form, r.country)
    for name, a3 in ICEWS_NAMES.items():
        names.setdefault(name, a3)
    return names


def country_code(name: str | None) -> str | None:
    """ISO alpha-3 of an ICEWS country name, None for NULL/empty/unknown."""
    if not name or name == "NULL":
        return None
    return _names().get(name.strip())


def contact_record(row: dict) -> dict | None:
    """One gfc CSV row as a contact record, None when it is not a contact between two countries."""
    mode = CONTACT_MODES.get(row.get("Event Text", ""))
    if mode is None:
        return None
    a, b = country_code(row.get("Source Country")), country_code(row.get("Target Country"))
    if a is None or b is None or a == b:
        return None
    return {"article_id": row["Story ID"], "event_id": row["Event ID"], "countries": sorted([a, b]),
            "mode": mode, "date": row["Event Date"], "topics": [], "evidence": row["Event Sentence"],
            "source": row["Publisher"], "cameo_text": row["Event Text"]}


def _git_show(git_dir: str, rev_path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", git_dir, "show", rev_path], check=True,
                          capture_output=True).stdout


def gfc_texts(mirror: str | None = None, raw: str | None = None) -> Iterator[tuple[str, str]]:
    """(file name, CSV text) of the 112 weekly releases, in release order."""
    for n in GFC_RELEASES:
        name = f"Release{n}_Factiva.csv"
        if raw:
            data = (Path(raw) / name).read_bytes()
        else:
            data = _git_show(mirror, f"{GFC_COMMIT}:data/ICEWS/{name}")
        yield name, data.decode("utf-8")


def convert_gfc(texts: Iterable[tuple[str, str]], start: str, end: str) -> list[dict]:
    """The contact records of the releases dated start..end (inclusive), sorted by date (stable:
    release and file order within a day)."""
    csv.field_size_limit(1 << 30)
    out = []
    for _, text in texts:
        for row in csv.DictReader(io.StringIO(text, newline="")):
            c = contact_record(row)
            if c is not None and start <= c["date"] <= end:
                out.append(c)
    out.sort(key=lambda c: c["date"])
    return out


# ---- ICEWS18 (RE-Net) ----------------------------------------------------------------------

SECTOR = re.compile(r"\(([^()]+)\)\s*$")
ICEWS18_EPOCH = dt.date(2018, 1, 1)     # RE-Net's ICEWS18 times are hours since this day


# the project commit whose office_holders.tsv the ICEWS18 file was made with (2026-12-05, the first
# ICEWS18 run): the list has grown since (issue 13), and today's would map more actors
ICEWS18_HOLDERS_REV = "f43a43d"


@functools.lru_cache(maxsize=4)
def _holders(rev: str | None = ICEWS18_HOLDERS_REV) -> dict[str, list]:
    """Office holders by English name (``name_en`` only, not the aliases), from
    streams/knowledge/office_holders.tsv as of the project commit ``rev`` (None: the work tree)."""
    from streams.knowledge import loader

    if rev is None:
        rows = loader.load_office_holders()
    else:
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:streams/knowledge/office_holders.tsv"],
                              check=True, capture_output=True).stdout.decode("utf-8")
        rows = loader.parse_office_holders(text)
    by_name: dict[str, list] = {}
    for r in rows:
        if r.name_en:
            by_name.setdefault(r.name_en, []).append(r)
    return by_name


def actor_country(actor: str, day: str) -> str | None:
    """Country of an ICEWS18 actor: "Sector (Country)", a country name, or an office holder in
    office on ``day`` (one country only)."""
    m = SECTOR.search(actor)
    if m:
        return country_code(m.group(1))
    a3 = country_code(actor)
    if a3:
        return a3
    d = dt.date.fromisoformat(day)
    found = {r.country for r in _holders().get(actor.strip(), ())
             if r.start <= d and (r.end is None or d < r.end)}
    return found.pop() if len(found) == 1 else None


def convert_icews18(entities: str, relations: str, splits: Iterable[str]) -> list[dict]:
    """Contact records of RE-Net's ICEWS18 split texts (entity2id, relation2id, quadruple lines)."""
    ent = {}
    for line in entities.splitlines():
        if line.strip():
            name, i = line.rsplit("\t", 1)
            ent[int(i)] = name.strip()
    rel = {}
    for line in relations.splitlines():
        if line.strip():
            name, i = line.rsplit("\t", 1)
            rel[int(i)] = name.strip()
    out = []
    for text in splits:
        for line in text.splitlines():
            parts = line.split()
            if len(parts) < 4:
                continue
            s, r, o, t = (int(x) for x in parts[:4])
            cameo = rel[r]
            mode = CONTACT_MODES.get(cameo)
            if mode is None:
                continue
            day = (ICEWS18_EPOCH + dt.timedelta(hours=t)).isoformat()
            a, b = actor_country(ent[s], day), actor_country(ent[o], day)
            if a is None or b is None or a == b:
                continue
            out.append({"article_id": f"{ent[s]}|{cameo}|{ent[o]}|{day}", "countries": sorted([a, b]),
                        "mode": mode, "date": day, "topics": [],
                        "evidence": f"{ent[s]} -- {cameo} -- {ent[o]}", "source": "ICEWS18",
                        "cameo_text": cameo})
    out.sort(key=lambda c: c["date"])
    return out


def dumps(records: Iterable[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("gfc", "icews18"))
    ap.add_argument("--mirror", help="git directory of the source repository")
    ap.add_argument("--raw", help="gfc: a folder holding the Release*_Factiva.csv files instead")
    ap.add_argument("--from", dest="start", default="2017-01-01", help="gfc: first event day")
    ap.add_argument("--to", dest="end", default="2017-12-31", help="gfc: last event day")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    if not args.mirror and not (args.what == "gfc" and args.raw):
        ap.error("--mirror GIT_DIR is needed (or --raw DIR for gfc)")
    if args.what == "gfc":
        recs = convert_gfc(gfc_texts(args.mirror, args.raw), args.start, args.end)
        known = SHA256.get(f"gfc {args.start}..{args.end}")
    else:
        show = functools.partial(_git_show, args.mirror)
        recs = convert_icews18(show(f"{RENET_COMMIT}:data/ICEWS18/entity2id.txt").decode("utf-8"),
                               show(f"{RENET_COMMIT}:data/ICEWS18/relation2id.txt").decode("utf-8"),
                               (show(f"{RENET_COMMIT}:{p}").decode("utf-8") for p in RENET_FILES))
        known = SHA256.get("icews18")
    data = dumps(recs)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    pairs = {tuple(r["countries"]) for r in recs}
    print(f"{args.out}: {len(recs)} contacts, {len(pairs)} pairs, SHA-256 {digest}"
          + ("" if known is None else (" (as documented)" if digest == known else f" -- NOT the documented {known}")))
    return 0 if known is None or digest == known else 1


if __name__ == "__main__":
    raise SystemExit(main())
