"""What a reader and a writer see: the room grid, a talk's context, the notes' boundary.

The pure parts (the grid's layout, a talk's context) are checked on ``Talk``
objects without Sphinx; the rest builds ``roots/test-grid`` (a day in three
rooms and a day in one) and reads the output back with BeautifulSoup. The
writer's side: template placeholders warn, the template names every kind,
``make livehtml`` never turns warnings into errors, and a rebuild without
changes reports no configuration change.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import string
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup, Tag
from docutils import nodes
from sitebuild import REPO, copy_site, describe, run_sphinx
from sphinx.testing.util import SphinxTestApp
from test_builders import pdf_text, require_tex
from test_incremental import assert_same_output, build, clean_build_of, touch_now

from conference import render
from conference.context import Context, Timeline
from conference.model import KINDS, Presenter, Talk, parse_time
from conference.placeholders import DESCRIPTION, NOTES_TEXT, NOTES_TITLE, PRESENTER

ROOT = Path(__file__).resolve().parent / "roots" / "test-grid"
BERLIN = ZoneInfo("Europe/Berlin")


def talk(name: str, time: str | None, room: str = "", day: str = "day1", **extra) -> Talk:
    return Talk(id=name, title=name.title(), docname=f"{day}/{name}", lineno=4, anchor=name,
                day=day, date=dt.date(2024, 6, 1), time=parse_time(time) if time else None,
                room=room, presenters=(Presenter("Some One"),), **extra)


# -- the grid, without Sphinx ----------------------------------------------------------


def grid_cells(table: nodes.table) -> list[list[tuple[str, int, int]]]:
    """Per body row: (text, morerows, morecols) of each entry, the time first."""
    return [
        [(entry.astext().split("\n")[0], entry.get("morerows", 0), entry.get("morecols", 0))
         for entry in row.children]
        for row in table.findall(nodes.row) if isinstance(row.parent, nodes.tbody)
    ]


def test_grid_spans_rows_and_rooms_and_lists_what_does_not_fit() -> None:
    talks = [
        talk("plenary", "09:00-10:00"),
        talk("a1", "10:00-10:30", "A"),
        talk("b1", "10:00-11:00", "B"),
        talk("clash", "10:15-10:45", "B"),  # B is taken: listed under the grid
        talk("a2", "10:30-11:00", "A"),
        talk("a3", "13:00", "A"),
        talk("later", None, "B"),
        talk("gone", "13:00-14:00", "B", cancelled=True),  # frees its slot
    ]
    table, rubric, listing = render.room_grid(talks, "Saturday")
    assert table.next_node(nodes.title).astext() == "Saturday"
    head = [entry.astext() for entry in table.next_node(nodes.thead).findall(nodes.entry)]
    assert head == ["Time", "A", "B"]
    assert grid_cells(table) == [
        [("09:00–10:00", 0, 0), ("Plenary", 0, 1)],
        [("10:00–10:15", 0, 0), ("A1", 1, 0), ("B1", 3, 0)],
        [("10:15–10:30", 0, 0)],
        [("10:30–10:45", 0, 0), ("A2", 1, 0)],
        [("10:45–11:00", 0, 0)],
        # lunch (11:00-13:00) runs nothing: no row; a start alone is one row
        [("13:00", 0, 0), ("A3", 0, 0), ("", 0, 0)],
    ]
    assert isinstance(rubric, nodes.rubric)
    assert [item.astext().split(" — ")[0] for item in listing.findall(nodes.list_item)] == [
        "10:15–10:45 Clash", "Later", "13:00–14:00 Gone (cancelled)"]


def test_grid_orders_rooms_by_name_every_day() -> None:
    talks = [talk("x", "10:00-10:30", "Room 10"), talk("y", "10:00-10:30", "Room 2"),
             talk("z", "11:00-11:30", "atrium")]
    assert render.rooms_of(talks) == ["atrium", "Room 2", "Room 10"]
    assert render.rooms_of(talks[::-1]) == render.rooms_of(talks)


def test_a_day_in_one_room_keeps_its_table() -> None:
    (table,) = render.day_schedule([talk("a1", "10:00-10:30", "A"), talk("a2", None, "A")],
                                   "Saturday")
    assert render.GRID_CLASS not in table["classes"]
    assert [entry.astext() for entry in table.next_node(nodes.thead).findall(nodes.entry)] == [
        "Time", "Talk", "Presenters", "Track", "Room"]


def test_grid_as_list_keeps_every_session_with_its_room() -> None:
    table, *_rest = render.room_grid(
        [talk("a1", "10:00-10:30", "A"), talk("b1", "10:00-11:00", "B", track="Web"),
         talk("a2", "10:30-11:00", "A")], "Saturday")
    listing = render.grid_as_list(table)
    items = {item.next_node(nodes.term).astext():
             [entry.astext().replace("\n\n", " | ") for entry in item.findall(nodes.list_item)]
             for item in listing.findall(nodes.definition_list_item)}
    assert items == {
        "10:00–10:30": ["A1 | Some One | 10:00–10:30 | A", "B1 | Some One | 10:00–11:00 | Web | B"],
        "10:30–11:00": ["A2 | Some One | 10:30–11:00 | A"],
    }


# -- a talk's context, without Sphinx ---------------------------------------------------


def context_of(talk: Talk, talks: list[Talk], tz: dt.tzinfo) -> Context:
    return Timeline(talks, tz).context(talk)


def test_context_names_overlapping_talks_and_the_next_one_in_the_room() -> None:
    a1, b1, a2 = talk("a1", "10:00-10:30", "A"), talk("b1", "10:00-11:00", "B"), talk(
        "a2", "10:30-11:00", "A")
    a3, c1 = talk("a3", "11:00", "A"), talk("c1", "11:00-11:30", "C")
    a4, untimed = talk("a4", "13:00-13:30", "A"), talk("u1", None, "A")
    other_day = talk("a5", "09:00-09:30", "A", day="day2")
    talks = [a1, b1, a2, a3, c1, a4, untimed, other_day]
    context = context_of(a1, talks, BERLIN)
    assert context.same_time == (b1,)
    assert context.next_in_room is a2
    assert context_of(b1, talks, BERLIN).same_time == (a1, a2)
    assert context_of(b1, talks, BERLIN).next_in_room is None
    # A start alone is an instant: it meets what starts with it, not what ends then.
    assert context_of(a3, talks, BERLIN).same_time == (c1,)
    assert context_of(a3, talks, BERLIN).next_in_room is a4
    # The last talk of the day has nothing next (not the next day's first).
    assert context_of(a4, talks, BERLIN).next_in_room is None
    assert context_of(untimed, talks, BERLIN).same_time == ()
    # A cancelled talk runs at no time: nobody meets it, it meets nobody.
    gone = talk("gone", "10:00-10:30", "C", cancelled=True)
    assert context_of(a1, [*talks, gone], BERLIN).same_time == (b1,)
    assert context_of(gone, [*talks, gone], BERLIN) == context_of(untimed, talks, BERLIN)


def brute_force_context(own: Talk, talks: list[Talk], tz: dt.tzinfo) -> Context:
    """The definition, pair by pair: what the timeline must agree with."""

    def interval(talk: Talk) -> tuple[dt.datetime, dt.datetime] | None:
        start = talk.start_datetime(tz)
        if start is None or talk.cancelled:
            return None
        return start.astimezone(dt.UTC), (talk.end_datetime(tz) or start).astimezone(dt.UTC)

    mine = interval(own)
    if mine is None:
        return Context((), None)
    start, end = mine
    same, following = [], []
    for other in talks:
        theirs = interval(other)
        if other is own or theirs is None:
            continue
        if theirs[0] == start or (theirs[0] < end and start < theirs[1]):
            same.append(other)
        elif (own.location and other.location == own.location and other.day == own.day
              and theirs[0] >= end and theirs[0] > start):
            following.append((theirs[0], other.docname, other.lineno, other))
    following.sort(key=lambda item: item[:3])
    return Context(tuple(same), following[0][3] if following else None)


@pytest.mark.parametrize("seed", range(20))
def test_timeline_agrees_with_the_pairwise_definition(seed: int) -> None:
    rng = random.Random(seed)
    talks = []
    for index in range(60):
        begin = rng.randrange(8 * 60, 20 * 60, 5)
        length = rng.choice([None, 0, 15, 30, 45, 90, 300])
        if length is None:
            slot = None if rng.random() < 0.2 else f"{begin // 60:02d}:{begin % 60:02d}"
        else:
            finish = (begin + max(length, 5)) % (24 * 60)
            slot = f"{begin // 60:02d}:{begin % 60:02d}-{finish // 60:02d}:{finish % 60:02d}"
        talks.append(talk(f"t{index}", slot, rng.choice(["A", "B", ""]),
                          day=rng.choice(["day1", "day2"]), track=rng.choice(["I", "II"]),
                          cancelled=rng.random() < 0.1))
    line = Timeline(talks, BERLIN)
    for own in talks:
        assert line.context(own) == brute_force_context(own, talks, BERLIN), own.docname


def test_context_falls_back_on_the_track_without_a_room() -> None:
    first = talk("t1", "10:00-10:30", track="II")
    second = talk("t2", "10:40-11:00", track="II")
    elsewhere = talk("t3", "10:40-11:00", track="III")
    assert context_of(first, [first, second, elsewhere], BERLIN).next_in_room is second


# -- the built site -------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, make_app_module) -> Path:
    srcdir = tmp_path_factory.mktemp("grid") / "src"
    shutil.copytree(ROOT, srcdir)
    app = make_app_module("html", srcdir=srcdir, builddir=srcdir.parent / "build")
    try:
        app.build()
        assert app.statuscode == 0
        assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    finally:
        app.cleanup()
    return Path(app.outdir)


@pytest.fixture(scope="module")
def make_app_module(tmp_path_factory: pytest.TempPathFactory):
    """``make_app`` for a module-scoped build (``sphinx.testing``'s is per test)."""
    apps: list[SphinxTestApp] = []

    def make(*args, **kwargs) -> SphinxTestApp:
        app = SphinxTestApp(*args, **kwargs)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.cleanup()


def page(outdir: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / name).read_text(encoding="utf-8"), "html.parser")


