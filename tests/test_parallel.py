"""``-j 2`` builds equal ``-j 1`` builds, and the extension is parallel-safe.

Under ``-j 2`` Sphinx reads and writes chunks of pages in forked processes, in
an order unrelated to the alphabetical one of a serial build, and merges what
each process collected through ``merge_domaindata``. A schedule page read in
one process sees only the talks of its own chunk; the output must not show it.
The builds use ``roots/test-incremental`` (15 pages, enough for Sphinx to read
and write in parallel at all) and the helpers of ``test_incremental``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.testing.util import SphinxTestApp
from test_incremental import (
    EDITS,
    ROOT,
    MakeApp,
    assert_same_output,
    build,
    clean_build_of,
    snapshot,
)

from conference.domain import ConferenceDomain

# Colours; and what Sphinx puts between progress updates when it thinks its
# output is a terminal (TERM set): a carriage return or an erase-line code, and
# padding, instead of a newline.
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PROGRESS_BREAK = re.compile(r"\s*(?:\r|\x1b\[2K)")


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "src"
    shutil.copytree(ROOT, path)
    return path


def assert_ran_in_parallel(app: SphinxTestApp, *phases: str) -> None:
    """Sphinx shows a chunk of pages handled by one process as ``first .. last``."""
    status = PROGRESS_BREAK.sub("\n", ANSI.sub("", app.status.getvalue()))
    for phase in phases:
        assert re.search(rf"^{phase}\.\.\. \[ *\d+%\] \S+ \.\. \S+$", status, re.MULTILINE), (
            f"no {phase!r} in parallel chunks:\n{status}"
        )


def assert_identical(got: Path, want: Path) -> None:
    """Byte-identical output directories, ``searchindex.js`` included."""
    assert_same_output(got, want)  # shows a diff of the pages that differ
    got_files, want_files = snapshot(got), snapshot(want)
    assert sorted(got_files) == sorted(want_files)
    assert [name for name in got_files if got_files[name] != want_files[name]] == []


def test_parallel_build_equals_serial_build(make_app: MakeApp, tmp_path: Path, src: Path) -> None:
    serial = build(make_app, src, tmp_path / "serial", parallel=1)
    parallel = build(make_app, src, tmp_path / "parallel", parallel=2)

    assert "not safe for parallel" not in parallel.warning.getvalue()
    assert serial.warning.getvalue() == ""
    assert parallel.warning.getvalue() == ""
    assert_ran_in_parallel(parallel, "reading sources", "writing output")
    assert_identical(Path(parallel.outdir), Path(serial.outdir))


@pytest.mark.parametrize("edit_name", ["move-day", "presenter"])
def test_parallel_incremental_build_equals_serial_clean_build(
    make_app: MakeApp, tmp_path: Path, src: Path, edit_name: str
) -> None:
    """Re-reading stale schedule pages works after a parallel read, too."""
    build(make_app, src, tmp_path / "A", parallel=2)
    EDITS[edit_name](src)
    incremental = build(make_app, src, tmp_path / "A", parallel=2)
    assert incremental.warning.getvalue() == ""
    assert_same_output(Path(incremental.outdir), clean_build_of(make_app, src, tmp_path, "B"))


def test_serial_build_writes_from_pickles_not_from_memory(
    make_app: MakeApp, tmp_path: Path, src: Path
) -> None:
    """After reading, the in-memory doctrees are released (as after a parallel read)."""
    app = make_app("html", srcdir=src, builddir=tmp_path / "serial", freshenv=True)
    cached: dict[str, int] = {}
    app.connect("env-updated", lambda app, env: cached.__setitem__(
        "before", len(env._write_doc_doctree_cache)), priority=100)
    app.connect("env-updated", lambda app, env: cached.__setitem__(
        "after", len(env._write_doc_doctree_cache)), priority=990)
    app.build()
    assert cached["before"] > 0
    assert cached["after"] == 0
    assert (Path(app.outdir) / "friday" / "index.html").is_file()


def resolved_in_main(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages the main process resolves from now on (forked writers count apart)."""
    resolved: list[str] = []
    original = BuildEnvironment.get_and_resolve_doctree

    def counting(self: BuildEnvironment, docname: str, *args: Any, **kwargs: Any) -> Any:
        resolved.append(docname)
        return original(self, docname, *args, **kwargs)

    monkeypatch.setattr(BuildEnvironment, "get_and_resolve_doctree", counting)
    return resolved


@pytest.mark.parametrize(
    ("confoverrides", "in_main"),
    [
        ({}, "no page"),
        ({"conference_parallel": False}, "every page"),
        # An extension whose resolve-time work was not read: Sphinx's own writer.
        ({"extensions": ["conference", "sphinx.ext.todo"]}, "every page"),
    ],
)
def test_writers_resolve_their_own_pages(
    make_app: MakeApp, tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch,
    confoverrides: dict[str, Any], in_main: str,
) -> None:
    """Under -j 2 the main process resolves no page, unless the writer is off."""
    serial = build(make_app, src, tmp_path / "serial", parallel=1)
    resolved = resolved_in_main(monkeypatch)
    parallel = build(make_app, src, tmp_path / "parallel", parallel=2,
                     confoverrides=confoverrides)
    pages = sorted(str(path.relative_to(Path(parallel.outdir)).with_suffix(""))
                   for path in Path(parallel.outdir).rglob("*.html")
                   if path.name not in {"genindex.html", "search.html"})
    if in_main == "no page":
        assert resolved == []
    else:
        assert sorted(resolved) == pages
    assert_ran_in_parallel(parallel, "writing output")
    if "extensions" not in confoverrides:
        assert_identical(Path(parallel.outdir), Path(serial.outdir))


def test_warnings_from_the_writers_reach_the_log(
    make_app: MakeApp, tmp_path: Path, src: Path
) -> None:
    """A warning a writer gives while it resolves a page is logged once, located, as in -j 1."""
    page = src / "friday" / "packaging.rst"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee :ref:`no-such-label`.\n",
                    encoding="utf-8")
    serial = build(make_app, src, tmp_path / "serial", parallel=1)
    parallel = build(make_app, src, tmp_path / "parallel", parallel=2)
    assert_ran_in_parallel(parallel, "writing output")
    warnings = [ANSI.sub("", line) for line in parallel.warning.getvalue().splitlines()]
    assert len(warnings) == 1
    assert "packaging.rst:" in warnings[0]
    assert "undefined label: 'no-such-label'" in warnings[0]
    assert warnings == [ANSI.sub("", line)
                        for line in serial.warning.getvalue().splitlines()]


def test_every_page_is_read_once(
    make_app: MakeApp, tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under -j 2 no schedule page is read twice: the root's overview waits for every reader.

    Readers are forked, so each read is appended to a file, whichever
    process makes it.
    """
    log = tmp_path / "reads.txt"
    original = Builder.read_doc

    def logged(self: Builder, docname: str, *args: Any, **kwargs: Any) -> None:
        with log.open("a", encoding="utf-8") as stream:
            stream.write(docname + "\n")
        original(self, docname, *args, **kwargs)

    monkeypatch.setattr(Builder, "read_doc", logged)
    parallel = build(make_app, src, tmp_path / "parallel", parallel=2)
    assert_ran_in_parallel(parallel, "reading sources")
    reads = log.read_text(encoding="utf-8").split()
    assert sorted(reads) == sorted(parallel.env.found_docs)
    views = {docname for docname, _views in ConferenceDomain.of(parallel.env).all_views()}
    assert "index" in views
    assert len(views) > 2
    # Read in the main process, after every page a reader read.
    assert set(reads[-len(views):]) == views
