"""Day schedules, the overview and the talk header, on a small conference.

``tests/roots/test-schedule`` has three days given out of date order
(``second``, ``first``, ``third``), in the Europe/Berlin time zone (CEST in May):

- ``first``: two timed talks whose file names sort against their times, and two
  untimed ones whose file names sort against their titles;
- ``second``: a keynote with an explicit ``:name:`` and a page of three
  lightning talks (``.. talk:: Title``), the last one untimed;
- ``third``: no talks at all;
- ``elsewhere/old-talk``: a talk from another conference (``:date: 2019-06-01``).

The HTML build is shared by the tests of this module; every other builder gets
one fresh build of the same root.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from bs4 import BeautifulSoup, Tag
from inprocess import build_once, page_of, squash
from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).resolve().parent / "roots" / "test-schedule"

#: The first day in schedule order: by start time, then untimed by file name.
FIRST_DAY = [
    ("09:00–09:45", "The Early Talk", "c-early-talk", "the-early-talk",
     "Grace Hopper (US Navy), Alan Turing", "Main"),
    ("14:00–14:45", "The Late Talk", "b-late-talk", "the-late-talk",
     "Ada Lovelace (Analytical Engines)", "Main"),
    ("", "Zeta Untimed Talk", "a-zeta-untimed", "zeta-untimed-talk", "Zed Zimmer", "Side"),
    ("", "Alpha Untimed Talk", "d-alpha-untimed", "alpha-untimed-talk", "Alice Able", "Side"),
]
SECOND_DAY = [
    ("09:30–10:30", "Opening Keynote: Why Conferences?", "keynote", "opening-keynote"),
    ("17:00–17:05", "A Tiny Parser", "lightning", "a-tiny-parser"),
    ("17:05–17:10", "Fast Tests", "lightning", "fast-tests"),
    ("", "Late Addition", "lightning", "late-addition"),
]
FIRST_TITLES = [row[1] for row in FIRST_DAY]
SECOND_TITLES = [row[1] for row in SECOND_DAY]


# -- helpers ---------------------------------------------------------------------


def main(soup: BeautifulSoup) -> Tag:
    body = soup.select_one("[role=main]") or soup.body
    assert body is not None
    return body


def field(header: Tag, label: str) -> str | None:
    for term in header.find_all("dt"):
        if squash(term.get_text(" ")).casefold().startswith(label.casefold()):
            dd = term.find_next_sibling("dd")
            assert dd is not None
            return squash(dd.get_text(" "))
    return None


def table(soup: BeautifulSoup) -> tuple[list[str], list[list[Tag]]]:
    """Headings and rows (as cells) of the page's one schedule table."""
    [grid] = main(soup).select("table")
    headings = [squash(th.get_text(" ")) for th in grid.select("thead th")]
    rows = [row.find_all("td") for row in grid.select("tbody tr")]
    return headings, rows


def assert_in_order(text: str, items: list[str]) -> None:
    """Each item occurs in ``text``, and each first occurrence follows the previous one."""
    position = -1
    for item in items:
        found = text.find(item, position + 1)
        assert found > position, f"{item!r} missing or out of order"
        position = found


# -- the HTML build --------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    """The HTML build, with warnings as errors and -n."""
    return build_once(srcdir=ROOT, builddir=tmp_path_factory.mktemp("schedule"), freshenv=True,
                      warningiserror=True, confoverrides={"nitpicky": True})


def test_builds_without_warnings(site: SphinxTestApp) -> None:
    assert site.warning.getvalue().strip() == ""
    assert site.statuscode == 0


def test_day_table_has_time_title_presenters_track(page) -> None:
    headings, rows = table(page("first/index.html"))
    # A day where some talk has a room gets a Room column after the track.
    assert headings == ["Time", "Talk", "Presenters", "Track", "Room"]
    assert len(rows) == len(FIRST_DAY)
    for cells, (time, title, doc, anchor, presenters, track) in zip(rows, FIRST_DAY, strict=True):
        assert squash(cells[0].get_text(" ")) == (time or "—")
        link = cells[1].find("a")
        assert link is not None
        assert squash(link.get_text(" ")) == title
        assert link["href"] == f"{doc}.html#{anchor}"
        assert squash(cells[2].get_text(" ")) == presenters
        assert squash(cells[3].get_text(" ")) == track


def test_every_table_link_lands_on_its_talk(page) -> None:
    for day in ("first", "second"):
        _, rows = table(page(f"{day}/index.html"))
        for cells in rows:
            href = cells[1].find("a")["href"]
            target = page(page_of(href, f"{day}/index.html"))
            fragment = urldefrag(href).fragment
            anchor = target.find(id=fragment)
            assert anchor is not None, href
            # The anchor holds the talk: its header is inside (or right after) it.
            header = anchor if "conference-talk-meta" in anchor.get("class", []) else (
                anchor.select_one(".conference-talk-meta") or anchor.find_next(
                    class_="conference-talk-meta"))
            assert header is not None, href


