"""The extension's configuration: defaults, validation, and the validated view.

``conference_days`` and ``conference_timezone`` are a public contract. A project
that sets neither (an intersphinx consumer that only wants the ``:talk:`` role)
gets no schedules, no exports and no index pages, and no warning either.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from sphinx.util import logging

from .model import ConferenceInfo, TalkDataError, parse_conference_days, parse_timezone

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

#: name -> (default, rebuild, types). Every value changes what pages show, so a
#: change rebuilds the environment.
CONFIG_VALUES: Final[dict[str, tuple[Any, Literal["env"], tuple[type, ...]]]] = {
    "conference_days": ({}, "env", (dict,)),
    "conference_timezone": ("UTC", "env", (str,)),
    "conference_name": ("", "env", (str,)),
    "conference_acronym": ("", "env", (str,)),
    "conference_location": ("", "env", (str,)),
    "conference_venue": ("", "env", (str,)),
    "conference_city": ("", "env", (str,)),
}


#: Plain-text values: the exports write them as text, so anything else is
#: reported and dropped rather than left to fail when a file is written.
_TEXT_VALUES: Final = ("conference_venue", "conference_city")

#: The time zone used when ``conference_timezone`` is invalid (also the default).
FALLBACK_TIMEZONE: Final = "UTC"


#: :func:`conference_info` by the configuration values it is made from: it is
#: asked for on every page, and validating the days each time cost a second
#: of a 1000-page build. Values, not the ``Config`` object, are the key, so a
#: changed configuration is seen at once.
_INFO_MEMO: dict[tuple[object, ...], ConferenceInfo | None] = {}


def conference_info(config: Config) -> ConferenceInfo | None:
    """The validated conference, or ``None`` when there is none to schedule.

    ``None`` covers both "not configured" and "invalid"; the latter was already
    reported once by :func:`check_config`, so callers stay silent. An invalid
    time zone alone does not cost the schedule: times are then read as UTC.
    """
    key = (
        repr(config.conference_days), config.conference_timezone, config.conference_name,
        config.project, config.conference_acronym, config.conference_location,
        config.html_baseurl, config.conference_venue, config.conference_city,
    )
    if key not in _INFO_MEMO:
        if len(_INFO_MEMO) >= 16:  # a process building many sites (the tests)
            _INFO_MEMO.clear()
        _INFO_MEMO[key] = _validated_info(config)
    return _INFO_MEMO[key]


def _validated_info(config: Config) -> ConferenceInfo | None:
    if not config.conference_days:
        return None
    days, _problems = checked_days(config.conference_days)
    try:
        timezone = parse_timezone(config.conference_timezone)
    except TalkDataError:
        timezone = FALLBACK_TIMEZONE
    if not days:
        return None
    name = config.conference_name or config.project
    return ConferenceInfo(
        name=name,
        acronym=_acronym(config.conference_acronym or name),
        days=days,
        timezone=timezone,
        location=config.conference_location,
        base_url=config.html_baseurl,
        venue=config.conference_venue,
        # "Santa Clara, CA" is a town: the location stands in for a city not given.
        city=config.conference_city or config.conference_location,
    )


def checked_days(value: object) -> tuple[dict[str, dt.date], list[str]]:
    """The usable entries of ``conference_days``, and what is wrong with the others.

    Entries are judged one by one, so a typo in one day's date costs that day
    only, not the whole schedule (its talks are then listed as without a day).
    """
    if not isinstance(value, Mapping):
        try:
            parse_conference_days(value)
        except TalkDataError as exc:
            return {}, [str(exc)]
    usable: dict[str, dt.date] = {}
    problems: list[str] = []
    # parse_conference_days raised above for anything but a mapping, and
    # raises below for a key that is not a str before the key is used.
    for folder, day in cast("Mapping[str, object]", value).items():
        try:
            (date,) = parse_conference_days({folder: day}).values()
        except TalkDataError as exc:
            problems.append(str(exc))
            continue
        if date in usable.values():
            problems.append(f"conference_days gives {date} to two folders; ignoring {folder!r}")
            continue
        usable[folder] = date
    return dict(sorted(usable.items(), key=lambda item: item[1])), problems


def _acronym(name: str) -> str:
    """A frab acronym (``^[a-z0-9_-][a-z0-9_]{3,}$``) made from any name."""
    acronym = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return acronym if len(acronym) >= 4 else f"{acronym}_conf".lstrip("_")


def check_config(app: Sphinx, config: Config) -> None:
    """Report an invalid ``conference_days`` or time zone once, at start-up.

    A value of the wrong type is reported here, with the value, and then reset
    to its default: Sphinx's own type check (``config-inited`` at priority
    800, after this one) would otherwise report it a second time, untyped.
    """
    problems: list[str] = []
    if config.conference_days or not isinstance(config.conference_days, dict):
        problems.extend(checked_days(config.conference_days)[1])
    try:
        parse_timezone(config.conference_timezone)
    except TalkDataError as exc:
        problems.append(f"{exc}; using {FALLBACK_TIMEZONE}")
    acronym = config.conference_acronym
    if isinstance(acronym, str) and acronym and _acronym(acronym) != acronym:
        problems.append(f"conference_acronym {acronym!r} is not a frab acronym "
                        f"(lower-case letters, digits, _); using {_acronym(acronym)!r}")
    for name in ("conference_days", "conference_timezone"):
        default, _rebuild, types = CONFIG_VALUES[name]
        if not isinstance(getattr(config, name), types):
            setattr(config, name, default)
    for name in _TEXT_VALUES:
        value = getattr(config, name)
        if not isinstance(value, str):
            problems.append(f"{name} {value!r} is not a string; ignoring it")
            setattr(config, name, "")
    for problem in problems:
        logger.warning(
            "invalid configuration: %s", problem, type="conference", subtype="config"
        )
