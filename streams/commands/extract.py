"""``python -m streams extract``: articles JSONL in (stdin or --input), contacts JSONL out (stdout).

Bad lines are reported on stderr with their line number and reason and the run goes on; a summary
goes to stderr at the end. Calls the same ``extract_contacts`` as the streaming pipeline.
"""
from __future__ import annotations

import argparse
import sys
from typing import IO, Iterator

import orjson


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", "-i", metavar="FILE", help="articles JSONL (default: stdin)")
    parser.add_argument("--output", "-o", metavar="FILE", help="contacts JSONL (default: stdout)")


def parse_article_line(line: bytes) -> tuple[dict | None, str | None]:
    """Return (article dict, None) or (None, reason) for one input line."""
    try:
        d = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        return None, f"invalid JSON: {e}"
    if not isinstance(d, dict):
        return None, f"expected a JSON object, got {type(d).__name__}"
    if "id" not in d or d["id"] is None or isinstance(d["id"], (dict, list)):
        return None, "missing or invalid 'id'"
    if not isinstance(d.get("text"), str):
        return None, "missing 'text' or not a string"
    for k in ("source", "url", "published_at", "lang", "title"):
        if d.get(k) is not None and not isinstance(d[k], str):
            return None, f"field '{k}' must be a string or null"
    return d, None


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for n, line in enumerate(stream, 1):
        if line.strip():
            yield n, line


def run(args: argparse.Namespace) -> int:
    from streams.extraction import extract_contacts, extraction_errors

    src = open(args.input, "rb") if args.input else sys.stdin.buffer
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    lines = _lines(src)
    if sys.stderr.isatty():
        from tqdm import tqdm

        lines = tqdm(lines, unit=" articles", file=sys.stderr)
    n_articles = n_bad = n_contacts = 0
    errors_before = extraction_errors()
    try:
        for n, line in lines:
            article, reason = parse_article_line(line)
            if article is None:
                n_bad += 1
                print(f"extract: line {n}: {reason}", file=sys.stderr)
                continue
            n_articles += 1
            for c in extract_contacts(article):
                out.write(orjson.dumps(c.to_dict()) + b"\n")
                n_contacts += 1
    finally:
        out.flush()
        if args.input:
            src.close()
        if args.output:
            out.close()
    failed = extraction_errors() - errors_before
    print(f"extract: {n_articles} articles read, {n_bad} bad lines, {n_contacts} contacts"
          + (f", {failed} articles failed inside the extractor" if failed else ""), file=sys.stderr)
    return 0
