"""Every part of ``conference`` that depends on the Sphinx version.

The extension declares ``sphinx>=8.1`` and calls ``app.require_sphinx`` with
:data:`MINIMUM_SPHINX`, so an older Sphinx stops with its own "needs at least
Sphinx v8.1" error. Everything else works through public API, except four
pieces that reach into Sphinx internals, which may change in any minor
release. Each is a :class:`Feature` here, with the minor versions its
internals were verified on: the whole test suite passes there (``make
test-matrix`` runs it on the lowest and the highest; the navigation cache's
verify mode is run on the real site and on a generated one). On any other
version the piece is switched off and :func:`warn_if_off` says so once per
build, with the version and what it costs, as a warning of type
``conference.compat`` (``suppress_warnings = ["conference.compat"]`` silences
it). The pieces, and the internals each relies on (their modules' docstrings
give the details):

:data:`NAV_CACHE` (``navcache``)
    ``StandaloneHTMLBuilder.handle_page``'s ``toctree`` helper (a lambda whose
    ``__qualname__`` is :data:`TOCTREE_HELPER`, calling
    ``_get_local_toctree``), ``sphinx.environment.adapters.toctree``
    (``global_toctree_for_doc``, ``_resolve_toctree``, ``_toctree_copy``,
    ``_toctree_add_classes``, ``TocTree.resolve``), ``env.toctree_includes``,
    ``env.tocs``, ``env.master_doctree`` and ``builder.render_partial``.
:data:`SEARCH_INDEX_REPAIR` (``searchindex``)
    ``IndexBuilder``'s ``_titles``, ``_index_entries``, ``_mapping`` and
    ``_title_mapping``, the frozen index's ``envversion``, ``docnames`` and
    ``indexentries``, and the order of ``StandaloneHTMLBuilder.finish``'s
    tasks (``html-collect-pages`` before ``dump_search_index``).
:data:`PARALLEL` (``parallel``)
    ``Builder._read_parallel`` (and the ``make_chunks`` it calls),
    ``_write_parallel`` and ``_write_serial``, ``ParallelTasks``,
    ``StandaloneHTMLBuilder.images`` and the ``IndexBuilder`` fields that
    ``feed`` fills.
:data:`DOCTREE_RELEASE` (``doctrees``)
    ``BuildEnvironment._write_doc_doctree_cache`` and
    ``_pickled_doctree_cache`` (:data:`WRITE_DOCTREE_CACHE`,
    :data:`PICKLED_DOCTREE_CACHE`), and ``get_doctree_write`` falling back to
    ``get_doctree`` for a page missing from the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

import sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: The oldest Sphinx this extension runs on, for ``app.require_sphinx``.
MINIMUM_SPHINX: Final = "8.1"

#: The Sphinx minor versions the whole suite is run on (see the README).
TESTED_SPHINX: Final = ((8, 1), (8, 2), (9, 0))

#: ``__qualname__`` of the helper ``StandaloneHTMLBuilder.handle_page`` puts
#: into the page context as ``toctree`` (the same on every tested version).
TOCTREE_HELPER: Final = "StandaloneHTMLBuilder.handle_page.<locals>.<lambda>"

#: ``BuildEnvironment`` attributes: doctrees parsed in this build and kept for
#: writing, and the pickled bytes of every doctree ``get_doctree`` loaded.
WRITE_DOCTREE_CACHE: Final = "_write_doc_doctree_cache"
PICKLED_DOCTREE_CACHE: Final = "_pickled_doctree_cache"


@dataclass(frozen=True)
class Feature:
    """A piece that relies on Sphinx internals, and where they were verified.

    ``cost`` says what a build loses while the piece is off, for the warning.
    """

    name: str
    verified: frozenset[tuple[int, int]]
    cost: str


NAV_CACHE: Final = Feature(
    "the navigation cache (conference_nav_cache)",
    frozenset(TESTED_SPHINX),
    "every page renders its whole sidebar branch itself, so writing a day of N talks "
    "costs N² sidebar entries instead of N",
)
SEARCH_INDEX_REPAIR: Final = Feature(
    "the search index repair",
    frozenset(TESTED_SPHINX),
    "after an incremental build searchindex.js loses the index entries of the pages "
    "not rewritten and keeps words no page has (sphinx-doc/sphinx#12599), "
    "until the next clean build",
)
PARALLEL: Final = Feature(
    "the parallel reader and writer (conference_parallel)",
    frozenset(TESTED_SPHINX),
    "under -j N pages are read in many small chunks, and the main process resolves "
    "and indexes every page itself while N - 1 writers render them",
)
DOCTREE_RELEASE: Final = Feature(
    "the doctree memory release",
    frozenset(TESTED_SPHINX),
    "a serial build holds every page's doctree in memory until it is written",
)


def sphinx_version() -> tuple[int, int]:
    """The running Sphinx's (major, minor), read at each call so tests can fake it."""
    return (sphinx.version_info[0], sphinx.version_info[1])


def enabled(feature: Feature) -> bool:
    """Whether *feature* may run on this Sphinx."""
    return sphinx_version() in feature.verified


def _applies(feature: Feature, app: Sphinx) -> bool:
    """Whether *feature* would do anything in this build, were it enabled."""
    builder = app.builder
    if feature is NAV_CACHE:
        return bool(app.config.conference_nav_cache) and builder.name == "html"
    if feature is SEARCH_INDEX_REPAIR:
        return isinstance(builder, StandaloneHTMLBuilder) and builder.search
    if feature is PARALLEL:
        return bool(app.config.conference_parallel) and app.parallel > 1
    return True


def warn_if_off(feature: Feature, app: Sphinx) -> None:
    """``builder-inited``: warn if *feature* is off on this Sphinx and would have run.

    Only a piece that this build would use is named (a LaTeX build has no
    sidebar to cache). The warning is raised once the configuration is read,
    so ``suppress_warnings`` applies to it.
    """
    if enabled(feature) or not _applies(feature, app):
        return
    newer = " (newer than any tested)" if sphinx_version() > max(TESTED_SPHINX) else ""
    logger.warning(
        "%s relies on Sphinx internals verified on Sphinx %s only: it is off on "
        "Sphinx %s%s, so %s",
        feature.name,
        ", ".join(f"{major}.{minor}" for major, minor in sorted(feature.verified)),
        sphinx.__display_version__,
        newer,
        feature.cost,
        type="conference",
        subtype="compat",
    )


def connect_warning(app: Sphinx, feature: Feature) -> None:
    """Have this build warn, at ``builder-inited``, if *feature* is off.

    Each module connects its own piece in its ``setup()``, so a project that
    loads only ``conference.navcache`` is warned too, and once.
    """
    app.connect("builder-inited", partial(warn_if_off, feature))
