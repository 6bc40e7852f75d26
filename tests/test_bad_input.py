"""Bad input (issue 6): clear warnings, nothing lost, nothing injected.

``tests/roots/test-hostile`` is a conference full of mistakes and hostile
text; ``tests/roots/test-badconfig`` is a small valid one whose
``conference_days`` / ``conference_timezone`` the tests break. The tests
assert on what a build prints and writes:

* every problem is exactly one warning, at the file and line of the
  directive (or of the offending link), typed ``conference.<subtype>``, and
  ``suppress_warnings`` silences it, wholly or per subtype;
* every talk is still in its day's schedule table, toctree and sidebar;
* no markup or script link from the input reaches any page, in the HTML, the
  text and the LaTeX output, or the schedule exports.

Expected line numbers are looked up in the sources (the line holding the
directive or the link), never hard-coded.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree

import pytest
import sphinx
from bs4 import BeautifulSoup
from icalendar import Calendar
from inprocess import build_once

ROOTS = Path(__file__).resolve().parent / "roots"
HOSTILE = ROOTS / "test-hostile"
DAYS = ("friday", "saturday")  # conference_days of the hostile root

#: What the hostile input tries to inject, as it is written in the sources.
HOSTILE_PRESENTER = "<script>alert(1)</script>"
HOSTILE_TRACK = "<b>x</b>"
HOSTILE_ROOM = "<marquee>Room</marquee>"
HOSTILE_DESCRIPTION = "<img src=x onerror=alert(1)>"
HOSTILE_TITLE = "<script>alert(document.domain)</script> Hostile Text"
#: Payloads of the raw blocks and raw roles in a description: they must not
#: come out at all, not even as text.
RAW_PAYLOADS = ('alert("raw")', "alert(3)", "alert(4)")

SCRIPT_URL = re.compile(r"^[\x00-\x20]*(javascript|vbscript|livescript|data):", re.IGNORECASE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WARNING_LINE = re.compile(
    r"^(?:(?P<location>\S.*?):(?:(?P<line>\d+):)? )?(?P<level>WARNING|ERROR|CRITICAL): "
    r"(?P<message>.*)$"
)
#: Sphinx appends `` [type.subtype]`` to the (last line of the) message when
#: ``show_warning_types`` is on, which is the default since Sphinx 8.
#: Sphinx's warning of type ``toc.not_included``, which Sphinx 8.1 logs untyped.
UNTYPED_TOC_WARNING = "document isn't included in any toctree"
TYPE_SUFFIX = re.compile(r"^(?P<message>.*?)(?: \[(?P<type>[\w.-]+)\])?$", re.DOTALL)


# -- reading the warnings --------------------------------------------------------


class Warned(NamedTuple):
    """One warning as printed: where, of what type, and what it says."""

    file: str  # relative to the source directory, "" when not located
    line: int | None
    type: str
    message: str


def warnings_of(app) -> list[Warned]:
    """Parse ``app._warning`` into located, typed warnings (one per record)."""
    srcdir = Path(app.srcdir).resolve()
    records: list[tuple[re.Match[str], list[str]]] = []
    for text in ANSI.sub("", app._warning.getvalue()).splitlines():
        match = WARNING_LINE.match(text)
        if match is not None:
            records.append((match, [match["message"]]))
        else:  # a message that spans lines
            assert records, f"unparsable warning output: {text!r}"
            records[-1][1].append(text)
    found: list[Warned] = []
    for match, message in records:
        typed = TYPE_SUFFIX.match("\n".join(message))
        location = match["location"] or ""
        if location and Path(location).is_absolute():
            location = Path(location).resolve().relative_to(srcdir).as_posix()
        kind = typed["type"] or ""
        if not kind and typed["message"] == UNTYPED_TOC_WARNING and sphinx.version_info < (8, 2):
            kind = "toc.not_included"  # Sphinx 8.1 logs it without its type
        found.append(Warned(location, int(match["line"]) if match["line"] else None,
                            kind, typed["message"]))
    return found


def line_of(file: str, marker: str, nth: int = 1, root: Path = HOSTILE) -> int:
    """The 1-based number of the ``nth`` line of ``file`` that holds ``marker``.

    A directive marker (``.. talk::``) must be the whole line; any other
    marker is looked for inside lines. With ``nth=1`` the marker must be on
    exactly one line.
    """
    lines = [number for number, text in
             enumerate((root / file).read_text(encoding="utf-8").splitlines(), start=1)
             if (text.strip() == marker if marker.startswith("..") else marker in text)]
    assert len(lines) >= nth, f"{marker!r} is not on {nth} lines of {file}: {lines}"
    assert nth > 1 or len(lines) == 1, f"{marker!r} is ambiguous in {file}: {lines}"
    return lines[nth - 1]


class Expected(NamedTuple):
    """A warning the hostile root must produce."""

    file: str
    marker: str  # text on the line the warning must point at
    subtype: str
    needles: tuple[str, ...]  # what the message must mention
    nth: int = 1  # which of the lines holding the marker

    def matches(self, warned: Warned) -> bool:
        return (
            warned.file == self.file
            and warned.line == line_of(self.file, self.marker, self.nth)
            and warned.type == f"conference.{self.subtype}"
            and all(needle in warned.message for needle in self.needles)
        )


EXPECTED: tuple[Expected, ...] = (
    # a missing, an empty or an unparseable :presenter:
    Expected("friday/missing-presenter.rst", ".. talk::", "presenter", ("presenter",)),
    Expected("friday/lightning.rst", ".. talk:: Unclosed Parenthesis", "presenter",
             ("Ada (Lovelace",)),
    Expected("friday/lightning.rst", ".. talk:: Only Commas", "presenter", ("presenter",)),
    Expected("friday/lightning.rst", ".. talk:: Empty Presenter", "presenter", ("presenter",)),
    Expected("friday/hostile.rst", ".. talk::", "presenter", (HOSTILE_PRESENTER,)),
    # impossible times, malformed dates, an unknown kind
    Expected("friday/lightning.rst", ".. talk:: Hour Twenty-Five", "time", ("25:99",)),
    Expected("friday/lightning.rst", ".. talk:: Backwards Clock", "time", ("11:00-10:00",)),
    Expected("friday/lightning.rst", ".. talk:: February Thirtieth", "date", ("2013-02-30",)),
    Expected("friday/lightning.rst", ".. talk:: European Date", "date", ("15/03/2013",)),
    Expected("friday/lightning.rst", ".. talk:: Unknown Kind", "kind", ("workshopp",)),
    # a talk outside every day folder without a :date:
    Expected("misc/stray.rst", ".. talk::", "no-day", ()),
    # two talks with one explicit id (:name:) on one page; one title on two
    # pages is no mistake (each talk gets a day id, see test_hostile_names)
    Expected("saturday/named.rst", ".. talk:: Second Named", "duplicate", ("shared-name",)),
    # overlaps: in one room, and in one track when there are no rooms
    Expected("friday/room-overlap-b.rst", ".. talk::", "overlap",
             ("Room Overlap A", "Room Overlap B")),
    Expected("saturday/track-overlap-b.rst", ".. talk::", "overlap",
             ("Track Overlap A", "Track Overlap B")),
    # :url:, :video:, :slides: that are not http(s)
    Expected("friday/links.rst", ".. talk::", "url", ("javascript:alert(1)",)),
    Expected("friday/links.rst", ".. talk::", "url", ("data:text/html",)),
    Expected("friday/links.rst", ".. talk::", "url", ("ftp://files.example.org",)),
    Expected("friday/links.rst", ".. talk:: Relative Links", "url", ("../notes/slides.html",)),
    Expected("friday/links.rst", ".. talk:: Relative Links", "url", ("//evil.example.org",)),
    Expected("friday/links.rst", ".. talk:: Relative Links", "url", ("JaVaScRiPt:",)),
    # raw markup in a description (a block and a role: one warning per talk)
    Expected("friday/hostile.rst", ".. talk::", "raw", ("raw",)),
    # script links that reStructuredText itself makes, in a description and in notes
    Expected("friday/hostile.rst", 'It links <a href="javascript:', "url", ("javascript:",)),
    Expected("friday/hostile.rst", "`disguised link <JavaScript:", "url", ("JavaScript:",)),
    Expected("friday/hostile.rst", "A `named link`_.", "url", ("data:",)),
    Expected("friday/hostile.rst", "`a link <javascript:alert(8)>`_", "url", ("javascript:",)),
    # a schedule directive twice on one page, one with an unknown day
    Expected("friday/index.rst", ".. schedule::", "schedule", ("schedule",), nth=2),
    Expected("saturday/index.rst", ".. schedule:: caturday", "schedule", ("caturday",)),
    # the same for the presenters and tracks indices
    Expected("presenters.rst", ".. presenters::", "index", ("presenters",), nth=2),
    Expected("tracks.rst", ".. tracks::", "index", ("tracks",), nth=2),
)


def assert_warnings(actual: list[Warned], expected: tuple[Expected, ...]) -> None:
    """Each expected warning printed exactly once, and nothing else printed."""
    unmatched = list(actual)
    missing = []
    for want in expected:
        hit = next((warned for warned in unmatched if want.matches(warned)), None)
        if hit is None:
            missing.append(want)
        else:
            unmatched.remove(hit)
    assert not missing and not unmatched, (
        "missing:\n" + "\n".join(map(repr, missing))
        + "\nunexpected:\n" + "\n".join(map(repr, unmatched))
    )


# -- building -------------------------------------------------------------------


def hostile(**kwargs):
    """``pytest.mark.sphinx`` for a fresh, private copy of the hostile root."""
    name = kwargs.pop("name")
    return pytest.mark.sphinx(kwargs.pop("buildername", "html"), testroot="hostile",
                              srcdir=f"hostile-{name}", freshenv=True, **kwargs)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The hostile root built once to HTML, shared by the tests that only read it."""
    srcdir = tmp_path_factory.mktemp("hostile") / "src"
    shutil.copytree(HOSTILE, srcdir)
    return build_once(srcdir=srcdir, freshenv=True, status=StringIO(), warning=StringIO())


