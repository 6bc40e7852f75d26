"""The schedule in the frab format (c3voc schedule schema), as JSON and as XML.

Conference apps (Giggity, EventFahrplan, ...) and recording pipelines read
this format. :func:`frab_schedule` builds one typed structure from the talks;
:func:`frab_json` and :func:`~conference.exporters.frab_xmlfile.frab_xml` render
that same structure, so the two files cannot disagree.

frab only knows events with a start time: a talk without ``:time:`` is left
out of both files (it is still in the iCalendar exports, as an all-day event),
as are talks not held on a conference day. A day without timed talks is still
listed, with no rooms.

Conventions taken from frab and pretalx, as the c3voc schema describes them:

* A day runs from 04:00 local time to 03:59 the next morning (pretalx's day
  change), widened to include any talk that starts earlier or ends later.
* ``room`` is the talk's room, or its track when it has no room (or, with
  neither, the conference location or name: frab needs one).
* A talk with a start but no end lasts ``00:00``, as in the iCalendar export.
* ``guid`` is a UUIDv5 of ``<acronym>/<talk id>`` in :data:`GUID_NAMESPACE`,
  and the deprecated integer ``id`` is taken from it, so both survive rebuilds
  and reordering; rooms and people get UUIDv5s the same way, and people an
  integer ``id`` too (ConfClerk skips a person without one). Ids are unique
  within the file (Giggity and ConfClerk key on them): the rare hash clash is
  settled by taking the next free number, in guid order.
* The conference's ``venue`` and ``city`` are in the XML's ``<conference>``,
  where ConfClerk and other pentabarf readers look for them, and in the JSON's
  ``conference.meta`` (the JSON schema has no field of its own for them).
* Abstracts are reflowed: one line per paragraph, paragraphs separated by a
  blank line, so apps do not show the RST source's line breaks.
* The schedule ``version`` is a digest of everything else in it, so it changes
  exactly when the schedule does (apps compare it to decide whether to reload).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from ..model import ConferenceInfo, Presenter, Talk, stable_id
from ._common import TalkUrl, clean_text, conference_talks, http_url, reflow

#: Namespace of every UUID this exporter derives. Never change it: the guids
#: in published schedules would all change with it.
GUID_NAMESPACE: Final = uuid.UUID("803a1d81-1fa8-4611-8187-f7d47de2d261")

#: The schema the JSON follows (``tests/schemas/frab-schedule.schema.json``).
SCHEMA_URL: Final = "https://c3voc.de/schedule/schema.json"
GENERATOR: Final = "Sphinx conference extension"

#: pretalx starts a schedule day at 04:00 and ends it at 03:59 the next
#: morning, so that late-night events stay on the day they belong to.
DAY_START: Final = dt.time(4, 0)
DAY_END: Final = dt.time(3, 59)

#: The largest integer id: 32-bit signed readers (Java, Qt) must hold it.
_MAX_ID: Final = 2**31 - 1

_SLUG_RE: Final = re.compile(r"[a-z0-9_-]+[a-z0-9]")  # the JSON schema's slug
_TRACK_SLUG_RE: Final = re.compile(r"[a-z][a-z0-9-]+")  # the XML schema's track slug


@dataclasses.dataclass(frozen=True)
class FrabPerson:
    """A presenter; frab has no affiliation field, so only the name is exported."""

    id: int
    name: str
    guid: str


@dataclasses.dataclass(frozen=True)
class FrabLink:
    """A link from an event; ``type`` is one of the schema's Reference types."""

    url: str
    title: str
    type: str


@dataclasses.dataclass(frozen=True)
class FrabEvent:
    """One timed talk, in the shape of a frab event."""

    id: int
    guid: str
    date: dt.datetime
    end: dt.datetime
    start: str
    duration: str
    room: str
    slug: str
    url: str
    title: str
    subtitle: str
    track: str
    type: str
    language: str
    abstract: str
    description: str
    persons: tuple[FrabPerson, ...]
    links: tuple[FrabLink, ...]
    origin_url: str


@dataclasses.dataclass(frozen=True)
class FrabRoom:
    """A room (or track standing in for one), with its events of one day."""

    name: str
    guid: str
    events: tuple[FrabEvent, ...] = ()


