"""Typos, odd titles and clashing ids (issue 11): no crash, no lost talk, valid output.

``tests/roots/test-hostile-names`` holds each case; a page with every C0
control character is added by the tests (a source file should not carry
them). The tests assert on what the build prints and on the files it wrote:
the pages (bs4), the calendars (icalendar) and the frab files (their JSON
schema and XSD).
"""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar
from inprocess import build_once
from lxml import etree
from sphinx.testing.util import SphinxTestApp
from test_bad_input import Warned, warnings_of

from conference.directives import TalkDirective
from conference.exporters.paths import MAX_STEM

ROOT = Path(__file__).resolve().parent / "roots" / "test-hostile-names"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
#: Every C0 control character (and DEL) but the ones that end a line: tab, LF,
#: CR, and FS, GS, RS, which Python (so docutils) splits lines at. Those can
#: never be inside an option value; model.strip_controls is tested on all.
CONTROLS = "".join(chr(code) for code in range(32)
                   if chr(code) not in "\t\n\r\x1c\x1d\x1e") + "\x7f"
CONTROL_TITLE = f"Control{CONTROLS} Characters"
CONTROL_PAGE = (
    f"{CONTROL_TITLE}\n{'=' * (len(CONTROL_TITLE) + 4)}\n\n"
    ".. talk::\n"
    f"   :presenter: Ctrl{CONTROLS} Person\n"
    f"   :track: Track{CONTROLS}Name\n"
    "   :room: Controls\n"
    "   :time: 11:00-11:30\n\n"
    f"   A description{CONTROLS} with them too.\n"
)


def copy_root(dest: Path) -> Path:
    shutil.copytree(ROOT, dest)
    (dest / "friday" / "controls.rst").write_text(CONTROL_PAGE, encoding="utf-8")
    return dest


def build(srcdir: Path, parallel: int = 0, **overrides: object) -> SphinxTestApp:
    return build_once(srcdir=srcdir, status=StringIO(), warning=StringIO(),
                      confoverrides=overrides, parallel=parallel)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    return build(copy_root(tmp_path_factory.mktemp("names") / "src"))


def line(file: str, text: str, nth: int = 1) -> int:
    lines = [number for number, content in
             enumerate((ROOT / file).read_text(encoding="utf-8").splitlines(), start=1)
             if content.strip() == text]
    return lines[nth - 1]


def expected() -> list[Warned]:
    typos = "friday/typos.rst"
    return sorted([
        Warned(typos, line(typos, ":speaker: Ada Lovelace"), "conference.option",
               "unknown option :speaker: ignored (known options: "
               f"{', '.join(f':{name}:' for name in TalkDirective.option_spec)})"),
        Warned(typos, line(typos, ":presenter: Carol Twice"), "conference.option",
               "option :presenter: is given more than once; the first value 'Bob Twice' "
               "is used, 'Carol Twice' is ignored"),
        Warned(typos, line(typos, "time: 10:00-10:30"), "conference.option",
               "'time: 10:00-10:30' is not an option (options are written ':name: value'); "
               "ignored"),
        Warned(typos, line(typos, ":tiem: 10:30-11:00"), "conference.option",
               "unknown option :tiem: ignored (did you mean :time:?)"),
        Warned("friday/keynote.rst", line("friday/keynote.rst", ".. talk:: Keynote Again"),
               "conference.duplicate",
               "duplicate talk id 'keynote' (its :name:), already used by 'Keynote' in "
               "friday/keynote; this talk's id is 'friday-keynote'"),
        Warned("friday/labels.rst", line("friday/labels.rst", ".. talk::"),
               "conference.label",
               "talk id 'search' is already the label 'search' of search; this talk's id "
               "is 'friday-search'"),
        Warned("friday/labels.rst", line("friday/labels.rst", ".. talk:: Named Like A Label"),
               "conference.label",
               "talk id 'my-label' is already the label 'my-label' of index; this talk's id "
               "is 'friday-my-label'"),
        Warned("friday/index.rst", line("friday/index.rst", ".. schedule::"),
               "conference.schedule", "schedule directive takes no content; ignored"),
        Warned("saturday/index.rst", line("saturday/index.rst", ".. schedule:: saturday please"),
               "conference.schedule", "unknown day 'saturday please'; expected one of friday, "
               "saturday. Showing 'saturday' instead"),
        Warned("presenters.rst", line("presenters.rst", ".. presenters:: everyone"),
               "conference.index", "presenters directive takes no argument; 'everyone' "
               "ignored"),
    ])


