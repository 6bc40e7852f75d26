"""The data model of a conference: talks, presenters, time slots, and their parsers.

Everything here is plain Python with no Sphinx import, so the parsers can be
tested (and fuzzed) without building a project. The directive turns option
strings into these values; the domain stores them (they pickle); the schedule
and the exporters only ever read them.

Each parser raises :class:`TalkDataError` and nothing else on bad input, so the
directive can turn any mistake into one located warning and keep going.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from docutils.nodes import make_id

__all__ = [
    "KINDS",
    "ConferenceInfo",
    "Presenter",
    "Talk",
    "TalkDataError",
    "TimeSlot",
    "format_presenters",
    "parse_conference_days",
    "parse_date",
    "parse_presenters",
    "parse_time",
    "parse_timezone",
    "parse_url",
    "salvage_presenters",
    "script_scheme",
    "stable_id",
]

#: The kinds of session a conference schedule distinguishes. Anything else is
#: almost always a typo, so the directive warns and falls back to ``talk``.
KINDS: Final = (
    "talk",
    "keynote",
    "tutorial",
    "sponsor tutorial",
    "lightning",
    "panel",
    "poster",
    "open space",
    "summit",
    "sprint",
)

#: A talk that crosses midnight (``23:30-00:30``) is plausible; one that "ends"
#: more than this long after it starts is an inverted range (``11:00-10:00``).
MAX_DURATION: Final = dt.timedelta(hours=12)

# ASCII digits only: ``\d`` would accept other scripts' digits ("١٢:٣٠"), which
# int() reads but nobody means in a schedule written in HH:MM.
_TIME_RE: Final = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PRESENTER_RE: Final = re.compile(r"([^()]*?)\s*(?:\(([^()]*)\))?")
_SAFE_SCHEMES: Final = frozenset({"http", "https"})
#: Schemes a browser runs or renders as a document of its own: a link to one of
#: these is script injection, wherever on a page it comes from.
_SCRIPT_SCHEMES: Final = frozenset({"javascript", "vbscript", "livescript", "data"})
_SCHEME_RE: Final = re.compile(r"([a-z][a-z0-9+.-]*):")


class TalkDataError(ValueError):
    """A value written in a talk or in the configuration cannot be understood."""


@dataclasses.dataclass(frozen=True, order=True)
class Presenter:
    """One person presenting a talk, with the affiliation given in parentheses."""

    name: str
    affiliation: str = ""

    @property
    def id(self) -> str:
        """Stable anchor of this person in the presenters index."""
        return stable_id("presenter-" + self.name)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Family name first, as printed conference indices sort people.

        Accents are folded (``make_id`` transliterates ``Łabędzka`` to
        ``labedzka``) so a name sorts with its letter, not after ``Z``.
        """
        parts = self.name.split()
        family = parts[-1] if parts else ""
        return (make_id(family) or family.casefold(), family.casefold(), self.name.casefold())

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


@dataclasses.dataclass(frozen=True)
class TimeSlot:
    """Local start and optional end of a talk on its day.

    An end earlier than the start means the talk runs past midnight; an end
    equal to the start is a slot of no length (which :func:`parse_time` rejects).
    """

    start: dt.time
    end: dt.time | None = None

    @property
    def duration(self) -> dt.timedelta | None:
        """Length of the slot, or ``None`` when only a start was given."""
        if self.end is None:
            return None
        start = dt.timedelta(hours=self.start.hour, minutes=self.start.minute)
        end = dt.timedelta(hours=self.end.hour, minutes=self.end.minute)
        if end < start:
            end += dt.timedelta(days=1)
        return end - start

    def __str__(self) -> str:
        text = self.start.strftime("%H:%M")
        if self.end is not None:
            text += "-" + self.end.strftime("%H:%M")
        return text


@dataclasses.dataclass(frozen=True)
class Talk:
    """Everything the site knows about one talk, as collected from its directive.

    ``day`` is the conference day folder the page lives in (``None`` for a talk
    given elsewhere, which carries its own ``date`` instead). ``anchor`` is the
    HTML id of the talk's target on ``docname``.
    """

    id: str
    title: str
    docname: str
    lineno: int
    anchor: str
    day: str | None = None
    date: dt.date | None = None
    time: TimeSlot | None = None
    presenters: tuple[Presenter, ...] = ()
    track: str = ""
    room: str = ""
    kind: str = "talk"
    url: str = ""
    video: str = ""
    slides: str = ""
    description: str = ""
    #: The program's identity of the session (``:guid:``): what a re-import
    #: matches pages by, and the frab guid when it is a UUID.
    guid: str = ""
    subtitle: str = ""
    language: str = ""
    #: The program's own session type as it spells it (``:type:``), exported
    #: as frab's ``type``; ``kind`` is the site's classification.
    session_type: str = ""
    #: frab's ``description``: the longer text in a ``talk-description`` block,
    #: apart from the abstract (``description``).
    details: str = ""
    cancelled: bool = False
    #: The title as the source spells it, before smart quotes curl the page's
    #: (``title``): what the exports carry, so a program round-trips.
    raw_title: str = ""
    #: Further links (``:links:``), as ``(title, url)``: a program's links
    #: other than the video and the slides.
    links: tuple[tuple[str, str], ...] = ()

    @property
    def location(self) -> str:
        """Where the talk happens: its room, else its track (frab's "room")."""
        return self.room or self.track

    def start_datetime(self, tz: dt.tzinfo) -> dt.datetime | None:
        """The aware start instant, or ``None`` for an untimed or undated talk."""
        if self.time is None or self.date is None:
            return None
        return dt.datetime.combine(self.date, self.time.start, tzinfo=tz)

    def end_datetime(self, tz: dt.tzinfo) -> dt.datetime | None:
        """The aware end instant, computed through UTC so DST gaps are honest."""
        start = self.start_datetime(tz)
        if start is None or self.time is None or self.time.duration is None:
            return None
        utc = start.astimezone(dt.UTC) + self.time.duration
        return utc.astimezone(tz)


