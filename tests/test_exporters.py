"""The schedule exporters on their own: iCalendar, frab JSON and frab XML, no Sphinx.

Instants are checked in UTC after parsing the files back, both through the
zone database and through the VTIMEZONE the file itself carries. ``conftest.py``
puts ``_ext`` on ``sys.path``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from frabschema import c3voc_schema, validate_schedule_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event
from lxml import etree

from conference.exporters import (
    GUID_NAMESPACE,
    PRODID,
    conference_calendar,
    day_calendar,
    default_stamp,
    export_path,
    frab_json,
    frab_schedule,
    frab_xml,
    schedule_files,
    stamp_from_source_date_epoch,
    talk_calendar,
    talk_has_calendar,
)
from conference.exporters._common import clean_text
from conference.exporters.frab import _integer_ids
from conference.model import (
    ConferenceInfo,
    Presenter,
    Talk,
    TimeSlot,
    parse_time,
)

SCHEMAS = Path(__file__).parent / "schemas"
UTC = dt.UTC

PYCON = ConferenceInfo(
    name="PyCon US 2013",
    acronym="pycon2013",
    days={
        "thursday": dt.date(2013, 3, 14),
        "friday": dt.date(2013, 3, 15),
        "saturday": dt.date(2013, 3, 16),
    },
    timezone="America/Los_Angeles",
    location="Santa Clara, CA",
    venue="Santa Clara Convention Center",
    city="Santa Clara, CA",
)
PLACE = "Santa Clara Convention Center, Santa Clara, CA"
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_TEXT = '<img src=x onerror="alert(1)"> & </description>]]>; a, b\\c\n\nmore'


def talk(talk_id: str = "messaging-at-scale-at-instagram", **fields: Any) -> Talk:
    """A talk on PyCon's Friday at 10:50-11:20 unless ``fields`` say otherwise."""
    day = fields.pop("day", "friday")
    values: dict[str, Any] = {
        "title": "Messaging at Scale at Instagram",
        "docname": f"{day or 'elsewhere'}/{talk_id}",
        "lineno": 1,
        "anchor": talk_id,
        "day": day,
        "date": PYCON.days.get(day),
        "time": parse_time("10:50-11:20"),
        "presenters": (Presenter("Rick Branson", "Instagram"),),
        "track": "Web",
        "room": "Mission City",
        "kind": "talk",
        "url": f"https://us.pycon.org/2013/schedule/{talk_id}/",
        "video": "https://pyvideo.org/video/1757/",
        "slides": "https://speakerdeck.com/rbranson/",
        # The RST source's line breaks, as the directive's description keeps them.
        "description": "How Instagram fans out\nmessages.\n\nWith Redis\n   and Celery.",
    }
    values.update(fields)
    return Talk(id=talk_id, **values)


def official(item: Talk) -> str:
    return item.url


def no_url(item: Talk) -> str:
    return ""


def parse_ics(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events(data: bytes) -> dict[str, Event]:
    return {str(event["UID"]): event for event in parse_ics(data).events}


def utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(UTC)


def in_own_vtimezone(calendar: Calendar, value: dt.datetime) -> dt.datetime:
    """``value``'s wall time read with the file's VTIMEZONE rules, not the tz database."""
    (vtimezone,) = calendar.timezones
    own = vtimezone.to_tz(lookup_tzid=False)
    return value.replace(tzinfo=own).astimezone(UTC)


# -- iCalendar ---------------------------------------------------------------


def test_calendar_header_and_timezone() -> None:
    calendar = parse_ics(conference_calendar(PYCON, [talk()], official))
    assert calendar["PRODID"] == PRODID
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["X-WR-CALNAME"] == "PyCon US 2013"
    assert calendar["X-WR-TIMEZONE"] == "America/Los_Angeles"
    (vtimezone,) = calendar.timezones
    assert vtimezone["TZID"] == "America/Los_Angeles"
    # Real DST rules: the 2013 spring and autumn changes are both there.
    observances = {
        (str(sub.name), sub.decoded("DTSTART").date()) for sub in vtimezone.subcomponents
    }
    assert ("DAYLIGHT", dt.date(2013, 3, 10)) in observances
    assert ("STANDARD", dt.date(2013, 11, 3)) in observances


def test_timed_talk_instants_in_utc() -> None:
    data = conference_calendar(PYCON, [talk()], official)
    calendar = parse_ics(data)
    (event,) = calendar.events
    assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert event["DTEND"].params["TZID"] == "America/Los_Angeles"
    assert utc(event.start) == dt.datetime(2013, 3, 15, 17, 50, tzinfo=UTC)
    assert utc(event.end) == dt.datetime(2013, 3, 15, 18, 20, tzinfo=UTC)
    assert in_own_vtimezone(calendar, event.start) == dt.datetime(2013, 3, 15, 17, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Kolkata", dt.datetime(2013, 3, 15, 5, 20, tzinfo=UTC)),  # +05:30
        ("Australia/Adelaide", dt.datetime(2013, 3, 15, 0, 20, tzinfo=UTC)),  # ACDT +10:30
    ],
)
def test_half_hour_offsets(zone: str, expected: dt.datetime) -> None:
    info = dataclasses.replace(PYCON, timezone=zone)
    calendar = parse_ics(conference_calendar(info, [talk()], official))
    (event,) = calendar.events
    assert event["DTSTART"].params["TZID"] == zone
    assert utc(event.start) == expected
    assert in_own_vtimezone(calendar, event.start) == expected
    assert calendar["X-WR-TIMEZONE"] == zone


