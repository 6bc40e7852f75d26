"""Schedule exports written by real Sphinx builds of ``tests/roots/test-exports``.

Every test builds its own copy of the root in ``tmp_path`` so builders,
configurations and edits never share an output directory.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from frabschema import validate_schedule_xml
from icalendar import Calendar
from sphinx.testing.util import SphinxTestApp

from conference import exports as conference_exports
from conference.exporters import bundle, export_path

ROOT = Path(__file__).resolve().parent / "roots" / "test-exports"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

TALKS = {
    "opening-keynote",
    "messaging-at-scale-at-instagram",
    "late-night-hacking",
    "poster-session",
    "escaping-script-alert-1-script-friends",
}
EXPECTED = {
    export_path("ics"),
    export_path("json"),
    export_path("xml"),
    export_path("day", "friday"),
    export_path("day", "saturday"),
    *(export_path("talk", talk_id) for talk_id in TALKS),
}

MakeApp = Callable[..., SphinxTestApp]


def copy_root(tmp_path: Path, name: str = "src") -> Path:
    srcdir = tmp_path / name
    shutil.copytree(ROOT, srcdir)
    return srcdir


def run(make_app: MakeApp, srcdir: Path, buildername: str = "html", **kwargs: Any) -> SphinxTestApp:
    """Build, then undo Sphinx's global registrations so the next app in this test starts clean."""
    app = make_app(buildername, srcdir=srcdir, **kwargs)
    try:
        app.build()
    finally:
        app.cleanup()
    return app


def build(make_app: MakeApp, srcdir: Path, buildername: str = "html", **conf: Any) -> Path:
    """Build with ``conf`` overrides and no warning at all; the output directory."""
    app = run(make_app, srcdir, buildername, confoverrides=conf)
    warnings = app.warning.getvalue()
    assert "WARNING" not in warnings and "ERROR" not in warnings, warnings
    return Path(app.outdir)


def exports(outdir: Path) -> dict[str, bytes]:
    """Every export file in ``outdir`` (and nothing else), by POSIX path."""
    found = [outdir / name for name in ("schedule.ics", "schedule.json", "schedule.xml")]
    found += sorted((outdir / "calendar").glob("*.ics"))
    return {p.relative_to(outdir).as_posix(): p.read_bytes() for p in found if p.is_file()}


def uids(data: bytes) -> set[str]:
    return {str(event["UID"]) for event in Calendar.from_ical(data).events}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    # Sphinx compares mtimes: make sure the edit is seen even within one second.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


@pytest.mark.parametrize("buildername", ["html", "dirhtml", "singlehtml"])
def test_html_builders_write_the_exports(
    make_app: MakeApp, tmp_path: Path, buildername: str
) -> None:
    files = exports(build(make_app, copy_root(tmp_path), buildername))
    assert set(files) == EXPECTED
    assert uids(files["schedule.ics"]) == {f"{talk_id}@pycon2013" for talk_id in TALKS}
    assert len(uids(files["calendar/friday.ics"])) == 4
    assert uids(files["calendar/saturday.ics"]) == {
        "escaping-script-alert-1-script-friends@pycon2013"
    }
    for talk_id in TALKS:
        assert uids(files[f"calendar/{talk_id}.ics"]) == {f"{talk_id}@pycon2013"}


@pytest.mark.parametrize("buildername", ["text", "epub"])
def test_other_builders_write_no_exports(
    make_app: MakeApp, tmp_path: Path, buildername: str
) -> None:
    app = run(make_app, copy_root(tmp_path), buildername)
    assert exports(Path(app.outdir)) == {}
    assert not (Path(app.outdir) / "calendar").exists()


def test_no_exports_without_conference_days(make_app: MakeApp, tmp_path: Path) -> None:
    app = run(make_app, copy_root(tmp_path), confoverrides={"conference_days": {}})
    assert exports(Path(app.outdir)) == {}


