"""Lenient option blocks (``conference.options``), with docutils alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives

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