def fields(soup: BeautifulSoup) -> dict[str, Tag]:
    meta = soup.find("dl", class_="conference-talk-meta")
    return {dt_.get_text().rstrip(":").strip(): dt_.find_next_sibling("dd")
            for dt_ in meta.find_all("dt", recursive=False)}


def caption(table: Tag) -> str:
    """A table's caption text, without the permalink icon."""
    return table.caption.find("span", class_="caption-text").get_text()


def test_multi_room_day_is_a_grid_with_one_column_per_room(site: Path) -> None:
    soup = page(site, "day1/index.html")
    (grid,) = soup.find_all("table")
    assert "conference-grid" in grid["class"]
    assert caption(grid) == "Saturday, June 1, 2024"
    heads = grid.thead.find_all("th")
    assert [th.get_text(strip=True) for th in heads] == ["Time", "Hall A", "Hall B", "Hall C"]
    assert {th["scope"] for th in heads} == {"col"}
    rows = grid.tbody.find_all("tr")
    assert [row.th.get_text(strip=True) for row in rows] == [
        "09:00–10:00", "10:00–10:30", "10:30–11:00", "11:00–11:30", "13:00–13:30"]
    assert {row.th["scope"] for row in rows} == {"row"}

    def cell(title: str) -> Tag:
        link = grid.find("a", string=title) or grid.find("span", string=title).parent
        return link.find_parent("td")

    assert cell("Opening Keynote")["colspan"] == "3"
    assert cell("Beta Long")["rowspan"] == "2"
    assert cell("Beta Long").find_parent("tr") is rows[1]
    assert cell("Gamma One").find_parent("tr") is rows[3]
    assert rows[3].find_all("td").index(cell("Gamma One")) == 2  # Hall C
    # The untimed session is listed under the grid, linked.
    under = grid.find_next("ul")
    assert [a["href"] for a in under.find_all("a")] == ["u1-untimed-session.html#untimed-session"]


