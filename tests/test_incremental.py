"""Incremental builds equal clean builds, and cost what plain Sphinx costs.

Each test copies ``roots/test-incremental`` (a four-day conference, one day
without talks) into ``tmp_path``, builds it, edits the sources the way a note
taker does, and builds again in the same output and doctree directories, as
``sphinx-build`` run twice would. A clean build of a copy of the edited sources
is the reference: the two output directories must hold the same files, and
every file, ``.buildinfo``, ``_static``, ``objects.inv``, ``searchindex.js``
and the schedule exports (once written) included, must be byte-identical.
(Plain Sphinx gets ``searchindex.js`` wrong after any incremental build;
``conference.searchindex`` repairs it: see the ``test_search_index_*`` tests.)

The clean build runs in another source directory on purpose: equal output
also shows that no output embeds the absolute source path.

Which pages a build wrote is read from the output files' mtimes: the HTML
builder writes a page's file whenever it writes the page, and only then.
"""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import editgrammar
import pytest
import sphinx
from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.errors import SphinxError
from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).resolve().parent / "roots" / "test-incremental"

#: Pages that the HTML builder writes in every build, whatever changed.
ALWAYS_WRITTEN = frozenset({"genindex.html", "search.html"})

MakeApp = Callable[..., SphinxTestApp]


# -- building and comparing ------------------------------------------------------


def build(make_app: MakeApp, srcdir: Path, builddir: Path, buildername: str = "html",
          **kwargs: object) -> SphinxTestApp:
    """One ``sphinx-build`` run: outdir ``builddir/<builder>``, doctrees ``builddir/doctrees``."""
    app = make_app(buildername, srcdir=srcdir, builddir=builddir, **kwargs)
    try:
        app.build()
    finally:
        # Unregister docutils' global directives and nodes, as the next run
        # of sphinx-build, a new process, would start without them.
        app.cleanup()
    return app


def snapshot(outdir: Path) -> dict[str, bytes]:
    """Every file under ``outdir``, by relative POSIX path."""
    return {
        path.relative_to(outdir).as_posix(): path.read_bytes()
        for path in sorted(outdir.rglob("*"))
        if path.is_file()
    }


def mtimes(outdir: Path) -> dict[str, int]:
    """The mtime (ns) of every file under ``outdir``."""
    return {
        path.relative_to(outdir).as_posix(): path.stat().st_mtime_ns
        for path in outdir.rglob("*")
        if path.is_file()
    }


def rewritten(before: dict[str, int], outdir: Path) -> set[str]:
    """The files under ``outdir`` written (or created) since ``before`` was taken."""
    return {name for name, mtime in mtimes(outdir).items() if before.get(name) != mtime}


def pages(names: set[str] | dict[str, object]) -> set[str]:
    """The document pages among ``names``: HTML files except the always-written ones."""
    return {name for name in names if name.endswith(".html") and name not in ALWAYS_WRITTEN}


def assert_same_output(incremental: Path, clean: Path) -> None:
    """Same set of files, same bytes; on failure, say which and show a diff.

    Every file counts, ``.buildinfo.bak`` too, and an ``.epub`` as a whole
    (this module's :func:`snapshot`, not ``editgrammar.snapshot``); the
    comparison itself is ``make fuzz``'s.
    """
    problems = editgrammar.compare(snapshot(incremental), snapshot(clean))
    assert not problems, "\n\n".join(problems)


def clean_build_of(make_app: MakeApp, srcdir: Path, tmp_path: Path, name: str,
                   buildername: str = "html") -> Path:
    """Copy ``srcdir`` to ``tmp_path/<name>`` and build it from scratch; the outdir."""
    copy = tmp_path / name
    shutil.copytree(srcdir, copy)
    app = build(make_app, copy, tmp_path / f"{name}-build", buildername, freshenv=True)
    return Path(app.outdir)


# -- edits -------------------------------------------------------------------------


