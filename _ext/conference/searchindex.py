"""Make the ``searchindex.js`` of an incremental build equal a clean build's.

Sphinx 9.0 writes a different search index after an incremental build than
after a clean build of the same sources, in two ways:

* the index entries (``indexentries``) of the pages that the build did not
  rewrite are lost (sphinx-doc/sphinx#12599): ``IndexBuilder.load`` reads
  titles and words back from the old ``searchindex.js`` but not the index
  entries, and the environment's copy of them was pickled before the previous
  build wrote (and indexed) its pages, so it holds none;
* a word that no page contains any more stays in ``terms``/``titleterms``
  with an empty list: ``IndexBuilder.prune`` empties its set of pages but
  never deletes it.

:func:`repair_search_index` runs on ``html-collect-pages``, which
``StandaloneHTMLBuilder.finish`` emits after every page was written and
indexed, and before it dumps the index (its finish tasks run serially, in the
order it adds them: ``gen_pages_from_extensions``, then ``handle_finish``'s
``dump_search_index``). The old ``searchindex.js`` is still on disk then. The
repair reads the index entries of the pages that this build kept from it,
rather than from their doctrees: that would unpickle every kept page in every
build. So the repair is as complete as the old index: the entries that a
build without this extension lost come back when their page is rewritten.

Sphinx internals this module depends on (verified on the Sphinx versions of
``conference.compat.SEARCH_INDEX_REPAIR``; on other versions it does nothing
and ``conference.compat`` warns):

* ``StandaloneHTMLBuilder.indexer``, the ``IndexBuilder`` that
  ``prepare_writing`` creates, loads and prunes when the builder searches
  (html, dirhtml; singlehtml never emits ``html-collect-pages``, epub does
  not search), and ``indexer_format``/``searchindex_filename``, the format
  and name of the index file. Builders that write the index in another format
  (``sphinxcontrib-serializinghtml``) are left alone.
* The frozen index, as ``IndexBuilder.freeze`` writes it and
  ``sphinx.search.js_index`` reads it: ``envversion`` (an index of another
  environment version is one ``IndexBuilder.load`` rejects), ``docnames`` (the
  page of each file index, in order) and ``indexentries`` (lower-cased entry
  -> ``[file index, target id, main]``, ``main`` a bool).
* ``IndexBuilder._titles``: the pages in the index, those kept by ``load``
  and ``prune`` plus those fed by this build. Every one of them exists.
* ``IndexBuilder._index_entries``: page -> ``(entry, target id, 'main' or
  '')``. ``feed`` sets it for every page it indexes, to an empty list if the
  page has no entries, so a page without a key was not fed by this build.
  ``freeze`` lower-cases the entries and appends each page's to the lists in
  the dict's order, so that order must be the clean build's: the order Sphinx
  writes pages in, sorted by docname (``Builder.write_documents``; under
  ``-j N`` too, as pages are indexed in the main process in that order).
* ``IndexBuilder._mapping``/``_title_mapping``: word -> set of pages.
* For :func:`keep_same_bodies`: ``StandaloneHTMLBuilder.load_indexer(docnames)``,
  which loads the old index and prunes ``docnames`` from it, and
  ``index_page(pagename, doctree, title)``, which feeds one page; both looked
  up on the builder, so an instance attribute replaces them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.search import js_index

from . import compat, dependencies

if TYPE_CHECKING:
    from collections.abc import Set

    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.search import IndexBuilder
    from sphinx.util.typing import ExtensionMetadata

__version__: Final = "1.0"

#: An index entry as ``IndexBuilder`` keeps it: entry, target id, ``'main'`` or ``''``.
IndexEntry = tuple[str, str, str]


def old_index(builder: StandaloneHTMLBuilder) -> dict[str, Any] | None:
    """The index that the previous build wrote, if ``IndexBuilder.load`` accepted it."""
    try:
        text = (builder.outdir / builder.searchindex_filename).read_text(encoding="utf-8")
        frozen = js_index.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(frozen, dict) or frozen.get("envversion") != builder.env.version:
        return None
    return frozen


def entries_by_page(frozen: dict[str, Any], docnames: set[str]) -> dict[str, list[IndexEntry]]:
    """The index entries of ``docnames`` in the frozen index, as ``IndexBuilder.feed`` keeps them.

    The entries come back lower-cased, which ``freeze`` does anyway. A page's
    entries stay in the order that they have in each entry's list, which
    ``freeze`` took from ``feed``.
    """
    index2doc: list[str] = frozen["docnames"]
    entries: dict[str, list[IndexEntry]] = {}
    for entry, items in frozen["indexentries"].items():
        for file_index, target_id, main in items:
            docname = index2doc[file_index]
            if docname in docnames:
                entries.setdefault(docname, []).append((entry, target_id, "main" if main else ""))
    return entries


def restore_index_entries(indexer: IndexBuilder, frozen: dict[str, Any] | None) -> None:
    """Give the pages this build kept their index entries, in a clean build's page order."""
    entries = indexer._index_entries
    kept = {docname for docname in indexer._titles if docname not in entries}
    restored = entries_by_page(frozen, kept) if frozen is not None else {}
    ordered = {
        docname: entries[docname] if docname in entries else restored.get(docname, [])
        for docname in sorted(indexer._titles)
    }
    entries.clear()
    entries.update(ordered)


def drop_empty_terms(indexer: IndexBuilder) -> None:
    """Forget the words that no page in the index contains any more."""
    for mapping in (indexer._mapping, indexer._title_mapping):
        for word in [word for word, docnames in mapping.items() if not docnames]:
            del mapping[word]


def repair_search_index(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: repair the index before the builder dumps it; adds no page."""
    builder = app.builder
    if (
        isinstance(builder, StandaloneHTMLBuilder)
        and builder.indexer is not None
        and builder.indexer_format is js_index
    ):
        restore_index_entries(builder.indexer, old_index(builder))
        drop_empty_terms(builder.indexer)
    return []


def keep_same_bodies(app: Sphinx) -> None:
    """``builder-inited``: keep the index data of pages written again with the same body.

    Why: reordering a day rewrites every page of that day for its sidebar,
    and Sphinx indexes each rewritten page again, a tenth of the time of
    such a build. A page's index data is made from its resolved doctree, its
    title, source file and metadata, which are the same for the pages of
    ``dependencies.same_body``. So the builder keeps those pages' data from
    the old ``searchindex.js`` (``load_indexer`` prunes them no more) and
    does not feed them again; their index entries come back with the other
    kept pages' (:func:`repair_search_index`). A page that the old index
    does not hold is indexed as usual.
    """
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or not builder.search:
        return
    load_indexer, index_page = builder.load_indexer, builder.index_page
    kept: set[str] = set()

    def load_keeping(docnames: Set[str]) -> None:
        same = dependencies.same_body(app) & docnames
        load_indexer(set(docnames) - same)
        indexer = builder.indexer
        kept.clear()
        if indexer is not None:
            kept.update(docname for docname in same if docname in indexer._titles)

    def index_unless_kept(pagename: str, doctree: nodes.document, title: str) -> None:
        if pagename not in kept:
            index_page(pagename, doctree, title)

    builder.load_indexer = load_keeping  # type: ignore[method-assign]
    builder.index_page = index_unless_kept  # type: ignore[method-assign]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect the repair, on the Sphinx versions it was verified on only."""
    if compat.enabled(compat.SEARCH_INDEX_REPAIR):
        app.connect("html-collect-pages", repair_search_index)
        app.connect("builder-inited", keep_same_bodies)
    compat.connect_warning(app, compat.SEARCH_INDEX_REPAIR)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
