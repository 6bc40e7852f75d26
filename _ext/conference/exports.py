"""Write the schedule exports into the HTML output directory once a build is done.

The files themselves come from the Sphinx-free :mod:`conference.exporters`;
this module only decides whether to write them, gathers their input from the
build (the ``conf`` domain's talks, the configuration, ``SOURCE_DATE_EPOCH``,
the page URLs) and writes what changed.

Under ``-j N`` the files are made ahead, in a forked process started once
the talk pages are read (:func:`make_ahead`), and taken here when they were
made from the same inputs; that process also writes the files that change
into a staging folder of the doctree directory, and here each is moved into
place.

The ``calendar/`` folder belongs to the extension: a ``.ics`` file there that
the current schedule does not produce (a talk renamed or deleted) is removed,
so an incremental build leaves the same files as a clean one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeAlias
from urllib.parse import quote, urljoin
from weakref import WeakKeyDictionary

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.errors import SphinxParallelError
from sphinx.util import logging
from sphinx.util.parallel import ParallelTasks, parallel_available

from . import collector, exporters
from .config import conference_info
from .dependencies import output_file_key
from .domain import ConferenceDomain
from .exporters import CALENDAR_DIR, TalkUrl, export_path, talk_has_calendar
from .exporters.bundle import FileMaker
from .exportmemo import ExportMemo
from .model import ConferenceInfo, Talk
from .schedule import conference_order
from .transforms import EXPORTING_BUILDERS

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

__all__ = [
    "config_location",
    "export_path",
    "make_ahead",
    "remove_exports",
    "talk_url_for",
    "write_exports",
    "write_if_changed",
]

logger = logging.getLogger(__name__)


def write_exports(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: write ``schedule.{ics,json,xml}`` and ``calendar/*.ics``.

    Only after a successful build by an HTML-family builder (by name: epub's
    format is html too, but an e-book cannot offer calendar files) of a
    project with ``conference_days``; without them, the exports an earlier
    build wrote are removed, as a clean build has none. A file is made again
    only when its inputs changed (``exportmemo``), and written only when its
    bytes change, so a no-op rebuild leaves every mtime alone.

    An export never ends a build: a file that cannot be made or written is a
    located ``conference.export`` warning, and every other file is written.
    """
    ahead = _AHEAD.pop(app, None)
    if exception is not None or app.builder.name not in EXPORTING_BUILDERS:
        if ahead is not None:
            # What it staged until it ended stays until the next build's exports.
            ahead.terminate()
        return
    outdir = Path(app.outdir)
    where = config_location(app)
    info = conference_info(app.config)
    if info is None:
        removed = remove_exports(app, outdir, where)
        if removed:
            logger.info("schedule exports: %d removed (no conference_days)", len(removed))
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
    for day in info.days:
        try:
            export_path("day", day)
        except ValueError as exc:
            logger.warning("day %r gets no calendar file: %s", day, exc, type="conference",
                           subtype="export", location=where)
    memo, kept, todo = _plan(app, info, talks)
    made, staged = _take_ahead(ahead, todo)
    made.update(_make_all(app, [(path, make, held) for path, make, held, _digest in todo
                                if path not in made]))
    changed: list[str] = []
    for path, make, held, digest in todo:
        data, complete = made.get(path), True
        if data is None:
            # Its writer failed: find the talks to blame, here, in order.
            data, complete = _make(path, where, make, held)
        if data is None:
            continue
        try:
            if _put(outdir / path, data, staged.get(path)):
                changed.append(path)
        except OSError as exc:
            _export_warning(f"{path} not written: {exc}", held, where)
            continue
        kept.add(outdir / path)
        if complete:
            # A file made without some talks warns again in the next build.
            memo.record(path, digest, data)
    memo.save()
    # What is left there was made from old inputs, or by a build that was killed.
    shutil.rmtree(_staging(app), ignore_errors=True)
    removed = _prune_calendars(outdir / CALENDAR_DIR, kept, where)
    logger.info(
        "schedule exports: %d written, %d unchanged, %d removed",
        len(changed),
        len(kept) - len(changed),
        len(removed),
    )


