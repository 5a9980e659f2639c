"""streams.commands.counts: the CSV and JSON lines it writes from an API answer (built by the API's
own query code over a table written by the counting code)."""
from __future__ import annotations

import io
import json

from streams.api import query
from streams.commands.counts import COLUMNS, write
from tests.unit.api.test_query import contact, windows_with


def answer(granularity: str) -> dict:
    w = windows_with([contact("2023-10-04"), contact("2023-10-10", aid="a2", topics=["gaza"])], 0)
    w["0|~expired"] = "2023-10-03"
    return query.counts(w, 0, "JOR-USA", "*", "2023-10-01", "2023-10-15", granularity, 182)


def test_csv_has_one_row_a_bucket_and_empty_cells_for_what_is_not_kept():
    out = io.StringIO()
    write(answer("week"), "csv", out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1:] == ["JOR-USA,*,2023-W39,2023-10-01,2023-10-01,,1,0",
                         "JOR-USA,*,2023-W40,2023-10-02,2023-10-08,1,7,6",
                         "JOR-USA,*,2023-W41,2023-10-09,2023-10-15,1,7,7"]


def test_jsonl_by_day_says_what_is_kept():
    out = io.StringIO()
    write(answer("day"), "jsonl", out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(rows) == 15 and rows[0]["count"] is None and rows[3]["count"] == 1
    assert all(r["retained_from"] == "2023-10-03" and r["week"] is None and r["pair"] == "JOR-USA" for r in rows)
    assert set(rows[0]) == {*COLUMNS, "retained_from"}
