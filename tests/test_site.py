"""The real site, built as ``make html`` builds it (``-W --keep-going -n``).

The sources are read in place from the repository; everything Sphinx writes goes
to a temporary directory, so the repository stays clean. The expectations come
from the seed facts (``tests/data/seed_talks.json``, a copy of the shared facts
file) and from ``conf.py``, never from the extension's code.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urldefrag, urljoin

import pytest
from bs4 import BeautifulSoup, Tag
from inprocess import build_once
from sphinx.testing.util import SphinxTestApp

REPO = Path(__file__).resolve().parent.parent
FACTS = Path(__file__).resolve().parent / "data" / "seed_talks.json"
DAYS = ("thursday", "friday", "saturday", "sunday")
#: Folders of the repository that hold no site sources (conf.py excludes them too).
NOT_SOURCES = {".venv", "_build", ".git", "tests", "bench", "templates", "_ext", "node_modules"}
#: The four Friday talks whose start times are known, in the order of those times.
FRIDAY_TIMED = [
    ("10:50", "Messaging at Scale at Instagram"),
    ("11:30", "This Old Video Site: How PBS streams video"),
    ("12:10", "Making DISQUS Realtime"),
    ("13:55", "Twisted Logic: Endpoints and Why You Shouldn't Be Scared of Twisted"),
]


# -- helpers -----------------------------------------------------------------------


def norm(text: str) -> str:
    """Compare text as a reader does: typographic quotes and spacing do not count."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u00b6", "")
    return " ".join(text.split()).casefold()


def words(text: str) -> str:
    """Only the words of a text: quotes, punctuation and spacing do not count."""
    return " ".join(re.sub(r"[^\w\s]", " ", text).split()).casefold()


def page_title(soup: BeautifulSoup) -> str:
    heading = soup.select_one("[role=main] h1")
    assert heading is not None
    text = "".join(
        str(piece) for piece in heading.find_all(string=True)
        if piece.find_parent("a", class_="headerlink") is None
    )
    return " ".join(text.split())


def main(soup: BeautifulSoup) -> Tag:
    body = soup.select_one("[role=main]")
    assert body is not None
    return body


def field(header: Tag, label: str) -> Tag | None:
    """The ``<dd>`` of the header field whose name starts with ``label``."""
    for term in header.find_all("dt"):
        if term.get_text(" ").strip().casefold().startswith(label.casefold()):
            return term.find_next_sibling("dd")
    return None


def page_of(href: str, base: str) -> str:
    """The output file (relative to the outdir) an ``href`` on page ``base`` points to."""
    target = urljoin(base, urldefrag(href).url) if urldefrag(href).url else base
    return unquote(str(PurePosixPath(target)))


def load_facts() -> list[dict]:
    data = json.loads(FACTS.read_text(encoding="utf-8"))
    return [{key: (value.get("value") if isinstance(value, dict) else value)
             for key, value in talk.items()} for talk in data["talks"]]


def from_2012(talk: dict) -> bool:
    """The Paul Graham keynote: recorded at PyCon US 2012."""
    return str(talk.get("recorded_date") or "").startswith("2012") or "2012" in str(
        talk.get("event") or "")


# -- the build -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    """The real site, built once for this module with warnings as errors and -n."""
    return build_once(srcdir=REPO, builddir=tmp_path_factory.mktemp("site"), freshenv=True,
                      warningiserror=True, confoverrides={"nitpicky": True})


@pytest.fixture(scope="module")
def pages(site: SphinxTestApp) -> dict[str, BeautifulSoup]:
    """Every built HTML page, parsed, by its path relative to the output directory."""
    outdir = Path(site.outdir)
    return {
        path.relative_to(outdir).as_posix(): BeautifulSoup(
            path.read_text(encoding="utf-8"), "html.parser"
        )
        for path in sorted(outdir.rglob("*.html"))
        if not path.relative_to(outdir).parts[0].startswith("_")
    }


@pytest.fixture(scope="module")
def talk_pages(pages: dict[str, BeautifulSoup]) -> dict[str, BeautifulSoup]:
    """The pages that describe a talk (they carry a talk header)."""
    return {name: soup for name, soup in pages.items()
            if soup.select_one("[role=main] .conference-talk-meta") is not None}


def test_builds_with_warnings_as_errors_and_nitpicky(site: SphinxTestApp) -> None:
    assert site.config.nitpicky is True
    assert site.warning.getvalue().strip() == ""
    assert site.statuscode == 0
    assert (Path(site.outdir) / "index.html").is_file()


def test_repository_stays_clean(site: SphinxTestApp) -> None:
    for path in (site.outdir, site.doctreedir):
        assert not Path(path).resolve().is_relative_to(REPO)


