"""Remove the output of pages whose source was deleted or renamed.

Sphinx leaves ``old-name.html`` in the output directory when ``old-name.rst``
goes away, so an incremental build would hold a page that a clean build does
not. For HTML-family builders this module deletes the page and its copied
source, so that the output directory of an incremental build equals that of a
clean build. (Talk calendars are pruned by ``exports`` itself, which owns the
``calendar/`` folder.)

Sphinx reports a removed source only to the first build that runs after the
removal, and that build may be another builder's on the same doctrees (html,
then latex, then html, as Read the Docs does). So the domain remembers, for
each output (builder and directory, see
:func:`~conference.schedule.output_key`), which pages it holds, and every
build of that output deletes the files of the pages that are no longer
documents. It remembers each page's source file too: a page whose source
changed its suffix (``closing.rst`` rewritten as ``closing.md``) keeps its
name but leaves a stale copied source (``_sources/closing.rst.txt``) behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from .domain import ConferenceDomain
from .schedule import output_key
from .transforms import EXPORTING_BUILDERS

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Attribute on the builder holding the outputs to delete once the build is done.
_PENDING = "_conference_removed_outputs"

#: Key of the domain data: output key -> {docname: source file} of the pages
#: that output holds.
RECORD = "outputs"


def page_outputs(app: Sphinx, env: BuildEnvironment, docname: str,
                 source: str | None = None) -> set[Path]:
    """The files a page puts into this output: the page and its copied source.

    ``source`` is the page's source file relative to the source directory,
    by default the current one (a page that is gone has none).
    """
    files: set[Path] = set()
    if app.builder.name != "singlehtml" and isinstance(app.builder, StandaloneHTMLBuilder):
        files.add(Path(app.builder.get_outfilename(docname)))
    if app.config.html_copy_source:
        # As StandaloneHTMLBuilder.get_doc_context names it.
        if source is None:
            source = str(env.doc2path(docname, False))
        if source[len(docname):] != app.config.html_sourcelink_suffix:
            source += app.config.html_sourcelink_suffix
        files.add(Path(app.outdir, "_sources", source))
    return files


def note_removed_docs(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """``env-get-outdated``: note the files of pages gone since this output was built."""
    if app.builder.name not in EXPORTING_BUILDERS:
        return []
    records = ConferenceDomain.of(env).data[RECORD]
    key = output_key(app)
    written: dict[str, str] = records.get(key, {})
    sources = {docname: str(env.doc2path(docname, False)) for docname in sorted(env.found_docs)}
    records[key] = sources
    gone: set[Path] = set()
    for docname, source in sorted(written.items()):
        if sources.get(docname) != source:
            gone |= page_outputs(app, env, docname, source)
    if gone:
        # A file a current page writes stays (dirhtml: ``a.rst`` gone,
        # ``a/index.rst`` added, both write ``a/index.html``).
        for docname in env.found_docs:
            gone -= page_outputs(app, env, docname)
    setattr(app.builder, _PENDING, gone)
    return []


def remove_outputs(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: delete what :func:`note_removed_docs` recorded."""
    if exception is not None:
        return
    outdir = Path(app.outdir)
    for path in sorted(getattr(app.builder, _PENDING, ())):
        if not path.is_file():
            continue
        path.unlink()
        logger.info("removed %s (its source is gone)", path.relative_to(outdir))
        # dirhtml keeps each page in a folder of its own; a clean build has none.
        folder = path.parent
        while folder != outdir and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
