"""``talk-description``: the longer text of a talk, kept apart from its abstract.

Programs (frab, pretalx, pyvideo) carry two texts per session: a short
``abstract`` and a longer ``description``. The ``talk`` directive's content is
the abstract, however many paragraphs it has; a ``talk-description`` block
inside that content holds the description::

    .. talk::
       :presenter: Ada Lovelace

       The abstract, which may have several paragraphs.

       .. talk-description::

          The longer description.

Both render in place; :func:`split_texts` tells the two apart for the exports.
"""

from __future__ import annotations

from typing import Final

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

#: Class of the container a ``talk-description`` block renders as.
DETAILS_CLASS: Final = "conference-talk-details"


class TalkDescriptionDirective(SphinxDirective):
    """``.. talk-description::``: the talk's description, inside its ``talk`` content."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        """Parse the content into a marked container (standard nodes only)."""
        container = nodes.container(classes=[DETAILS_CLASS])
        self.set_source_info(container)
        self.state.nested_parse(self.content, self.content_offset, container)
        return [container]


def split_texts(content: nodes.Element) -> tuple[str, str]:
    """``(abstract, description)``: the text outside and inside ``talk-description`` blocks.

    Paragraphs are separated by a blank line in both, as ``astext`` joins them.
    """
    details = [
        child for child in content.children
        if isinstance(child, nodes.container) and DETAILS_CLASS in child["classes"]
    ]
    inside = {id(child) for child in details}
    abstract = "\n\n".join(child.astext() for child in content.children
                           if id(child) not in inside)
    return abstract, "\n\n".join(child.astext() for child in details)
