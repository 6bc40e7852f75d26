"""Where each export lives in the output directory.

Pages link to the exports and the build writes them; both ask
:func:`export_path`, so a link can never point somewhere the file is not.
"""

from __future__ import annotations

from typing import Final, Literal, TypeAlias

from ..model import ConferenceInfo, Talk

#: ``ics``, ``json``, ``xml``: the whole schedule; ``day``: one day's calendar
#: (key: the day folder); ``talk``: one talk's calendar (key: the talk id);
#: ``chapters``: one talk's WebVTT chapters (key: the talk id).
ExportKind: TypeAlias = Literal["ics", "json", "xml", "day", "talk", "chapters"]

_SCHEDULE_FILES: Final[dict[str, str]] = {
    "ics": "schedule.ics",
    "json": "schedule.json",
    "xml": "schedule.xml",
}
#: Folder of the per-day and per-talk calendars.
CALENDAR_DIR: Final = "calendar"
#: Folder of the per-talk WebVTT chapters.
CHAPTERS_DIR: Final = "chapters"


def export_path(kind: ExportKind, key: str | None = None) -> str:
    """The outdir-relative POSIX path of an export.

    ``export_path("talk", "messaging-at-scale-at-instagram")`` is
    ``"calendar/messaging-at-scale-at-instagram.ics"``. A key that could
    escape the calendar folder or hide the file (``..``, ``a/b``, ``.x``)
    raises :class:`ValueError`: it comes from configuration or page content.
    """
    if kind in _SCHEDULE_FILES:
        if key is not None:
            raise ValueError(f"export {kind!r} takes no key, got {key!r}")
        return _SCHEDULE_FILES[kind]
    if kind not in ("day", "talk", "chapters"):
        raise ValueError(f"unknown export kind {kind!r}")
    if not key or key.startswith(".") or any(char in "/\\" or ord(char) < 32 for char in key):
        raise ValueError(f"{key!r} cannot name a calendar file")
    if kind == "chapters":
        return f"{CHAPTERS_DIR}/{key}.vtt"
    return f"{CALENDAR_DIR}/{key}.ics"


def talk_has_calendar(info: ConferenceInfo, talk: Talk) -> bool:
    """Whether the build writes ``export_path("talk", talk.id)`` for ``talk``.

    Only a dated talk on a conference day gets one, and not when its file
    would be a day's calendar (a talk whose id is ``friday``; compared without
    case, for case-insensitive file systems): the day keeps its file.
    """
    if talk.day not in info.days or talk.date is None:
        return False
    try:
        export_path("talk", talk.id)
    except ValueError:
        return False
    return talk.id.casefold() not in {day.casefold() for day in info.days}