def test_conference_across_a_dst_change() -> None:
    info = ConferenceInfo(
        name="DST Con",
        acronym="dstcon",
        days={"sat": dt.date(2013, 3, 9), "sun": dt.date(2013, 3, 10), "mon": dt.date(2013, 3, 11)},
        timezone="America/Los_Angeles",
    )
    talks = [
        talk(f"talk-on-{day}", day=day, date=date, time=parse_time("10:00-11:00"))
        for day, date in info.days.items()
    ]
    calendar = parse_ics(conference_calendar(info, talks, official))
    by_uid = {str(event["UID"]): event for event in calendar.events}
    expected = {"sat": 18, "sun": 17, "mon": 17}  # PST (-8) on Saturday, PDT (-7) after
    for day, hour in expected.items():
        event = by_uid[f"talk-on-{day}@dstcon"]
        instant = dt.datetime.combine(info.days[day], dt.time(hour), tzinfo=UTC)
        assert utc(event.start) == instant
        assert in_own_vtimezone(calendar, event.start) == instant


def test_talk_ending_after_midnight_ends_the_next_day() -> None:
    late = talk("late-night", time=parse_time("23:30-00:30"))
    (event,) = events(conference_calendar(PYCON, [late], official)).values()
    assert event.end.date() == dt.date(2013, 3, 16)
    assert utc(event.start) == dt.datetime(2013, 3, 16, 6, 30, tzinfo=UTC)
    assert utc(event.end) == dt.datetime(2013, 3, 16, 7, 30, tzinfo=UTC)


def test_untimed_talk_is_an_all_day_event() -> None:
    sprint = talk("sprints", time=None)
    data = conference_calendar(PYCON, [sprint], official)
    (event,) = parse_ics(data).events
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event.start == dt.date(2013, 3, 15)
    assert not isinstance(event.start, dt.datetime)
    assert event.end == dt.date(2013, 3, 16)
    assert event["TRANSP"] == "TRANSPARENT"
    assert b"DTSTART;VALUE=DATE:20130315" in data


def test_talk_with_only_a_start_has_no_end() -> None:
    keynote = talk("keynote", time=TimeSlot(dt.time(9, 0)))
    (event,) = parse_ics(conference_calendar(PYCON, [keynote], official)).events
    assert utc(event.start) == dt.datetime(2013, 3, 15, 16, 0, tzinfo=UTC)
    assert "DTEND" not in event
    assert "DURATION" not in event


def test_event_properties() -> None:
    (event,) = parse_ics(conference_calendar(PYCON, [talk()], official)).events
    assert event["SUMMARY"] == "Messaging at Scale at Instagram"
    assert event["LOCATION"] == f"Mission City, {PLACE}"
    assert event["URL"] == "https://us.pycon.org/2013/schedule/messaging-at-scale-at-instagram/"
    assert event.categories == ["talk", "Web"]
    # Plain text: presenters first, the abstract reflowed, then the links.
    assert str(event["DESCRIPTION"]).split("\n\n") == [
        "Presenters: Rick Branson (Instagram)",
        "How Instagram fans out messages.",
        "With Redis and Celery.",
        "Video: https://pyvideo.org/video/1757/\nSlides: https://speakerdeck.com/rbranson/",
    ]


def test_location_without_a_configured_place() -> None:
    bare = dataclasses.replace(PYCON, location="", venue="", city="")
    (event,) = parse_ics(conference_calendar(bare, [talk()], official)).events
    assert event["LOCATION"] == "Mission City"
    only_location = dataclasses.replace(PYCON, venue="", city="")
    (event,) = parse_ics(conference_calendar(only_location, [talk()], official)).events
    assert event["LOCATION"] == "Mission City, Santa Clara, CA"


def test_location_falls_back_to_track_and_empty_url_is_omitted() -> None:
    bare = talk("bare", room="", url="", presenters=(), description="", video="", slides="")
    (event,) = parse_ics(conference_calendar(PYCON, [bare], no_url)).events
    assert event["LOCATION"] == f"Web, {PLACE}"
    assert "URL" not in event
    assert "DESCRIPTION" not in event