def test_exports_are_valid_and_escaped(make_app: MakeApp, tmp_path: Path) -> None:
    files = exports(build(make_app, copy_root(tmp_path)))
    title = "Escaping <script>alert(1)</script> & Friends"

    calendar = Calendar.from_ical(files["schedule.ics"])
    by_uid = {str(event["UID"]): event for event in calendar.events}
    hostile = by_uid["escaping-script-alert-1-script-friends@pycon2013"]
    assert hostile["SUMMARY"] == title
    assert hostile["LOCATION"] == "Room 2; Level 1, Santa Clara, CA"
    assert "<img src=x onerror=alert(1)>" in str(hostile["DESCRIPTION"])
    late = by_uid["late-night-hacking@pycon2013"]
    assert late.end.isoformat() == "2013-03-16T00:30:00-07:00"
    poster = by_uid["poster-session@pycon2013"]
    assert poster.start.isoformat() == "2013-03-15"

    schema = json.loads((SCHEMAS / "frab-schedule.schema.json").read_text(encoding="utf-8"))
    document = json.loads(files["schedule.json"])
    jsonschema.Draft6Validator(schema).validate(document)
    assert b"<script" not in files["schedule.json"]
    saturday = document["schedule"]["conference"]["days"][1]
    (event,) = saturday["rooms"]["Room 2; Level 1"]
    assert event["title"] == title

    root = validate_schedule_xml(files["schedule.xml"])
    assert root.findtext("conference/city") == "Santa Clara, CA"
    assert b"<script" not in files["schedule.xml"]
    assert root.findtext("day[@index='2']/room/event/title") == title
    # frab has no untimed events: the poster session is only in the calendars.
    assert len(root.findall("day/room/event")) == 4


def test_clean_builds_are_byte_identical(make_app: MakeApp, tmp_path: Path) -> None:
    first = exports(build(make_app, copy_root(tmp_path, "one")))
    second = exports(build(make_app, copy_root(tmp_path, "two")))
    assert first == second


def test_parallel_build_gives_the_same_exports(make_app: MakeApp, tmp_path: Path) -> None:
    serial = exports(build(make_app, copy_root(tmp_path, "serial")))
    app = run(make_app, copy_root(tmp_path, "parallel"), parallel=2)
    assert exports(Path(app.outdir)) == serial


