"""Every builder Read the Docs or a reader uses builds the real site, and shows its data.

One copy of the site is built by html, dirhtml, singlehtml, epub, latex, text,
man and texinfo with the Makefile's strict options (``-W --keep-going -n``),
sharing one doctree folder as ``make html latex ...`` does. Then, in each
output, the header of one talk and the Friday schedule are read back as plain
text and compared: the HTML output, checked against the talk pages, is the
reference for the other formats.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup, Tag
from sitebuild import STRICT, SiteBuilds, copy_site, describe, run_sphinx

pytestmark = pytest.mark.slow

BUILDERS = ("html", "dirhtml", "singlehtml", "epub", "latex", "text", "man", "texinfo")
#: The main file each builder writes.
MAIN_OUTPUT = {
    "html": "index.html",
    "dirhtml": "index.html",
    "singlehtml": "index.html",
    "epub": "PyCon2013ScheduleNotes.epub",
    "latex": "pycon2013-notes.tex",
    "text": "index.txt",
    "man": "pycon2013-notes.7",
    "texinfo": "pycon2013-notes.texi",
}
TALK_DOC = "friday/messaging-at-scale-at-instagram"
TALK_TITLE = "Messaging at Scale at Instagram"
DAY_DOC, DAY_TITLE = "friday/index", "Friday"
TEX_PACKAGES = (
    "texlive-latex-recommended texlive-fonts-recommended texlive-latex-extra latexmk tex-gyre"
)

Row = tuple[str, ...]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> SiteBuilds:
    root = tmp_path_factory.mktemp("builders")
    return SiteBuilds(copy_site(root / "src"), root / "build")


def squash(text: str) -> str:
    return " ".join(text.split())


# --- HTML family: html, dirhtml, singlehtml, epub ---------------------------------------

HTML_PAGE = {
    "html": "{doc}.html",
    "dirhtml": "{doc}/index.html",
    "singlehtml": "index.html",
    "epub": "{doc}.xhtml",
}


def html_page(outdir: Path, builder: str, doc: str) -> BeautifulSoup:
    if builder == "dirhtml" and doc.endswith("/index"):
        doc = doc.removesuffix("/index")
    path = outdir / HTML_PAGE[builder].format(doc=doc)
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_text(element: Tag) -> str:
    """Visible text; an external link reads ``label <url>``, as on paper."""
    element = BeautifulSoup(str(element), "html.parser")
    for link in element.find_all("a", class_="headerlink"):
        link.decompose()
    for link in element.find_all("a", href=re.compile(r"^https?:")):
        link.append(f" <{link['href']}>")
    return squash(element.get_text())


def html_section(soup: BeautifulSoup, title: str) -> Tag:
    for section in soup.find_all("section"):
        heading = section.find(re.compile(r"^h[1-6]$"))
        if heading is not None and html_text(heading) == title:
            return section
    raise AssertionError(f"no section titled {title!r}")


def html_fields(outdir: Path, builder: str) -> dict[str, str]:
    section = html_section(html_page(outdir, builder, TALK_DOC), TALK_TITLE)
    return field_list(section)


def field_list(element: Tag) -> dict[str, str]:
    """The first field list in ``element``: field name -> plain text of its body."""
    fields = element.find("dl", class_="field-list")
    assert fields is not None, "no field list"
    names = [html_text(dt).rstrip(":").strip() for dt in fields.find_all("dt", recursive=False)]
    values = [html_text(dd) for dd in fields.find_all("dd", recursive=False)]
    return dict(zip(names, values, strict=True))


def html_schedule(outdir: Path, builder: str) -> list[Row]:
    table = html_section(html_page(outdir, builder, DAY_DOC), DAY_TITLE).find("table")
    assert table is not None, "no schedule table on the Friday page"
    return [
        tuple(html_text(cell) for cell in row.find_all(["td", "th"]))
        for row in table.find_all("tr")
    ]


# --- text ----------------------------------------------------------------------------------


def text_fields(outdir: Path, builder: str) -> dict[str, str]:
    """``Label:`` lines followed by indented values, at the top of the talk's page."""
    text = (outdir / f"{TALK_DOC}.txt").read_text(encoding="utf-8")
    return {
        name: squash(value)
        for name, value in re.findall(r"^(\S[^\n]*):\n((?:   \S[^\n]*\n)+)", text, re.M)
    }


