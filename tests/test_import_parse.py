"""Reading programs and writing page source, without Sphinx.

Format detection, the three readers (time zones, sessions after midnight,
identities), the escaping that keeps program text from becoming markup (read
back with docutils itself), and cutting a page into the importer's part and
the writer's notes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
from importlib import import_module
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from hypothesis import given, settings
from hypothesis import strategies as st
from importing import DATA, DEMOCON, PYVIDEO, run_import

from conference import cli
from conference.importer.detect import read_program
from conference.importer.markup import md_line, normal_text, rst_block, rst_line
from conference.importer.pages import Head, new_page, parse_md, parse_rst, updated_page
from conference.importer.program import Program, Session, acronym_of
from conference.importer.sync import file_stem
from conference.model import TalkDataError, parse_links

BERLIN = ZoneInfo("Europe/Berlin")


def read(name: str, timezone: str | None = None) -> Program:
    return read_program((DATA / name).read_bytes(), timezone, None)


def by_ident(program: Program) -> dict[str, Session]:
    return {session.ident: session for session in program.sessions}


# -- detection and time zones ----------------------------------------------------------


@pytest.mark.parametrize(("name", "timezone", "expected"), [
    ("pentabarf.xml", "Europe/Berlin", "frab XML (pentabarf)"),
    ("frab.xml", "Europe/Berlin", "frab XML (frab)"),
    ("pretalx.xml", None, "frab XML (pretalx)"),
    ("schedule.json", None, "frab JSON"),
    ("example-pretalx-democon.json", None, "frab JSON"),
    ("pycon-us-2013-pyvideo.json", None, "pyvideo JSON"),
])
def test_format_is_detected_from_content(name: str, timezone: str | None, expected: str,
                                         tmp_path: Path) -> None:
    # The name says nothing: the same bytes under a meaningless name.
    disguised = tmp_path / "program.dat"
    disguised.write_bytes((DATA / name).read_bytes())
    program = read_program(disguised.read_bytes(), timezone, None)
    assert program.format == expected
    assert program.sessions


@pytest.mark.parametrize("content", [
    b"",
    b"just some text",
    b"<html><body><p>schedule</p></body></html>",
    b"<?xml version='1.0'?><schedule><nothing/></schedule>",
    b"<schedule><conference>",
    b'{"schedule": {"version": "1"}}',
    b"[1, 2, 3]",
    b'[{"title": "no speakers or date"}]',
    b"\xff\xfe\x00garbage",
])
def test_anything_else_is_refused_and_nothing_is_written(content: bytes, tmp_path: Path) -> None:
    program = tmp_path / "program"
    program.write_bytes(content)
    status, out, err = run_import(program, tmp_path / "site")
    assert status == 1
    assert "nothing written" in err
    assert out == ""
    assert not (tmp_path / "site").exists()


def test_xml_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    data = (DATA / "pretalx.xml").read_text("utf-8").replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE schedule [<!ENTITY x SYSTEM "file://{secret}">]>',
    ).replace("Opening words.", "Opening words &x;.")
    program = read_program(data.encode(), None, None)
    assert "TOP SECRET" not in repr(program)


def test_entity_bombs_are_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">']
    for name, previous in zip("bcdef", "abcde", strict=True):
        entities.append(f'<!ENTITY {name} "{f"&{previous};" * 20}">')
    program = tmp_path / "bomb.xml"
    program.write_text(
        f'<?xml version="1.0"?><!DOCTYPE schedule [{"".join(entities)}]>'
        "<schedule><conference><title>&f;</title></conference>"
        '<day index="1" date="2024-01-01"><room name="R"><event id="1"><start>10:00</start>'
        "<title>&f;</title></event></room></day></schedule>", "utf-8")
    status, _, err = run_import(program, tmp_path / "site", "--timezone", "UTC")
    assert status == 1 and "nothing written" in err
    assert not (tmp_path / "site").exists()


def test_offsets_only_need_a_time_zone(tmp_path: Path) -> None:
    status, _, err = run_import(DATA / "frab.xml", tmp_path / "site")
    assert status == 1
    assert "only UTC offsets" in err and "--timezone" in err
    assert not (tmp_path / "site").exists()
    status, _, err = run_import(DATA / "pentabarf.xml", tmp_path / "site")
    assert status == 1 and "--timezone" in err
    status, _, err = run_import(DATA / "frab.xml", tmp_path / "site", "--timezone", "Mars/Olympus")
    assert status == 1 and "not an IANA time zone" in err
    assert not (tmp_path / "site").exists()


def test_zone_name_comes_from_the_program() -> None:
    assert read("pretalx.xml").timezone == "Europe/Berlin"
    assert read("schedule.json").timezone == "Europe/Berlin"
    assert read("pycon-us-2013-pyvideo.json").timezone == "America/Los_Angeles"


# -- readers --------------------------------------------------------------------------


def test_pentabarf_wall_clock_times_after_midnight() -> None:
    program = read("pentabarf.xml", "Europe/Berlin")
    assert program.days == (dt.date(2012, 10, 20), dt.date(2012, 10, 21))
    assert program.location == "Zentralwerk, Dresden"
    sessions = by_ident(program)
    night = sessions["4713"]
    assert night.day == 0  # listed on the first program day...
    assert night.start == dt.datetime(2012, 10, 21, 1, 30, tzinfo=BERLIN)  # ...held after midnight
    assert night.duration == dt.timedelta(minutes=45)
    opening = sessions["4711"]
    assert opening.title == "Eröffnung: „Daten sind Spuren“"
    assert opening.persons == ("Jürgen Müller", "Anna Schütz")
    assert opening.abstract == ("Die Veranstalter begrüßen euch.\n\n"
                                "Danach gibt es einen Überblick über das Programm.")
    assert [(link.kind, link.url) for link in opening.links] == [
        ("video", "https://media.ccc.de/v/ds12-4711"),
        ("slides", "https://example.org/folien/4711.pdf"),
        ("other", "https://datenspuren.de/2012/"),
    ]
    assert (opening.type, opening.kind, opening.language) == ("lecture", "talk", "de")
    assert sessions["4720"].kind == "panel"


def test_frab_guids_and_instants() -> None:
    sessions = by_ident(read("frab.xml", "Europe/Berlin"))
    assert "3f1a5c8e-7b2d-4e61-9a0f-1c2d3e4f5a6b" in sessions  # a UUID guid
    late = sessions["klt19-event-103"]  # not a UUID: still the identity
    assert late.day == 0
    assert late.start is not None
    assert late.start.astimezone(dt.UTC) == dt.datetime(2019, 9, 20, 23, 15, tzinfo=dt.UTC)
    assert sessions["klt19-event-301"].title == "Abschluss & Ausblick"


def test_pretalx_xml_and_json() -> None:
    sessions = by_ident(read("pretalx.xml"))
    late = sessions["7c2f4d0e-3a5b-5c9d-8e1f-2a3b4c5d6e7f"]
    assert late.start == dt.datetime(2023, 11, 5, 0, 30, tzinfo=BERLIN)
    assert late.day == 0
    assert sessions["8d3a5e1f-4b6c-5d0e-9f2a-3b4c5d6e7f8a"].persons == ()
    program = read("schedule.json")
    assert len(program.sessions) == 7
    night = by_ident(program)["0a4bd5e2-8f41-5c3a-9a71-3e0d0b5f6a03"]
    assert (night.day, night.start) == (0, dt.datetime(2023, 9, 16, 0, 30, tzinfo=BERLIN))


def test_democon_example_uses_the_instant_and_says_so() -> None:
    # Its zone is "UTC" but its instants are at +01:00: the instant wins, with a warning.
    program = read("example-pretalx-democon.json")
    document = json.loads(DEMOCON.read_text("utf-8"))
    events = [event for day in document["schedule"]["conference"]["days"]
              for room in day["rooms"].values() for event in room]
    assert len(program.sessions) == len(events)
    first = by_ident(program)[events[0]["guid"]]
    assert first.start == dt.datetime.fromisoformat(events[0]["date"])
    assert any("disagrees with date" in warning for warning in program.warnings)


def test_pyvideo_real_data() -> None:
    program = read("pycon-us-2013-pyvideo.json")
    raw = json.loads(PYVIDEO.read_text("utf-8"))
    assert len(program.sessions) == raw["count"] == 181
    assert program.days == tuple(dt.date(2013, 3, day) for day in range(13, 18))
    assert all(session.start is None for session in program.sessions)
    kinds = [session.kind for session in program.sessions]
    assert kinds.count("tutorial") == 29 and kinds.count("poster") == 29
    assert kinds.count("keynote") == 6
    sessions = by_ident(program)
    ipython = sessions["1652"]
    assert ipython.persons == ("Brian Granger", "Fernando Pérez", "Min Ragan-Kelley")
    assert [(link.kind, link.url) for link in ipython.links] == [
        ("video", "https://www.youtube.com/watch?v=bP8ydKBCZiY"),
        ("other", "https://github.com/ipython/ipython-in-depth"),
    ]
    assert ipython.language == "en"


# -- markup: program text stays text --------------------------------------------------------

HOSTILE_LINES = [
    "`code` and *stars* and **strong** |sub| _target and ref_ and anon__",
    ".. raw:: html",
    ".. include:: /etc/passwd",
    "- a bullet",
    "* another",
    "1. first",
    "a) item",
    "(i) roman",
    "#. auto",
    ">>> print('doctest')",
    "| line block",
    "+-----+-----+",
    "=====",
    "Ends with a literal marker::",
    ":field: list",
    "-o  option list",
    "[1]_ footnote and [CIT]_ citation",
    "<script>alert(1)</script> &amp; &lt;",
    "# Markdown heading",
    "```python",
    "\\ a backslash \\",
    "__ https://example.org",
    "Term",
    ":role:`x`",
]


def rst_text(source: str) -> str:
    """Parse ``source`` with docutils; return its text, failing on any markup or message."""
    document = publish_doctree(source, settings_overrides={
        "report_level": 1, "halt_level": 5, "warning_stream": io.StringIO(),
        "file_insertion_enabled": False, "raw_enabled": False,
    })
    allowed = (nodes.document, nodes.paragraph, nodes.Text, nodes.reference, nodes.target)
    odd = [node for node in document.findall() if not isinstance(node, allowed)]
    assert not odd, [node.tagname for node in odd]
    return "\n\n".join(paragraph.astext() for paragraph in document.findall(nodes.paragraph))


def test_hostile_lines_read_back_literally() -> None:
    for line in HOSTILE_LINES:
        assert rst_text(rst_line(line)) == line, line
    text = "\n".join(HOSTILE_LINES)
    assert rst_text("\n".join(rst_block(text))) == text


def test_markdown_abstract_is_text() -> None:
    abstract = "# Title\n\n- one\n- two\n\n> quoted\n\n    indented code\n\n**bold** <b>html</b>"
    assert rst_text("\n".join(rst_block(abstract))) == normal_text(abstract)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl",
                                                                         "Zp", "Co", "Cn")),
               min_size=1, max_size=40))
def test_any_line_reads_back_as_itself(line: str) -> None:
    line = " ".join(line.split())
    if line:
        assert rst_text(rst_line(line)) == line


def test_markdown_escaping() -> None:
    assert md_line("# not a heading *or* `code` {role} 1. list") == (
        r"\# not a heading \*or\* \`code\` \{role\} 1\. list")


# -- pages ------------------------------------------------------------------------------


HEAD = Head("A *Talk*", (("guid", "g-1"), ("presenter", "Ada")), "Abstract.", "Details.")


def test_notes_and_writer_parts_survive_an_update() -> None:
    notes = ("\r\nMy notes\r\n--------\r\n\r\n- first\r\n\r\n"
             ".. talk:: Another talk\r\n   :presenter: B\r\n")
    page_text = ".. _my-label:\n\n" + new_page("rst", HEAD) + notes
    page = parse_rst(page_text)
    assert page is not None
    assert page.notes == notes
    assert page.prefix == ".. _my-label:\n\n"
    assert page.option("guid") == "g-1"
    assert page.text() == page_text
    changed = Head("Retitled", (("guid", "g-1"), ("presenter", "Ada, Bo")), "New.", "")
    updated = updated_page("rst", page, changed)
    assert updated.endswith(notes)
    assert updated.startswith(".. _my-label:\n\nRetitled\n========\n")
    assert "talk-description" not in updated.split("My notes")[0]


def test_md_page_round_trip() -> None:
    text = new_page("md", HEAD) + "\nnotes *here*\n"
    page = parse_md(text)
    assert page is not None
    assert page.notes == "\nnotes *here*\n"
    assert page.option("presenter") == "Ada"
    assert text.startswith("# A \\*Talk\\*\n\n````{talk}\n:guid: g-1\n:presenter: Ada\n")
    assert "```{talk-description}\nDetails\\.\n```\n````\n" in text


@pytest.mark.parametrize("name", ["DS", "36C3", "Straße 2024", "日本", "../evil", ""])
def test_acronyms_are_what_frab_and_the_configuration_accept(name: str) -> None:
    assert re.fullmatch(r"[a-z0-9_][a-z0-9_]{3,}", acronym_of(name))


@pytest.mark.parametrize(("slug", "title", "stem"), [
    ("../../../etc/passwd", "x", "etc-passwd"),
    ("..\\..\\windows\\system32", "x", "windows-system32"),
    ("/absolute/path", "x", "absolute-path"),
    ("..", "A Title", "a-title"),
    ("", ".hidden", "hidden"),
    ("index", "x", "index-session"),
    ("CON", "x", "con-session"),
    ("", "日本語のタイトル", "session-"),
    ("", "Çà et là: Ünïcödé", "ca-et-la-unicode"),
])
def test_file_stems_are_safe_and_readable(slug: str, title: str, stem: str) -> None:
    made = file_stem(Session(ident="id-1", title=title, day=0, slug=slug))
    assert made.startswith(stem)
    assert "/" not in made and "\\" not in made and not made.startswith(".")
    assert len(file_stem(Session(ident="x", title="word " * 100, day=0))) <= 60


def test_overlapping_sessions_are_reported(tmp_path: Path) -> None:
    document = json.loads((DATA / "schedule.json").read_text("utf-8"))
    day = document["schedule"]["conference"]["days"][0]["rooms"]
    day["Rundbau"][1]["date"] = day["Rundbau"][0]["date"]  # same room, same start
    day["Rundbau"][1]["start"] = day["Rundbau"][0]["start"]
    program = tmp_path / "overlap.json"
    program.write_text(json.dumps(document), "utf-8")
    status, _, err = run_import(program, tmp_path / "site")
    assert status == 0
    assert "overlaps 0a4bd5e2-8f41-5c3a-9a71-3e0d0b5f6a0" in err
    assert "(conference.overlap)" in err


def test_cli_dispatches_to_the_importer() -> None:
    module, _help = cli.COMMANDS["import"]
    assert module == "conference.importer"
    parser = argparse.ArgumentParser()
    import_module(module).add_arguments(parser)
    args = parser.parse_args(["program.xml", "notes", "--timezone", "UTC", "--format", "md"])
    assert (args.program, args.directory) == (Path("program.xml"), Path("notes"))
    assert (args.timezone, args.format) == ("UTC", "md")
    with pytest.raises(SystemExit):
        parser.parse_args(["program.xml", "notes", "--format", "html"])


def test_pyvideo_related_links_are_kept(tmp_path: Path) -> None:
    status, _, _ = run_import(PYVIDEO, tmp_path / "site")
    assert status == 0
    page = parse_rst((tmp_path / "site/wednesday/bayesian-statistics-made-simple.rst")
                     .read_text("utf-8"))
    assert page is not None
    assert page.option("links") == "<http://thinkbayes.com.>"


def test_links_option_syntax() -> None:
    assert parse_links("Code, on GitHub <https://github.com/x>, <https://example.org/y>") == (
        ("Code, on GitHub", "https://github.com/x"), ("", "https://example.org/y"))
    for bad in ("", "no link", "<javascript:alert(1)>", "A <https://a.example/> trailing"):
        with pytest.raises(TalkDataError):
            parse_links(bad)
