"""The cycle collector skips what a build keeps, and a build leaves nothing frozen.

``conference.collector`` freezes the environment while pages are read and
written, and ``conference.doctrees`` drops each read doctree once the next
page is read. These tests build ``roots/test-incremental`` in this process and
look at the collector from inside the build: what is frozen, when, and that
the process gets everything back at the end. ``collector.EVERY`` is lowered so
that the periodic freezes happen on a 15-page site, and the output must not
change for it.
"""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.testing.util import SphinxTestApp
from test_incremental import ROOT, MakeApp, build, snapshot

from conference import collector


def is_frozen(obj: object) -> bool:
    """``gc.get_objects()`` lists the objects of the three generations, not the frozen ones."""
    return gc.is_tracked(obj) and not any(tracked is obj for tracked in gc.get_objects())


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "src"
    shutil.copytree(ROOT, path)
    return path


def build_watched(make_app: MakeApp, tmp_path: Path, src: Path,
                  handlers: dict[str, Callable[..., None]]) -> SphinxTestApp:
    """A fresh html build of ``src`` with ``handlers`` (event: handler, run last)."""
    app = make_app("html", srcdir=src, builddir=tmp_path / "b", freshenv=True)
    for event, handler in handlers.items():
        app.connect(event, handler, priority=900)
    try:
        app.build()
    finally:
        app.cleanup()
    return app


def test_the_environment_is_frozen_while_pages_are_written(
    make_app: MakeApp, tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector, "EVERY", 2)
    seen: dict[str, Any] = {"written": []}

    def page_context(app: Sphinx, pagename: str, *args: Any) -> None:
        seen["written"].append((pagename, is_frozen(app.env)))

    app = build_watched(make_app, tmp_path, src, {
        "html-page-context": page_context,
        "doctree-read": lambda app, doctree: seen.setdefault(
            "first read frozen", is_frozen(app.env)),
    })

    assert app.statuscode == 0
    assert app.warning.getvalue() == ""
    assert len(seen["written"]) > 10
    assert [page for page, frozen in seen["written"] if not frozen] == []
    # Frozen when reading starts, before the first page.
    assert seen["first read frozen"] is True
    assert gc.get_freeze_count() == 0


def test_a_small_site_leaves_the_collector_alone(
    make_app: MakeApp, tmp_path: Path, src: Path
) -> None:
    """Under :data:`collector.EVERY` pages nothing is frozen: a collection would cost more."""
    frozen: list[int] = []
    app = build_watched(make_app, tmp_path, src, {
        "html-page-context": lambda *args: frozen.append(gc.get_freeze_count())})
    assert app.statuscode == 0
    assert len(app.env.found_docs) < collector.EVERY
    assert frozen
    assert set(frozen) == {0}


def test_freezing_every_few_pages_changes_no_output(
    make_app: MakeApp, tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usual = snapshot(Path(build(make_app, src, tmp_path / "usual", freshenv=True).outdir))
    monkeypatch.setattr(collector, "EVERY", 1)
    often = snapshot(Path(build(make_app, src, tmp_path / "often", freshenv=True).outdir))
    assert sorted(often) == sorted(usual)
    assert [name for name in often if often[name] != usual[name]] == []


def test_a_build_that_fails_while_writing_leaves_nothing_frozen(
    make_app: MakeApp, tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``build-finished`` comes with the exception too, and unfreezes."""
    monkeypatch.setattr(collector, "EVERY", 2)
    frozen: list[int] = []

    def fail(app: Sphinx, pagename: str, *args: Any) -> None:
        frozen.append(gc.get_freeze_count())
        raise RuntimeError(pagename)

    with pytest.raises(ExtensionError):
        build_watched(make_app, tmp_path, src, {"html-page-context": fail})
    assert frozen
    assert frozen[0] > 0
    assert gc.get_freeze_count() == 0


def test_each_read_doctree_is_released_when_the_next_page_is_read(
    make_app: MakeApp, tmp_path: Path, src: Path
) -> None:
    """Sphinx keeps every read doctree for writing; here only the page being read is held."""
    held: list[int] = []
    app = build_watched(make_app, tmp_path, src, {
        "doctree-read": lambda app, doctree: held.append(len(app.env._write_doc_doctree_cache))})
    assert app.statuscode == 0
    assert len(held) >= 15
    assert set(held) == {0}
    assert (Path(app.outdir) / "friday" / "index.html").is_file()


EXITING_BUILD = """
import atexit, gc, sys
from conference import collector
collector.EVERY = int(sys.argv[1])
# Registered before the build's handler, so it runs after it.
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, flush=True))
from sphinx.cmd.build import main
code = main(["-b", "html", "-q", sys.argv[2], sys.argv[3]])
print("frozen after the build:", gc.get_freeze_count() > 0, flush=True)
sys.exit(code)
"""


@pytest.mark.parametrize(("every", "frozen"), [(2, True), (1000, False)])
def test_a_process_that_ran_a_large_build_exits_without_a_last_collection(
    tmp_path: Path, src: Path, every: int, frozen: bool
) -> None:
    """The interpreter's last full collection would walk all a large build left."""
    done = subprocess.run(
        [sys.executable, "-c", EXITING_BUILD, str(every), str(src), str(tmp_path / "out")],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "frozen after the build: False",
        f"frozen at exit: {frozen}",
    ]
    assert (tmp_path / "out" / "friday" / "index.html").is_file()
