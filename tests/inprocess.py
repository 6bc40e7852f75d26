"""Building a test project in this process, and reading what the build wrote.

Why: several modules build a root once and then only read its output. A live
``SphinxTestApp`` keeps docutils' global registrations (directives, roles,
nodes), and every app made after it would warn about them, so a build that is
done must be released at once: :func:`build_once` does both, the same way for
every module. The HTML helpers are the ones those modules read pages with.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from sphinx.testing.util import SphinxTestApp

#: Colour codes, which Sphinx puts into its messages when TERM says it may.
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def build_once(buildername: str = "html", **kwargs: Any) -> SphinxTestApp:
    """``SphinxTestApp(buildername, **kwargs)``, built, then cleaned up; the app.

    Its ``outdir``, ``statuscode``, ``status`` and ``warning`` stay readable.
    """
    app = SphinxTestApp(buildername, **kwargs)
    try:
        app.build()
    finally:
        app.cleanup()
    return app


def warnings_of(app: SphinxTestApp) -> str:
    """What the build warned, without colour codes."""
    return ANSI.sub("", app.warning.getvalue())


def squash(text: str) -> str:
    """``text`` with every run of white space one space, and none at either end."""
    return " ".join(text.split())


def page_of(href: str, base: str) -> str:
    """The output file (relative to the outdir) an ``href`` on page ``base`` points to."""
    url = urldefrag(href).url
    return unquote(str(PurePosixPath(urljoin(base, url)))) if url else base
