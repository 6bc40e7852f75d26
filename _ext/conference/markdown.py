"""Markdown (MyST) pages on the same terms as reStructuredText ones.

MyST's ``{eval-rst}`` block parses its reStructuredText into a document of its
own, whose settings carry the build environment, and then moves that
document's top-level nodes into the page. Nodes further down (a section's
title and body) keep pointing at the other document, so pickling the page's
doctree pickles that document, its settings and so the whole environment:
every such page's ``.doctree`` would hold a copy of ``environment.pickle``,
and unpickling it would revive a second, stale environment. The ids it
assigned are also unknown to the page, so the domains could not find a talk's
section by its id, and a later id on the page could take the same value.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform


class AdoptNestedDocuments(SphinxTransform):
    """Make every node belong to the page's own document, and its ids the page's.

    Runs before the transforms that look nodes up by id (references at 640 and
    later, the domains at 850) and before ``doctree-read``.
    """

    default_priority = 100

    def apply(self, **kwargs: Any) -> None:
        """Re-home the nodes a nested document left pointing at itself.

        Only Markdown pages can hold ``{eval-rst}``: other pages are not walked.
        """
        doctree = self.document
        source = str(doctree.get("source", ""))
        if not any(source.endswith(suffix) for suffix, filetype
                   in self.config.source_suffix.items() if filetype == "markdown"):
            return
        for node in doctree.findall(include_self=False):
            if node.document is doctree:
                continue
            node.document = doctree
            if isinstance(node, nodes.Element):
                for ident in node["ids"]:
                    doctree.ids.setdefault(ident, node)
