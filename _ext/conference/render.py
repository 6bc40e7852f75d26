"""Docutils node trees for talks, schedules and indices.

Only standard docutils and Sphinx nodes come out of here (field lists, tables,
definition lists, ``pending_xref``), so html, dirhtml, singlehtml, epub, latex,
text, man and texinfo all render them without a visitor of ours. Every value
from a talk goes into a ``Text`` node: it is escaped by each writer and is never
parsed as markup.

The one exception is :class:`export_links`, a placeholder for links to the
calendar and schedule files that only HTML-family builders write;
``transforms.resolve_export_links`` always replaces or removes it before writing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Final

from docutils import nodes
from sphinx import addnodes

from .domain import ConferenceDomain
from .exporters.paths import talk_has_calendar
from .labels import _, date_range, day_heading, slot_text
from .model import ConferenceInfo, Presenter, Talk


class export_links(nodes.General, nodes.Element):
    """Content that only makes sense where the exported files exist.

    ``transforms.resolve_export_links`` fills in the references made by
    :func:`export_reference` and unwraps this node for HTML-family builders,
    and removes it, content and all, for every other builder.
    """


class talk_context(nodes.General, nodes.Element):
    """Where a talk's "At the same time" and "Next in this room" fields go.

    They depend on other pages' talks, so ``context.ResolveTalkContext`` fills
    them in at write time from the final schedule, and this node never
    reaches a writer.
    """


#: Class of the field that holds a talk's labelled links.
LINKS_CLASS = "conference-links"


def export_reference(label: str, kind: str, key: str = "") -> nodes.reference:
    """A link to an exported file, named by ``kind`` and ``key`` (see ``exports``)."""
    return nodes.reference(label, label, refuri="", conference_export=f"{kind}:{key}")


def talk_export_reference(label: str, kind: str, talk: Talk) -> nodes.reference:
    """A link to one of ``talk``'s own exported files (its calendar, its chapters).

    The file is named by the talk's final id, which is only known once every
    page is read (see :mod:`conference.ids`): the link names the talk by page
    and anchor, and ``transforms`` resolves it when the page is written.
    """
    reference = export_reference(label, kind, talk.anchor)
    reference["conference_talkdoc"] = talk.docname
    return reference


def text_paragraph(text: str, classes: Sequence[str] = ()) -> nodes.paragraph:
    """A paragraph of plain text (escaped by every writer)."""
    return nodes.paragraph(text, text, classes=list(classes))


def entry_xref(talk: Talk, text: str | None = None) -> addnodes.pending_xref:
    """A link to this very talk (its page and anchor), even when its id is a duplicate."""
    label = talk.title if text is None else text
    xref = addnodes.pending_xref(
        "",
        nodes.inline(label, label),
        refdomain=ConferenceDomain.name,
        reftype="entry",
        reftarget=talk.id,
        refexplicit=True,
        refwarn=False,
        talkdoc=talk.docname,
        talkanchor=talk.anchor,
    )
    return xref


def doc_xref(docname: str, text: str) -> addnodes.pending_xref:
    """A link to another page, resolved like ``:doc:`` for every builder."""
    return addnodes.pending_xref(
        "",
        nodes.inline(text, text),
        refdomain="std",
        reftype="doc",
        reftarget="/" + docname,
        refexplicit=True,
        refwarn=True,
    )


def presenter_nodes(presenters: Sequence[Presenter], *, link: bool) -> list[nodes.Node]:
    """``Name (Affiliation), Name``; names link to the presenters index if ``link``."""
    result: list[nodes.Node] = []
    for index, person in enumerate(presenters):
        if index:
            result.append(nodes.Text(", "))
        if link:
            result.append(
                addnodes.pending_xref(
                    "",
                    nodes.inline(person.name, person.name),
                    refdomain=ConferenceDomain.name,
                    reftype="presenter",
                    reftarget=person.name,
                    refexplicit=True,
                    refwarn=False,
                    optional=True,
                )
            )
        else:
            result.append(nodes.Text(person.name))
        if person.affiliation:
            result.append(nodes.Text(f" ({person.affiliation})"))
    return result


def field(name: str, *body: nodes.Node) -> nodes.field:
    """One ``name: body`` row of a field list."""
    paragraph = nodes.paragraph()
    paragraph.extend(body)
    return nodes.field("", nodes.field_name(name, name), nodes.field_body("", paragraph))


def when_text(talk: Talk, info: ConferenceInfo | None, language: str | None) -> str:
    """``Friday, March 15, 2013, 10:50–11:20 PDT``: day, time and zone of a talk."""
    if talk.date is None:
        return ""
    text = day_heading(talk.date, language)
    if talk.time is not None:
        text += ", " + slot_text(talk.time)
        if info is not None:
            start = talk.start_datetime(info.tzinfo)
            if start is not None and start.tzname():
                text += f" {start.tzname()}"
    return text


#: Class of text that must not break inside (``10:50–11:20 PDT``); see conference.css.
TIME_CLASS: Final = "conference-time"


def time_nodes(when: str, talk: Talk) -> list[nodes.Node]:
    """``when`` as text, its time range (and zone) in an unbreakable ``inline``.

    A phone would otherwise wrap ``10:50–`` and ``11:20 PDT`` onto two lines.
    """
    slot = slot_text(talk.time) if talk.time is not None else ""
    if not slot or slot not in when:
        return [nodes.Text(when)]
    day, _sep, time = when.partition(slot)
    return [nodes.Text(day), nodes.inline(slot + time, slot + time, classes=[TIME_CLASS])]


def talk_header(
    talk: Talk, info: ConferenceInfo | None, language: str | None
) -> nodes.field_list:
    """The block under a talk's title: who, where, when, and links."""
    fields = nodes.field_list(classes=["conference-talk-meta"])
    if talk.cancelled:
        fields += field(_("Status"), nodes.Text(_("Cancelled")))
    if talk.subtitle:
        fields += field(_("Subtitle"), nodes.Text(talk.subtitle))
    if talk.presenters:
        label = _("Presenters") if len(talk.presenters) > 1 else _("Presenter")
        fields += field(label, *presenter_nodes(talk.presenters, link=True))
    if talk.kind != "talk":
        fields += field(_("Session"), nodes.Text(talk.kind.capitalize()))
    if talk.track:
        fields += field(_("Track"), nodes.Text(talk.track))
    if talk.room:
        fields += field(_("Room"), nodes.Text(talk.room))
    if talk.language:
        fields += field(_("Language"), nodes.Text(talk.language))
    when = when_text(talk, info, language)
    if when:
        fields += field(_("When"), *time_nodes(when, talk))
    links = [(label, url) for label, url in (
        (_("Official page"), talk.url),
        (_("Video"), talk.video),
        (_("Slides"), talk.slides),
        *((title or url, url) for title, url in talk.links),
    ) if url]
    if links:
        fields += links_field(links)
    if talk.day is not None:
        fields += talk_context(talkdoc=talk.docname, talkanchor=talk.anchor)
    if info is not None and talk_has_calendar(info, talk):
        holder = export_links()
        holder += field(_("Calendar"), talk_export_reference(_("Add to calendar"), "talk", talk))
        fields += holder
    return fields


