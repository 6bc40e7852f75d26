"""The extension's stylesheet, shipped with it for HTML builders.

The nodes from ``render.py`` are standard docutils nodes with ``conference-*``
classes, so pages read well without this file; it only helps the schedule
table wrap in sphinx-rtd-theme and sets off a talk's header block.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STATIC_DIR: Final = Path(__file__).parent / "static"
STYLESHEET: Final = "conference.css"


def add_static_path(app: Sphinx) -> None:
    """``builder-inited``: let HTML builders copy ``static/`` into ``_static/``."""
    if str(STATIC_DIR) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC_DIR))