def pages(app) -> list[Path]:
    outdir = Path(app.outdir)
    return sorted(path for path in outdir.rglob("*.html") if "_static" not in path.parts)


def talks_in_sources(root: Path = HOSTILE) -> list[tuple[str, str]]:
    """``(docname, title)`` of every ``talk`` directive in the root's sources."""
    talks = []
    for path in sorted(root.rglob("*.rst")):
        lines = path.read_text(encoding="utf-8").splitlines()
        docname = path.relative_to(root).with_suffix("").as_posix()
        for text in lines:
            if text.startswith(".. talk::"):
                argument = text.removeprefix(".. talk::").strip()
                talks.append((docname, argument or lines[0].strip()))
    return talks


# -- warnings -------------------------------------------------------------------


def test_every_problem_is_one_located_typed_warning(built) -> None:
    app = built
    actual = warnings_of(app)
    assert_warnings(actual, EXPECTED)
    # The day, overview and index pages are read twice on a clean build; the
    # warnings about them must not be printed twice.
    assert not [warned for warned, count in Counter(actual).items() if count > 1]


@pytest.mark.parametrize(
    "suppressed",
    [
        ["conference"],
        ["conference.url", "conference.presenter", "conference.duplicate",
         "conference.schedule"],
    ],
    ids=["all", "some-subtypes"],
)
def test_suppress_warnings_silences_conference_warnings(make_app, sphinx_test_tempdir,
                                                        suppressed: list[str]) -> None:
    srcdir = Path(sphinx_test_tempdir) / f"hostile-suppress-{len(suppressed)}"
    shutil.copytree(HOSTILE, srcdir, dirs_exist_ok=True)
    app = make_app("html", srcdir=srcdir, freshenv=True,
                   confoverrides={"suppress_warnings": suppressed})
    app.build()
    left = tuple(want for want in EXPECTED
                 if "conference" not in suppressed
                 and f"conference.{want.subtype}" not in suppressed)
    assert_warnings(warnings_of(app), left)
    if suppressed == ["conference"]:
        assert ANSI.sub("", app._warning.getvalue()).strip() == ""
    else:
        assert left, "some warnings must be left for this case to test anything"


