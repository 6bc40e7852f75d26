"""An imported program builds with ``-W`` and round-trips through the site's exports.

Each program is imported into a fresh DIR, which is built as a user builds
it. The frab export of the built site must give back what the program said
(read here from the program file itself, not through the importer), every
session must be on its day's page, on the presenters page and in the
calendar at its true instant, including the sessions after midnight.
"""

from __future__ import annotations

import datetime as dt
import json
import runpy
from pathlib import Path
from typing import Any

import icalendar
import pytest
from bs4 import BeautifulSoup
from importing import DATA, PYVIDEO, build, frab_events, run_import
from lxml import etree

from conference.importer.markup import normal_text

#: pentabarf gives wall-clock times only: the instants the program means
#: (23:30 is the evening of day 1; 01:30 on day 1 is the next morning).
PENTABARF_INSTANTS = {
    "4711": "2012-10-20T11:00:00+02:00",
    "4712": "2012-10-20T23:30:00+02:00",
    "4713": "2012-10-21T01:30:00+02:00",
    "4714": "2012-10-20T14:00:00+02:00",
    "4720": "2012-10-21T10:00:00+02:00",
}


def _minutes(duration: str) -> int:
    hours, minutes = duration.split(":")[:2]
    return int(hours) * 60 + int(minutes)


def program_events(path: Path) -> list[dict[str, Any]]:
    """The program's sessions, read straight from the file, in the export's vocabulary."""
    events = []
    if path.suffix == ".json":
        document = json.loads(path.read_text("utf-8"))
        for day in document["schedule"]["conference"]["days"]:
            for room_events in day["rooms"].values():
                for event in room_events:
                    events.append({
                        **{key: event[key] for key in ("guid", "date", "start", "room",
                                                       "title", "subtitle", "track", "type",
                                                       "language", "abstract", "description")},
                        "duration": _minutes(event["duration"]),
                        "persons": [person["public_name"] for person in event["persons"]],
                        "links": [link["url"] for link in event["links"]],
                        "url": event.get("url") or "",
                        "day_index": day["index"],
                    })
        return events
    root = etree.parse(str(path)).getroot()
    for day in root.iter("day"):
        for event in day.iter("event"):
            def field(tag: str, event: etree._Element = event) -> str:
                return "".join(event.find(tag).itertext()) if event.find(tag) is not None else ""
            events.append({
                "guid": event.get("guid") or "",
                "date": field("date") or PENTABARF_INSTANTS[event.get("id") or ""],
                "start": field("start"),
                "duration": _minutes(field("duration")),
                "room": field("room"),
                "title": field("title"),
                "subtitle": field("subtitle"),
                "track": field("track"),
                "type": field("type"),
                "language": field("language"),
                "abstract": field("abstract"),
                "description": field("description"),
                "persons": ["".join(p.itertext()) for p in event.iter("person")],
                "links": [link.get("href") for link in event.iter("link")],
                "url": field("url"),
                "day_index": int(day.get("index") or 0),
            })
    return events


def reflowed(text: str) -> str:
    """A program text as the frab exports give it back: a paragraph per line."""
    return "\n\n".join(" ".join(p.split()) for p in normal_text(text).split("\n\n"))


def _straight(text: str) -> str:
    """``text`` with the quotes Sphinx's smart quotes curl made straight again."""
    return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))


def _is_uuid(value: str) -> bool:
    parts = value.split("-")
    return [len(part) for part in parts] == [8, 4, 4, 4, 12]


@pytest.fixture(scope="module", params=["pentabarf.xml", "frab.xml", "pretalx.xml",
                                        "schedule.json"])
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, Path]:
    """(program, DIR): the program imported into a fresh DIR and built."""
    program = DATA / request.param
    site = tmp_path_factory.mktemp("site") / "notes"
    extra = ["--timezone", "Europe/Berlin"] if request.param in {"pentabarf.xml",
                                                                 "frab.xml"} else []
    status, out, err = run_import(program, site, *extra)
    assert status == 0, err
    assert "added" in out
    build(site)
    return program, site


def test_a_complete_project_is_written(imported: tuple[Path, Path]) -> None:
    _, site = imported
    conf = runpy.run_path(str(site / "conf.py"))
    assert conf["extensions"] == ["conference"]
    assert conf["conference_timezone"] == "Europe/Berlin"
    for folder in conf["conference_days"]:
        assert "\n.. schedule::\n" in (site / folder / "index.rst").read_text("utf-8")
    assert ".. schedule::" in (site / "index.rst").read_text("utf-8")
    assert (site / "_build" / "html" / "presenters.html").is_file()


def test_export_round_trips(imported: tuple[Path, Path]) -> None:
    program, site = imported
    expected = program_events(program)
    exported = {event["title"]: event for event in frab_events(site)}
    assert sorted(exported) == sorted(event["title"] for event in expected)
    for want in expected:
        got = exported[want["title"]]
        assert dt.datetime.fromisoformat(got["date"]) == dt.datetime.fromisoformat(want["date"])
        assert got["day_index"] == want["day_index"], want["title"]
        for key in ("start", "room", "subtitle", "track", "type", "language"):
            assert got[key] == want[key], (want["title"], key)
        assert _minutes(got["duration"]) == want["duration"]
        assert got["abstract"] == reflowed(want["abstract"])
        assert got["description"] == reflowed(want["description"])
        assert [person["public_name"] for person in got["persons"]] == want["persons"]
        # The site adds the official page (the program's url) as a "web" link.
        official = [link["url"] for link in got["links"] if link["type"] == "web"]
        assert official == ([want["url"]] if want["url"] else []), want["title"]
        others = [link["url"] for link in got["links"] if link["type"] != "web"]
        assert sorted(others) == sorted(want["links"])
        if _is_uuid(want["guid"]):
            assert got["guid"] == want["guid"]
        else:
            assert _is_uuid(got["guid"])  # a non-UUID identity cannot be a frab guid


