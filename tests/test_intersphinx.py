"""Other Sphinx projects link to the site's talks through intersphinx.

The real site is built first, into a temporary directory; its ``objects.inv``
is then given to two consumer projects as a local file (no network):

- ``tests/roots/test-consumer-plain`` loads only ``sphinx.ext.intersphinx``
  and writes ``:ref:`pycon2013:<talk id>```;
- ``tests/roots/test-consumer-ext`` also loads the ``conference`` extension,
  sets no ``conference_days``, and writes ``:talk:`pycon2013:<talk id>```.

Both are built with warnings as errors; the links must land on the talk's page
and anchor, as the site's own build wrote them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from bs4 import BeautifulSoup, Tag
from inprocess import build_once, warnings_of
from sphinx.testing.util import SphinxTestApp

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
BASE = "https://pycon2013.example.org/"
INSTAGRAM = "messaging-at-scale-at-instagram"
INSTAGRAM_URL = f"{BASE}friday/{INSTAGRAM}.html#{INSTAGRAM}"




@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    """The notes site, as ``make html`` builds it."""
    app = build_once(srcdir=REPO, builddir=tmp_path_factory.mktemp("site"), freshenv=True,
                     warningiserror=True, confoverrides={"nitpicky": True})
    assert app.statuscode == 0, warnings_of(app)
    return app


@pytest.fixture(scope="module")
def mapping(site: SphinxTestApp) -> dict[str, tuple[str, str]]:
    inventory = Path(site.outdir) / "objects.inv"
    assert inventory.is_file()
    return {"pycon2013": (BASE, str(inventory))}


@pytest.fixture(scope="module")
def title_of(site: SphinxTestApp):
    """A talk's title as the site's own page shows it (its h1)."""

    def title(page: str) -> str:
        soup = BeautifulSoup((Path(site.outdir) / page).read_text(encoding="utf-8"),
                             "html.parser")
        heading = soup.select_one("[role=main] h1")
        for link in heading.select("a.headerlink"):
            link.decompose()
        return " ".join(heading.get_text(" ").split())

    return title


def consumer(name: str, tmp_path_factory, mapping, **kwargs) -> SphinxTestApp:
    return build_once(srcdir=ROOTS / f"test-consumer-{name}",
                      builddir=tmp_path_factory.mktemp(name), freshenv=True,
                      warningiserror=True,
                      confoverrides={"intersphinx_mapping": dict(mapping), "nitpicky": True},
                      **kwargs)


def link(app: SphinxTestApp, marker: str) -> Tag:
    soup = BeautifulSoup((Path(app.outdir) / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    for paragraph in soup.find_all("p"):
        if paragraph.get_text().startswith(f"{marker}:"):
            anchor = paragraph.find("a")
            assert anchor is not None, f"{marker}: is no link: {paragraph}"
            return anchor
    raise AssertionError(f"no paragraph {marker!r}")


def text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def same_words(left: str, right: str) -> bool:
    """Equal but for typographic quotes (an inventory keeps the title as written)."""
    def plain(value: str) -> str:
        return value.replace("\u2019", "'").replace("\u2018", "'")
    return plain(left) == plain(right)


def lands_on_site(site: SphinxTestApp, href: str) -> Tag:
    """The element of the site's own output that an intersphinx link points to."""
    assert href.startswith(BASE), href
    url, fragment = urldefrag(href[len(BASE):])
    soup = BeautifulSoup((Path(site.outdir) / url).read_text(encoding="utf-8"), "html.parser")
    element = soup.find(id=fragment) if fragment else soup
    assert element is not None, href
    return element


# -- a project with intersphinx only ------------------------------------------------------


@pytest.fixture(scope="module")
def plain(tmp_path_factory, mapping) -> SphinxTestApp:
    return consumer("plain", tmp_path_factory, mapping)


def test_plain_consumer_builds_with_warnings_as_errors(plain: SphinxTestApp) -> None:
    assert warnings_of(plain).strip() == ""
    assert plain.statuscode == 0
    assert "conference" not in plain.extensions


def test_plain_ref_lands_on_the_talk_with_its_title(plain, site, title_of) -> None:
    anchor = link(plain, "talk-ref")
    assert anchor["href"] == INSTAGRAM_URL
    assert text(anchor) == title_of(f"friday/{INSTAGRAM}.html")
    assert text(anchor) == "Messaging at Scale at Instagram"
    assert "Messaging at Scale at Instagram" in text(lands_on_site(site, anchor["href"]))