@hostile(name="strict", warningiserror=True)
def test_the_build_goes_on_with_warnings_as_errors(app) -> None:
    app.build()  # does not raise: every page is still written
    assert app.statuscode == 1
    written = {path.relative_to(app.outdir).with_suffix("").as_posix() for path in pages(app)}
    assert {docname for docname, _title in talks_in_sources()} <= written
    assert_warnings(warnings_of(app), EXPECTED)


# -- nothing lost ---------------------------------------------------------------


def entries(soup: BeautifulSoup, selector: str) -> list[tuple[str, str]]:
    """``(page, text)`` of the links under ``selector`` (anchor stripped)."""
    return [(link["href"].split("#")[0], link.get_text(" ", strip=True))
            for link in soup.select(selector) if link.get("href")]


def test_every_talk_is_still_in_its_day(built, html) -> None:
    app = built
    talks = talks_in_sources()
    assert len(talks) >= 20
    for day in DAYS:
        page = html(app, f"{day}/index.html")
        table = page.select_one("table.conference-schedule")
        assert table is not None, f"{day} has no schedule table"
        # A day in several rooms is a grid; what does not fit it is listed below it.
        rows = entries(table, "tbody a") + entries(page, "ul.conference-talk-list a")
        sidebar = {href for href, _text in entries(page, "div.wy-menu a")}
        for docname, title in talks:
            if not docname.startswith(f"{day}/") or docname == f"{day}/index":
                continue
            href = docname.removeprefix(f"{day}/") + ".html"
            assert (href, title) in rows, f"{title!r} missing from {day}'s table"
            assert docname in app.env.toctree_includes[f"{day}/index"]
            assert href in sidebar, f"{docname} missing from {day}'s sidebar"
    # A duplicate id is still a second entry, linking to its own anchor.
    saturday = html(app, "saturday/index.html")
    named = [link["href"] for link in saturday.select("table.conference-schedule tbody a")
             if link["href"].startswith("named.html")]
    assert len(named) == 2
    assert len(set(named)) == 2
    # Talks on no conference day are in the overview, and in its toctree.
    overview = entries(html(app, "index.html"), "div[itemprop=articleBody] a")
    for docname, title in talks:
        if docname.split("/")[0] not in DAYS:
            assert (f"{docname}.html", title) in overview
            assert docname in app.env.toctree_includes["index"]


