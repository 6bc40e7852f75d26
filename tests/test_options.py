"""Lenient option blocks (``conference.options``), with docutils alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives
from docutils.statemachine import StringList
from hypothesis import given, settings
from hypothesis import strategies as st

from conference import options
from conference.options import PROBLEMS, LenientOptions, install


class Recorder(Directive):
    """Keeps the options it was given, so the test can look at them."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[LenientOptions] = LenientOptions(
        {name: directives.unchanged for name in ("presenter", "time", "name")})
    seen: ClassVar[list[dict[str, Any]]] = []

    def run(self) -> list[nodes.Node]:
        Recorder.seen.append({"arguments": self.arguments, "options": dict(self.options),
                              "content": list(self.content)})
        return []


class Strict(Recorder):
    option_spec: ClassVar[dict[str, Any]] = {"presenter": directives.unchanged}


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    install()
    install()  # idempotent
    directives.register_directive("recorder", Recorder)
    directives.register_directive("strict", Strict)
    Recorder.seen.clear()
    yield
    directives._directives.pop("recorder", None)
    directives._directives.pop("strict", None)


def parse(text: str) -> tuple[list[dict[str, Any]], list[nodes.system_message]]:
    document = publish_doctree(text, settings_overrides={"report_level": 5})
    return list(Recorder.seen), list(document.findall(nodes.system_message))


def test_a_clean_block_reads_as_docutils_reads_it() -> None:
    seen, errors = parse(".. recorder:: A Title\n   :presenter: Ada\n   :time: 10:00\n\n"
                         "   Body.\n")
    assert errors == []
    assert seen == [{"arguments": ["A Title"],
                     "options": {"presenter": "Ada", "time": "10:00", PROBLEMS: ()},
                     "content": ["Body."]}]


def test_typos_are_problems_at_their_lines_and_the_rest_is_read() -> None:
    source = (".. recorder:: A Title\n"     # 1
              "   :speaker: Ada\n"          # 2
              "   :presenter: Bob\n"        # 3
              "   :presenter: Carol\n"      # 4
              "   time: 10:00\n"            # 5
              "   :tiem: 11:00\n"           # 6
              "   :start time: 12:00\n"     # 7
              "   :name: kept\n"            # 8
              "\n"
              "   Body.\n")
    seen, errors = parse(source)
    assert errors == []
    (only,) = seen
    options = dict(only["options"])
    problems = options.pop(PROBLEMS)
    assert options == {"presenter": "Bob", "name": "kept"}
    assert only["content"] == ["Body."]
    assert [problem.line for problem in problems] == [2, 4, 5, 6, 7]
    speaker, repeat, colon, tiem, words = (problem.message for problem in problems)
    assert ":speaker:" in speaker and ":presenter:" in speaker  # the known options
    assert "'Bob' is used" in repeat and "'Carol' is ignored" in repeat
    assert "'time: 10:00'" in colon
    assert "did you mean :time:?" in tiem
    assert ":start time:" in words


def test_other_directives_keep_docutils_errors() -> None:
    document = publish_doctree(".. strict::\n   :speaker: Ada\n",
                               settings_overrides={"report_level": 5})
    (error,) = document.findall(nodes.system_message)
    assert 'unknown option: "speaker"' in error.astext()
    assert Recorder.seen == []


def test_the_spec_is_a_mapping_of_the_known_options() -> None:
    spec = Recorder.option_spec
    assert sorted(spec) == ["name", "presenter", "time"]
    assert "speaker" not in spec
    with pytest.raises(KeyError):
        spec["speaker"]


# -- the one-line fast path ----------------------------------------------------------

#: Option names: known, unknown, and cased otherwise than the spec.
NAMES = st.sampled_from(["presenter", "time", "name", "Time", "speaker", "x-y", "presenter"])
#: Value pieces: plain words and every kind of markup or block start.
PIECES = st.sampled_from([
    "Ada", "Lovelace", "10:00-10:30", "III", "(Dropbox)", "https://example.org/a_b?c=d",
    "a@b.org", "O'Neil", "1.", "A.", "iv)", "#", "-", "+", "*", "**", "`x`", "|x|", "x_",
    "_x", "[1]_", "::", ":", "\\", "<x>", "é", "x__", "--", ".", ",", "=", "'",
])
VALUES = st.lists(PIECES, max_size=4).map(" ".join)
LINES = st.one_of(
    st.tuples(NAMES, VALUES).map(lambda pair: f":{pair[0]}: {pair[1]}".rstrip()),
    st.tuples(NAMES, VALUES).map(lambda pair: f":{pair[0]}:{pair[1]}"),
    VALUES.map(lambda value: f"  {value}" if value else "  more"),  # a continuation
    VALUES.filter(bool),  # not an option at all
)


def parse_block(lines: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    text = ".. recorder:: T\n" + "".join(f"   {line}\n" for line in lines) + "\n   Body.\n"
    Recorder.seen.clear()  # one test, many examples
    seen, errors = parse(text)
    return seen, [error.astext() for error in errors]


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=5))
def test_plain_blocks_read_fast_read_as_the_nested_parse_reads_them(
    lines: list[str],
) -> None:
    fast = parse_block(lines)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(options, "_simple_fields", lambda datalines: None)
        nested = parse_block(lines)
    assert fast == nested


def test_the_fast_path_takes_the_usual_talk_block() -> None:
    block = StringList([":presenter: Carlos de la Guardia (Mozilla)", ":track: III",
                        ":url: https://us.pycon.org/2013/schedule/presentation/1673/",
                        ":time: 12:21-12:31", ":video: https://www.youtube.com/watch?v=kM_x-k"],
                       source="talk.rst")
    fields = options._simple_fields(block)
    assert fields is not None
    assert [(field[0].astext(), field[1].astext(), field.line) for field in fields][:2] == [
        ("presenter", "Carlos de la Guardia (Mozilla)", 1), ("track", "III", 2)]
    assert options._simple_fields(StringList([":presenter: *Ada*"])) is None
