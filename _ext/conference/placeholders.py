"""Text of the new-talk templates that was never replaced.

``templates/talk.rst.tmpl`` and ``talk.md.tmpl`` fill a new page with examples
("Speaker Name (Company)", a sample abstract, a sample notes section). Such a
page builds without a single warning, so a writer could publish it by
mistake; each left-over placeholder is a ``conference.placeholder`` warning at
its line instead. The strings here are the templates' (``tests/test_reader.py``
checks they are still in them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, cast

from docutils import nodes
from sphinx.util import logging

from .domain import ConferenceDomain
from .model import format_presenters

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: The template's sample presenter.
PRESENTER: Final = "Speaker Name (Company)"
#: The start of the template's sample abstract.
DESCRIPTION: Final = "One or more paragraphs of the talk's official description."
#: The template's sample notes: a section title and the start of a paragraph.
NOTES_TITLE: Final = "First Notes Section"
NOTES_TEXT: Final = "Notes go here"


def _plain(text: str) -> str:
    """``text`` with smart quotes straightened, as the template has them."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def warn_placeholders(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: warn about each template placeholder left on this page."""
    env = app.env
    domain = cast("ConferenceDomain", env.domains[ConferenceDomain.name])
    for talk in domain.talks_by_doc.get(env.docname, []):
        if format_presenters(talk.presenters) == PRESENTER:
            _warn(f":presenter: is the template's placeholder {PRESENTER!r}",
                  (talk.docname, talk.lineno))
        if _plain(talk.description).startswith(DESCRIPTION):
            _warn("the description is the template's placeholder text",
                  (talk.docname, talk.lineno))
    for title in doctree.findall(nodes.title):
        if isinstance(title.parent, nodes.section) and _plain(title.astext()) == NOTES_TITLE:
            # docutils gives a section title the line of its underline.
            where = (env.docname, title.line - 1) if title.line else title
            _warn(f"the section {NOTES_TITLE!r} is the template's placeholder", where)
    for paragraph in doctree.findall(nodes.paragraph):
        if _plain(paragraph.astext()).startswith(NOTES_TEXT):
            _warn("this paragraph is the template's placeholder text", paragraph)


def _warn(message: str, location: tuple[str, int] | nodes.Node) -> None:
    logger.warning(message + "; replace it or delete it", location=location,
                   type="conference", subtype="placeholder")
