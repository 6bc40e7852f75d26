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


def conference_info(config: Config) -> ConferenceInfo | None:
    """The validated conference, or ``None`` when there is none to schedule.

    ``None`` covers both "not configured" and "invalid"; the latter was already
    reported once by :func:`check_config`, so callers stay silent.
    """
    if not config.conference_days:
        return None
    try:
        days = parse_conference_days(config.conference_days)
        timezone = parse_timezone(config.conference_timezone)
    except TalkDataError:
        return None
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
    """Report an invalid ``conference_days`` or time zone once, at start-up."""
    problems: list[str] = []
    if config.conference_days:
        try:
            parse_conference_days(config.conference_days)
        except TalkDataError as exc:
            problems.append(str(exc))
    try:
        parse_timezone(config.conference_timezone)
    except TalkDataError as exc:
        problems.append(str(exc))
    for problem in problems:
        logger.warning(
            "invalid configuration: %s", problem, type="conference", subtype="config"
        )