def test_sidebar_and_next_follow_the_schedule_order(page) -> None:
    expected = [f"{doc}.html" for _, _, doc, *_ in FIRST_DAY]
    menu = page("first/index.html").select_one(".wy-menu-vertical li.current")
    assert menu is not None
    listed = [page_of(a["href"], "first/index.html") for a in menu.select(":scope > ul a[href]")]
    assert listed == [f"first/{name}" for name in expected]
    chain, current = [], "first/index.html"
    for _ in range(len(expected) + 1):
        link = page(current).select_one("link[rel=next]")
        assert link is not None, current
        current = page_of(link["href"], current)
        chain.append(current)
    assert chain == [f"first/{name}" for name in expected] + ["second/index.html"]


def test_untimed_talks_follow_in_file_name_order_not_title_order(page) -> None:
    _, rows = table(page("first/index.html"))
    untimed = [squash(cells[1].get_text(" ")) for cells in rows if squash(cells[0].get_text()) in
               {"", "—"}]
    assert untimed == ["Zeta Untimed Talk", "Alpha Untimed Talk"]


def test_lightning_talks_each_get_an_anchor_and_a_row(page) -> None:
    _, rows = table(page("second/index.html"))
    assert len(rows) == len(SECOND_DAY)
    lightning = page("second/lightning.html")
    for cells, (time, title, doc, anchor) in zip(rows, SECOND_DAY, strict=True):
        assert squash(cells[0].get_text(" ")) == (time or "—")
        link = cells[1].find("a")
        assert squash(link.get_text(" ")) == title
        assert link["href"] == f"{doc}.html#{anchor}"
        if doc == "lightning":
            target = lightning.find(id=anchor)
            assert target is not None
            assert title in target.get_text(" ")
    # The page is in the day's toctree once, however many talks it holds.
    menu = page("second/index.html").select_one(".wy-menu-vertical li.current")
    assert menu is not None
    listed = [page_of(a["href"], "second/index.html") for a in menu.select(":scope > ul a[href]")]
    assert listed == ["second/keynote.html", "second/lightning.html"]
    # Each lightning talk has its own header on the page.
    assert len(main(lightning).select(".conference-talk-meta")) == 3


def test_explicit_name_is_the_talk_id(page) -> None:
    keynote = page("second/keynote.html")
    assert keynote.find(id="opening-keynote") is not None
    _, rows = table(page("second/index.html"))
    assert rows[0][1].find("a")["href"] == "keynote.html#opening-keynote"


def test_empty_day_page_says_so(page) -> None:
    body = main(page("third/index.html"))
    assert body.select("table") == []
    assert re.search(r"no talks", body.get_text(" "), re.IGNORECASE)


def test_talk_header_shows_presenters_track_room_time_and_links(page) -> None:
    header = main(page("first/c-early-talk.html")).select_one(".conference-talk-meta")
    assert header is not None
    assert field(header, "Presenter") == "Grace Hopper (US Navy), Alan Turing"
    assert field(header, "Track") == "Main"
    assert field(header, "Room") == "Hall B"
    when = field(header, "When")
    assert when is not None
    assert "Friday, May 10, 2024" in when
    assert "09:00–09:45" in when
    assert when.endswith("CEST")
    hrefs = {a["href"] for a in header.select("a[href]")}
    assert "https://example.org/talks/early/" in hrefs

    late = main(page("first/b-late-talk.html")).select_one(".conference-talk-meta")
    hrefs = {a["href"] for a in late.select("a[href]")}
    assert {"https://example.org/talks/late/", "https://example.org/videos/late/",
            "https://example.org/slides/late/"} <= hrefs
    assert field(late, "Presenter") == "Ada Lovelace (Analytical Engines)"
    # The description follows the header, before the notes.
    text = squash(main(page("first/b-late-talk.html")).get_text(" "))
    assert_in_order(text, ["Ada Lovelace", "Engines that weave algebraic patterns.",
                           "Notes on the late talk."])


def test_untimed_talk_header_has_the_day_but_no_time(page) -> None:
    header = main(page("first/a-zeta-untimed.html")).select_one(".conference-talk-meta")
    when = field(header, "When")
    assert when == "Friday, May 10, 2024"


