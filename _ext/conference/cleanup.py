"""Remove the output of pages whose source was deleted or renamed.

Sphinx leaves ``old-name.html`` in the output directory when ``old-name.rst``
goes away, so an incremental build would hold a page (and its calendar file)
that a clean build does not. For HTML-family builders this module deletes the
page, its copied source and its talk calendars, so that the output directory
of an incremental build equals that of a clean build.

Sphinx reports a removed source only to the first build that runs after the
removal, and that build may be another builder's on the same doctrees (html,
then latex, then html, as Read the Docs does). So the domain remembers, for
each output (builder and directory, see
:func:`~conference.schedule.output_key`), which files each page put there,
and every build of that output deletes the files of the pages that are no
longer documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util import logging

from .config import conference_info
from .domain import ConferenceDomain
from .exporters.paths import export_path, talk_has_calendar
from .schedule import output_key
from .transforms import EXPORTING_BUILDERS

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Attribute on the builder holding the outputs to delete once the build is done.
_PENDING = "_conference_removed_outputs"

#: Key of the domain data: output key -> docname -> files (relative POSIX paths).
RECORD = "outputs"


def page_outputs(app: Sphinx, env: BuildEnvironment, docname: str) -> tuple[str, ...]:
    """The files a page puts into this output: page, copied source, talk calendars."""
    outdir = Path(app.outdir)
    files: list[str] = []
    if app.builder.name != "singlehtml":
        files.append(Path(app.builder.get_outfilename(docname)).relative_to(outdir).as_posix())
    if app.config.html_copy_source:
        # As StandaloneHTMLBuilder.get_doc_context names it.
        source = str(env.doc2path(docname, False))
        if source[len(docname):] != app.config.html_sourcelink_suffix:
            source += app.config.html_sourcelink_suffix
        files.append(f"_sources/{Path(source).as_posix()}")
    info = conference_info(env.config)
    if info is not None:
        domain: ConferenceDomain = env.domains[ConferenceDomain.name]
        files.extend(
            export_path("talk", talk.id)
            for talk in domain.talks_by_doc.get(docname, [])
            if talk_has_calendar(info, talk)
        )
    return tuple(files)


def note_removed_docs(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """``env-get-outdated``: note the files of pages gone since this output was built.

    Runs before Sphinx purges ``removed``, while their talks are still known,
    and records the files of every current page for the next build of this
    output.
    """
    if app.builder.name not in EXPORTING_BUILDERS:
        return []
    records = env.domains[ConferenceDomain.name].data[RECORD]
    key = output_key(app)
    written: dict[str, tuple[str, ...]] = records.get(key, {})
    current = {docname: page_outputs(app, env, docname) for docname in sorted(env.found_docs)}
    records[key] = current
    # A file a current page writes (dirhtml: ``a.rst`` gone, ``a/index.rst``
    # added) stays.
    kept = {name for files in current.values() for name in files}
    gone = {
        name
        for docname, files in written.items()
        if docname not in env.found_docs
        for name in files
        if name not in kept
    }
    setattr(app.builder, _PENDING, gone)
    return []


def remove_outputs(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: delete what :func:`note_removed_docs` recorded.

    Runs after the exports were written, and skips a talk calendar that a
    remaining talk of the same id still owns.
    """
    if exception is not None:
        return
    domain: ConferenceDomain = app.env.domains[ConferenceDomain.name]
    kept = {export_path("talk", talk_id) for talk_id in domain.talks}
    outdir = Path(app.outdir)
    for name in sorted(getattr(app.builder, _PENDING, ())):
        path = outdir / name
        if name in kept or not path.is_file():
            continue
        path.unlink()
        logger.info("removed %s (its source is gone)", name)
        # dirhtml keeps each page in a folder of its own; a clean build has none.
        folder = path.parent
        while folder != outdir and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