# -- every seed talk ---------------------------------------------------------------


def test_every_seed_talk_has_exactly_one_page_in_its_folder(
    talk_pages: dict[str, BeautifulSoup],
) -> None:
    facts = load_facts()
    assert len(facts) == 14
    by_title: dict[str, list[str]] = {}
    for name, soup in talk_pages.items():
        by_title.setdefault(norm(page_title(soup)), []).append(name)
    for talk in facts:
        title = talk["note_title"]
        found = by_title.get(norm(title), [])
        assert len(found) == 1, f"{title!r} is on {found}"
        folder = found[0].split("/")[0]
        if from_2012(talk):
            assert folder == "pycon2012", title
        else:
            assert folder == talk["day_of_week"].lower(), title
    # Nothing else carries a talk header: one page per talk, no strays.
    assert len(talk_pages) == len(facts)


@pytest.mark.parametrize("index", range(14))
def test_talk_page_carries_its_facts(index: int, talk_pages: dict[str, BeautifulSoup]) -> None:
    talk = load_facts()[index]
    [soup] = [soup for soup in talk_pages.values()
              if norm(page_title(soup)) == norm(talk["note_title"])]
    header = main(soup).select_one(".conference-talk-meta")
    assert header is not None

    presenters = field(header, "Presenter")
    assert presenters is not None, talk["note_title"]
    for name in talk["speakers"]:
        assert name in presenters.get_text(" "), (talk["note_title"], name)
    if talk.get("affiliation"):
        # "Instagram (Infrastructure Engineer)": the organisation is what counts.
        organisation = talk["affiliation"].split("(")[0].strip()
        assert organisation in presenters.get_text(" "), (talk["note_title"], organisation)

    if talk.get("track_in_notes"):
        track = field(header, "Track")
        assert track is not None, talk["note_title"]
        assert track.get_text(" ").strip() == talk["track_in_notes"]

    links = {a["href"] for a in header.select("a[href]")}
    for key in ("presentation_url", "video_url"):
        if talk.get(key):
            assert talk[key] in links, (talk["note_title"], key)

    if talk.get("description"):
        block = main(soup).select_one(".conference-talk-description") or main(soup)
        description = words(block.get_text(" "))
        opening = words(talk["description"])[:60]
        assert opening in description, talk["note_title"]

    if talk.get("start"):
        when = field(header, "When")
        assert when is not None
        assert talk["start"] in when.get_text(), talk["note_title"]
        assert "PDT" in when.get_text(), talk["note_title"]
    # The notes themselves follow the header: the page holds more than the header.
    notes = [section for section in main(soup).select("section section")]
    paragraphs = main(soup).select("p")
    assert notes or len(paragraphs) > 3, talk["note_title"]


# -- Friday: table, sidebar and Next follow one order ---------------------------------


def schedule_rows(soup: BeautifulSoup) -> list[tuple[str, str, str]]:
    """(time, title, href) of each row of the page's schedule table."""
    rows = []
    for row in main(soup).select("table tbody tr"):
        cells = row.find_all("td")
        link = cells[1].find("a")
        assert link is not None
        rows.append((cells[0].get_text(" ").strip(), link.get_text(" ").strip(), link["href"]))
    return rows


def test_friday_lists_the_timed_talks_in_time_order_then_the_untimed(
    pages: dict[str, BeautifulSoup],
) -> None:
    rows = schedule_rows(pages["friday/index.html"])
    timed = rows[: len(FRIDAY_TIMED)]
    assert [(time[:5], norm(title)) for time, title, _ in timed] == [
        (time, norm(title)) for time, title in FRIDAY_TIMED
    ]
    untimed = rows[len(FRIDAY_TIMED):]
    friday_facts = [t for t in load_facts() if t["day_of_week"] == "Friday"
                    and not from_2012(t)]
    assert {norm(title) for _, title, _ in untimed} == {
        norm(t["note_title"]) for t in friday_facts if not t.get("start")
    }
    assert all(not re.search(r"\d", time) for time, _, _ in untimed)
    # Untimed talks follow in file name order (the documented rule).
    files = [urldefrag(href).url for _, _, href in untimed]
    assert files == sorted(files)


def sidebar_children(soup: BeautifulSoup) -> list[str]:
    """Pages listed under the current entry of the rtd sidebar."""
    menu = soup.select_one(".wy-menu-vertical")
    assert menu is not None
    current = menu.select_one("li.toctree-l1.current")
    assert current is not None
    return [a["href"] for a in current.select(":scope > ul > li.toctree-l2 > a")]


