"""The neutral program model every reader produces, and what readers share.

A reader turns one program format (frab XML, frab JSON, pyvideo) into a
:class:`Program`; the page writer and the re-sync only ever see this model, so
adding a format never touches them. Nothing here imports Sphinx.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..model import TalkDataError, parse_url

#: Characters that end a line for docutils' ``splitlines`` (or are controls no
#: output format carries): program text is normalised to ``\n`` before writing.
_LINE_BREAKS: Final = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROLS: Final = re.compile("[\x00-\x08\x0e-\x1b\x7f\ufffe\uffff\ud800-\udfff]")


class ProgramError(Exception):
    """The program cannot be imported at all: nothing is written."""


@dataclasses.dataclass(frozen=True)
class Link:
    """A link of a session; ``kind`` is ``video``, ``slides`` or ``other``."""

    url: str
    title: str
    kind: str


@dataclasses.dataclass(frozen=True)
class Session:
    """One session as the program describes it, times already in the conference zone.

    ``ident`` is the program's identity (guid, else id): pages are matched by
    it, never by title. ``day`` is the index in :attr:`Program.days` of the
    program day that lists the session; ``start`` may fall on the next
    calendar date (after midnight).
    """

    ident: str
    title: str
    day: int
    start: dt.datetime | None = None
    duration: dt.timedelta | None = None
    subtitle: str = ""
    room: str = ""
    track: str = ""
    type: str = ""
    kind: str = ""
    language: str = ""
    abstract: str = ""
    description: str = ""
    url: str = ""
    slug: str = ""
    persons: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    cancelled: bool = False


@dataclasses.dataclass(frozen=True)
class Program:
    """A whole program: the conference, its days (dates) and its sessions."""

    format: str
    name: str
    acronym: str
    timezone: str
    days: tuple[dt.date, ...]
    sessions: tuple[Session, ...]
    location: str = ""
    #: The venue and the city, where the program names them apart (frab XML).
    venue: str = ""
    city: str = ""
    #: Problems found while reading, each naming the session it concerns.
    warnings: tuple[str, ...] = ()


#: Program session types (casefolded, ``_``/``-`` as spaces) -> the site's ``:kind:``.
KIND_OF_TYPE: Final[dict[str, str]] = {
    "talk": "talk", "lecture": "talk", "vortrag": "talk", "talks": "talk",
    "keynote": "keynote", "plenary": "keynote",
    "workshop": "tutorial", "tutorial": "tutorial", "sponsor tutorial": "sponsor tutorial",
    "lightning": "lightning", "lightning talk": "lightning", "lightning talks": "lightning",
    "lightningtalk": "lightning",
    "panel": "panel", "podium": "panel", "podium discussion": "panel",
    "podiumsdiskussion": "panel", "discussion": "panel",
    "poster": "poster", "posters": "poster",
    "open space": "open space", "summit": "summit", "sprint": "sprint", "sprints": "sprint",
}

#: ISO 639-2 codes pyvideo uses -> the 639-1 codes frab and Sphinx use.
LANGUAGE_CODES: Final[dict[str, str]] = {
    "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es",
    "ita": "it", "por": "pt", "jpn": "ja", "rus": "ru", "zho": "zh", "chi": "zh",
    "pol": "pl", "nld": "nl", "dut": "nl", "ces": "cs", "cze": "cs", "kor": "ko",
}


def kind_of(session_type: str) -> str:
    """The site's kind for a program type, or ``""`` when none fits."""
    key = " ".join(session_type.casefold().replace("_", " ").replace("-", " ").split())
    return KIND_OF_TYPE.get(key, "")


def text(value: object) -> str:
    """A program text field: line breaks normalised, controls removed, outer space stripped.

    ``None`` and non-strings (a number where a text belongs) become ``""`` or
    their ``str``, never an exception: hostile programs are still imported.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value) if isinstance(value, int | float) else ""
    value = _LINE_BREAKS.sub("\n", value).replace("\t", " ")
    return _CONTROLS.sub("", value).strip()


def line(value: object) -> str:
    """A one-line field (title, room, name): :func:`text` with all whitespace collapsed."""
    return " ".join(text(value).split())


def http_link(value: object) -> str:
    """An absolute http(s) URL, or ``""`` (the directive would reject anything else)."""
    candidate = line(value)
    if not candidate:
        return ""
    try:
        return parse_url(candidate)
    except TalkDataError:
        return ""


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; :class:`ProgramError` when it is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ProgramError(f"{name!r} is not an IANA time zone name") from None


_DURATION_RE: Final = re.compile(r"(?:(\d+)[:.])?(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_duration(value: str) -> dt.timedelta | None:
    """Read frab's ``HH:MM`` (pentabarf's ``HH:MM:SS``, ``D:HH:MM``); ``None`` if unreadable."""
    match = _DURATION_RE.fullmatch(value.strip())
    if match is None:
        return None
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


_CLOCK_RE: Final = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_clock(value: str) -> dt.time | None:
    """``HH:MM`` or ``HH:MM:SS`` as a time of day; ``None`` if it is not one."""
    match = _CLOCK_RE.fullmatch(value.strip())
    if match is None:
        return None
    hour, minute, second = (int(part or 0) for part in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def parse_date(value: str) -> dt.date | None:
    """An ISO date (the date part of an ISO datetime is accepted); ``None`` otherwise."""
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def parse_instant(value: str) -> dt.datetime | None:
    """An ISO datetime *with* an offset (frab's event ``date``); ``None`` otherwise."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def session_start(
    tz: dt.tzinfo,
    day: dt.date,
    instant: str,
    start: str,
    day_change: dt.time,
) -> dt.datetime | None:
    """Where a frab event starts, in the conference zone.

    The event's ``date`` (an instant) wins; without one, ``start`` is a wall
    clock time on the program day, on the next calendar date when it is before
    the day change (frab days run until about 04:00).
    """
    moment = parse_instant(instant)
    if moment is not None:
        return moment.astimezone(tz)
    clock = parse_clock(start)
    if clock is None:
        return None
    date = day + dt.timedelta(days=1) if clock < day_change else day
    return dt.datetime.combine(date, clock, tzinfo=tz)


def acronym_of(name: str) -> str:
    """An acronym frab accepts (``[a-z0-9_]``, at least four), from any text.

    ``conference_acronym`` is checked against the same rule at build time; an
    acronym that breaks it would be a warning, and ``-W`` a failed build.
    """
    acronym = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return acronym if len(acronym) >= 4 else f"{acronym}_conf".lstrip("_")
