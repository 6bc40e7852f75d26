"""An offline checker of the internal links and anchors of a built HTML site.

Every ``href``, ``src`` and form ``action`` that names no scheme and no host is
resolved against the page that holds it, the way a browser does; the file it
names must exist in the output folder (a folder means its ``index.html``, as
dirhtml links end in ``/``), and a ``#fragment`` must be an ``id`` (or an
``<a name>``) in the target page. External links are not followed: this
needs no network.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

PAGE_SUFFIXES = (".html", ".xhtml")
LINK_ATTRIBUTES = ("href", "src", "action")


@dataclass(frozen=True)
class Link:
    """One internal link: the page holding it, the raw value, and the target it names."""

    page: str
    url: str
    target: str
    fragment: str


@dataclass(frozen=True)
class Broken:
    """An internal link that does not resolve, and why."""

    page: str
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.url!r}: {self.reason}"


@dataclass
class Report:
    """Every internal link checked, and those that are broken."""

    checked: list[Link] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)


def pages(outdir: Path, suffixes: Iterable[str] = PAGE_SUFFIXES) -> list[Path]:
    """The pages of a built site, in a stable order."""
    suffixes = tuple(suffixes)
    return sorted(path for path in outdir.rglob("*") if path.suffix in suffixes and path.is_file())


def internal_urls(soup: BeautifulSoup) -> list[str]:
    """Every link-like attribute value of a page that names no scheme and no host."""
    urls = []
    for attribute in LINK_ATTRIBUTES:
        for tag in soup.find_all(attrs={attribute: True}):
            value = tag[attribute].strip()
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or value.startswith("//"):
                continue
            urls.append(value)
    return urls


def check_site(
    outdir: Path,
    *,
    suffixes: Iterable[str] = PAGE_SUFFIXES,
    select: Callable[[str], bool] = lambda target: True,
) -> Report:
    """Check the internal links of every page under ``outdir``.

    ``select`` receives each link's target (an outdir-relative POSIX path) and
    says whether to check that link at all.
    """
    outdir = outdir.resolve()
    suffixes = tuple(suffixes)

    @cache
    def parse(path: Path) -> BeautifulSoup:
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    @cache
    def anchors(path: Path) -> frozenset[str]:
        soup = parse(path)
        ids = {tag["id"] for tag in soup.find_all(id=True)}
        ids |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
        return frozenset(ids)

    report = Report()
    for page in pages(outdir, suffixes):
        page_rel = page.relative_to(outdir).as_posix()
        for url in internal_urls(parse(page)):
            parts = urlsplit(url)
            path, fragment = unquote(parts.path), unquote(parts.fragment)
            if path:
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path))
                if path.endswith("/"):
                    joined = posixpath.join(joined, "index.html")
            else:
                joined = page_rel
            if joined == ".":
                joined = "index.html"
            if not select(joined):
                continue
            report.checked.append(Link(page_rel, url, joined, fragment))
            if joined == ".." or joined.startswith("../") or posixpath.isabs(joined):
                report.broken.append(Broken(page_rel, url, "points outside the site"))
                continue
            target = outdir / joined
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                report.broken.append(Broken(page_rel, url, f"no file {joined}"))
                continue
            if fragment and target.suffix in suffixes and fragment not in anchors(target):
                report.broken.append(Broken(page_rel, url, f"no id {fragment!r} in {joined}"))
    return report
