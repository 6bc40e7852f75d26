"""Markdown (MyST) talk pages on the same terms as reStructuredText ones (issue 16).

``roots/test-myst`` is a mixed site: some talks and the Friday index are
``.md``, the rest ``.rst``. ``roots/test-myst-rst`` holds the same talks, all
in reStructuredText, written line for line so that warnings point at the same
lines. Everything the two build must be the same: pages, sidebars, prev/next,
schedules, presenters and tracks, exports, chapters, warnings. Only the names
of the copied sources differ (``_sources/…/x.md.txt``, and the "View page
source" links and ``searchindex.js`` filenames that name them).

The known traps of MyST each have a test: directive content is Markdown, the
schedules never nested-parse generated reStructuredText, and ``{eval-rst}``
doctrees do not pickle the environment.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docutils import nodes
from editgrammar import search_index
from test_bad_input import warnings_of
from test_incremental import (
    MakeApp,
    assert_same_output,
    build,
    clean_build_of,
    replace,
    snapshot,
    write,
)
from test_parallel import assert_ran_in_parallel

ROOTS = Path(__file__).resolve().parent / "roots"
MIXED = ROOTS / "test-myst"
RST = ROOTS / "test-myst-rst"

#: The pages of the mixed site written in Markdown.
MARKDOWN_PAGES = ("friday/async", "friday/index", "friday/lightning", "friday/web",
                  "thursday/keynote")


def copy(root: Path, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    shutil.copytree(root, path)
    return path


def as_rst(files: dict[str, bytes]) -> dict[str, bytes]:
    """The output with the names of Markdown sources spelled as reStructuredText ones.

    The copied sources themselves are left out (their text differs by
    nature); ``searchindex.js`` loses its ``filenames``, compared separately.
    """
    normalised: dict[str, bytes] = {}
    for name, data in files.items():
        if name.startswith("_sources/"):
            continue
        if name == "searchindex.js":
            index = search_index(data)
            del index["filenames"]
            data = json.dumps(index, sort_keys=True).encode()
        elif name.endswith(".html"):
            data = data.replace(b".md.txt", b".rst.txt")
        normalised[name] = data
    return normalised


def assert_same_site(mixed: Path, rst: Path) -> None:
    got, want = as_rst(snapshot(mixed)), as_rst(snapshot(rst))
    assert sorted(got) == sorted(want)
    different = [name for name in sorted(got) if got[name] != want[name]]
    assert different == [], different


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    return copy(MIXED, tmp_path, "mixed")


# -- the same site, in either syntax -------------------------------------------------


def test_mixed_site_builds_like_the_rst_site(make_app: MakeApp, tmp_path: Path,
                                             mixed: Path) -> None:
    # Nitpicky, and every sidebar rendered both with and without the
    # navigation cache (a difference fails the build).
    strict = {"nitpicky": True, "conference_nav_cache_verify": True}
    app = build(make_app, mixed, tmp_path / "mixed-build", confoverrides=strict)
    twin = build(make_app, copy(RST, tmp_path, "rst"), tmp_path / "rst-build",
                 confoverrides=strict)
    # -W: not a single warning, in either.
    assert app.warning.getvalue() == "", app.warning.getvalue()
    assert twin.warning.getvalue() == "", twin.warning.getvalue()
    # The mixed site really is mixed: these pages were read by MyST.
    for docname in MARKDOWN_PAGES:
        assert str(app.env.doc2path(docname, False)) == f"{docname}.md"
    assert str(app.env.doc2path("thursday/packaging", False)) == "thursday/packaging.rst"

    outdir = Path(app.outdir)
    assert_same_site(outdir, Path(twin.outdir))
    # Only the copied sources' names differ.
    filenames = search_index((outdir / "searchindex.js").read_bytes())["filenames"]
    want = search_index((Path(twin.outdir) / "searchindex.js").read_bytes())["filenames"]
    assert [name.replace(".md", ".rst") for name in filenames] == want
    assert "friday/index.md" in filenames

    # And what is the same is what it should be: the Markdown day index
    # lists its Markdown and reStructuredText talks in schedule order...
    friday = BeautifulSoup((outdir / "friday/index.html").read_text("utf-8"), "html.parser")
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")]
            for row in friday.select("table.conference-schedule tbody tr")]
    assert [row[1] for row in rows] == ["Async IO in Practice", "Web Scale",
                                        "A Tiny Parser (lightning)", "Fast Tests (lightning)"]
    # ...and its toctree drives the sidebar and prev/next.
    web = BeautifulSoup((outdir / "friday/web.html").read_text("utf-8"), "html.parser")
    assert web.find("link", rel="prev")["href"] == "async.html"
    assert web.find("link", rel="next")["href"] == "lightning.html"
    current = [a.get_text() for a in web.select(".wy-menu li.current > a")]
    assert current == ["Friday", "Web Scale"]
    # The MyST roles resolved like their reStructuredText twins.
    body = web.find("div", itemprop="articleBody")
    talk_link = body.find("a", href="async.html#async-io-in-practice")
    assert talk_link.get_text() == "Async IO in Practice"
    assert body.find("a", href="../presenters.html#presenter-ada-sync").get_text() == "Ada Sync"


def test_mixed_site_parallel_equals_serial(make_app: MakeApp, tmp_path: Path,
                                           mixed: Path) -> None:
    serial = build(make_app, mixed, tmp_path / "serial")
    parallel = build(make_app, copy(MIXED, tmp_path, "again"), tmp_path / "parallel",
                     parallel=2)
    assert parallel.warning.getvalue() == "", parallel.warning.getvalue()
    assert_ran_in_parallel(parallel, "reading sources", "writing output")
    assert_same_output(Path(parallel.outdir), Path(serial.outdir))


# -- incremental == clean, over edits of Markdown pages --------------------------------


def edit_md_notes(src: Path) -> None:
    replace(src / "friday/web.md", "Scaling the web.", "Scaling the *whole* web.")


def edit_md_time(src: Path) -> None:
    # Async moves after Web Scale in Friday's schedule.
    replace(src / "friday/async.md", "time: 11:00-11:30", "time: 14:00-14:30")


def edit_md_title(src: Path) -> None:
    replace(src / "friday/web.md", "# Web Scale", "# Web Scale, Revisited")


def add_md_talk(src: Path) -> None:
    write(src / "saturday/sprints.md",
          "\n# Sprint Intro\n\n```{talk}\n:presenter: Sam Sprint\n:track: Main\n"
          ":time: 09:00-09:30\n:video: https://youtu.be/sprint\n\nHow to sprint.\n```\n\n"
          "## 0:00 Start\n\n## 5:00 Pairing\n\nAt {at}`6:00` we pair.\n")


def edit_md_chapters(src: Path) -> None:
    replace(src / "thursday/keynote.md", "## 12:34 The benchmark", "## 12:40 The benchmark")


def drop_md_chapter(src: Path) -> None:
    replace(src / "friday/async.md", "## 1:00 Why async", "## Why async")


def add_md_chapters(src: Path) -> None:
    replace(src / "friday/web.md", "numbers are at {at}`33:20`.",
            "numbers are at {at}`33:20`.\n\n## 2:00 Load\n\n## 33:20 Numbers\n")


def drop_all_md_chapters(src: Path) -> None:
    replace(src / "friday/async.md", "## 20:00 Demo", "## Demo")


def rename_md_page(src: Path) -> None:
    (src / "friday/web.md").rename(src / "friday/web-scale.md")


def move_md_page_to_another_day(src: Path) -> None:
    (src / "friday/web-scale.md").rename(src / "saturday/web-scale.md")


def delete_md_talk_with_chapters(src: Path) -> None:
    (src / "thursday/keynote.md").unlink()
    replace(src / "index.rst", "the keynote is :talk:`opening-keynote`", "no keynote")


def rst_page_to_md(src: Path) -> None:
    (src / "saturday/closing.rst").unlink()
    write(src / "saturday/closing.md",
          "\n# Closing Session\n\n```{talk}\n:presenter: Kay Keynoter\n:track: Main\n"
          ":time: 16:00-16:30\n\nGoodbye.\n```\n\nSee you next year.\n")


def md_day_index_to_rst(src: Path) -> None:
    (src / "friday/index.md").unlink()
    write(src / "friday/index.rst", "Friday\n======\n\nThe second day.\n\n.. schedule::\n")


MD_EDITS = {
    "notes": edit_md_notes,
    "time": edit_md_time,
    "title": edit_md_title,
    "add": add_md_talk,
    "chapters": edit_md_chapters,
    "drop-chapter": drop_md_chapter,
    "add-chapters": add_md_chapters,
    "drop-all-chapters": drop_all_md_chapters,
    "rename": rename_md_page,
    "move-day": move_md_page_to_another_day,
    "delete": delete_md_talk_with_chapters,
    "rst-to-md": rst_page_to_md,
    "md-index-to-rst": md_day_index_to_rst,
}


def test_markdown_edits_in_sequence_equal_clean_builds(make_app: MakeApp, tmp_path: Path,
                                                       mixed: Path) -> None:
    first = build(make_app, mixed, tmp_path / "A")
    outdir = Path(first.outdir)
    assert (outdir / "chapters/opening-keynote.vtt").is_file()
    for step, (name, edit) in enumerate(MD_EDITS.items()):
        before = snapshot(outdir)
        edit(mixed)
        app = build(make_app, mixed, tmp_path / "A")
        assert app.warning.getvalue() == "", (name, app.warning.getvalue())
        assert snapshot(outdir) != before, f"{name} changed nothing"
        assert_same_output(outdir, clean_build_of(make_app, mixed, tmp_path, f"B{step}"))
    # The deleted talk took its chapters file along, and so did the talk that
    # lost its last chapter; the moved talk kept its chapters.
    assert sorted(path.name for path in (outdir / "chapters").iterdir()) == [
        "sprint-intro.vtt", "web-scale-revisited.vtt"]


# -- warnings -----------------------------------------------------------------------------

BAD_RST = """\
Bad Talk
========