def links_field(links: Sequence[tuple[str, str]]) -> nodes.field:
    """``Links: Official page · Video``: a talk's links, labelled.

    Builders whose output cannot follow a link (text, man, texinfo, LaTeX on
    paper) get one field per link with the URL spelled out instead; see
    :func:`spelled_out_links`, applied at write time.
    """
    labelled: list[nodes.Node] = []
    for index, (label, url) in enumerate(links):
        if index:
            labelled.append(nodes.Text(" · "))
        labelled.append(nodes.reference(label, label, refuri=url))
    links_row = field(_("Links"), *labelled)
    links_row["classes"].append(LINKS_CLASS)
    return links_row


def spelled_out_links(links_row: nodes.field) -> list[nodes.field]:
    """The fields replacing :func:`links_field`'s: ``Video: https://...``, one per link."""
    return [
        field(reference.astext(), nodes.reference(reference["refuri"], reference["refuri"],
                                                  refuri=reference["refuri"]))
        for reference in links_row.findall(nodes.reference)
    ]


def day_schedule(talks: Sequence[Talk], caption: str) -> list[nodes.Element]:
    """A day's schedule: the room grid when talks are in several rooms, else the table."""
    if len(rooms_of(talks)) > 1:
        return room_grid(talks, caption)
    return [schedule_table(talks, caption)]