def test_every_session_is_on_its_day_presenters_and_calendar(
    imported: tuple[Path, Path],
) -> None:
    program, site = imported
    out = site / "_build" / "html"
    expected = program_events(program)
    folders = list(runpy.run_path(str(site / "conf.py"))["conference_days"])
    for want in expected:
        day_page = out / folders[want["day_index"] - 1] / "index.html"
        table = BeautifulSoup(day_page.read_text("utf-8"), "html.parser").find(
            "table", class_="conference-schedule")
        titles = [_straight(" ".join(a.get_text().split())) for a in table.select("tbody a")]
        assert _straight(want["title"]) in titles, (want["title"], titles)
    presenters = BeautifulSoup((out / "presenters.html").read_text("utf-8"), "html.parser")
    terms = {term.get_text(" ", strip=True) for term in presenters.select("dt")}
    for name in {person for want in expected for person in want["persons"]}:
        assert any(_straight(term).startswith(name) for term in terms), name
    calendar = icalendar.Calendar.from_ical((out / "schedule.ics").read_bytes())
    starts = {str(event["SUMMARY"]): event.decoded("DTSTART") for event in calendar.walk("VEVENT")}
    for want in expected:
        assert starts[want["title"]] == dt.datetime.fromisoformat(want["date"]), want["title"]


def test_after_midnight_is_shown_on_its_day_with_the_true_date(
    imported: tuple[Path, Path],
) -> None:
    program, site = imported
    out = site / "_build" / "html"
    late = [want for want in program_events(program)
            if dt.datetime.fromisoformat(want["date"]).hour < 4]
    assert late, "each program has a session after midnight"
    folders = list(runpy.run_path(str(site / "conf.py"))["conference_days"])
    for want in late:
        instant = dt.datetime.fromisoformat(want["date"])
        folder = folders[want["day_index"] - 1]
        day = BeautifulSoup((out / folder / "index.html").read_text("utf-8"), "html.parser")
        rows = day.select("table.conference-schedule tbody tr")
        # Last on its day, after the evening's sessions.
        assert want["title"].split(":")[0] in rows[-1].get_text()
        # The time is the row's first cell: a td in a table, the th of a grid's slot.
        first = rows[-1].find(["th", "td"])
        assert first.get_text(strip=True).startswith(instant.strftime("%H:%M"))
        link = rows[-1].select_one("a")["href"].partition("#")[0]
        page = BeautifulSoup((out / folder / link).read_text("utf-8"), "html.parser")
        when = page.select_one(".conference-talk-meta").get_text(" ", strip=True)
        assert f"{instant:%B} {instant.day}, {instant.year}" in when


def test_smart_quotes_curl_on_the_page_not_in_the_export(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_import(DATA / "schedule.json", site)[0] == 0
    build(site)
    page = BeautifulSoup((site / "_build/html/friday/mrmcd23-1002-hardware-hacking.html")
                         .read_text("utf-8"), "html.parser")
    assert page.find("h1").get_text().startswith("Hardware hacking for “beginners”")
    (event,) = [e for e in frab_events(site) if e["title"].startswith("Hardware")]
    assert event["title"] == 'Hardware hacking for "beginners"'
    assert [p["public_name"] for p in event["persons"]] == ["Tom O'Neil", "Zoë Martín"]


def test_pyvideo_real_data_builds(tmp_path: Path) -> None:
    site = tmp_path / "pycon"
    status, out, _ = run_import(PYVIDEO, site)
    assert status == 0
    assert out.strip().endswith("181 added, 0 moved, 0 changed, 0 cancelled, 0 removed, "
                                "0 unchanged")
    build(site)
    raw = json.loads(PYVIDEO.read_text("utf-8"))["talks"]
    html = site / "_build" / "html"
    linked = 0
    for folder in ("wednesday", "thursday", "friday", "saturday", "sunday"):
        day = BeautifulSoup((html / folder / "index.html").read_text("utf-8"), "html.parser")
        linked += len(day.select("table.conference-schedule tbody tr"))
    assert linked == len(raw) == 181
    calendar = icalendar.Calendar.from_ical((html / "schedule.ics").read_bytes())
    assert len(calendar.walk("VEVENT")) == 181
    # The one title two sessions share got distinct talk ids.
    ids = [event["UID"] for event in calendar.walk("VEVENT")]
    assert len(set(ids)) == 181


def test_the_place_and_theme_of_a_new_project(tmp_path: Path) -> None:
    """Venue and city stay apart (ConfClerk shows both); the theme is the stylesheet's."""
    site = tmp_path / "notes"
    status, _out, err = run_import(DATA / "pentabarf.xml", site, "--timezone", "Europe/Berlin")
    assert status == 0, err
    conf = runpy.run_path(str(site / "conf.py"))
    assert (conf["conference_venue"], conf["conference_city"]) == ("Zentralwerk", "Dresden")
    assert conf["conference_location"] == "Zentralwerk, Dresden"
    assert conf["html_theme"] == "sphinx_rtd_theme"