.. talk::
   :presenter: Bea Bad
   :kind: seminar
   :time: 25:99
   :video: https://www.youtube.com/watch?v=bad

   A pasted abstract.

   .. raw:: html

      <script>alert(1)</script>


At :at:`12:75`, see :talk:`no-such-talk`.

10:00 Late start
----------------

5:00 Early again
----------------

9:99 Broken time
----------------
"""

BAD_MD = """\

# Bad Talk

```{talk}
:presenter: Bea Bad
:kind: seminar
:time: 25:99
:video: https://www.youtube.com/watch?v=bad

A pasted abstract.

<script>
alert(1)
</script>
```

At {at}`12:75`, see {talk}`no-such-talk`.


## 10:00 Late start


## 5:00 Early again


## 9:99 Broken time
"""


def test_warnings_are_the_same_and_located_in_the_md_file(make_app: MakeApp,
                                                          tmp_path: Path) -> None:
    """Same warnings, lines included (docutils locates a section at its underline)."""
    rst_src, md_src = copy(RST, tmp_path, "rst"), copy(RST, tmp_path, "md")
    write(rst_src / "friday/bad.rst", BAD_RST)
    write(md_src / "friday/bad.md", BAD_MD)
    rst = warnings_of(build(make_app, rst_src, tmp_path / "rst-build"))
    md = warnings_of(build(make_app, md_src, tmp_path / "md-build"))
    assert [w._replace(file=w.file.replace(".md", ".rst")) for w in md] == rst
    lines = BAD_MD.splitlines()

    def at(marker: str) -> int:
        return next(number for number, text in enumerate(lines, 1) if marker in text)

    want = {
        ("conference.kind", at("```{talk}")),
        ("conference.time", at("```{talk}")),
        ("conference.raw", at("```{talk}")),
        ("conference.timestamp", at("{at}`12:75`")),
        ("ref.talk", at("{at}`12:75`")),
        ("conference.timestamp", at("5:00 Early again")),
        ("conference.timestamp", at("9:99 Broken time")),
    }
    assert {(w.type, w.line) for w in md} == want
    assert all(w.file == "friday/bad.md" for w in md)
    assert len(md) == len(want)


# -- the traps ------------------------------------------------------------------------------


def test_description_is_parsed_as_markdown_and_stays_text(make_app: MakeApp,
                                                          tmp_path: Path) -> None:
    src = copy(RST, tmp_path, "src")
    write(src / "friday/md.md",
          "# Markdown Talk\n\n```{talk}\n:presenter: Mark Down\n\n"
          "A **bold** [link](https://example.org/md/) and `code`; "
          "an RST `link <https://example.org/rst/>`__ is just text.\n\n"
          "<b onclick='x()'>html</b> and <em>inline</em>\n```\n")
    app = build(make_app, src, tmp_path / "build")
    found = warnings_of(app)
    assert [(w.file, w.line, w.type) for w in found] == [("friday/md.md", 3, "conference.raw")]
    page = BeautifulSoup((Path(app.outdir) / "friday/md.html").read_text("utf-8"),
                         "html.parser")
    description = page.select_one(".conference-talk-description")
    assert description.find("strong").get_text() == "bold"
    assert description.find("a", href="https://example.org/md/").get_text() == "link"
    assert [code.get_text() for code in description.find_all("code")] == [
        "code", "link <https://example.org/rst/>"]
    assert description.find("a", href="https://example.org/rst/") is None
    assert description.find("b") is None
    assert description.find(attrs={"onclick": True}) is None
    # The schedule's digest of the description is its text, not its markup.
    domain = app.env.domains["conf"]
    assert domain.talk("markdown-talk").description.startswith("A bold link and code;")


def test_schedule_in_a_markdown_page_emits_nodes_not_rst(make_app: MakeApp,
                                                         tmp_path: Path) -> None:
    """The day index is Markdown: its table, links and toctree must not be re-parsed."""
    src = copy(MIXED, tmp_path, "src")
    app = build(make_app, src, tmp_path / "build", "text")
    assert app.warning.getvalue() == ""
    text = (Path(app.outdir) / "friday/index.txt").read_text("utf-8")
    assert "Async IO in Practice" in text
    assert "11:00–11:30" in text
    assert ":talk:" not in text and "``" not in text and "{talk}" not in text
    assert app.env.toctree_includes["friday/index"] == [
        "friday/async", "friday/web", "friday/lightning"]


EVAL_RST = """\