def schedule_table(talks: Sequence[Talk], caption: str = "") -> nodes.table:
    """A day's table: time, linked title, presenters, track, and room if any has one."""
    show_room = any(talk.room for talk in talks)
    headings = [_("Time"), _("Talk"), _("Presenters"), _("Track")]
    widths = [16, 44, 25, 15]
    if show_room:
        headings.append(_("Room"))
        widths = [16, 36, 22, 13, 13]
    # Given widths: LaTeX's automatic columns squeeze the unbreakable times
    # into overfull lines.
    table = nodes.table(classes=["conference-schedule", "colwidths-given"])
    if caption:
        table += nodes.title(caption, caption)
    group = nodes.tgroup(cols=len(headings))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row([text_paragraph(text) for text in headings])
    group += head
    body = nodes.tbody()
    for talk in talks:
        title = nodes.paragraph()
        title += entry_xref(talk)
        if talk.kind != "talk":
            title += nodes.Text(f" ({talk.kind})")
        presenters = nodes.paragraph()
        presenters.extend(presenter_nodes(talk.presenters, link=False))
        when = _("Cancelled") if talk.cancelled else slot_text(talk.time)
        cells = [text_paragraph(when, [TIME_CLASS]), title, presenters,
                 text_paragraph(talk.track)]
        if show_room:
            cells.append(text_paragraph(talk.room))
        body += _row(cells)
    group += body
    return table


#: Class of the room grid's table.
GRID_CLASS: Final = "conference-grid"
#: Class of an empty grid cell (hidden when the grid collapses on a phone).
GRID_EMPTY_CLASS: Final = "conference-grid-empty"
#: Class of the room line in a grid cell: the column says it on a wide screen
#: and on paper (``transforms`` drops it there), the line says it on a phone.
GRID_ROOM_CLASS: Final = "conference-grid-room"


def rooms_of(talks: Sequence[Talk]) -> list[str]:
    """The rooms of the timed talks that take place, in natural order.

    By name ("Room 2" before "Room 10"), not by first use: a room keeps its
    column from one day to the next.
    """
    rooms = {talk.room for talk in talks if talk.room and talk.time and not talk.cancelled}
    return sorted(rooms, key=_natural_key)


def _natural_key(text: str) -> list[tuple[int, int | str]]:
    return [(0, int(part)) if part.isdigit() else (1, part.casefold())
            for part in re.split(r"(\d+)", text) if part]


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def _clock(minutes: int) -> str:
    hours, minutes = divmod(minutes % (24 * 60), 60)
    return f"{hours:02d}:{minutes:02d}"


def _span(talk: Talk, boundaries: Sequence[int], first: dt.date | None) -> tuple[int, int]:
    """A talk's start and end as minutes of its day (past 24:00 after midnight).

    A session after midnight carries the next calendar date (its day's page,
    the true instant): it counts from the day's ``first`` date, so it follows
    the evening. A talk with only a start ends at the next boundary of the
    grid, so it takes one row.
    """
    assert talk.time is not None
    days = (talk.date - first).days if talk.date and first else 0
    start = _minutes(talk.time.start) + days * 24 * 60
    duration = talk.time.duration
    if duration is not None:
        return start, start + int(duration.total_seconds()) // 60
    later = [boundary for boundary in boundaries if boundary > start]
    return start, later[0] if later else start + 1