def test_a_talk_keeps_what_could_be_understood(built, html) -> None:
    app = built
    page = html(app, "friday/lightning.html")
    text = page.select_one("div[itemprop=articleBody]").get_text(" ", strip=True)
    assert "Ada (Lovelace" in text  # the unparseable presenter, as typed
    assert text.count("Grace Hopper") == 2  # the talks with impossible times
    table = html(app, "friday/index.html").select_one("table.conference-schedule")
    row = next(row for row in table.select("tbody tr") if "Hostile Text" in row.get_text())
    assert HOSTILE_PRESENTER in row.get_text()
    assert HOSTILE_ROOM in row.get_text()


# -- nothing injected -----------------------------------------------------------


def assert_no_injection(path: Path) -> None:
    """No script, event handler, or script URL from the input on this page."""
    markup = path.read_text(encoding="utf-8")
    soup = BeautifulSoup(markup, "html.parser")
    for payload in RAW_PAYLOADS:
        assert payload not in markup, f"{payload!r} in {path}"
    assert HOSTILE_DESCRIPTION not in markup
    assert HOSTILE_PRESENTER not in markup
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), f"<{element.name} {name}> in {path}"
            values = value if isinstance(value, list) else [value]
            for item in values:
                cleaned = re.sub(r"[\t\n\r]", "", item)
                assert not SCRIPT_URL.match(cleaned), f"{name}={item!r} in {path}"
    for script in soup.find_all("script"):
        assert "alert" not in script.get_text(), path
    body = soup.select_one("div[itemprop=articleBody]")
    if body is not None:
        assert not body.find_all(["script", "img", "marquee", "b", "i", "iframe", "object"]), path


