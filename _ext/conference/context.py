"""A talk's context: what runs at the same time, and what comes next in its room.

Both are facts about *other* pages' talks, so they are not rendered when a
talk page is read (the talks they name may not be read yet, or may change
later without this page changing). The page's header holds a
:class:`~conference.render.talk_context` placeholder instead, and
:class:`ResolveTalkContext` fills it in at write time from the final schedule,
for every builder.

A page whose source did not change is not written again by Sphinx, though its
context may have (another talk moved into its slot, or out of its room). So
:func:`rewrite_changed_contexts` compares, in ``env-get-updated``, a digest of
each talk page's context (:func:`context_digest`) with the one last written to
this output, and asks for the pages whose context changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from .config import conference_info
from .dependencies import output_key
from .domain import ConferenceDomain
from .labels import _, slot_text
from .render import TIME_CLASS, entry_xref, field, talk_context

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from .model import Talk


@dataclasses.dataclass(frozen=True)
class Context:
    """The talks a talk page names besides its own."""

    same_time: tuple[Talk, ...]
    next_in_room: Talk | None


def _interval(talk: Talk, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime] | None:
    """A talk's start and end as UTC instants (an open end is its start).

    A cancelled talk has none: it runs at no time, and frees its slot.
    """
    start = talk.start_datetime(tz)
    if start is None or talk.cancelled:
        return None
    end = talk.end_datetime(tz) or start
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def talk_context_of(talk: Talk, talks: Sequence[Talk], tz: dt.tzinfo) -> Context:
    """What runs while ``talk`` runs, and the next talk in its room on its day.

    Compared as instants, so a talk past midnight meets the next morning's
    and daylight saving time changes are honest. "Its room" is its room, else
    its track, as for the overlap warning and the exports. A talk with only
    a start runs at an instant.
    """
    own = _interval(talk, tz)
    if own is None:
        return Context((), None)
    start, end = own
    same: list[Talk] = []
    following: list[tuple[dt.datetime, Talk]] = []
    for other in talks:
        if other is talk or (other.docname, other.anchor) == (talk.docname, talk.anchor):
            continue
        interval = _interval(other, tz)
        if interval is None:
            continue
        other_start, other_end = interval
        if other_start == start or (other_start < end and start < other_end):
            same.append(other)
        elif (talk.location and other.location == talk.location and other.day == talk.day
              and other_start >= end and other_start > start):
            following.append((other_start, other))
    following.sort(key=lambda item: (item[0], item[1].docname, item[1].lineno))
    return Context(tuple(same), following[0][1] if following else None)


def page_contexts(env: BuildEnvironment, docname: str) -> list[tuple[Talk, Context]]:
    """Each talk of ``docname`` that is on a conference day, with its context."""
    info = conference_info(env.config)
    if info is None:
        return []
    domain = cast("ConferenceDomain", env.domains[ConferenceDomain.name])
    talks = [talk for talk in domain.all_talks() if talk.day is not None]
    tz = info.tzinfo
    return [(talk, talk_context_of(talk, talks, tz))
            for talk in domain.talks_by_doc.get(docname, []) if talk.day is not None]


def _shown(talk: Talk) -> tuple[object, ...]:
    """The fields of a talk that a context field renders."""
    return (talk.docname, talk.anchor, talk.title, talk.time, talk.location)


def context_digest(env: BuildEnvironment, docname: str) -> str:
    """Digest of every context field on ``docname``: equal digests, equal output."""
    payload = [
        (talk.anchor, tuple(_shown(other) for other in context.same_time),
         _shown(context.next_in_room) if context.next_in_room else None)
        for talk, context in page_contexts(env, docname)
    ]
    return hashlib.sha1(repr(payload).encode("utf-8"), usedforsecurity=False).hexdigest()


def rewrite_changed_contexts(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: talk pages whose context differs from the one written here."""
    if conference_info(env.config) is None:
        return []
    domain = cast("ConferenceDomain", env.domains[ConferenceDomain.name])
    digests = {docname: context_digest(env, docname)
               for docname in sorted(domain.talks_by_doc) if docname in env.found_docs}
    written = domain.swap_written_contexts(output_key(app), digests)
    return sorted(docname for docname, digest in digests.items()
                  if written.get(docname) != digest)


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