def test_unsafe_talk_url_is_dropped() -> None:
    data = conference_calendar(PYCON, [talk()], lambda _: "javascript:alert(1)\r\nX-EVIL:1")
    (event,) = parse_ics(data).events
    assert "URL" not in event
    assert b"X-EVIL" not in data


def test_uids_are_stable() -> None:
    first = events(conference_calendar(PYCON, [talk("a"), talk("b")], official))
    edited = [talk("b", title="Renamed", time=parse_time("09:00")), talk("a"), talk("c")]
    second = events(conference_calendar(PYCON, edited, official))
    assert set(first) == {"a@pycon2013", "b@pycon2013"}
    assert set(second) == {"a@pycon2013", "b@pycon2013", "c@pycon2013"}
    (only,) = events(talk_calendar(PYCON, talk("a"), official))
    assert only == "a@pycon2013"


def test_output_is_deterministic() -> None:
    talks = [talk("a"), talk("b", time=None), talk("c", day="saturday")]
    assert conference_calendar(PYCON, talks, official) == conference_calendar(
        PYCON, list(talks), official
    )
    assert frab_json(PYCON, talks, official) == frab_json(PYCON, list(talks), official)
    assert frab_xml(PYCON, talks, official) == frab_xml(PYCON, list(talks), official)


def test_dtstamp_defaults_to_first_day_midnight_utc() -> None:
    assert default_stamp(PYCON) == dt.datetime(2013, 3, 14, tzinfo=UTC)
    (event,) = parse_ics(conference_calendar(PYCON, [talk()], official)).events
    assert event.stamp == dt.datetime(2013, 3, 14, tzinfo=UTC)


def test_source_date_epoch_is_honoured() -> None:
    stamp = stamp_from_source_date_epoch("1363305600")
    assert stamp == dt.datetime(2013, 3, 15, tzinfo=UTC)
    for data in (
        conference_calendar(PYCON, [talk()], official, stamp=stamp),
        day_calendar(PYCON, [talk()], official, "friday", stamp=stamp),
        talk_calendar(PYCON, talk(), official, stamp=stamp),
    ):
        (event,) = parse_ics(data).events
        assert event.stamp == stamp
        assert b"DTSTAMP:20130315T000000Z" in data


def test_stamp_is_written_in_utc() -> None:
    local = dt.datetime(2013, 3, 15, 1, 0, tzinfo=PYCON.tzinfo)
    data = talk_calendar(PYCON, talk(), official, stamp=local)
    assert b"DTSTAMP:20130315T080000Z" in data
    with pytest.raises(ValueError, match="time zone"):
        talk_calendar(PYCON, talk(), official, stamp=dt.datetime(2013, 3, 15))


@pytest.mark.parametrize("value", [None, "", "  "])
def test_source_date_epoch_unset(value: str | None) -> None:
    assert stamp_from_source_date_epoch(value) is None


@pytest.mark.parametrize("value", ["yesterday", "1.5", "1e9", "9" * 30])
def test_source_date_epoch_invalid(value: str) -> None:
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        stamp_from_source_date_epoch(value)


def test_conference_calendar_holds_conference_days_only() -> None:
    elsewhere = talk("elsewhere", day=None, date=dt.date(2012, 7, 1))
    undated = talk("undated", day=None, date=None)
    uids = events(conference_calendar(PYCON, [talk(), elsewhere, undated], official))
    assert set(uids) == {"messaging-at-scale-at-instagram@pycon2013"}


def test_day_calendar() -> None:
    talks = [talk("a"), talk("b", day="saturday"), talk("c", time=None)]
    data = day_calendar(PYCON, talks, official, "friday")
    assert set(events(data)) == {"a@pycon2013", "c@pycon2013"}
    assert parse_ics(data)["X-WR-CALNAME"] == "PyCon US 2013 (2013-03-15)"
    empty = parse_ics(day_calendar(PYCON, talks, official, "thursday"))
    assert list(empty.events) == []
    assert len(empty.timezones) == 1
    with pytest.raises(KeyError):
        day_calendar(PYCON, talks, official, "sunday")


def test_talk_calendar() -> None:
    data = talk_calendar(PYCON, talk(), official)
    calendar = parse_ics(data)
    assert calendar["X-WR-CALNAME"] == "PyCon US 2013: Messaging at Scale at Instagram"
    assert len(list(calendar.events)) == 1
    with pytest.raises(ValueError, match="no date"):
        talk_calendar(PYCON, talk("undated", day=None, date=None), official)


