"""End to end in a real browser: headless Chromium, driven by Selenium, on the built site.

The site (a copy of the real one) is built with the html builder and served by
``http.server`` on 127.0.0.1; Debian's ``chromium`` and ``chromium-driver``
(installed by ``.ci/run``) read it like a person would: search, schedule,
Next/Previous, the calendar link, and the console. Screenshots of the Friday
schedule and of one talk land in ``tests/artifacts/`` for a person to look at.

Every page type is also read at 390 px (a phone) and 1280 px: no page scrolls
sideways, titles wrap at words, times never break, and axe-core (bundled by
``axe-selenium-python``, so nothing is fetched) finds no critical or serious
violation. ``roots/test-grid`` stands in for an imported program in several
rooms: its grid, its collapse on a phone and a talk's context are read there.

Locally the tests skip when Chromium is absent; in CI (``CI`` set) they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from sitebuild import REPO, SiteBuilds, copy_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1024",
)
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WAIT = 20  # seconds: a generous bound for a loaded 2-core machine, never a sleep
DAYS = ("thursday", "friday", "saturday", "sunday")
TALK = "friday/messaging-at-scale-at-instagram.html"
GRID_ROOT = Path(__file__).resolve().parent / "roots" / "test-grid"
#: A phone (an iPhone 12 to 15 in portrait) and a desktop.
WIDTHS = (390, 1280)
#: One page of each type of the real site (index, day, talk, indices, search...).
SITE_PAGES = (
    "index.html",
    "friday/index.html",
    TALK,
    "presenters.html",
    "tracks.html",
    "genindex.html",
    "pycon2012/index.html",
    "pycon2012/keynote-paul-graham.html",
    "search.html?q=celery",
)
#: The multi-room program: a grid day, a talk with context, a single-room day.
GRID_PAGES = ("index.html", "day1/index.html", "day1/a3-alpha-three.html", "day2/index.html")


def require_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    reason = (
        f"Chromium is not installed ({', '.join(missing)} missing); "
        "install Debian's packages: apt-get install chromium chromium-driver"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (.ci/run installs them in CI)")
    pytest.skip(reason)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the output folder; records what the browser asked for and did not get.

    Chromium asks every host for ``/favicon.ico`` by itself; the site has none,
    so that one request is answered "204 No Content" rather than logged as a 404.
    """

    # The types a web host (Read the Docs included) gives the schedule exports.
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".ics": "text/calendar",
        ".json": "application/json",
        ".xml": "application/xml",
    }
    missing: list[str]

    def do_GET(self) -> None:
        if self.path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        # The tests' own urllib requests are checked where they are made.
        if "Python-urllib" not in self.headers.get("User-Agent", ""):
            self.missing.append(f"{code} {self.path}")
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_browser()
    root = tmp_path_factory.mktemp("browser")
    return SiteBuilds(copy_site(root / "src"), root / "build")("html")


@contextmanager
def serving(outdir: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``outdir`` on 127.0.0.1: (base URL, requests that were not found)."""
    missing: list[str] = []
    handler = type("Handler", (QuietHandler,), {"missing": missing})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(outdir)))
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/", missing
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(outdir: Path) -> Iterator[tuple[str, list[str]]]:
    with serving(outdir) as served:
        yield served


@pytest.fixture(scope="module")
def grid_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A program in several rooms (``roots/test-grid``), built strictly and served."""
    require_browser()
    root = tmp_path_factory.mktemp("browser-grid")
    srcdir = root / "src"
    shutil.copytree(GRID_ROOT, srcdir)
    (srcdir / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(REPO / '_ext')!r})\n"
        + (GRID_ROOT / "conf.py").read_text(encoding="utf-8"), encoding="utf-8")
    with serving(SiteBuilds(srcdir, root / "build")("html")) as (base, missing):
        yield base
        assert missing == []


@pytest.fixture(scope="module")
def base(server: tuple[str, list[str]]) -> str:
    return server[0]


@pytest.fixture(scope="module")
def driver(outdir: Path, tmp_path_factory: pytest.TempPathFactory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        # An explicit driver path already skips Selenium Manager; offline makes sure.
        patch.setenv("SE_OFFLINE", "true")
        browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    browser.set_page_load_timeout(WAIT)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def console() -> list[str]:
    """SEVERE console entries of every page any test opened, with the page's URL."""
    return []


def drain(driver, console: list[str]) -> None:
    for entry in driver.get_log("browser"):
        if entry["level"] == "SEVERE":
            console.append(f"{driver.current_url}: {entry['message']}")


def wait(driver, condition, message: str = ""):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition, message)


