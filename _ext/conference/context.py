"""A talk's context: what runs at the same time, and what comes next in its room.

Both are facts about *other* pages' talks, so they are not rendered when a
talk page is read (the talks they name may not be read yet, or may change
later without this page changing). The page's header holds a
:class:`~conference.render.talk_context` placeholder instead, and
:class:`ResolveTalkContext` fills it in at write time from the final schedule,
for every builder.

A page whose source did not change is not written again by Sphinx, though its
context may have (another talk moved into its slot, or out of its room). So
the page's context is one of the inputs of its fingerprint in the dependency
model (:func:`context_digests`, see ``dependencies``).

Every talk's context is computed at once from one :class:`Timeline` of the
final talks, kept until the talks change: asked page by page against every
other talk, it made a 1000-talk build quadratic (a third of its time).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from .config import conference_info
from .domain import ConferenceDomain
from .labels import _, slot_text
from .render import TIME_CLASS, entry_xref, field, talk_context

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

    from .model import Talk


@dataclasses.dataclass(frozen=True)
class Context:
    """The talks a talk page names besides its own."""

    same_time: tuple[Talk, ...]
    next_in_room: Talk | None


_NO_CONTEXT: Context = Context((), None)


def _interval(talk: Talk, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime] | None:
    """A talk's start and end as UTC instants (an open end is its start).

    A cancelled talk has none: it runs at no time, and frees its slot.
    """
    start = talk.start_datetime(tz)
    if start is None or talk.cancelled:
        return None
    end = talk.end_datetime(tz) or start
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


@dataclasses.dataclass(frozen=True)
class _Slot:
    """One timed talk on the timeline; ``order`` is its place among all talks."""

    start: dt.datetime
    end: dt.datetime
    order: int
    talk: Talk


class Timeline:
    """The contexts of a set of talks, found by sorting instead of by pairs.

    What runs while a talk runs: every talk whose interval meets its own (or
    that starts at the same instant), in the order of ``talks``. Compared as
    instants, so a talk past midnight meets the next morning's and daylight
    saving time changes are honest; a talk with only a start runs at an
    instant. The next talk in its room: on its day, in its room (else its
    track, as for the overlap warning and the exports), the first to start
    at or after its end and after its start.
    """

    def __init__(self, talks: Sequence[Talk], tz: dt.tzinfo) -> None:
        slots = []
        for order, talk in enumerate(talks):
            interval = _interval(talk, tz)
            if interval is not None:
                slots.append(_Slot(interval[0], interval[1], order, talk))
        self._slots: dict[tuple[str, str], _Slot] = {}
        for slot in slots:
            self._slots.setdefault((slot.talk.docname, slot.talk.anchor), slot)
        by_start = sorted(slots, key=lambda slot: (slot.start, slot.order))
        self._by_start = by_start
        self._starts = [slot.start for slot in by_start]
        self._longest = max((slot.end - slot.start for slot in slots), default=dt.timedelta())
        self._rooms: dict[tuple[str, object], list[_Slot]] = {}
        for slot in slots:
            if slot.talk.location:
                self._rooms.setdefault((slot.talk.location, slot.talk.day), []).append(slot)
        for room in self._rooms.values():
            room.sort(key=lambda slot: (slot.start, slot.talk.docname, slot.talk.lineno,
                                        slot.order))
        self._room_starts = {key: [slot.start for slot in room]
                             for key, room in self._rooms.items()}

    def context(self, talk: Talk) -> Context:
        """What runs while ``talk`` runs, and the next talk in its room on its day.

        ``talk`` is found by its page and anchor, so the talk as its page
        recorded it and the same talk with its final id are one.
        """
        own = self._slots.get((talk.docname, talk.anchor))
        if own is None:
            return _NO_CONTEXT
        return Context(self._same_time(own), self._next_in_room(own))

    @staticmethod
    def _other(slot: _Slot, own: _Slot) -> bool:
        return slot is not own and (slot.talk.docname, slot.talk.anchor) != (
            own.talk.docname, own.talk.anchor)

    def _same_time(self, own: _Slot) -> tuple[Talk, ...]:
        # Only a talk that starts no earlier than the longest talk before us
        # and no later than our end can meet us.
        low = bisect.bisect_left(self._starts, own.start - self._longest)
        high = bisect.bisect_right(self._starts, max(own.end, own.start))
        meeting = [
            slot for slot in self._by_start[low:high]
            if self._other(slot, own)
            and (slot.start == own.start or (slot.start < own.end and own.start < slot.end))
        ]
        meeting.sort(key=lambda slot: slot.order)
        return tuple(slot.talk for slot in meeting)

    def _next_in_room(self, own: _Slot) -> Talk | None:
        key = (own.talk.location, own.talk.day)
        if not own.talk.location or key not in self._rooms:
            return None
        starts = self._room_starts[key]
        # The first start at or after our end; after our start for an instant.
        if own.end > own.start:
            index = bisect.bisect_left(starts, own.end)
        else:
            index = bisect.bisect_right(starts, own.start)
        for slot in self._rooms[key][index:]:
            if self._other(slot, own):
                return slot.talk
        return None


#: The timeline of each environment, with the talk list it was made from:
#: ``all_talks()`` returns the same list until the talks change.
_timelines: WeakKeyDictionary[BuildEnvironment, tuple[list[Talk], Timeline]] = (
    WeakKeyDictionary())


def timeline(env: BuildEnvironment) -> Timeline | None:
    """The timeline of the final talks on conference days; ``None`` without days."""
    info = conference_info(env.config)
    if info is None:
        return None
    talks = ConferenceDomain.of(env).all_talks()
    cached = _timelines.get(env)
    if cached is None or cached[0] is not talks:
        on_days = [talk for talk in talks if talk.day is not None]
        cached = _timelines[env] = (talks, Timeline(on_days, info.tzinfo))
    return cached[1]


def page_contexts(env: BuildEnvironment, docname: str) -> list[tuple[Talk, Context]]:
    """Each talk of ``docname`` that is on a conference day, with its context."""
    line = timeline(env)
    if line is None:
        return []
    domain = ConferenceDomain.of(env)
    return [(talk, line.context(talk))
            for talk in domain.talks_by_doc.get(docname, []) if talk.day is not None]


def _shown(talk: Talk) -> tuple[object, ...]:
    """The fields of a talk that a context field renders."""
    return (talk.docname, talk.anchor, talk.title, talk.time, talk.location)


def context_digests(env: BuildEnvironment) -> Callable[[str], str | None]:
    """Docname -> digest of every context field on that page: equal digests, equal output.

    An input of each page's fingerprint (``dependencies.page_fingerprints``).
    """
    line = timeline(env)
    if line is None:
        return lambda docname: None
    domain = ConferenceDomain.of(env)
    payloads: dict[str, list[object]] = {}
    for talk in domain.all_talks():
        if talk.day is None:
            continue
        context = line.context(talk)
        payloads.setdefault(talk.docname, []).append((
            talk.anchor, tuple(_shown(other) for other in context.same_time),
            _shown(context.next_in_room) if context.next_in_room else None))
    digests = {
        docname: hashlib.sha1(repr(payload).encode("utf-8"), usedforsecurity=False).hexdigest()
        for docname, payload in payloads.items()
    }
    return digests.get


def _listed(talk: Talk) -> nodes.paragraph:
    """``10:50–11:20 Title (Room)``, the title linked to the talk."""
    paragraph = nodes.paragraph()
    slot = slot_text(talk.time)
    paragraph += nodes.inline(slot, slot, classes=[TIME_CLASS])
    paragraph += nodes.Text(" ")
    paragraph += entry_xref(talk)
    if talk.location:
        paragraph += nodes.Text(f" ({talk.location})")
    return paragraph


def context_fields(context: Context) -> list[nodes.field]:
    """The header fields of a talk's context; none when there is nothing to say."""
    fields = []
    if context.same_time:
        body = nodes.field_body()
        if len(context.same_time) == 1:
            body += _listed(context.same_time[0])
        else:
            items = nodes.bullet_list(classes=["conference-talk-list"])
            for other in context.same_time:
                items += nodes.list_item("", _listed(other))
            body += items
        name = _("At the same time")
        fields.append(nodes.field("", nodes.field_name(name, name), body))
    if context.next_in_room is not None:
        paragraph = _listed(context.next_in_room)
        fields.append(field(_("Next in this room"), *paragraph.children))
    return fields


class ResolveTalkContext(SphinxPostTransform):
    """Replace each ``talk_context`` placeholder with its fields, from the final talks.

    Runs before Sphinx's ``ReferencesResolver`` (priority 10), so the links
    it makes are resolved like every other link to a talk, for every builder.
    """

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        """Fill in or drop every placeholder of the document being written."""
        cache: dict[str, dict[str, Context]] = {}
        for holder in list(self.document.findall(talk_context)):
            docname = holder["talkdoc"]
            if docname not in cache:
                cache[docname] = {talk.anchor: context
                                  for talk, context in page_contexts(self.env, docname)}
            context = cache[docname].get(holder["talkanchor"])
            fields = context_fields(context) if context is not None else []
            if fields:
                holder.replace_self(fields)
            else:
                holder.parent.remove(holder)
