"""Reading a talk's options so that a typo costs a warning, not the talk.

docutils reads a directive's option block with ``assemble_option_dict``, which
raises on an unknown option (``:speaker:``) and on one given twice; the
reStructuredText parser (``Body.parse_directive_block``) then replaces the
whole directive with an error. For a talk that is the worst outcome: it
vanishes from its day, the sidebar and every export over one typo.

There is no hook for this in docutils: the check runs before any directive
code. So :func:`install` wraps ``Body.parse_extension_options`` once, and the
wrapper changes nothing for any option spec but a :class:`LenientOptions`.
For one, it reads the field list itself: a known option is converted as
docutils would; an unknown one, a repeated one and a line that is no option
at all are recorded under :data:`PROBLEMS` and skipped, and the directive
turns each into a located ``conference.option`` warning.

A :class:`LenientOptions` is a plain ``dict`` of the known options, so parsers
that read ``option_spec`` themselves (MyST) see exactly the directive's
options and keep their own checks.

Most blocks are one ``:name: value`` per line with plain words for values.
Those are read without docutils' nested parse (:func:`_simple_fields`), which
builds a whole state machine per block and cost a talk page a millisecond; a
value with anything docutils could read as markup (``*``, backquotes,
``|``, a trailing ``_``, ``::``, a leading enumerator or punctuation, a
continuation line) sends the block to the nested parse, so both give the same
options and the same problems.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from docutils import nodes
from docutils.parsers.rst import states
from docutils.statemachine import StringList

#: The key of ``Directive.options`` under which a :class:`LenientOptions`
#: leaves the problems it met (a tuple of :class:`OptionProblem`). Option names
#: are single words, so no option can have this name.
PROBLEMS: Final = "conference option problems"

_WRAPPED: Final = "_conference_lenient_options"


class OptionProblem(NamedTuple):
    """One mistake in an option block, and where it is."""

    source: str | None
    line: int | None
    message: str


class LenientOptions(dict[str, Callable[[str], Any]]):
    """An ``option_spec`` whose block is read without ever failing (see the module)."""

    def read(self, fields: list[nodes.field],
             problems: list[OptionProblem]) -> dict[str, Any]:
        """Options from parsed ``fields``; every mistake appended to ``problems``.

        The first of repeated values is used: it is the one next to the
        title, where a reader looks first.
        """
        options: dict[str, Any] = {}
        for field in fields:
            name = " ".join(field[0].astext().split()).lower()
            body = field[1]
            assert isinstance(body, nodes.field_body)
            # docutils hands a converter None for an option without a value.
            value: Any = "\n\n".join(part.astext() for part in body.children) or None

            def problem(message: str, field: nodes.field = field) -> None:
                problems.append(OptionProblem(field.source, field.line, message))

            if name not in self:
                close = difflib.get_close_matches(name, list(self), n=1)
                hint = (f"did you mean :{close[0]}:?" if close else
                        f"known options: {', '.join(f':{known}:' for known in self)}")
                problem(f"unknown option :{name}: ignored ({hint})")
            elif name in options:
                problem(f"option :{name}: is given more than once; the first value "
                        f"{options[name]!r} is used, {value!r} is ignored")
            else:
                try:
                    options[name] = self[name](value)
                except (ValueError, TypeError) as exc:
                    problem(f"invalid :{name}: {value!r}: {exc}; ignored")
        return options


def install() -> None:
    """Read every :class:`LenientOptions` block leniently (idempotent, process-wide).

    Every other option spec goes to docutils' own method, unchanged.
    """
    original = states.Body.parse_extension_options
    if getattr(original, _WRAPPED, False):
        return

    def parse_extension_options(
        self: states.Body, option_spec: Any, datalines: StringList
    ) -> tuple[int, Any]:
        if not isinstance(option_spec, LenientOptions):
            result: tuple[int, Any] = original(self, option_spec, datalines)  # type: ignore[no-untyped-call]
            return result
        return 1, _read_block(self, option_spec, datalines)

    setattr(parse_extension_options, _WRAPPED, True)
    states.Body.parse_extension_options = parse_extension_options  # type: ignore[method-assign]


#: One option on one line, ``:name: value``, whose name and value docutils
#: reads as plain text.
_SIMPLE_FIELD: Final = re.compile(r":([A-Za-z0-9-]+):(?:[ ]+(.*?))?[ ]*")
#: Characters of a plain value; anything else may be markup.
_PLAIN_VALUE: Final = re.compile(r"[\w .,;:/?=&%#@+()'!~-]*")
#: Plain characters that docutils still reads as markup where they stand: a
#: literal-block marker, an underscore that ends a word (a reference), and a
#: value that starts like a list item or with punctuation.
_MARKUP_IN_PLAIN: Final = re.compile(r"::|_(?!\w)|^\W|^\w+[.)](?:\s|$)")


def _simple_fields(datalines: StringList) -> list[nodes.field] | None:
    """The fields of a block of plain one-line options, or ``None`` for any other block.

    Each field is what docutils' field list parse makes of that line: a
    name, and a body holding the value as one paragraph (none when empty),
    at the line's source and line number.
    """
    fields: list[nodes.field] = []
    for index, line in enumerate(datalines):
        match = _SIMPLE_FIELD.fullmatch(line)
        if match is None:
            return None
        name, value = match[1], match[2] or ""
        if value and (_PLAIN_VALUE.fullmatch(value) is None
                      or _MARKUP_IN_PLAIN.search(value) is not None):
            return None
        body = nodes.field_body()
        if value:
            body += nodes.paragraph(value, value)
        field = nodes.field("", nodes.field_name(name, name), body)
        source, offset = datalines.info(index)
        field.source, field.line = source, None if offset is None else offset + 1
        fields.append(field)
    return fields


def _read_block(state: states.Body, spec: LenientOptions,
                datalines: StringList) -> dict[str, Any]:
    """Parse the field list in ``datalines``, skipping any line that is not a field."""
    problems: list[OptionProblem] = []
    simple = _simple_fields(datalines)
    if simple is not None:
        return _options(spec, simple, problems)
    fields: list[nodes.field] = []
    start = 0
    while start < len(datalines):
        holder = nodes.field_list()
        rest = datalines[start:]
        # The offset of the last line the parse took: len(rest) once it took all.
        offset, _blank_finish = state.nested_list_parse(
            rest, 0, holder, initial_state="ExtensionOptions", blank_finish=True
        )
        fields.extend(child for child in holder.children if isinstance(child, nodes.field))
        if offset >= len(rest):
            break
        # A line that is neither an option nor part of one (``presenter: Ada``
        # without its first colon): say so, and read on after it.
        start += offset + 1
        source, line = datalines.info(start)
        problems.append(OptionProblem(
            source, None if line is None else line + 1,
            f"{datalines[start].strip()!r} is not an option (options are written "
            "':name: value'); ignored",
        ))
        start += 1
    return _options(spec, fields, problems)


def _options(spec: LenientOptions, fields: list[nodes.field],
             problems: list[OptionProblem]) -> dict[str, Any]:
    """The options of ``fields``, with every problem met, in line order."""
    options = spec.read(fields, problems)
    options[PROBLEMS] = tuple(sorted(problems, key=lambda problem: problem.line or 0))
    return options