def test_ics_escapes_hostile_text() -> None:
    hostile = talk(
        "hostile",
        title=HOSTILE_TITLE,
        description=HOSTILE_TEXT,
        room="Room; A, B",
        track="Web, Mobile",
        presenters=(Presenter("Robert'); DROP TABLE", "A, B; C"),),
    )
    data = conference_calendar(PYCON, [hostile], official)
    (event,) = parse_ics(data).events
    assert event["SUMMARY"] == HOSTILE_TITLE
    presenters, *text, _links = str(event["DESCRIPTION"]).split("\n\n")
    assert presenters == "Presenters: Robert'); DROP TABLE (A, B; C)"
    assert "\n\n".join(text) == HOSTILE_TEXT
    assert event["LOCATION"] == f"Room; A, B, {PLACE}"
    assert event.categories == ["talk", "Web, Mobile"]
    assert b"LOCATION:Room\\; A\\, B\\, Santa Clara" in data
    # No line of the file starts anything the text contained.
    assert all(not line.startswith((b"more", b"<img")) for line in data.split(b"\r\n"))


def test_control_characters_are_removed_everywhere() -> None:
    noisy = talk("noisy", title="Bell\x07 and\x00 null\r\nand\rreturns", description="a\x1bb")
    ics = parse_ics(conference_calendar(PYCON, [noisy], official))
    (event,) = ics.events
    assert event["SUMMARY"] == "Bell and null\nand\nreturns"
    document = json.loads(frab_json(PYCON, [noisy], official))
    (entry,) = document["schedule"]["conference"]["days"][1]["rooms"]["Mission City"]
    assert entry["title"] == "Bell and null\nand\nreturns"
    assert entry["abstract"] == "ab"
    root = etree.fromstring(frab_xml(PYCON, [noisy], official))
    assert root.findtext("day/room/event/title") == "Bell and null\nand\nreturns"


# -- frab JSON / XML ---------------------------------------------------------


def _format_checker() -> jsonschema.FormatChecker:
    """The draft's format checker plus the formats it leaves unchecked without extras."""
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        moment = dt.datetime.fromisoformat(value)
        return "T" in value and moment.utcoffset() is not None

    @checker.checks("date", raises=ValueError)
    def date(value: object) -> bool:
        return not isinstance(value, str) or dt.date.fromisoformat(value).isoformat() == value

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value: object) -> bool:
        return not isinstance(value, str) or str(uuid.UUID(value)) == value

    @checker.checks("uri")
    def uri(value: object) -> bool:
        # frab requires an event url; a talk with no page at all has "".
        if not isinstance(value, str) or not value:
            return True
        parts = urlsplit(value)
        return parts.scheme in {"http", "https"} and bool(parts.netloc)

    return checker


@pytest.fixture(scope="module")
def json_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "frab-schedule.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft6Validator  # what the schema declares
    cls.check_schema(schema)
    return cls(schema, format_checker=_format_checker())


def validate_json(validator: jsonschema.protocols.Validator, data: bytes) -> dict[str, Any]:
    document = json.loads(data)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors
    return document


def schedule_talks() -> list[Talk]:
    return [
        talk("keynote", time=TimeSlot(dt.time(9, 0)), room="Grand Ballroom", kind="keynote"),
        talk(),
        talk("late-night", time=parse_time("23:30-00:30"), room="", track="Hallway"),
        talk("sprints", time=None),
        talk("saturday-talk", day="saturday", time=parse_time("13:55-14:25")),
        talk("elsewhere", day=None, date=dt.date(2012, 7, 1)),
    ]


def test_frab_json_validates(json_validator: jsonschema.protocols.Validator) -> None:
    document = validate_json(json_validator, frab_json(PYCON, schedule_talks(), official))
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "pycon2013"
    assert conference["title"] == "PyCon US 2013"
    assert conference["start"] == "2013-03-14"
    assert conference["end"] == "2013-03-16"
    assert conference["daysCount"] == 3
    assert conference["time_zone_name"] == "America/Los_Angeles"
    assert conference["timeslot_duration"] == "00:05"
    assert [room["name"] for room in conference["rooms"]] == [
        "Grand Ballroom",
        "Mission City",
        "Hallway",
    ]


