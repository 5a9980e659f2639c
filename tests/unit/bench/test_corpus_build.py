"""bench/corpus_build.py: a split's texts are built from a real git repository as its manifest
addresses them (JSON pointer, JSONL line, CSV row, text lines), and an article whose source changed
is refused."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))

import corpus_build as cb  # noqa: E402


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}).stdout.strip()


def _bare_mirror(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, str]:
    """A repository of ``files`` laid out as ``fetch`` leaves it (<mirrors>/<owner>+<name>/repo
    for ``o/n``): the mirrors folder and the commit."""
    work = tmp_path / "work"
    work.mkdir()
    for name, data in files.items():
        (work / name).write_bytes(data)
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "c")
    commit = _git(work, "rev-parse", "HEAD")
    mirrors = tmp_path / "mirrors"
    (mirrors / "o+n").mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirrors / "o+n" / "repo")], check=True)
    return mirrors, commit


@pytest.fixture()
def mirror(tmp_path):
    """A fetched repository with one file of each format; its commit."""
    return _bare_mirror(tmp_path, {
        "a.json": json.dumps([{"t": "Head", "b": "<p>Shoukry met Blinken.</p><p>In &amp; out</p>"}]).encode(),
        "b.jsonl": (json.dumps({"x": {"body": "Line one"}}) + "\n" + json.dumps({"x": {"body": "Two"}}) + "\n").encode(),
        "c.csv": "title,text\n\"T, 1\",\"Body\n  one\"\n".encode(),
        "d.txt": "<TITLE>Title</TITLE>\nx\nfirst line\nsecond line\n".encode(),
    })


def _entries(commit: str) -> list[dict]:
    src = {"repo": "o/n", "commit": commit}
    return [
        {"id": "j", "lang": "en", "from": {**src, "path": "a.json", "format": "json"}, "title": "/0/t",
         "text": "/0/b", "ops": ["html", "squash"]},
        {"id": "l", "lang": "en", "from": {**src, "path": "b.jsonl", "format": "jsonl"}, "title": None,
         "text": "/1/x/body"},
        {"id": "c", "lang": "en", "from": {**src, "path": "c.csv", "format": "csv"}, "title": "/0/title",
         "text": "/0/text", "ops": ["squash"]},
        {"id": "t", "lang": "en", "from": {**src, "path": "d.txt", "format": "text"}, "title": "lines:1-1",
         "text": "lines:3-", "ops": ["html"]},
    ]


def _write(path: Path, entries: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


def test_each_format_is_addressed_and_sealed_then_rebuilt_identically(mirror, tmp_path):
    mirrors, commit = mirror
    m = _write(tmp_path / "manifest.jsonl", _entries(commit))
    files = cb.Files(mirrors)
    data, records = cb.build(m, files, seal=True)
    by_id = {r["id"]: r for r in records}
    assert by_id["j"]["title"] == "Head" and by_id["j"]["text"] == "Shoukry met Blinken. In & out"
    assert by_id["l"]["title"] is None and by_id["l"]["text"] == "Two"
    assert by_id["c"]["title"] == "T, 1" and by_id["c"]["text"] == "Body one"
    assert by_id["t"]["title"] == "Title" and by_id["t"]["text"] == "first line\nsecond line"
    assert all(e.get("sha256") for e in cb.read_manifest(m))
    again, _ = cb.build(m, cb.Files(mirrors))   # checked against the sealed hashes
    assert again == data


def test_an_article_whose_text_changed_is_refused(mirror, tmp_path):
    mirrors, commit = mirror
    m = _write(tmp_path / "manifest.jsonl", _entries(commit))
    cb.build(m, cb.Files(mirrors), seal=True)
    entries = cb.read_manifest(m)
    entries[1]["text"] = "/0/x/body"
    _write(m, entries)
    with pytest.raises(cb.BuildError, match=r"manifest.jsonl:2 \(l\): built text hashes to"):
        cb.build(m, cb.Files(mirrors))


@pytest.mark.parametrize("change, message", [
    ({"from": {"repo": "o/missing", "commit": "0" * 40, "path": "a.json"}}, "fetch github:o/missing"),
    ({"text": "/7/b"}, "no item '7'"),
    ({"text": "/0"}, "gives a dict, not text"),
    ({"ops": ["shout"]}, "unknown op 'shout'"),
])
def test_a_bad_entry_is_one_line_naming_its_place(mirror, tmp_path, change, message):
    mirrors, commit = mirror
    entries = _entries(commit)[:1]
    entries[0].update(change)
    m = _write(tmp_path / "manifest.jsonl", entries)
    with pytest.raises(cb.BuildError, match=message) as e:
        cb.build(m, cb.Files(mirrors), seal=True)
    assert "manifest.jsonl:1" in str(e.value) and "\n" not in str(e.value)


def test_a_file_in_another_encoding_is_read_as_its_from_names_it(tmp_path):
    """The Arabic Newspapers Corpus is Windows-1256 with CRLF lines: ``from.encoding`` reads it; without
    it the entry is refused in one line."""
    mirrors, commit = _bare_mirror(tmp_path, {"p.txt": "عنوان الخبر\r\nاستقبل الرئيس وزير الخارجية.\r\n".encode("cp1256")})
    src = {"repo": "o/n", "commit": commit, "path": "p.txt", "format": "text"}
    entry = {"id": "p", "lang": "ar", "title": "lines:1-1", "text": "lines:2-"}
    m = _write(tmp_path / "m.jsonl", [{**entry, "from": {**src, "encoding": "cp1256"}}])
    _, records = cb.build(m, cb.Files(mirrors), seal=True)
    assert records[0]["title"] == "عنوان الخبر" and records[0]["text"] == "استقبل الرئيس وزير الخارجية."
    bad = _write(tmp_path / "bad.jsonl", [{**entry, "from": src}])
    with pytest.raises(cb.BuildError, match=r"bad.jsonl:1 \(p\): p.txt: not utf-8-sig text") as e:
        cb.build(bad, cb.Files(mirrors), seal=True)
    assert "\n" not in str(e.value)
