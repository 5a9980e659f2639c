"""The analyst's pair page in a real headless Chromium, on a real worker fed through Kafka with what
`make demo` replays: the burst stream (steady pairs, then six Gaza-related JOR-USA calls reported in
English, Arabic and Persian: tests/fixtures/README.md), the seed articles and the 128 real
development articles. The test picks the pair in the page's form, checks the chart (bars, the
alert's mark), follows the mark to the week's evidence, checks that Arabic/Persian evidence is laid
out right-to-left, and saves a screenshot (a test artifact under pytest's tmp path) whose pixels
hold the chart's bar and alert colours."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import orjson
import pytest

from tests.corpus import CORPUS
from tests.integration.chromium import browser  # noqa: F401 (fixture)
from tests.integration.harness import FIXTURES, Worker, jsonl, pipeline_settings, send_lines, wait_for

pytestmark = pytest.mark.timeout(300)

BAR = (0x24, 0x56, 0xA6)      # svg.chart .bar (pairpage.PAIR_CSS)
MARK = (0xB4, 0x53, 0x1B)     # svg.chart .mark (the alert's marker)


def png_pixels(path: Path) -> tuple[int, int, list[bytes], int]:
    """Width, height, unfiltered rows and bytes per pixel of an 8-bit RGB/RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def colours_in(rows: list[bytes], bpp: int, box: tuple[int, int, int, int]) -> dict[tuple[int, int, int], int]:
    x0, y0, x1, y1 = box
    out: dict[tuple[int, int, int], int] = {}
    for y in range(max(0, y0), min(len(rows), y1)):
        r = rows[y]
        for x in range(max(0, x0), min(len(r) // bpp, x1)):
            px = tuple(r[x * bpp:x * bpp + 3])
            out[px] = out.get(px, 0) + 1
    return out


def near(colours: dict, want: tuple[int, int, int], tol: int = 6) -> int:
    return sum(n for c, n in colours.items() if all(abs(a - b) <= tol for a, b in zip(c, want)))


@pytest.fixture(scope="module")
def fed_worker(kafka_bootstrap, tmp_path_factory):
    # as `make demo`: the burst's calls come from three outlets, so the corroboration gate (eight
    # articles) is off; counts kept 1,000 days so the 2023 burst stays beside the 2025 articles;
    # heartbeats every 2 s let the burst's days out once the watermark has passed them
    s = pipeline_settings(kafka_bootstrap, "pairpage", spike_min_reports=1, retain_days=1000,
                          expire_interval_seconds=2)
    tmp = tmp_path_factory.mktemp("pair-page")
    worker = Worker(s, tmp).start()
    try:
        lines = (jsonl(FIXTURES / "burst_stream.jsonl") + jsonl(CORPUS / "seeds.jsonl")
                 + jsonl(CORPUS / "dev.jsonl"))
        send_lines(s, lines, tmp)
        wait_for(lambda: (lambda c: c["in"] == len(lines) and c["in_flight"] == 0)(worker.counts()),
                 120, "every article processed")
        # the JOR-USA episode is in the episodes table (the all-topics and gaza alerts)
        wait_for(lambda: b"alert-mark" in worker.get("/status/pair?pair=JOR-USA"), 60,
                 "the JOR-USA alert on its pair page")
        yield worker, tmp
    finally:
        worker.stop()


def test_bad_parameters_get_a_400_page(fed_worker):
    import urllib.error
    import urllib.request
    worker, _ = fed_worker
    for q in ("pair=JORDAN", "pair=JOR-USA&week=2023-02-30", "pair=%3Cscript%3E"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{worker.url}/status/pair?{q}", timeout=5)
        assert e.value.code == 400
        body = e.value.read().decode()
        assert "Cannot show this" in body and "<script>" not in body


def test_status_page_this_week_lists_only_pairs_with_contacts(fed_worker):
    worker, _ = fed_worker
    data = orjson.loads(worker.get("/status.json"))
    assert data["pairs"], data["week_end"]
    assert all(p["count"] > 0 for p in data["pairs"])
    # one entry per pair and week: the all-topics and gaza alerts of JOR-USA are one group
    jor = [a for a in data["alerts"] if a["pair"] == "JOR-USA"]
    assert len(jor) == 1 and set(jor[0]["topics"]) == {"*", "gaza"}, jor


def test_pair_page_in_chromium(fed_worker, browser, tmp_path):  # noqa: F811 (fixture)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    worker, _ = fed_worker
    # from the status page's link to the pair page, then the form: pick JOR-USA
    browser.get(f"{worker.url}/status")
    browser.find_element(By.CSS_SELECTOR, 'header a[href="/status/pair"]').click()
    WebDriverWait(browser, 20).until(lambda b: b.title == "diplowatch · pairs")
    Select(browser.find_element(By.NAME, "pair")).select_by_value("JOR-USA")
    browser.find_element(By.CSS_SELECTOR, "form.pick button").click()
    # a click returns before the form's page has loaded: wait for it (the title is the pair's)
    WebDriverWait(browser, 20).until(lambda b: b.title != "diplowatch · pairs")
    assert browser.title == "diplowatch · JOR-USA"
    assert "Jordan" in browser.find_element(By.ID, "chart").text
    assert not browser.find_elements(By.ID, "elsewhere")      # one worker holds every partition

    # the chart: bars drawn with a height, the alert's mark over the burst week
    chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
    assert chart.size["width"] > 600 and chart.size["height"] > 120
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
    assert len(bars) >= 5 and all(b.size["height"] > 0 for b in bars)
    marks = chart.find_elements(By.CSS_SELECTOR, "a.alert-mark")
    assert len(marks) == 1                                     # gaza and all topics: one mark
    assert "gaza" in marks[0].find_element(By.TAG_NAME, "title").get_attribute("textContent")
    entries = browser.find_elements(By.CSS_SELECTOR, "#alerts li.alert-entry")
    assert len(entries) == 1 and "JOR-USA|2023-W42" in entries[0].text

    # the screenshot: the chart's bar and alert colours are really painted
    browser.set_window_size(1400, 1000)
    shot = tmp_path / "pair-page.png"
    assert browser.save_screenshot(str(shot))
    print(f"\npair page screenshot: {shot}")
    w, h, rows, bpp = png_pixels(shot)
    loc, size = chart.location, chart.size
    box = (int(loc["x"]), int(loc["y"]), int(loc["x"] + size["width"]), int(loc["y"] + size["height"]))
    inside = colours_in(rows, bpp, box)
    everything = colours_in(rows, bpp, (0, 0, w, h))
    assert len(everything) > 50, "a blank screenshot"
    assert near(inside, BAR) > 200 and near(inside, MARK) > 30, sorted(inside.items(), key=lambda kv: -kv[1])[:8]

    # the evidence is one click away: the mark leads to the burst week's contacts
    href = marks[0].get_dom_attribute("href")
    assert href.startswith("/status/pair?") and "week=" in href, href
    browser.get(f"{worker.url}{href}")
    assert browser.current_url.endswith("#evidence")
    section = browser.find_element(By.ID, "evidence")
    assert "2023-10-16" in section.find_element(By.TAG_NAME, "h2").text
    quotes = section.find_elements(By.CSS_SELECTOR, "blockquote.ev")
    assert len(quotes) >= 4
    seen: dict = {}
    for q in quotes:
        assert q.get_attribute("dir") == "auto" and q.text.strip()
        seen.setdefault(q.get_attribute("lang"), set()).add(
            browser.execute_script("return getComputedStyle(arguments[0]).direction", q))
    assert seen.get("ar") == {"rtl"} and seen.get("fa") == {"rtl"} and seen.get("en") == {"ltr"}, seen
    # beside Arabic/Persian evidence, the pair's names in that language, right-to-left too
    names = section.find_elements(By.CSS_SELECTOR, 'div.names[lang="ar"]')
    assert names and "الأردن" in names[0].text
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", names[0]) == "rtl"
    # the sources link out to the articles
    links = section.find_elements(By.CSS_SELECTOR, ".src a[href]")
    assert links and all(a.get_attribute("href").startswith(("http://", "https://")) for a in links)
    assert not browser.find_elements(By.TAG_NAME, "script")
    shot2 = tmp_path / "pair-page-evidence.png"
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(max(height + 40, 800), 6000))
    assert browser.save_screenshot(str(shot2)) and shot2.stat().st_size > 20_000
