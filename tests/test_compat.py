"""The supported Sphinx range (``conference.compat``), on the running Sphinx and on faked ones.

The suite runs on each tested Sphinx (``make test-matrix``); here the running
version must be one of them with every version-dependent piece on, and a
faked newer or older version must get the documented behaviour: newer builds
with the pieces off and one typed warning each, older stops with Sphinx's own
"needs at least Sphinx" error.
"""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
import sphinx
from inprocess import build_once
from sphinx.errors import VersionRequirementError
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

from conference import compat, navcache, searchindex

ROOTS = Path(__file__).resolve().parent / "roots"

FEATURES = [compat.NAV_CACHE, compat.SEARCH_INDEX_REPAIR, compat.DOCTREE_RELEASE]


def fake_sphinx(monkeypatch: pytest.MonkeyPatch, *version: int) -> str:
    display = ".".join(map(str, version))
    monkeypatch.setattr(sphinx, "version_info", (*version, "final", 0))
    monkeypatch.setattr(sphinx, "__display_version__", display)
    return display


def build(
    tmp_path: Path, buildername: str = "html", **conf: object
) -> tuple[SphinxTestApp, str]:
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-schedule", srcdir)
    warnings = StringIO()
    app = build_once(
        buildername,
        srcdir=srcdir,
        builddir=tmp_path / "build",
        confoverrides=conf,
        status=StringIO(),
        warning=warnings,
    )
    return app, warnings.getvalue()


def repair_connected(app: SphinxTestApp) -> bool:
    """Whether ``conference.searchindex`` hooked its repair into this build."""
    return any(
        listener.handler is searchindex.repair_search_index
        for listener in app.events.listeners["html-collect-pages"]
    )


def compat_warnings(text: str) -> list[str]:
    lines = strip_colors(text).splitlines()
    return [line for line in lines if line.endswith("[conference.compat]")]


def test_the_running_sphinx_is_tested_and_every_piece_is_on() -> None:
    """Fails on an untested Sphinx: add it to TESTED_SPHINX only after verifying it."""
    assert compat.sphinx_version() == sphinx.version_info[:2]
    assert compat.sphinx_version() in compat.TESTED_SPHINX
    assert [compat.enabled(feature) for feature in FEATURES] == [True] * len(FEATURES)


def test_the_minimum_is_the_lowest_tested_version() -> None:
    major, minor = map(int, compat.MINIMUM_SPHINX.split("."))
    assert (major, minor) == min(compat.TESTED_SPHINX)


def test_no_compat_warning_on_the_running_sphinx(tmp_path: Path) -> None:
    app, warnings = build(tmp_path)
    assert compat_warnings(warnings) == []
    assert navcache.cache_for(app.builder) is not None
    assert repair_connected(app)


@pytest.mark.slow
def test_a_newer_sphinx_builds_with_the_pieces_off_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = fake_sphinx(monkeypatch, 9, 1, 0)
    app, warnings = build(tmp_path)
    assert app.statuscode == 0
    assert (app.outdir / "first" / "index.html").is_file()
    found = compat_warnings(warnings)
    assert len(found) == len(FEATURES), warnings
    for feature in FEATURES:
        (line,) = [line for line in found if feature.name in line]
        assert f"off on Sphinx {version} (newer than any tested)" in line
        assert "verified on Sphinx 8.1, 8.2, 9.0 only" in line
        assert feature.cost.split(",")[0] in line
        assert line.startswith("WARNING: "), line  # a real warning, for the whole build
    # the pieces really are off
    assert navcache.cache_for(app.builder) is None
    assert not repair_connected(app)


@pytest.mark.slow
def test_the_warnings_can_be_suppressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sphinx(monkeypatch, 10, 0, 0)
    app, warnings = build(tmp_path, suppress_warnings=["conference.compat"])
    assert app.statuscode == 0
    assert compat_warnings(warnings) == []
    assert "WARNING" not in warnings


@pytest.mark.slow
def test_only_the_pieces_a_build_uses_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text build has no sidebar and no search index: only the doctree work is named."""
    fake_sphinx(monkeypatch, 9, 1, 0)
    _app, warnings = build(tmp_path, "text")
    found = compat_warnings(warnings)
    assert len(found) == 1, warnings
    assert compat.DOCTREE_RELEASE.name in found[0]


def test_nav_cache_off_by_configuration_is_not_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_sphinx(monkeypatch, 9, 1, 0)
    _app, warnings = build(tmp_path, conference_nav_cache=False)
    assert [line for line in compat_warnings(warnings) if "navigation" in line] == []


def test_an_older_sphinx_stops_with_sphinx_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_sphinx(monkeypatch, 8, 0, 2)
    with pytest.raises(VersionRequirementError) as info:
        build(tmp_path)
    assert "The conference extension used by this project needs at least Sphinx v8.1" in str(
        info.value
    )
