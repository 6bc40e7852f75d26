"""pyvideo/data session JSON: one session object, a list of them, or a collection.

pyvideo records what was filmed: title, speakers, the recording date,
summary (the abstract) and description, and its videos. It has no times and
no rooms, so every session is imported untimed on its recording date. The
collection form (``../shared/data/pycon-us-2013-pyvideo.json``) adds the
event's name, location and time zone (``"America/Los_Angeles (PDT, ...)"``:
the first word is the zone).
"""

from __future__ import annotations

from typing import Any, Final

from .program import (
    LANGUAGE_CODES,
    Link,
    Program,
    ProgramError,
    Session,
    acronym_of,
    http_link,
    kind_of,
    line,
    parse_date,
    text,
    zone,
)

#: pyvideo's own session fields: an object with these is a pyvideo session.
_SESSION_KEYS: Final = frozenset({"title", "speakers", "recorded"})


def _is_session(value: object) -> bool:
    return isinstance(value, dict) and value.keys() >= _SESSION_KEYS


def sessions_of(document: object) -> list[dict[str, Any]] | None:
    """The session objects of a pyvideo document, or ``None`` when it is not one."""
    if _is_session(document):
        assert isinstance(document, dict)
        return [document]
    items = document.get("talks") if isinstance(document, dict) else document
    if isinstance(items, list) and items and all(_is_session(item) for item in items):
        return items
    return None


def read(document: object, timezone: str | None, site_timezone: str | None) -> Program:
    """The program of a pyvideo document (see :func:`sessions_of`)."""
    items = sessions_of(document)
    if items is None:
        raise ProgramError("not a pyvideo document")
    meta = document if isinstance(document, dict) and "talks" in document else {}
    declared = line(meta.get("timezone")).split(" ", 1)[0] if meta else ""
    name = timezone or declared or site_timezone
    if not name:
        raise ProgramError("the program names no time zone: pass --timezone NAME")
    zone(name)
    warnings: list[str] = []
    dated = []
    for item in items:
        date = parse_date(line(item.get("recorded")))
        if date is None:
            warnings.append(f"session {line(item.get('id')) or '?'} "
                            f"({line(item.get('title')) or 'untitled'}): no readable "
                            "'recorded' date; not imported")
            continue
        dated.append((date, item))
    days = tuple(sorted({date for date, _ in dated}))
    sessions = []
    for date, item in dated:
        session = _session(item, days.index(date), warnings)
        if session is not None:
            sessions.append(session)
    event = line(meta.get("event")) or line(items[0].get("category")) or "Conference"
    return Program(
        format="pyvideo JSON",
        name=event,
        acronym=acronym_of(event),
        timezone=name,
        days=days,
        sessions=tuple(sessions),
        location=line(meta.get("location")),
        warnings=tuple(warnings),
    )


def _session(item: dict[str, Any], day: int, warnings: list[str]) -> Session | None:
    ident = line(item.get("id")) or line(item.get("slug"))
    title = line(item.get("title"))
    if not ident:
        warnings.append(f"session ? ({title or 'untitled'}): no id or slug; not imported")
        return None
    links = []
    for video in item.get("videos") or []:
        if not isinstance(video, dict):
            continue
        url = http_link(video.get("url"))
        # The mp4 copies carry expired S3 signatures; the YouTube link works.
        if url and line(video.get("type")) == "youtube":
            links.append(Link(url, "Video", "video"))
    # The site has no field for these; listed so the import reports them.
    links += [Link(url, "", "other") for url in map(http_link, item.get("related_urls") or [])
              if url]
    tags = [line(tag) for tag in item.get("tags") or [] if isinstance(tag, str)]
    kinds = [kind for kind in map(kind_of, tags) if kind]
    language = line(item.get("language"))
    speakers = item.get("speakers") or []
    return Session(
        ident=ident,
        title=title,
        day=day,
        kind=kinds[0] if kinds else "",
        language=LANGUAGE_CODES.get(language, language),
        abstract=text(item.get("summary")),
        description=text(item.get("description")),
        slug=line(item.get("slug")),
        persons=tuple(name for name in (line(speaker) for speaker in speakers
                                        if isinstance(speaker, str)) if name),
        links=tuple(links),
    )