def text_schedule(outdir: Path, builder: str) -> list[Row]:
    """The cells of the first grid table of the Friday page, wrapped lines joined."""
    lines = (outdir / f"{DAY_DOC}.txt").read_text(encoding="utf-8").splitlines()
    border = next(line for line in lines if line.startswith("+-"))
    edges = [index for index, char in enumerate(border) if char == "+"]
    rows: list[Row] = []
    cells: list[list[str]] = []
    for line in lines[lines.index(border) + 1 :]:
        if line.startswith(("+-", "|=")):
            rows.append(tuple(squash(" ".join(cell)) for cell in cells))
            cells = []
            continue
        if not line.startswith("|"):
            break
        parts = [line[start + 1 : end] for start, end in pairwise(edges)]
        cells = cells or [[] for _ in parts]
        for cell, part in zip(cells, parts, strict=True):
            cell.append(part)
    return rows


def source_fields(source: str, start: str, end: str, field: str,
                  plain: Callable[[str], str]) -> dict[str, str]:
    """The talk's header fields in a print format's source: name -> plain text of the value.

    The header is the block from ``start`` (the talk's heading) to the next
    ``end``; ``field`` matches one field, its name and its value as groups.
    """
    begin = source.index(start)
    block = source[begin : source.index(end, begin)]
    return {plain(name): plain(value) for name, value in re.findall(field, block, re.M | re.S)}


# --- LaTeX ---------------------------------------------------------------------------------

LATEX_TEXT = {
    r"\textendash{}": "–",
    r"\textemdash{}": "—",
    r"\sphinxhyphen{}": "-",
    r"\&": "&",
    r"\_": "_",
    r"\#": "#",
    r"\%": "%",
    r"\$": "$",
}


def latex_plain(source: str) -> str:
    source = re.sub(r"\\begin\{varwidth\}\[t\]\{\\sphinxcolwidth\{\d+\}\{\d+\}\}", "", source)
    source = re.sub(r"\\end\{varwidth\}%?", "", source)
    source = re.sub(r"\\(?:hyperref|label)\[[^\]]*\]", "", source)
    source = re.sub(r"\\(?:label|index)\{(?:[^{}]|\{[^{}]*\})*\}", "", source)
    source = re.sub(r"\\sphinxhref\{([^}]*)\}\{([^}]*)\}", r"\2 <\1>", source)
    for command, text in LATEX_TEXT.items():
        source = source.replace(command, text)
    source = re.sub(r"\\[A-Za-z]+\*?", "", source)
    return squash(source.replace("{", "").replace("}", ""))


def latex_source(outdir: Path) -> str:
    return (outdir / MAIN_OUTPUT["latex"]).read_text(encoding="utf-8")


def latex_fields(outdir: Path, builder: str) -> dict[str, str]:
    source = latex_source(outdir)
    # conf.py: each day is a \part, each talk a \chapter.
    start = source.index(rf"\chapter{{{TALK_TITLE}}}")
    block = source[start : source.index(r"\end{description}", start)]
    items = block.split(r"\sphinxlineitem{")[1:]
    return dict(
        (latex_plain(item[: item.index("}")]), latex_plain(item[item.index("}") + 1 :]))
        for item in items
    )


def latex_schedule(outdir: Path, builder: str) -> list[Row]:
    source = latex_source(outdir)
    start = source.index(rf"\part{{{DAY_TITLE}}}")
    # A tabular: the schedule gives its column widths (see render.schedule_table).
    end = source.index(r"\end{tabular}", start)
    table = source[source.index(r"\begin{tabular}", start) : end]
    table = table[table.index(r"\sphinxtoprule") :]
    return [
        tuple(latex_plain(cell) for cell in row.split("\n&"))
        for row in table.split("\\\\\n")
        if latex_plain(row)
    ]


# --- man -----------------------------------------------------------------------------------

MAN_TEXT = {r"\-": "-", r"\(aq": "'", r"\(dq": '"', r"\(em": "—", r"\(en": "–", r"\e": "\\"}


def man_plain(source: str) -> str:
    # Link targets print as \%<uri>; internal ones (#id, or empty) mean nothing on paper.
    source = re.sub(r"\\%<([^>]*)>", lambda m: "<" + m[1].replace(r"\:", "") + ">", source)
    source = re.sub(r"\s*<#[^>]*>|\s*<>", "", source)
    # Font changes and \% (no hyphenation) print nothing; Sphinx 8.x's man
    # writer (docutils 0.21) puts them around link texts.
    source = re.sub(r"\\f[BIPR]|\\%", "", source)
    for escape, text in MAN_TEXT.items():
        source = source.replace(escape, text)
    return squash(source.replace(r"\&", ""))


