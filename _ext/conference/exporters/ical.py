"""iCalendar (RFC 5545) exports: the whole conference, one day, one talk.

Every file is built with the ``icalendar`` library, which does the TEXT
escaping and line folding, and is deterministic: the same talks and the same
``stamp`` give the same bytes, so a rebuild that changes nothing rewrites
nothing and reproducible builds stay reproducible.

Choices a reader of the files will notice:

* A talk with a start but no end gets ``DTSTART`` only. RFC 5545 (3.6.1)
  reads that as an event ending when it starts; inventing a length would show
  a wrong end time, and the frab export says the same (``duration 00:00``).
* An untimed talk is an all-day event (``VALUE=DATE``, ``DTEND`` the next
  day), marked ``TRANSP:TRANSPARENT`` so it does not block the whole day in a
  subscriber's free/busy time.
* ``DTSTAMP`` must be present but must not be "now": it is the ``stamp``
  argument (the glue passes ``SOURCE_DATE_EPOCH`` when set), else
  :func:`default_stamp`, midnight UTC at the start of the conference.
* The ``VTIMEZONE`` is generated from the zoneinfo database for whole calendar
  years around the conference, so every file carries the same definition, with
  the real DST transitions of those years.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Final
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from ..model import ConferenceInfo, Talk, format_presenters
from ._common import TalkUrl, clean_text, conference_talks, http_url, reflow

#: Identifies the program that wrote the file (RFC 5545 3.7.3). It names the
#: generator, not the conference, so it is the same in every project.
PRODID: Final = "-//Sphinx conference extension//Schedule exporter//EN"


def default_stamp(info: ConferenceInfo) -> dt.datetime:
    """``DTSTAMP`` when no ``SOURCE_DATE_EPOCH`` is given: the first day, 00:00 UTC.

    It depends only on the configuration, so builds are reproducible, and it
    is no later than any talk, so no client takes the events for edits made
    after they happened.
    """
    return dt.datetime.combine(info.start, dt.time(0), tzinfo=dt.UTC)


def stamp_from_source_date_epoch(value: str | None) -> dt.datetime | None:
    """The instant ``SOURCE_DATE_EPOCH`` names, or ``None`` when it is unset or empty.

    https://reproducible-builds.org/specs/source-date-epoch/: seconds since
    1970-01-01 00:00 UTC. Read with :func:`int`, as Sphinx reads it for the
    copyright year, so both accept the same values; anything else raises
    :class:`ValueError`.
    """
    if value is None or not value.strip():
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds") from None


def conference_calendar(
    info: ConferenceInfo,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    *,
    stamp: dt.datetime | None = None,
) -> bytes:
    """The calendar of every dated talk held on a conference day."""
    return _calendar(info, info.name, conference_talks(info, talks), talk_url, stamp)


def day_calendar(
    info: ConferenceInfo,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    day: str,
    *,
    stamp: dt.datetime | None = None,
) -> bytes:
    """The calendar of one conference day (``day`` is its folder, a key of ``info.days``).

    A day without talks still gets a (valid, empty) calendar, so a link to it
    never breaks.
    """
    if day not in info.days:
        raise KeyError(f"{day!r} is not a conference day")
    chosen = [talk for talk in conference_talks(info, talks) if talk.day == day]
    name = f"{info.name} ({info.days[day].isoformat()})"
    return _calendar(info, name, chosen, talk_url, stamp)


def talk_calendar(
    info: ConferenceInfo,
    talk: Talk,
    talk_url: TalkUrl,
    *,
    stamp: dt.datetime | None = None,
) -> bytes:
    """A calendar holding just ``talk``, for an "add to my calendar" link.

    Raises :class:`ValueError` for an undated talk: it has nothing to put there.
    """
    if talk.date is None:
        raise ValueError(f"talk {talk.id!r} has no date")
    return _calendar(info, f"{info.name}: {talk.title}", [talk], talk_url, stamp)


def _calendar(
    info: ConferenceInfo,
    name: str,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    stamp: dt.datetime | None,
) -> bytes:
    stamp = default_stamp(info) if stamp is None else _utc(stamp)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.calendar_name = clean_text(name)  # NAME and X-WR-CALNAME
    calendar.add("x-wr-timezone", info.timezone)
    calendar.add_component(_vtimezone(info.timezone, *_covered_years(info, talks)))
    for talk in talks:
        calendar.add_component(_event(info, talk, http_url(talk_url(talk)), stamp))
    ical: bytes = calendar.to_ical()
    return ical


def _event(info: ConferenceInfo, talk: Talk, url: str, stamp: dt.datetime) -> Event:
    assert talk.date is not None  # callers only pass dated talks
    event = Event()
    # The id is unique on the site and stable across builds; the acronym keeps
    # two conferences' talks apart in one subscriber's calendar.
    event.add("uid", f"{talk.id}@{info.acronym}")
    event.add("dtstamp", stamp)
    start = talk.start_datetime(info.tzinfo)
    if start is None:
        event.add("dtstart", talk.date)
        event.add("dtend", talk.date + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", start)
        end = talk.end_datetime(info.tzinfo)
        if end is not None:
            event.add("dtend", end)
    event.add("summary", clean_text(talk.raw_title or talk.title))
    if talk.cancelled:
        event.add("status", "CANCELLED")
    description = _description(talk)
    if description:
        event.add("description", description)
    location = _location(info, talk)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    categories = list(dict.fromkeys(clean_text(c) for c in (talk.kind, talk.track) if c))
    if categories:
        event.add("categories", categories)
    return event


def _location(info: ConferenceInfo, talk: Talk) -> str:
    """The room (or track) and the place: ``Room 2, Santa Clara Convention Center, ...``.

    A room name alone ("II") means nothing in a calendar among other
    appointments, and a map search needs the place.
    """
    parts = (clean_text(talk.location).strip(), clean_text(info.place).strip())
    return ", ".join(part for part in parts if part)


def _description(talk: Talk) -> str:
    """Who presents the talk, its text, then where its recording and slides are.

    Calendar clients show DESCRIPTION and little else, so what a reader needs
    to decide whether to go goes there: plain text, the presenters first (the
    line a preview shows), the abstract reflowed into one line per paragraph.
    """
    paragraphs = []
    if talk.presenters:
        paragraphs.append("Presenters: " + clean_text(format_presenters(talk.presenters)))
    paragraphs.extend(reflow(talk.description))
    links = [
        f"{label}: {link}"
        for label, link in (("Video", talk.video), ("Slides", talk.slides))
        if http_url(link)
    ]
    paragraphs.append("\n".join(links))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


@functools.lru_cache(maxsize=8)
def _vtimezone(timezone: str, first: dt.date, last: dt.date) -> Timezone:
    """The ``VTIMEZONE`` of ``timezone`` from ``first`` to ``last``.

    Made once and shared by every file that covers the same years: a site has
    a calendar per talk, and each would compute the same transitions again.
    Nothing changes a component once it is made; ``to_ical`` only reads it.
    """
    return Timezone.from_tzinfo(ZoneInfo(timezone), tzid=timezone, first_date=first,
                                last_date=last)


def _covered_years(info: ConferenceInfo, talks: Sequence[Talk]) -> tuple[dt.date, dt.date]:
    """January 1st of the first year and of the year after the last the file touches.

    Whole years make the same VTIMEZONE for every file of a conference, with
    both DST transitions of the year, and include a talk ending after midnight
    on New Year's Eve.
    """
    dates = [info.start, info.end, *(talk.date for talk in talks if talk.date is not None)]
    last = max(dates) + dt.timedelta(days=1)
    return dt.date(min(dates).year, 1, 1), dt.date(last.year + 1, 1, 1)


def _utc(stamp: dt.datetime) -> dt.datetime:
    """``stamp`` in UTC, as RFC 5545 requires of DTSTAMP; a naive one is refused."""
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise ValueError(f"stamp {stamp!r} has no time zone")
    return stamp.astimezone(dt.UTC)