def next_href(soup: BeautifulSoup) -> str | None:
    button = soup.select_one(".rst-footer-buttons a[rel=next]")
    head = soup.select_one("head link[rel=next]")
    if button is None and head is None:
        return None
    hrefs = {tag["href"] for tag in (button, head) if tag is not None}
    assert len(hrefs) == 1, hrefs
    return hrefs.pop()


def test_friday_sidebar_and_next_links_follow_the_schedule(
    pages: dict[str, BeautifulSoup],
) -> None:
    table = [urldefrag(href).url for _, _, href in schedule_rows(pages["friday/index.html"])]
    assert len(table) == 7
    assert sidebar_children(pages["friday/index.html"]) == table
    # Every Friday talk page shows the same sidebar order.
    for name in table:
        menu = pages[f"friday/{name}"].select_one(".wy-menu-vertical li.toctree-l1.current")
        assert menu is not None
        listed = [urldefrag(a["href"]).url or name for a in menu.select("li.toctree-l2 > a")]
        assert listed == table
    # Next goes through the talks in the same order, then on to Saturday.
    chain, current = [], "friday/index.html"
    for _ in range(len(table) + 1):
        href = next_href(pages[current])
        assert href is not None
        current = page_of(href, current)
        chain.append(current)
    assert chain == [f"friday/{name}" for name in table] + ["saturday/index.html"]


def expected_reading_order(pages: dict[str, BeautifulSoup]) -> list[str]:
    """index, then each day and its talks (table order), off-conference talks, indices."""
    order = ["index.html"]
    for day in DAYS:
        order.append(f"{day}/index.html")
        rows = schedule_rows(pages[f"{day}/index.html"])
        order.extend(dict.fromkeys(page_of(href, f"{day}/index.html") for _, _, href in rows))
    order.extend(["pycon2012/index.html", "pycon2012/keynote-paul-graham.html"])
    order.extend(["presenters.html", "tracks.html"])
    return order


def test_next_walks_every_page_once_from_the_root(pages: dict[str, BeautifulSoup]) -> None:
    visited, current = ["index.html"], "index.html"
    while (href := next_href(pages[current])) is not None:
        current = page_of(href, current)
        assert current not in visited, f"{current} visited twice: {visited}"
        visited.append(current)
        assert len(visited) <= len(pages)
    assert visited == expected_reading_order(pages)
    assert set(pages) - set(visited) == {"genindex.html", "search.html"}


def test_prev_links_mirror_next_links(pages: dict[str, BeautifulSoup]) -> None:
    order = expected_reading_order(pages)
    for before, after in itertools.pairwise(order):
        link = pages[after].select_one(".rst-footer-buttons a[rel=prev]")
        assert link is not None, after
        assert page_of(link["href"], after) == before


def test_sidebar_lists_days_in_date_order_then_the_indices(
    pages: dict[str, BeautifulSoup],
) -> None:
    menu = pages["index.html"].select_one(".wy-menu-vertical")
    assert menu is not None
    top = [page_of(a["href"], "index.html") for a in menu.select("li.toctree-l1 > a")]
    assert top == [f"{day}/index.html" for day in DAYS] + [
        "pycon2012/index.html", "presenters.html", "tracks.html"
    ]


# -- special pages -------------------------------------------------------------------


def test_sunday_says_it_has_no_talks(pages: dict[str, BeautifulSoup]) -> None:
    body = main(pages["sunday/index.html"])
    assert body.select("table") == []
    assert re.search(r"\bno talks\b", body.get_text(" "), re.IGNORECASE)
    assert "Sunday" in page_title(pages["sunday/index.html"])
    menu = pages["sunday/index.html"].select_one(".wy-menu-vertical li.toctree-l1.current")
    assert menu is not None
    assert menu.select("li.toctree-l2") == []


def test_root_page_shows_name_dates_and_location(
    site: SphinxTestApp, pages: dict[str, BeautifulSoup]
) -> None:
    text = " ".join(main(pages["index.html"]).get_text(" ").split())
    assert site.config.conference_name in text
    assert "March 14–17, 2013" in text
    assert "Santa Clara, CA" in text
    assert "2012" not in text.split("Santa Clara, CA")[0]  # the seed's "14th - 17th 2012" typo


def test_root_overview_lists_days_in_date_order_with_their_talks(
    pages: dict[str, BeautifulSoup],
) -> None:
    body = main(pages["index.html"])
    day_links = [page_of(a["href"], "index.html") for a in body.select("p.rubric a[href]")]
    assert day_links == [f"{day}/index.html" for day in DAYS]
    linked = {page_of(a["href"], "index.html") for a in body.select("li a[href]")}
    for day in DAYS:
        for _, _, href in schedule_rows(pages[f"{day}/index.html"]):
            assert page_of(href, f"{day}/index.html") in linked


