"""Build the texts of the annotated splits from the public repositories they were drawn from.

The project commits what is its own — each split's manifest (where every article's title and text
stand: repository, commit, file, place in the file) and its gold annotations — and never the texts a
``fetch`` brings (the workplace's rule). On a new machine the texts are built again here, beside the
project, and each article must hash as it did when the split was made, so a test split stays frozen:

    # first, with the tool library: fetch github:<owner>/<name> for each repository the splits name
    .venv/bin/python bench/corpus_build.py                  # every split of corpus/splits.tsv
    .venv/bin/python bench/corpus_build.py --split NAME     # one split
    .venv/bin/python bench/corpus_build.py --seal corpus/NAME/manifest.jsonl   # a new split: record hashes

Manifest lines (JSON, one article each)::

    {"id": "...", "lang": "ar", "source": "...", "url": null, "published_at": "2018-02-18",
     "from": {"repo": "owner/name", "commit": "<sha>", "path": "dir/file.json", "format": "json"},
     "title": "/12/title", "text": "/12/body", "ops": ["html"], "sha256": "..."}

``format`` says how ``title`` and ``text`` address the file: ``json`` — a JSON pointer (RFC 6901);
``jsonl`` — a pointer whose first token is the 0-based line; ``csv`` / ``tsv`` — ``/<row>/<column>``
(0-based row after the header); ``text`` — ``lines:A-B`` (1-based, inclusive; ``lines:A-`` to the
end) or ``all``. A ``null`` title is no title. ``ops`` (optional, in order, on both fields):
``html`` (tags dropped, entities unescaped), ``squash`` (runs of white space to one space). Both
fields are always stripped. An article without ``from`` takes the previous article's. ``from`` may
name the file's ``encoding`` (a Python codec, e.g. ``cp1256`` for the Arabic Newspapers Corpus);
the default is UTF-8 (a BOM dropped).

An article's ``sha256`` is over its built record (keys sorted, compact, UTF-8); the split file is
those records one per line in manifest order, and its SHA-256 is ``corpus/splits.tsv``'s
``articles_sha256``.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRRORS = Path(os.environ.get("DIPLOWATCH_MIRRORS", "/work/.mirror"))
TEXT_DIR = Path(os.environ.get("DIPLOWATCH_CORPUS_TEXT", ROOT.parent / "corpus-text"))
RECORD_KEYS = ("id", "source", "url", "published_at", "lang", "title", "text")
_LINES = re.compile(r"^lines:(\d+)-(\d*)$")


class BuildError(Exception):
    """A split whose texts cannot be built as recorded (one line: what, where, what to do)."""


def mirror_dir(repo: str, mirrors: Path = MIRRORS) -> Path:
    """The git directory ``fetch`` leaves for ``owner/name``."""
    owner, _, name = repo.partition("/")
    return mirrors / f"{owner}+{name}" / "repo"


class Files:
    """File contents at a commit of a fetched repository, each read once."""

    def __init__(self, mirrors: Path = MIRRORS):
        self.mirrors = mirrors
        self._raw: dict[tuple[str, str, str], bytes] = {}
        self._parsed: dict[tuple[str, str, str, str], object] = {}

    def raw(self, repo: str, commit: str, path: str) -> bytes:
        key = (repo, commit, path)
        if key not in self._raw:
            git_dir = mirror_dir(repo, self.mirrors)
            if not git_dir.is_dir():
                raise BuildError(f"{repo}: not on this machine ({git_dir}); fetch github:{repo} with the tool "
                                 f"library, then run this again")
            r = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
                               capture_output=True)
            if r.returncode:
                raise BuildError(f"{repo}@{commit[:12]}:{path}: {r.stderr.decode(errors='replace').strip()}")
            self._raw[key] = r.stdout
        return self._raw[key]

    def parsed(self, repo: str, commit: str, path: str, fmt: str, encoding: str = "utf-8-sig"):
        key = (repo, commit, path, fmt, encoding)
        if key not in self._parsed:
            try:
                text = self.raw(repo, commit, path).decode(encoding)
            except (LookupError, UnicodeDecodeError) as e:
                raise BuildError(f"{path}: not {encoding} text ({e}); name the file's encoding in 'from'") from None
            if fmt == "json":
                self._parsed[key] = json.loads(text)
            elif fmt == "jsonl":
                self._parsed[key] = [json.loads(x) for x in text.split("\n") if x.strip()]
            elif fmt in ("csv", "tsv"):
                csv.field_size_limit(2**31 - 1)  # a press-release CSV holds fields over the default 128 KiB
                self._parsed[key] = list(csv.DictReader(io.StringIO(text, newline=""),
                                                        delimiter="," if fmt == "csv" else "\t"))
            elif fmt == "text":
                self._parsed[key] = text.split("\n")
            else:
                raise BuildError(f"{path}: unknown format {fmt!r} (json, jsonl, csv, tsv, text)")
        return self._parsed[key]


def _pointer(doc, pointer: str):
    """RFC 6901: '/a/0/b' (``~1`` is '/', ``~0`` is '~')."""
    if pointer == "":
        return doc
    if not pointer.startswith("/"):
        raise BuildError(f"pointer {pointer!r} must start with '/'")
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, list):
            if not token.isdigit() or int(token) >= len(doc):
                raise BuildError(f"pointer {pointer!r}: no item {token!r}")
            doc = doc[int(token)]
        elif isinstance(doc, dict):
            if token not in doc:
                raise BuildError(f"pointer {pointer!r}: no key {token!r}")
            doc = doc[token]
        else:
            raise BuildError(f"pointer {pointer!r}: {token!r} addresses inside a {type(doc).__name__}")
    return doc


def locate(parsed, fmt: str, at: str) -> str:
    """The string ``at`` addresses in a parsed file."""
    if fmt == "text":
        if at == "all":
            value = "\n".join(parsed)
        else:
            m = _LINES.match(at)
            if not m:
                raise BuildError(f"text locator {at!r} must be 'all' or 'lines:A-B'")
            a, b = int(m.group(1)), int(m.group(2)) if m.group(2) else len(parsed)
            if not 1 <= a <= b <= len(parsed):
                raise BuildError(f"text locator {at!r}: the file has {len(parsed)} lines")
            value = "\n".join(parsed[a - 1:b])
    else:
        value = _pointer(parsed, at)
    if not isinstance(value, str):
        raise BuildError(f"locator {at!r} gives a {type(value).__name__}, not text")
    return value


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
            self.parts.append("\n")


def apply_ops(value: str, ops: list[str]) -> str:
    for op in ops:
        if op == "html":
            p = _Text()
            p.feed(value)
            p.close()
            value = html.unescape("".join(p.parts))
        elif op == "squash":
            value = re.sub(r"\s+", " ", value)
        else:
            raise BuildError(f"unknown op {op!r} (html, squash)")
    return value.strip()


def canonical(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def build_article(entry: dict, source: dict, files: Files) -> dict:
    fmt = source.get("format", "json")
    parsed = files.parsed(source["repo"], source["commit"], source["path"], fmt,
                          source.get("encoding", "utf-8-sig"))
    ops = entry.get("ops", [])
    record = {k: entry.get(k) for k in RECORD_KEYS if k not in ("title", "text")}
    record["title"] = apply_ops(locate(parsed, fmt, entry["title"]), ops) if entry.get("title") else None
    record["text"] = apply_ops(locate(parsed, fmt, entry["text"]), ops)
    return record


def read_manifest(path: Path) -> list[dict]:
    if not path.exists():
        raise BuildError(f"{path}: no such manifest")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise BuildError(f"{path}:{n}: not JSON ({e.msg})") from None
    return out


def build(manifest: Path, files: Files, seal: bool = False) -> tuple[bytes, list[dict]]:
    """The split file's bytes and its records; with ``seal``, the manifest entries get their hashes
    (written back by the caller) instead of being checked against them."""
    entries = read_manifest(manifest)
    lines, records, source, seen = [], [], None, set()
    for n, e in enumerate(entries, 1):
        source = e.get("from", source)
        if source is None:
            raise BuildError(f"{manifest}:{n}: no 'from' (repository, commit, path) on or before this line")
        if not e.get("id") or e["id"] in seen:
            raise BuildError(f"{manifest}:{n}: a missing or repeated id {e.get('id')!r}")
        seen.add(e["id"])
        try:
            rec = build_article(e, source, files)
        except (BuildError, KeyError, ValueError) as err:
            raise BuildError(f"{manifest}:{n} ({e['id']}): {err}") from None
        digest = hashlib.sha256(canonical(rec)).hexdigest()
        if seal:
            e["sha256"] = digest
        elif e.get("sha256") != digest:
            raise BuildError(f"{manifest}:{n} ({e['id']}): built text hashes to {digest[:12]}…, the manifest "
                             f"records {str(e.get('sha256'))[:12]}…: the source or the builder changed")
        lines.append(canonical(rec) + b"\n")
        records.append(rec)
    if seal:
        manifest.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")
    return b"".join(lines), records


def text_path(name: str, text_dir: Path = TEXT_DIR) -> Path:
    return text_dir / f"{name}.jsonl"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "bench"))
    import heldout_splits as hs

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", action="append", metavar="NAME", help="only this split (repeatable)")
    ap.add_argument("--seal", type=Path, metavar="MANIFEST",
                    help="a new split's manifest: build it, write each article's sha256 into it, print the file's")
    ap.add_argument("--out", type=Path, help="with --seal: also write the built articles here")
    ap.add_argument("--mirrors", type=Path, default=MIRRORS)
    ap.add_argument("--text-dir", type=Path, default=TEXT_DIR)
    args = ap.parse_args(argv)
    files = Files(args.mirrors)
    try:
        if args.seal:
            data, records = build(args.seal, files, seal=True)
            if args.out:
                args.out.write_bytes(data)
            print(f"{args.seal}: {len(records)} articles sealed; articles_sha256 {hashlib.sha256(data).hexdigest()}")
            return 0
        splits = [s for s in hs.load_manifest() if s.manifest and (not args.split or s.name in args.split)]
        args.text_dir.mkdir(parents=True, exist_ok=True)
        for i, s in enumerate(splits, 1):
            data, records = build(s.manifest, files)
            got = hashlib.sha256(data).hexdigest()
            if got != s.articles_sha256:
                raise BuildError(f"{s.name}: the built split hashes to {got[:12]}…, splits.tsv records "
                                 f"{s.articles_sha256[:12]}…")
            out = text_path(s.name, args.text_dir)
            out.write_bytes(data)
            print(f"[{i}/{len(splits)}] {s.name}: {len(records)} articles -> {out}", file=sys.stderr)
    except (BuildError, hs.SplitError) as e:
        print(f"corpus_build: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