def touch_now(path: Path) -> None:
    """Give ``path`` an mtime later than any read time Sphinx recorded before it.

    File systems stamp writes with a coarse clock; Sphinx records read times
    with a fine one. Setting the mtime from the fine clock makes the edit
    visible however quickly it follows the previous build.
    """
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    touch_now(path)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    write(path, text.replace(old, new))


def move(src: Path, old: str, new: str) -> None:
    assert (src / old).is_file(), f"{old} does not exist"
    assert not (src / new).exists(), f"{new} exists already"
    (src / new).parent.mkdir(parents=True, exist_ok=True)
    (src / old).rename(src / new)


def talk_page(title: str, *options: str, notes: str = "Notes.") -> str:
    underline = "=" * len(title)
    fields = "".join(f"   {option}\n" for option in options)
    return (f"{title}\n{underline}\n\n.. talk::\n{fields}\n   An abstract.\n\n"
            f"Notes\n-----\n\n{notes}\n")


def edit_notes(src: Path) -> None:
    replace(src / "friday/packaging.rst", "Notes taken during Packaging Today.",
            "Notes taken during Packaging Today.\n\nWheels are the future.")


def edit_time(src: Path) -> None:
    """Testing Everything moves from the third slot of Friday to the first."""
    replace(src / "friday/testing.rst", ":time: 11:00-11:30", ":time: 08:30-08:55")


def edit_time_keeping_order(src: Path) -> None:
    """Packaging Today starts five minutes later and stays Friday's second talk."""
    replace(src / "friday/packaging.rst", ":time: 10:00-10:30", ":time: 10:05-10:35")


def add_talk(src: Path) -> None:
    write(src / "friday/profiling.rst",
          talk_page("Profiling Python", ":presenter: Donald Knuth", ":track: Core",
                    ":time: 09:30-10:00"))


def delete_talk(src: Path) -> None:
    (src / "thursday/web-scale.rst").unlink()


def rename_talk(src: Path) -> None:
    move(src, "friday/async-io.rst", "friday/asyncio-in-depth.rst")


def move_talk(src: Path) -> None:
    """The untimed Hallway Track moves from Thursday to Friday (before Lightning Talks)."""
    move(src, "thursday/hallway-track.rst", "friday/hallway-track.rst")


def change_presenter(src: Path) -> None:
    replace(src / "friday/packaging.rst", ":presenter: Barbara Liskov",
            ":presenter: Margaret Hamilton (MIT)")


def add_talk_on_empty_day(src: Path) -> None:
    write(src / "sunday/sprints.rst",
          talk_page("Sprints Kick-off", ":presenter: Ada Lovelace", ":kind: sprint",
                    ":time: 09:00-09:30"))


def remove_only_talk_of_day(src: Path) -> None:
    (src / "saturday/closing.rst").unlink()


def change_title(src: Path) -> None:
    """The keynote keeps its id (``:name:``); ``:talk:`keynote``` shows the new title."""
    replace(src / "thursday/opening-keynote.rst",
            "Opening Keynote\n===============", "Welcome Keynote\n===============")


def share_title(src: Path) -> None:
    """A Friday talk takes Saturday's "Closing Remarks" title: both ids get their day.

    The Saturday page's source is untouched, but its calendar link names its id,
    which another page changed (found by ``make fuzz``, seed 3063).
    """
    replace(src / "friday/testing.rst",
            "Testing Everything\n==================", "Closing Remarks\n===============")


EDITS: dict[str, Callable[[Path], None]] = {
    "notes": edit_notes,
    "time": edit_time,
    "time-same-order": edit_time_keeping_order,
    "add": add_talk,
    "delete": delete_talk,
    "rename": rename_talk,
    "move-day": move_talk,
    "presenter": change_presenter,
    "add-on-empty-day": add_talk_on_empty_day,
    "remove-only-talk-of-day": remove_only_talk_of_day,
    "title": change_title,
    "share-title": share_title,
}


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """A fresh copy of the test root."""
    path = tmp_path / "src"
    shutil.copytree(ROOT, path)
    return path


# -- incremental == clean ------------------------------------------------------------


