"""Re-syncing a site with a changed program: metadata follows, notes never move.

One conference goes through a program change during the event: a talk
moved to another day and time, one re-roomed, one retitled, one cancelled
after notes were written about it, one cancelled with no notes, one added.
The notes are compared byte for byte; a second run must write nothing; the
built site must show the cancellation and export it as such, and an
incremental build after the re-sync must equal a clean one.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
from bs4 import BeautifulSoup
from importing import DATA, build, frab_events, run_import, snapshot
from test_incremental import assert_same_output, clean_build_of, touch_now
from test_incremental import build as build_app

from conference.importer.pages import parse_md, parse_rst

GUID = "0a4bd5e2-8f41-5c3a-9a71-3e0d0b5f6a{:02d}".format

#: Notes as a writer types them: CRLF lines, trailing spaces, a section, a
#: second talk directive, a line that looks like an option.
NOTES = {
    "friday/mrmcd23-1001-eroeffnung.rst":
        "\r\nNotizen\r\n-------\r\n\r\n- WLAN: mrmcd  \r\n   :room: not an option\r\n",
    "friday/mrmcd23-1004-datenschutz.rst":
        "\nNotes\n-----\n\nShe showed the *template*.\n\n.. talk:: A Lightning Talk\n"
        "   :presenter: Someone Else\n\n   Five minutes.\n",
    "saturday/mrmcd23-2001-rust-embedded.rst": "\nGreat demo with an STM32.\n",
    "saturday/mrmcd23-2002-passkeys.rst": "\n\nPasskeys: notes.\n\n\n",
}
#: A link the writer added by hand; the program has no video for this talk.
#: (An option the importer wrote and the program then drops is removed; the
#: importer remembers what it wrote in DIR/.conference-import.json.)
WRITER_VIDEO = "   :video: https://www.youtube.com/watch?v=abc123\n"


def events(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {event["guid"]: event
            for day in document["schedule"]["conference"]["days"]
            for room in day["rooms"].values() for event in room}


def changed_program(original: dict[str, Any]) -> dict[str, Any]:
    """The program a day later: moved, re-roomed, retitled, two cancelled, one added."""
    document = copy.deepcopy(original)
    days = document["schedule"]["conference"]["days"]
    friday, saturday, sunday = (day["rooms"] for day in days)
    # Cancelled: one with notes (1004), one without (3001).
    friday["Seminarraum 0.12"] = []
    sunday["Seminarraum 0.12"] = []
    # Retitled.
    friday["Rundbau"][0]["title"] = "Eröffnung und Begrüßung"
    # Moved: Saturday 14:00 -> Sunday 10:00.
    passkeys = saturday["Rundbau"].pop(1)
    passkeys.update(date="2023-09-17T10:00:00+02:00", start="10:00")
    sunday["Rundbau"] = [passkeys]
    # Re-roomed, and its subtitle dropped.
    rust = saturday["Rundbau"].pop(0)
    rust.update(room="Seminarraum 0.12", subtitle="")
    saturday["Seminarraum 0.12"] = [rust]
    # Added.
    late = copy.deepcopy(rust)
    late.update(guid=GUID(8), id=2003, slug="mrmcd23-2003-late-addition", title="Late addition",
                date="2023-09-16T16:00:00+02:00", start="16:00", subtitle="")
    saturday["Rundbau"] = [late]
    return document


@pytest.fixture
def resynced(tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    """(DIR, notes written, report of the re-sync)."""
    site = tmp_path / "site"
    assert run_import(DATA / "schedule.json", site)[0] == 0
    for path, notes in NOTES.items():
        with (site / path).open("ab") as page:
            page.write(notes.encode("utf-8"))
    rust = site / "saturday/mrmcd23-2001-rust-embedded.rst"
    rust.write_text(rust.read_text("utf-8").replace("   :language: en\n",
                                                    "   :language: en\n" + WRITER_VIDEO), "utf-8")
    program = tmp_path / "changed.json"
    original = json.loads((DATA / "schedule.json").read_text("utf-8"))
    program.write_text(json.dumps(changed_program(original), ensure_ascii=False), "utf-8")
    status, out, err = run_import(program, site)
    assert status == 0, err
    return site, NOTES, out


def test_report_says_what_happened(resynced: tuple[Path, dict[str, str], str]) -> None:
    _, _, out = resynced
    lines = out.splitlines()
    assert "added     saturday/mrmcd23-2003-late-addition.rst" in lines
    assert ("moved     sunday/mrmcd23-2002-passkeys.rst: from saturday/mrmcd23-2002-passkeys.rst;"
            " time") in lines
    assert "changed   saturday/mrmcd23-2001-rust-embedded.rst: room, subtitle" in lines
    assert "changed   friday/mrmcd23-1001-eroeffnung.rst: title" in lines
    assert "cancelled friday/mrmcd23-1004-datenschutz.rst: kept: it has notes" in lines
    assert "removed   sunday/mrmcd23-3001-abschluss.rst: cancelled, had no notes" in lines
    assert lines[-1] == "1 added, 1 moved, 2 changed, 1 cancelled, 1 removed, 2 unchanged"


def test_notes_are_byte_identical(resynced: tuple[Path, dict[str, str], str]) -> None:
    site, notes, _ = resynced
    moved = {"saturday/mrmcd23-2002-passkeys.rst": "sunday/mrmcd23-2002-passkeys.rst"}
    for path, written in notes.items():
        data = (site / moved.get(path, path)).read_bytes()
        assert data.endswith(written.encode("utf-8")), path
        page = parse_rst(data.decode("utf-8"))
        assert page is not None and page.notes == written, path
    assert not (site / "saturday/mrmcd23-2002-passkeys.rst").exists()
    assert not (site / "sunday/mrmcd23-3001-abschluss.rst").exists()


def test_metadata_follows_the_program_and_writer_options_stay(
    resynced: tuple[Path, dict[str, str], str],
) -> None:
    site, _, _ = resynced
    opening = (site / "friday/mrmcd23-1001-eroeffnung.rst").read_text("utf-8")
    assert opening.startswith("Eröffnung und Begrüßung\n=======================\n")
    rust = parse_rst((site / "saturday/mrmcd23-2001-rust-embedded.rst").read_text("utf-8"))
    assert rust is not None
    assert rust.option("room") == "Seminarraum 0.12"
    # The program dropped the subtitle the importer wrote: gone. The writer's video stays.
    assert rust.option("subtitle") is None
    assert rust.option("video") == "https://www.youtube.com/watch?v=abc123"
    passkeys = parse_rst((site / "sunday/mrmcd23-2002-passkeys.rst").read_text("utf-8"))
    assert passkeys is not None and passkeys.option("time") == "10:00-10:30"
    cancelled = parse_rst((site / "friday/mrmcd23-1004-datenschutz.rst").read_text("utf-8"))
    assert cancelled is not None and cancelled.option("status") == "cancelled"


def test_second_run_changes_no_file(resynced: tuple[Path, dict[str, str], str],
                                    tmp_path: Path) -> None:
    site, _, _ = resynced
    before = snapshot(site)
    mtimes = {path: (site / path).stat().st_mtime_ns for path in before}
    status, out, _ = run_import(tmp_path / "changed.json", site)
    assert status == 0
    assert out.splitlines()[-1] == "0 added, 0 moved, 0 changed, 0 cancelled, 0 removed, " \
                                   "7 unchanged"
    assert snapshot(site) == before
    assert {path: (site / path).stat().st_mtime_ns for path in before} == mtimes


def test_reinstated_session_loses_its_cancellation(
    resynced: tuple[Path, dict[str, str], str],
) -> None:
    site, notes, _ = resynced
    status, out, _ = run_import(DATA / "schedule.json", site)
    assert status == 0
    assert "changed   friday/mrmcd23-1004-datenschutz.rst: status" in out.splitlines()
    page = parse_rst((site / "friday/mrmcd23-1004-datenschutz.rst").read_text("utf-8"))
    assert page is not None
    assert page.option("status") is None
    assert page.notes == notes["friday/mrmcd23-1004-datenschutz.rst"]


def test_built_site_marks_and_exports_the_cancellation(
    resynced: tuple[Path, dict[str, str], str],
) -> None:
    site, _, _ = resynced
    build(site)
    html = site / "_build" / "html"
    page = BeautifulSoup((html / "friday/mrmcd23-1004-datenschutz.html").read_text("utf-8"),
                         "html.parser")
    assert page.select_one(".conference-talk-cancelled") is not None
    assert "Cancelled" in page.select_one(".conference-talk-meta").get_text()
    friday = BeautifulSoup((html / "friday/index.html").read_text("utf-8"), "html.parser")
    row = next(tr for tr in friday.select("table.conference-schedule tbody tr")
               if "Datenschutz" in tr.get_text())
    assert row.find("td").get_text(strip=True) == "Cancelled"
    titles = {event["title"] for event in frab_events(site)}
    assert "Datenschutz im Verein" not in titles
    assert "Abschluss" not in titles
    assert {"Late addition", "Passkeys explained", "Eröffnung und Begrüßung"} <= titles
    (passkeys,) = [event for event in frab_events(site) if event["title"] == "Passkeys explained"]
    assert (passkeys["date"], passkeys["day_index"]) == ("2023-09-17T10:00:00+02:00", 3)
    calendar = icalendar.Calendar.from_ical((html / "schedule.ics").read_bytes())
    status = {str(event["SUMMARY"]): str(event.get("STATUS", ""))
              for event in calendar.walk("VEVENT")}
    assert status["Datenschutz im Verein"] == "CANCELLED"
    assert status["Passkeys explained"] == ""
    # The writer's second talk on the cancelled page is not cancelled.
    assert status["A Lightning Talk"] == ""


def test_existing_site_without_the_day_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "conf.py").write_text('conference_days = {"friday": "2023-09-15"}\n'
                                  'conference_timezone = "Europe/Berlin"\n', "utf-8")
    status, _, err = run_import(DATA / "schedule.json", site)
    assert status == 1
    assert "2023-09-16, 2023-09-17" in err and "nothing written" in err
    assert sorted(p.name for p in site.iterdir()) == ["conf.py"]


def test_markdown_pages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_import(DATA / "schedule.json", site, "--format", "md")[0] == 0
    assert (site / "index.md").read_text("utf-8").startswith("# MRMCD 2023\n\n```{schedule}\n```\n")
    assert (site / "friday/index.md").is_file()
    text = (site / "friday/mrmcd23-1001-eroeffnung.md").read_text("utf-8")
    assert text.startswith("# Eröffnung\n\n````{talk}\n:guid: " + GUID(1) + "\n")
    assert "\n```{talk-description}\nMit Lageplan\\.\n```\n````\n" in text
    notes = "\n## Notizen\n\nAlles *gut*.\n"
    (site / "friday/mrmcd23-1001-eroeffnung.md").write_text(text + notes, "utf-8")
    program = tmp_path / "p.json"
    document = json.loads((DATA / "schedule.json").read_text("utf-8"))
    events(document)[GUID(1)]["room"] = "Foyer"
    program.write_text(json.dumps(document), "utf-8")
    status, out, _ = run_import(program, site)
    assert status == 0
    assert "changed   friday/mrmcd23-1001-eroeffnung.md: room" in out
    page = parse_md((site / "friday/mrmcd23-1001-eroeffnung.md").read_text("utf-8"))
    assert page is not None
    assert page.option("room") == "Foyer"
    assert page.notes == notes


def test_incremental_build_after_a_resync_equals_a_clean_build(
    make_app: Any, tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    assert run_import(DATA / "schedule.json", site)[0] == 0
    for path, notes in NOTES.items():
        with (site / path).open("ab") as page:
            page.write(notes.encode("utf-8"))
    first = build_app(make_app, site, tmp_path / "incremental")
    assert "WARNING" not in first.warning.getvalue()
    program = tmp_path / "changed.json"
    original = json.loads((DATA / "schedule.json").read_text("utf-8"))
    program.write_text(json.dumps(changed_program(original), ensure_ascii=False), "utf-8")
    before = snapshot(site)
    assert run_import(program, site)[0] == 0
    for path, data in snapshot(site).items():
        if before.get(path) != data:
            touch_now(site / path)  # visible to Sphinx however soon after the build
    second = build_app(make_app, site, tmp_path / "incremental")
    assert "WARNING" not in second.warning.getvalue()
    assert_same_output(Path(second.outdir), clean_build_of(make_app, site, tmp_path, "clean"))


def test_moving_onto_a_taken_name_picks_another(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_import(DATA / "schedule.json", site)[0] == 0
    mine = site / "sunday" / "mrmcd23-2002-passkeys.rst"
    mine.write_text("My own page\n===========\n\nNot from the program.\n", "utf-8")
    program = tmp_path / "changed.json"
    original = json.loads((DATA / "schedule.json").read_text("utf-8"))
    program.write_text(json.dumps(changed_program(original), ensure_ascii=False), "utf-8")
    status, out, _ = run_import(program, site)
    assert status == 0
    assert ("moved     sunday/mrmcd23-2002-passkeys-2.rst: from "
            "saturday/mrmcd23-2002-passkeys.rst; time") in out.splitlines()
    assert mine.read_text("utf-8").startswith("My own page\n")
    # And it stays there: the next run finds it by its guid.
    status, out, _ = run_import(program, site)
    assert out.splitlines()[-1].startswith("0 added, 0 moved, 0 changed")


def test_a_day_added_to_the_program_is_added_to_a_generated_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_import(DATA / "schedule.json", site)[0] == 0
    document = json.loads((DATA / "schedule.json").read_text("utf-8"))
    days = document["schedule"]["conference"]["days"]
    extra = copy.deepcopy(days[2])
    (event,) = extra["rooms"]["Seminarraum 0.12"]
    event.update(guid=GUID(9), id=4001, slug="mrmcd23-4001-bonus", title="Bonus day",
                 date="2023-09-18T12:00:00+02:00")
    extra.update(index=4, date="2023-09-18", day_start="2023-09-18T04:00:00+02:00",
                 day_end="2023-09-19T03:59:00+02:00")
    days.append(extra)
    program = tmp_path / "longer.json"
    program.write_text(json.dumps(document), "utf-8")
    status, out, err = run_import(program, site)
    assert status == 0, err
    lines = out.splitlines()
    assert "changed   conf.py: conference_days: added monday (2023-09-18)" in lines
    assert "added     monday/mrmcd23-4001-bonus.rst" in lines
    assert (site / "monday" / "index.rst").is_file()
    build(site)
    (bonus,) = [e for e in frab_events(site) if e["title"] == "Bonus day"]
    assert (bonus["date"], bonus["day_index"]) == ("2023-09-18T12:00:00+02:00", 4)
    assert run_import(program, site)[1].splitlines()[-1].startswith("0 added, 0 moved")