def man_source(outdir: Path) -> str:
    return (outdir / MAIN_OUTPUT["man"]).read_text(encoding="utf-8")


def man_fields(outdir: Path, builder: str) -> dict[str, str]:
    return source_fields(man_source(outdir), f".SS {TALK_TITLE}\n", ".UNINDENT",
                         r"^\.TP\n\.B ([^\n]*)\n(.*?)(?=^\.TP|\Z)", man_plain)


def man_schedule(outdir: Path, builder: str) -> list[Row]:
    source = man_source(outdir)
    start = source.index(f".SH {DAY_TITLE.upper()}\n")
    table = source[source.index(".TS", start) : source.index(".TE", start)]
    columns = len(re.search(r"^([lcr|]+)\.$", table, re.M)[1].replace("|", ""))
    cells = [man_plain(cell) for cell in re.findall(r"T\{\n(.*?)\nT\}", table, re.S)]
    return [tuple(cells[index : index + columns]) for index in range(0, len(cells), columns)]


# --- Texinfo -------------------------------------------------------------------------------


def texinfo_plain(source: str) -> str:
    source = source.replace("@comma{}", ",").replace("@*", "")
    source = re.sub(r"@ref\{[^,}]*,,([^}]*)\}", r"\1", source)
    source = re.sub(r"@footnote\{([^}]*)\}", r" <\1>", source)
    source = source.replace("@{", "{").replace("@}", "}").replace("@@", "@")
    return squash(source)


def texinfo_source(outdir: Path) -> str:
    return (outdir / MAIN_OUTPUT["texinfo"]).read_text(encoding="utf-8")


def texinfo_fields(outdir: Path, builder: str) -> dict[str, str]:
    return source_fields(texinfo_source(outdir), f"@section {TALK_TITLE}\n", "@menu",
                         r"^@\*([^\n:]+): \n(.*?)\n\n", texinfo_plain)


def texinfo_schedule(outdir: Path, builder: str) -> list[Row]:
    source = texinfo_source(outdir)
    start = source.index(f"@chapter {DAY_TITLE}\n")
    table = source[source.index("@headitem", start) : source.index("@end multitable", start)]
    rows = re.split(r"^@(?:headitem|item)\n", table, flags=re.M)
    return [tuple(texinfo_plain(cell) for cell in row.split("@tab")) for row in rows if row.strip()]


FIELDS: dict[str, Callable[[Path, str], dict[str, str]]] = {
    **dict.fromkeys(HTML_PAGE, html_fields),
    "latex": latex_fields,
    "text": text_fields,
    "man": man_fields,
    "texinfo": texinfo_fields,
}
SCHEDULE: dict[str, Callable[[Path, str], list[Row]]] = {
    **dict.fromkeys(HTML_PAGE, html_schedule),
    "latex": latex_schedule,
    "text": text_schedule,
    "man": man_schedule,
    "texinfo": texinfo_schedule,
}


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("builder", BUILDERS)
def test_builder_passes_with_warnings_as_errors(builds: SiteBuilds, builder: str) -> None:
    outdir = builds(builder)  # asserts exit status 0 and no warning
    assert (outdir / MAIN_OUTPUT[builder]).is_file()


@pytest.mark.parametrize("builder", BUILDERS)
def test_talk_header_is_readable(builds: SiteBuilds, builder: str) -> None:
    fields = FIELDS[builder](builds(builder), builder)
    assert fields.get("Presenter") is not None, fields
    assert "Rick Branson" in fields["Presenter"]
    assert fields["Track"] == "II"
    assert "Friday, March 15, 2013" in fields["When"]
    assert "10:50–11:20" in fields["When"]
    if "Links" in fields:  # HTML formats: labelled links
        assert fields["Links"].split(" · ")[0].startswith("Official page")
        assert "Video" in fields["Links"]
    else:  # print and plain-text formats: one field per link, URL spelled out
        assert "Official page" in fields
        assert "Video" in fields


VIDEO = "https://www.youtube.com/watch?v=E708csv4XgY"