def page(app: SphinxTestApp, name: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / name).read_text(encoding="utf-8"), "html.parser")


def talk_pages(app: SphinxTestApp) -> list[str]:
    srcdir = Path(app.srcdir)
    return sorted(path.relative_to(srcdir).with_suffix("").as_posix()
                  for path in srcdir.glob("*day/*.rst") if path.stem != "index")


def talk_count(app: SphinxTestApp) -> int:
    return sum(path.read_text(encoding="utf-8").count("\n.. talk::")
               for path in Path(app.srcdir).rglob("*.rst"))


def test_each_case_is_exactly_its_located_warning(built: SphinxTestApp) -> None:
    assert sorted(warnings_of(built)) == expected()


def test_no_talk_is_lost(built: SphinxTestApp) -> None:
    people = page(built, "presenters.html").select_one("div.body").get_text(" ", strip=True)
    assert "Twice, Bob" in people or "Bob Twice" in people
    for day in ("friday", "saturday"):
        rows = page(built, f"{day}/index.html").select("table.conference-schedule tbody tr")
        listed = {row.select_one("a")["href"].split("#")[0] for row in rows}
        pages = {f"{doc.split('/')[1]}.html" for doc in talk_pages(built)
                 if doc.startswith(day)}
        assert listed == pages
    # Friday has several rooms, so it is a grid: a timed talk is a cell, an
    # untimed one (its time lost to a typo) a list item under the grid.
    typos = [link.find_parent(["td", "li"]).get_text(" ", strip=True) for link in
             page(built, "friday/index.html").select("div.body a[href*='typos.html']")]
    assert len(typos) == 4
    assert any("Repeated Option" in entry and "Bob Twice" in entry and "Carol" not in entry
               for entry in typos)
    assert any("Unknown Option" in entry and "09:00" in entry for entry in typos)


def calendar_links(app: SphinxTestApp, name: str) -> list[str]:
    return [link["href"] for link in page(app, name).select("a[href$='.ics']")
            if "/calendar/" in f"/{link['href']}" and "calendar/friday.ics" not in link["href"]
            and "calendar/saturday.ics" not in link["href"]]


def test_shared_titles_get_distinct_documented_ids(built: SphinxTestApp) -> None:
    assert calendar_links(built, "friday/lunch.html") == ["../calendar/friday-lunch.ics"]
    assert calendar_links(built, "saturday/lunch.html") == ["../calendar/saturday-lunch.ics"]
    assert calendar_links(built, "saturday/lunch-again.html") == [
        "../calendar/saturday-lunch-2.ics"]
    assert calendar_links(built, "friday/keynote.html") == [
        "../calendar/keynote.ics", "../calendar/friday-keynote.ics"]
    assert calendar_links(built, "friday/labels.html") == [
        "../calendar/friday-search.ics", "../calendar/friday-my-label.ics"]
    outdir = Path(built.outdir)
    for link in (*calendar_links(built, "friday/lunch.html"),
                 *calendar_links(built, "saturday/lunch-again.html")):
        assert (outdir / "friday" / link).resolve().is_file()


def test_labels_are_never_taken_over(built: SphinxTestApp) -> None:
    labels = built.env.domains.standard_domain.labels
    assert labels["search"][0] == "search"
    assert labels["my-label"][:2] == ("index", "my-label")
    assert labels["friday-search"][0] == "friday/labels"
    assert labels["keynote"][0] == "friday/keynote"
    assert labels["friday-keynote"][0] == "friday/keynote"


def events(calendar_file: Path) -> list:
    return list(Calendar.from_ical(calendar_file.read_bytes()).walk("VEVENT"))


