"""Real clients read the exports: ConfClerk (frab XML), khal and calcurse (iCalendar).

Each client gets the files a real build wrote, of the site itself and of
``tests/roots/test-multiroom`` (three rooms and a track standing in for one,
two days, sessions past midnight and in the small hours, shared presenters),
and the test reads back what the client stored or printed:

* ConfClerk 0.7.1 has no command line: it runs under Xvfb and is driven with
  xdotool as a person would (Ctrl+O, the "+" button, the schedule's
  ``file://`` URL, Return). It stores what it imported in SQLite under
  ``$XDG_DATA_HOME``; every test gets its own ``HOME``.
* khal and calcurse import the ``.ics`` on the command line and print their
  agenda under ``TZ=Europe/Berlin``, far from the conference's zone.

The tools come from Debian (``.ci/run`` installs them). Without one a test
is skipped on a workstation and fails under CI (``CI`` set).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload
from zoneinfo import ZoneInfo

import pytest
from frabschema import validate_schedule_xml
from icalendar import Calendar
from sitebuild import REPO, SiteBuilds, assert_succeeded, copy_site, run_sphinx

BERLIN = ZoneInfo("Europe/Berlin")
MULTIROOM = Path(__file__).resolve().parent / "roots" / "test-multiroom"
#: How long a client may take for one step on a loaded machine (not a check:
#: a step that never happens fails with what the client showed instead).
PATIENCE = 120.0

#: The Debian package of each tool whose name differs from it.
DEBIAN_PACKAGES = {"Xvfb": "xvfb"}

T = TypeVar("T")


def need(*tools: str) -> None:
    """Skip without ``tools``, or fail under CI, where ``.ci/run`` installs them."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        packages = " ".join(DEBIAN_PACKAGES.get(tool, tool) for tool in missing)
        message = f"not installed: {', '.join(missing)} (Debian: apt-get install {packages})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@overload
def wait_for(
    probe: Callable[[], T | None], what: str, explain: Callable[[], str],
    *, patience: float = PATIENCE,
) -> T: ...


@overload
def wait_for(
    probe: Callable[[], T | None], what: str, explain: Callable[[], str],
    *, patience: float = PATIENCE, fail: bool,
) -> T | None: ...


def wait_for(
    probe: Callable[[], T | None], what: str, explain: Callable[[], str],
    *, patience: float = PATIENCE, fail: bool = True,
) -> T | None:
    """Poll ``probe`` until it returns something.

    After ``patience`` seconds: fail with ``explain()``, or return ``None``
    when ``fail`` is false (the caller has another way).
    """
    deadline = time.monotonic() + patience
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            if not fail:
                return None
            pytest.fail(f"{what} did not happen within {patience:.0f} s\n{explain()}")
        time.sleep(0.25)


def test_a_missing_client_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install no-such-client"):
        need("sh", "no-such-client")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        need("no-such-client")