#: One export still to make: its path, its writer, its talks, the digest of its inputs.
_Todo: TypeAlias = tuple[str, FileMaker, tuple[Talk, ...], str]


def _plan(app: Sphinx, info: ConferenceInfo, talks: Sequence[Talk]
          ) -> tuple[ExportMemo, set[Path], list[_Todo]]:
    """The export memo, the files kept as they are, and the files to make."""
    outdir = Path(app.outdir)
    talk_url = talk_url_for(app.builder)
    # Sphinx has already refused a SOURCE_DATE_EPOCH that int() cannot read.
    stamp = exporters.stamp_from_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH"))
    language = app.config.language or "en"
    makers = exporters.schedule_makers(info, talks, talk_url, stamp=stamp, language=language)
    memo = ExportMemo(app, info, (stamp, language))
    kept: set[Path] = set()
    todo: list[_Todo] = []
    for path, (make, held) in makers.items():
        digest = memo.digest(path, held, talk_url)
        if memo.unchanged(outdir, path, digest):
            kept.add(outdir / path)
        else:
            todo.append((path, make, held, digest))
    return memo, kept, todo


#: Below this many files (or talks, for :func:`make_ahead`), forking writers
#: costs more than it saves.
PARALLEL_EXPORTS: Final = 64


def _make_all(app: Sphinx, todo: list[tuple[str, FileMaker, tuple[Talk, ...]]]
              ) -> dict[str, bytes | None]:
    """Each file's bytes, ``None`` where its writer failed; under ``-j N`` in N processes.

    The exports of a 1000-talk site are a thousand calendar files, made after
    every page is written, by the main process alone. Each file is made from
    its own talks, so they can be made apart, as Sphinx writes pages: in
    forked processes (``sphinx.util.parallel``), the bytes sent back. A
    failure is only marked there and reported by :func:`_make` here, so the
    warnings come in the same order whatever ``-j`` is.
    """
    if app.parallel < 2 or len(todo) < PARALLEL_EXPORTS or not parallel_available:
        return dict(_make_chunk(todo))
    results: dict[str, bytes | None] = {}
    tasks = ParallelTasks(app.parallel)
    for first in range(app.parallel):
        chunk = todo[first::app.parallel]
        tasks.add_task(_make_chunk, chunk, lambda _chunk, made: results.update(made))
    tasks.join()
    return results


def _put(target: Path, data: bytes, staged: Path | None) -> bool:
    """Write ``data`` to ``target`` unless it holds it already; True if written.

    ``staged`` is a file that already holds ``data`` (made ahead, where
    ``target`` held something else): it is moved into place, which costs a
    rename instead of a file's creation, and a reader never sees the file
    half written. If it cannot be moved (another file system), ``data`` is
    written.
    """
    if staged is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        except OSError:
            pass
        else:
            return True
    return write_if_changed(target, data)


def _make_chunk(chunk: Iterable[tuple[str, FileMaker, tuple[Talk, ...]]]
                ) -> list[tuple[str, bytes | None]]:
    """Each file's bytes, ``None`` where its writer raised: :func:`_make` reports those."""
    made: list[tuple[str, bytes | None]] = []
    for path, make, held in chunk:
        # Any exception: reported, with its culprits, by _make.
        try:
            made.append((path, make(held)))
        except Exception:
            made.append((path, None))
    return made


# -- made ahead, under -j N ------------------------------------------------------


#: What the forked process sends back for each file: the digest of its
#: inputs, its bytes (``None`` if its writer failed) and whether it staged them.
_MadeAhead: TypeAlias = dict[str, tuple[str, bytes | None, bool]]


