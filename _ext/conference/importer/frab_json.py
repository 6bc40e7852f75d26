"""frab JSON programs: pretalx's ``schedule.json`` (c3voc's schedule JSON schema).

``schedule.conference`` names the conference and its zone (``time_zone_name``);
``days[].rooms`` maps room names to events. Every value is type-checked as it
is read: a hostile file with a number where a title belongs, or a list where
a room belongs, imports what can be read and says what could not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .frab_event import RawEvent, to_session
from .frab_xml import DEFAULT_DAY_CHANGE
from .program import (
    Program,
    ProgramError,
    Session,
    acronym_of,
    line,
    parse_date,
    parse_instant,
    text,
    zone,
)


def is_frab_json(document: object) -> bool:
    """Whether ``document`` has a frab ``schedule.conference``."""
    schedule = document.get("schedule") if isinstance(document, dict) else None
    return isinstance(schedule, dict) and isinstance(schedule.get("conference"), dict)


def _str(value: object) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def read(document: dict[str, Any], timezone: str | None, site_timezone: str | None) -> Program:
    """The program in ``document``; ``timezone`` (``--timezone``) overrides its zone."""
    conference = _dict(_dict(document.get("schedule")).get("conference"))
    days_data = [_dict(day) for day in _list(conference.get("days"))]
    events = [(day, room, _dict(event))
              for day in days_data
              for room, room_events in _dict(day.get("rooms")).items()
              for event in _list(room_events)]
    has_offsets = any(parse_instant(_str(event.get("date"))) for _, _, event in events)
    name = timezone or line(conference.get("time_zone_name")) or site_timezone
    if not name:
        raise ProgramError(
            "the program gives only UTC offsets, not a time zone: pass --timezone NAME"
            if has_offsets else "the program names no time zone: pass --timezone NAME"
        )
    tz = zone(name)
    warnings: list[str] = []
    days: list[dt.date] = []
    for position, day in enumerate(days_data):
        date = parse_date(_str(day.get("date")))
        if date is None:
            warnings.append(f"day {position + 1}: no readable date; its sessions are left out")
        elif date not in days:
            days.append(date)
    sessions: list[Session] = []
    for day, room, event in events:
        date = parse_date(_str(day.get("date")))
        if date is None:
            continue
        start = parse_instant(_str(day.get("day_start")))
        session = to_session(
            _raw(event, room),
            day=days.index(date),
            day_date=date,
            day_change=start.astimezone(tz).time() if start else DEFAULT_DAY_CHANGE,
            tz=tz,
            warnings=warnings,
        )
        if session is not None:
            sessions.append(session)
    title = line(conference.get("title"))
    return Program(
        format="frab JSON",
        name=title or "Conference",
        acronym=acronym_of(line(conference.get("acronym")) or title),
        timezone=name,
        days=tuple(days),
        sessions=tuple(sessions),
        warnings=tuple(warnings),
    )


def _raw(event: dict[str, Any], room: str) -> RawEvent:
    persons = []
    for person in _list(event.get("persons")):
        if isinstance(person, dict):
            persons.append(text(person.get("public_name") or person.get("name")))
        else:
            persons.append(text(person))
    links = []
    for link in _list(event.get("links")):
        if isinstance(link, dict):
            links.append((_str(link.get("url")), _str(link.get("title")), _str(link.get("type"))))
    return RawEvent(
        guid=_str(event.get("guid")),
        id=_str(event.get("id")),
        date=_str(event.get("date")),
        start=_str(event.get("start")),
        duration=_str(event.get("duration")),
        room=_str(event.get("room")) or _str(room),
        title=_str(event.get("title")),
        subtitle=_str(event.get("subtitle")),
        track=_str(event.get("track")),
        type=_str(event.get("type")),
        language=_str(event.get("language")),
        abstract=_str(event.get("abstract")),
        description=_str(event.get("description")),
        url=_str(event.get("url")),
        slug=_str(event.get("slug")),
        persons=persons,
        links=links,
    )