def test_plain_ref_with_custom_text(plain) -> None:
    anchor = link(plain, "custom-ref")
    assert anchor["href"] == INSTAGRAM_URL
    assert text(anchor) == "Rick\u2019s talk"


def test_plain_ref_to_a_title_with_punctuation(plain, site, title_of) -> None:
    anchor = link(plain, "named-ref")
    page = "friday/twisted-logic-endpoints.html"
    assert anchor["href"].startswith(f"{BASE}{page}#")
    assert same_words(text(anchor), title_of(page))
    lands_on_site(site, anchor["href"])


def test_plain_doc_link_to_a_day(plain) -> None:
    anchor = link(plain, "day-doc")
    assert anchor["href"] == f"{BASE}friday/index.html"
    assert text(anchor) == "Friday"


# -- a project with the conference extension but no conference --------------------------


@pytest.fixture(scope="module")
def ext(tmp_path_factory, mapping) -> SphinxTestApp:
    return consumer("ext", tmp_path_factory, mapping)


def test_ext_consumer_builds_with_warnings_as_errors(ext: SphinxTestApp) -> None:
    assert warnings_of(ext).strip() == ""
    assert ext.statuscode == 0
    assert "conference" in ext.extensions
    assert not ext.config.conference_days


def test_ext_talk_role_lands_on_the_talk_with_its_title(ext, site, title_of) -> None:
    for marker in ("talk-role", "talk-ref"):
        anchor = link(ext, marker)
        assert anchor["href"] == INSTAGRAM_URL, marker
        assert text(anchor) == title_of(f"friday/{INSTAGRAM}.html"), marker
    assert "Messaging at Scale at Instagram" in text(lands_on_site(site, INSTAGRAM_URL))


def test_ext_talk_role_with_custom_text_and_domain_role(ext, site, title_of) -> None:
    anchor = link(ext, "custom-talk")
    assert anchor["href"] == INSTAGRAM_URL
    assert text(anchor) == "Rick\u2019s talk"
    anchor = link(ext, "domain-role")
    assert anchor["href"].startswith(f"{BASE}friday/python-profiling.html#")
    assert text(anchor) == title_of("friday/python-profiling.html")
    lands_on_site(site, anchor["href"])


def test_ext_presenter_role_lands_on_the_presenters_page(ext, site) -> None:
    anchor = link(ext, "presenter")
    assert anchor["href"].startswith(f"{BASE}presenters.html#")
    assert "Jason Carr" in text(lands_on_site(site, anchor["href"]))


def test_ext_consumer_gets_no_exports_and_no_generated_pages(ext: SphinxTestApp) -> None:
    outdir = Path(ext.outdir)
    written = {p.relative_to(outdir).as_posix() for p in outdir.rglob("*")
               if p.is_file() and not p.relative_to(outdir).parts[0].startswith("_")}
    assert not {name for name in written if name.endswith((".ics", ".json", ".xml"))}
    assert not (outdir / "calendar").exists()
    assert {name for name in written if name.endswith(".html")} == {
        "index.html", "genindex.html", "search.html"}
    soup = BeautifulSoup((outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "schedule.ics" not in str(soup)


# -- unknown ids ------------------------------------------------------------------------


UNKNOWN = """\
:orphan:

Unknown
=======

An unknown talk of the site: :talk:`pycon2013:no-such-talk`.
"""


def test_unknown_prefixed_talk_id_warns_as_ref_talk(tmp_path: Path, mapping) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-consumer-ext", srcdir)
    (srcdir / "unknown.rst").write_text(UNKNOWN, encoding="utf-8")
    app = build_once(srcdir=srcdir, builddir=tmp_path / "build", freshenv=True,
                     confoverrides={"intersphinx_mapping": dict(mapping)})
    warnings = [w for w in warnings_of(app).splitlines() if "WARNING" in w]
    assert len(warnings) == 1, warnings
    assert re.search(r"unknown\.rst:6: WARNING: .*no-such-talk.*\[ref\.talk\]", warnings[0])


@pytest.fixture(autouse=True)
def _roots_stay_clean() -> Iterator[None]:
    yield
    for name in ("plain", "ext"):
        assert not (ROOTS / f"test-consumer-{name}" / "_build").exists()
