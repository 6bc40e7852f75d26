"""Schedule order, and keeping data-dependent pages equal to a clean build.

The day schedules, the overview and the presenters/tracks indices render talks
that live on *other* pages, and the schedules also emit the site's toctrees.
Sphinx fixes a page's toctree when it reads that page, and reads pages in an
order we do not control (alphabetical, or arbitrary under ``-j``). So:

1. Each data-dependent directive renders from the talks known when it runs and
   records a :class:`View`: what it showed, as a digest of exactly the talk
   fields it used.
2. The pages that hold such directives are read last, after every other
   page (:func:`defer_view_pages`), so they usually see the final talks at
   once. After all reading (``env-updated``), :func:`refresh_views` re-reads
   every page whose recorded digest still differs from the final data (a
   page that lists talks it holds itself), through the builder's own
   ``read_doc``, so Sphinx's collectors rebuild the pickled doctree,
   ``env.tocs``, ``toctree_includes`` and ``files_to_rebuild``.
3. In ``env-get-updated``, :func:`rewrite_outdated` asks the dependency
   model (``dependencies``) for every page whose recorded inputs (views,
   resolved references, navigation) differ from the ones this output last
   wrote it from. A notes-only edit changes none of them and so costs what it
   costs in plain Sphinx.

Warnings that depend on all talks (duplicate ids, overlaps, problems found by
an index directive) are emitted once, in ``env-check-consistency``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final
from weakref import WeakKeyDictionary

from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import status_iterator

from .config import conference_info
from .context import context_digests
from .dependencies import rewrite_changed
from .domain import ConferenceDomain, sync_std_labels
from .model import ConferenceInfo, Talk

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Re-reading a page may change talks (a page can hold both), which may make
#: another page stale; this bounds the loop that settles it.
MAX_REFRESH_ROUNDS: Final = 4

#: The talk fields each kind of view renders. A view's digest covers exactly
#: these, so an edit re-reads only the pages that show what changed.
VIEW_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "day": ("id", "docname", "anchor", "title", "day", "time", "presenters", "track",
            "room", "kind", "date", "cancelled"),
    "overview": ("id", "docname", "anchor", "title", "day", "date", "time", "presenters",
                 "cancelled"),
    "presenters": ("id", "docname", "anchor", "title", "day", "date", "time", "presenters",
                   "cancelled"),
    "tracks": ("id", "docname", "anchor", "title", "day", "date", "time", "presenters",
               "track", "cancelled"),
    "folder": ("id", "docname", "anchor", "title", "day", "date", "time", "presenters",
               "cancelled"),
}


@dataclasses.dataclass(frozen=True)
class View:
    """One data-dependent directive on a page, and the digest of what it showed."""

    kind: str
    key: str
    lineno: int
    digest: str


def schedule_key(talk: Talk) -> tuple[bool, dt.date, dt.time, str, int]:
    """Timed talks by start; untimed ones after them in file name, then page, order.

    The date comes first so a session after midnight (on its day's page, with
    the next calendar ``:date:``) follows the evening's sessions.
    """
    start = talk.time.start if talk.time is not None else dt.time.min
    return (talk.time is None, talk.date or dt.date.min, start, talk.docname, talk.lineno)


def ordered(talks: Iterable[Talk]) -> list[Talk]:
    """Talks in schedule order (see :func:`schedule_key`)."""
    return sorted(talks, key=schedule_key)


def day_talks(domain: ConferenceDomain, day: str) -> list[Talk]:
    """All talks of one conference day, duplicates included, in schedule order."""
    return ordered(talk for talk in domain.all_talks() if talk.day == day)


def conference_order(talks: Iterable[Talk]) -> list[Talk]:
    """Talks by date (undated last), then in schedule order within a date."""
    return sorted(talks, key=lambda t: (t.date is None, t.date or dt.date.min, *schedule_key(t)))


def other_talks(domain: ConferenceDomain) -> list[Talk]:
    """Talks on no conference day: those given elsewhere by date, then undated ones."""
    return conference_order(talk for talk in domain.all_talks() if talk.day is None)


def view_talks(domain: ConferenceDomain, kind: str, key: str) -> list[Talk]:
    """The talks a view of ``kind`` renders, in the order it renders them."""
    if kind == "day":
        return day_talks(domain, key)
    if kind == "folder":
        return [talk for talk in other_talks(domain) if talk.docname.startswith(f"{key}/")]
    on_days = conference_order(talk for talk in domain.all_talks() if talk.day is not None)
    return [*on_days, *other_talks(domain)]


def view_digest(env: BuildEnvironment, kind: str, key: str) -> str:
    """Digest of everything a view renders; equal digests mean equal output.

    Besides the talks' fields, the overview links each day's page when it
    exists, so the set of day pages counts too.
    """
    domain = ConferenceDomain.of(env)
    info = conference_info(env.config)
    fields = VIEW_FIELDS[kind]
    rows = [tuple(getattr(talk, name) for name in fields) for talk in view_talks(domain, kind, key)]
    day_pages = (
        sorted(doc for doc in env.found_docs if doc.endswith("/index"))
        if kind == "overview" and info is not None
        else None
    )
    payload = repr((kind, key, info, rows, day_pages))
    return hashlib.sha1(payload.encode("utf-8"), usedforsecurity=False).hexdigest()


def unique_docnames(talks: Sequence[Talk], exclude: str) -> list[str]:
    """Pages of ``talks`` in order, each once, never the page itself."""
    seen: dict[str, None] = {}
    for talk in talks:
        if talk.docname != exclude:
            seen.setdefault(talk.docname)
    return list(seen)


# -- keeping views fresh ---------------------------------------------------------


def stale_views(env: BuildEnvironment) -> list[str]:
    """Pages whose recorded views no longer match the collected talks."""
    domain = ConferenceDomain.of(env)
    return [
        docname
        for docname, views in domain.all_views()
        if docname in env.found_docs
        and any(view.digest != view_digest(env, view.kind, view.key) for view in views)
    ]


#: A line that starts a data-dependent directive, in reStructuredText (also
#: inside MyST's ``eval-rst``) or as a MyST fence.
_VIEW_DIRECTIVE: Final = re.compile(
    r"^[ \t>]*(?:\.\.[ \t]+(?:schedule|presenters|tracks)[ \t]*::"
    r"|(?:`{3,}|:{3,})[ \t]*\{(?:schedule|presenters|tracks)\})",
    re.MULTILINE,
)

#: The pages :func:`defer_view_pages` took out of Sphinx's reading, per build.
_deferred: WeakKeyDictionary[BuildEnvironment, list[str]] = WeakKeyDictionary()

#: The pages :func:`defer_view_pages` moved to the end of Sphinx's reading, per build.
_last: WeakKeyDictionary[BuildEnvironment, list[str]] = WeakKeyDictionary()


def _declares_view(env: BuildEnvironment, docname: str) -> bool:
    """Whether the page's source starts a data-dependent directive on some line."""
    try:
        text = Path(env.doc2path(docname)).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return _VIEW_DIRECTIVE.search(text) is not None