def test_every_talk_is_in_every_export(built: SphinxTestApp) -> None:
    outdir = Path(built.outdir)
    every = events(outdir / "schedule.ics")
    summaries = [str(event["SUMMARY"]) for event in every]
    assert len(every) == talk_count(built) == 16
    assert len({str(event["UID"]) for event in every}) == len(every)
    assert summaries.count("Lunch") == 3
    assert "A Title Split Over Three Lines" in summaries
    saturday = [str(event["SUMMARY"]) for event in events(outdir / "calendar/saturday.ics")]
    assert saturday.count("Lunch") == 2
    assert [str(event["SUMMARY"]) for event in events(outdir / "calendar/friday.ics")].count(
        "Lunch") == 1
    frab = json.loads((outdir / "schedule.json").read_text(encoding="utf-8"))
    schema = json.loads((SCHEMAS / "frab-schedule.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft6Validator(schema).validate(frab)
    titles = [event["title"] for day in frab["schedule"]["conference"]["days"]
              for room in day["rooms"].values() for event in room]
    assert titles.count("Lunch") == 3
    # frab cannot hold a talk without a time: the two whose :time: was mistyped.
    untimed = {"Missing Colon", "Misspelt Time"}
    assert sorted(titles) == sorted(title for title in summaries if title not in untimed)


def test_frab_xml_validates_with_capital_urls(built: SphinxTestApp) -> None:
    xml = etree.parse(str(Path(built.outdir) / "schedule.xml"))
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "frab-schedule.xml.xsd")))
    assert xsd.validate(xml), xsd.error_log
    urls = [element.text for element in xml.iter("url")]
    assert "https://example.org/Talk/Path" in urls
    links = page(built, "friday/case.html").select("a[href]")
    assert "http://video.example.org/Watch" in {link["href"] for link in links}


def test_titles_are_one_line_everywhere(built: SphinxTestApp) -> None:
    title = "A Title Split Over Three Lines"
    row = [row for row in page(built, "friday/index.html").select("tbody tr")
           if "multiline.html" in row.select_one("a")["href"]]
    assert row[0].select_one("a").get_text() == title
    labels = [value for value in built.env.domains.standard_domain.labels.values()
              if value[0] == "friday/multiline"]
    assert [value[2] for value in labels] == [title]
    (link,) = calendar_links(built, "friday/multiline.html")
    calendar = events((Path(built.outdir) / "friday" / link).resolve())
    assert str(calendar[0]["SUMMARY"]) == title
    assert page(built, "friday/multiline.html").select_one("title").get_text().startswith(
        title)


def test_control_characters_reach_no_output(built: SphinxTestApp) -> None:
    outdir = Path(built.outdir)
    written = [path for path in outdir.rglob("*")
               if path.is_file() and path.suffix in {".html", ".ics", ".json", ".xml", ".js"}]
    assert len(written) > 20
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert not set(text) & set(CONTROLS), path
    talk = page(built, "friday/controls.html").select_one("div.body")
    # docutils itself reads VT and FF as spaces.
    text = " ".join(talk.get_text(" ", strip=True).split())
    for value in ("Control Characters", "Ctrl Person", "Track Name", "A description with"):
        assert value in text


def test_long_titles_name_bounded_files(built: SphinxTestApp) -> None:
    outdir = Path(built.outdir)
    for name in ("long300", "long1000"):
        (link,) = calendar_links(built, f"saturday/{name}.html")
        target = (outdir / "saturday" / link).resolve()
        assert target.is_file()
        assert len(target.stem) <= MAX_STEM
        assert len(events(target)) == 1
    assert len({link for name in ("long300", "long1000")
                for link in calendar_links(built, f"saturday/{name}.html")}) == 2