class _Ahead:
    """The exports being made in a forked process, what it sent back, and where it stages."""

    def __init__(self, tasks: ParallelTasks, staging: Path) -> None:
        self.tasks = tasks
        self.staging = staging
        self.made: _MadeAhead = {}

    def receive(self, _arg: object, made: _MadeAhead) -> None:
        self.made = made

    def terminate(self) -> None:
        self.tasks.terminate()


def _staging(app: Sphinx) -> Path:
    """The folder :func:`make_ahead` stages this output's files in (a build cache)."""
    return Path(app.doctreedir) / f"conference-exports-staged-{output_file_key(app)}"


def _stage(outdir: Path, staging: Path, path: str, data: bytes | None) -> bool:
    """Write ``data`` under ``staging`` unless the output holds it already; True if staged.

    Made ahead, the files are also written ahead, off the main process: a
    thousand calendar files took the main process 0.2 to 0.7 s to create
    once every page was written, while the other cores were idle.
    """
    if data is None:
        return False
    try:
        if (outdir / path).read_bytes() == data:
            return False
    except OSError:
        pass
    try:
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError:
        return False  # the main process writes it
    return True


#: Per build: the exports :func:`make_ahead` started.
_AHEAD: WeakKeyDictionary[Sphinx, _Ahead] = WeakKeyDictionary()

#: ``env-updated`` priority of :func:`make_ahead`: before the handlers that
#: read pages (``conference.schedule.refresh_views``, priority 500).
AHEAD_PRIORITY: Final = 100


