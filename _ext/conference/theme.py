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

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STATIC_DIR: Final = Path(__file__).parent / "static"
STYLESHEET: Final = "conference.css"


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