def test_deleting_a_talk_keeps_the_label_it_asked_for(tmp_path: Path) -> None:
    srcdir = copy_root(tmp_path / "src")
    with (srcdir / "index.rst").open("a", encoding="utf-8") as index:
        index.write("\nSee :ref:`my-label` and :ref:`search`.\n")
    build(srcdir)
    (srcdir / "friday" / "labels.rst").unlink()
    incremental = build(srcdir)
    assert incremental.env.domains.standard_domain.labels["my-label"][0] == "index"
    clean_dir = copy_root(tmp_path / "clean")
    shutil.copy(srcdir / "index.rst", clean_dir / "index.rst")
    (clean_dir / "friday" / "labels.rst").unlink()
    clean = build(clean_dir)
    for name in ("index.html", "friday/index.html", "friday/keynote.html"):
        assert (Path(incremental.outdir) / name).read_bytes() == (
            Path(clean.outdir) / name).read_bytes(), name
    refs = [link["href"] for link in page(incremental, "index.html").select(
        "a.reference.internal")]
    assert "#my-label" in refs
    assert "search.html" in refs


def test_emptying_conference_days_removes_the_exports(tmp_path: Path) -> None:
    srcdir = copy_root(tmp_path / "src")
    outdir = Path(build(srcdir).outdir)
    assert (outdir / "schedule.ics").is_file()
    assert list((outdir / "calendar").glob("*.ics"))
    build(srcdir, conference_days={})
    assert not any((outdir / name).exists() for name in
                   ("schedule.ics", "schedule.json", "schedule.xml", "calendar"))
    clean = build(copy_root(tmp_path / "clean"), conference_days={})
    ours, theirs = output_files(outdir), output_files(Path(clean.outdir))
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []


def export_warnings(app: SphinxTestApp) -> list[Warned]:
    return sorted(warned for warned in warnings_of(app) if warned.type == "conference.export")


def test_a_file_that_cannot_be_written_costs_only_that_file(tmp_path: Path) -> None:
    srcdir = copy_root(tmp_path / "src")
    blocked = srcdir / "_build" / "html" / "calendar" / "friday-lunch.ics"
    blocked.mkdir(parents=True)  # a folder where the talk's calendar goes
    app = build(srcdir)
    (warned,) = export_warnings(app)
    assert (warned.file, warned.line) == ("friday/lunch.rst", line("friday/lunch.rst",
                                                                    ".. talk::"))
    assert warned.message.startswith("calendar/friday-lunch.ics not written: ")
    outdir = Path(app.outdir)
    assert len(events(outdir / "schedule.ics")) == talk_count(app)
    assert (outdir / "calendar" / "saturday-lunch.ics").is_file()
    assert (outdir / "schedule.xml").is_file()


def test_a_talk_a_writer_fails_on_is_left_out_of_that_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conference.exporters import ical

    real_event = ical._event

    def failing_event(info, talk, url, stamp):
        if talk.docname == "saturday/lunch-again":
            raise RuntimeError("injected failure")
        return real_event(info, talk, url, stamp)

    monkeypatch.setattr(ical, "_event", failing_event)
    app = build(copy_root(tmp_path / "src"))
    where = ("saturday/lunch-again.rst", line("saturday/lunch-again.rst", ".. talk::"))
    assert [(warned.file, warned.line, warned.message) for warned in export_warnings(app)] == [
        (*where, "calendar/saturday-lunch-2.ics not written: RuntimeError('injected failure')"),
        (*where, "talk 'saturday-lunch-2' left out of calendar/saturday.ics: "
                 "RuntimeError('injected failure')"),
        (*where, "talk 'saturday-lunch-2' left out of schedule.ics: "
                 "RuntimeError('injected failure')"),
    ]
    outdir = Path(app.outdir)
    assert len(events(outdir / "schedule.ics")) == talk_count(app) - 1
    assert [str(event["SUMMARY"]) for event in events(outdir / "calendar/saturday.ics")
            ].count("Lunch") == 1
    assert not (outdir / "calendar" / "saturday-lunch-2.ics").exists()
    frab = json.loads((outdir / "schedule.json").read_text(encoding="utf-8"))
    assert "saturday-lunch-2" in json.dumps(frab)  # frab has no calendar events to fail