def made_in_main(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The exports the main process is left to make at ``build-finished``, from now on."""
    made: list[str] = []
    real = conference_exports._make_all

    def spying(app: Any, todo: list[tuple[str, Any, Any]]) -> dict[str, bytes | None]:
        made.extend(path for path, _make, _held in todo)
        return real(app, todo)

    monkeypatch.setattr(conference_exports, "_make_all", spying)
    return made


def moved_into_place(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The exports moved from the staging folder into the output, from now on."""
    moved: list[str] = []
    real = os.replace

    def spying(source: Any, target: Any) -> None:
        parts = Path(source).parts
        staged = [index for index, part in enumerate(parts)
                  if part.startswith("conference-exports-staged-")]
        if staged:
            moved.append("/".join(parts[staged[0] + 1:]))
        real(source, target)

    monkeypatch.setattr(conference_exports.os, "replace", spying)
    return moved


def test_parallel_build_makes_the_exports_ahead(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``-j 2`` a forked process makes every export while the main process reads on.

    The main process is left none of them to make, and writes the files a
    serial build writes.
    """
    serial = exports(build(make_app, copy_root(tmp_path, "serial")))
    monkeypatch.setattr(conference_exports, "PARALLEL_EXPORTS", 1)
    made = made_in_main(monkeypatch)
    moved = moved_into_place(monkeypatch)
    app = run(make_app, copy_root(tmp_path, "parallel"), parallel=2)
    assert made == []
    assert exports(Path(app.outdir)) == serial
    assert "WARNING" not in app.warning.getvalue()
    # Written ahead too, each moved into place from the staging folder, which is gone.
    assert sorted(moved) == sorted(serial)
    assert list(Path(app.doctreedir).glob("conference-exports-staged-*")) == []

    # Made again with no record of what they were made from, they are not
    # staged: each file holds those bytes already.
    moved.clear()
    for memo in Path(app.doctreedir).glob("conference-exports-*.json"):
        memo.unlink()
    rebuilt = run(make_app, Path(app.srcdir), parallel=2, freshenv=True)
    assert moved == []
    assert exports(Path(rebuilt.outdir)) == serial
    assert made == []


PANEL = """\
Panel
=====

.. talk::
   :presenter: Jane Doe
   :room: Grand Ballroom
   :time: 16:00-17:00

Who is speaking this year:

.. presenters::
"""


def test_exports_made_ahead_from_old_inputs_are_made_again(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A talk on a page with a view is read after the forked process started: it is not lost.

    Such a page is read once every other page is (``schedule.defer_view_pages``),
    after :func:`conference.exports.make_ahead` forked. The files that hold
    the talk are made again by the main process, from the inputs it has; the
    others are taken as they were made ahead.
    """
    sources = {name: copy_root(tmp_path, name) for name in ("serial", "parallel")}
    for srcdir in sources.values():
        (srcdir / "friday" / "panel.rst").write_text(PANEL, encoding="utf-8")
    serial = exports(build(make_app, sources["serial"]))
    assert "calendar/panel.ics" in serial
    monkeypatch.setattr(conference_exports, "PARALLEL_EXPORTS", 1)
    made = made_in_main(monkeypatch)
    app = run(make_app, sources["parallel"], parallel=2)
    assert sorted(made) == ["calendar/friday.ics", "calendar/panel.ics", "schedule.ics",
                            "schedule.json", "schedule.xml"]
    assert exports(Path(app.outdir)) == serial


def test_a_failed_parallel_build_writes_no_exports(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exports made ahead are dropped, and their process ended, when writing fails."""
    monkeypatch.setattr(conference_exports, "PARALLEL_EXPORTS", 1)
    ended: list[object] = []
    real = conference_exports._Ahead.terminate

    def terminate(self: Any) -> None:
        ended.append(self)
        real(self)

    monkeypatch.setattr(conference_exports._Ahead, "terminate", terminate)
    app = make_app("html", srcdir=copy_root(tmp_path), parallel=2)

    def fail(*args: object) -> None:
        raise RuntimeError("a writer fails")

    app.connect("html-page-context", fail)
    try:
        with pytest.raises(Exception, match="a writer fails"):
            app.build()
    finally:
        app.cleanup()
    assert len(ended) == 1
    assert conference_exports._AHEAD.get(app) is None
    assert exports(Path(app.outdir)) == {}

    # Whatever it staged before it ended goes with the next build's exports.
    staging = conference_exports._staging(app)
    (staging / "calendar").mkdir(parents=True, exist_ok=True)
    (staging / "calendar" / "left-over.ics").write_bytes(b"made from old inputs")
    again = run(make_app, Path(app.srcdir), parallel=2)
    assert not staging.exists()
    assert "calendar/left-over.ics" not in exports(Path(again.outdir))
    assert exports(Path(again.outdir)) == exports(build(make_app, copy_root(tmp_path, "serial")))


def test_noop_rebuild_leaves_mtimes_alone(make_app: MakeApp, tmp_path: Path) -> None:
    srcdir = copy_root(tmp_path)
    outdir = build(make_app, srcdir)
    before = {path: (outdir / path).stat().st_mtime_ns for path in EXPECTED}
    build(make_app, srcdir)
    assert {path: (outdir / path).stat().st_mtime_ns for path in EXPECTED} == before


def test_incremental_edit_rewrites_the_exports(make_app: MakeApp, tmp_path: Path) -> None:
    srcdir = copy_root(tmp_path)
    outdir = build(make_app, srcdir)
    before = exports(outdir)
    saturday_mtime = (outdir / "calendar/saturday.ics").stat().st_mtime_ns

    edit(srcdir / "friday/messaging-at-scale-at-instagram.rst", "10:50-11:20", "11:30-12:10")
    after = exports(build(make_app, srcdir))

    talk = "calendar/messaging-at-scale-at-instagram.ics"
    changed = {path for path in EXPECTED if before[path] != after[path]}
    assert changed == {"schedule.ics", "schedule.json", "schedule.xml", "calendar/friday.ics", talk}
    (event,) = Calendar.from_ical(after[talk]).events
    assert event.start.isoformat() == "2013-03-15T11:30:00-07:00"
    assert event.end.isoformat() == "2013-03-15T12:10:00-07:00"
    assert (outdir / "calendar/saturday.ics").stat().st_mtime_ns == saturday_mtime

    # The same as a clean build of the edited project.
    clean = copy_root(tmp_path, "clean")
    edit(clean / "friday/messaging-at-scale-at-instagram.rst", "10:50-11:20", "11:30-12:10")
    assert after == exports(build(make_app, clean))


def test_an_export_is_made_again_only_when_its_inputs_change(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One talk moves: its calendar is made again, the other talks' are kept as they are.

    A file changed on disk, or a new ``SOURCE_DATE_EPOCH``, makes it again.
    """
    made: list[str] = []
    real = bundle.talk_calendar

    def counting(info: Any, talk: Any, *args: Any, **kwargs: Any) -> bytes:
        made.append(talk.id)
        return real(info, talk, *args, **kwargs)

    monkeypatch.setattr(bundle, "talk_calendar", counting)
    srcdir = copy_root(tmp_path)
    outdir = build(make_app, srcdir)
    assert sorted(made) == sorted(TALKS)
    first = exports(outdir)

    made.clear()
    edit(srcdir / "friday/messaging-at-scale-at-instagram.rst", "10:50-11:20", "11:30-12:10")
    after = exports(build(make_app, srcdir))
    assert made == ["messaging-at-scale-at-instagram"]
    assert {path for path in first if first[path] != after[path]} == {
        "schedule.ics", "schedule.json", "schedule.xml", "calendar/friday.ics",
        "calendar/messaging-at-scale-at-instagram.ics"}

    made.clear()
    tampered = outdir / "calendar/opening-keynote.ics"
    tampered.write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    build(make_app, srcdir)
    assert made == ["opening-keynote"]
    assert exports(outdir) == after

    made.clear()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1363564800")
    build(make_app, srcdir)
    assert sorted(made) == sorted(TALKS)


def test_renamed_talk_loses_its_old_calendar(make_app: MakeApp, tmp_path: Path) -> None:
    srcdir = copy_root(tmp_path)
    outdir = build(make_app, srcdir)
    edit(srcdir / "friday/late-night-hacking.rst", "Late Night Hacking\n===", "Midnight Hacking\n=")
    after = exports(build(make_app, srcdir))
    assert "calendar/late-night-hacking.ics" not in after
    assert "calendar/midnight-hacking.ics" in after
    assert not (outdir / "calendar/late-night-hacking.ics").exists()


@pytest.mark.parametrize(
    ("buildername", "page"),
    [
        ("html", "friday/messaging-at-scale-at-instagram.html"),
        ("dirhtml", "friday/messaging-at-scale-at-instagram/"),
        ("singlehtml", "index.html"),
    ],
)
def test_talk_urls_point_at_the_site_with_html_baseurl(
    make_app: MakeApp, tmp_path: Path, buildername: str, page: str
) -> None:
    outdir = build(
        make_app, copy_root(tmp_path), buildername, html_baseurl="https://notes.example.org/pycon"
    )
    data = (outdir / "calendar/messaging-at-scale-at-instagram.ics").read_bytes()
    (event,) = Calendar.from_ical(data).events
    anchor = str(event["URL"]).rpartition("#")[2]
    assert str(event["URL"]) == f"https://notes.example.org/pycon/{page}#{anchor}"
    if buildername != "singlehtml":
        # The anchor is a real id on the talk's page.
        html = (outdir / page / ("index.html" if page.endswith("/") else "")).read_text("utf-8")
        assert f'id="{anchor}"' in html
    document = json.loads((outdir / "schedule.json").read_bytes())
    friday = document["schedule"]["conference"]["days"][0]
    (event_json,) = friday["rooms"]["Mission City"]
    assert event_json["url"] == str(event["URL"])
    assert event_json["origin_url"] == "https://us.pycon.org/2013/schedule/presentation/33/"


def test_official_url_without_html_baseurl(make_app: MakeApp, tmp_path: Path) -> None:
    outdir = build(make_app, copy_root(tmp_path))
    (event,) = Calendar.from_ical(
        (outdir / "calendar/messaging-at-scale-at-instagram.ics").read_bytes()
    ).events
    assert event["URL"] == "https://us.pycon.org/2013/schedule/presentation/33/"
    (keynote,) = Calendar.from_ical((outdir / "calendar/opening-keynote.ics").read_bytes()).events
    assert "URL" not in keynote


def test_venue_and_city_come_from_the_configuration(make_app: MakeApp, tmp_path: Path) -> None:
    outdir = build(
        make_app, copy_root(tmp_path),
        conference_venue="Santa Clara Convention Center", conference_city="Santa Clara",
    )
    root = validate_schedule_xml((outdir / "schedule.xml").read_bytes())
    assert root.findtext("conference/venue") == "Santa Clara Convention Center"
    assert root.findtext("conference/city") == "Santa Clara"
    document = json.loads((outdir / "schedule.json").read_bytes())
    assert document["schedule"]["conference"]["meta"] == {
        "venue": "Santa Clara Convention Center", "city": "Santa Clara",
    }
    (event,) = Calendar.from_ical(
        (outdir / "calendar/messaging-at-scale-at-instagram.ics").read_bytes()
    ).events
    assert event["LOCATION"] == "Mission City, Santa Clara Convention Center, Santa Clara"


def test_a_place_that_is_not_text_is_reported(make_app: MakeApp, tmp_path: Path) -> None:
    app = run(make_app, copy_root(tmp_path), confoverrides={"conference_venue": ["Hall"]})
    warnings = app.warning.getvalue()
    assert warnings.count("WARNING") == 1, warnings
    assert "conference_venue ['Hall'] is not a string; ignoring it [conference.config]" in warnings
    root = validate_schedule_xml((Path(app.outdir) / "schedule.xml").read_bytes())
    assert root.find("conference/venue") is None
    assert root.findtext("conference/city") == "Santa Clara, CA"


def test_source_date_epoch(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1363564800")  # 2013-03-18T00:00:00Z
    files = exports(build(make_app, copy_root(tmp_path)))
    for path in EXPECTED - {"schedule.json", "schedule.xml"}:
        assert b"DTSTAMP:20130318T000000Z" in files[path], path


def test_talk_named_like_a_day_warns(make_app: MakeApp, tmp_path: Path) -> None:
    srcdir = copy_root(tmp_path)
    (srcdir / "saturday/clash.rst").write_text(
        "Saturday\n========\n\n.. talk::\n   :presenter: Someone\n   :time: 16:00-16:30\n",
        encoding="utf-8",
    )
    app = run(make_app, srcdir)
    assert "gets no calendar file of its own" in app.warning.getvalue()
    outdir = Path(app.outdir)
    # calendar/saturday.ics is still the day's calendar, with both talks.
    assert len(uids((outdir / "calendar/saturday.ics").read_bytes())) == 2