@pytest.mark.parametrize("builder", BUILDERS)
def test_talk_links_carry_their_urls(builds: SiteBuilds, builder: str) -> None:
    fields = FIELDS[builder](builds(builder), builder)
    if "Links" in fields:
        assert f"Video <{VIDEO}>" in fields["Links"]
    else:
        assert VIDEO in fields["Video"].replace(" ", "").replace("\n", "")


@pytest.fixture(scope="module")
def reference_schedule(builds: SiteBuilds) -> list[Row]:
    """The Friday table of the HTML site, checked against the talk pages it links."""
    outdir = builds("html")
    page = html_page(outdir, "html", DAY_DOC)
    rows = html_schedule(outdir, "html")
    assert rows[0] == ("Time", "Talk", "Presenters", "Track")
    links = [row.find("a") for row in page.find("table").find("tbody").find_all("tr")]
    for row, link in zip(rows[1:], links, strict=True):
        talk = BeautifulSoup(
            (outdir / "friday" / link["href"].split("#")[0]).read_text(encoding="utf-8"),
            "html.parser",
        )
        fields = field_list(talk)
        assert row[1] == html_text(talk.find("h1"))
        assert row[2] in fields.get("Presenter", fields.get("Presenters", ""))
        assert row[3] == fields["Track"]
        if row[0] != "—":
            assert row[0] in fields["When"], (row, fields["When"])
    timed = [row[0] for row in rows[1:] if row[0] != "—"]
    assert len(timed) >= 3
    assert timed == sorted(timed)
    assert rows[1 : len(timed) + 1] == [row for row in rows[1:] if row[0] != "—"]
    return rows


def same_text(rows: list[Row]) -> list[Row]:
    # Texinfo node names cannot hold ":"; Sphinx writes ";" in cross-reference titles.
    return [tuple(cell.replace(":", ";") for cell in row) for row in rows]


#: Builders that Sphinx reads without smart quotes (``smartquotes_excludes``).
#: Their pages are read again under their own settings (``conference.dependencies``),
#: so they show the source's straight quotes, as a clean build of theirs does.
PLAIN_QUOTES = frozenset({"text", "man"})


def straight_quotes(rows: list[Row]) -> list[Row]:
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
    return [tuple(cell.translate(table) for cell in row) for row in rows]


@pytest.mark.parametrize("builder", BUILDERS)
def test_friday_schedule_is_readable(
    builds: SiteBuilds, builder: str, reference_schedule: list[Row]
) -> None:
    rows = SCHEDULE[builder](builds(builder), builder)
    expected = reference_schedule
    if builder in PLAIN_QUOTES:
        expected = straight_quotes(expected)
    assert same_text(rows) == same_text(expected)


def test_schedule_in_latex_is_a_table_with_every_friday_talk(builds: SiteBuilds) -> None:
    source = latex_source(builds("latex"))
    friday = source[source.index(r"\part{Friday}") : source.index(r"\part{Saturday}")]
    assert friday.count(r"\begin{tabular}") == 1
    assert "Rick Branson" in friday
    assert r"10:50\textendash{}11:20" in friday


def test_dirhtml_links_calendars_one_folder_deeper(builds: SiteBuilds) -> None:
    hrefs = {}
    for builder, page_url in (
        ("html", f"{TALK_DOC}.html"),
        ("dirhtml", f"{TALK_DOC}/"),
    ):
        soup = html_page(builds(builder), builder, TALK_DOC)
        (link,) = soup.find_all("a", string="Add to calendar")
        hrefs[builder] = link["href"]
        assert urljoin(f"http://site/{page_url}", link["href"]).startswith("http://site/calendar/")
    assert hrefs["dirhtml"] == "../" + hrefs["html"]
    assert hrefs["html"].startswith("../calendar/") and hrefs["html"].endswith(".ics")


def test_epub_is_a_valid_book_without_calendar_links(builds: SiteBuilds) -> None:
    outdir = builds("epub")
    with zipfile.ZipFile(outdir / MAIN_OUTPUT["epub"]) as book:
        assert book.testzip() is None
        assert book.namelist()[0] == "mimetype"
        page = book.read(f"{TALK_DOC}.xhtml").decode("utf-8")
    assert "Rick Branson" in page
    assert "Add to calendar" not in page
    assert ".ics" not in page


def epubcheck_command() -> list[str]:
    """How to run EPUBCheck: Debian's ``/usr/bin/epubcheck`` is the jar itself."""
    tool = shutil.which("epubcheck")
    java = shutil.which("java")
    if tool is None or java is None:
        reason = "EPUBCheck is not installed (Debian: apt-get install epubcheck)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    real = Path(tool).resolve()
    return [java, "-jar", str(real)] if real.suffix == ".jar" else [tool]


