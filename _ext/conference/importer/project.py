"""The Sphinx project an import writes into: a new one, or the one already in DIR.

A new DIR gets a complete project (``conf.py``, the root page with the
overview, one folder per program day with its schedule page, the presenters
and tracks pages). An existing one is read: its
``conference_days`` say which folder holds which date, and its
``conference_timezone`` is the zone pages are written in. The one exception is a
``conf.py`` the importer wrote itself: when the program gains a day, that day is
added to its ``conference_days`` (:func:`add_days`).
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import re
import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from ..model import TalkDataError, parse_conference_days
from .pages import md_title, rst_title
from .program import Program, ProgramError

_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                    "sunday")
_MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July",
                  "August", "September", "October", "November", "December")


@dataclasses.dataclass(frozen=True)
class Site:
    """Where pages go: day folders by date, the zone, and whether DIR is new."""

    folders: Mapping[dt.date, str]
    timezone: str
    new: bool


def existing_site(directory: Path) -> Site | None:
    """The site configured by ``DIR/conf.py``, or ``None`` when there is none.

    ``conf.py`` is executed, as Sphinx executes it; one that fails to run or
    has no usable ``conference_days`` is refused.
    """
    conf = directory / "conf.py"
    if not conf.is_file():
        return None
    try:
        namespace = runpy.run_path(str(conf), run_name="conf")
    except Exception as exc:  # any error of the user's conf.py
        raise ProgramError(f"{conf} cannot be run: {exc}") from None
    try:
        days = parse_conference_days(namespace.get("conference_days", {}))
    except TalkDataError as exc:
        raise ProgramError(f"{conf}: {exc}") from None
    if not days:
        raise ProgramError(f"{conf} sets no conference_days: there is no day folder "
                           "to import sessions into")
    timezone = namespace.get("conference_timezone")
    return Site(folders={date: folder for folder, date in days.items()},
                timezone=timezone if isinstance(timezone, str) else "", new=False)


#: The first line of a ``conf.py`` the importer wrote (see :func:`project_files`).
GENERATED: Final = "written by ``conference import``"
_DAYS_LINE_RE: Final = re.compile(r"^conference_days = (\{.*\})$", re.MULTILINE)


def add_days(directory: Path, site: Site, program: Program) -> tuple[Site, str] | None:
    """The site and ``conf.py`` text with the program's new days, or ``None`` if impossible.

    Only a ``conf.py`` the importer wrote, still holding its one-line
    ``conference_days``, is changed: a program that gains a day during the
    conference then re-syncs; any other ``conf.py`` is the writer's to edit.
    """
    conf = directory / "conf.py"
    text = conf.read_text("utf-8")
    match = _DAYS_LINE_RE.search(text)
    if GENERATED not in text.split("\n", 1)[0] or match is None:
        return None
    try:
        days = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return None
    if not isinstance(days, dict):
        return None
    folders = dict(site.folders)
    for date in program.days:
        if date not in folders:
            name = _WEEKDAYS[date.weekday()]
            number = len(folders) + 1
            while name in folders.values():
                name, number = f"day{number}", number + 1
            folders[date] = name
    ordered = dict(sorted(folders.items()))
    line = f"conference_days = {({f: d.isoformat() for d, f in ordered.items()})!r}"
    return (dataclasses.replace(site, folders=ordered),
            text[:match.start()] + line + text[match.end():])


def new_site(program: Program) -> Site:
    """Day folders named by weekday (``friday``), or ``day1``... when weekdays repeat."""
    names = [_WEEKDAYS[date.weekday()] for date in program.days]
    if len(set(names)) != len(names):
        names = [f"day{index}" for index in range(1, len(program.days) + 1)]
    return Site(folders=dict(zip(program.days, names, strict=True)),
                timezone=program.timezone, new=True)


def day_heading(date: dt.date) -> str:
    """``Friday, December 27, 2019`` (English; the pages are the writer's to translate)."""
    return (f"{_WEEKDAYS[date.weekday()].capitalize()}, {_MONTHS[date.month - 1]} "
            f"{date.day}, {date.year}")


def _heading(fmt: str, title: str) -> str:
    return md_title(title) if fmt == "md" else rst_title(title)


def _directive(fmt: str, name: str) -> str:
    return f"```{{{name}}}\n```\n" if fmt == "md" else f".. {name}::\n"


def day_index(fmt: str, date: dt.date) -> str:
    """A day folder's page: its heading and its schedule."""
    return _heading(fmt, day_heading(date)) + "\n" + _directive(fmt, "schedule")


def project_files(program: Program, site: Site, fmt: str) -> dict[str, str]:
    """The files of a new project, by path relative to DIR (day pages excluded)."""
    days = {folder: date.isoformat() for date, folder in site.folders.items()}
    # MyST pages need myst-parser, and Sphinx must be told to read .md files.
    extensions = ('extensions = ["myst_parser", "conference"]\n'
                  'source_suffix = {".rst": "restructuredtext", ".md": "markdown"}'
                  if fmt == "md" else 'extensions = ["conference"]')
    conf = f'''"""Sphinx configuration, written by ``conference import`` ({program.format}).

Edit it freely: a re-import reads ``conference_days`` and ``conference_timezone``
from here. It only ever adds a day the program gained to the one-line
``conference_days`` below, and only while this first line says the importer wrote it.
"""

project = {program.name!r}
{extensions}

conference_name = {program.name!r}
conference_acronym = {program.acronym!r}
conference_days = {days!r}
conference_timezone = {site.timezone!r}
conference_location = {program.location!r}
conference_venue = {program.venue!r}
conference_city = {program.city or program.location!r}

# The theme the extension's stylesheet is made for (contrast, phones).
html_theme = "sphinx_rtd_theme"
exclude_patterns = ["_build"]
'''
    ext = fmt
    toctree = ("```{toctree}\n:hidden:\n\npresenters\ntracks\n```\n" if fmt == "md" else
               ".. toctree::\n   :hidden:\n\n   presenters\n   tracks\n")
    return {
        "conf.py": conf,
        f"index.{ext}": _heading(fmt, program.name) + "\n" + _directive(fmt, "schedule")
        + "\n" + toctree,
        f"presenters.{ext}": _heading(fmt, "Presenters") + "\n" + _directive(fmt, "presenters"),
        f"tracks.{ext}": _heading(fmt, "Tracks") + "\n" + _directive(fmt, "tracks"),
    }