# Evaluated

```{eval-rst}
Don't Evaluate
--------------

.. talk::
   :presenter: Eve Val
   :time: 15:00-15:30
   :video: https://vimeo.com/777

   An *RST* description.

At :at:`1:02`.

0:30 Intro
~~~~~~~~~~

Hello.

2:00 Demo
~~~~~~~~~

A demo.
```
"""


def test_eval_rst_doctree_does_not_pickle_the_environment(make_app: MakeApp,
                                                          tmp_path: Path) -> None:
    src = copy(RST, tmp_path, "src")
    write(src / "friday/evaluated.md", EVAL_RST)
    app = build(make_app, src, tmp_path / "build")
    assert app.warning.getvalue() == "", app.warning.getvalue()
    data = (Path(app.doctreedir) / "friday/evaluated.doctree").read_bytes()
    assert b"BuildEnvironment" not in data
    doctree = pickle.loads(data)
    foreign = [node for node in doctree.findall() if node.document is not doctree]
    assert foreign == []
    # The ids the nested document assigned are the page's, in time for the
    # domain to take the talk's title as the page shows it (smart quotes).
    assert isinstance(doctree.ids.get("don-t-evaluate"), nodes.section)
    assert app.env.domains["conf"].talk("don-t-evaluate").title == "Don’t Evaluate"
    # And the talk inside it is a talk like any other.
    outdir = Path(app.outdir)
    friday = BeautifulSoup((outdir / "friday/index.html").read_text("utf-8"), "html.parser")
    entry = friday.find("a", href="evaluated.html#don-t-evaluate")
    assert entry.get_text() == "Don’t Evaluate"
    page = BeautifulSoup((outdir / "friday/evaluated.html").read_text("utf-8"), "html.parser")
    assert page.find("a", class_="conference-at")["href"] == "https://vimeo.com/777#t=62s"
    vtt = (outdir / "chapters/don-t-evaluate.vtt").read_text("utf-8")
    assert re.findall(r"^\S+ --> \S+$", vtt, re.MULTILINE) == [
        "00:00:30.000 --> 00:02:00.000", "00:02:00.000 --> 00:30:00.000"]