@dataclasses.dataclass(frozen=True)
class FrabDay:
    """One conference day: ``start``/``end`` bound every event on it."""

    index: int
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    rooms: tuple[FrabRoom, ...]


@dataclasses.dataclass(frozen=True)
class FrabTrack:
    """A track; ``slug`` is empty when no slug the schemas accept can be made."""

    name: str
    slug: str


@dataclasses.dataclass(frozen=True)
class FrabSchedule:
    """The whole schedule: what both the JSON and the XML renderings show."""

    version: str
    acronym: str
    title: str
    start: dt.date
    end: dt.date
    timeslot_duration: str
    time_zone_name: str
    url: str
    venue: str
    city: str
    rooms: tuple[FrabRoom, ...]
    tracks: tuple[FrabTrack, ...]
    days: tuple[FrabDay, ...]


def frab_schedule(
    info: ConferenceInfo,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    *,
    language: str = "en",
) -> FrabSchedule:
    """Build the frab structure of the timed talks held on conference days.

    ``talks`` come in schedule order, which is kept within each room; rooms
    are listed in the order they first appear. ``language`` is the language
    of the talks (the project's ``language``).
    """
    # A cancelled talk has no slot: frab has no way to say "cancelled".
    timed = [talk for talk in conference_talks(info, talks)
             if talk.time is not None and not talk.cancelled]
    event_guids = {talk.id: program_guid(talk.guid) or _guid(info, talk.id) for talk in timed}
    ids = _integer_ids(event_guids.values())
    ids.update(_integer_ids({_person_guid(p) for talk in timed for p in talk.presenters}))
    room_names = dict.fromkeys(_room(info, talk) for talk in timed)
    rooms = {name: _guid(info, "room", name) for name in room_names}
    tracks = dict.fromkeys(clean_text(talk.track) for talk in timed if talk.track)
    events_of = {
        day: [
            _event(info, talk, talk_url, language, event_guids[talk.id], ids)
            for talk in timed
            if talk.day == day
        ]
        for day in info.days
    }
    starts = {
        date: min([_local(date, DAY_START, info), *(e.date for e in events_of[day])], key=_instant)
        for day, date in info.days.items()
    }
    days = []
    for index, (day, date) in enumerate(info.days.items(), start=1):
        events = events_of[day]
        by_room = {name: tuple(e for e in events if e.room == name) for name in rooms}
        days.append(
            FrabDay(
                index=index,
                date=date,
                start=starts[date],
                end=max([_day_end(date, starts, info), *(e.end for e in events)], key=_instant),
                rooms=tuple(
                    FrabRoom(name, rooms[name], found) for name, found in by_room.items() if found
                ),
            )
        )
    schedule = FrabSchedule(
        version="",
        acronym=info.acronym,
        title=clean_text(info.name),
        start=info.start,
        end=info.end,
        timeslot_duration=_timeslot(timed),
        time_zone_name=info.timezone,
        url=http_url(info.base_url),
        venue=clean_text(info.venue),
        city=clean_text(info.city),
        rooms=tuple(FrabRoom(name, guid) for name, guid in rooms.items()),
        tracks=tuple(FrabTrack(name, _track_slug(name)) for name in tracks),
        days=tuple(days),
    )
    canonical = json.dumps(_document(schedule), sort_keys=True, ensure_ascii=True)
    version = hashlib.sha256(canonical.encode("ascii")).hexdigest()[:12]
    return dataclasses.replace(schedule, version=version)


def frab_json(
    info: ConferenceInfo,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    *,
    language: str = "en",
) -> bytes:
    """``schedule.json``: :func:`frab_schedule` as UTF-8 JSON (see :func:`schedule_json`)."""
    return schedule_json(frab_schedule(info, talks, talk_url, language=language))


def schedule_json(schedule: FrabSchedule) -> bytes:
    r"""The bytes of ``schedule.json`` for an already built :class:`FrabSchedule`.

    ``<``, ``>``, ``&`` and the two JavaScript line separators are written as
    ``\u003c``-style escapes (the same JSON value), so the file stays inert
    even if someone pastes it into an HTML ``<script>``.
    """
    text = json.dumps(_document(schedule), ensure_ascii=False, indent=2)
    # These characters can only occur inside JSON strings, where the escape
    # means the same character.
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return (text + "\n").encode("utf-8")