@dataclasses.dataclass(frozen=True)
class ConferenceInfo:
    """The conference as configured in ``conf.py``, already validated."""

    name: str
    acronym: str
    days: Mapping[str, dt.date]
    timezone: str
    location: str = ""
    base_url: str = ""
    #: The building and the town (``conference_venue``, ``conference_city``):
    #: what conference apps and calendars show as the place.
    venue: str = ""
    city: str = ""

    @property
    def place(self) -> str:
        """``venue, city`` (whichever are set), else ``location``: where it all happens."""
        return ", ".join(part for part in (self.venue, self.city) if part) or self.location

    @property
    def tzinfo(self) -> dt.tzinfo:
        """The conference's time zone as a ``zoneinfo`` object."""
        return ZoneInfo(self.timezone)

    @property
    def start(self) -> dt.date:
        """First conference day."""
        return min(self.days.values())

    @property
    def end(self) -> dt.date:
        """Last conference day."""
        return max(self.days.values())


def stable_id(text: str) -> str:
    """``make_id(text)``, or a digest-based id when nothing of it is ASCII-able.

    ``make_id`` folds accents (``Łukasz`` -> ``lukasz``) but drops scripts it
    cannot transliterate (a CJK title gives ``""``); a digest keeps such ids
    unique and stable from build to build.
    """
    ident = make_id(text)
    if ident and ident not in {"presenter", "talk"}:
        return ident
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
    return f"{ident or 'id'}-{digest}"


def parse_presenters(text: str) -> tuple[Presenter, ...]:
    """Parse ``Graham Dumpleton (New Relic), Dana Bauer`` into presenters.

    Commas separate people; an affiliation goes in parentheses after a name.
    Commas inside parentheses belong to the affiliation
    (``Ada (Analytical Engines, Ltd)``).
    """
    people: list[Presenter] = []
    for chunk in _split_top_level(text):
        match = _PRESENTER_RE.fullmatch(chunk.strip())
        if match is None:
            raise TalkDataError(f"cannot read presenter {chunk.strip()!r}")
        name = " ".join(match.group(1).split())
        affiliation = " ".join((match.group(2) or "").split())
        if not name:
            raise TalkDataError(f"presenter without a name in {text.strip()!r}")
        people.append(Presenter(name, affiliation))
    if not people:
        raise TalkDataError("empty presenter list")
    return tuple(people)