def test_nothing_hostile_reaches_the_html(built, html) -> None:
    app = built
    written = pages(app)
    assert len(written) > len(talks_in_sources()) // 2
    for path in written:
        assert_no_injection(path)
    # The hostile values are shown, as text.
    talk = html(app, "friday/hostile.html").select_one("div[itemprop=articleBody]")
    text = talk.get_text()
    for value in (HOSTILE_PRESENTER, HOSTILE_TRACK, HOSTILE_ROOM, HOSTILE_DESCRIPTION,
                  HOSTILE_TITLE, "javascript:alert(2"):
        assert value in text
    assert HOSTILE_TRACK in html(app, "tracks.html").get_text()
    assert HOSTILE_PRESENTER in html(app, "presenters.html").get_text()
    # An option link that is not http(s) is not emitted at all.
    source = (HOSTILE / "friday/links.rst").read_text(encoding="utf-8")
    refused = re.findall(r"^   :(?:url|video|slides): (.+)$", source, re.MULTILINE)
    assert len(refused) == 6
    hrefs = {link["href"] for link in html(app, "friday/links.html").select("a[href]")}
    assert not hrefs & set(refused)


@pytest.mark.parametrize(("buildername", "suffix"), [("text", ".txt"), ("latex", ".tex")])
def test_nothing_hostile_reaches_other_builders(make_app, sphinx_test_tempdir,
                                                buildername: str, suffix: str) -> None:
    srcdir = Path(sphinx_test_tempdir) / f"hostile-{buildername}"
    shutil.copytree(HOSTILE, srcdir, dirs_exist_ok=True)
    app = make_app(buildername, srcdir=srcdir, freshenv=True)
    app.build()
    assert_warnings(warnings_of(app), EXPECTED)
    output = "\n".join(path.read_text(encoding="utf-8")
                       for path in Path(app.outdir).rglob(f"*{suffix}"))
    for payload in RAW_PAYLOADS:
        assert payload not in output
    if buildername == "text":
        # Plain text has no markup: the values are there as typed.
        for value in (HOSTILE_PRESENTER, HOSTILE_TRACK, HOSTILE_DESCRIPTION):
            assert value in output
    else:
        assert "<script>" not in output
        assert r"\textless{}script\textgreater{}alert(1)" in output
        assert r"\textless{}b\textgreater{}x\textless{}/b\textgreater{}" in output


def test_exports_carry_hostile_text_only_as_text(built) -> None:
    outdir = Path(built.outdir)
    files = {path.relative_to(outdir).as_posix(): path.read_bytes()
             for path in (*outdir.glob("schedule.*"), *outdir.glob("calendar/*.ics"))}
    assert {"schedule.ics", "schedule.json", "schedule.xml", "calendar/friday.ics",
            "calendar/saturday.ics"} <= set(files)
    for name, data in files.items():
        for payload in RAW_PAYLOADS:
            assert payload.encode() not in data, name

    calendar = Calendar.from_ical(files["schedule.ics"])
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    event = events[HOSTILE_TITLE]
    assert HOSTILE_DESCRIPTION in str(event.get("DESCRIPTION", ""))
    for event in events.values():
        assert not SCRIPT_URL.match(str(event.get("URL", "")))

    schedule = json.loads(files["schedule.json"])
    strings = list(_strings(schedule))
    for value in (HOSTILE_TITLE, HOSTILE_PRESENTER, HOSTILE_TRACK):
        assert value in strings
    assert not [text for text in strings if SCRIPT_URL.match(text)]

    root = ElementTree.fromstring(files["schedule.xml"])
    tags = {element.tag for element in root.iter()}
    assert not tags & {"script", "img", "b", "i", "marquee"}
    texts = [element.text or "" for element in root.iter()]
    for value in (HOSTILE_TITLE, HOSTILE_PRESENTER, HOSTILE_TRACK):
        assert value in texts
    assert not [text for text in texts if SCRIPT_URL.match(text)]


def _strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# -- warnings from pages that are read twice ------------------------------------


