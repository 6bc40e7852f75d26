"""Write pages from their pickled doctrees instead of holding every doctree in memory.

After a serial read Sphinx keeps each parsed doctree in memory
(``BuildEnvironment._write_doc_doctree_cache``) until the page is written, so
a site's peak memory holds every page's node tree at once. After a parallel
read that cache is empty and Sphinx loads each page from the pickle it wrote
while reading, one at a time. :func:`release_read_doctrees` empties the cache
each time a page has been read (:func:`release_earlier_doctrees`: the pages
before it are pickled by then) and once reading is over (after
``schedule.refresh_views`` re-read what it had to), so serial builds write the
way parallel ones do: the same doctrees, hence the same output. Releasing
them while reading, not only after it, keeps them from piling up for the
cycle collector to walk (``conference.collector``) and lowers peak memory.
``get_doctree`` keeps the pickled bytes of every page it loads
(``_pickled_doctree_cache``), which would hold the whole site again;
:func:`release_written_doctree` drops a page's bytes once its tree is
resolved for writing, so at any time only the pages being written are in
memory.

Internals relied on (verified on the Sphinx versions of
``conference.compat.DOCTREE_RELEASE``): the two private caches above, named in
``conference.compat``; ``BuildEnvironment.get_doctree_write`` pops from the
first and falls back to ``get_doctree`` (which fills the second) when a page
is missing, and a page evicted from the second is simply read from disk again.
Other Sphinx versions are left alone, and ``conference.compat`` warns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from . import compat

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: ``env-updated`` priority: after every handler that may still read pages.
PRIORITY: Final = 900


def release_read_doctrees(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``: drop the in-memory doctrees; writing reloads them one by one."""
    if not compat.enabled(compat.DOCTREE_RELEASE):
        return
    cache = getattr(env, compat.WRITE_DOCTREE_CACHE, None)
    if isinstance(cache, dict):
        cache.clear()


def release_earlier_doctrees(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: drop the pages read before this one; their pickles are written."""
    release_read_doctrees(app, app.env)


def release_written_doctree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: forget the pickled bytes of a page being written."""
    if not compat.enabled(compat.DOCTREE_RELEASE):
        return
    cache = getattr(app.env, compat.PICKLED_DOCTREE_CACHE, None)
    if isinstance(cache, dict):
        cache.pop(docname, None)