def salvage_presenters(text: str) -> tuple[Presenter, ...]:
    """Whatever people can be read from a list :func:`parse_presenters` rejects.

    Never raises. A chunk that is not ``Name (Affiliation)`` is kept whole, as
    the name, so a page still shows what was typed (as text); chunks with no
    letter or digit (``,,,``) are dropped. Commas split people even inside
    unbalanced parentheses.
    """
    try:
        return parse_presenters(text)
    except TalkDataError:
        pass
    try:
        chunks = _split_top_level(text)
    except TalkDataError:
        chunks = text.split(",")
    people: list[Presenter] = []
    for chunk in chunks:
        match = _PRESENTER_RE.fullmatch(chunk.strip())
        name = " ".join(match.group(1).split()) if match else ""
        if match and name:
            people.append(Presenter(name, " ".join((match.group(2) or "").split())))
        elif any(char.isalnum() for char in chunk):
            people.append(Presenter(" ".join(chunk.split())))
    return tuple(people)


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses; reject unbalanced ones."""
    chunks: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
            if depth > 1:
                raise TalkDataError(f"nested parentheses in {text.strip()!r}")
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise TalkDataError(f"unbalanced ')' in {text.strip()!r}")
        if char == "," and depth == 0:
            chunks.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise TalkDataError(f"unclosed '(' in {text.strip()!r}")
    chunks.append("".join(current))
    return [chunk for chunk in chunks if chunk.strip()]


def format_presenters(presenters: Sequence[Presenter]) -> str:
    """Write presenters back in the ``:presenter:`` syntax (inverse of parsing)."""
    return ", ".join(str(person) for person in presenters)


def _parse_clock(text: str) -> dt.time:
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise TalkDataError(f"{text.strip()!r} is not a time of day (HH:MM)")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise TalkDataError(f"{text.strip()!r} is not a time of day (HH:MM)")
    return dt.time(hour, minute)


def parse_time(text: str) -> TimeSlot:
    """Parse ``HH:MM`` or ``HH:MM-HH:MM`` (local conference time).

    An end before the start crosses midnight, but only up to
    :data:`MAX_DURATION`; beyond that the range is taken to be inverted.
    """
    parts = text.strip().split("-")
    if len(parts) not in (1, 2):
        raise TalkDataError(f"{text.strip()!r} is not HH:MM or HH:MM-HH:MM")
    start = _parse_clock(parts[0])
    if len(parts) == 1:
        return TimeSlot(start)
    slot = TimeSlot(start, _parse_clock(parts[1]))
    duration = slot.duration
    if not duration:
        raise TalkDataError(f"{text.strip()!r} ends when it starts")
    if duration > MAX_DURATION:
        raise TalkDataError(f"{text.strip()!r} ends before it starts")
    return slot


def parse_date(text: str) -> dt.date:
    """Parse an ISO ``YYYY-MM-DD`` date, and nothing looser."""
    value = text.strip()
    if _DATE_RE.fullmatch(value) is None:
        raise TalkDataError(f"{value!r} is not a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise TalkDataError(f"{value!r} is not a date: {exc}") from None


def parse_url(text: str) -> str:
    """Accept an absolute http(s) URL; anything else could run script or mislead."""
    value = text.strip()
    if any(char.isspace() or ord(char) < 32 for char in value):
        raise TalkDataError(f"{value!r} contains whitespace or control characters")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise TalkDataError(f"{value!r} is not a URL: {exc}") from None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        raise TalkDataError(f"{value!r} is not an http or https URL")
    return value


def script_scheme(uri: str) -> str:
    r"""The scheme of ``uri`` if following it would run script, else ``""``.

    Read as a browser reads an ``href``: leading spaces and control
    characters are skipped, and tabs and newlines anywhere are ignored, so
    ``" java\tscript:"`` is ``javascript``. Case does not matter.
    """
    text = "".join(char for char in uri if char not in "\t\n\r").lstrip(
        "".join(chr(code) for code in range(33))
    )
    match = _SCHEME_RE.match(text.lower())
    scheme = match.group(1) if match else ""
    return scheme if scheme in _SCRIPT_SCHEMES else ""


def parse_timezone(name: object) -> str:
    """Check that ``name`` is an IANA time zone known to ``zoneinfo``."""
    if not isinstance(name, str) or not name:
        raise TalkDataError(f"conference_timezone {name!r} is not an IANA time zone name")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a folder of the database ("America") or a name too long
        # for the file system is not a zone either.
        raise TalkDataError(f"conference_timezone {name!r} is not an IANA time zone") from None
    return name


def parse_conference_days(days: object) -> dict[str, dt.date]:
    """Validate ``conference_days`` (day folder -> ISO date), kept in date order."""
    if not isinstance(days, Mapping):
        raise TalkDataError(f"conference_days {days!r} is not a mapping of folder to date")
    parsed: dict[str, dt.date] = {}
    for folder, value in days.items():
        if (
            not isinstance(folder, str)
            or folder in {"", ".", ".."}
            or folder != folder.strip()
            or any(char in "/\\" for char in folder)
        ):
            raise TalkDataError(f"conference_days key {folder!r} is not a folder name")
        # A datetime is a date too, but cannot be ordered against plain dates.
        if not isinstance(value, str | dt.date) or isinstance(value, dt.datetime):
            raise TalkDataError(f"conference_days[{folder!r}] = {value!r} is not a date")
        try:
            date = value if isinstance(value, dt.date) else parse_date(value)
        except TalkDataError as exc:
            raise TalkDataError(f"conference_days[{folder!r}]: {exc}") from None
        if date in parsed.values():
            raise TalkDataError(f"conference_days gives {date} to two folders")
        parsed[folder] = date
    return dict(sorted(parsed.items(), key=lambda item: item[1]))


_LINK_RE: Final = re.compile(r"([^<]*)<([^<>\s]+)>")


def parse_links(text: str) -> tuple[tuple[str, str], ...]:
    """Parse ``Project page <https://…>, Repository <https://…>`` into (title, url) pairs.

    Each link is an optional title and an http(s) URL in angle brackets; the
    commas between them are separators. A URL that is not http(s) raises.
    """
    links = []
    end = 0
    for match in _LINK_RE.finditer(text):
        if text[end:match.start()].strip(" ,"):
            break
        links.append((" ".join(match.group(1).strip(" ,").split()), parse_url(match.group(2))))
        end = match.end()
    if text[end:].strip(" ,") or not links:
        raise TalkDataError(f"{text.strip()!r} is not a list of 'Title <https://...>' links")
    return tuple(links)
