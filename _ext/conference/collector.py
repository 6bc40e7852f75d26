"""Keep Python's cycle collector off the objects a build keeps for its whole length.

Why: a full (generation 2) collection walks every tracked object, and CPython
starts one whenever the objects that survived into the oldest generation since
the last one reach a quarter of it. A build keeps growing while it reads
(every page adds its doctree and its share of the environment), and while it
writes it loads each page's doctree from its pickle (``conference.doctrees``)
long enough for it to reach the oldest generation, then drops it. So full
collections keep coming, and each walks the whole environment: on a generated
1000-talk site the collector took 24 s of a 96 s build, 18 s of it in 28 full
collections, more than everything the extension itself does. None of those
walks finds anything to free in the environment.

``gc.freeze`` moves every object tracked at that moment into a permanent
generation that collections skip. On a site of at least :data:`EVERY` pages,
this module collects what is garbage, then freezes what is left
(:func:`settle`):

* when reading starts (an incremental build's unpickled environment);
* every :data:`EVERY` pages read, and every :data:`EVERY` pages written, so a
  collection walks at most that many pages' objects;
* once reading is over (``env-updated``, after every handler that reads
  pages), so writing starts with nothing to walk.

Under ``-j N`` the main process also freezes before it forks writers
(:func:`before_forking`), on a site of any size.

An object frozen and dropped later stays in memory until ``build-finished``,
which unfreezes everything, so a process that runs several builds (tests, an
autobuild server) keeps nothing from one build to the next. Such objects are
few: :mod:`conference.doctrees` drops each doctree once the next page is read,
so what a freeze catches is the doctree alive at that moment, one in
:data:`EVERY` pages read, and, while writing, two (the page being resolved and
the one written before it). The freeze applies to the
whole process: a program that froze its own objects before building gets
them unfrozen at the end.

At interpreter exit CPython runs one more full collection and frees what it
finds, object by object: after a 1000-talk build, 1.0 to 1.8 s of
``sphinx-build``'s run went there, work the operating system does at once
when the process ends. So a process that ran such a build freezes everything
again when it exits (:func:`freeze_at_exit`, an ``atexit`` handler), and
exits in a few hundredths of a second. Nothing a build writes waits for that
collection: Sphinx closes its files, and ``logging`` flushes its handlers
from its own ``atexit`` handler, which runs after this one.

Collection is not part of the output: the same pages are written whatever
the collector does.
"""

from __future__ import annotations

import atexit
import gc
from typing import TYPE_CHECKING, Final
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: ``env-updated`` priority: after :data:`conference.doctrees.PRIORITY`, once
#: every handler that reads pages or drops doctrees has run.
PRIORITY: Final = 950

#: Pages read, or written, between two freezes.
EVERY: Final = 64

#: ``build-finished`` priority: after the exports and every other handler.
FINISHED_PRIORITY: Final = 990

#: Per application: pages read or written in this process since the last freeze.
_PAGES: WeakKeyDictionary[Sphinx, int] = WeakKeyDictionary()


def settle() -> None:
    """Collect what is garbage now, then freeze everything that is left."""
    gc.collect()
    gc.freeze()


def start_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: on a large site, freeze the environment the build starts from.

    A site of fewer than :data:`EVERY` pages has nothing to gain: a collection
    there walks more of the process than of the build (a test run's process
    holds far more than a small site), so the collector is left alone.
    """
    if len(env.found_docs) < EVERY:
        _PAGES.pop(app, None)
        return
    settle()
    _PAGES[app] = 0


def page_read(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: count the page; freeze once every :data:`EVERY` pages."""
    _count(app)


def page_written(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: count the page; freeze once every :data:`EVERY` pages."""
    _count(app)


def _count(app: Sphinx) -> None:
    if app not in _PAGES:
        return
    pages = _PAGES[app] + 1
    if pages >= EVERY:
        settle()
        pages = 0
    _PAGES[app] = pages


def reading_done(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``: freeze what reading left for writing to use."""
    if app not in _PAGES:
        return
    settle()
    _PAGES[app] = 0


def before_forking(app: Sphinx) -> None:
    """Freeze what forked processes inherit, whatever the site's size.

    A forked process's collector would otherwise walk every inherited object,
    which copies the main process's memory page by page.
    """
    settle()
    _PAGES.setdefault(app, 0)


def build_done(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: give everything back to the collector, if this build froze it."""
    if _PAGES.pop(app, None) is not None:
        gc.unfreeze()
        # Once per process, however many builds it runs.
        atexit.unregister(freeze_at_exit)
        atexit.register(freeze_at_exit)


def freeze_at_exit() -> None:
    """``atexit``: keep the last collection off the heap a large build left.

    Registered by a build that froze anything, so a process that built only
    small sites exits as usual.
    """
    gc.freeze()