def no_warnings(app: SphinxTestApp) -> None:
    assert app.warning.getvalue() == "", app.warning.getvalue()


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_incremental_build_equals_clean_build(
    make_app: MakeApp, tmp_path: Path, src: Path, edit: Callable[[Path], None]
) -> None:
    first = build(make_app, src, tmp_path / "A")
    no_warnings(first)
    before = snapshot(Path(first.outdir))

    edit(src)
    second = build(make_app, src, tmp_path / "A")
    no_warnings(second)
    # The edit shows: a test of an edit that changes nothing could not fail.
    assert snapshot(Path(second.outdir)) != before

    assert_same_output(Path(second.outdir), clean_build_of(make_app, src, tmp_path, "B"))


def test_every_edit_in_sequence_equals_clean_build(
    make_app: MakeApp, tmp_path: Path, src: Path
) -> None:
    build(make_app, src, tmp_path / "A")
    for step, edit in enumerate(EDITS.values()):
        edit(src)
        app = build(make_app, src, tmp_path / "A")
        no_warnings(app)
        assert_same_output(Path(app.outdir),
                           clean_build_of(make_app, src, tmp_path, f"B{step}"))


SWITCH_EDITS = ("notes", "time", "delete", "presenter", "title")


@pytest.mark.parametrize("edit", [EDITS[name] for name in SWITCH_EDITS], ids=SWITCH_EDITS)
def test_switching_builders_on_shared_doctrees(
    make_app: MakeApp, tmp_path: Path, src: Path, edit: Callable[[Path], None]
) -> None:
    """html, edit, text, html (one doctree directory, as Read the Docs does) == clean."""
    build(make_app, src, tmp_path / "A")
    edit(src)
    text = build(make_app, src, tmp_path / "A", "text")
    html = build(make_app, src, tmp_path / "A")
    no_warnings(text)
    no_warnings(html)
    assert_same_output(Path(html.outdir), clean_build_of(make_app, src, tmp_path, "B"))
    assert_same_output(Path(text.outdir), clean_build_of(make_app, src, tmp_path, "C", "text"))


# -- minimal work ------------------------------------------------------------------------


