"""Translatable labels and the human-readable forms of dates and times.

Every word the extension puts on a page goes through :data:`_`, so a project in
another language can ship a ``conference`` message catalog; dates are formatted
with Babel (through Sphinx) in the project's ``language``.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from babel.dates import format_date as babel_format_date
from sphinx.locale import get_translation
from sphinx.util.i18n import format_date

from .model import TimeSlot

#: Message catalog domain of this extension (see ``app.add_message_catalog``).
CATALOG: Final = "conference"

_ = get_translation(CATALOG)


def day_heading(date: dt.date, language: str | None) -> str:
    """``Friday, March 15, 2013``: the name of a conference day as people say it."""
    when = dt.datetime.combine(date, dt.time(12), tzinfo=dt.UTC)
    return format_date("%A, %B %-d, %Y", date=when, language=language or "en")


def date_range(start: dt.date, end: dt.date, language: str | None) -> str:
    """``March 14–17, 2013``: a conference's dates, as a reader writes them."""
    locale = (language or "en").replace("-", "_")
    if start == end:
        return babel_format_date(start, "MMMM d, y", locale=locale)
    if (start.year, start.month) == (end.year, end.month):
        return f"{babel_format_date(start, 'MMMM d', locale=locale)}–{end.day}, {end.year}"
    if start.year == end.year:
        first = babel_format_date(start, "MMMM d", locale=locale)
        return f"{first} – {babel_format_date(end, 'MMMM d, y', locale=locale)}"
    return (f"{babel_format_date(start, 'MMMM d, y', locale=locale)} – "
            f"{babel_format_date(end, 'MMMM d, y', locale=locale)}")


def slot_text(slot: TimeSlot | None) -> str:
    """``10:50–11:20``, or an em dash placeholder for an untimed talk."""
    if slot is None:
        return "—"
    text = slot.start.strftime("%H:%M")
    if slot.end is not None:
        text += "–" + slot.end.strftime("%H:%M")
    return text