def room_grid(talks: Sequence[Talk], caption: str) -> list[nodes.Element]:
    """A day in several rooms: rows are time slots, columns are rooms.

    A talk spans the rows of the slots it covers (``morerows``); a talk
    without a room is for everyone and spans every room (``morecols``) where
    that leaves no talk out. Talks that do not fit (untimed and cancelled
    ones, and a second talk in an occupied cell, which ``overlap`` already
    warns about) are listed under the grid, so none is lost.
    """
    rooms = rooms_of(talks)
    # A cancelled talk frees its slot: it is listed under the grid, marked.
    timed = [talk for talk in talks if talk.time is not None and not talk.cancelled]
    # Every start, and every end that is given, delimits a slot.
    first = min((talk.date for talk in timed if talk.date is not None), default=None)
    boundaries = sorted({_span(talk, (), first)[0] for talk in timed}
                        | {_span(talk, (), first)[1] for talk in timed
                           if talk.time is not None and talk.time.duration is not None})
    spans = [_span(talk, boundaries, first) for talk in timed]
    # A slot no talk runs in (lunch) would be an empty row: leave it out.
    slots = [boundary for boundary in boundaries
             if any(start <= boundary < end for start, end in spans)]
    cells: dict[tuple[int, int], Talk] = {}
    origins: dict[tuple[int, int], tuple[Talk, int, int]] = {}
    leftover: list[Talk] = []
    for talk, (start, end) in zip(timed, spans, strict=True):
        rows = [index for index, slot in enumerate(slots) if start <= slot < end]
        columns = [rooms.index(talk.room)] if talk.room else list(range(len(rooms)))
        wanted = [(row, column) for row in rows for column in columns]
        if any(cell in cells for cell in wanted):
            leftover.append(talk)
            continue
        cells.update(dict.fromkeys(wanted, talk))
        origins[(rows[0], columns[0])] = (talk, len(rows) - 1, len(columns) - 1)

    table = nodes.table(classes=["conference-schedule", GRID_CLASS, "colwidths-given"])
    table += nodes.title(caption, caption)
    group = nodes.tgroup(cols=len(rooms) + 1)
    table += group
    group += nodes.colspec(colwidth=16, stub=1)
    for _room in rooms:
        group += nodes.colspec(colwidth=max(84 // len(rooms), 1))
    head = nodes.thead()
    head += _row([text_paragraph(_("Time")), *(text_paragraph(room) for room in rooms)])
    group += head
    body = nodes.tbody()
    for index, slot in enumerate(slots):
        later = [boundary for boundary in boundaries if boundary > slot]
        label = _clock(slot) + (f"–{_clock(later[0])}" if later else "")
        row = nodes.row()
        row += nodes.entry("", text_paragraph(label, [TIME_CLASS]))
        for column, room in enumerate(rooms):
            if (index, column) in origins:
                talk, morerows, morecols = origins[(index, column)]
                entry = nodes.entry("", *_grid_cell(talk, room if talk.room else ""))
                if morerows:
                    entry["morerows"] = morerows
                if morecols:
                    entry["morecols"] = morecols
                row += entry
            elif (index, column) not in cells:
                row += nodes.entry("", classes=[GRID_EMPTY_CLASS])
        body += row
    group += body
    result: list[nodes.Element] = [table]
    rest = [talk for talk in talks
            if talk.time is None or talk.cancelled or talk in leftover]
    if rest:
        result.append(nodes.rubric(_("Also on this day"), _("Also on this day")))
        result.append(talk_list(rest, with_day=False, language=None))
    return result


def grid_as_list(table: nodes.table) -> nodes.definition_list:
    """The room grid as the list of its slots, for writers that cannot span cells.

    Each slot (the row's time) is a term over its sessions, each session as
    its cell shows it, room included. A session spanning several slots is
    listed under the first, as in the grid.
    """
    listing = nodes.definition_list(classes=["conference-grid-list"])
    for row in table.findall(nodes.row):
        if isinstance(row.parent, nodes.thead):
            continue
        entries = [entry for entry in row.children if isinstance(entry, nodes.entry)]
        sessions = nodes.bullet_list()
        for entry in entries[1:]:
            if entry.children:
                item = nodes.list_item("", *(child.deepcopy() for child in entry.children))
                for room in item.findall(nodes.paragraph):
                    # Here the room line is the only place that names the room.
                    if GRID_ROOM_CLASS in room["classes"]:
                        room["classes"].remove(GRID_ROOM_CLASS)
                sessions += item
        if sessions.children:
            label = entries[0].astext()
            listing += nodes.definition_list_item(
                "", nodes.term(label, label), nodes.definition("", sessions))
    return listing


def _grid_cell(talk: Talk, room: str) -> list[nodes.Element]:
    """What a grid cell shows: title, presenters, time, track, and (for phones) the room."""
    title = nodes.paragraph(classes=["conference-grid-title"])
    title += entry_xref(talk)
    if talk.kind != "talk":
        title += nodes.Text(f" ({talk.kind})")
    content: list[nodes.Element] = [title]
    if talk.presenters:
        presenters = nodes.paragraph()
        presenters.extend(presenter_nodes(talk.presenters, link=False))
        content.append(presenters)
    content.append(text_paragraph(slot_text(talk.time), [TIME_CLASS]))
    if talk.track:
        content.append(text_paragraph(talk.track, ["conference-grid-track"]))
    if room:
        content.append(text_paragraph(room, [GRID_ROOM_CLASS]))
    return content


def _row(cells: Iterable[nodes.Element]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell
        row += entry
    return row


def talk_list(
    talks: Sequence[Talk], *, with_day: bool, language: str | None, with_presenters: bool = True
) -> nodes.bullet_list:
    """``10:50–11:20 Title — Presenters`` items, one per talk."""
    items = nodes.bullet_list(classes=["conference-talk-list"])
    for talk in talks:
        paragraph = nodes.paragraph()
        when = []
        if with_day and talk.date is not None:
            when.append(day_heading(talk.date, language))
        if when:
            paragraph += nodes.Text(", ".join(when) + (", " if talk.time else " "))
        if talk.time is not None:
            slot = slot_text(talk.time)
            paragraph += nodes.inline(slot, slot, classes=[TIME_CLASS])
            paragraph += nodes.Text(" ")
        paragraph += entry_xref(talk)
        if talk.cancelled:
            paragraph += nodes.Text(f" ({_('cancelled')})")
        if with_presenters and talk.presenters:
            paragraph += nodes.Text(" — ")
            paragraph.extend(presenter_nodes(talk.presenters, link=False))
        items += nodes.list_item("", paragraph)
    return items


def conference_summary(info: ConferenceInfo, language: str | None) -> nodes.field_list:
    """The conference's name, dates and place, from the configuration."""
    fields = nodes.field_list(classes=["conference-summary"])
    fields += field(_("Conference"), nodes.Text(info.name))
    fields += field(_("Dates"), nodes.Text(date_range(info.start, info.end, language)))
    if info.location:
        fields += field(_("Location"), nodes.Text(info.location))
    return fields


def index_item(
    term: str, ids: str, body: nodes.Element, affiliation: str = ""
) -> nodes.definition_list_item:
    """One entry of an index page: a term (an anchor) over its talks.

    An affiliation reads ``Rick Branson (Instagram)``, as on every other page
    (a docutils classifier would render as ``Rick Branson : Instagram``).
    """
    label = f"{term} ({affiliation})" if affiliation else term
    item = nodes.definition_list_item("", nodes.term(label, label, ids=[ids]))
    item += nodes.definition("", body)
    return item


def day_rubric(title: str, docname: str | None) -> nodes.rubric:
    """A heading for one day of the overview, linking to the day's page."""
    rubric = nodes.rubric()
    if docname is None:
        rubric += nodes.Text(title)
    else:
        rubric += doc_xref(docname, title)
    return rubric


def hidden_toctree(docname: str, entries: Sequence[str]) -> nodes.compound:
    """The toctree node Sphinx's own ``toctree`` directive would make (hidden).

    The schedule table shows the entries already, so the toctree only drives
    the sidebar, prev/next and the other builders' document order.
    """
    toctree = addnodes.toctree()
    toctree["parent"] = docname
    toctree["entries"] = [(None, entry) for entry in entries]
    toctree["includefiles"] = list(entries)
    toctree["maxdepth"] = -1
    toctree["caption"] = None
    toctree["glob"] = False
    toctree["hidden"] = True
    toctree["includehidden"] = False
    toctree["numbered"] = 0
    toctree["titlesonly"] = False
    return nodes.compound("", toctree, classes=["toctree-wrapper"])
