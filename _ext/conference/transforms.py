"""Decisions that depend on the builder, made at write time.

Only HTML-family builders (chosen by name: epub's *format* is html too, but it
cannot ship calendar files) write the schedule exports, so only they keep the
links to them. Every other builder gets the page without those links.
Builders whose output cannot follow a link (text, man, texinfo, LaTeX) get a
talk's links spelled out as URLs rather than as labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.osutil import relative_uri

from .config import conference_info
from .domain import ConferenceDomain
from .exporters.paths import export_path
from .render import (
    GRID_CLASS,
    GRID_ROOM_CLASS,
    LINKS_CLASS,
    export_links,
    grid_as_list,
    spelled_out_links,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

N = TypeVar("N", bound=nodes.Element)

#: Builders whose writers cannot span table cells (docutils' man writer warns,
#: Texinfo's multitable shifts cells): they get the room grid as a list of slots.
CANNOT_SPAN: Final = frozenset({"man", "texinfo"})

#: Builders that write ``schedule.ics``, ``schedule.json``, ``schedule.xml``
#: and the per-day and per-talk calendars.
EXPORTING_BUILDERS: Final = frozenset({"html", "dirhtml", "singlehtml"})


def adapt_to_builder(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: the builder-dependent parts of talk pages and schedules."""
    resolve_export_links(app, doctree, docname)
    if app.builder.format != "html":
        links_rows = [row for row in doctree.findall(nodes.field) if LINKS_CLASS in row["classes"]]
        for links_row in links_rows:
            links_row.replace_self(spelled_out_links(links_row))
        if app.builder.name in CANNOT_SPAN:
            for grid in _with_class(doctree, nodes.table, GRID_CLASS):
                grid.replace_self(grid_as_list(grid))
        # A grid cell's room line is for phones; on paper the column says it.
        for room in _with_class(doctree, nodes.paragraph, GRID_ROOM_CLASS):
            room.parent.remove(room)


def _with_class(doctree: nodes.document, kind: type[N], name: str) -> list[N]:
    """The ``kind`` nodes of ``doctree`` that have the class ``name``."""
    return [node for node in doctree.findall(kind) if name in node["classes"]]


def resolve_export_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Point export links at their files, or drop them.

    HTML-family builders get working relative links, every other builder gets
    the page without them.
    """
    builder = app.builder
    keep = builder.name in EXPORTING_BUILDERS and conference_info(app.config) is not None
    for holder in list(doctree.findall(export_links)):
        if not keep:
            holder.parent.remove(holder)
            continue
        for reference in list(holder.findall(nodes.reference)):
            if "conference_export" in reference:
                try:
                    uri = _export_uri(builder, docname, _export_key(app, reference))
                except ValueError:
                    # No such file (a day folder that cannot name one, reported
                    # by the exports): the label stays, as text.
                    reference.replace_self(nodes.Text(reference.astext()))
                    continue
                reference["refuri"] = uri
                del reference["conference_export"]
        holder.replace_self(holder.children)


def _export_key(app: Sphinx, reference: nodes.reference) -> str:
    """``kind:key`` of an export link; a talk's own files are named by its final id."""
    export: str = reference["conference_export"]
    talkdoc = reference.attributes.pop("conference_talkdoc", None)
    if talkdoc is None:
        return export
    kind, _, anchor = export.partition(":")
    talk = ConferenceDomain.of(app.env).talk_at(talkdoc, anchor)
    return f"{kind}:{talk.id}" if talk is not None else export


def _export_uri(builder: Builder, docname: str, export: str) -> str:
    kind, _, key = export.partition(":")
    path = export_path(kind, key or None)  # type: ignore[arg-type]
    if builder.name == "singlehtml":
        # Every page is part of the root page, at the top of the output.
        return path
    return relative_uri(builder.get_target_uri(docname), path)


class SingleHtmlFragments(SphinxPostTransform):
    """Make ``#document-<doc>#<id>`` links of the singlehtml builder plain ``#<id>``.

    Sphinx 8.2 stopped calling ``SingleFileHTMLBuilder.fix_refuris`` (sphinx
    issue #14221), so a reference to an anchor on another page comes out with
    two fragments, which no browser follows. Every page is part of one file
    there, and the anchor keeps its id: the last fragment is the target.
    """

    default_priority = 900  # after the ReferencesResolver (10) made the references
    builders = ("singlehtml",)

    def run(self, **kwargs: Any) -> None:
        """Keep only the last fragment of every internal reference."""
        for reference in self.document.findall(nodes.reference):
            uri = reference.get("refuri", "")
            if uri.startswith("#") and "#" in uri[1:]:
                reference["refuri"] = uri[uri.rindex("#"):]
