"""Talks and presenters as Sphinx objects: roles, indices, genindex and objects.inv.

``tests/roots/test-xref`` holds seven talks over two days: Jason Carr gives
two, two talks have co-presenters, one has an explicit ``:name:`` and people
with non-ASCII (``Łukasz Langa``, ``Anna Łabędzka``) and CJK names. Its
``refs.rst`` points at them in every supported way, under a default domain
that is not ``conf``. Mistakes (unknown ids, a duplicate id) are added to a
temporary copy of the root, so that the root itself builds with ``-W -n``.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest
from bs4 import BeautifulSoup, Tag
from inprocess import build_once, page_of, squash, warnings_of
from sphinx.testing.util import SphinxTestApp
from sphinx.util.inventory import InventoryFile

ROOT = Path(__file__).resolve().parent / "roots" / "test-xref"

#: id -> (page, title) of every talk of the root.
TALKS = {
    "messaging-at-scale-at-instagram": (
        "friday/messaging-at-scale-at-instagram", "Messaging at Scale at Instagram"),
    "tutorial-integrating-selenium-and-sauce-labs": (
        "friday/selenium-tutorial", "Tutorial: Integrating Selenium and Sauce Labs"),
    "visualizing-github-part-i-data-to-information": (
        "friday/visualizing-github", "Visualizing Github, Part I: Data to Information"),
    "mobile-application-testing-with-python-and-selenium": (
        "saturday/mobile-testing", "Mobile Application Testing with Python and Selenium"),
    "async-talk": ("saturday/async", "Async All the Things"),
    "designers-developers-collaborating-on-your-python-project": (
        "saturday/designers", "Designers + Developers: Collaborating on your Python project"),
    "unicode-everywhere": ("saturday/unicode", "Unicode Everywhere"),
}
TRACKS = {
    "II": {"messaging-at-scale-at-instagram",
           "designers-developers-collaborating-on-your-python-project", "unicode-everywhere"},
    "III": {"visualizing-github-part-i-data-to-information", "async-talk"},
    "IV": {"mobile-application-testing-with-python-and-selenium"},
    "Sponsor Tutorials": {"tutorial-integrating-selenium-and-sauce-labs"},
}


# -- helpers ---------------------------------------------------------------------


def main(soup: BeautifulSoup) -> Tag:
    body = soup.select_one("[role=main]")
    assert body is not None
    return body


def talk_href(talk_id: str) -> tuple[str, str]:
    """(page, fragment) a link to the talk must have."""
    page, _ = TALKS[talk_id]
    return f"{page}.html", talk_id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    """The root, built once with warnings as errors and -n."""
    return build_once(srcdir=ROOT, builddir=tmp_path_factory.mktemp("xref"), freshenv=True,
                      warningiserror=True, confoverrides={"nitpicky": True})


def reference(page, marker: str) -> Tag:
    """The link in the ``marker: ...`` paragraph of refs.html."""
    for paragraph in main(page("refs.html")).find_all("p"):
        if paragraph.get_text().startswith(f"{marker}:"):
            link = paragraph.find("a")
            assert link is not None, f"{marker}: not a link: {paragraph}"
            return link
    raise AssertionError(f"no paragraph {marker!r}")


def lands_on(page, href: str, base: str) -> Tag:
    """The element an internal ``href`` on page ``base`` lands on."""
    target = page(page_of(href, base))
    fragment = unquote(urldefrag(href).fragment)
    assert fragment, href
    element = target.find(id=fragment)
    assert element is not None, f"{href} has no target"
    if not element.get_text(strip=True):
        # A section's extra ids are written as empty spans at its start.
        element = element.parent
    return element


def test_builds_without_warnings(site: SphinxTestApp) -> None:
    assert warnings_of(site).strip() == ""
    assert site.statuscode == 0


# -- roles -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "talk_id", "text"),
    [
        ("by-id", "messaging-at-scale-at-instagram", None),
        ("custom-text", "messaging-at-scale-at-instagram", "the Instagram talk"),
        ("domain-role", "mobile-application-testing-with-python-and-selenium", None),
        ("explicit-name", "async-talk", None),
        ("any-talk", "visualizing-github-part-i-data-to-information", None),
        ("std-ref", "messaging-at-scale-at-instagram", None),
    ],
)
def test_talk_references_land_on_the_talk(page, marker: str, talk_id: str, text: str | None):
    link = reference(page, marker)
    expected_page, expected_fragment = talk_href(talk_id)
    assert page_of(link["href"], "refs.html") == expected_page
    assert urldefrag(link["href"]).fragment == expected_fragment
    assert squash(link.get_text(" ")) == (text or TALKS[talk_id][1])
    # The anchor is the talk: its title is there.
    target = lands_on(page, link["href"], "refs.html")
    assert TALKS[talk_id][1] in squash(target.get_text(" "))


@pytest.mark.parametrize(
    ("marker", "name"),
    [("presenter", "Jason Carr"), ("presenter-non-ascii", "Łukasz Langa"),
     ("presenter-cjk", "李娜")],
)
def test_presenter_references_land_on_the_person(page, marker: str, name: str) -> None:
    link = reference(page, marker)
    assert squash(link.get_text(" ")) == name
    assert page_of(link["href"], "refs.html") == "presenters.html"
    entry = lands_on(page, link["href"], "refs.html")
    assert squash(entry.get_text(" ")).startswith(name)


def test_talk_headers_link_presenters_to_their_entries(page) -> None:
    for talk_id, (doc, _) in TALKS.items():
        header = main(page(f"{doc}.html")).select_one(".conference-talk-meta")
        assert header is not None, talk_id
        links = [a for a in header.select("a[href]") if "presenters.html" in a["href"]]
        assert links, talk_id
        for link in links:
            entry = lands_on(page, link["href"], f"{doc}.html")
            assert squash(entry.get_text(" ")).startswith(squash(link.get_text(" ")))


# -- the presenters index ------------------------------------------------------------


def presenters(page) -> list[tuple[str, Tag, Tag]]:
    """(name, term, definition) of each entry of the presenters page, in order."""
    entries = []
    for term in main(page("presenters.html")).find_all("dt"):
        definition = term.find_next_sibling("dd")
        assert definition is not None
        # "Rick Branson (Instagram)": the affiliation in parentheses, as on every page.
        name = re.sub(r"\s*\([^()]*\)$", "", squash(term.get_text(" ")))
        entries.append((name, term, definition))
    return entries


def talks_of(definition: Tag, base: str = "presenters.html") -> set[str]:
    found = set()
    for link in definition.select("a[href]"):
        page = page_of(link["href"], base).removesuffix(".html")
        found.add(next(tid for tid, (doc, _) in TALKS.items()
                       if doc == page and urldefrag(link["href"]).fragment == tid))
    return found


def test_every_person_appears_once(page) -> None:
    names = [name for name, _, _ in presenters(page)]
    assert len(names) == len(set(names))
    assert set(names) == {
        "Rick Branson", "Jason Carr", "Dana Bauer", "Idan Gazit", "Łukasz Langa",
        "Anna Łabędzka", "Julia Elman", "Mark Lavin", "李娜", "王芳", "Piotr Nowak",
    }


def test_person_with_two_talks_is_listed_once_with_both(page) -> None:
    [(_, term, definition)] = [e for e in presenters(page) if e[0] == "Jason Carr"]
    assert "Sauce Labs" in term.get_text(" ")
    assert talks_of(definition) == {"tutorial-integrating-selenium-and-sauce-labs",
                                    "mobile-application-testing-with-python-and-selenium"}


def test_co_presenters_are_listed_under_each_name(page) -> None:
    entries = {name: definition for name, _, definition in presenters(page)}
    for name in ("Dana Bauer", "Idan Gazit"):
        assert talks_of(entries[name]) == {"visualizing-github-part-i-data-to-information"}
    for name in ("Łukasz Langa", "Anna Łabędzka"):
        assert talks_of(entries[name]) == {"async-talk"}
    for name in ("李娜", "王芳", "Piotr Nowak"):
        assert talks_of(entries[name]) == {"unicode-everywhere"}


def test_presenters_are_sorted_by_family_name(page) -> None:
    names = [name for name, _, _ in presenters(page)]
    latin = [name for name in names if name.isascii() or name == "Łukasz Langa"]
    assert latin == ["Dana Bauer", "Rick Branson", "Jason Carr", "Julia Elman", "Idan Gazit",
                     "Łukasz Langa", "Mark Lavin", "Piotr Nowak"]


def test_non_ascii_family_name_sorts_with_its_letter(page) -> None:
    # Whether Ł files under L (folded) or right after it (Polish order), it comes
    # after G and before N - never after every ASCII name.
    names = [name for name, _, _ in presenters(page)]
    assert names.index("Idan Gazit") < names.index("Anna Łabędzka") < names.index("Piotr Nowak")


def test_every_presenter_has_a_distinct_working_anchor(page) -> None:
    ids = [term.get("id") or (term.find(id=True) or {}).get("id")
           for _, term, _ in presenters(page)]
    assert all(ids)
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9-]+", anchor) for anchor in ids)


# -- the tracks index ------------------------------------------------------------------


def test_tracks_page_lists_each_track_with_its_talks(page) -> None:
    body = main(page("tracks.html"))
    found = {}
    for term in body.find_all("dt"):
        definition = term.find_next_sibling("dd")
        found[squash(term.get_text(" ")).strip(" :")] = talks_of(definition, "tracks.html")
    assert found == TRACKS


def test_presenters_and_tracks_are_in_the_navigation(page) -> None:
    menu = page("index.html").select_one(".wy-menu-vertical")
    assert menu is not None
    top = [page_of(a["href"], "index.html") for a in menu.select("li.toctree-l1 > a")]
    assert "presenters.html" in top
    assert "tracks.html" in top


# -- genindex and objects.inv ----------------------------------------------------------


def test_genindex_lists_talks_and_presenters(page) -> None:
    body = main(page("genindex.html"))
    targets = {(page_of(a["href"], "genindex.html"), urldefrag(a["href"]).fragment)
               for a in body.select("a[href]")}
    for talk_id, (doc, _) in TALKS.items():
        assert (f"{doc}.html", talk_id) in targets, talk_id
    text = squash(body.get_text(" "))
    for person in ("Carr, Jason", "Bauer, Dana", "Gazit, Idan", "Langa, Łukasz"):
        assert person in text
    # Jason Carr's entry leads to both his talks.
    assert re.search(r"Carr, Jason (Mobile Application Testing|Tutorial: Integrating)", text)


def load_inventory(data: bytes) -> dict[str, dict[str, tuple[str, str]]]:
    """``objects.inv`` -> {type: {name: (uri, display name)}}, read by Sphinx itself.

    Sphinx 8.2 added ``InventoryFile.loads`` (items with ``.uri``); 8.1 has
    ``InventoryFile.load``, whose items are (project, version, uri, name) tuples.
    """
    if hasattr(InventoryFile, "loads"):
        inv = InventoryFile.loads(data, uri="")
        return {kind: {name: (item.uri, item.display_name) for name, item in items.items()}
                for kind, items in inv.data.items()}
    old = InventoryFile.load(BytesIO(data), "", posixpath.join)
    return {kind: {name: (item[2], item[3]) for name, item in items.items()}
            for kind, items in old.items()}


@pytest.fixture(scope="module")
def inventory(site: SphinxTestApp):
    return load_inventory((Path(site.outdir) / "objects.inv").read_bytes())


def test_objects_inv_lists_every_talk_as_conf_talk_and_std_label(inventory) -> None:
    talks = inventory.get("conf:talk", {})
    labels = inventory.get("std:label", {})
    assert set(talks) == set(TALKS)
    for talk_id, (doc, title) in TALKS.items():
        for kind, entries in (("conf:talk", talks), ("std:label", labels)):
            uri, display_name = entries[talk_id]
            assert uri == f"{doc}.html#{talk_id}", (kind, talk_id)
            assert display_name == title, (kind, talk_id)


def test_objects_inv_lists_presenters(inventory) -> None:
    people = inventory.get("conf:presenter", {})
    assert "Jason Carr" in people
    assert people["Jason Carr"][0].startswith("presenters.html#")


# -- mistakes ---------------------------------------------------------------------------

BROKEN = """\
:orphan:

