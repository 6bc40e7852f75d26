"""Remove the output of pages whose source was deleted or renamed.

Sphinx leaves ``old-name.html`` in the output directory when ``old-name.rst``
goes away, and the images and downloads that only that page used in
``_images/`` and ``_downloads/``. So an incremental build would hold files
that a clean build does not. For the HTML-family builders (html, dirhtml,
singlehtml, epub, and any other ``StandaloneHTMLBuilder``) this module
deletes them. (Talk calendars are pruned by ``exports`` itself, which owns
the ``calendar/`` folder.)

The files go at ``write-started``, before any page is written: the ePub
builder lists every file in its output directory in ``content.opf`` and
zips them into the ``.epub`` when it finishes, so a stale ``.xhtml`` deleted
any later would already be in both.

Sphinx reports a removed source only to the first build that runs after the
removal, and that build may be another builder's on the same doctrees (html,
then latex, then html, as Read the Docs does). So the domain remembers, for
each output (builder and directory, see
:func:`~conference.dependencies.output_key`), which pages and which images
and downloads it holds, and every build of that output deletes the files of
the pages that are no longer documents and the assets no page uses any more.
It remembers each page's source file too: a page whose source changed its
suffix (``closing.rst`` rewritten as ``closing.md``) keeps its name but leaves
a stale copied source (``_sources/closing.rst.txt``) behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from .dependencies import output_key
from .domain import ConferenceDomain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Attribute on the builder holding the page outputs to delete once writing starts.
_PENDING = "_conference_removed_outputs"


def cleans(builder: Builder) -> bool:
    """Whether this module keeps ``builder``'s output free of deleted pages."""
    return isinstance(builder, StandaloneHTMLBuilder)


def page_outputs(app: Sphinx, env: BuildEnvironment, docname: str,
                 source: str | None = None) -> set[Path]:
    """The files a page puts into this output: the page and its copied source.

    ``source`` is the page's source file relative to the source directory,
    by default the current one (a page that is gone has none).
    """
    files: set[Path] = set()
    if app.builder.name != "singlehtml":
        assert isinstance(app.builder, StandaloneHTMLBuilder)
        files.add(Path(app.builder.get_outfilename(docname)))
    if getattr(app.builder, "copysource", False) and app.config.html_copy_source:
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
    if not cleans(app.builder):
        return []
    sources = {docname: str(env.doc2path(docname, False)) for docname in sorted(env.found_docs)}
    held = ConferenceDomain.of(env).record_outputs(output_key(app), sources)
    gone: set[Path] = set()
    for docname, source in sorted(held.items()):
        if sources.get(docname) != source:
            gone |= page_outputs(app, env, docname, source)
    if gone:
        # A file a current page writes stays (dirhtml: ``a.rst`` gone,
        # ``a/index.rst`` added, both write ``a/index.html``).
        for docname in env.found_docs:
            gone -= page_outputs(app, env, docname)
    setattr(app.builder, _PENDING, gone)
    return []


def asset_files(env: BuildEnvironment) -> set[str]:
    """The ``_images/`` and ``_downloads/`` files the current pages use (outdir-relative).

    As the HTML builders name them: an image by its unique name in
    ``env.images``, a download by its ``hash/name`` in ``env.dlfiles``.
    """
    images = {f"_images/{name}" for _docs, name in env.images.values()}
    downloads = {f"_downloads/{dest}" for _docs, dest in env.dlfiles.values()}
    return images | downloads


def note_unused_assets(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: note the images and downloads no page uses any more.

    Only assets this output recorded as coming from ``env.images`` and
    ``env.dlfiles`` are candidates: other extensions also write into
    ``_images/`` (math, graphviz), and those files are theirs. Recorded here,
    after all reading and before Sphinx pickles the environment (which it does
    before writing starts), so the record is kept.
    """
    if not cleans(app.builder):
        return []
    used = asset_files(env)
    held = ConferenceDomain.of(env).record_assets(output_key(app), sorted(used))
    pending: set[Path] = getattr(app.builder, _PENDING, set())
    setattr(app.builder, _PENDING, pending | {Path(app.outdir, name) for name in set(held) - used})
    return []


def remove_outputs(app: Sphinx, builder: Builder) -> None:
    """``write-started``: delete the files of deleted pages and of unused assets."""
    outdir = Path(app.outdir)
    for path in sorted(getattr(builder, _PENDING, set())):
        if not path.is_file():
            continue
        path.unlink()
        logger.info("removed %s (no source uses it)", path.relative_to(outdir))
        # dirhtml keeps each page in a folder of its own, downloads sit in
        # hash-named folders; a clean build has no empty ones.
        folder = path.parent
        while folder != outdir and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    setattr(builder, _PENDING, set())