# -- the builds ---------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One built project: its exports, and the frab JSON as the reference of what to find."""

    name: str
    outdir: Path

    @property
    def xml(self) -> Path:
        return self.outdir / "schedule.xml"

    @property
    def ics(self) -> Path:
        return self.outdir / "schedule.ics"

    def frab(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(
            (self.outdir / "schedule.json").read_text(encoding="utf-8")
        )
        return document

    def events(self) -> list[dict[str, Any]]:
        """Every frab event of the JSON export."""
        conference = self.frab()["schedule"]["conference"]
        return [
            event
            for day in conference["days"]
            for events in day["rooms"].values()
            for event in events
        ]


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("real-site")
    builds = SiteBuilds(copy_site(root / "src"), root / "out")
    return Site("site", builds("html"))


@pytest.fixture(scope="module")
def multiroom(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("multiroom")
    srcdir = root / "src"
    shutil.copytree(MULTIROOM, srcdir)
    outdir = root / "html"
    result = run_sphinx(
        ["-T", "-W", "--keep-going", "-n", "-b", "html", str(srcdir), str(outdir)],
        cwd=srcdir,
        env={"PYTHONPATH": str(REPO / "_ext")},
    )
    assert_succeeded(result)
    return Site("multiroom", outdir)


@pytest.fixture(params=["real_site", "multiroom"])
def site(request: pytest.FixtureRequest) -> Site:
    built: Site = request.getfixturevalue(request.param)
    return built


def client_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment whose home, data, config and runtime folders are all under ``home``."""
    runtime = home / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "DISPLAY", "WAYLAND", "DBUS_SESSION", "KHAL"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(runtime),
        LC_ALL="C.UTF-8",
        **extra,
    )
    return env


# -- ConfClerk ------------------------------------------------------------------


class Desktop:
    """An Xvfb display and the xdotool commands a test drives ConfClerk with."""

    def __init__(self, home: Path) -> None:
        read, write = os.pipe()
        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as announced:
            number = announced.readline().strip()
        assert number, "Xvfb did not start"
        self.env = client_env(home, DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb")
        self.apps: list[subprocess.Popen[bytes]] = []

    def start(self, *command: str, log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as output:
            app = subprocess.Popen(command, env=self.env, stdout=output, stderr=output)
        self.apps.append(app)
        return app

    def xdotool(self, *args: str) -> str:
        result = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=60,
            check=False,
        )
        return result.stdout

    def window(self, name: str) -> str | None:
        """The visible window titled exactly ``name``, if there is one."""
        found = self.xdotool("search", "--onlyvisible", "--name", f"^{name}$").split()
        return found[-1] if found else None

    def windows(self) -> str:
        """The titles of the visible windows, for a failure message."""
        ids = self.xdotool("search", "--onlyvisible", "--name", ".").split()
        return "visible windows: " + repr([self.xdotool("getwindowname", w).strip() for w in ids])

    def close(self) -> None:
        for app in self.apps:
            if app.poll() is None:
                app.send_signal(signal.SIGTERM)
                try:
                    app.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    app.kill()
                    app.wait()
        self.server.terminate()
        self.server.wait(timeout=30)


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    need("Xvfb", "xdotool", "confclerk")
    screen = Desktop(tmp_path / "home")
    try:
        yield screen
    finally:
        screen.close()


def confclerk_import(desktop: Desktop, schedule: Path, log: Path) -> sqlite3.Connection:
    """Import ``schedule`` into a fresh ConfClerk as a user would; its database, read-only."""
    data = Path(desktop.env["XDG_DATA_HOME"])
    database = data / "Toastfreeware" / "ConfClerk" / "ConfClerk.sqlite"
    app = desktop.start("confclerk", log=log)

    def explain() -> str:
        state = "running" if app.poll() is None else f"exited with {app.returncode}"
        return f"confclerk {state}; {desktop.windows()}\n{log.read_text(errors='replace')}"

    main = wait_for(lambda: desktop.window("ConfClerk"), "ConfClerk's main window", explain)
    desktop.xdotool("windowfocus", "--sync", main)
    desktop.xdotool("key", "ctrl+o")  # Conferences > Manage Conferences
    editor = wait_for(lambda: desktop.window("Edit Conferences"), "the conference editor", explain)
    # Press the "+" (add) button, which has the focus when the editor opens;
    # failing that, click it, top left of the editor.
    desktop.xdotool("windowfocus", "--sync", editor)
    desktop.xdotool("key", "space")
    if not wait_for(lambda: desktop.window("URL Input"), "", explain, patience=15, fail=False):
        desktop.xdotool("mousemove", "--window", editor, "33", "31", "click", "1")
    entry = wait_for(lambda: desktop.window("URL Input"), "the URL input dialog", explain)
    desktop.xdotool("windowfocus", "--sync", entry)
    desktop.xdotool("type", "--delay", "5", schedule.as_uri())
    desktop.xdotool("key", "Return")
    expected = len(validate_schedule_xml(schedule.read_bytes()).findall("day/room/event"))

    def imported() -> bool | None:
        if not database.is_file():
            return None
        with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as db:
            try:
                (count,) = db.execute("SELECT count(*) FROM event").fetchone()
                (conferences,) = db.execute("SELECT count(*) FROM conference").fetchone()
            except sqlite3.OperationalError:  # still creating its tables
                return None
        return True if conferences == 1 and count == expected else None

    wait_for(imported, f"the import of {expected} events", explain)
    desktop.close()  # ConfClerk has committed; let it exit before reading
    db = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    return db


@dataclass(frozen=True)
class Stored:
    """One event as ConfClerk stored it."""

    title: str
    start: dt.datetime  # ConfClerk keeps the conference's wall-clock time
    minutes: int
    room: str
    track: str
    persons: frozenset[tuple[int, str]]
    links: frozenset[tuple[str, str]]


def stored_events(db: sqlite3.Connection) -> dict[int, Stored]:
    events = {}
    for row in db.execute(
        "SELECT e.id, e.title, e.start, e.duration, r.name AS room, t.name AS track "
        "FROM event e JOIN event_room er ON er.xid_event = e.id "
        "JOIN room r ON r.id = er.xid_room JOIN track t ON t.id = e.xid_track"
    ):
        persons = db.execute(
            "SELECT p.id, p.name FROM event_person ep JOIN person p ON p.id = ep.xid_person "
            "WHERE ep.xid_event = ?",
            (row["id"],),
        )
        links = db.execute("SELECT name, url FROM link WHERE xid_event = ?", (row["id"],))
        events[row["id"]] = Stored(
            title=row["title"],
            start=dt.datetime.fromtimestamp(row["start"], dt.UTC).replace(tzinfo=None),
            minutes=row["duration"] // 60,
            room=row["room"],
            track=row["track"],
            persons=frozenset((p["id"], p["name"]) for p in persons),
            links=frozenset((link["name"], link["url"]) for link in links),
        )
    return events


def test_confclerk_imports_every_talk(
    desktop: Desktop, site: Site, tmp_path: Path
) -> None:
    db = confclerk_import(desktop, site.xml, tmp_path / "confclerk.log")
    conference = db.execute("SELECT title, venue, city FROM conference").fetchone()
    frab = site.frab()["schedule"]["conference"]
    assert conference["title"] == frab["title"]
    assert (conference["venue"], conference["city"]) == (
        frab["meta"].get("venue"), frab["meta"]["city"],
    )
    stored = stored_events(db)
    expected = {}
    for event in site.events():
        hours, minutes = event["duration"].split(":")
        expected[event["id"]] = Stored(
            title=event["title"],
            start=dt.datetime.fromisoformat(event["date"]).replace(tzinfo=None),
            minutes=int(hours) * 60 + int(minutes),
            room=event["room"],
            track=event["track"] or "No track",  # ConfClerk's name for none
            persons=frozenset((p["id"], p["public_name"]) for p in event["persons"]),
            links=frozenset((link["title"], link["url"]) for link in event["links"]),
        )
    assert stored == expected
    # Every timed talk of the calendar, which is made separately, is there.
    calendar = Calendar.from_ical(site.ics.read_bytes())
    timed = sorted(
        (str(e["SUMMARY"]), e.start.replace(tzinfo=None))
        for e in calendar.events
        if isinstance(e.start, dt.datetime)
    )
    assert sorted((s.title, s.start) for s in stored.values()) == timed


def test_confclerk_multiroom_details(desktop: Desktop, multiroom: Site, tmp_path: Path) -> None:
    """What a person would check in the app, written out by hand."""
    db = confclerk_import(desktop, multiroom.xml, tmp_path / "confclerk.log")
    conference = db.execute("SELECT venue, city FROM conference").fetchone()
    assert tuple(conference) == ("Hyatt Regency", "Chicago, IL")
    by_title = {event.title: event for event in stored_events(db).values()}
    assert {title: (str(e.start), e.minutes, e.room) for title, e in by_title.items()} == {
        "Opening Keynote": ("2013-10-24 09:00:00", 0, "Hall A"),
        "Pandas Internals": ("2013-10-24 10:00:00", 45, "Hall A"),
        "Numba: a JIT for NumPy": ("2013-10-24 10:00:00", 30, "Hall B"),
        "Visualising Data with Bokeh": ("2013-10-24 13:30:00", 45, "Room 101"),
        "Lightning Talks": ("2013-10-24 17:00:00", 60, "Hallway"),
        "Late Night Hacking": ("2013-10-24 23:30:00", 60, "Room 101"),
        "Midnight Snack BoF": ("2013-10-25 01:00:00", 45, "Hall A"),
        "Machine Learning with scikit-learn": ("2013-10-25 09:30:00", 45, "Hall A"),
        "The IPython Notebook": ("2013-10-25 09:30:00", 45, "Hall B"),
        "Closing Panel": ("2013-10-25 16:00:00", 60, "Room 101"),
        "After Party Hack Session": ("2013-10-25 22:00:00", 240, "Hall B"),
    }
    talks_of: dict[str, set[str]] = {}
    for event in by_title.values():
        for _id, name in event.persons:
            talks_of.setdefault(name, set()).add(event.title)
    assert talks_of["Ada Lovelace"] == {
        "Opening Keynote", "Pandas Internals", "Late Night Hacking", "Closing Panel",
    }
    assert talks_of["Grace Hopper"] == {
        "Pandas Internals", "Visualising Data with Bokeh", "The IPython Notebook",
        "Midnight Snack BoF",
    }
    # One person, one id, however many talks.
    (ada,) = db.execute("SELECT id FROM person WHERE name = 'Ada Lovelace'").fetchall()
    linked = db.execute("SELECT count(*) FROM event_person WHERE xid_person = ?", (ada[0],))
    assert linked.fetchone()[0] == 4
    assert by_title["Opening Keynote"].links == {
        ("Official page", "https://example.org/2013/opening-keynote/"),
        ("Video", "https://video.example.org/opening-keynote"),
    }
    assert by_title["Visualising Data with Bokeh"].links == {
        ("Video", "https://video.example.org/bokeh"),
        ("Slides", "https://slides.example.org/bokeh"),
    }
    (abstract,) = db.execute(
        "SELECT abstract || '|' || description FROM event WHERE title = 'Pandas Internals'"
    ).fetchone()
    # The directive's whole content is one abstract, a line per paragraph.
    assert abstract == (
        "A tour of the block manager, written over several source lines so that the "
        "abstract has hard line breaks.\n\nA second paragraph, also broken over lines.|"
    )


# -- khal and calcurse ----------------------------------------------------------


def expected_agenda(site: Site) -> set[tuple[str, str]]:
    """(start as Berlin shows it, title) of every event of the site's calendar."""
    calendar = Calendar.from_ical(site.ics.read_bytes())
    agenda = set()
    for event in calendar.events:
        start = event.start
        if isinstance(start, dt.datetime):
            shown = start.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")
        else:
            shown = start.isoformat()
        agenda.add((shown, str(event["SUMMARY"])))
    assert agenda
    return agenda


def run_client(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, (
        f"{command}: exit status {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def khal_agenda(ics: Path, home: Path, days: tuple[dt.date, dt.date]) -> list[str]:
    """``khal list`` of ``ics`` imported into an empty calendar, one line per event."""
    env = client_env(home, TZ="Europe/Berlin")
    config = home / ".config" / "khal" / "config"
    config.parent.mkdir(parents=True)
    calendar = home / "calendar"
    calendar.mkdir()
    config.write_text(
        "[calendars]\n[[conference]]\n"
        f"path = {calendar}\ntype = calendar\n"
        "[locale]\n"
        "timeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "local_timezone = Europe/Berlin\ndefault_timezone = Europe/Berlin\n",
        encoding="utf-8",
    )
    run_client(["khal", "import", "--batch", "-a", "conference", str(ics)], env)
    first, last = days
    output = run_client(
        ["khal", "list", "--once", "--format", "{start}\t{title}", "--day-format", "",
         first.isoformat(), (last + dt.timedelta(days=2)).isoformat()],
        env,
    )
    return [line for line in output.splitlines() if line.strip()]


def calcurse_agenda(ics: Path, home: Path, days: tuple[dt.date, dt.date]) -> set[tuple[str, str]]:
    """(start, title) of every item ``calcurse -Q`` lists for ``ics`` imported afresh.

    The start of an all-day event is the day calcurse lists it under; an
    appointment that runs past midnight is listed on both days, with one start.
    """
    env = client_env(home, TZ="Europe/Berlin")
    data = home / "calcurse"
    data.mkdir(parents=True)
    report = run_client(["calcurse", "-D", str(data), "-i", str(ics)], env)
    assert " 0 skipped" in report, report
    first, last = days
    output = run_client(
        ["calcurse", "-D", str(data), "-Q", "--input-datefmt", "4",
         "--from", first.isoformat(), "--days", str((last - first).days + 3),
         "--format-apt", "%(start:%Y-%m-%d %H:%M)\t%m\n",
         "--format-event", "all-day\t%m\n"],
        env,
    )
    agenda = set()
    day = ""
    for line in output.splitlines():
        if re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{2}:", line):
            day = dt.datetime.strptime(line, "%m/%d/%y:").date().isoformat()
        elif "\t" in line:
            start, title = line.split("\t", 1)
            agenda.add((day if start == "all-day" else start, title))
    return agenda


def conference_days(site: Site) -> tuple[dt.date, dt.date]:
    conference = site.frab()["schedule"]["conference"]
    return dt.date.fromisoformat(conference["start"]), dt.date.fromisoformat(conference["end"])


def test_khal_shows_every_talk_at_berlin_time(site: Site, tmp_path: Path) -> None:
    need("khal")
    lines = khal_agenda(site.ics, tmp_path / "home", conference_days(site))
    shown = {tuple(line.split("\t", 1)) for line in lines}
    assert len(lines) == len(shown)  # no talk twice
    assert shown == expected_agenda(site)


def test_calcurse_shows_every_talk_at_berlin_time(site: Site, tmp_path: Path) -> None:
    need("calcurse")
    shown = calcurse_agenda(site.ics, tmp_path / "home", conference_days(site))
    assert shown == expected_agenda(site)


def test_berlin_times_of_the_multiroom_conference(multiroom: Site, tmp_path: Path) -> None:
    """Chicago in October is seven hours behind Berlin, written out by hand."""
    need("khal", "calcurse")
    days = conference_days(multiroom)
    khal = set(khal_agenda(multiroom.ics, tmp_path / "khal", days))
    calcurse = calcurse_agenda(multiroom.ics, tmp_path / "calcurse", days)
    for start, title in (
        ("2013-10-24 16:00", "Opening Keynote"),
        ("2013-10-25 06:30", "Late Night Hacking"),
        ("2013-10-25 08:00", "Midnight Snack BoF"),
        ("2013-10-26 05:00", "After Party Hack Session"),
        ("2013-10-24", "Sprint Planning"),
    ):
        assert f"{start}\t{title}" in khal
        assert (start, title) in calcurse