def test_frab_xml_validates() -> None:
    root = validate_schedule_xml(frab_xml(PYCON, schedule_talks(), official))
    assert root.findtext("conference/acronym") == "pycon2013"
    assert root.findtext("conference/days") == "3"
    assert root.findtext("conference/venue") == "Santa Clara Convention Center"
    assert root.findtext("conference/city") == "Santa Clara, CA"
    assert [day.get("index") for day in root.iter("day")] == ["1", "2", "3"]
    event = root.find("day/room/event[slug='pycon2013-messaging-at-scale-at-instagram']")
    (person,) = event.iterfind("persons/person")
    person_guid = uuid.uuid5(GUID_NAMESPACE, "person/presenter-rick-branson")
    assert person.attrib == {"id": str(person_guid.int >> 97), "guid": str(person_guid)}
    assert person.text == "Rick Branson"
    assert [(link.text, link.get("type")) for link in event.iterfind("links/link")] == [
        ("Official page", "web"), ("Video", "media"), ("Slides", "slides"),
    ]
    # The whole directive content is the abstract, one line per paragraph.
    assert event.findtext("abstract") == (
        "How Instagram fans out messages.\n\nWith Redis and Celery."
    )
    assert event.findtext("description") == ""


def test_frab_without_a_place_is_valid_against_the_c3voc_schema_alone() -> None:
    bare = dataclasses.replace(PYCON, location="", venue="", city="")
    data = frab_xml(bare, schedule_talks(), official)
    assert c3voc_schema().validate(etree.fromstring(data))
    assert b"<venue>" not in data
    assert b"<city>" not in data
    document = json.loads(frab_json(bare, schedule_talks(), official))
    assert "meta" not in document["schedule"]["conference"]


def test_frab_json_carries_the_place(json_validator: jsonschema.protocols.Validator) -> None:
    document = validate_json(json_validator, frab_json(PYCON, schedule_talks(), official))
    assert document["schedule"]["conference"]["meta"] == {
        "venue": "Santa Clara Convention Center",
        "city": "Santa Clara, CA",
    }


def test_abstracts_are_reflowed() -> None:
    ragged = talk(description="One\nparagraph  over\n  three lines.\n \nAnd\ttwo.\n\n\n\nThree.")
    (event,) = frab_schedule(PYCON, [ragged], official).days[1].rooms[0].events
    # The whole directive content is one abstract, a paragraph per line.
    assert event.abstract == "One paragraph over three lines.\n\nAnd two.\n\nThree."
    assert event.description == ""


def test_shared_presenters_are_one_person() -> None:
    ada = Presenter("Ada Lovelace", "Analytical Engines")
    talks = [
        talk("first", presenters=(ada, Presenter("Charles Babbage"))),
        talk("second", time=parse_time("13:00-13:30"), presenters=(Presenter("Ada Lovelace"),)),
    ]
    document = json.loads(frab_json(PYCON, talks, official))
    persons = [
        person
        for event in document["schedule"]["conference"]["days"][1]["rooms"]["Mission City"]
        for person in event["persons"]
    ]
    assert [person["public_name"] for person in persons] == [
        "Ada Lovelace", "Charles Babbage", "Ada Lovelace",
    ]
    assert persons[0] == persons[2]  # the affiliation does not make another person
    assert persons[0]["id"] != persons[1]["id"]


def test_integer_ids_are_unique_even_when_guids_clash() -> None:
    # Three guids whose top 31 bits are the same number, and one on the next:
    # in guid order each takes the next free number.
    clashing = [str(uuid.UUID(int=(5 << 97) | low)) for low in (3, 1, 2)]
    neighbour = str(uuid.UUID(int=6 << 97))
    ids = _integer_ids([neighbour, *clashing])
    assert ids == {clashing[1]: 5, clashing[2]: 6, clashing[0]: 7, neighbour: 8}
    assert _integer_ids([str(uuid.UUID(int=0))]) == {str(uuid.UUID(int=0)): 1}
    top = str(uuid.UUID(int=(2**31 - 1) << 97))
    assert _integer_ids([top, top[:-1] + "1"]) == {top: 2**31 - 1, top[:-1] + "1": 1}


def test_frab_days(json_validator: jsonschema.protocols.Validator) -> None:
    document = validate_json(json_validator, frab_json(PYCON, schedule_talks(), official))
    thursday, friday, saturday = document["schedule"]["conference"]["days"]
    # A day without timed talks is still listed.
    assert thursday == {
        "index": 1,
        "date": "2013-03-14",
        "day_start": "2013-03-14T04:00:00-07:00",
        "day_end": "2013-03-15T03:59:00-07:00",
        "rooms": {},
    }
    assert friday["day_start"] == "2013-03-15T04:00:00-07:00"
    # The late-night talk ends at 00:30, inside the pretalx day (till 03:59).
    assert friday["day_end"] == "2013-03-16T03:59:00-07:00"
    assert list(friday["rooms"]) == ["Grand Ballroom", "Mission City", "Hallway"]
    assert list(saturday["rooms"]) == ["Mission City"]


