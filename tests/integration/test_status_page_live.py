"""The worker's /status page in a real headless Chromium (Debian's chromium + chromedriver via
Selenium; no browser download) after the dev corpus went through the real pipeline. Saves a full-page
screenshot to test-output/status-page.png."""
from __future__ import annotations



from tests.integration.chromium import browser  # noqa: F401 (fixture)
from tests.integration.live_worker import ROOT, live_stack  # noqa: F401 (fixture)

SHOT = ROOT / "test-output" / "status-page.png"



def test_status_page_in_chromium(live_stack, browser):
    from selenium.webdriver.common.by import By

    s = live_stack
    browser.get(f"{s.worker_url}/status")
    assert browser.title == "diplowatch status"

    # pipeline health: the numbers of this run
    health = browser.find_element(By.ID, "health").text
    assert "articles in" in health and str(s.sent) in health
    assert "invalid_json" in health and "schema" in health   # the bad lines, by reason

    # busiest pairs, each with an inline SVG sparkline that has a drawn line
    rows = browser.find_elements(By.CSS_SELECTOR, "#pairs-table tr.pair-row")
    assert rows, browser.find_element(By.ID, "pairs").text
    for row in rows:
        svg = row.find_element(By.CSS_SELECTOR, "svg.spark")
        assert svg.size["width"] > 50 and svg.size["height"] > 10
        assert row.find_element(By.CSS_SELECTOR, "polyline").get_attribute("points")
    pair_text = rows[0].find_element(By.CSS_SELECTOR, ".pair").text
    assert len(pair_text) == 7 and pair_text[3] == "-"

    # evidence of the latest contacts: Arabic and Persian laid out right-to-left, English left-to-right
    quotes = browser.find_elements(By.CSS_SELECTOR, "#contacts blockquote.ev")
    assert quotes
    seen = {}
    for q in quotes:
        lang = q.get_attribute("lang")
        assert q.get_attribute("dir") == "auto"
        direction = browser.execute_script("return getComputedStyle(arguments[0]).direction", q)
        seen.setdefault(lang, set()).add(direction)
        assert q.text.strip()
    for lang, dirs in seen.items():
        assert dirs == ({"rtl"} if lang in ("ar", "fa") else {"ltr"}), (lang, dirs)
    assert {"ar", "fa"} & set(seen), f"no Arabic/Persian evidence among the latest contacts: {seen}"

    # an Arabic-script font is available to the page (else Chromium draws boxes)
    assert browser.execute_script(
        "return document.fonts.check('16px \"Noto Sans Arabic\"', 'سلام') "
        "|| document.fonts.check('16px \"Noto Naskh Arabic\"', 'سلام')")

    # links only to http(s); no script anywhere
    for a in browser.find_elements(By.CSS_SELECTOR, "a[href]"):
        href = a.get_attribute("href")
        assert href.startswith(("http://", "https://")), href
    assert not browser.find_elements(By.TAG_NAME, "script")

    # full-page screenshot for people to look at
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(max(height + 40, 800), 6000))
    SHOT.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(SHOT))
    assert SHOT.stat().st_size > 20_000


def test_status_json_matches_page_data(live_stack):
    import json

    from tests.integration.live_worker import http_get

    data = json.loads(http_get(f"{live_stack.worker_url}/status.json"))
    assert data["health"]["articles_in"] == live_stack.sent
    assert data["pairs"] and data["contacts"]
    assert any(p["topic"] == f"{live_stack.app_id}-articles" for p in data["health"]["lag"])