def test_clean_build_reads_every_page_once(
    make_app: MakeApp, tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day pages and the overview are read after the talks, so never twice."""
    read: list[str] = []
    original = Builder.read_doc

    def counting(self: Builder, docname: str, *args: Any, **kwargs: Any) -> None:
        read.append(docname)
        original(self, docname, *args, **kwargs)

    monkeypatch.setattr(Builder, "read_doc", counting)
    app = build(make_app, src, tmp_path / "A")
    assert sorted(read) == sorted(app.env.found_docs)
    views = {"index", "presenters", "tracks", *(f"{day}/index" for day in
                                                 ("thursday", "friday", "saturday", "sunday"))}
    assert max(read.index(doc) for doc in read if doc not in views) < min(
        read.index(doc) for doc in views)


def test_notes_edit_rewrites_only_the_talk_and_its_day(
    make_app: MakeApp, tmp_path: Path, src: Path
) -> None:
    outdir = Path(build(make_app, src, tmp_path / "A").outdir)
    before = mtimes(outdir)
    edit_notes(src)
    build(make_app, src, tmp_path / "A")
    expected = {"friday/packaging.html", "friday/index.html"}
    if sphinx.version_info < (8, 2):
        expected.add("index.html")  # Sphinx 8.1 writes the root page in every build
    assert pages(rewritten(before, outdir)) == expected


@pytest.mark.parametrize("edit", [change_presenter, edit_time_keeping_order],
                         ids=["presenter", "time-same-order"])
def test_metadata_edit_rewrites_the_pages_showing_it_not_all(
    make_app: MakeApp, tmp_path: Path, src: Path, edit: Callable[[Path], None]
) -> None:
    outdir = Path(build(make_app, src, tmp_path / "A").outdir)
    old_bytes, before = snapshot(outdir), mtimes(outdir)
    edit(src)
    build(make_app, src, tmp_path / "A")
    written = pages(rewritten(before, outdir))
    changed = pages({name for name, data in snapshot(outdir).items() if old_bytes[name] != data})
    # Every page that shows the edit is rewritten; the pages that do not show it are not.
    assert changed == written
    assert "friday/packaging.html" in written
    assert written < pages(before)


def test_reordering_a_day_rewrites_that_day_not_the_others(
    make_app: MakeApp, tmp_path: Path, src: Path
) -> None:
    """Friday's sidebars and prev/next links show the new order; other days' do not.

    With the theme's ``collapse_navigation``, a Thursday page's sidebar shows
    Friday as one line, so no page of another day is written again: exactly
    the pages whose bytes change are, and the result is a clean build's.
    """
    outdir = Path(build(make_app, src, tmp_path / "A").outdir)
    old_bytes, before = snapshot(outdir), mtimes(outdir)
    edit_time(src)
    build(make_app, src, tmp_path / "A")
    written = pages(rewritten(before, outdir))
    changed = pages({name for name, data in snapshot(outdir).items()
                     if old_bytes.get(name) != data})
    # Plain Sphinx would write the talk and its day page only.
    assert {"friday/async-io.html", "friday/packaging.html", "friday/lightning.html"} <= changed
    assert written == changed
    assert not {name for name in written if name.startswith(("thursday/", "saturday/"))}
    assert_same_output(outdir, clean_build_of(make_app, src, tmp_path, "clean"))


@pytest.mark.parametrize(
    ("parallel", "stop"),
    [(1, RuntimeError), (2, RuntimeError), (1, KeyboardInterrupt)],
)
def test_pages_a_stopped_build_did_not_write_are_written_by_the_next(
    make_app: MakeApp, tmp_path: Path, src: Path, parallel: int, stop: type[BaseException]
) -> None:
    """A build stopped while writing has already pickled what it meant to write.

    Sphinx pickles the environment, with the record of each page's inputs,
    before it writes a page. After an error it deletes that pickle, so the
    next build is a fresh one; after an interrupt (Ctrl-C, or a killed
    process) the pickle stays, and the reordered Friday pages the build never
    wrote must still be written by the next one, whose output is a clean
    build's.
    """
    build(make_app, src, tmp_path / "A", parallel=parallel)
    edit_time(src)
    app = make_app("html", srcdir=src, builddir=tmp_path / "A", parallel=parallel)

    def fail(app: SphinxTestApp, pagename: str, *args: object) -> None:
        if pagename == "friday/lightning":
            raise stop("the disk is full")

    app.connect("html-page-context", fail)
    try:
        with pytest.raises((stop, SphinxError), match="the disk is full"):
            app.build()
    finally:
        app.cleanup()
    again = build(make_app, src, tmp_path / "A", parallel=parallel)
    assert again.warning.getvalue() == ""
    assert_same_output(Path(again.outdir), clean_build_of(make_app, src, tmp_path, "clean"))
    # Once a build has written them, the next has nothing left over to write.
    before = mtimes(Path(again.outdir))
    build(make_app, src, tmp_path / "A", parallel=parallel)
    assert pages(rewritten(before, Path(again.outdir))) == set()


def test_pages_rewritten_for_their_sidebar_only_are_not_indexed_again(
    make_app: MakeApp, tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their search data is kept from the old index (``searchindex.keep_same_bodies``).

    Friday's order changes: the moved talk and the pages that list talks,
    read again, are indexed again; the other Friday pages, written again for
    their sidebar and prev/next links, are not. The index is a clean build's.
    """
    outdir = Path(build(make_app, src, tmp_path / "A").outdir)
    before = mtimes(outdir)
    indexed: list[str] = []
    original = StandaloneHTMLBuilder.index_page

    def counting(self: StandaloneHTMLBuilder, pagename: str, *args: Any) -> None:
        indexed.append(pagename)
        original(self, pagename, *args)

    monkeypatch.setattr(StandaloneHTMLBuilder, "index_page", counting)
    edit_time(src)
    build(make_app, src, tmp_path / "A")
    written = {name.removesuffix(".html") for name in pages(rewritten(before, outdir))}
    sidebar_only = {"friday/async-io", "friday/lightning", "friday/packaging"}
    assert sidebar_only <= written
    assert set(indexed) == written - sidebar_only
    assert {"friday/testing", "friday/index"} <= set(indexed)
    assert_same_output(outdir, clean_build_of(make_app, src, tmp_path, "clean"))


#: What plain Sphinx's HTML builder writes in every build, even when nothing changed.
WRITTEN_BY_EVERY_BUILD = frozenset({
    *ALWAYS_WRITTEN, "searchindex.js", "objects.inv", ".buildinfo",
})


def test_no_op_rebuild_writes_nothing(make_app: MakeApp, tmp_path: Path, src: Path) -> None:
    """No page, copied source or export: only what plain Sphinx writes every time.

    And the search index it rewrites is the same (plain Sphinx would drop every
    index entry, as no page was indexed again).
    """
    outdir = Path(build(make_app, src, tmp_path / "A").outdir)
    before = mtimes(outdir)
    index_before = (outdir / "searchindex.js").read_bytes()
    app = build(make_app, src, tmp_path / "A")
    assert "0 added, 0 changed, 0 removed" in app.status.getvalue()
    assert editgrammar.search_index(index_before)["indexentries"]
    assert (outdir / "searchindex.js").read_bytes() == index_before
    written = rewritten(before, outdir)
    assert pages(before)
    assert {
        name for name in written
        if name not in WRITTEN_BY_EVERY_BUILD and not name.startswith("_static/")
    } == set()


# -- the search index, with and without conference.searchindex -------------------------


def build_bare_project(make_app: MakeApp, tmp_path: Path,
                       extensions: list[str]) -> tuple[Path, Path]:
    """A three-page project with only ``extensions``, built, edited and built again.

    ``two`` changes its title (``open`` becomes ``close``); ``one``, which
    sorts before it, is kept. Both have an index entry ``shared`` (``one``'s
    a main one); ``one`` also has ``beta`` and ``Beta``, which Sphinx lists
    under ``beta`` in an order that only the original case decides.

    Returns the incremental outdir and a clean build's outdir.
    """
    src = tmp_path / "bare"
    write(src / "conf.py", f'project = "Bare"\nextensions = {extensions!r}\n')
    write(src / "index.rst", "Bare\n====\n\n.. toctree::\n\n   one\n   two\n")
    write(src / "one.rst",
          "One\n===\n\n.. index:: beta\n\n.. index::\n   !shared\n   Beta\n\nText.\n")
    write(src / "two.rst", "Opening two\n===========\n\n.. index:: shared\n\nText.\n")
    outdir = Path(build(make_app, src, tmp_path / "A").outdir)
    before = mtimes(outdir)
    replace(src / "two.rst", "Opening two", "Closing two")
    build(make_app, src, tmp_path / "A")
    # one.html is kept: whatever the index has of it comes from the old index.
    assert pages(rewritten(before, outdir)) == {"index.html", "two.html"}
    return outdir, clean_build_of(make_app, src, tmp_path, "B")


def test_search_index_of_plain_sphinx_differs_after_incremental_build(
    make_app: MakeApp, tmp_path: Path
) -> None:
    """Why ``conference.searchindex`` exists: plain Sphinx 9.0 gets two things wrong.

    If this fails because the bytes are equal, Sphinx fixed its search index,
    and ``conference.searchindex`` can go (its version gate keeps it off on
    any Sphinx but 9.0 anyway).
    """
    outdir, clean = build_bare_project(make_app, tmp_path, [])
    got_bytes, want_bytes = ((path / "searchindex.js").read_bytes() for path in (outdir, clean))
    assert got_bytes != want_bytes
    got, want = editgrammar.search_index(got_bytes), editgrammar.search_index(want_bytes)
    # sphinx-doc/sphinx#12599: one.html was not rewritten, its entries are lost.
    assert set(want["indexentries"]) == {"beta", "shared"}
    assert len(want["indexentries"]["shared"]) == 2
    assert got["indexentries"] == {"shared": [[want["docnames"].index("two"), "index-0", False]]}
    # A title word no page has any more stays, with no page.
    assert got["titleterms"]["open"] == []
    assert "open" not in want["titleterms"]
    # And that is all. (The pages are not compared: plain Sphinx leaves
    # one.html's "next" link with the old title, sphinx-doc/sphinx#5506.)
    got["indexentries"] = want["indexentries"]
    for name in ("terms", "titleterms"):
        got[name] = {term: docs for term, docs in got[name].items() if docs != []}
    assert got == want


def test_search_index_repaired_by_conference_searchindex(
    make_app: MakeApp, tmp_path: Path
) -> None:
    """The same project with ``conference.searchindex`` alone: the bytes are a clean build's."""
    outdir, clean = build_bare_project(make_app, tmp_path, ["conference.searchindex"])
    got = (outdir / "searchindex.js").read_bytes()
    assert got == (clean / "searchindex.js").read_bytes()
    # And the project tests what plain Sphinx loses (see the test above): one's
    # entries come first, as one sorts first, with their "main" flag; and "Beta"
    # (index-1) comes before "beta" (index-0), as Sphinx sorts a page's entries.
    index = editgrammar.search_index(got)
    one, two = (index["docnames"].index(name) for name in ("one", "two"))
    assert index["indexentries"]["shared"] == [[one, "index-1", True], [two, "index-0", False]]
    assert index["indexentries"]["beta"] == [[one, "index-1", False], [one, "index-0", False]]


# -- inputs from other pages: the dependency model ---------------------------------------
#
# Each case prepares the sources (before the first build) and then makes one
# edit whose effect reaches pages other than the edited one through a
# reference, the navigation or the theme. Plain Sphinx (and a hand-kept
# digest of "what matters") leaves those pages stale.


def append(path: Path, text: str) -> None:
    write(path, path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n")


def nothing(src: Path) -> None:
    """No preparation: the test root as it is."""


def refer_to_presenter(src: Path) -> None:
    """On a page that lists no talks, so only the reference can make it change."""
    append(src / "thursday/web-scale.rst", "Ask :presenter:`Barbara Liskov`.")


def refer_to_keynote(src: Path) -> None:
    append(src / "tracks.rst", "Start with :ref:`keynote` (also :talk:`keynote`).")


def refer_to_packaging(src: Path) -> None:
    append(src / "index.rst", "Read :doc:`/friday/packaging` first.")


def retitle_packaging(src: Path) -> None:
    replace(src / "friday/packaging.rst", "Packaging Today\n===============",
            "Packaging Tomorrow\n==================")


def move_presenters_index(src: Path) -> None:
    """The ``presenters`` index moves from presenters.rst to tracks.rst."""
    write(src / "presenters.rst", "Presenters\n==========\n\nSee the tracks page.\n")
    append(src / "tracks.rst", ".. presenters::")


def caption_root_toctree(src: Path) -> None:
    replace(src / "index.rst", "   :hidden:\n", "   :hidden:\n   :caption: More pages\n")


def title_root_entry(src: Path) -> None:
    replace(src / "index.rst", "   presenters\n", "   People <presenters>\n")


def add_day_section(src: Path) -> None:
    append(src / "friday/index.rst", "Evening\n-------\n\nThe evening events.")


def rename_day_section(src: Path) -> None:
    replace(src / "friday/index.rst", "Evening\n-------", "Night\n-----")


def add_talk_section(src: Path) -> None:
    append(src / "friday/packaging.rst", "Questions\n---------\n\nFrom the audience.")


def theme_option(value: str) -> Callable[[Path], None]:
    def prepare(src: Path) -> None:
        append(src / "conf.py", f"html_theme_options = {{'collapse_navigation': {value}}}")
    return prepare


def refer_to_labelled_section(src: Path) -> None:
    """From a Thursday talk to a Friday one: neither is in the other's navigation."""
    append(src / "friday/async-io.rst", ".. _evening:\n\nEvening\n-------\n\nThe evening.")
    append(src / "thursday/web-scale.rst", "Then :ref:`evening`.")


def rename_labelled_section(src: Path) -> None:
    replace(src / "friday/async-io.rst", "Evening\n-------", "Night\n-----")


def refer_to_figure(src: Path) -> None:
    append(src / "conf.py", "numfig = True")
    write(src / "friday/chart.svg",
          '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n')
    append(src / "friday/packaging.rst",
           ".. _wheel-chart:\n\n.. figure:: chart.svg\n\n   Wheels over time")
    append(src / "thursday/web-scale.rst", "See :numref:`{name} <wheel-chart>`.")


def recaption_figure(src: Path) -> None:
    replace(src / "friday/packaging.rst", "   Wheels over time", "   Eggs over time")


def refer_to_keynote_with_any(src: Path) -> None:
    append(src / "thursday/web-scale.rst", "Before that, :any:`keynote`.")


def chart(src: Path, page: str) -> None:
    """An image ``chart.svg`` beside ``page``, shown on it: same file name in every folder."""
    folder = (src / page).parent
    write(folder / "chart.svg",
          f'<svg xmlns="http://www.w3.org/2000/svg" width="{len(page)}" height="10"/>\n')
    append(src / page, ".. image:: chart.svg")


def thursday_chart(src: Path) -> None:
    chart(src, "thursday/web-scale.rst")


def friday_chart(src: Path) -> None:
    """Read after Thursday's here, before it in a clean build: the names must not swap."""
    chart(src, "friday/packaging.rst")


DEPENDENCY_CASES: dict[str, tuple[Callable[[Path], None], Callable[[Path], None]]] = {
    # references whose target changed on another page
    "presenter-link-goes": (refer_to_presenter, change_presenter),
    "ref-and-talk-text-follow-title": (refer_to_keynote, change_title),
    "doc-text-follows-title": (refer_to_packaging, retitle_packaging),
    "presenters-index-moves": (nothing, move_presenters_index),
    "ref-to-label-follows-section-title": (refer_to_labelled_section, rename_labelled_section),
    "numref-follows-figure-caption": (refer_to_figure, recaption_figure),
    "any-follows-title": (refer_to_keynote_with_any, change_title),
    # navigation inputs
    "root-toctree-caption": (nothing, caption_root_toctree),
    "root-toctree-entry-title": (nothing, title_root_entry),
    "day-section-added": (nothing, add_day_section),
    "day-section-renamed": (add_day_section, rename_day_section),
    # image names in _images/ (two images called chart.svg)
    "image-names-as-in-clean-build": (thursday_chart, friday_chart),
    # theme options read with tobool: 0 and "False" are false
    "collapse-navigation-0": (theme_option("0"), add_talk_section),
    "collapse-navigation-str": (theme_option("'False'"), add_talk_section),
}

#: (case, builder, parallel): every case with html; the navigation and
#: reference cases with the other HTML-family builders; some with -j 2.
DEPENDENCY_RUNS = [
    *((case, "html", 0) for case in DEPENDENCY_CASES),
    *((case, builder, 0)
      for case in ("ref-and-talk-text-follow-title", "presenters-index-moves",
                   "root-toctree-entry-title", "day-section-added")
      for builder in ("dirhtml", "singlehtml")),
    # ePub has no sidebar (a hidden toctree's entry title shows nowhere in it).
    *((case, "epub", 0)
      for case in ("ref-and-talk-text-follow-title", "presenters-index-moves",
                   "doc-text-follows-title", "day-section-added",
                   "image-names-as-in-clean-build")),
    *((case, "html", 2)
      for case in ("presenter-link-goes", "root-toctree-caption", "day-section-renamed",
                   "image-names-as-in-clean-build")),
]


@pytest.mark.parametrize(("case", "buildername", "parallel"), DEPENDENCY_RUNS,
                         ids=[f"{case}-{builder}-j{parallel or 1}"
                              for case, builder, parallel in DEPENDENCY_RUNS])
def test_pages_follow_inputs_from_other_pages(
    make_app: MakeApp, tmp_path: Path, src: Path, case: str, buildername: str, parallel: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Incremental == clean, every file (an .epub by its members), after each case's edit."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", editgrammar.SOURCE_DATE_EPOCH)  # ePub's date
    prepare, edit = DEPENDENCY_CASES[case]
    prepare(src)
    first = build(make_app, src, tmp_path / "A", buildername, parallel=parallel)
    before = editgrammar.snapshot(Path(first.outdir))
    edit(src)
    second = build(make_app, src, tmp_path / "A", buildername, parallel=parallel)
    after = editgrammar.snapshot(Path(second.outdir))
    assert after != before
    clean = clean_build_of(make_app, src, tmp_path, "B", buildername)
    problems = editgrammar.differences(Path(second.outdir), clean)
    assert not problems, "\n\n".join(problems)
    if buildername != "singlehtml":
        # More than the edited page changed: plain Sphinx would leave those stale.
        edited = {name for name in after if name.startswith(("friday/packaging", "index."))}
        assert {name for name in after if after[name] != before.get(name)} - edited


def add_assets_to_web_scale(src: Path) -> None:
    write(src / "thursday/diagram.svg",
          '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n')
    write(src / "thursday/slides.txt", "The slides.\n")
    append(src / "thursday/web-scale.rst",
           ".. image:: diagram.svg\n\nGet :download:`the slides <slides.txt>`.")


@pytest.mark.parametrize("buildername", ["html", "dirhtml", "epub"])
def test_deleted_talk_leaves_nothing_behind(
    make_app: MakeApp, tmp_path: Path, src: Path, buildername: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its page, its image and download (still in the sources, used by no page), its book entry."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", editgrammar.SOURCE_DATE_EPOCH)  # ePub's date
    add_assets_to_web_scale(src)
    first = build(make_app, src, tmp_path / "A", buildername)
    outdir = Path(first.outdir)
    assert list(outdir.glob("_images/diagram*.svg"))
    if buildername != "epub":
        assert list(outdir.glob("_downloads/*/slides.txt"))
    delete_talk(src)
    build(make_app, src, tmp_path / "A", buildername)
    problems = editgrammar.differences(outdir, clean_build_of(make_app, src, tmp_path, "B",
                                                              buildername))
    assert not problems, "\n\n".join(problems)
    assert not list(outdir.glob("_images/diagram*")), "the deleted talk's image stayed"
    assert not list(outdir.glob("_downloads/*")), "the deleted talk's download stayed"
    if buildername == "epub":
        assert not (outdir / "thursday/web-scale.xhtml").exists()
        assert "web-scale" not in (outdir / "content.opf").read_text(encoding="utf-8")
        (book,) = outdir.glob("*.epub")
        with zipfile.ZipFile(book) as archive:
            assert not [name for name in archive.namelist() if "web-scale" in name]


def test_text_build_between_html_builds_keeps_each_builders_quotes(
    make_app: MakeApp, tmp_path: Path, src: Path
) -> None:
    """text reads with smart quotes off; html must not write those pickles, nor text html's."""
    replace(src / "friday/index.rst", "Talks from Friday.", "Friday's talks, \"live\".")
    build(make_app, src, tmp_path / "A")
    edit_time(src)  # friday/index is re-read by the text build: its schedule changed
    text = build(make_app, src, tmp_path / "A", "text")
    html = build(make_app, src, tmp_path / "A")
    assert "Friday’s talks" in (Path(html.outdir) / "friday/index.html").read_text("utf-8")
    assert "Friday's talks" in (Path(text.outdir) / "friday/index.txt").read_text("utf-8")
    for app, builder, name in ((html, "html", "B"), (text, "text", "C")):
        clean = clean_build_of(make_app, src, tmp_path, name, builder)
        problems = editgrammar.differences(Path(app.outdir), clean)
        assert not problems, "\n\n".join(problems)
