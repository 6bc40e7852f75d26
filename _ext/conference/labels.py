"""Translatable labels and the human-readable forms of dates and times.

Every word the extension puts on a page goes through :data:`_`, so a project in
another language can ship a ``conference`` message catalog; dates are formatted
with Babel (through Sphinx) in the project's ``language``.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

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


def slot_text(slot: TimeSlot | None) -> str:
    """``10:50–11:20``, or an em dash placeholder for an untimed talk."""
    if slot is None:
        return "—"
    text = slot.start.strftime("%H:%M")
    if slot.end is not None:
        text += "–" + slot.end.strftime("%H:%M")
    return text
