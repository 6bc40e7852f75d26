"""Write the schedule exports into the HTML output directory once a build is done.

The files themselves come from the Sphinx-free :mod:`conference.exporters`;
this module only decides whether to write them, gathers their input from the
build (the ``conf`` domain's talks, the configuration, ``SOURCE_DATE_EPOCH``,
the page URLs) and writes what changed.

The ``calendar/`` folder belongs to the extension: a ``.ics`` file there that
the current schedule does not produce (a talk renamed or deleted) is removed,
so an incremental build leaves the same files as a clean one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from . import exporters
from .config import conference_info
from .domain import ConferenceDomain
from .exporters import CALENDAR_DIR, TalkUrl, export_path, talk_has_calendar
from .model import Talk
from .schedule import conference_order
from .transforms import EXPORTING_BUILDERS

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

__all__ = ["export_path", "talk_url_for", "write_exports", "write_if_changed"]

logger = logging.getLogger(__name__)


def write_exports(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: write ``schedule.{ics,json,xml}`` and ``calendar/*.ics``.

    Only after a successful build by an HTML-family builder (by name: epub's
    format is html too, but an e-book cannot offer calendar files) of a
    project with ``conference_days``. A file is written only when its bytes
    change, so a no-op rebuild leaves every mtime alone.
    """
    if exception is not None or app.builder.name not in EXPORTING_BUILDERS:
        return
    info = conference_info(app.config)
    if info is None:
        return
    domain = ConferenceDomain.of(app.env)
    talks = conference_order(domain.talks.values())
    for talk in talks:
        if talk.day in info.days and talk.date is not None and not talk_has_calendar(info, talk):
            logger.warning(
                "talk %r gets no calendar file of its own: its id names a conference "
                "day's calendar; give the talk another id",
                talk.id,
                location=(talk.docname, talk.lineno),
                type="conference",
                subtype="export",
            )
    try:
        files = exporters.schedule_files(
            info,
            talks,
            talk_url_for(app.builder),
            # Sphinx has already refused a SOURCE_DATE_EPOCH that int() cannot read.
            stamp=exporters.stamp_from_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH")),
            language=app.config.language or "en",
        )
    except ValueError as exc:  # a day folder that cannot name a file
        logger.warning("schedule exports not written: %s", exc, type="conference", subtype="export")
        return
    outdir = Path(app.outdir)
    changed = [path for path, data in files.items() if write_if_changed(outdir / path, data)]
    removed = _prune_calendars(outdir / CALENDAR_DIR, {outdir / path for path in files})
    logger.info(
        "schedule exports: %d written, %d unchanged, %d removed",
        len(changed),
        len(files) - len(changed),
        len(removed),
    )


def talk_url_for(builder: Builder) -> TalkUrl:
    """The ``talk_url`` the exporters put in the files.

    With ``html_baseurl`` set, a talk links to its own page on this site (the
    page a calendar entry should open); without it the site's address is
    unknown, so the talk's official ``:url:`` is used, or nothing.
    """
    baseurl = builder.config.html_baseurl
    if not baseurl:
        return lambda talk: talk.url
    base = baseurl if baseurl.endswith("/") else baseurl + "/"

    def page_url(talk: Talk) -> str:
        uri = builder.get_target_uri(talk.docname)
        if uri.startswith("#") and isinstance(builder, StandaloneHTMLBuilder):
            # singlehtml: every page is a fragment of the root document's file.
            uri = quote(builder.config.root_doc) + builder.out_suffix
        return f"{urljoin(base, uri)}#{talk.anchor}"

    return page_url


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly that; True if written."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _prune_calendars(folder: Path, keep: set[Path]) -> list[Path]:
    """Delete the ``.ics`` files in ``folder`` that are not in ``keep``."""
    if not folder.is_dir():
        return []
    stale = sorted(path for path in folder.glob("*.ics") if path not in keep)
    for path in stale:
        path.unlink()
    return stale