def _document(schedule: FrabSchedule) -> dict[str, Any]:
    """The JSON document, keys in the order frab and pretalx write them."""
    conference: dict[str, Any] = {
        "acronym": schedule.acronym,
        "title": schedule.title,
        "start": schedule.start.isoformat(),
        "end": schedule.end.isoformat(),
        "daysCount": len(schedule.days),
        "timeslot_duration": schedule.timeslot_duration,
        "time_zone_name": schedule.time_zone_name,
    }
    if schedule.url:
        conference["url"] = schedule.url
    place = {"venue": schedule.venue, "city": schedule.city}
    if any(place.values()):
        conference["meta"] = {key: value for key, value in place.items() if value}
    conference["tracks"] = [
        {"name": track.name, **({"slug": track.slug} if track.slug else {})}
        for track in schedule.tracks
    ]
    conference["rooms"] = [{"name": room.name, "guid": room.guid} for room in schedule.rooms]
    conference["days"] = [
        {
            "index": day.index,
            "date": day.date.isoformat(),
            "day_start": day.start.isoformat(),
            "day_end": day.end.isoformat(),
            "rooms": {room.name: [_event_json(e) for e in room.events] for room in day.rooms},
        }
        for day in schedule.days
    ]
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {"version": schedule.version, "conference": conference},
    }


def _event_json(event: FrabEvent) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": event.id,
        "guid": event.guid,
        "date": event.date.isoformat(),
        "start": event.start,
        "end": event.end.isoformat(),
        "duration": event.duration,
        "room": event.room,
        "slug": event.slug,
        "url": event.url,
        "title": event.title,
        "subtitle": event.subtitle,
        "track": event.track or None,
        "type": event.type,
        "language": event.language,
        "abstract": event.abstract,
        "description": event.description,
        "recording_license": "",
        "do_not_record": False,
        # frab's person (id, public_name): the schema's oneOf takes a person
        # with a "name" as well for a pretalx one too, and rejects it.
        "persons": [
            {"id": person.id, "guid": person.guid, "public_name": person.name}
            for person in event.persons
        ],
        "links": [dataclasses.asdict(link) for link in event.links],
        "attachments": [],
    }
    if event.origin_url:
        data["origin_url"] = event.origin_url
    return data


def _event(
    info: ConferenceInfo,
    talk: Talk,
    talk_url: TalkUrl,
    language: str,
    guid: str,
    ids: Mapping[str, int],
) -> FrabEvent:
    """The frab event of a timed talk; ``ids`` maps every guid to its integer id."""
    tz = info.tzinfo
    start = talk.start_datetime(tz)
    assert start is not None and talk.time is not None  # only timed talks get here
    end = talk.end_datetime(tz) or start
    url = http_url(talk_url(talk))
    origin = http_url(talk.url)
    return FrabEvent(
        id=ids[guid],
        guid=guid,
        date=start,
        end=end,
        start=talk.time.start.strftime("%H:%M"),
        duration=_hhmm(talk.time.duration or dt.timedelta(0)),
        room=_room(info, talk),
        slug=_slug(info.acronym, talk.id),
        url=url,
        title=clean_text(talk.raw_title or talk.title),
        subtitle=clean_text(talk.subtitle),
        track=clean_text(talk.track),
        type=clean_text(talk.session_type or talk.kind),
        language=clean_text(talk.language) or language,
        # The directive's content is the abstract, however many paragraphs
        # (reflowed: apps show hard line breaks as ragged lines); a
        # talk-description block in it is frab's description.
        abstract="\n\n".join(reflow(talk.description)),
        description="\n\n".join(reflow(talk.details)),
        persons=tuple(
            FrabPerson(ids[guid], clean_text(p.name), guid)
            for p, guid in ((p, _person_guid(p)) for p in talk.presenters)
        ),
        links=tuple(
            FrabLink(link, title, kind)
            for link, title, kind in (
                (origin, "Official page", "web"),
                (http_url(talk.video), "Video", "media"),
                (http_url(talk.slides), "Slides", "slides"),
                *((http_url(url), title, "related") for title, url in talk.links),
            )
            if link
        ),
        origin_url=origin if origin != url else "",
    )