def test_single_room_day_keeps_its_table(site: Path) -> None:
    (table,) = page(site, "day2/index.html").find_all("table")
    assert "conference-grid" not in table["class"]
    assert caption(table) == "Sunday, June 2, 2024"
    assert [th.get_text(strip=True) for th in table.thead.find_all("th")] == [
        "Time", "Talk", "Presenters", "Track", "Room"]
    assert {th["scope"] for th in table.thead.find_all("th")} == {"col"}


@pytest.mark.parametrize(("doc", "same_time", "following"), [
    ("day1/a1-alpha-one", ["Beta Long"], "Alpha Two"),
    ("day1/b1-beta-long", ["Alpha One", "Alpha Two"], None),
    ("day1/a3-alpha-three", ["Gamma One"], "Alpha Four"),
    ("day1/a4-alpha-four", [], None),
    ("day2/d1-delta-one", [], "Delta Two"),
])
def test_talk_page_says_what_runs_at_the_same_time_and_next(
    site: Path, doc: str, same_time: list[str], following: str | None
) -> None:
    found = fields(page(site, f"{doc}.html"))
    if same_time:
        names = [a.get_text() for a in found["At the same time"].find_all("a")]
        assert names == same_time
        for link in found["At the same time"].find_all("a"):
            assert (site / doc).parent.joinpath(link["href"].split("#")[0]).is_file()
    else:
        assert "At the same time" not in found
    if following:
        assert [a.get_text() for a in found["Next in this room"].find_all("a")] == [following]
    else:
        assert "Next in this room" not in found


