"""No page links to script: ``javascript:`` and ``data:`` links become text.

The ``talk`` directive only accepts http(s) URLs in its options, but a
description (and the notes) is reStructuredText, and docutils makes a link
of any text that looks like a URI with a scheme it knows, ``javascript:`` and
``data:`` included, as well as of explicit targets. :class:`ScriptLinks` runs
at read time, after docutils has resolved named and anonymous targets, so the
pickled doctree is clean for every builder; each link it removes is a
``conference.url`` warning at the link's line.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from .model import script_scheme

logger = logging.getLogger(__name__)


class ScriptLinks(SphinxTransform):
    """Replace every reference to a script or data URL by its text."""

    #: After docutils' ExternalTargets (640) and InternalTargets (660) have
    #: given named references their ``refuri``.
    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        """Unlink the references whose ``refuri`` would run script."""
        for reference in list(self.document.findall(nodes.reference)):
            uri = reference.get("refuri", "")
            scheme = script_scheme(uri)
            if not scheme:
                continue
            logger.warning(
                "link to %r removed: %s: links are not allowed",
                uri,
                scheme,
                location=reference,
                type="conference",
                subtype="url",
            )
            text = nodes.inline(reference.rawsource, "", *reference.children)
            reference.replace_self(text)
