"""The navigation cache (``conference.navcache``) against Sphinx's own sidebar.

Every test builds real Sphinx projects twice, with the cache on and off, and
compares every HTML file byte for byte. ``tests/roots/test-navcache`` has
plain toctrees: three root toctrees (caption, ``:titlesonly:``, hidden),
toctrees inside sections, a page listed in two toctrees, pages four and five
levels deep in a folder of their own. The cache's own record of what it did
(``navcache.cache_for(builder).outcomes``) shows that it engaged.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from sphinx.errors import ExtensionError, ThemeError
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

PROJECT = Path(__file__).resolve().parents[1]
ROOTS = Path(__file__).resolve().parent / "roots"
if str(PROJECT / "_ext") not in sys.path:
    sys.path.insert(0, str(PROJECT / "_ext"))
if str(PROJECT / "bench") not in sys.path:
    sys.path.insert(0, str(PROJECT / "bench"))

from conference import compat, navcache  # noqa: E402


def copy_root(tmp_path: Path, name: str = "test-navcache") -> Path:
    srcdir = tmp_path / name
    shutil.copytree(ROOTS / name, srcdir)
    return srcdir


def make(
    srcdir: Path, builddir: Path, buildername: str = "html", parallel: int = 0, **conf: object
) -> SphinxTestApp:
    return SphinxTestApp(
        buildername,
        srcdir=srcdir,
        builddir=builddir,
        confoverrides=conf,
        status=StringIO(),
        warning=StringIO(),
        parallel=parallel,
    )


def build(
    srcdir: Path, builddir: Path, buildername: str = "html", parallel: int = 0, **conf: object
) -> SphinxTestApp:
    app = make(srcdir, builddir, buildername, parallel, **conf)
    try:
        app.build()
    finally:
        app.cleanup()
    return app


def html_files(outdir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(outdir).as_posix(): path.read_bytes()
        for path in sorted(outdir.rglob("*.html"))
    }


def assert_same_html(ours: Path, sphinxs: Path) -> None:
    a, b = html_files(ours), html_files(sphinxs)
    assert a.keys() == b.keys()
    assert a
    assert [name for name in a if a[name] != b[name]] == []


def compare(
    srcdir: Path, tmp_path: Path, buildername: str = "html", parallel: int = 0, **conf: object
) -> navcache.NavCache | None:
    """Build with the cache on and off; return the cache of the 'on' build."""
    on = build(srcdir, tmp_path / "on", buildername, parallel, **conf)
    off = build(srcdir, tmp_path / "off", buildername, parallel, conference_nav_cache=False, **conf)
    assert navcache.cache_for(off.builder) is None
    assert_same_html(on.outdir, off.outdir)
    return navcache.cache_for(on.builder)


def test_engages_and_falls_back_page_by_page(tmp_path: Path) -> None:
    cache = compare(copy_root(tmp_path), tmp_path)
    assert cache is not None
    outcomes = cache.outcomes
    # spliced into a sidebar shared with a sibling: at depth 2, 4 (a folder
    # of its own, under a section) and under a :titlesonly: root toctree
    for page in ("part1/p2", "part1/p3", "part1/deep/d2", "part2/q2"):
        assert outcomes[page] == "cached", page
    assert outcomes["index"] == "fallback: root page"
    assert outcomes["part1/shared"] == "fallback: 'part1/shared' is listed in 2 toctrees"
    assert outcomes["genindex"] == "fallback: not a document"
    # five levels deep, hidden by the theme's navigation_depth=4
    assert outcomes["part1/deep/deeper"].startswith("fallback: ")
    assert cache.stats["cached"] == 4


@pytest.mark.parametrize(
    ("collapse", "titles_only", "depth"),
    list(itertools.product([True, False], [True, False], [2, 4])),
)
def test_theme_options(tmp_path: Path, collapse: bool, titles_only: bool, depth: int) -> None:
    options = {
        "collapse_navigation": collapse,
        "titles_only": titles_only,
        "navigation_depth": depth,
    }
    cache = compare(copy_root(tmp_path), tmp_path, html_theme_options=options)
    assert cache is not None
    assert cache.stats["cached"] >= 3


@pytest.mark.parametrize(
    "conf",
    [
        {"html_theme_options": {"includehidden": False}},
        # alabaster's sidebar calls toctree() with other keywords
        {"html_theme": "alabaster", "html_sidebars": {"**": ["navigation.html"]}},
    ],
    ids=["rtd-without-hidden", "alabaster"],
)
def test_other_sidebars(tmp_path: Path, conf: dict[str, object]) -> None:
    cache = compare(copy_root(tmp_path), tmp_path, **conf)
    assert cache is not None
    assert cache.stats["cached"] >= 2


#: The cache's verbose line for a page: ``conference_nav_cache: <page>: <outcome> (process <pid>)``.
OUTCOME_LINE = re.compile(r"conference_nav_cache: (\S+): (.+) \(process (\d+)\)$")


def test_parallel_write(tmp_path: Path) -> None:
    """Under -j 2 the forked writers fill caches of their own and use them.

    Their caches die with them, but their log records come back to the main
    process (this one): at verbose level each page's outcome names the
    process that wrote it.
    """
    compare(copy_root(tmp_path), tmp_path, parallel=2)
    status = StringIO()
    app = SphinxTestApp(
        "html",
        srcdir=copy_root(tmp_path / "v"),
        builddir=tmp_path / "verify",
        confoverrides={"conference_nav_cache_verify": True},
        status=status,
        warning=StringIO(),
        parallel=2,
        verbosity=1,
    )
    try:
        app.build()
    finally:
        app.cleanup()
    assert app.statuscode == 0
    outcomes: dict[str, tuple[str, int]] = {}
    for line in strip_colors(status.getvalue()).splitlines():
        match = OUTCOME_LINE.search(line)
        if match:
            outcomes[match[1]] = (match[2], int(match[3]))
    main = {page for page, (_outcome, pid) in outcomes.items() if pid == os.getpid()}
    cached = {page for page, (outcome, _pid) in outcomes.items() if outcome == "cached"}
    # Sphinx writes the first page and the generated ones (genindex, search)
    # itself; forked writers write all the others, each fork (one per chunk
    # of pages) starting from the cache the main process had, so a page
    # that begins a chunk seeds its group again instead of using it.
    assert main == {"extra", "genindex", "search"}
    assert outcomes["index"][0] == "fallback: root page"
    assert len(cached) >= 3
    assert cached <= {"part1/p2", "part1/p3", "part1/deep/d2", "part2/q2"}
    assert not cached & main


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    future = time.time() + 10  # newer than the last read, whatever the clock
    os.utime(path, (future, future))


def test_incremental_rebuild(tmp_path: Path) -> None:
    """One app, two builds: nothing cached in the first may leak into the second."""
    outputs = {}
    for state in ("on", "off"):
        srcdir = copy_root(tmp_path / state)
        app = make(srcdir, tmp_path / state / "build", conference_nav_cache=state == "on")
        try:
            app.build()
            edit(srcdir / "part1/p3.rst", "Page P3\n=======", "Renamed Page\n============")
            edit(srcdir / "part1/p2.rst", "Body of p2.", "New body of p2.")
            app.build()
        finally:
            app.cleanup()
        outputs[state] = app.outdir
        if state == "on":
            cache = navcache.cache_for(app.builder)
            assert cache is not None
            assert cache.outcomes["part1/p3"] == "cached"
    assert_same_html(outputs["on"], outputs["off"])
    sidebar = (outputs["on"] / "part1/p2.html").read_text(encoding="utf-8")
    assert 'href="p3.html">Renamed Page</a>' in sidebar


def test_verify_mode_passes(tmp_path: Path) -> None:
    app = build(copy_root(tmp_path), tmp_path / "b", conference_nav_cache_verify=True)
    cache = navcache.cache_for(app.builder)
    assert cache is not None
    assert cache.verify
    assert cache.stats["cached"] == 4


def test_verify_mode_fails_on_a_difference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    splice = navcache.NavCache._splice

    def wrong(self: navcache.NavCache, *args: object) -> str:
        return splice(self, *args).replace("</a>", "</a> ", 1)

    monkeypatch.setattr(navcache.NavCache, "_splice", wrong)
    with pytest.raises(ThemeError) as info:  # Sphinx wraps errors raised in templates
        build(copy_root(tmp_path), tmp_path / "b", conference_nav_cache_verify=True)
    cause = info.value.__cause__
    assert isinstance(cause, ExtensionError)
    # pages are written in sorted order: the first spliced one fails
    assert "sidebar of page 'part1/deep/d2' differs" in str(cause)
    assert "at character" in str(cause)


@pytest.mark.parametrize("buildername", ["dirhtml", "singlehtml"])
def test_other_builders_fall_back(tmp_path: Path, buildername: str) -> None:
    assert compare(copy_root(tmp_path), tmp_path, buildername) is None


def test_unverified_sphinx_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Off where not verified (the warning is tested in test_compat.py)."""
    monkeypatch.setattr(compat, "NAV_CACHE", compat.Feature("nav", frozenset(), "slow"))
    assert compare(copy_root(tmp_path), tmp_path) is None


@pytest.mark.slow
def test_generated_plain_site_verify(tmp_path: Path) -> None:
    import generate  # bench/generate.py

    srcdir = tmp_path / "site"
    generate.generate(srcdir, 60, "plain", navcache=True)
    app = build(srcdir, tmp_path / "b", conference_nav_cache_verify=True)
    cache = navcache.cache_for(app.builder)
    assert cache is not None
    assert cache.stats["cached"] >= 50


@pytest.mark.slow
def test_generated_extension_site_verify(tmp_path: Path) -> None:
    import generate  # bench/generate.py

    srcdir = tmp_path / "site"
    generate.generate(srcdir, 60, "extension")
    app = build(srcdir, tmp_path / "b", conference_nav_cache_verify=True)
    cache = navcache.cache_for(app.builder)
    assert cache is not None
    assert cache.stats["cached"] >= 50


@pytest.mark.slow
def test_real_site_verify(tmp_path: Path) -> None:
    app = build(PROJECT, tmp_path / "b", conference_nav_cache_verify=True)
    cache = navcache.cache_for(app.builder)
    assert cache is not None
    assert cache.stats["cached"] > 0
