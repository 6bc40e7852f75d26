"""A hostile program imports as text: it never escapes DIR and never becomes markup.

Titles with reStructuredText markup, abstracts with directives, ``raw``,
HTML and Markdown, slugs with path separators and ``..``, very long, empty,
duplicate and multi-line titles, unsafe links and odd people. The project
must build with ``-W`` (so nothing turned into a warning either), every text
must appear literally on its page, and every file must be inside DIR, with
reStructuredText pages and with MyST Markdown pages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from importing import build, frab_events, run_import, snapshot
from lxml import etree

LONG = "A very long title " * 30
_STRAIGHT = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "---", "–": "--",
                           "…": "..."})


def straight(text: str) -> str:
    """``text`` with the quotes and dashes Sphinx's smart quotes change made plain again."""
    return text.translate(_STRAIGHT)

#: (slug, title, abstract); each becomes one session.
HOSTILE: list[tuple[str, str, str]] = [
    ("../../../../tmp/escape", "`code` and *stars* |sub| _target ref_ anon__",
     ".. raw:: html\n\n   <script>alert('raw')</script>"),
    ("..\\..\\windows\\evil", ".. a leading comment marker",
     ".. include:: /etc/passwd\n\n.. image:: https://example.org/x.png"),
    ("/absolute/slug", "<script>alert('title')</script>",
     "<b>bold</b> & <img src=x onerror=alert(1)> &amp;"),
    ("..", "# Markdown *title*",
     "# Heading\n\n- item one\n- item two\n\n1. first\n\n> quoted\n\n```python\ncode()\n```"),
    ("", "", "An empty title."),
    ("dup-one", "Same title", "First of two."),
    ("dup-two", "Same title", "Second of two."),
    ("", "Line one\nLine two", "Literal block marker::\n\n    indented"),
    ("long", LONG, "Long."),
    ("index", "A slug that is a reserved name",
     ":field: list\n\n| line block\n\n+---+\n| x |\n+---+"),
]
HOSTILE_PERSONS = ["<script>p()</script>", "Robert'); DROP TABLE talks;--", "Smith, John",
                   "Anna (she/her"]


def hostile_program() -> dict[str, Any]:
    events = []
    for number, (slug, title, abstract) in enumerate(HOSTILE, start=1):
        events.append({
            "id": number, "guid": f"../guid/{number}",
            "date": f"2024-05-04T{8 + number:02d}:00:00+02:00", "start": f"{8 + number:02d}:00",
            "duration": "00:30", "room": "Room *1* |x|",
            "slug": slug, "url": "javascript:alert(1)", "title": title, "subtitle": "`sub`",
            "track": "..", "type": "Talk", "language": "de", "abstract": abstract,
            "description": ".. raw:: html\n\n   <iframe src=//evil>",
            "persons": [{"public_name": HOSTILE_PERSONS[number % len(HOSTILE_PERSONS)]}],
            "links": [{"url": "javascript:alert(2)", "title": "Video", "type": "media"}],
        })
    return {"schedule": {"version": "1", "conference": {
        "acronym": "../evil", "title": "Evil </title> Con `x`", "start": "2024-05-04",
        "end": "2024-05-04", "daysCount": 1, "time_zone_name": "Europe/Berlin",
        "days": [{"index": 1, "date": "2024-05-04", "day_start": "2024-05-04T04:00:00+02:00",
                  "day_end": "2024-05-05T03:59:00+02:00", "rooms": {"Room *1* |x|": events}}],
    }}}