def program_guid(guid: str) -> str:
    """The program's guid (``:guid:``) in canonical form if it is a UUID, else ``""``.

    Programs identify sessions by guid; keeping it lets apps that imported the
    official schedule recognise the site's events. A pentabarf id or another
    non-UUID identity cannot be a frab guid, so a derived one is used then.
    """
    try:
        return str(uuid.UUID(guid.strip())) if guid.strip() else ""
    except ValueError:
        return ""


def _guid(info: ConferenceInfo, *parts: str) -> str:
    """A UUIDv5 of ``<acronym>/<parts...>``: talks and rooms belong to one conference."""
    return str(uuid.uuid5(GUID_NAMESPACE, "/".join((info.acronym, *parts))))


def _person_guid(person: Presenter) -> str:
    """A UUIDv5 of ``person/<presenter id>``.

    A person is the same person at every conference, so their guid does not
    depend on the acronym.
    """
    return str(uuid.uuid5(GUID_NAMESPACE, f"person/{person.id}"))


def _integer_ids(guids: Iterable[str]) -> dict[str, int]:
    """A distinct positive 31-bit integer id for each guid, taken from the guid.

    frab's integer ids are positive and often read into 32-bit ints; apps key
    events and people on them, so two must never share one. A clash (about one
    in a million for a thousand guids) moves the later guid, in guid order, to
    the next free number, which keeps every id the same from build to build.
    """
    ids: dict[str, int] = {}
    taken: set[int] = set()
    for guid in sorted(set(guids)):
        number = (uuid.UUID(guid).int >> 97) or 1
        while number in taken:
            number = number % _MAX_ID + 1
        taken.add(number)
        ids[guid] = number
    return ids


def _room(info: ConferenceInfo, talk: Talk) -> str:
    """The event's room, which frab requires: the talk's room, track, else the venue."""
    return clean_text(talk.location or info.location or info.name)


def _slug(acronym: str, talk_id: str) -> str:
    """``<acronym>-<talk id>``, reduced to what the schemas' slug patterns allow.

    The acronym part keeps only ``[a-z0-9_]``, so the first hyphen separates
    the two parts as the XML schema's ``voc-slug-new`` expects.
    """
    prefix = re.sub(r"[^a-z0-9_]+", "_", acronym.lower()).strip("_") or "conference"
    rest = re.sub(r"[^a-z0-9_-]+", "-", talk_id.lower()).strip("-_")
    return f"{prefix}-{rest or stable_id(talk_id)}"


def _track_slug(name: str) -> str:
    slug = stable_id(name)
    return slug if _TRACK_SLUG_RE.fullmatch(slug) and _SLUG_RE.fullmatch(slug) else ""


def _timeslot(talks: Sequence[Talk]) -> str:
    """The coarsest grid (a divisor of an hour) every start and duration falls on.

    Apps draw the schedule on this grid; PyCon's 10:50 and 30-minute slots
    give 00:10 or finer.
    """
    minutes = [60]
    for talk in talks:
        assert talk.time is not None
        minutes.append(talk.time.start.hour * 60 + talk.time.start.minute)
        if talk.time.duration is not None:
            minutes.append(int(talk.time.duration.total_seconds()) // 60)
    return _hhmm(dt.timedelta(minutes=math.gcd(*minutes)))


def _hhmm(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_end(
    date: dt.date, starts: Mapping[dt.date, dt.datetime], info: ConferenceInfo
) -> dt.datetime:
    """Where ``date``'s day ends when no talk runs later: 03:59 the next morning.

    If the next day starts earlier than 04:00 (a talk in its small hours), this
    day ends a minute before it, as pretalx's days do, so that an instant
    belongs to one day only (apps draw a day's timeline between its bounds).
    """
    end = _local(date, DAY_END, info, 1)
    following = starts.get(date + dt.timedelta(days=1))
    if following is not None and _instant(following) <= _instant(end):
        end = (_instant(following) - dt.timedelta(minutes=1)).astimezone(info.tzinfo)
    return end


def _local(date: dt.date, time: dt.time, info: ConferenceInfo, days: int = 0) -> dt.datetime:
    """``time`` on ``date`` (plus ``days``) in the conference's zone."""
    return dt.datetime.combine(date + dt.timedelta(days=days), time, tzinfo=info.tzinfo)


def _instant(moment: dt.datetime) -> dt.datetime:
    """Sort key by instant: aware datetimes sharing a tzinfo compare by wall clock."""
    return moment.astimezone(dt.UTC)
