"""Schedule exports: iCalendar, frab JSON and frab XML, from the talk model alone.

Nothing here imports Sphinx: every function takes the validated
:class:`~conference.model.ConferenceInfo`, the talks in schedule order and a
``talk_url`` callable, and returns the file's bytes, the same bytes for the
same input. :mod:`conference.exports` feeds them from a build and writes the
files; :func:`export_path` tells pages where those files are.

Pages need only :mod:`.paths` while they are read and written; the writers
(and ``icalendar``) are imported on first use, at the end of an HTML build,
so they add nothing to the memory of the reading and writing phases.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._common import TalkUrl
from .paths import CALENDAR_DIR, ExportKind, export_path, talk_has_calendar

#: Public name -> the submodule that defines it, imported when first asked for.
_LAZY = {
    "GUID_NAMESPACE": "frab",
    "FrabSchedule": "frab",
    "frab_json": "frab",
    "frab_schedule": "frab",
    "frab_xml": "frab_xmlfile",
    "PRODID": "ical",
    "conference_calendar": "ical",
    "day_calendar": "ical",
    "default_stamp": "ical",
    "stamp_from_source_date_epoch": "ical",
    "talk_calendar": "ical",
    "schedule_files": "bundle",
    "schedule_makers": "bundle",
}

__all__ = ["CALENDAR_DIR", "ExportKind", "TalkUrl", "export_path", "talk_has_calendar",
           *_LAZY]


def __getattr__(name: str) -> Any:
    """Import a writer's module the first time one of its names is used (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
