"""``schedule.xml``: the frab structure as XML (c3voc ``schedule.xml.xsd``).

Built with :mod:`xml.etree.ElementTree`, which escapes text and attribute
values, so a title such as ``<script>`` stays text. Attributes are written in
the order they are set here, which makes the bytes deterministic.

``<conference>`` also carries pentabarf's ``<venue>`` and ``<city>``, which
the c3voc schema does not list: ConfClerk (and FOSDEM's schedule readers)
read the place from them and nowhere else. Apps that follow the schema ignore
elements they do not know. Everything else follows the schema.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Final

from ..model import ConferenceInfo, Talk
from ._common import TalkUrl
from .frab import GENERATOR, FrabEvent, FrabSchedule, frab_schedule

#: The XSD's ``voc-slug-new``; the slug element is optional, so a slug that
#: does not fit (a very short talk id) is left out rather than made invalid.
_XML_SLUG_RE: Final = re.compile(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}")


def frab_xml(
    info: ConferenceInfo,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    *,
    language: str = "en",
) -> bytes:
    """``schedule.xml``: :func:`~conference.exporters.frab.frab_schedule` as UTF-8 XML."""
    return schedule_xml(frab_schedule(info, talks, talk_url, language=language))


def schedule_xml(schedule: FrabSchedule) -> bytes:
    """The bytes of ``schedule.xml`` for an already built :class:`FrabSchedule`."""
    root = _schedule_element(schedule)
    ET.indent(root, space="  ")
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def _schedule_element(schedule: FrabSchedule) -> ET.Element:
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    _text(root, "version", schedule.version)
    conference = ET.SubElement(root, "conference")
    _text(conference, "title", schedule.title)
    _text(conference, "acronym", schedule.acronym)
    for tag, value in (("venue", schedule.venue), ("city", schedule.city)):
        if value:
            _text(conference, tag, value)
    _text(conference, "start", schedule.start.isoformat())
    _text(conference, "end", schedule.end.isoformat())
    _text(conference, "days", str(len(schedule.days)))
    _text(conference, "timeslot_duration", schedule.timeslot_duration)
    if schedule.url:
        _text(conference, "url", schedule.url)
    _text(conference, "time_zone_name", schedule.time_zone_name)
    for track in schedule.tracks:
        element = ET.SubElement(conference, "track", name=track.name)
        if track.slug:
            element.set("slug", track.slug)
    for day in schedule.days:
        day_element = ET.SubElement(root, "day")
        day_element.set("index", str(day.index))
        day_element.set("date", day.date.isoformat())
        day_element.set("start", day.start.isoformat())
        day_element.set("end", day.end.isoformat())
        for room in day.rooms:
            room_element = ET.SubElement(day_element, "room", name=room.name, guid=room.guid)
            for event in room.events:
                _event_element(room_element, event)
    return root


def _event_element(parent: ET.Element, event: FrabEvent) -> None:
    element = ET.SubElement(parent, "event")
    element.set("id", str(event.id))
    element.set("guid", event.guid)
    _text(element, "room", event.room)
    _text(element, "title", event.title)
    _text(element, "subtitle", event.subtitle)
    _text(element, "type", event.type)
    _text(element, "date", event.date.isoformat())
    _text(element, "start", event.start)
    _text(element, "duration", event.duration)
    _text(element, "abstract", event.abstract)
    if _XML_SLUG_RE.fullmatch(event.slug):
        _text(element, "slug", event.slug)
    _text(element, "track", event.track)
    persons = ET.SubElement(element, "persons")
    for person in event.persons:
        person_element = _text(persons, "person", person.name)
        person_element.set("id", str(person.id))
        person_element.set("guid", person.guid)
    _text(element, "language", event.language)
    _text(element, "description", event.description)
    recording = ET.SubElement(element, "recording")
    _text(recording, "license", "")
    _text(recording, "optout", "false")
    links = ET.SubElement(element, "links")
    for link in event.links:
        link_element = _text(links, "link", link.title)
        link_element.set("href", link.url)
        link_element.set("type", link.type)
    ET.SubElement(element, "attachments")
    if event.url:
        _text(element, "url", event.url)
    if event.origin_url:
        _text(element, "origin_url", event.origin_url)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element
