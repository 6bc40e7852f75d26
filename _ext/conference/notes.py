"""Where the official abstract ends and the writer's notes begin.

A talk page shows the talk's header and its abstract (set in italics by
``conference.css``), then the writer's notes as ordinary page content. Nothing
but a font told them apart, and print and plain text have no fonts: a
"Notes" rubric after the talk block marks the boundary in every builder.
"""

from __future__ import annotations

from typing import Any, Final

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

from .labels import _

#: Class of the rubric that starts the notes.
NOTES_CLASS: Final = "conference-notes"
#: Class of the container the ``talk`` directive emits.
TALK_CLASS: Final = "conference-talk"

#: Nodes that are no content of their own: they do not make notes.
_INVISIBLE: Final = (nodes.target, nodes.comment, nodes.substitution_definition,
                     nodes.system_message, addnodes.index, nodes.pending)


def _is_talk(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and TALK_CLASS in node["classes"]


class NotesBoundary(SphinxTransform):
    """Put a "Notes" rubric after each talk block that notes follow.

    Notes are whatever visible content follows the talk block before the next
    talk block on the same level: paragraphs, lists, admonitions, sections.
    A talk without notes gets no rubric, nor does one followed directly by
    the next talk (a page of lightning talks).
    """

    default_priority = 800

    def apply(self, **kwargs: Any) -> None:
        """Insert the rubrics."""
        for block in list(self.document.findall(_is_talk)):
            parent = block.parent
            position = parent.index(block)
            has_notes = False
            for sibling in parent.children[position + 1:]:
                if _is_talk(sibling):
                    break
                if not isinstance(sibling, _INVISIBLE):
                    has_notes = True
                    break
            if has_notes:
                label = _("Notes")
                parent.insert(position + 1, nodes.rubric(label, label, classes=[NOTES_CLASS]))
