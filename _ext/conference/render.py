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

from collections.abc import Iterable, Sequence

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
        fields += field(_("When"), nodes.Text(when))
    links = [(label, url) for label, url in (
        (_("Official page"), talk.url),
        (_("Video"), talk.video),
        (_("Slides"), talk.slides),
        *((title or url, url) for title, url in talk.links),
    ) if url]
    if links:
        fields += links_field(links)
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


def schedule_table(talks: Sequence[Talk]) -> nodes.table:
    """A day's table: time, linked title, presenters, track, and room if any has one."""
    show_room = any(talk.room for talk in talks)
    headings = [_("Time"), _("Talk"), _("Presenters"), _("Track")]
    widths = [12, 48, 25, 15]
    if show_room:
        headings.append(_("Room"))
        widths = [12, 40, 23, 13, 12]
    table = nodes.table(classes=["conference-schedule"])
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
        cells = [text_paragraph(when), title, presenters,
                 text_paragraph(talk.track)]
        if show_room:
            cells.append(text_paragraph(talk.room))
        body += _row(cells)
    group += body
    return table


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
        if talk.time is not None:
            when.append(slot_text(talk.time))
        if when:
            paragraph += nodes.Text(", ".join(when) + " ")
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
    term: str, ids: str, body: nodes.Element, classifier: str = ""
) -> nodes.definition_list_item:
    """One entry of an index page: a term (an anchor) over its talks.

    A classifier is the term's sibling (docutils' DTD), not its child: the
    text writer crashes on a classifier inside a term.
    """
    item = nodes.definition_list_item("", nodes.term(term, term, ids=[ids]))
    if classifier:
        item += nodes.classifier(classifier, classifier)
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
