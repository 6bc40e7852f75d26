"""Translatable labels and the human-readable forms of dates and times.

Every word the extension puts on a page goes through :data:`_`, so a project in
another language can ship a ``conference`` message catalog; dates are formatted
in the project's ``language`` with Babel (English without it).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from babel.dates import format_date as babel_format_date
from babel.dates import format_interval
from sphinx.locale import get_translation

from .model import TimeSlot

#: Message catalog domain of this extension (see ``app.add_message_catalog``).
CATALOG: Final = "conference"

_ = get_translation(CATALOG)


#: English names, so an English site formats its dates without loading Babel's
#: locale data (several MB of memory on every build, for a handful of dates).
_MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July",
                  "August", "September", "October", "November", "December")
_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday")

#: Babel (CLDR) formats of the forms below, for every other language.
_FORMATS: Final = {"day": "full", "date": "long", "month-day": "MMMM d"}


def _format(date: dt.date, form: str, language: str | None) -> str:
    locale = (language or "en").replace("-", "_")
    if locale == "en" or locale.startswith("en_"):
        month_day = f"{_MONTHS[date.month - 1]} {date.day}"
        if form == "month-day":
            return month_day
        text = f"{month_day}, {date.year}"
        return f"{_WEEKDAYS[date.weekday()]}, {text}" if form == "day" else text
    return babel_format_date(date, _FORMATS[form], locale=locale)


def day_heading(date: dt.date, language: str | None) -> str:
    """``Friday, March 15, 2013``: the name of a conference day as people say it."""
    return _format(date, "day", language)


def date_range(start: dt.date, end: dt.date, language: str | None) -> str:
    """``March 14–17, 2013``: a conference's dates, as a reader writes them."""
    locale = (language or "en").replace("-", "_")
    if not (locale == "en" or locale.startswith("en_")):
        return format_interval(start, end, "yMMMMd", locale=locale)
    if start == end:
        return _format(start, "date", language)
    if (start.year, start.month) == (end.year, end.month):
        return f"{_format(start, 'month-day', language)}–{end.day}, {end.year}"
    if start.year == end.year:
        return f"{_format(start, 'month-day', language)} – {_format(end, 'date', language)}"
    return f"{_format(start, 'date', language)} – {_format(end, 'date', language)}"


def slot_text(slot: TimeSlot | None) -> str:
    """``10:50–11:20``, or an em dash placeholder for an untimed talk."""
    if slot is None:
        return "—"
    text = slot.start.strftime("%H:%M")
    if slot.end is not None:
        text += "–" + slot.end.strftime("%H:%M")
    return text
