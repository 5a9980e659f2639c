"""``python -m streams evaluate``: score contacts against a gold file (corpus README rules).

Predictions come from ``--pred contacts.jsonl`` or are extracted on the fly from ``--articles``.
``--errors`` lists false positives/negatives and field mismatches per article with evidence.
"""
from __future__ import annotations

import argparse
import sys

import orjson


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", required=True, metavar="GOLD.jsonl", help="gold file, one record per article")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--pred", metavar="contacts.jsonl", help="predicted contacts JSONL")
    src.add_argument("--articles", metavar="articles.jsonl", help="extract contacts from these articles first")
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    parser.add_argument("--errors", action="store_true", help="list FP/FN and mismatches per article")


def _read_jsonl(path: str, what: str, required: str | None = None) -> list[dict]:
    """The JSON objects of a JSON-lines file. A whole-file JSON array, or objects without the
    ``required`` field, are a CommandError saying so once; an unreadable line is reported and
    skipped."""
    from streams.commands.common import CommandError, input_file

    p = input_file(path, what)
    data = p.read_bytes()
    if data.lstrip()[:1] == b"[":
        try:
            whole = orjson.loads(data)
        except orjson.JSONDecodeError:
            whole = None
        if isinstance(whole, list):
            raise CommandError(f"{path} is one JSON array; evaluate reads JSON lines, one object a "
                               f"line (convert it with: jq -c '.[]' {path})")
    rows = []
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            print(f"evaluate: {path}:{n}: invalid JSON: {e}", file=sys.stderr)
            continue
        if not isinstance(row, dict):
            raise CommandError(f"{path}:{n}: a JSON {type(row).__name__}, expected one object a line")
        if required and required not in row:
            raise CommandError(f"{path}:{n}: no '{required}' field, which every record of a {what} needs "
                               f"(fields found: {', '.join(sorted(row)) or 'none'})")
        rows.append(row)
    return rows


def run(args: argparse.Namespace) -> int:
    from streams.extraction.evaluate import format_errors, format_table, score

    gold = _read_jsonl(args.gold, "gold file", "article_id")
    if args.pred:
        preds = _read_jsonl(args.pred, "predictions file", "article_id")
    else:
        from streams.extraction import extract_contacts

        preds = [c for a in _read_jsonl(args.articles, "articles file", "id") for c in extract_contacts(a)]
    s = score(gold, preds)
    if args.json:
        sys.stdout.write(orjson.dumps(s.as_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print(format_table(s, f"gold: {args.gold}"))
    if args.errors:
        print(format_errors(s))
    return 0