def open_page(driver, console: list[str], url: str) -> None:
    driver.get(url)
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    drain(driver, console)


def search_summary(driver):
    """The search page's summary, once the search has run and written it."""
    from selenium.webdriver.common.by import By

    return wait(
        driver,
        lambda d: next(
            (e for e in d.find_elements(By.CSS_SELECTOR, "#search-results .search-summary")
             if e.text.strip()),
            False,
        ),
        "the search never finished",
    )


def path_of(url: str, base: str) -> str:
    """The site-relative path of a URL on the test server, without query or fragment."""
    assert url.startswith(base), url
    return urlsplit(url).path.lstrip("/")


def schedule_links(driver, base: str) -> list[tuple[str, str]]:
    """(time cell, talk path) for each row of the page's schedule table, in order."""
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "table tbody tr")
    result = []
    for row in rows:
        cells = row.find_elements(By.TAG_NAME, "td")
        link = cells[1].find_element(By.TAG_NAME, "a")
        result.append((cells[0].text.strip(), path_of(link.get_attribute("href"), base)))
    return result


def field(driver, name: str) -> str:
    """The text of a talk header field (``When``, ``Presenter``...) on the current page."""
    pairs = driver.execute_script(
        "return [...document.querySelectorAll('dl.field-list > dt')]"
        ".map(dt => [dt.textContent, dt.nextElementSibling.textContent]);"
    )
    fields = {label.strip().rstrip(":").strip(): value.strip() for label, value in pairs}
    return fields[name]


def follow(driver, console: list[str], rel: str) -> bool:
    """Click the page's Next or Previous button; False when the page has none."""
    from selenium.webdriver.common.by import By

    buttons = driver.find_elements(By.CSS_SELECTOR, f"a[rel='{rel}']")
    if not buttons:
        return False
    before = driver.current_url
    buttons[0].click()
    wait(driver, lambda d: d.current_url != before, f"{rel} from {before} did not navigate")
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    drain(driver, console)
    return True


def full_page_screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width, height = driver.execute_script(
        "return [window.outerWidth, document.documentElement.scrollHeight];"
    )
    driver.set_window_size(width, min(max(height, 1024), 6000))
    try:
        path = ARTIFACTS / name
        assert driver.save_screenshot(str(path)), f"no screenshot written to {path}"
    finally:
        driver.set_window_size(1280, 1024)
    assert path.stat().st_size > 10_000  # a real page, not a blank PNG
    return path


# --- the tests -----------------------------------------------------------------------------