def output_files(outdir: Path) -> dict[str, bytes]:
    return {path.relative_to(outdir).as_posix(): path.read_bytes()
            for path in sorted(outdir.rglob("*")) if path.is_file()}


KEYNOTE = "Keynote\n=======\n\n.. talk::\n   :presenter: Sat Keynote\n   :time: 09:00-10:00\n"
LABEL = "\n.. _keynote:\n\nThe Keynote Label\n-----------------\n\nA page's own label.\n"


@pytest.mark.parametrize("edit", ["add", "delete", "label", "unlabel"])
def test_ids_that_change_with_another_page_rebuild_like_a_clean_build(
    tmp_path: Path, edit: str
) -> None:
    """A second "Keynote", or a label "keynote", renames a talk whose page did not change."""
    srcdir = copy_root(tmp_path / "src")
    second = srcdir / "saturday" / "keynote.rst"
    index = srcdir / "index.rst"
    original = index.read_text(encoding="utf-8")
    if edit == "delete":
        second.write_text(KEYNOTE, encoding="utf-8")
    if edit == "unlabel":
        index.write_text(original + LABEL, encoding="utf-8")
    build(srcdir)
    if edit == "add":
        second.write_text(KEYNOTE, encoding="utf-8")
    elif edit == "delete":
        second.unlink()
    elif edit == "label":
        index.write_text(original + LABEL, encoding="utf-8")
    else:
        index.write_text(original, encoding="utf-8")
    incremental = build(srcdir)
    clean_dir = tmp_path / "clean"
    shutil.copytree(srcdir, clean_dir, ignore=shutil.ignore_patterns("_build"))
    clean = build(clean_dir)
    ours, theirs = output_files(Path(incremental.outdir)), output_files(Path(clean.outdir))
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []
    keynote = "keynote" if edit in {"delete", "unlabel"} else "friday-keynote"
    assert calendar_links(incremental, "friday/keynote.html")[0] == f"../calendar/{keynote}.ics"
    labels = incremental.env.domains.standard_domain.labels
    owner = {"add": None, "label": "index"}.get(edit, "friday/keynote")
    assert labels.get("keynote", (None,))[0] == owner
    # The warnings about the edited state: those of a clean build, not Sphinx's own.
    label_warnings = [warned for warned in warnings_of(incremental)
                      if "label" in warned.type or "label" in warned.message]
    assert not [warned for warned in label_warnings if not warned.type.startswith("conference")]


def test_ids_do_not_depend_on_read_order(built: SphinxTestApp, tmp_path: Path) -> None:
    parallel = build(copy_root(tmp_path / "src"), parallel=2)
    serial, forked = output_files(Path(built.outdir)), output_files(Path(parallel.outdir))
    assert sorted(serial) == sorted(forked)
    assert [name for name in serial if serial[name] != forked[name]] == []
    assert sorted(warnings_of(parallel)) == expected()


def test_a_day_that_cannot_name_a_file_costs_only_its_calendar(tmp_path: Path) -> None:
    srcdir = copy_root(tmp_path / "src")
    (srcdir / "other").mkdir()
    (srcdir / "other" / "odd-day.rst").write_text(
        "Odd Day\n=======\n\n.. schedule:: .odd\n", encoding="utf-8")
    app = build(srcdir, conference_days={"friday": "2013-03-15", "saturday": "2013-03-16",
                                         ".odd": "2013-03-17"})
    (warned,) = export_warnings(app)
    assert (warned.file, warned.line) == ("conf.py", line("conf.py", "conference_days = {"
                                                          '"friday": "2013-03-15", "saturday": '
                                                          '"2013-03-16"}'))
    assert warned.message.startswith("day '.odd' gets no calendar file: ")
    outdir = Path(app.outdir)
    assert len(events(outdir / "schedule.ics")) == talk_count(app)
    assert (outdir / "calendar" / "friday.ics").is_file()
    assert not list(outdir.rglob(".odd*"))
    odd = page(app, "other/odd-day.html").select_one("div.body")
    assert "Add this day to your calendar" not in odd.get_text()  # an empty day has no link
