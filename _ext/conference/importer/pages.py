r"""Talk pages: writing the imported part, and finding it again in a page.

A page is ``prefix + title + between + directive + notes``. The importer
owns the title and the ``talk`` directive (its options and content: the
abstract and the ``talk-description`` block); ``prefix`` (anything above the
title), ``between`` (anything between title and directive) and ``notes``
(everything after the directive) belong to the writer and are carried over
byte for byte. Pages are read and written as bytes decoded from UTF-8 with
no newline translation, so ``\r\n`` notes stay ``\r\n``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from docutils.utils import column_width

from .markup import md_block, md_line, rst_block, rst_line

_RST_DIRECTIVE_RE: Final = re.compile(r"\.\. talk::[ \t]*\r?\n?")
_RST_OPTION_RE: Final = re.compile(r"([ \t]+):([A-Za-z][\w-]*):(?:[ \t]+(.*?))?[ \t]*\r?\n?")
_MD_FENCE_RE: Final = re.compile(r"(`{3,}|:{3,})\{talk\}[ \t]*\r?\n?")
_MD_OPTION_RE: Final = re.compile(r":([A-Za-z][\w-]*):(?:[ \t]+(.*?))?[ \t]*\r?\n?")
_ADORNMENT_RE: Final = re.compile(r"([!-/:-@\[-`{-~])\1*[ \t]*\r?\n?")


@dataclasses.dataclass(frozen=True)
class Head:
    """What the importer writes: a title, options (source form), abstract, description."""

    title: str
    #: ``(name, value)`` with ``value`` already in page source form.
    options: tuple[tuple[str, str], ...]
    abstract: str = ""
    description: str = ""


@dataclasses.dataclass(frozen=True)
class Page:
    """A page found on disk, cut into the importer's part and the writer's parts."""

    prefix: str
    title_source: str
    between: str
    directive_source: str
    notes: str
    #: ``(name, value source, raw lines)``; the raw lines are re-emitted unchanged.
    options: tuple[tuple[str, str, str], ...]

    def option(self, name: str) -> str | None:
        """The text of option ``name`` (option text is never markup), or ``None``."""
        for key, value, _raw in self.options:
            if key == name:
                return value
        return None

    @property
    def has_notes(self) -> bool:
        """Whether the writer wrote anything after the directive."""
        return bool(self.notes.strip())

    def text(self) -> str:
        """The page's text, as read."""
        return self.prefix + self.title_source + self.between + self.directive_source + self.notes


