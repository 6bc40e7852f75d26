"""Write pages from their pickled doctrees instead of holding every doctree in memory.

After a serial read Sphinx keeps each parsed doctree in memory
(``BuildEnvironment._write_doc_doctree_cache``) until the page is written, so
a site's peak memory holds every page's node tree at once. After a parallel
read that cache is empty and Sphinx loads each page from the pickle it wrote
while reading, one at a time. :func:`release_read_doctrees` empties the cache
once reading is over (after ``schedule.refresh_views`` re-read what it had
to), so serial builds write the way parallel ones do: the same doctrees,
hence the same output. ``get_doctree`` keeps the pickled bytes of every page
it loads (``_pickled_doctree_cache``), which would hold the whole site again;
:func:`release_written_doctree` drops a page's bytes once its tree is resolved
for writing, so at any time only the pages being written are in memory.

Internals relied on (Sphinx 9.0): the two private caches above;
``BuildEnvironment.get_doctree_write`` pops from the first and falls back to
``get_doctree`` (which fills the second) when a page is missing, and a page
evicted from the second is simply read from disk again. Other Sphinx versions
are left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import sphinx

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: The Sphinx minor version whose doctree cache this module was verified on.
VERIFIED_SPHINX: Final = (9, 0)

#: ``env-updated`` priority: after every handler that may still read pages.
PRIORITY: Final = 900


def release_read_doctrees(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``: drop the in-memory doctrees; writing reloads them one by one."""
    if sphinx.version_info[:2] != VERIFIED_SPHINX:
        return
    cache = getattr(env, "_write_doc_doctree_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def release_written_doctree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: forget the pickled bytes of a page being written."""
    if sphinx.version_info[:2] != VERIFIED_SPHINX:
        return
    cache = getattr(app.env, "_pickled_doctree_cache", None)
    if isinstance(cache, dict):
        cache.pop(docname, None)
