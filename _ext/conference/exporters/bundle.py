"""Every export of a schedule at once: the files a build writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..model import ConferenceInfo, Talk
from ._common import TalkUrl, conference_talks
from .frab import frab_json
from .frab_xmlfile import frab_xml
from .ical import conference_calendar, day_calendar, talk_calendar
from .paths import export_path, talk_has_calendar


def schedule_files(
    info: ConferenceInfo,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    *,
    stamp: dt.datetime | None = None,
    language: str = "en",
) -> dict[str, bytes]:
    """Every export of the schedule: outdir-relative POSIX path -> contents.

    The whole-schedule files, one calendar per conference day (even an empty
    one, so day links never break) and one per talk that
    :func:`talk_has_calendar` accepts. Raises :class:`ValueError` when a day
    folder cannot name a file (see :func:`export_path`).
    """
    files = {
        export_path("ics"): conference_calendar(info, talks, talk_url, stamp=stamp),
        export_path("json"): frab_json(info, talks, talk_url, language=language),
        export_path("xml"): frab_xml(info, talks, talk_url, language=language),
    }
    for day in info.days:
        files[export_path("day", day)] = day_calendar(info, talks, talk_url, day, stamp=stamp)
    for talk in conference_talks(info, talks):
        if talk_has_calendar(info, talk):
            files[export_path("talk", talk.id)] = talk_calendar(info, talk, talk_url, stamp=stamp)
    return files
