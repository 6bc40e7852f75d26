"""Read the Docs' own build commands, run on a copy of the real site.

Read the Docs builds HTML with ``-W`` (``sphinx.fail_on_warning``) and a
canonical URL in the environment, then the formats of ``.readthedocs.yaml``
(pdf through latex, epub, htmlzip through singlehtml) reusing the same
doctrees. ``tests/test_readthedocs_config.py`` checks the configuration file.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sitebuild import assert_succeeded, copy_site, describe, run_sphinx

pytestmark = pytest.mark.slow

CANONICAL = "https://pycon2013-notes.readthedocs.io/en/latest/"
RTD_ENV = {"READTHEDOCS": "True", "READTHEDOCS_CANONICAL_URL": CANONICAL}


def rtd_command(builder: str, outdir: str, *, strict: bool = True) -> list[str]:
    """``python -m sphinx ...`` exactly as Read the Docs runs it (without the interpreter)."""
    return [
        "-T",
        *(["-W", "--keep-going"] if strict else []),
        "-b", builder,
        "-d", "_build/doctrees",
        "-D", "language=en",
        ".",
        outdir,
    ]


class ReadTheDocs:
    """One Read the Docs build of a copy of the site: html first, then the formats."""

    def __init__(self, checkout: Path) -> None:
        self.checkout = checkout
        self.output = checkout / "_readthedocs"
        self.results: dict[str, subprocess.CompletedProcess[str]] = {}

    def build(self, name: str, builder: str, *, strict: bool = True) -> Path:
        outdir = f"_readthedocs/{name}"
        if name not in self.results:
            self.results[name] = run_sphinx(
                rtd_command(builder, outdir, strict=strict), cwd=self.checkout, env=RTD_ENV
            )
        return self.checkout / outdir


@pytest.fixture(scope="module")
def rtd(tmp_path_factory: pytest.TempPathFactory) -> ReadTheDocs:
    rtd = ReadTheDocs(copy_site(tmp_path_factory.mktemp("rtd") / "checkout"))
    rtd.build("html", "html")  # always first: the formats reuse its doctrees
    return rtd


@pytest.fixture(scope="module")
def html(rtd: ReadTheDocs) -> Path:
    assert_succeeded(rtd.results["html"])
    return rtd.output / "html"


def test_html_build_passes_with_warnings_as_errors(html: Path) -> None:
    assert (html / "index.html").is_file()
    assert (html / "friday" / "messaging-at-scale-at-instagram.html").is_file()


def test_every_page_has_its_canonical_link(html: Path) -> None:
    pages = sorted(html.rglob("*.html"))
    assert len(pages) >= 20
    wrong = {}
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [link.get("href") for link in soup.find_all("link", rel="canonical")]
        expected = CANONICAL + page.relative_to(html).as_posix()
        if links != [expected]:
            wrong[page.relative_to(html).as_posix()] = links
    assert wrong == {}


def test_pdf_sources_build_like_read_the_docs(rtd: ReadTheDocs, html: Path) -> None:
    # Read the Docs runs latex without -W; the PDF itself is test_builders' latexpdf test.
    outdir = rtd.build("pdf", "latex", strict=False)
    result = rtd.results["pdf"]
    assert result.returncode == 0, describe(result)
    assert "WARNING" not in result.stderr, describe(result)
    tex = (outdir / "pycon2013-notes.tex").read_text(encoding="utf-8")
    assert r"\begin{document}" in tex
    assert "Messaging at Scale at Instagram" in tex


def test_epub_builds_like_read_the_docs(rtd: ReadTheDocs, html: Path) -> None:
    outdir = rtd.build("epub", "epub")
    assert_succeeded(rtd.results["epub"])
    (book,) = outdir.glob("*.epub")
    with zipfile.ZipFile(book) as archive:
        assert archive.testzip() is None
        first = archive.infolist()[0]
        assert (first.filename, archive.read(first)) == ("mimetype", b"application/epub+zip")
        names = set(archive.namelist())
    assert "friday/messaging-at-scale-at-instagram.xhtml" in names


def test_htmlzip_builds_like_read_the_docs(rtd: ReadTheDocs, html: Path) -> None:
    outdir = rtd.build("htmlzip", "singlehtml")
    assert_succeeded(rtd.results["htmlzip"])
    soup = BeautifulSoup((outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = soup.get_text(" ")
    assert "Messaging at Scale at Instagram" in text
    assert "Rick Branson" in text