def test_search_finds_a_talk_by_a_word_of_its_notes(driver, base, console, outdir) -> None:
    from bs4 import BeautifulSoup
    from selenium.webdriver.common.by import By

    # The premise: "Thoonk" is in that talk's notes, not in its title or header.
    page = BeautifulSoup(
        (outdir / "friday" / "making-disqus-realtime.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    article = page.find(attrs={"itemprop": "articleBody"}) or page.body
    assert "Thoonk" not in page.find("h1").get_text()
    assert "Thoonk" not in page.find("dl", class_="field-list").get_text()
    assert "Thoonk" in article.get_text()

    open_page(driver, console, base + "search.html?q=Thoonk")
    summary = search_summary(driver)
    results = driver.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")
    found = [path_of(link.get_attribute("href"), base) for link in results]
    assert "friday/making-disqus-realtime.html" in found, summary.text
    assert all(path.startswith("friday/making-disqus-realtime") for path in found), found

    title = results[0].text
    results[0].click()
    wait(driver, lambda d: "making-disqus-realtime" in d.current_url)
    assert driver.find_element(By.TAG_NAME, "h1").text.rstrip("¶").strip() == title
    drain(driver, console)

    open_page(driver, console, base + "search.html?q=Zyzzogeton")
    search_summary(driver)
    assert driver.find_elements(By.CSS_SELECTOR, "#search-results ul.search li") == []


def test_friday_page_links_its_talks_in_time_order(driver, base, console, outdir) -> None:
    open_page(driver, console, base + "friday/index.html")
    full_page_screenshot(driver, "friday-schedule.png")
    rows = schedule_links(driver, base)

    talk_pages = {
        f"friday/{path.name}" for path in (outdir / "friday").glob("*.html")
        if path.name != "index.html"
    }
    assert [path for _, path in rows] == list(dict.fromkeys(path for _, path in rows))
    assert {path for _, path in rows} == talk_pages

    starts = []
    for _, path in rows:
        open_page(driver, console, base + path)
        when = field(driver, "When")
        assert when.startswith("Friday, March 15, 2013"), (path, when)
        match = re.search(r"\b(\d{2}:\d{2})–\d{2}:\d{2}\b", when)
        starts.append(match[1] if match else None)
    timed = [start for start in starts if start is not None]
    assert len(timed) >= 3
    assert timed == sorted(timed), list(zip(rows, starts, strict=True))
    # Untimed talks come after every timed one.
    assert starts[: len(timed)] == timed, starts


def test_next_and_previous_cross_day_boundaries(driver, base, console) -> None:
    open_page(driver, console, base + "thursday/index.html")
    last_thursday = schedule_links(driver, base)[-1][1]
    open_page(driver, console, base + "friday/index.html")
    first_friday = schedule_links(driver, base)[0][1]

    open_page(driver, console, base + last_thursday)
    assert follow(driver, console, "next")
    assert path_of(driver.current_url, base) == "friday/index.html"
    assert follow(driver, console, "next")
    assert path_of(driver.current_url, base) == first_friday
    assert follow(driver, console, "prev")
    assert path_of(driver.current_url, base) == "friday/index.html"
    assert follow(driver, console, "prev")
    assert path_of(driver.current_url, base) == last_thursday


def test_next_walks_the_whole_schedule_and_previous_walks_back(driver, base, console) -> None:
    expected = []
    for day in DAYS:
        open_page(driver, console, base + f"{day}/index.html")
        expected += [f"{day}/index.html", *(path for _, path in schedule_links(driver, base))]

    open_page(driver, console, base + "index.html")
    walk = ["index.html"]
    while follow(driver, console, "next"):
        walk.append(path_of(driver.current_url, base))
        assert len(walk) <= 200, "Next never ends"
    assert len(walk) == len(set(walk)), walk
    assert [path for path in walk if path.split("/")[0] in DAYS] == expected

    back = [walk[-1]]
    while follow(driver, console, "prev"):
        back.append(path_of(driver.current_url, base))
        assert len(back) <= len(walk), "Previous goes further than Next came"
    assert back == walk[::-1]


def test_add_to_calendar_serves_a_calendar_file(driver, base, console) -> None:
    from selenium.webdriver.common.by import By

    open_page(driver, console, base + TALK)
    title = driver.find_element(By.TAG_NAME, "h1").text.rstrip("¶").strip()
    href = driver.find_element(By.LINK_TEXT, "Add to calendar").get_attribute("href")
    assert href.startswith(base) and href.endswith(".ics"), href
    with urllib.request.urlopen(href, timeout=WAIT) as response:
        content_type = response.headers.get_content_type()
        body = response.read().decode("utf-8")
    assert content_type == "text/calendar"
    assert body.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VEVENT" in body
    assert title in body.replace("\r\n ", "").replace("\\,", ",")


def test_talk_page_screenshot(driver, base, console) -> None:
    from selenium.webdriver.common.by import By

    open_page(driver, console, base + TALK)
    assert "Rick Branson" in field(driver, "Presenter")
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Messaging at Scale")
    full_page_screenshot(driver, "talk-page.png")


def test_no_page_logs_a_console_error(driver, base, console, server) -> None:
    for page in SITE_PAGES:
        open_page(driver, console, urljoin(base, page))
    # Every page opened by this module's tests, this one's included.
    assert console == []
    assert server[1] == [], "the browser asked for files the site does not have"


# --- any screen, accessibility ---------------------------------------------------------------


@contextmanager
def window_width(driver, width: int) -> Iterator[None]:
    driver.set_window_size(width, 1024)
    try:
        yield
    finally:
        driver.set_window_size(1280, 1024)


def scroll_overflow(driver) -> int:
    """How far the page scrolls sideways (0 when it does not)."""
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];")
    return max(width - inner, 0)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(driver, base, grid_base, console, width: int) -> None:
    too_wide = []
    with window_width(driver, width):
        for site, pages in ((base, SITE_PAGES), (grid_base, GRID_PAGES)):
            for page in pages:
                open_page(driver, console, urljoin(site, page))
                if overflow := scroll_overflow(driver):
                    too_wide.append(f"{page} at {width}px: {overflow}px too wide")
    assert too_wide == []


#: For each word of each schedule link: on how many lines it is drawn.
WORD_LINES = """
const result = [];
for (const link of document.querySelectorAll(arguments[0])) {
  const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const re = /\\S+/g;
    let match;
    while ((match = re.exec(node.data)) !== null) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      result.push([match[0], lines.size]);
    }
  }
}
return result;
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_titles_wrap_at_words_and_times_never_break(
    driver, base, grid_base, console, width: int
) -> None:
    broken = []
    with window_width(driver, width):
        for url in (base + "friday/index.html", base + TALK, grid_base + "day1/index.html",
                    grid_base + "day1/a3-alpha-three.html"):
            open_page(driver, console, url)
            words = driver.execute_script(
                WORD_LINES, "table.conference-schedule a, dl.conference-talk-meta a")
            assert words, url
            broken += [(url, word) for word, lines in words if lines != 1]
            times = driver.execute_script(WORD_LINES, ".conference-time")
            assert times, url
            # A time range is one "word" (no space in "10:50–11:20"); with its zone, two.
            lines = driver.execute_script(
                "return [...document.querySelectorAll('.conference-time')].map("
                "e => new Set([...e.getClientRects()].map(r => Math.round(r.top))).size);")
            broken += [(url, "time range") for count in lines if count != 1]
    assert broken == []


def test_grid_has_a_column_per_room_and_collapses_on_a_phone(
    driver, grid_base, console
) -> None:
    from selenium.webdriver.common.by import By

    open_page(driver, console, grid_base + "day1/index.html")
    grid = driver.find_element(By.CSS_SELECTOR, "table.conference-grid")
    heads = [th.text for th in grid.find_elements(By.CSS_SELECTOR, "thead th")]
    assert heads == ["Time", "Hall A", "Hall B", "Hall C"]
    beta = grid.find_element(By.LINK_TEXT, "Beta Long").find_element(By.XPATH, "ancestor::td")
    assert beta.get_attribute("rowspan") == "2"
    rooms = grid.find_elements(By.CSS_SELECTOR, "p.conference-grid-room")
    assert rooms and not any(room.is_displayed() for room in rooms)
    with window_width(driver, 390):
        open_page(driver, console, grid_base + "day1/index.html")
        grid = driver.find_element(By.CSS_SELECTOR, "table.conference-grid")
        # One slot after the other, each session saying its room.
        assert grid.value_of_css_property("display") == "block"
        assert not grid.find_element(By.TAG_NAME, "thead").is_displayed() or (
            grid.find_element(By.TAG_NAME, "thead").size["height"] <= 1)
        shown = [room.text for room in grid.find_elements(By.CSS_SELECTOR, "p.conference-grid-room")
                 if room.is_displayed()]
        assert "Hall C" in shown and "Hall B" in shown
        empty = grid.find_elements(By.CSS_SELECTOR, "td.conference-grid-empty")
        assert empty and not any(cell.is_displayed() for cell in empty)


def test_talk_page_names_what_runs_at_the_same_time_and_next(driver, grid_base, console) -> None:
    open_page(driver, console, grid_base + "day1/a3-alpha-three.html")
    assert field(driver, "At the same time") == "11:00–11:30 Gamma One (Hall C)"
    assert field(driver, "Next in this room") == "13:00–13:30 Alpha Four (Hall A)"


AXE_PAGES = (
    ("site", "index.html"),
    ("site", "friday/index.html"),
    ("grid", "day1/index.html"),
    ("site", TALK),
    ("site", "presenters.html"),
    ("site", "tracks.html"),
    ("site", "search.html?q=celery"),
)


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_critical_or_serious_violation(
    driver, base, grid_base, console, width: int
) -> None:
    """axe-core, as bundled by ``axe-selenium-python`` (nothing is fetched)."""
    from axe_selenium_python import Axe

    found = []
    with window_width(driver, width):
        for site, page in AXE_PAGES:
            open_page(driver, console, urljoin(base if site == "site" else grid_base, page))
            if "search.html" in page:
                search_summary(driver)
            axe = Axe(driver)
            axe.inject()
            results = axe.run()
            assert results["passes"], page  # axe really ran
            found += [
                f"{page} at {width}px: {violation['id']} ({violation['impact']}) "
                f"{[node['target'] for node in violation['nodes']][:3]}"
                for violation in results["violations"]
                if violation["impact"] in {"critical", "serious"}
            ]
    assert found == []