def test_frab_day_widens_for_early_and_very_late_talks() -> None:
    talks = [
        talk("dawn", time=parse_time("03:00-03:30")),
        talk("all-night", time=parse_time("22:00-05:00")),
    ]
    (thursday, friday, saturday) = frab_schedule(PYCON, talks, official).days
    assert friday.start.isoformat() == "2013-03-15T03:00:00-07:00"
    assert friday.end.isoformat() == "2013-03-16T05:00:00-07:00"
    # Thursday ends before Friday's dawn talk, not at 03:59 on top of it.
    assert thursday.end.isoformat() == "2013-03-15T02:59:00-07:00"
    # A talk running into Saturday morning keeps Friday open past Saturday's start.
    assert saturday.start.isoformat() == "2013-03-16T04:00:00-07:00"


def test_frab_event_fields(json_validator: jsonschema.protocols.Validator) -> None:
    document = validate_json(json_validator, frab_json(PYCON, schedule_talks(), official))
    friday = document["schedule"]["conference"]["days"][1]
    (event,) = friday["rooms"]["Mission City"]
    guid = uuid.uuid5(GUID_NAMESPACE, "pycon2013/messaging-at-scale-at-instagram")
    assert event["guid"] == str(guid)
    assert event["id"] == guid.int >> 97
    assert event["date"] == "2013-03-15T10:50:00-07:00"
    assert event["start"] == "10:50"
    assert event["duration"] == "00:30"
    assert event["end"] == "2013-03-15T11:20:00-07:00"
    assert event["room"] == "Mission City"
    assert event["slug"] == "pycon2013-messaging-at-scale-at-instagram"
    assert event["title"] == "Messaging at Scale at Instagram"
    assert event["track"] == "Web"
    assert event["type"] == "talk"
    assert event["language"] == "en"
    # The whole content is the abstract; frab's description is the
    # talk-description block (none here).
    assert event["abstract"] == "How Instagram fans out messages.\n\nWith Redis and Celery."
    assert event["description"] == ""
    assert event["url"] == "https://us.pycon.org/2013/schedule/messaging-at-scale-at-instagram/"
    assert "origin_url" not in event  # the same as url
    (person,) = event["persons"]
    person_guid = uuid.uuid5(GUID_NAMESPACE, "person/presenter-rick-branson")
    # frab's person: what ConfClerk, Giggity and EventFahrplan read.
    assert person == {
        "id": person_guid.int >> 97,
        "guid": str(person_guid),
        "public_name": "Rick Branson",
    }
    assert event["links"] == [
        {
            "url": "https://us.pycon.org/2013/schedule/messaging-at-scale-at-instagram/",
            "title": "Official page",
            "type": "web",
        },
        {"url": "https://pyvideo.org/video/1757/", "title": "Video", "type": "media"},
        {"url": "https://speakerdeck.com/rbranson/", "title": "Slides", "type": "slides"},
    ]
    assert event["attachments"] == []


def test_frab_special_events() -> None:
    schedule = frab_schedule(PYCON, schedule_talks(), official)
    friday = schedule.days[1]
    rooms = {room.name: room.events for room in friday.rooms}
    (keynote,) = rooms["Grand Ballroom"]
    assert keynote.duration == "00:00"  # a start and no end, as in the .ics
    (late,) = rooms["Hallway"]  # no room: the track stands in
    assert late.room == "Hallway"
    assert late.duration == "01:00"
    assert late.end.isoformat() == "2013-03-16T00:30:00-07:00"
    guids = {event.guid for day in schedule.days for room in day.rooms for event in room.events}
    untimed = str(uuid.uuid5(GUID_NAMESPACE, "pycon2013/sprints"))
    elsewhere = str(uuid.uuid5(GUID_NAMESPACE, "pycon2013/elsewhere"))
    assert untimed not in guids  # frab has no untimed events
    assert elsewhere not in guids  # not on a conference day
    assert len(guids) == 4


def test_frab_site_url_and_origin() -> None:
    def site(item: Talk) -> str:
        return f"https://notes.example.org/{item.docname}.html#{item.anchor}"

    schedule = frab_schedule(
        dataclasses.replace(PYCON, base_url="https://notes.example.org/"), [talk()], site
    )
    (event,) = schedule.days[1].rooms[0].events
    assert (
        event.url == "https://notes.example.org/friday/messaging-at-scale-at-instagram.html"
        "#messaging-at-scale-at-instagram"
    )
    assert event.origin_url == "https://us.pycon.org/2013/schedule/messaging-at-scale-at-instagram/"
    assert schedule.url == "https://notes.example.org/"


def test_frab_ids_are_stable_across_edits() -> None:
    def guids(talks: list[Talk]) -> dict[str, tuple[str, int]]:
        schedule = frab_schedule(PYCON, talks, official)
        return {
            event.slug: (event.guid, event.id)
            for day in schedule.days
            for room in day.rooms
            for event in room.events
        }

    before = guids([talk("a"), talk("b")])
    after = guids([talk("c", time=parse_time("08:00")), talk("b", room="Elsewhere"), talk("a")])
    assert before["pycon2013-a"] == after["pycon2013-a"]
    assert before["pycon2013-b"] == after["pycon2013-b"]


