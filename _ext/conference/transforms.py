"""Post-transforms: decisions that depend on the builder, made at write time.

Only HTML-family builders (chosen by name: epub's *format* is html too, but it
cannot ship calendar files) write the schedule exports, so only they keep the
links to them. Every other builder gets the page without those links.
"""

from __future__ import annotations

from typing import Any, Final

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.osutil import relative_uri

from .config import conference_info
from .exporters.paths import export_path
from .render import export_links

#: Builders that write ``schedule.ics``, ``schedule.json``, ``schedule.xml``
#: and the per-day and per-talk calendars.
EXPORTING_BUILDERS: Final = frozenset({"html", "dirhtml", "singlehtml"})


class ExportLinks(SphinxPostTransform):
    """Point export links at their files, or drop them where there are none."""

    default_priority = 100

    def run(self, **kwargs: Any) -> None:
        """Resolve or remove every :class:`~conference.render.export_links`."""
        keep = (
            self.app.builder.name in EXPORTING_BUILDERS
            and conference_info(self.config) is not None
        )
        for holder in list(self.document.findall(export_links)):
            if not keep:
                holder.parent.remove(holder)
                continue
            for reference in holder.findall(nodes.reference):
                if "conference_export" in reference:
                    reference["refuri"] = self._uri(reference["conference_export"])
                    del reference["conference_export"]
            holder.replace_self(holder.children)

    def _uri(self, export: str) -> str:
        kind, _, key = export.partition(":")
        path = export_path(kind, key or None)  # type: ignore[arg-type]
        if self.app.builder.name == "singlehtml":
            # Every page is part of the root page, at the top of the output.
            return path
        base = self.app.builder.get_target_uri(self.env.docname)
        return relative_uri(base, path)


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