def test_epub_has_no_dead_links(builds: SiteBuilds) -> None:
    """Only http(s), mailto and in-book links: ``tcp:8080`` in the notes was a link once."""
    outdir = builds("epub")
    with zipfile.ZipFile(outdir / MAIN_OUTPUT["epub"]) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                soup = BeautifulSoup(book.read(name).decode("utf-8"), "html.parser")
                for link in soup.find_all("a", href=True):
                    scheme = re.match(r"([a-z][a-z0-9+.-]*):", link["href"])
                    assert scheme is None or scheme[1] in {"http", "https", "mailto"}, (
                        name, link["href"])


@pytest.mark.slow
def test_epub_passes_epubcheck(builds: SiteBuilds) -> None:
    book = builds("epub") / MAIN_OUTPUT["epub"]
    result = subprocess.run([*epubcheck_command(), str(book)], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 fatals / 0 errors / 0 warnings" in result.stdout, result.stdout + result.stderr


def test_man_page_names_the_presenters(builds: SiteBuilds) -> None:
    source = man_source(builds("man"))
    assert re.search(r'^\.TH "PYCON2013-NOTES" "7"', source, re.M)
    for person in ("Rick Branson", "Adam Hitchcock", "Dana Bauer, Idan Gazit"):
        assert person in man_plain(source)


TEX_TOOLS = ("latexmk", "pdflatex", "make", "pdftotext")


def require_tex() -> None:
    """Skip without TeX locally; fail in CI (``CI`` set), where ``.ci/run`` installs it."""
    missing = [tool for tool in TEX_TOOLS if not shutil.which(tool)]
    if not missing:
        return
    reason = (f"no TeX installation ({', '.join(missing)} missing; "
              f"Debian: apt-get install {TEX_PACKAGES} poppler-utils)")
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (.ci/run installs them in CI)")
    pytest.skip(reason)


def pdf_text(pdf: Path, *pages: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", *pages, str(pdf), "-"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout


@pytest.fixture(scope="module")
def pdf(builds: SiteBuilds) -> Path:
    """``make latexpdf``: ``sphinx-build -M latexpdf`` with the Makefile's options."""
    require_tex()
    builds("latex")  # shares the doctrees and the latex folder, as -M does
    result = run_sphinx(
        ["-M", "latexpdf", str(builds.srcdir), str(builds.root), *STRICT], cwd=builds.srcdir
    )
    assert result.returncode == 0, describe(result)
    path = builds.outdir("latex") / "pycon2013-notes.pdf"
    assert path.read_bytes().startswith(b"%PDF-")
    return path


def test_latexpdf_builds_the_pdf(pdf: Path) -> None:
    text = pdf_text(pdf)
    for expected in ("PyCon 2013 Schedule & Notes", TALK_TITLE, "Rick Branson", "10:50–11:20"):
        assert expected in text


def test_pdf_title_page_shows_the_conference_dates(pdf: Path) -> None:
    title_page = squash(pdf_text(pdf, "-f", "1", "-l", "1"))
    assert "PyCon 2013 Schedule & Notes" in title_page
    assert "March 14–17, 2013" in title_page


def test_pdf_leaves_screen_only_text_out(pdf: Path) -> None:
    text = squash(pdf_text(pdf))
    for screen_only in ("Use the sidebar", "Add to calendar", "Add this day to your calendar",
                        "Take the schedule with you"):
        assert screen_only not in text
    assert "The schedule below lists every talk" in text


def test_pdf_puts_other_conferences_in_a_part_of_their_own(pdf: Path) -> None:
    source = latex_source(pdf.parent)
    parts = re.findall(r"^\\part\{([^}]*)\}", source, re.M)
    assert parts[:5] == ["Thursday", "Friday", "Saturday", "Sunday",
                         "Talks from other conferences"]
    other = source[source.index(r"\part{Talks from other conferences}"):]
    other = other[: other.index(r"\part{", 1)]
    assert r"\chapter{Keynote: Paul Graham, YCombinator}" in other


def test_pdf_has_no_overfull_lines(pdf: Path) -> None:
    log = pdf.with_suffix(".log").read_text(encoding="latin-1")
    assert re.findall(r"^Overfull \\hbox.*$", log, re.M) == []