def _lines(text: str) -> list[str]:
    """Lines with their line ends; ``"".join`` gives ``text`` back exactly."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


def _last_text_line(lines: list[str], start: int) -> int:
    """The index of the last non-blank line above ``lines[start]``; -1 if none."""
    cursor = start - 1
    while cursor >= 0 and not lines[cursor].strip():
        cursor -= 1
    return cursor


def _cut(lines: list[str], title: tuple[int, int], directive: tuple[int, int],
         options: list[tuple[str, str, str]]) -> Page:
    """The page cut into its parts at the title's and the directive's lines (start, end).

    Either syntax finds these line indices its own way; the cut is the same.
    """
    (title_start, title_end), (start, end) = title, directive
    return Page(
        prefix="".join(lines[:title_start]),
        title_source="".join(lines[title_start:title_end]),
        between="".join(lines[title_end:start]),
        directive_source="".join(lines[start:end]),
        notes="".join(lines[end:]),
        options=tuple(options),
    )


# -- reStructuredText -----------------------------------------------------------------


def rst_title(title: str) -> str:
    """The title and its underline."""
    source = rst_line(title)
    return f"{source}\n{'=' * max(column_width(source), 3)}\n"


def rst_directive(head: Head) -> str:
    """The ``talk`` directive with its options and content."""
    lines = [".. talk::"]
    lines += [f"   :{name}: {value}" for name, value in head.options]
    abstract = rst_block(head.abstract)
    if abstract:
        lines.append("")
        lines += [f"   {line}" if line else "" for line in abstract]
    description = rst_block(head.description)
    if description:
        lines += ["", "   .. talk-description::", ""]
        lines += [f"      {line}" if line else "" for line in description]
    return "\n".join(lines) + "\n"


def parse_rst(text: str) -> Page | None:
    """Cut an RST page at its first ``talk`` directive; ``None`` without one."""
    lines = _lines(text)
    start = next((i for i, line in enumerate(lines) if _RST_DIRECTIVE_RE.fullmatch(line)), None)
    if start is None:
        return None
    end = start + 1
    last = start
    options: list[tuple[str, str, str]] = []
    in_options = True
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line[0].isspace():
            break
        if line.strip():
            last = end
            match = _RST_OPTION_RE.fullmatch(line)
            if in_options and match is not None:
                options.append((match.group(2), match.group(3) or "", line))
            elif in_options and options and len(line) - len(line.lstrip()) > 3:
                name, value, raw = options[-1]  # a continuation line of the option
                options[-1] = (name, f"{value} {line.strip()}", raw + line)
            else:
                in_options = False
        elif options:
            in_options = False
        end += 1
    # The title: the adornment and text lines just above the directive.
    cursor = _last_text_line(lines, start)
    title_start = title_end = start
    if cursor >= 1 and _ADORNMENT_RE.fullmatch(lines[cursor]) and lines[cursor - 1].strip():
        title_end, title_start = cursor + 1, cursor - 1
        if title_start >= 1 and lines[title_start - 1] == lines[cursor]:
            title_start -= 1  # an overline
    return _cut(lines, (title_start, title_end), (start, last + 1), options)


# -- MyST Markdown --------------------------------------------------------------------


def md_title(title: str) -> str:
    """An ATX heading."""
    return f"# {md_line(title)}\n"


def md_directive(head: Head) -> str:
    """The fenced ``talk`` directive (four backticks, so the description can nest)."""
    lines = ["````{talk}"]
    lines += [f":{name}: {value}" for name, value in head.options]
    abstract = md_block(head.abstract)
    if abstract:
        lines.append("")
        lines += abstract
    description = md_block(head.description)
    if description:
        lines += ["", "```{talk-description}", *description, "```"]
    lines.append("````")
    return "\n".join(lines) + "\n"


def parse_md(text: str) -> Page | None:
    """Cut a MyST page at its first fenced ``talk`` directive; ``None`` without one."""
    lines = _lines(text)
    start = next((i for i, line in enumerate(lines) if _MD_FENCE_RE.fullmatch(line)), None)
    if start is None:
        return None
    opening = _MD_FENCE_RE.fullmatch(lines[start])
    assert opening is not None
    fence = opening.group(1)
    close = re.compile(re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*\r?\n?")
    end = next((i for i in range(start + 1, len(lines)) if close.fullmatch(lines[i])), None)
    if end is None:
        return None
    options = []
    for line in lines[start + 1:end]:
        match = _MD_OPTION_RE.fullmatch(line)
        if match is None:
            break
        options.append((match.group(1), match.group(2) or "", line))
    cursor = _last_text_line(lines, start)
    title_start = title_end = start
    if cursor >= 0 and lines[cursor].startswith("# "):
        title_start, title_end = cursor, cursor + 1
    return _cut(lines, (title_start, title_end), (start, end + 1), options)


# -- both -------------------------------------------------------------------------------


FORMATS: Final = ("rst", "md")


def option_value(text: str) -> str:
    """An option value as page source, in either format: the text itself, on one line.

    docutils hands option text to the directive as it is, unparsed (and MyST
    reads it as plain text), so nothing is escaped: a backslash would stay in
    the value. Only line breaks are joined, since an option is one line here.
    """
    return " ".join(text.split())


def new_page(fmt: str, head: Head) -> str:
    """A fresh page: title, a blank line, the directive; no notes yet."""
    if fmt == "rst":
        return rst_title(head.title) + "\n" + rst_directive(head)
    return md_title(head.title) + "\n" + md_directive(head)


def updated_page(fmt: str, page: Page, head: Head) -> str:
    """``page`` with the importer's parts replaced by ``head``; the writer's parts kept."""
    title = rst_title(head.title) if fmt == "rst" else md_title(head.title)
    directive = rst_directive(head) if fmt == "rst" else md_directive(head)
    if not page.title_source:
        title = ""  # a page whose title is not where the importer puts it keeps its own
    title = _keep_line_end(page.title_source, title)
    directive = _keep_line_end(page.directive_source, directive)
    return page.prefix + title + page.between + directive + page.notes


def _keep_line_end(old: str, new: str) -> str:
    r"""``new`` with ``\r\n`` line ends if ``old`` had them (a page edited on Windows)."""
    return new.replace("\n", "\r\n") if "\r\n" in old else new


def parse(fmt: str, text: str) -> Page | None:
    """Cut a page of format ``fmt``."""
    return parse_rst(text) if fmt == "rst" else parse_md(text)
