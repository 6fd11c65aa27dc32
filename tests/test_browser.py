"""The reading view and the report's index in a real browser: headless Chromium from the system's packages.

`make browser` installs Chromium and its driver (Debian's `chromium` and `chromium-driver`). Without them
these tests are skipped, except under CI (the CI variable set), where they fail. Each test keeps a
screenshot under its temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import PROJECT_DIR

INTERVIEW_ID = "darchiev-interfax"
#: Headless, and nothing that reaches for the network by itself (updates, sync, field trials).
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--window-size=1280,1600",
)


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI runs the browser tests (`make browser` installs Chromium)", pytrace=False)
    pytest.skip(f"{reason} (`make browser` installs it)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium driven by the system's chromedriver (Selenium is told where it is: no download)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("Selenium is not installed")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not chromium or not Path(driver_path).is_file():
        _missing("Chromium or chromedriver is not installed")
    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    yield driver
    driver.quit()


def open_page(browser, path: Path) -> list[str]:
    """Load a file and return the URL of every request the page made (Chrome's network log).

    The browser's own resources (``chrome://``, such as the clear icon of a search box, drawn
    or not depending on timing) and data inside the page (``data:``) are no requests of the page."""
    browser.get_log("performance")  # empty the log
    browser.get(path.as_uri())
    browser.execute_script("return document.readyState")
    requests = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith(("chrome:", "chrome-extension:", "devtools:", "data:")):
                requests.append(url)
    return requests


def outside_links(source: str) -> list[str]:
    """Every src or href of the page that points at a web address."""
    return re.findall(r"""(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", source, flags=re.IGNORECASE)


def decorated(browser, selector: str) -> int:
    """How many elements matching ``selector`` are drawn with a background, a box or a line."""
    return browser.execute_script("""
        return Array.from(document.querySelectorAll(arguments[0])).filter(function (m) {
            var s = getComputedStyle(m);
            return s.backgroundColor !== "rgba(0, 0, 0, 0)" || s.boxShadow !== "none"
                || s.textDecorationLine !== "none";
        }).length;""", selector)


def test_the_interview_reads_in_the_browser_with_its_matches_marked(browser, corpus, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from analysis.view import render

    page = tmp_path / "interview.html"
    page.write_text(render(corpus, INTERVIEW_ID), encoding="utf-8")
    requests = open_page(browser, page)
    assert requests == [page.as_uri()], "the page loads nothing but itself"
    assert outside_links(browser.page_source) == []

    # The document's characters, exactly, in the article; each turn visible, in order.
    text = corpus.text(INTERVIEW_ID)
    assert browser.execute_script("return document.getElementById('text').textContent") == text
    turns = corpus.turns[corpus.turns["doc_id"] == INTERVIEW_ID]
    sections = browser.find_elements(By.CSS_SELECTOR, "#text section.turn")
    assert len(sections) == len(turns)
    tops = []
    for section, turn in zip(sections, turns.itertuples()):
        assert section.is_displayed() and section.get_attribute("data-role") == turn.role
        assert " ".join(turn.text.split()) in " ".join(section.text.split())
        tops.append(section.location["y"])
    assert tops == sorted(tops) and len(set(tops)) == len(tops)

    # One highlighted element per theme match.
    matches = corpus.matches[corpus.matches["doc_id"] == INTERVIEW_ID]
    n_themes = int((matches["layer"] == "theme").sum())
    theme_marks = '#text mark[data-layer="theme"]'
    assert len(browser.find_elements(By.CSS_SELECTOR, theme_marks)) == n_themes
    assert decorated(browser, theme_marks) == n_themes

    # The tooltip: label, lexicon entry and the layer's card, for every mark under the pointer.
    first = browser.find_element(By.CSS_SELECTOR, theme_marks)
    ActionChains(browser).move_to_element(first).perform()
    tip = browser.find_element(By.ID, "tip")
    assert tip.is_displayed()
    assert f"theme · {first.get_attribute('data-label')}" in tip.text
    assert f"entry: {first.get_attribute('data-pattern')}" in tip.text and "themes.md" in tip.text
    browser.save_screenshot(str(tmp_path / "interview-tooltip.png"))

    # Unticking a layer hides its marks; ticking it shows them again; a layer off by default can be shown.
    theme_box = browser.find_element(By.CSS_SELECTOR, '.legend input[data-layer="theme"]:not([data-label])')
    theme_box.click()
    assert decorated(browser, theme_marks) == 0
    theme_box.click()
    assert decorated(browser, theme_marks) == n_themes
    pronouns = '#text mark[data-layer="pronoun"]'
    assert decorated(browser, pronouns) == 0
    browser.find_element(By.CSS_SELECTOR, '.legend input[data-layer="pronoun"]:not([data-label])').click()
    assert decorated(browser, pronouns) == int((matches["layer"] == "pronoun").sum()) > 0
    browser.find_element(By.CSS_SELECTOR, '.legend fieldset[data-layer="theme"] summary').click()  # the labels
    label_box = browser.find_element(By.CSS_SELECTOR, '.legend input[data-layer="theme"][data-label="sanctions"]')
    label_box.click()
    assert decorated(browser, '#text mark[data-layer="theme"][data-label="sanctions"]') == 0
    assert decorated(browser, theme_marks) == n_themes - int(((matches["layer"] == "theme")
                                                              & (matches["label"] == "sanctions")).sum())
    browser.get(page.as_uri())
    shot = tmp_path / "interview.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_the_report_index_shows_notebooks_figures_and_reading_views(browser, corpus, tmp_path):
    from selenium.webdriver.common.by import By

    from analysis.report import notebook_paths, write_site

    shutil.copytree(PROJECT_DIR / "reports" / "figures", tmp_path / "figures")
    notebooks = notebook_paths(PROJECT_DIR / "notebooks")
    write_site(tmp_path, notebooks=notebooks, corpus=corpus)
    index = tmp_path / "index.html"
    requests = open_page(browser, index)
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load
    browser.execute_script("window.scrollTo(0, 0)")
    assert requests and all(url.startswith(tmp_path.as_uri() + "/") for url in requests), requests
    assert outside_links(browser.page_source) == []

    cards = browser.find_elements(By.CSS_SELECTOR, "#notebooks .card")
    assert len(cards) == len(notebooks)
    assert all(card.find_element(By.CSS_SELECTOR, ".question").is_displayed() for card in cards)
    broken = browser.execute_script("""
        return Array.from(document.images).filter(function (img) {
            img.loading = "eager"; return img.complete && img.naturalWidth === 0; }).map(function (img) {
            return img.getAttribute("src"); });""")
    assert broken == []
    assert browser.find_elements(By.CSS_SELECTOR, f'#reading a[href="read/{INTERVIEW_ID}.html"]')
    figures = browser.find_elements(By.CSS_SELECTOR, "#figures figure")
    assert len(figures) == len({p.stem for p in (tmp_path / "figures").glob("*.png")})
    shot = tmp_path / "index.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    # The reading view it links to opens, loads nothing from outside and links back.
    browser.find_element(By.CSS_SELECTOR, f'#reading a[href="read/{INTERVIEW_ID}.html"]').click()
    assert browser.find_element(By.CSS_SELECTOR, "a.home").get_attribute("href") == index.as_uri()
    assert outside_links(browser.page_source) == []


def test_the_network_log_sees_a_request_to_another_host(browser, tmp_path):
    """The probe behind "no request leaves the page" is not blind: a page that asks for an image elsewhere shows it."""
    page = tmp_path / "asks.html"
    page.write_text('<!DOCTYPE html><title>x</title><img src="http://127.0.0.1:9/x.png" alt="">', encoding="utf-8")
    requests = open_page(browser, page)
    assert "http://127.0.0.1:9/x.png" in requests
    assert outside_links(page.read_text(encoding="utf-8")) == ["http://127.0.0.1:9/x.png"]


def test_ci_installs_the_browser_before_the_tests():
    ci = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    assert ci.index("make browser") < ci.index("make test")
    assert re.search(r"^browser:.*\n\t.*apt-get install .*chromium chromium-driver", makefile, flags=re.MULTILINE)


def test_without_a_browser_the_tests_skip_locally_and_fail_under_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make browser"):
        _missing("Chromium is not installed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI runs the browser tests"):
        _missing("Chromium is not installed")
