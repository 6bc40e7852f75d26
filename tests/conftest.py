"""Shared fixtures: Sphinx's own testing fixtures, test roots, and HTML parsing.

Each behaviour has a small project under ``tests/roots/test-<name>/``, built
with ``@pytest.mark.sphinx("html", testroot="<name>")`` and the ``app``
fixture. Tests assert on the built output, parsed with BeautifulSoup.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "_ext"))

pytest_plugins = ["sphinx.testing.fixtures"]

collect_ignore = ["roots"]


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``sphinx.testing`` finds the ``test-<name>`` projects."""
    return Path(__file__).resolve().parent / "roots"


def parse_html(path: Path) -> BeautifulSoup:
    """Parse one built page with a real HTML parser."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def html():
    """``html(app, "friday/index.html")`` -> the parsed page."""

    def load(app, page: str) -> BeautifulSoup:
        return parse_html(Path(app.outdir) / page)

    return load


@pytest.fixture(scope="module")
def page(site: SphinxTestApp):
    """``page("friday/index.html")`` -> that page of the module's ``site`` build, parsed once.

    For the modules whose ``site`` fixture is one build that their tests share.
    """
    cache: dict[str, BeautifulSoup] = {}

    def load(name: str) -> BeautifulSoup:
        if name not in cache:
            cache[name] = parse_html(Path(site.outdir) / name)
        return cache[name]

    return load
