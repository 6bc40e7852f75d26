"""The talk options an imported program needs, in a real Sphinx build.

``tests/roots/test-program-talks`` holds pages as the importer writes them:
``:guid:``, ``:subtitle:``, ``:language:``, ``:type:``, ``:links:``, a session after
midnight (``:date:`` of the next day in its day's folder), a cancelled one
at the same time and room as another, a ``talk-description`` block and a
session without people.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar
from inprocess import build_once
from sphinx.testing.util import SphinxTestApp

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    """The root built once to HTML, shared by the tests that only read it."""
    source = tmp_path_factory.mktemp("program") / "src"
    shutil.copytree(Path(__file__).resolve().parent / "roots" / "test-program-talks", source)
    return build_once(srcdir=source, freshenv=True, status=StringIO(), warning=StringIO())


def _events(app: SphinxTestApp) -> dict[str, dict[str, Any]]:
    document = json.loads((Path(app.outdir) / "schedule.json").read_text("utf-8"))
    return {event["title"]: {**event, "day": day["index"]}
            for day in document["schedule"]["conference"]["days"]
            for room in day["rooms"].values() for event in room}


def test_only_the_real_mistakes_warn(built: SphinxTestApp) -> None:
    warnings = built.warning.getvalue()
    lines = [line for line in warnings.splitlines() if "WARNING" in line]
    assert len(lines) == 3, warnings
    assert any("odd.rst:4" in line and "[conference.status]" in line for line in lines)
    assert any("odd.rst:4" in line and "[conference.url]" in line and ":links:" in line
               for line in lines)
    assert any("odd.rst:4" in line and "[conference.date]" in line for line in lines)
    # No presenter warning for the coffee break, no overlap with the cancelled talk.


def test_after_midnight_is_on_its_day_at_the_true_instant(built: SphinxTestApp) -> None:
    out = Path(built.outdir)
    day = BeautifulSoup((out / "day1" / "index.html").read_text("utf-8"), "html.parser")
    rows = [row.get_text(" ", strip=True)
            for row in day.select("table.conference-schedule tbody tr")]
    # A day in several rooms is a grid: a row per slot, the small hours after
    # the evening; the cancelled session frees its slot and is listed under it.
    assert [row.split(" ")[0] for row in rows] == ["16:00–16:30", "22:00–23:00", "01:15–02:15"]
    assert "(cancelled)" in day.select_one("ul.conference-talk-list").get_text(" ")
    event = _events(built)["Night session"]
    assert (event["date"], event["day"]) == ("2019-09-21T01:15:00+02:00", 1)
    calendar = Calendar.from_ical((out / "schedule.ics").read_bytes())
    night = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Night session")
    assert night.decoded("DTSTART") == dt.datetime(2019, 9, 21, 1, 15, tzinfo=BERLIN)
    page = BeautifulSoup((out / "day1" / "night.html").read_text("utf-8"), "html.parser")
    assert "Saturday, September 21, 2019, 01:15–02:15 CEST" in " ".join(
        page.get_text(" ").split())


def test_program_fields_are_exported(built: SphinxTestApp) -> None:
    event = _events(built)["Evening session"]
    assert event["guid"] == "3f1a5c8e-7b2d-4e61-9a0f-1c2d3e4f5a6b"
    assert (event["subtitle"], event["language"], event["type"]) == (
        "Before midnight", "de", "Vortrag")
    assert event["abstract"] == ("First paragraph of the abstract.\n\n"
                                 "Second paragraph of the abstract.")
    assert event["description"] == "The longer description."
    assert event["links"] == [
        {"url": "https://example.org/p", "title": "Project, page", "type": "related"},
        {"url": "https://example.org/q", "title": "", "type": "related"},
    ]
    # A non-UUID identity gets the derived guid.
    night = _events(built)["Night session"]
    assert night["guid"] != "klt19-event-103" and len(night["guid"]) == 36
    page = BeautifulSoup((Path(built.outdir) / "day1/evening.html").read_text("utf-8"),
                         "html.parser")
    meta = page.select_one(".conference-talk-meta").get_text(" ", strip=True)
    assert "Before midnight" in meta and "de" in meta
    assert "The longer description." in page.select_one(".conference-talk-details").get_text()
    assert "Notes about the evening." not in page.select_one(".conference-talk").get_text()


def test_cancelled_talk(built: SphinxTestApp) -> None:
    out = Path(built.outdir)
    assert "Cancelled session" not in _events(built)
    calendar = Calendar.from_ical((out / "schedule.ics").read_bytes())
    status = {str(e["SUMMARY"]): str(e.get("STATUS", "")) for e in calendar.walk("VEVENT")}
    assert status["Cancelled session"] == "CANCELLED"
    assert status["Evening session"] == ""
    page = BeautifulSoup((out / "day1/cancelled.html").read_text("utf-8"), "html.parser")
    assert page.select_one(".conference-talk.conference-talk-cancelled") is not None
    overview = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    assert "Cancelled session (cancelled)" in " ".join(overview.get_text().split())