def test_frab_version_follows_content() -> None:
    first = frab_schedule(PYCON, [talk()], official).version
    assert first == frab_schedule(PYCON, [talk()], official).version
    moved = frab_schedule(PYCON, [talk(time=parse_time("11:30-12:00"))], official).version
    assert moved != first


def test_frab_dst_offsets() -> None:
    info = ConferenceInfo(
        name="DST Con",
        acronym="dstcon",
        days={"sat": dt.date(2013, 3, 9), "sun": dt.date(2013, 3, 10)},
        timezone="America/Los_Angeles",
    )
    talks = [
        talk(f"on-{day}", day=day, date=date, time=parse_time("10:00-11:00"))
        for day, date in info.days.items()
    ]
    sat, sun = frab_schedule(info, talks, official).days
    assert sat.rooms[0].events[0].date.isoformat() == "2013-03-09T10:00:00-08:00"
    assert sun.rooms[0].events[0].date.isoformat() == "2013-03-10T10:00:00-07:00"
    assert sat.start.isoformat() == "2013-03-09T04:00:00-08:00"
    assert sat.end.isoformat() == "2013-03-10T03:59:00-07:00"


def test_frab_json_and_xml_agree() -> None:
    talks = schedule_talks()
    document = json.loads(frab_json(PYCON, talks, official))
    root = validate_schedule_xml(frab_xml(PYCON, talks, official))
    assert root.findtext("version") == document["schedule"]["version"]
    from_json = [
        (day["index"], name, e["guid"], e["id"], e["title"], e["date"], e["duration"])
        for day in document["schedule"]["conference"]["days"]
        for name, found in day["rooms"].items()
        for e in found
    ]
    from_xml = [
        (
            int(day.get("index")),
            room.get("name"),
            e.get("guid"),
            int(e.get("id")),
            e.findtext("title"),
            e.findtext("date"),
            e.findtext("duration"),
        )
        for day in root.iter("day")
        for room in day.iter("room")
        for e in room.iter("event")
    ]
    assert from_json == from_xml


def test_frab_escapes_hostile_text(
    json_validator: jsonschema.protocols.Validator
) -> None:
    hostile = talk(
        "hostile",
        title=HOSTILE_TITLE,
        description=HOSTILE_TEXT,
        room='Room "A" <b>',
        track="</track>&amp;",
        presenters=(Presenter("<b>Bold</b>"),),
    )
    raw_json = frab_json(PYCON, [hostile], official)
    assert b"<" not in raw_json
    assert b">" not in raw_json
    document = validate_json(json_validator, raw_json)
    (event,) = document["schedule"]["conference"]["days"][1]["rooms"]['Room "A" <b>']
    assert event["title"] == HOSTILE_TITLE
    # A multi-paragraph abstract stays one abstract; the description is empty.
    assert (event["abstract"], event["description"]) == (HOSTILE_TEXT, "")
    assert event["persons"][0]["public_name"] == "<b>Bold</b>"

    raw_xml = frab_xml(PYCON, [hostile], official)
    assert b"<script" not in raw_xml
    assert b"<img" not in raw_xml
    root = validate_schedule_xml(raw_xml)
    (element,) = root.iter("event")
    assert element.findtext("title") == HOSTILE_TITLE
    assert element.findtext("abstract") == HOSTILE_TEXT
    assert not element.findtext("description")
    assert element.findtext("track") == "</track>&amp;"
    assert element.findtext("persons/person") == "<b>Bold</b>"
    assert root.find("day/room").get("name") == 'Room "A" <b>'
    assert {child.tag for child in element.iter()} <= {
        "event", "room", "title", "subtitle", "type", "date", "start", "duration", "abstract",
        "slug", "track", "persons", "person", "language", "description", "recording", "license",
        "optout", "links", "link", "attachments", "url",
    }  # fmt: skip


def test_short_ids_keep_the_xml_valid() -> None:
    root = validate_schedule_xml(frab_xml(PYCON, [talk("ai")], official))
    assert root.find("day/room/event/slug") is None  # optional, and "ai" is too short for it


def test_frab_without_urls(json_validator: jsonschema.protocols.Validator) -> None:
    bare = talk("bare", url="", video="", slides="")
    document = validate_json(json_validator, frab_json(PYCON, [bare], no_url))
    (event,) = document["schedule"]["conference"]["days"][1]["rooms"]["Mission City"]
    assert event["url"] == ""
    assert event["links"] == []
    root = etree.fromstring(frab_xml(PYCON, [bare], no_url))
    assert root.find("day/room/event/url") is None


