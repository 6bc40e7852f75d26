"""What frab XML and frab JSON share: one event's raw fields -> a :class:`Session`.

Both readers collect the same strings from their syntax (:class:`RawEvent`),
so the rules for identity, times, links and kinds are written once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Final

from .program import (
    Link,
    Session,
    http_link,
    kind_of,
    line,
    parse_clock,
    parse_duration,
    session_start,
    text,
)

_VIDEO_RE: Final = re.compile(r"video|recording|aufzeichnung|media|youtube|vimeo", re.I)
_SLIDES_RE: Final = re.compile(r"slides|folien|präsentation|presentation", re.I)


@dataclasses.dataclass
class RawEvent:
    """The strings of one frab event, before interpretation."""

    guid: str = ""
    id: str = ""
    date: str = ""
    start: str = ""
    duration: str = ""
    room: str = ""
    title: str = ""
    subtitle: str = ""
    track: str = ""
    type: str = ""
    language: str = ""
    abstract: str = ""
    description: str = ""
    url: str = ""
    slug: str = ""
    persons: list[str] = dataclasses.field(default_factory=list)
    #: ``(url, title, type)``; ``type`` is empty where the format has none.
    links: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)


def link_kind(title: str, kind: str, url: str) -> str:
    """``video``, ``slides`` or ``other``, from a link's type, else its title or URL."""
    kind = kind.casefold()
    if kind in {"media", "video", "recording"}:
        return "video"
    if kind == "slides":
        return "slides"
    if kind:
        return "other"
    if _VIDEO_RE.search(title) or "youtube.com/" in url or "media.ccc.de/" in url:
        return "video"
    if _SLIDES_RE.search(title):
        return "slides"
    return "other"


def to_session(
    raw: RawEvent,
    *,
    day: int,
    day_date: dt.date,
    day_change: dt.time,
    tz: dt.tzinfo,
    warnings: list[str],
) -> Session | None:
    """The session of ``raw``, or ``None`` (with a warning) when it has no identity."""
    ident = line(raw.guid) or line(raw.id) or line(raw.slug)
    title = line(raw.title)
    where = f"session {ident or '?'} ({title or 'untitled'})"
    if not ident:
        warnings.append(f"{where}: no guid, id or slug; not imported")
        return None
    if "\n" in text(raw.title):
        warnings.append(f"{where}: the title has line breaks; they are written as spaces")
    start = session_start(tz, day_date, raw.date, raw.start, day_change)
    if start is None and (raw.date or raw.start):
        warnings.append(f"{where}: unreadable start {raw.date or raw.start!r}; imported untimed")
    clock = parse_clock(raw.start)
    if start is not None and clock is not None and clock != start.time().replace(tzinfo=None):
        warnings.append(f"{where}: start {raw.start.strip()} disagrees with date "
                        f"{raw.date.strip()} in the conference zone; the date (an instant) "
                        "is used")
    duration = parse_duration(raw.duration) if raw.duration.strip() else None
    if raw.duration.strip() and duration is None:
        warnings.append(f"{where}: unreadable duration {raw.duration!r}; imported without an end")
    links = []
    for url, link_title, kind in raw.links:
        href = http_link(url)
        if href:
            links.append(Link(href, line(link_title), link_kind(line(link_title), kind, href)))
        elif line(url):
            warnings.append(f"{where}: link {line(url)!r} is not an http(s) URL; left out")
    return Session(
        ident=ident,
        title=title,
        day=day,
        start=start,
        duration=duration,
        subtitle=line(raw.subtitle),
        room=line(raw.room),
        track=line(raw.track),
        type=line(raw.type),
        kind=kind_of(raw.type),
        language=line(raw.language),
        abstract=text(raw.abstract),
        description=text(raw.description),
        url=http_link(raw.url),
        slug=line(raw.slug),
        persons=tuple(name for name in (line(person) for person in raw.persons) if name),
        links=tuple(links),
    )
