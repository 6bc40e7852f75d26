"""Every export of a schedule at once: the files a build writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeAlias

from ..model import ConferenceInfo, Talk
from ._common import TalkUrl, conference_talks
from .frab import FrabSchedule, frab_schedule, schedule_json
from .frab_xmlfile import schedule_xml
from .ical import conference_calendar, day_calendar, talk_calendar
from .paths import export_path, talk_has_calendar

#: Makes one file's bytes from the talks it is to hold. A writer that fails on
#: some talk can so be run again without it (see :mod:`conference.exports`).
FileMaker: TypeAlias = Callable[[Sequence[Talk]], bytes]


def schedule_makers(
    info: ConferenceInfo,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    *,
    stamp: dt.datetime | None = None,
    language: str = "en",
) -> dict[str, tuple[FileMaker, tuple[Talk, ...]]]:
    """Every export: outdir-relative POSIX path -> (its writer, the talks it holds).

    The whole-schedule files, one calendar per conference day (even an empty
    one, so day links never break) and one per talk that
    :func:`talk_has_calendar` accepts. A day whose folder cannot name a file
    (see :func:`export_path`) gets no calendar of its own: that is the
    caller's to report.
    """
    frab = _SharedSchedule(info, talk_url, language)
    makers: dict[str, tuple[FileMaker, tuple[Talk, ...]]] = {
        export_path("ics"): (partial(_whole_calendar, info, talk_url, stamp), tuple(talks)),
        export_path("json"): (partial(_json, frab), tuple(talks)),
        export_path("xml"): (partial(_xml, frab), tuple(talks)),
    }
    for day in info.days:
        try:
            path = export_path("day", day)
        except ValueError:
            continue
        makers[path] = (partial(_day, info, talk_url, stamp, day),
                        tuple(talk for talk in talks if talk.day == day))
    for talk in conference_talks(info, talks):
        if talk_has_calendar(info, talk):
            makers[export_path("talk", talk.id)] = (partial(_talk, info, talk_url, stamp),
                                                    (talk,))
    return makers


def schedule_files(
    info: ConferenceInfo,
    talks: Sequence[Talk],
    talk_url: TalkUrl,
    *,
    stamp: dt.datetime | None = None,
    language: str = "en",
) -> dict[str, bytes]:
    """Every export of the schedule: outdir-relative POSIX path -> contents.

    The files of :func:`schedule_makers`, each made from all its talks.
    Raises :class:`ValueError` when a day folder cannot name a file.
    """
    for day in info.days:
        export_path("day", day)
    makers = schedule_makers(info, talks, talk_url, stamp=stamp, language=language)
    return {path: make(held) for path, (make, held) in makers.items()}


def _whole_calendar(info: ConferenceInfo, talk_url: TalkUrl, stamp: dt.datetime | None,
                    talks: Sequence[Talk]) -> bytes:
    return conference_calendar(info, talks, talk_url, stamp=stamp)


def _json(frab: _SharedSchedule, talks: Sequence[Talk]) -> bytes:
    return schedule_json(frab(talks))


def _xml(frab: _SharedSchedule, talks: Sequence[Talk]) -> bytes:
    return schedule_xml(frab(talks))


class _SharedSchedule:
    """:func:`frab_schedule` of the talks last asked for, for JSON and XML alike.

    Both files are made from one frab structure; building it is most of
    their cost (half a second each for 1000 talks), so the second file made
    from the same talks reuses the first one's.
    """

    def __init__(self, info: ConferenceInfo, talk_url: TalkUrl, language: str) -> None:
        self._info, self._talk_url, self._language = info, talk_url, language
        self._last: tuple[tuple[Talk, ...], FrabSchedule] | None = None

    def __call__(self, talks: Sequence[Talk]) -> FrabSchedule:
        held = tuple(talks)
        if self._last is None or self._last[0] != held:
            schedule = frab_schedule(self._info, held, self._talk_url, language=self._language)
            self._last = (held, schedule)
        return self._last[1]


def _day(info: ConferenceInfo, talk_url: TalkUrl, stamp: dt.datetime | None, day: str,
         talks: Sequence[Talk]) -> bytes:
    return day_calendar(info, talks, talk_url, day, stamp=stamp)


def _talk(info: ConferenceInfo, talk_url: TalkUrl, stamp: dt.datetime | None,
          talks: Sequence[Talk]) -> bytes:
    (talk,) = talks
    return talk_calendar(info, talk, talk_url, stamp=stamp)
