"""``python -m streams extract``: articles JSONL in (stdin or --input), contacts JSONL out (stdout).

Bad lines are reported on stderr with their line number and reason and the run goes on; a summary
goes to stderr at the end, and the exit code is 1 when no line could be used. Calls the same
``extract_contacts`` as the streaming pipeline, and treats an implausible ``published_at`` as absent
as the pipeline does (streams.pubdate).
"""
from __future__ import annotations

import argparse
import sys
from typing import IO, Iterator

import orjson


FIELDS_HELP = """\
Each input line is one JSON object, an article record (schemas/article.schema.json). Fields read:
  id            required, string or number: copied to each contact's article_id
  text          required, string: the page text, in Arabic, Persian or English
  published_at  optional ISO date or date-time (or RFC 2822): dates "today", "yesterday", ...;
                one that cannot be a publication time (a year before 1900 such as a Hijri
                date written as ISO, or after tomorrow) is treated as absent and counted
  lang          optional ar | fa | en (detected from the text when missing or wrong)
  title         optional headline, read with the text
  source        optional outlet (name or domain), carried into the contacts
  url           optional address of the page, carried into the contacts
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = FIELDS_HELP
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
    from streams.commands.common import CommandError, open_input, open_output
    from streams.extraction import extract_contacts, extraction_errors
    from streams.pubdate import DESCRIBED, drop_implausible

    from streams.knowledge.loader import KnowledgeError, load_all

    try:   # every knowledge file (the DIPLOWATCH_KNOWLEDGE_DIR overlay included) before any input
        load_all()
    except KnowledgeError as exc:
        raise CommandError(f"knowledge base: {exc}") from None
    src = open_input(args.input, "articles file")
    out = open_output(args.output)
    lines = _lines(src)
    if sys.stderr.isatty():
        from tqdm import tqdm

        lines = tqdm(lines, unit=" articles", file=sys.stderr)
    n_articles = n_bad = n_contacts = 0
    ignored_dates: dict[str, int] = {}
    errors_before = extraction_errors()
    try:
        for n, line in lines:
            article, reason = parse_article_line(line)
            if article is None:
                n_bad += 1
                print(f"extract: line {n}: {reason}", file=sys.stderr)
                continue
            n_articles += 1
            reason = drop_implausible(article)
            if reason is not None:
                ignored_dates[reason] = ignored_dates.get(reason, 0) + 1
            for c in extract_contacts(article):
                out.write(orjson.dumps(c.to_dict()) + b"\n")
                n_contacts += 1
    finally:
        out.flush()
        if src is not sys.stdin.buffer:
            src.close()
        if args.output:
            out.close()
    failed = extraction_errors() - errors_before
    ignored = ", ".join(f"{n} with {DESCRIBED[r]}" for r, n in sorted(ignored_dates.items()))
    print(f"extract: {n_articles} articles read, {n_bad} bad lines, {n_contacts} contacts"
          + (f", {failed} articles failed inside the extractor" if failed else "")
          + (f"; published_at treated as absent: {ignored}" if ignored else ""), file=sys.stderr)
    if n_articles == 0:
        raise CommandError("no usable article line in the input (expected JSON lines of article "
                           "records: see --help)", 1)
    return 0
