"""Schedule order, and keeping data-dependent pages equal to a clean build.

The day schedules, the overview and the presenters/tracks indices render talks
that live on *other* pages, and the schedules also emit the site's toctrees.
Sphinx fixes a page's toctree when it reads that page, and reads pages in an
order we do not control (alphabetical, or arbitrary under ``-j``). So:

1. Each data-dependent directive renders from the talks known when it runs and
   records a :class:`View`: what it showed, as a digest of exactly the talk
   fields it used.
2. After all reading (``env-updated``), :func:`refresh_views` re-reads every
   page whose recorded digest differs from the final data, through the
   builder's own ``read_doc``, so Sphinx's collectors rebuild the pickled
   doctree, ``env.tocs``, ``toctree_includes`` and ``files_to_rebuild``. A
   clean build therefore reads the few index pages twice; talk pages once.
3. In ``env-get-updated``, :func:`rewrite_for_navigation` compares a digest of
   the whole navigation (toctree structure and titles) with the one last
   written to this output directory, and asks for every page when it changed:
   every sidebar and prev/next link shows it. Otherwise it asks for the pages
   whose view digests differ from the ones last written there: a page re-read
   while another builder ran on the same doctrees (html, then text, then
   html) is otherwise never rewritten, as its source did not change. A
   notes-only edit changes no digest and so costs what it costs in plain
   Sphinx.

Warnings that depend on all talks (duplicate ids, overlaps, problems found by
an index directive) are emitted once, in ``env-check-consistency``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from sphinx.util import logging

from .config import conference_info
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
        for docname, views in sorted(domain.data["views"].items())
        if docname in env.found_docs
        and any(view.digest != view_digest(env, view.kind, view.key) for view in views)
    ]


def refresh_views(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated``: re-read stale data-dependent pages; return them for writing."""
    domain = ConferenceDomain.of(env)
    reread: list[str] = []
    for _round in range(MAX_REFRESH_ROUNDS):
        stale = stale_views(env)
        if not stale:
            break
        for docname in stale:
            own_talks = list(domain.talks_by_doc.get(docname, []))
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)
            # Whatever reading this page has to say was said when it was read
            # for its own sake (this build, or the one that last saw it
            # change); data-dependent problems are deferred to
            # check_consistency. So a re-read stays silent: no duplicates.
            with logging.suppress_logging(), domain.rereading(docname, own_talks):
                app.builder.read_doc(docname)
        reread.extend(stale)
    sync_std_labels(env)
    return sorted(set(reread))


def navigation_digest(env: BuildEnvironment) -> str:
    """Digest of what every sidebar and prev/next link is made from.

    That is the toctree structure and the title of every page in it. With the
    theme option ``collapse_navigation`` off, every sidebar also shows every
    page's sections, so their titles count too. Talk ids and anchors count as
    well: any page may link a talk with ``:talk:``, and a renamed id must
    reach those links (or their "unknown talk id" warning).
    """
    domain = ConferenceDomain.of(env)
    parts: list[object] = [
        (talk.id, talk.docname, talk.anchor) for talk in domain.all_talks()
    ]
    for docname, includes in sorted(env.toctree_includes.items()):
        parts.append((docname, tuple(includes)))
    for docname in sorted(env.titles):
        parts.append((docname, env.titles[docname].astext()))
    if env.config.html_theme_options.get("collapse_navigation", True) is False:
        parts.extend((docname, env.tocs[docname].astext()) for docname in sorted(env.tocs))
    return hashlib.sha1(repr(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


def output_key(app: Sphinx) -> str:
    """Which output a record describes: the builder's name and output directory.

    Builders switched on shared doctrees (html, then latex, then html, as Read
    the Docs does) share the environment but not their outputs, so what was
    written is remembered per output.
    """
    return f"{app.builder.name}:{app.outdir}"


def view_digests(env: BuildEnvironment) -> dict[str, tuple[str, ...]]:
    """Docname -> the digests of the views on that page, as now collected."""
    domain = ConferenceDomain.of(env)
    return {
        docname: tuple(view.digest for view in views)
        for docname, views in sorted(domain.data["views"].items())
    }


def rewrite_for_navigation(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: the pages whose output here is older than the data.

    That is every page when the navigation differs from the one last written
    to this output, else the pages whose views differ from the ones last
    written here. The latter were re-read (by :func:`refresh_views`) in this
    build or, when builders are switched on shared doctrees, in another
    builder's build, which does not write this output.
    """
    if conference_info(env.config) is None:
        return []
    domain = ConferenceDomain.of(env)
    key = output_key(app)
    written = domain.data["navigation"].get(key)
    navigation, views = navigation_digest(env), view_digests(env)
    domain.data["navigation"][key] = (navigation, views)
    if written is None or written[0] != navigation:
        return sorted(env.found_docs)
    return sorted(
        docname
        for docname, digests in views.items()
        if written[1].get(docname) != digests and docname in env.found_docs
    )


# -- warnings that need every talk -----------------------------------------------


def check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-check-consistency``: duplicate ids, overlaps, deferred problems."""
    domain = ConferenceDomain.of(env)
    for owner, duplicate in domain.duplicates():
        _warn_at(duplicate, "duplicate", "duplicate talk id %r, already used by %r in %s",
                 duplicate.id, owner.title, owner.docname)
    info = conference_info(env.config)
    if info is not None:
        for first, second in overlaps(domain.all_talks(), info):
            _warn_at(second, "overlap", "talk %r overlaps %r in %s",
                     second.title, first.title, second.location)
    for docname, problems in sorted(domain.data["problems"].items()):
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
