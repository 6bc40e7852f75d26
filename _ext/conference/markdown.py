"""Markdown (MyST) pages on the same terms as reStructuredText ones.

MyST's ``{eval-rst}`` block parses its reStructuredText into a document of its
own, whose settings carry the build environment, and then moves that
document's top-level nodes into the page. Nodes further down (a section's
title and body) keep pointing at the other document, so pickling the page's
doctree pickles that document, its settings and so the whole environment:
every such page's ``.doctree`` would hold a copy of ``environment.pickle``,
and unpickling it would revive a second, stale environment. The ids it
assigned are also unknown to the page, so a later id on the page could take
the same value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def adopt_nested_documents(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read`` (first): make every node belong to the page's own document.

    Runs before the extension's other ``doctree-read`` handlers, which look
    nodes up by id in the page's document.
    """
    for node in doctree.findall(include_self=False):
        if node.document is doctree:
            continue
        node.document = doctree
        if isinstance(node, nodes.Element):
            for ident in node["ids"]:
                doctree.ids.setdefault(ident, node)