def defer_view_pages(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: leave the pages with views to :func:`refresh_views`.

    Read among the others, a day page renders its schedule from the talks read
    so far and is read a second time once all are known: on a 1000-talk site
    the four day pages and the overview were read twice (two seconds). Sphinx
    lets this event's handlers change the list in place. A page is deferred
    if it had views when last read or if its source starts one; a page that
    makes one some other way (an include) is read in its turn, and refreshed
    as before. Deferred pages are read first thing in ``env-updated``, so
    under ``-j N`` too they are read once, after every other page; the root
    page, which Sphinx needs read by then, is moved to the end instead
    (:func:`read_last`).
    """
    known = {docname for docname, _views in ConferenceDomain.of(env).all_views()}
    views = [doc for doc in docnames if doc in known or _declares_view(env, doc)]
    root = env.config.root_doc
    # Sphinx stops before env-updated if the root page was not read: it is
    # read last instead (which, under -j N, may still need a refresh).
    deferred = [doc for doc in views if doc != root]
    for docname in views:
        docnames.remove(docname)
    if root in views:
        docnames.append(root)
    _deferred[env] = deferred
    _last[env] = [root] if root in views else []


def read_last(env: BuildEnvironment) -> list[str]:
    """The pages :func:`defer_view_pages` moved to the end of this build's reading.

    A serial reader reads them last. A parallel one (``conference.parallel``)
    reads them in the main process once its readers are done: read in a
    reader, the root page's overview would show only the talks read before it
    in that reader, and be read a second time by :func:`refresh_views`.
    """
    return _last.pop(env, [])


def read_page(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Read one page as Sphinx's serial reader does: forget it, then read it."""
    app.events.emit("env-purge-doc", env, docname)
    env.clear_doc(docname)
    app.builder.read_doc(docname)


def refresh_views(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated``: read the deferred pages, re-read stale ones; return them for writing."""
    domain = ConferenceDomain.of(env)
    deferred = _deferred.pop(env, [])
    for docname in status_iterator(deferred, __("reading sources... "), "purple",
                                   len(deferred), app.verbosity):
        read_page(app, env, docname)
    reread: list[str] = list(deferred)
    for _round in range(MAX_REFRESH_ROUNDS):
        stale = stale_views(env)
        if not stale:
            break
        for docname in stale:
            own_talks = list(domain.talks_by_doc.get(docname, []))
            # Whatever reading this page has to say was said when it was read
            # for its own sake (this build, or the one that last saw it
            # change); data-dependent problems are deferred to
            # check_consistency. So a re-read stays silent: no duplicates.
            with logging.suppress_logging(), domain.rereading(docname, own_talks):
                read_page(app, env, docname)
        reread.extend(stale)
    sync_std_labels(env)
    return sorted(set(reread))


def view_digests(env: BuildEnvironment) -> Callable[[str], tuple[str, ...]]:
    """Docname -> the digests of the views on that page, as now collected."""
    domain = ConferenceDomain.of(env)
    digests = {docname: tuple(view.digest for view in views)
               for docname, views in domain.all_views()}
    return lambda docname: digests.get(docname, ())


def rewrite_outdated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: the pages whose output here is older than their inputs.

    The decision is the dependency model's (``dependencies.rewrite_changed``):
    a page is written again when the talks it lists, its talks' context,
    the references it resolves or its navigation differ from what this
    output last wrote it from. That covers pages re-read by :func:`refresh_views` in this build
    and, when builders are switched on shared doctrees, in another builder's
    build, which does not write this output.
    """
    return rewrite_changed(app, env, view_digests(env), context_digests(env))


# -- warnings that need every talk -----------------------------------------------


def check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-check-consistency``: id clashes, overlaps, deferred problems."""
    domain = ConferenceDomain.of(env)
    for clash in domain.id_clashes():
        _warn_at(clash.talk, clash.subtype, "%s", clash.message)
    info = conference_info(env.config)
    if info is not None:
        for first, second in overlaps(domain.all_talks(), info):
            _warn_at(second, "overlap", "talk %r overlaps %r in %s",
                     second.title, first.title, second.location)
    for docname, problems in domain.problems():
        for lineno, subtype, message in problems:
            logger.warning(
                message, location=(docname, lineno), type="conference", subtype=subtype
            )


def _warn_at(talk: Talk, subtype: str, message: str, *args: object) -> None:
    logger.warning(message, *args, location=(talk.docname, talk.lineno),
                   type="conference", subtype=subtype)


def overlaps(talks: Iterable[Talk], info: ConferenceInfo) -> list[tuple[Talk, Talk]]:
    """Pairs of timed talks that share a room (or a track, without rooms) and time.

    Compared as instants, so a talk running past midnight meets the next
    day's early talks, and DST changes are honest.
    """
    tz = info.tzinfo
    by_place: dict[str, list[tuple[dt.datetime, dt.datetime, Talk]]] = {}
    for talk in talks:
        start = talk.start_datetime(tz)
        if start is None or not talk.location or talk.day is None or talk.cancelled:
            continue  # a cancelled talk frees its slot
        end = talk.end_datetime(tz) or start
        by_place.setdefault(talk.location, []).append((start.astimezone(dt.UTC),
                                                       end.astimezone(dt.UTC), talk))
    found: list[tuple[Talk, Talk]] = []
    for slots in by_place.values():
        slots.sort(key=lambda slot: (slot[0], slot[1], slot[2].docname, slot[2].lineno))
        latest_start, latest_end, latest = slots[0]
        for start, end, talk in slots[1:]:
            if start < latest_end or start == latest_start:
                found.append((latest, talk))
            if end > latest_end:
                latest_start, latest_end, latest = start, end, talk
    return found
