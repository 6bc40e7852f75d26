"""frab XML programs: pentabarf's, frab's and pretalx's ``schedule.xml``.

The three flavours share one shape (c3voc's schedule XSD): ``conference``,
then ``day`` elements holding ``room`` elements holding ``event`` elements.
They differ in what an event carries: pentabarf gives an integer ``id`` and
a wall-clock ``start`` only; frab and pretalx add a ``guid`` and the ``date``
instant with its UTC offset, and newer versions name the zone
(``time_zone_name``). The file is parsed without entities, DTDs or network
access, so a hostile file cannot read local files or expand entities.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from lxml import etree

from .frab_event import RawEvent, to_session
from .program import (
    Program,
    ProgramError,
    Session,
    acronym_of,
    line,
    parse_clock,
    parse_date,
    parse_instant,
    text,
    zone,
)

#: frab and pretalx start a program day at 04:00.
DEFAULT_DAY_CHANGE: Final = dt.time(4, 0)


def parse(data: bytes) -> etree._Element:
    """The root element, read safely; :class:`ProgramError` when it is not XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ProgramError(f"not well-formed XML: {exc}") from None
    return root


def is_frab_xml(root: etree._Element) -> bool:
    """Whether ``root`` is a frab schedule: ``<schedule>`` with a conference or days."""
    return root.tag == "schedule" and (root.find("conference") is not None
                                       or root.find("day") is not None)


def flavour(root: etree._Element) -> str:
    """``pretalx``, ``frab`` or ``pentabarf``, for the report."""
    generator = root.find("generator")
    if generator is not None and "pretalx" in (generator.get("name") or "").casefold():
        return "pretalx"
    event = root.find("day/room/event")
    if event is not None and event.get("guid"):
        return "frab"
    return "pentabarf"


def _all_text(element: etree._Element) -> str:
    """The text of ``element`` and its descendants (markup inside a field is text)."""
    return "".join(str(part) for part in element.itertext())


def _child(element: etree._Element, tag: str) -> str:
    found = element.find(tag)
    return "" if found is None else _all_text(found)


def read(root: etree._Element, timezone: str | None, site_timezone: str | None) -> Program:
    """The program in ``root``; ``timezone`` (``--timezone``) overrides the file's zone."""
    conference = root.find("conference")
    if conference is None:
        conference = etree.Element("conference")
    days_elements = root.findall("day")
    has_offsets = any(parse_instant(_child(event, "date")) is not None
                      for event in root.iterfind("day/room/event"))
    name = timezone or line(_child(conference, "time_zone_name")) or site_timezone
    if not name:
        raise ProgramError(
            "the program gives only UTC offsets, not a time zone: pass --timezone NAME"
            if has_offsets else
            "the program names no time zone: pass --timezone NAME"
        )
    tz = zone(name)
    day_change = parse_clock(_child(conference, "day_change")) or DEFAULT_DAY_CHANGE
    warnings: list[str] = []
    days: list[dt.date] = []
    sessions: list[Session] = []
    for position, day in enumerate(days_elements):
        date = parse_date(day.get("date") or "")
        if date is None:
            warnings.append(f"day {position + 1}: no readable date; its sessions are left out")
            continue
        start = parse_instant(day.get("start") or "")
        change = start.astimezone(tz).time() if start is not None else day_change
        if date not in days:
            days.append(date)
        for room in day.iterfind("room"):
            for event in room.iterfind("event"):
                session = to_session(
                    _raw(event, room.get("name") or ""),
                    day=days.index(date),
                    day_date=date,
                    day_change=change,
                    tz=tz,
                    warnings=warnings,
                )
                if session is not None:
                    sessions.append(session)
    title = line(_child(conference, "title"))
    venue, city = line(_child(conference, "venue")), line(_child(conference, "city"))
    location = ", ".join(part for part in (venue, city) if part)
    return Program(
        format=f"frab XML ({flavour(root)})",
        name=title or "Conference",
        acronym=acronym_of(line(_child(conference, "acronym")) or title),
        timezone=name,
        days=tuple(days),
        sessions=tuple(sessions),
        location=location,
        venue=venue,
        city=city,
        warnings=tuple(warnings),
    )


def _raw(event: etree._Element, room: str) -> RawEvent:
    persons = event.find("persons")
    links = event.find("links")
    return RawEvent(
        guid=event.get("guid") or "",
        id=event.get("id") or "",
        date=_child(event, "date"),
        start=_child(event, "start"),
        duration=_child(event, "duration"),
        room=_child(event, "room") or room,
        title=_child(event, "title"),
        subtitle=_child(event, "subtitle"),
        track=_child(event, "track"),
        type=_child(event, "type"),
        language=_child(event, "language"),
        abstract=_child(event, "abstract"),
        description=_child(event, "description"),
        url=_child(event, "url"),
        slug=_child(event, "slug"),
        persons=[text(_all_text(person)) for person in persons.iterfind("person")]
        if persons is not None else [],
        links=[(link.get("href") or "", _all_text(link), link.get("type") or "")
               for link in links.iterfind("link")] if links is not None else [],
    )
