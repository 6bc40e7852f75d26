"""The extension's configuration: defaults, validation, and the validated view.

``conference_days`` and ``conference_timezone`` are a public contract. A project
that sets neither (an intersphinx consumer that only wants the ``:talk:`` role)
gets no schedules, no exports and no index pages, and no warning either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sphinx.util import logging

from .model import ConferenceInfo, TalkDataError, parse_conference_days, parse_timezone

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

#: name -> (default, rebuild, types). Every value changes what pages show, so a
#: change rebuilds the environment.
CONFIG_VALUES: Final[dict[str, tuple[Any, str, tuple[type, ...]]]] = {
    "conference_days": ({}, "env", (dict,)),
    "conference_timezone": ("UTC", "env", (str,)),
    "conference_name": ("", "env", (str,)),
    "conference_acronym": ("", "env", (str,)),
    "conference_location": ("", "env", (str,)),
}


#: The time zone used when ``conference_timezone`` is invalid (also the default).
FALLBACK_TIMEZONE: Final = "UTC"


def conference_info(config: Config) -> ConferenceInfo | None:
    """The validated conference, or ``None`` when there is none to schedule.

    ``None`` covers both "not configured" and "invalid"; the latter was already
    reported once by :func:`check_config`, so callers stay silent. An invalid
    time zone alone does not cost the schedule: times are then read as UTC.
    """
    if not config.conference_days:
        return None
    try:
        days = parse_conference_days(config.conference_days)
    except TalkDataError:
        return None
    try:
        timezone = parse_timezone(config.conference_timezone)
    except TalkDataError:
        timezone = FALLBACK_TIMEZONE
    if not days:
        return None
    name = config.conference_name or config.project
    return ConferenceInfo(
        name=name,
        acronym=config.conference_acronym or _acronym(name),
        days=days,
        timezone=timezone,
        location=config.conference_location,
        base_url=config.html_baseurl,
    )


def _acronym(name: str) -> str:
    return "".join(char for char in name.lower() if char.isalnum()) or "conference"


def check_config(app: Sphinx, config: Config) -> None:
    """Report an invalid ``conference_days`` or time zone once, at start-up.

    A value of the wrong type is reported here, with the value, and then reset
    to its default: Sphinx's own type check (``config-inited`` at priority
    800, after this one) would otherwise report it a second time, untyped.
    """
    problems: list[str] = []
    if config.conference_days or not isinstance(config.conference_days, dict):
        try:
            parse_conference_days(config.conference_days)
        except TalkDataError as exc:
            problems.append(str(exc))
    try:
        parse_timezone(config.conference_timezone)
    except TalkDataError as exc:
        problems.append(f"{exc}; using {FALLBACK_TIMEZONE}")
    for name in ("conference_days", "conference_timezone"):
        default, _rebuild, types = CONFIG_VALUES[name]
        if not isinstance(getattr(config, name), types):
            setattr(config, name, default)
    for problem in problems:
        logger.warning(
            "invalid configuration: %s", problem, type="conference", subtype="config"
        )
