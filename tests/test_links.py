"""Quality gate: every internal link and anchor of the built site resolves, offline.

The real site is built (from a copy) by the HTML-family builders and epub; then
``linkcheck.check_site`` follows every relative ``href``/``src``/``action`` to a
file in the output folder and every ``#fragment`` to an ``id`` in its page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from linkcheck import check_site
from sitebuild import SiteBuilds, copy_site

pytestmark = pytest.mark.slow

#: Files the ``build-finished`` exporter writes: checked on their own, below.
SCHEDULE_FILES = frozenset({"schedule.ics", "schedule.json", "schedule.xml"})
#: Sphinx's layout links these in singlehtml's <head> (rel="index"/"search"), but
#: that builder writes neither page: not a link a reader follows, and not ours.
SINGLEHTML_ABSENT = frozenset({"genindex.html", "search.html"})


def is_export(target: str) -> bool:
    return target in SCHEDULE_FILES or target.startswith("calendar/")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> SiteBuilds:
    root = tmp_path_factory.mktemp("links")
    return SiteBuilds(copy_site(root / "src"), root / "build")


def page_links(builder: str):
    def select(target: str) -> bool:
        if builder == "singlehtml" and target in SINGLEHTML_ABSENT:
            return False
        return not is_export(target)

    return select


@pytest.mark.parametrize("builder", ["html", "dirhtml", "singlehtml", "epub"])
def test_internal_links_and_anchors_resolve(builds: SiteBuilds, builder: str) -> None:
    report = check_site(builds(builder), select=page_links(builder))
    # The site links its pages, talks and presenters: a checker that found
    # nothing to check would prove nothing.
    assert len({(link.target, link.fragment) for link in report.checked}) >= 20
    assert any(link.fragment for link in report.checked)
    assert [str(broken) for broken in report.broken] == []


@pytest.mark.parametrize("builder", ["html", "dirhtml", "singlehtml"])
def test_links_to_calendar_and_schedule_files_resolve(builds: SiteBuilds, builder: str) -> None:
    report = check_site(builds(builder), select=is_export)
    targets = {link.target for link in report.checked}
    assert targets >= SCHEDULE_FILES
    assert any(target.startswith("calendar/") for target in targets)
    assert [str(broken) for broken in report.broken] == []


def test_epub_has_no_links_to_calendar_files(builds: SiteBuilds) -> None:
    """An e-book cannot ship the calendars: its pages must not offer them."""
    report = check_site(builds("epub"), select=is_export)
    assert report.checked == []


# The checker itself, on a hand-made site: it must catch what it exists to catch.


def write(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", encoding="utf-8")


def test_checker_reports_missing_files_and_anchors(tmp_path: Path) -> None:
    write(
        tmp_path / "index.html",
        '<h1 id="top">Top</h1>'
        '<a href="#top">self</a> <a href="#">self</a>'
        '<a href="day/talk.html#intro">ok</a> <a href="day/">ok, a folder</a>'
        '<a href="day/talk.html#gone">missing anchor</a>'
        '<a href="day/missing.html">missing page</a>'
        '<a href="../outside.html">outside</a>'
        '<a href="#nowhere">missing own anchor</a>'
        '<img src="img/missing.png">'
        '<a href="https://example.org/x.html#y">external</a> <a href="mailto:a@b.c">mail</a>'
        '<link rel="stylesheet" href="style.css?v=1">',
    )
    (tmp_path / "style.css").write_text("", encoding="utf-8")
    write(tmp_path / "day" / "talk.html", '<section id="intro"><a name="old"></a></section>'
          '<a href="../index.html#top">up</a> <a href="#old">legacy anchor</a>')
    write(tmp_path / "day" / "index.html", '<a href="talk.html">talk</a>')

    report = check_site(tmp_path)

    assert sorted(str(broken) for broken in report.broken) == [
        "index.html: '#nowhere': no id 'nowhere' in index.html",
        "index.html: '../outside.html': points outside the site",
        "index.html: 'day/missing.html': no file day/missing.html",
        "index.html: 'day/talk.html#gone': no id 'gone' in day/talk.html",
        "index.html: 'img/missing.png': no file img/missing.png",
    ]
    urls = {link.url for link in report.checked}
    assert "https://example.org/x.html#y" not in urls
    assert "mailto:a@b.c" not in urls
    assert {"day/", "style.css?v=1", "../index.html#top", "#old"} <= urls


def test_checker_select_limits_what_is_checked(tmp_path: Path) -> None:
    write(tmp_path / "index.html", '<a href="calendar/a.ics">cal</a> <a href="b.html">b</a>')
    report = check_site(tmp_path, select=is_export)
    assert [link.target for link in report.checked] == ["calendar/a.ics"]
    assert [broken.url for broken in report.broken] == ["calendar/a.ics"]