def test_pages_read_twice_warn_once(make_app, sphinx_test_tempdir) -> None:
    """Ordinary problems on schedule pages, and a talk on one, warn once."""
    srcdir = Path(sphinx_test_tempdir) / "hostile-twice"
    shutil.copytree(HOSTILE, srcdir, dirs_exist_ok=True)
    for page in ("index.rst", "friday/index.rst", "presenters.rst", "tracks.rst"):
        with (srcdir / page).open("a", encoding="utf-8") as source:
            source.write("\nSee :nosuchrole:`x`.\n")
    with (srcdir / "index.rst").open("a", encoding="utf-8") as source:
        source.write("\n.. talk:: Talk On The Overview Page\n   :presenter: Ix (\n")
    app = make_app("html", srcdir=srcdir, freshenv=True)
    app.build()
    actual = warnings_of(app)
    assert not [warned for warned, count in Counter(actual).items() if count > 1]
    role = Counter(warned.file for warned in actual if "nosuchrole" in warned.message)
    assert role == Counter({"index.rst": 1, "friday/index.rst": 1, "presenters.rst": 1,
                            "tracks.rst": 1})
    on_index = [warned.type for warned in actual if warned.file == "index.rst"
                and warned.type.startswith("conference.")]
    assert sorted(on_index) == ["conference.no-day", "conference.presenter"]
    # ... and the overview lists the talk that comes after it on its own page.
    overview = BeautifulSoup((Path(app.outdir) / "index.html").read_text(encoding="utf-8"),
                             "html.parser").select_one("div[itemprop=articleBody]")
    assert any(link.get_text() == "Talk On The Overview Page" and link["href"].startswith("#")
               for link in overview.select("ul.conference-talk-list a"))


# -- the configuration ----------------------------------------------------------


def build_badconfig(make_app, sphinx_test_tempdir, name: str, **overrides):
    srcdir = Path(sphinx_test_tempdir) / f"badconfig-{name}"
    shutil.copytree(ROOTS / "test-badconfig", srcdir, dirs_exist_ok=True)
    app = make_app("html", srcdir=srcdir, freshenv=True, confoverrides=overrides)
    app.build()
    return app


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("mars", "Mars/Olympus_Mons", "'Mars/Olympus_Mons'"),
        ("folder", "America", "'America'"),
        ("number", 5, "5"),
    ],
)
def test_invalid_timezone_is_reported_once_and_the_schedule_stays(
    make_app, sphinx_test_tempdir, name: str, value: object, shown: str
) -> None:
    app = build_badconfig(make_app, sphinx_test_tempdir, f"tz-{name}",
                          conference_timezone=value)
    actual = warnings_of(app)
    assert len(actual) == 1, actual
    (warned,) = actual
    assert warned.type == "conference.config"
    assert "conference_timezone" in warned.message
    assert shown in warned.message
    friday = BeautifulSoup((Path(app.outdir) / "friday/index.html").read_text(encoding="utf-8"),
                           "html.parser")
    listed = [link["href"] for link in friday.select("table.conference-schedule tbody a")]
    assert [href.split("#")[0] for href in listed] == ["early-talk.html", "late-talk.html"]


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("date", {"friday": "2013-02-30"}, "2013-02-30"),
        ("folder", {"fri/day": "2013-03-15"}, "fri/day"),
        ("twice", {"friday": "2013-03-15", "saturday": "2013-03-15"}, "2013-03-15"),
    ],
)
def test_invalid_days_are_reported_once(
    make_app, sphinx_test_tempdir, name: str, value: object, shown: str
) -> None:
    app = build_badconfig(make_app, sphinx_test_tempdir, f"days-{name}",
                          conference_days=value)
    actual = warnings_of(app)
    conference = [warned for warned in actual if warned.type.startswith("conference")]
    assert len(conference) == 1, actual
    assert actual[0] == conference[0], "reported at start-up, before any page"
    assert conference[0].type == "conference.config"
    assert "conference_days" in conference[0].message
    assert shown in conference[0].message
    # Without days there is no schedule; Sphinx itself notes the pages that
    # no toctree lists any more, and nothing else.
    assert {warned.type for warned in actual} <= {"conference.config", "toc.not_included"}