def test_notes_rubric_separates_abstract_from_notes(site: Path) -> None:
    soup = page(site, "day1/a1-alpha-one.html")
    talk_block = soup.find("div", class_="conference-talk")
    rubric = talk_block.find_next_sibling()
    assert rubric.name == "p" and "rubric" in rubric["class"]
    assert rubric.get_text() == "Notes"
    assert rubric.find_next_sibling("p").get_text() == "Notes on Alpha One."


def test_presenters_page_shows_affiliations_in_parentheses(site: Path) -> None:
    terms = [dt_.get_text() for dt_ in page(site, "presenters.html").find_all("dt")]
    assert "Ann Alpha (Acme)" in terms
    assert not any(" : " in term for term in terms)


def test_time_ranges_never_break_inside(site: Path) -> None:
    soup = page(site, "day1/a1-alpha-one.html")
    (when,) = fields(soup)["When"].find_all("span", class_="conference-time")
    assert when.get_text() == "10:00–10:30 CEST"
    css = (site / "_static" / "conference.css").read_text(encoding="utf-8")
    assert re.search(r"\.conference-time\s*\{[^}]*white-space:\s*nowrap", css)


# -- incremental builds --------------------------------------------------------------


@pytest.mark.parametrize(("source", "old", "new", "other", "before", "after"), [
    # Gamma One moves to 11:05: Alpha Three (11:00, unchanged) no longer runs with it.
    ("c1-gamma-one", ":time: 11:00-11:30", ":time: 11:05-11:30", "a3-alpha-three",
     "Gamma One (Hall C)", None),
    # Alpha One moves to Hall C: Beta Long's page names it in its new room.
    ("a1-alpha-one", ":room: Hall A", ":room: Hall C", "b1-beta-long",
     "Alpha One (Hall A)", "Alpha One (Hall C)"),
])
def test_incremental_build_updates_another_pages_context(
    make_app, tmp_path: Path, source: str, old: str, new: str, other: str,
    before: str, after: str | None,
) -> None:
    """An edit that changes no toctree and no title, only another page's context.

    Sphinx itself would not write the other page again: only the context
    check does, and the result equals a clean build, byte for byte.
    """
    srcdir = tmp_path / "src"
    shutil.copytree(ROOT, srcdir)
    outdir = tmp_path / "build" / "html"
    build(make_app, srcdir, tmp_path / "build")

    def same_time() -> str | None:
        found = fields(page(outdir, f"day1/{other}.html")).get("At the same time")
        return None if found is None else " ".join(found.get_text(" ").split())

    assert before in (same_time() or "")
    path = srcdir / "day1" / f"{source}.rst"
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    touch_now(path)
    build(make_app, srcdir, tmp_path / "build")
    assert before not in (same_time() or "")
    if after is not None:
        assert after in (same_time() or "")
    assert_same_output(outdir, clean_build_of(make_app, srcdir, tmp_path, "clean"))


# -- the writer's side -------------------------------------------------------------------


TEMPLATES = REPO / "_ext" / "conference" / "templates"
TEMPLATE = TEMPLATES / "talk.rst.tmpl"


@pytest.mark.parametrize("name", ["talk.rst.tmpl", "talk.md.tmpl"])
def test_template_lists_every_kind(name: str) -> None:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    start = re.search(r"\n\W*:kind: ", text).end()
    described = re.sub(r"\n%", "\n", text[start:text.index(":track:", start)])
    listed = {item.strip() for item in re.split(r",|\bor\b", " ".join(described.split()))}
    assert set(KINDS) <= listed, set(KINDS) - listed