@pytest.fixture(scope="module", params=["rst", "md"])
def imported(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(the temporary root holding DIR and the program, stderr of the import).

    Imported as reStructuredText and as MyST Markdown pages; ``root.name``
    starts with the format.
    """
    root = tmp_path_factory.mktemp(f"{request.param}-hostile")
    program = root / "program.json"
    program.write_text(json.dumps(hostile_program()), "utf-8")
    status, _, err = run_import(program, root / "site", "--format", request.param)
    assert status == 0, err
    build(root / "site")
    return root, err


def test_nothing_is_written_outside_dir(imported: tuple[Path, str]) -> None:
    root, _ = imported
    assert sorted(path.name for path in root.iterdir()) == ["program.json", "site"]
    site = (root / "site").resolve()
    for path in (root / "site").rglob("*"):
        assert path.resolve().is_relative_to(site)
    names = sorted(p.name for p in (root / "site" / "saturday").iterdir())
    ext = root.name.split("-")[0]
    assert f"index.{ext}" in names
    assert all(len(name) <= 64 for name in names)
    assert f"tmp-escape.{ext}" in names and f"windows-evil.{ext}" in names
    assert f"index-session.{ext}" in names


def test_titles_and_abstracts_render_literally(imported: tuple[Path, str]) -> None:
    root, _ = imported
    html = root / "site" / "_build" / "html" / "saturday"
    pages = []
    for page in html.glob("*.html"):
        if page.name != "index.html":
            soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
            # Smart quotes curl the page's quotes; compare them straight. The
            # permalink after the heading is the theme's, not the title's.
            heading = soup.find("h1")
            for permalink in heading.select("a.headerlink"):
                permalink.decompose()
            title = straight(" ".join(heading.get_text().split()))
            body = soup.select_one(".conference-talk-description")
            # No markup came through: no raw HTML, images, lists, headings or tables.
            assert not body.find_all(["script", "iframe", "img", "ul", "ol", "h2",
                                      "blockquote", "pre", "table", "dl"]), title
            pages.append((title, " ".join(straight(body.get_text()).split())))
    expected = [(" ".join(title.split()) or "Untitled session",
                 [" ".join(line.split()) for line in abstract.splitlines()])
                for _, title, abstract in HOSTILE]
    assert sorted(title for title, _ in pages) == sorted(title for title, _ in expected)
    for title, lines in expected:
        assert any(found == title and all(line in body for line in lines)
                   for found, body in pages), title
    every = "".join(p.read_text("utf-8") for p in (root / "site/_build/html").rglob("*.html"))
    assert "<script>alert" not in every and "<iframe" not in every
    assert 'href="javascript:' not in every


def test_exports_keep_the_texts(imported: tuple[Path, str]) -> None:
    root, _ = imported
    exported = {event["title"]: event for event in frab_events(root / "site")}
    assert "`code` and *stars* |sub| _target ref_ anon__" in exported
    assert exported["<script>alert('title')</script>"]["abstract"] == (
        "<b>bold</b> & <img src=x onerror=alert(1)> &amp;")
    assert exported["Line one Line two"]["room"] == "Room *1* |x|"
    assert all(event["links"] == [] for event in exported.values())  # javascript: dropped


def test_problems_are_reported_with_the_session(imported: tuple[Path, str]) -> None:
    _, err = imported
    assert "session ../guid/5 (untitled): no title; titled 'Untitled session'" in err
    assert "session ../guid/8 (Line one Line two): the title has line breaks" in err
    assert "link 'javascript:alert(2)' is not an http(s) URL; left out" in err
    assert "presenter 'Smith, John' written as 'Smith John'" in err


def test_the_same_program_as_frab_xml_writes_the_same_pages(
    imported: tuple[Path, str], tmp_path: Path,
) -> None:
    root, _ = imported
    conference = hostile_program()["schedule"]["conference"]
    schedule = etree.Element("schedule")
    head = etree.SubElement(schedule, "conference")
    for tag in ("acronym", "title", "start", "end", "time_zone_name"):
        etree.SubElement(head, tag).text = conference[tag]
    for day in conference["days"]:
        day_element = etree.SubElement(schedule, "day", index=str(day["index"]),
                                       date=day["date"], start=day["day_start"])
        for room, events in day["rooms"].items():
            room_element = etree.SubElement(day_element, "room", name=room)
            for event in events:
                element = etree.SubElement(room_element, "event", guid=event["guid"],
                                           id=str(event["id"]))
                for tag in ("date", "start", "duration", "room", "slug", "url", "title",
                            "subtitle", "track", "type", "language", "abstract",
                            "description"):
                    etree.SubElement(element, tag).text = event[tag]
                persons = etree.SubElement(element, "persons")
                for person in event["persons"]:
                    etree.SubElement(persons, "person").text = person["public_name"]
                links = etree.SubElement(element, "links")
                for link in event["links"]:
                    etree.SubElement(links, "link", href=link["url"]).text = link["title"]
    program = tmp_path / "program.xml"
    program.write_bytes(etree.tostring(schedule, xml_declaration=True, encoding="utf-8"))
    status, _, err = run_import(program, tmp_path / "site", "--format",
                                root.name.split("-")[0])
    assert status == 0, err
    from_json = {path: data for path, data in snapshot(root / "site").items()
                 if path.startswith("saturday/")}
    from_xml = {path: data for path, data in snapshot(tmp_path / "site").items()
                if path.startswith("saturday/")}
    assert from_xml == from_json