def test_overview_lists_days_in_date_order_and_other_talks_apart(page) -> None:
    body = main(page("index.html"))
    text = squash(body.get_text(" "))
    assert "Tiny Conf 2024" in text
    assert "May 10–12, 2024" in text
    assert "Berlin, Germany" in text
    rubrics = body.select("p.rubric")
    days = [(squash(r.get_text(" ")), r.find("a")) for r in rubrics]
    assert [title for title, _ in days[:3]] == [
        "Friday, May 10, 2024", "Saturday, May 11, 2024", "Sunday, May 12, 2024"]
    assert [page_of(link["href"], "index.html") for _, link in days[:3]] == [
        "first/index.html", "second/index.html", "third/index.html"]
    assert_in_order(text, ["Friday, May 10, 2024", *FIRST_TITLES, "Saturday, May 11, 2024",
                           *SECOND_TITLES, "Sunday, May 12, 2024"])
    # The talk from 2019 is under a heading of its own, which is no day link.
    link = next(a for a in body.select("a[href]")
                if page_of(a["href"], "index.html") == "elsewhere/old-talk.html")
    heading = link.find_previous("p", class_="rubric")
    assert heading.find("a") is None
    assert "2024" not in heading.get_text()
    assert "2019" in link.parent.get_text(" ")
    for day in ("first", "second"):
        _, rows = table(page(f"{day}/index.html"))
        assert "A Talk From Another Year" not in " ".join(
            squash(cells[1].get_text(" ")) for cells in rows)


def test_overview_toctree_orders_the_sidebar_by_date(page) -> None:
    menu = page("index.html").select_one(".wy-menu-vertical")
    assert menu is not None
    top = [page_of(a["href"], "index.html") for a in menu.select("li.toctree-l1 > a")]
    assert top == ["first/index.html", "second/index.html", "third/index.html",
                   "elsewhere/old-talk.html"]


def test_off_conference_talk_header_has_its_own_date(page) -> None:
    header = main(page("elsewhere/old-talk.html")).select_one(".conference-talk-meta")
    when = field(header, "When")
    assert when is not None
    assert "June 1, 2019" in when
    assert "CEST" not in when


# -- the other builders ---------------------------------------------------------------


def _check_early_talk(text: str) -> None:
    """The Early Talk's header in plain words: presenters, track, room, day and time."""
    flat = squash(text)
    assert "Grace Hopper (US Navy), Alan Turing" in flat
    assert_in_order(flat, ["The Early Talk", "Grace Hopper", "Main", "Hall B",
                           "Friday, May 10, 2024", "Compilers, before breakfast."])


