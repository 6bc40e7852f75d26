"""The extension's stylesheet, shipped with it for HTML builders.

The nodes from ``render.py`` are standard docutils nodes with ``conference-*``
classes, so pages read well without this file; it makes the schedule readable
on phones, collapses the room grid there, lifts the theme's colours to WCAG AA
contrast and sets off a talk's header block.

The file is copied into ``_static/`` when the builder starts, rather than by
adding our folder to ``html_static_path``: changing a configuration value at
build time makes every later build report "The configuration has changed".
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Final

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STATIC_DIR: Final = Path(__file__).parent / "static"
STYLESHEET: Final = "conference.css"
#: Class of the schedule tables (``render.schedule_table``, ``render.room_grid``).
SCHEDULE_CLASS: Final = "conference-schedule"


def copy_stylesheet(app: Sphinx) -> None:
    """``builder-inited``: put ``conference.css`` into an HTML-format output's ``_static/``.

    ePub is an HTML format too and packs whatever ``_static/`` holds, so the
    file must be there before pages are written, which is why this is not a
    ``build-finished`` handler.
    """
    if app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STATIC_DIR / STYLESHEET, target / STYLESHEET)


def _in_schedule(entry: nodes.entry) -> bool:
    table = entry.parent.parent.parent.parent  # entry < row < thead/tbody < tgroup < table
    return isinstance(table, nodes.table) and SCHEDULE_CLASS in table["classes"]


class HeaderScopes:
    """Translator mixin: a schedule's header cells say what they head.

    docutils writes ``<th>`` for the heading row and the stub (time) column
    but no ``scope``; screen readers then guess. The column headings get
    ``scope="col"`` and the time of each row ``scope="row"``.
    """

    body: list[str]

    def visit_entry(self, node: nodes.entry) -> None:
        """Write the cell's start tag as docutils does, then add its scope."""
        super().visit_entry(node)  # type: ignore[misc]
        tag = self.body[-1]
        if tag.startswith("<th") and _in_schedule(node):
            scope = "col" if isinstance(node.parent.parent, nodes.thead) else "row"
            self.body[-1] = f'<th scope="{scope}"' + tag[len("<th"):]


def add_header_scopes(app: Sphinx) -> None:
    """``builder-inited``: give HTML-format builders a translator with :class:`HeaderScopes`.

    It extends whatever translator the builder would use (Sphinx's own, or
    one a theme or extension set), so nothing else of it changes.
    """
    if app.builder.format != "html":
        return
    base = app.builder.get_translator_class()
    if issubclass(base, HeaderScopes):
        return
    scoped = type(base.__name__, (HeaderScopes, base), {"__module__": __name__})
    app.registry.translators[app.builder.name] = scoped