def test_invalid_days_lose_no_talk(make_app, sphinx_test_tempdir) -> None:
    app = build_badconfig(make_app, sphinx_test_tempdir, "days-lost",
                          conference_days={"friday": "2013-02-30"})
    assert [warned.type for warned in warnings_of(app)] == ["conference.config"]
    # Every talk is on the overview and in its toctree, and the day page too.
    overview = BeautifulSoup((Path(app.outdir) / "index.html").read_text(encoding="utf-8"),
                             "html.parser")
    listed = {link["href"].split("#")[0]
              for link in overview.select("ul.conference-talk-list a")}
    assert listed == {"friday/early-talk.html", "friday/late-talk.html"}
    assert set(app.env.toctree_includes["index"]) == {
        "friday/index", "friday/early-talk", "friday/late-talk"}
    assert not (Path(app.outdir) / "schedule.ics").exists()


def test_wrongly_typed_days_are_reported_by_us_alone(make_app, sphinx_test_tempdir) -> None:
    app = build_badconfig(make_app, sphinx_test_tempdir, "days-list",
                          conference_days=["friday"])
    actual = warnings_of(app)
    config = [warned for warned in actual if "['friday']" in warned.message]
    assert len(config) == 1, actual
    assert config[0].type == "conference.config"
    # Sphinx's own (untyped) type check does not report it a second time.
    assert all(warned.type for warned in actual), actual


def test_valid_config_gives_no_warning(make_app, sphinx_test_tempdir) -> None:
    app = build_badconfig(make_app, sphinx_test_tempdir, "valid")
    assert warnings_of(app) == []


def test_unfit_acronym_is_reported_and_replaced(make_app, sphinx_test_tempdir) -> None:
    import json

    import jsonschema

    app = build_badconfig(make_app, sphinx_test_tempdir, "acronym",
                          conference_acronym="PyCon-US 2013!")
    actual = warnings_of(app)
    assert [warned.type for warned in actual] == ["conference.config"], actual
    assert "'PyCon-US 2013!'" in actual[0].message
    schema = json.loads((Path(__file__).parent / "schemas" / "frab-schedule.schema.json")
                        .read_text(encoding="utf-8"))
    document = json.loads((Path(app.outdir) / "schedule.json").read_text(encoding="utf-8"))
    jsonschema.Draft6Validator(schema).validate(document)
    assert document["schedule"]["conference"]["acronym"] == "pycon_us_2013"


def test_one_bad_day_costs_only_that_day(make_app, sphinx_test_tempdir) -> None:
    srcdir = Path(sphinx_test_tempdir) / "badconfig-one-bad-day"
    shutil.copytree(ROOTS / "test-badconfig", srcdir, dirs_exist_ok=True)
    (srcdir / "saturday").mkdir(exist_ok=True)
    (srcdir / "saturday" / "index.rst").write_text("Saturday\n========\n\n.. schedule::\n")
    (srcdir / "saturday" / "engines.rst").write_text(
        "Engines\n=======\n\n.. talk::\n   :presenter: Ada Lovelace\n   :time: 10:00-10:30\n\n"
        "   About engines.\n"
    )
    app = make_app("html", srcdir=srcdir, freshenv=True, confoverrides={
        "conference_days": {"friday": "2013-03-15", "saturday": "2013-02-30"}})
    app.build()
    actual = warnings_of(app)
    # The bad date once, at start-up; the talk it strands, at its line; nothing else
    # (in particular no page outside every toctree).
    assert sorted(warned.type for warned in actual) == ["conference.config",
                                                        "conference.no-day"], actual
    overview = BeautifulSoup((Path(app.outdir) / "index.html").read_text(encoding="utf-8"),
                             "html.parser")
    links = {a["href"] for a in overview.select("a[href]")}
    assert "saturday/engines.html#engines" in links
    friday = BeautifulSoup((Path(app.outdir) / "friday" / "index.html").read_text(
        encoding="utf-8"), "html.parser")
    assert friday.find("table") is not None, "the valid day keeps its schedule"