def test_other_time_zones_validate(
    json_validator: jsonschema.protocols.Validator
) -> None:
    for zone in ("Asia/Kolkata", "Australia/Adelaide", "UTC"):
        info = dataclasses.replace(PYCON, timezone=zone)
        document = validate_json(json_validator, frab_json(info, schedule_talks(), official))
        validate_schedule_xml(frab_xml(info, schedule_talks(), official))
        assert document["schedule"]["conference"]["time_zone_name"] == zone
    kolkata = frab_schedule(dataclasses.replace(PYCON, timezone="Asia/Kolkata"), [talk()], official)
    assert kolkata.days[1].rooms[0].events[0].date.isoformat() == "2013-03-15T10:50:00+05:30"


_text = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_text, description=_text, room=_text)
def test_any_text_round_trips(title: str, description: str, room: str) -> None:
    item = talk("fuzzed", title=title, description=description, room=room, track="")
    expected = clean_text(title)

    (event,) = parse_ics(conference_calendar(PYCON, [item], official)).events
    assert str(event["SUMMARY"]) == expected

    document = json.loads(frab_json(PYCON, [item], official))
    rooms = document["schedule"]["conference"]["days"][1]["rooms"]
    (entry,) = next(iter(rooms.values()))
    assert entry["title"] == expected

    root = etree.fromstring(frab_xml(PYCON, [item], official))
    assert (root.findtext("day/room/event/title") or "") == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    slots=st.lists(
        st.tuples(
            st.sampled_from(list(PYCON.days)),
            st.times().map(lambda t: t.replace(second=0, microsecond=0)),
            st.one_of(st.none(), st.integers(min_value=1, max_value=720)),
            st.sampled_from(["", "Room A", "Room B"]),
        ),
        max_size=8,
    )
)
def test_any_schedule_validates(
    slots: list[tuple[str, dt.time, int | None, str]],
) -> None:
    json_schema = json.loads((SCHEMAS / "frab-schedule.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft6Validator(json_schema, format_checker=_format_checker())
    talks = []
    for number, (day, start, minutes, room) in enumerate(slots):
        end = None
        if minutes is not None:
            end = (dt.datetime.combine(dt.date.min, start) + dt.timedelta(minutes=minutes)).time()
        talks.append(talk(f"talk-{number}", day=day, time=TimeSlot(start, end), room=room))
    validate_json(validator, frab_json(PYCON, talks, official))
    validate_schedule_xml(frab_xml(PYCON, talks, official))
    calendar = parse_ics(conference_calendar(PYCON, talks, official))
    assert len(list(calendar.events)) == len(talks)


# -- paths and the set of files ----------------------------------------------


def test_export_paths() -> None:
    assert export_path("ics") == "schedule.ics"
    assert export_path("json") == "schedule.json"
    assert export_path("xml") == "schedule.xml"
    assert export_path("day", "friday") == "calendar/friday.ics"
    assert (
        export_path("talk", "messaging-at-scale-at-instagram")
        == "calendar/messaging-at-scale-at-instagram.ics"
    )


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("day", None),
        ("day", ""),
        ("talk", "../index"),
        ("talk", "a/b"),
        ("talk", "a\\b"),
        ("talk", ".hidden"),
        ("talk", "line\nbreak"),
        ("ics", "friday"),
        ("pdf", None),
    ],
)
def test_export_path_refuses(kind: Any, key: str | None) -> None:
    with pytest.raises(ValueError):
        export_path(kind, key)


def test_talk_has_calendar() -> None:
    assert talk_has_calendar(PYCON, talk())
    assert talk_has_calendar(PYCON, talk(time=None))
    assert not talk_has_calendar(PYCON, talk(day=None, date=dt.date(2013, 3, 15)))
    assert not talk_has_calendar(PYCON, talk("Friday"))  # the day's file, on any file system


def test_schedule_files() -> None:
    talks = [*schedule_talks(), talk("friday", title="A talk called Friday")]
    files = schedule_files(PYCON, talks, official)
    assert sorted(files) == sorted(
        [
            "schedule.ics",
            "schedule.json",
            "schedule.xml",
            "calendar/thursday.ics",
            "calendar/friday.ics",
            "calendar/saturday.ics",
            "calendar/keynote.ics",
            "calendar/messaging-at-scale-at-instagram.ics",
            "calendar/late-night.ics",
            "calendar/sprints.ics",
            "calendar/saturday-talk.ics",
        ]
    )
    # calendar/friday.ics stays the day's calendar.
    assert len(events(files["calendar/friday.ics"])) == 5
    assert files["schedule.ics"] == conference_calendar(PYCON, talks, official)
    assert len(events(files["schedule.ics"])) == 6