def make_ahead(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``, under ``-j N``: start making the exports in a forked process.

    Once per build: ``conference.parallel``'s reader starts it earlier, as
    soon as its readers are done.

    Why: the exports of a 1000-talk site take five seconds of one core, made
    at ``build-finished`` after every page is written, while the main
    process, alone, then reads the day pages and the overview. Every talk page has been
    read by now, so the exports can be made beside those reads, on the core
    that would otherwise wait. :func:`write_exports` takes a file made
    ahead only if it was made from the inputs it has itself (the digest of
    :class:`ExportMemo`), so a talk that changes later (one declared on a
    page read after this) is made again there. The forked process writes
    each file that changes into a staging folder (:func:`_stage`); warnings,
    and putting the files in the output, stay at ``build-finished``, so the
    log and the output do not depend on ``-j``, and a build that fails
    writes no exports.
    """
    if (app.parallel < 2 or not parallel_available or app in _AHEAD
            or app.builder.name not in EXPORTING_BUILDERS):
        return
    info = conference_info(app.config)
    domain = ConferenceDomain.of(env)
    if info is None or len(domain.talks) < PARALLEL_EXPORTS:
        return

    outdir = Path(app.outdir)
    staging = _staging(app)

    def make_todo() -> _MadeAhead:
        _memo, _kept, todo = _plan(app, info, conference_order(domain.talks.values()))
        made = dict(_make_chunk((path, maker, held) for path, maker, held, _digest in todo))
        return {path: (digest, made[path], _stage(outdir, staging, path, made[path]))
                for path, _maker, _held, digest in todo}

    ahead = _Ahead(ParallelTasks(1), staging)
    # A forked process's collector would walk (and so copy) everything it inherits.
    collector.before_forking(app)
    ahead.tasks.add_task(make_todo, None, ahead.receive)
    _AHEAD[app] = ahead


def _take_ahead(ahead: _Ahead | None, todo: list[_Todo]
                ) -> tuple[dict[str, bytes | None], dict[str, Path]]:
    """The files of ``todo`` that :func:`make_ahead` made from these same inputs.

    Their bytes, and where those that changed are staged.
    """
    if ahead is None:
        return {}, {}
    try:
        ahead.tasks.join()
    except SphinxParallelError as exc:
        # Whatever went wrong there, every file is made here instead.
        logger.debug("[conference] exports made ahead are lost: %s", exc)
        return {}, {}
    taken = [(path, ahead.made[path]) for path, _maker, _held, digest in todo
             if path in ahead.made and ahead.made[path][0] == digest]
    return ({path: data for path, (_digest, data, _staged) in taken},
            {path: ahead.staging / path for path, (_digest, _data, staged) in taken if staged})


def _make(
    path: str, where: str, make: FileMaker, held: tuple[Talk, ...]
) -> tuple[bytes | None, bool]:
    """The bytes of one export, without the talks its writer fails on; and whether all are in.

    A writer that fails is run on each talk alone to find the ones it cannot
    take; each is a warning at its own directive, and the file is made from
    the others. ``None`` (after a warning) if even that fails.
    """
    # Any exception: whatever a writer trips over, the build must go on.
    try:
        return make(held), True
    except Exception as exc:
        failure: Exception = exc
    if len(held) < 2:
        _export_warning(f"{path} not written: {failure!r}", held, where)
        return None, False
    culprits = {talk: error for talk in held if (error := _failure(make, talk)) is not None}
    for talk, error in culprits.items():
        logger.warning("talk %r left out of %s: %r", talk.id, path, error,
                       location=(talk.docname, talk.lineno), type="conference",
                       subtype="export")
    if culprits:
        try:
            return make(tuple(talk for talk in held if talk not in culprits)), False
        except Exception as exc:
            failure = exc
    _export_warning(f"{path} not written: {failure!r}", held, where)
    return None, False


def _failure(make: FileMaker, talk: Talk) -> Exception | None:
    """What ``make`` raises for ``talk`` alone, if anything."""
    try:
        make((talk,))
    except Exception as exc:
        return exc
    return None


def config_location(app: Sphinx) -> str:
    """Where the exports are asked for: the ``conference_days`` line of ``conf.py``.

    The location of a warning about an export that no single talk is to blame for.
    """
    conf = Path(app.confdir, "conf.py")
    try:
        lines = conf.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    line = next((number for number, text in enumerate(lines, start=1)
                 if text.startswith("conference_days")), 1)
    return f"{conf}:{line}"


def _export_warning(message: str, held: tuple[Talk, ...], where: str) -> None:
    """A ``conference.export`` warning at the one talk a file is about, else at ``where``."""
    location = (held[0].docname, held[0].lineno) if len(held) == 1 else where
    logger.warning(message, location=location, type="conference", subtype="export")


def remove_exports(app: Sphinx, outdir: Path, where: str) -> list[Path]:
    """Delete the exports an earlier build wrote to ``outdir``; return them.

    The export paths and the ``calendar/`` folder belong to the extension,
    but a file that ``html_extra_path`` provides at one of those paths is the
    project's own and is kept.
    """
    extra = [Path(app.confdir, folder) for folder in app.config.html_extra_path]
    candidates = [outdir / export_path(kind) for kind in ("ics", "json", "xml")]
    calendars = outdir / CALENDAR_DIR
    if calendars.is_dir():
        candidates.extend(sorted(calendars.glob("*.ics")))
    removed = []
    for path in candidates:
        relative = path.relative_to(outdir)
        if (path.is_file() and not any((folder / relative).exists() for folder in extra)
                and _unlink(path, where)):
            removed.append(path)
    if calendars.is_dir() and not any(calendars.iterdir()):
        calendars.rmdir()
    return removed


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


def _prune_calendars(folder: Path, keep: set[Path], where: str) -> list[Path]:
    """Delete the ``.ics`` files in ``folder`` that are not in ``keep``."""
    if not folder.is_dir():
        return []
    stale = sorted(path for path in folder.glob("*.ics") if path not in keep and path.is_file())
    return [path for path in stale if _unlink(path, where)]


def _unlink(path: Path, where: str) -> bool:
    """Delete an export file; a file that cannot be deleted is a warning, not an error."""
    try:
        path.unlink()
    except OSError as exc:
        logger.warning("stale export not removed: %s", exc, location=where,
                       type="conference", subtype="export")
        return False
    return True
