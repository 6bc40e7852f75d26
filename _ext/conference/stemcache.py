"""Stem each word once per build, not once per page.

Sphinx's search indexer (``IndexBuilder.feed``) memoises the stemmer only
within one page, so a word is stemmed again on every page that uses it: on a
generated 1000-talk site that is 311,828 calls of the Snowball stemmer for a
few thousand distinct words, a fifth of a clean build, all of it in the main
process under ``-j N`` (pages are indexed serially). The stemmer is a pure
function of the word, so one memo for the whole build gives the same index.

``feed`` reads ``self.lang.stem`` afresh for every page, so replacing that
bound method on the builder's ``IndexBuilder`` is enough. The indexer is made
by ``StandaloneHTMLBuilder.prepare_writing``, after ``write-started``; the
first ``doctree-resolved`` of the write phase comes after it and before the
first page is fed (``Builder._write_serial`` and ``_write_parallel`` both
resolve a page before ``write_doc_serialized`` indexes it).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from sphinx.builders.html import StandaloneHTMLBuilder

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

#: Marks a search language whose ``stem`` is already shared across pages.
_SHARED = "_conference_shared_stems"


def share_stems(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: memoise the search language's stemmer for this write phase."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or builder.indexer is None:
        return
    lang = builder.indexer.lang
    if getattr(lang, _SHARED, False):
        return
    lang.stem = functools.cache(lang.stem)  # type: ignore[method-assign]
    setattr(lang, _SHARED, True)