def test_paul_graham_keynote_is_pycon_2012_and_on_no_2013_day(
    pages: dict[str, BeautifulSoup],
) -> None:
    name = "pycon2012/keynote-paul-graham.html"
    soup = pages[name]
    text = main(soup).get_text(" ")
    assert re.search(r"PyCon (US )?2012", text)
    when = field(main(soup).select_one(".conference-talk-meta"), "When")
    assert when is not None
    assert "2012" in when.get_text()
    assert "2013" not in when.get_text()
    for day in DAYS:
        day_page = f"{day}/index.html"
        targets = {page_of(a["href"], day_page) for a in main(pages[day_page]).select("a[href]")}
        assert name not in targets, day
        assert name not in {page_of(href, day_page) for href in sidebar_children(pages[day_page])}
    # The overview lists it under a heading of its own, after the 2013 days.
    overview = main(pages["index.html"])
    link = next(a for a in overview.select("a[href]") if page_of(a["href"], "index.html") == name)
    heading = link.find_previous("p", class_="rubric")
    assert heading is not None
    assert heading.find("a") is None  # not one of the linked day headings
    assert "2013" not in heading.get_text()


# -- sources: no hand-kept list of talks ---------------------------------------------


def source_files() -> list[Path]:
    return sorted(
        path for path in REPO.rglob("*.rst")
        if not NOT_SOURCES.intersection(path.relative_to(REPO).parts)
        and not path.relative_to(REPO).parts[0].startswith(".venv-sphinx")  # make test-matrix
    )


def toctree_entries(path: Path) -> Iterator[str]:
    """Every entry of every ``.. toctree::`` in one source file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"^(\s*)\.\.\s+toctree::", line)
        if not match:
            continue
        indent = len(match.group(1))
        for body in lines[number + 1:]:
            if body.strip() and len(body) - len(body.lstrip()) <= indent:
                break
            entry = body.strip()
            if entry and not entry.startswith(":"):
                target = re.search(r"<([^>]+)>$", entry)
                yield target.group(1) if target else entry


def test_no_toctree_in_any_source_names_a_talk_page(
    site: SphinxTestApp, talk_pages: dict[str, BeautifulSoup]
) -> None:
    talk_docs = {name.removesuffix(".html") for name in talk_pages}
    assert len(talk_docs) == 14
    sources = source_files()
    assert REPO / "friday" / "index.rst" in sources
    for path in sources:
        folder = PurePosixPath(path.relative_to(REPO).parent.as_posix())
        for entry in toctree_entries(path):
            if entry.startswith("/"):
                docname = entry.lstrip("/")
            else:
                docname = str(PurePosixPath(folder, entry)).removeprefix("./")
            docname = docname.removesuffix(".rst")
            named = {doc for doc in talk_docs if fnmatch(doc, docname)}
            assert not named, f"{path.relative_to(REPO)} lists talk pages {named}"
    # And no source names the talk files in any other list either.
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if ".. talk::" in text:
            continue
        mentioned = [doc for doc in talk_docs if re.search(
            rf"(^|\s){re.escape(doc.split('/')[-1])}\s*$", text, re.MULTILINE)]
        assert not mentioned, f"{path.relative_to(REPO)} lists {mentioned}"


# -- every link on the site lands somewhere -----------------------------------------


EXPORTS = (".ics", ".json", ".xml")


def internal_links(pages: dict[str, BeautifulSoup]) -> Iterator[tuple[str, str, str]]:
    """(page, href, target file) of every relative link in the pages' content."""
    for name, soup in pages.items():
        for link in main(soup).select("a[href]"):
            href = link["href"]
            if not re.match(r"^[a-z][a-z0-9+.-]*:", href):
                yield name, href, page_of(href, name)


def test_every_link_between_pages_lands_on_a_page_and_anchor(
    pages: dict[str, BeautifulSoup],
) -> None:
    ids = {name: {tag["id"] for tag in soup.select("[id]")} for name, soup in pages.items()}
    checked, broken = 0, []
    for name, href, target in internal_links(pages):
        if target.endswith(EXPORTS):
            continue
        checked += 1
        fragment = unquote(urldefrag(href).fragment)
        if target not in pages or (fragment and fragment not in ids[target]):
            broken.append((name, href))
    assert broken == []
    assert checked > 100  # schedules, overview, indices and headers all link


def test_every_link_to_an_exported_file_lands_on_a_file(
    site: SphinxTestApp, pages: dict[str, BeautifulSoup]
) -> None:
    outdir = Path(site.outdir)
    exports = [(name, href, target) for name, href, target in internal_links(pages)
               if target.endswith(EXPORTS)]
    assert exports
    assert [(name, href) for name, href, target in exports
            if not (outdir / target).is_file()] == []
