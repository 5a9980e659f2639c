"""One SHA-256 over every contact the extractor outputs on a fixed set of inputs: the behaviour
fingerprint that proves a refactor changed nothing.

Inputs, in this order: the shared development and seed corpora (``../shared/corpus/dev.jsonl``,
``seeds.jsonl``), every distinct ICEWS 2016 evidence sentence read as ``bench/heldout_icews.py``
reads it (text = the sentence, published_at = its date, source = its publisher, lang "en"), and
the burst fixture ``tests/fixtures/burst_stream.jsonl``. Each contact is serialised with
``Contact.to_dict()`` as canonical JSON (sorted keys, no spaces), one line per contact, prefixed by
the input set's name; the hash covers every field, confidence and evidence included.

    .venv/bin/python bench/contacts_fingerprint.py            # prints the hash and per-set counts
    .venv/bin/python bench/contacts_fingerprint.py --check HEX   # exit 1 when it differs
    .venv/bin/python bench/contacts_fingerprint.py --dump out.jsonl  # every line hashed, to diff

The current hash is in bench/README.md; every recorded one, with the change that moved it, in
bench/HISTORY.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from heldout_icews import DEFAULT as ICEWS, load as load_icews  # noqa: E402

from streams.extraction import extract_contacts, extractor_build  # noqa: E402
from streams.records import Article  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
BURST = ROOT / "tests" / "fixtures" / "burst_stream.jsonl"


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def input_sets() -> list[tuple[str, list]]:
    icews = [Article(id=f"icews-{i}", text=it["text"], source=it["source"],
                     published_at=it["date"], lang="en") for i, it in enumerate(load_icews(ICEWS))]
    return [("dev", _jsonl(CORPUS / "dev.jsonl")), ("seeds", _jsonl(CORPUS / "seeds.jsonl")),
            ("icews", icews), ("burst", _jsonl(BURST))]


def fingerprint(dump=None) -> tuple[str, dict[str, int]]:
    h = hashlib.sha256()
    counts: dict[str, int] = {}
    for name, articles in input_sets():
        n = 0
        for art in articles:
            for c in extract_contacts(art):
                line = name + "\t" + json.dumps(c.to_dict(), sort_keys=True, ensure_ascii=False,
                                                separators=(",", ":")) + "\n"
                h.update(line.encode("utf-8"))
                if dump is not None:
                    dump.write(line)
                n += 1
        counts[name] = n
    return h.hexdigest(), counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", metavar="HEX", help="expected hash: exit 1 when it differs")
    ap.add_argument("--dump", metavar="FILE", help="write every hashed line to FILE")
    args = ap.parse_args(argv)
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None
    try:
        digest, counts = fingerprint(dump)
    finally:
        if dump is not None:
            dump.close()
    mode, why = extractor_build()
    print(f"extractor: {mode} ({why})", file=sys.stderr)
    print("contacts: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)
    print(digest)
    if args.check and args.check != digest:
        print(f"DIFFERENT from {args.check}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
