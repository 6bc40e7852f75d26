r"""Program text as page source that reads back as exactly that text, never as markup.

A title like ``*args and |kwargs|``, an abstract holding ``.. raw:: html`` or
a Markdown list must come out of the page as the characters the program
spelled, so every character that could start markup is backslash-escaped:

* inline: ``\``, ``*``, `````, ``|``, a ``_`` that could end a reference
  (not followed by a letter or digit), and ``::`` (a literal block marker);
* at the start of a line: any character that is not a letter or digit
  (bullets, ``..``, ``>>>``, ``|``, tables, section adornments), and the
  punctuation of an enumerator (``1.``, ``a)``).

Leading and trailing spaces of each line are dropped (indentation would be a
block quote) and runs of blank lines become one: that is the form in which an
imported text round-trips (:func:`normal_text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

_RST_INLINE: Final = frozenset("\\*`|")
_ENUMERATOR_RE: Final = re.compile(r"([0-9]+|[A-Za-z]|[ivxlcdmIVXLCDM]+)([.)])(\s|$)")
#: What a backslash escapes in MyST Markdown (CommonMark's ASCII punctuation, less
#: the few that never start markup, to keep pages readable).
_MD_SPECIAL: Final = frozenset("\\`*_{}[]<>()#+-.!|~$:&=^")


def normal_text(text: str) -> str:
    """``text`` as a page gives it back: lines stripped, paragraphs one blank line apart."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.split("\n")]
        paragraphs.append("\n".join(line for line in lines if line))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def rst_line(line: str) -> str:
    """One line of text (already stripped) as reStructuredText."""
    out: list[str] = []
    enumerator = _ENUMERATOR_RE.match(line)
    for index, char in enumerate(line):
        following = line[index + 1] if index + 1 < len(line) else ""
        escape = (
            char in _RST_INLINE
            or (char == "_" and not following.isalnum())
            or (char == ":" and following == ":")
            or (index == 0 and not char.isalnum())
            or (enumerator is not None and index == enumerator.end(1))
        )
        out.append("\\" + char if escape else char)
    return "".join(out)


def _block(text: str, escape_line: Callable[[str], str]) -> list[str]:
    """``text`` normalised, each line escaped, ``""`` between paragraphs.

    Both syntaxes separate paragraphs the same way; only the escaping differs.
    """
    lines: list[str] = []
    for paragraph in normal_text(text).split("\n\n"):
        if paragraph:
            if lines:
                lines.append("")
            lines.extend(escape_line(line) for line in paragraph.split("\n"))
    return lines


def rst_block(text: str) -> list[str]:
    """A multi-paragraph text as reStructuredText lines (``""`` between paragraphs)."""
    return _block(text, rst_line)


def md_line(line: str) -> str:
    """One line of text (already stripped) as MyST Markdown."""
    return "".join("\\" + char if char in _MD_SPECIAL else char for char in line)


def md_block(text: str) -> list[str]:
    """A multi-paragraph text as MyST Markdown lines (``""`` between paragraphs).

    A trailing backslash would be a hard line break: none can end a line,
    since every backslash is escaped.
    """
    return _block(text, md_line)


def unescape(source: str) -> str:
    r"""The text of escaped source (``\x`` -> ``x``), as a reader of an option sees it."""
    return re.sub(r"\\(.)", r"\1", source)