@pytest.mark.parametrize("name", ["talk.rst.tmpl", "talk.md.tmpl"])
def test_placeholders_are_the_templates(name: str) -> None:
    text = " ".join((TEMPLATES / name).read_text(encoding="utf-8").split())
    for placeholder in (PRESENTER, DESCRIPTION, NOTES_TITLE, NOTES_TEXT):
        assert placeholder in text


def test_unedited_template_warns_at_each_placeholder(make_app, tmp_path: Path) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(ROOT, srcdir)
    title = "A New Talk"
    page_text = string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=title, underline="=" * len(title), day="day2", date="2024-06-02", slug="a-new-talk")
    (srcdir / "day2" / "e1-a-new-talk.rst").write_text(page_text, encoding="utf-8")
    app = make_app("html", srcdir=srcdir, builddir=tmp_path / "build")
    app.build()
    output = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
    warnings = [line for line in output.splitlines() if "WARNING" in line]
    found = []
    for warning in warnings:
        match = re.match(r"(.*?):(\d+): WARNING: (.*) \[conference\.placeholder\]$", warning)
        assert match, warning
        assert match[1].endswith("e1-a-new-talk.rst"), warning
        found.append(int(match[2]))
    lines = page_text.splitlines()
    directive = lines.index(".. talk::") + 1
    title = lines.index(NOTES_TITLE) + 1
    notes = next(number for number, line in enumerate(lines, 1) if line.startswith(NOTES_TEXT))
    # The presenter and the description at the directive, then the sample notes.
    assert sorted(found) == [directive, directive, title, notes], warnings
    # The page is still built and scheduled.
    assert "A New Talk" in (Path(app.outdir) / "day2" / "index.html").read_text("utf-8")


def test_placeholder_warnings_can_be_suppressed(make_app, tmp_path: Path) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(ROOT, srcdir)
    (srcdir / "day2" / "e1-new.rst").write_text(
        f"New\n===\n\n.. talk::\n   :presenter: {PRESENTER}\n\n   {DESCRIPTION}\n",
        encoding="utf-8")
    app = make_app("html", srcdir=srcdir, builddir=tmp_path / "build",
                   confoverrides={"suppress_warnings": ["conference.placeholder"]})
    app.build()
    assert "WARNING" not in app.warning.getvalue()


def test_livehtml_shows_warnings_but_never_fails_on_them() -> None:
    dry = subprocess.run(["make", "-n", "-s", "livehtml"], cwd=REPO, capture_output=True,
                         text=True, check=True, timeout=60).stdout
    command = next(line for line in dry.splitlines() if "sphinx-autobuild" in line)
    command += dry.split(command, 1)[1].split("\n\n")[0]
    assert " -W" not in command
    assert "--keep-going" in command and " -n " in command


@pytest.mark.slow
def test_rebuild_without_change_reports_no_configuration_change(tmp_path: Path) -> None:
    srcdir = copy_site(tmp_path / "src")
    args = ["-b", "html", "-d", str(tmp_path / "doctrees"), str(srcdir), str(tmp_path / "html")]
    first = run_sphinx(args, cwd=srcdir)
    assert first.returncode == 0, describe(first)
    second = run_sphinx(args, cwd=srcdir)
    assert second.returncode == 0, describe(second)
    assert "configuration has changed" not in second.stdout, describe(second)
    assert "0 added, 0 changed, 0 removed" in second.stdout, describe(second)


@pytest.mark.slow
def test_grid_prints_without_overfull_lines(tmp_path: Path) -> None:
    """The grid in a PDF: every room a column, no line too wide for its cell."""
    require_tex()
    srcdir = tmp_path / "src"
    shutil.copytree(ROOT, srcdir)
    (srcdir / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(REPO / '_ext')!r})\n"
        + (ROOT / "conf.py").read_text(encoding="utf-8"), encoding="utf-8")
    result = run_sphinx(["-M", "latexpdf", str(srcdir), str(tmp_path / "build"), "-W", "-n"],
                        cwd=srcdir)
    assert result.returncode == 0, describe(result)
    latex = tmp_path / "build" / "latex"
    (pdf,) = latex.glob("*.pdf")
    log = pdf.with_suffix(".log").read_text(encoding="latin-1")
    assert re.findall(r"^Overfull \\hbox.*$", log, re.M) == []
    text = " ".join(pdf_text(pdf).split())
    for expected in ("Hall A Hall B Hall C", "Beta Long", "Gamma One", "Untimed Session"):
        assert expected in text