Broken References
=================

An unknown talk: :talk:`no-such-talk`.

An unknown person: :presenter:`Nobody Known`.
"""
DUPLICATE = """\
Messaging Again
===============

.. talk::
   :presenter: Someone Else
   :track: II
   :time: 16:00-16:30
   :name: messaging-at-scale-at-instagram

   An explicit id another talk has. (A shared title is no mistake: such talks get
   day ids, see test_hostile_names.)
"""


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    """The root plus a page of unknown references and a duplicate talk id, not nitpicky."""
    srcdir = tmp_path_factory.mktemp("xref-broken") / "src"
    shutil.copytree(ROOT, srcdir)
    (srcdir / "broken.rst").write_text(BROKEN, encoding="utf-8")
    (srcdir / "friday" / "zz-duplicate.rst").write_text(DUPLICATE, encoding="utf-8")
    app = build_once(srcdir=srcdir, builddir=srcdir.parent / "build", freshenv=True,
                     confoverrides={"nitpicky": False})
    assert app.config.nitpicky is False
    return app


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_talk_id_warns_with_file_and_line_as_ref_talk(broken: SphinxTestApp) -> None:
    line = line_of(BROKEN, "no-such-talk")
    pattern = rf"broken\.rst:{line}: WARNING: [^\n]*no-such-talk[^\n]*\[ref\.talk\]"
    assert re.search(pattern, warnings_of(broken)), warnings_of(broken)


def test_unknown_presenter_warns_as_ref_presenter(broken: SphinxTestApp) -> None:
    line = line_of(BROKEN, "Nobody Known")
    pattern = rf"broken\.rst:{line}: WARNING: [^\n]*Nobody Known[^\n]*\[ref\.presenter\]"
    assert re.search(pattern, warnings_of(broken)), warnings_of(broken)


def test_unknown_talk_warning_is_ref_talk_and_can_be_suppressed(tmp_path: Path) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(ROOT, srcdir)
    (srcdir / "broken.rst").write_text(BROKEN, encoding="utf-8")
    app = build_once(srcdir=srcdir, builddir=tmp_path / "build", freshenv=True,
                     confoverrides={"suppress_warnings": ["ref.talk", "ref.presenter"]})
    assert warnings_of(app).strip() == ""


def test_duplicate_id_warns_once_at_the_second_talk(broken: SphinxTestApp) -> None:
    text = warnings_of(broken)
    line = line_of(DUPLICATE, ".. talk::")
    duplicates = [w for w in text.splitlines() if "duplicate" in w.casefold()]
    assert len(duplicates) == 1, text
    assert re.search(rf"zz-duplicate\.rst:{line}: WARNING: .*messaging-at-scale-at-instagram",
                     duplicates[0])
    assert "duplicate label" not in text  # not Sphinx's own std-label warning as well
    # Nothing else went wrong: the two unknown references and the duplicate only.
    assert len([w for w in text.splitlines() if "WARNING" in w]) == 3, text


def test_duplicate_id_resolves_to_one_talk_and_both_are_scheduled(broken: SphinxTestApp) -> None:
    outdir = Path(broken.outdir)
    refs = BeautifulSoup((outdir / "refs.html").read_text(encoding="utf-8"), "html.parser")
    link = next(a for a in main(refs).select("a[href]") if a.get_text().startswith("Messaging"))
    assert page_of(link["href"], "refs.html") == "friday/messaging-at-scale-at-instagram.html"
    friday = BeautifulSoup((outdir / "friday" / "index.html").read_text(encoding="utf-8"),
                           "html.parser")
    rows = [row.find_all("td")[1].find("a")["href"] for row in main(friday).select("tbody tr")]
    pages = {page_of(href, "friday/index.html") for href in rows}
    assert {"friday/messaging-at-scale-at-instagram.html", "friday/zz-duplicate.html"} <= pages
    inventory = load_inventory((outdir / "objects.inv").read_bytes())
    uri, _name = inventory["conf:talk"]["messaging-at-scale-at-instagram"]
    assert uri.startswith("friday/messaging-at-scale-at-instagram.html#")


@pytest.fixture(autouse=True)
def _no_leftovers() -> Iterator[None]:
    yield
    assert not (ROOT / "_build").exists(), "a build wrote into the test root"