@pytest.mark.sphinx("text", testroot="schedule", freshenv=True)
def test_text_builder(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue().strip() == ""
    outdir = Path(app.outdir)
    talk = (outdir / "first" / "c-early-talk.txt").read_text(encoding="utf-8")
    _check_early_talk(talk)
    assert re.search(r"Presenters?:\s+Grace Hopper \(US Navy\), Alan Turing", talk)
    assert re.search(r"Track:\s+Main", talk)
    assert re.search(r"09:00–09:45 CEST", talk)
    day = (outdir / "first" / "index.txt").read_text(encoding="utf-8")
    assert_in_order(day, ["Time", "Talk", "Presenters", *FIRST_TITLES])
    second = (outdir / "second" / "index.txt").read_text(encoding="utf-8")
    assert_in_order(second, ["Time", "Talk", "Presenters", "Track", *SECOND_TITLES])
    assert "09:00–09:45" in day
    assert "calendar" not in day.casefold()  # no links to files this builder does not write
    overview = (outdir / "index.txt").read_text(encoding="utf-8")
    assert_in_order(overview, ["Friday, May 10, 2024", *FIRST_TITLES, "Saturday, May 11, 2024",
                               *SECOND_TITLES, "Sunday, May 12, 2024", "A Talk From Another Year"])
    empty = (outdir / "third" / "index.txt").read_text(encoding="utf-8")
    assert re.search(r"no talks", empty, re.IGNORECASE)


@pytest.mark.sphinx("latex", testroot="schedule", freshenv=True)
def test_latex_builder(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue().strip() == ""
    [tex_file] = Path(app.outdir).glob("*.tex")
    tex = tex_file.read_text(encoding="utf-8")
    _check_early_talk(tex)
    assert re.search(r"09:00(–|\\textendash\{\})09:45 CEST", tex)
    # Talks follow the schedule order of the toctree, each a section.
    assert_in_order(tex, [rf"\section{{{title}}}" for title in FIRST_TITLES])
    assert_in_order(tex, [r"\chapter{First Day}", r"\section{The Early Talk}",
                          r"\chapter{Second Day}", r"\section{Lightning Talks}",
                          r"\chapter{Third Day}", r"\chapter{A Talk From Another Year}"])
    # The schedule table links every talk.
    assert r"\begin{tabulary}" in tex or r"\begin{tabular" in tex
    assert r"\hyperref[\detokenize{first/c-early-talk:the-early-talk}]" in tex
    assert r"\hyperref[\detokenize{second/lightning:a-tiny-parser}]" in tex
    assert "add to calendar" not in tex.casefold()


@pytest.mark.sphinx("man", testroot="schedule", freshenv=True)
def test_man_builder(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue().strip() == ""
    [man_file] = [p for p in Path(app.outdir).iterdir() if re.search(r"\.[1-9]$", p.name)]
    man = man_file.read_text(encoding="utf-8")
    _check_early_talk(man.replace("\\-", "-"))
    assert "09:00–09:45 CEST" in man
    assert_in_order(man, [".SH FIRST DAY", *[f".SS {title}" for title in FIRST_TITLES],
                          ".SH SECOND DAY", ".SH THIRD DAY"])
    assert re.search(r"no talks", man, re.IGNORECASE)


@pytest.mark.sphinx("texinfo", testroot="schedule", freshenv=True)
def test_texinfo_builder(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue().strip() == ""
    [texi_file] = Path(app.outdir).glob("*.texi")
    texi = texi_file.read_text(encoding="utf-8")
    _check_early_talk(texi)
    assert "09:00–09:45 CEST" in texi
    assert_in_order(texi, [f"@section {title}" for title in FIRST_TITLES])
    assert "@ref{" in texi  # the schedule's titles are cross-references


@pytest.mark.sphinx("singlehtml", testroot="schedule", freshenv=True)
def test_singlehtml_builder(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue().strip() == ""
    soup = BeautifulSoup((Path(app.outdir) / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    text = squash(main(soup).get_text(" "))
    _check_early_talk(text)
    assert "09:00–09:45 CEST" in text
    # Every talk's section, in schedule order, with its anchor on the one page.
    headings = [squash(h.get_text(" ")) for h in main(soup).select("h1, h2, h3")]
    positions = [next(i for i, h in enumerate(headings) if h.startswith(title))
                 for title in FIRST_TITLES]
    assert positions == sorted(positions)
    for anchor in ("the-early-talk", "a-tiny-parser", "fast-tests", "opening-keynote"):
        assert soup.find(id=anchor) is not None, anchor
    assert len(main(soup).select("table")) == 2  # the two days that have talks


@pytest.mark.sphinx("dirhtml", testroot="schedule", freshenv=True)
def test_dirhtml_builder(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue().strip() == ""
    outdir = Path(app.outdir)
    day = BeautifulSoup((outdir / "first" / "index.html").read_text(encoding="utf-8"),
                        "html.parser")
    _, rows = table(day)
    hrefs = [cells[1].find("a")["href"] for cells in rows]
    assert hrefs == [f"{doc}/#{anchor}" for _, _, doc, anchor, *_ in FIRST_DAY]
    for href in hrefs:
        target = outdir / "first" / urldefrag(href).url / "index.html"
        soup = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
        assert soup.find(id=urldefrag(href).fragment) is not None
    talk = BeautifulSoup((outdir / "first" / "c-early-talk" / "index.html").read_text(
        encoding="utf-8"), "html.parser")
    _check_early_talk(main(talk).get_text(" "))
    assert "09:00–09:45 CEST" in squash(main(talk).get_text(" "))


@pytest.mark.sphinx("epub", testroot="schedule", freshenv=True, warningiserror=True)
def test_epub_builder(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue().strip() == ""
    assert app.statuscode == 0
    outdir = Path(app.outdir)
    [book] = outdir.glob("*.epub")
    with zipfile.ZipFile(book) as archive:
        names = archive.namelist()
        assert "mimetype" in names
        talk_name = next(n for n in names if n.endswith("first/c-early-talk.xhtml"))
        talk = archive.read(talk_name).decode("utf-8")
        day = archive.read(next(n for n in names if n.endswith("first/index.xhtml"))).decode()
        opf = archive.read(next(n for n in names if n.endswith(".opf"))).decode()
    text = squash(BeautifulSoup(talk, "html.parser").get_text(" "))
    _check_early_talk(text)
    assert "09:00–09:45 CEST" in text
    assert_in_order(squash(BeautifulSoup(day, "html.parser").get_text(" ")), FIRST_TITLES)
    # The reading order (spine) follows the schedule.
    package = BeautifulSoup(opf, "xml")
    files = {item["id"]: item["href"] for item in package.find_all("item")}
    spine = [files[ref["idref"]] for ref in package.find_all("itemref")]
    first = [name for name in spine if name.startswith("first/")]
    assert first == ["first/index.xhtml", *[f"first/{doc}.xhtml" for _, _, doc, *_ in FIRST_DAY]]
    assert "calendar" not in day.casefold()
