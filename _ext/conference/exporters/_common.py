"""What every exporter shares: which talks are exported, clean text, safe URLs.

The three formats must agree on what they contain, so the choices that decide
it (which talks count, which characters survive, which URLs are kept) are made
once here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final, TypeAlias

from ..model import ConferenceInfo, Talk, TalkDataError, parse_url

#: Gives the URL a talk links to (its page on the site, or the official page);
#: an empty string means the talk has none.
TalkUrl: TypeAlias = Callable[[Talk], str]

#: Characters neither XML 1.0 nor iCalendar TEXT may carry (C0 controls other
#: than tab and newline, DEL, lone surrogates, the two non-characters XML
#: forbids). docutils text rarely has them, but one would make a file invalid.
_FORBIDDEN: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` with newlines normalised and characters no format can carry removed."""
    return _FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def http_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL, else ``""``.

    Both the frab XML schema (``httpURI``) and calendar clients only make sense
    of absolute web URLs, and one with a line break would corrupt an .ics line,
    so anything else is dropped rather than exported.
    """
    if not url:
        return ""
    try:
        return parse_url(url)
    except TalkDataError:
        return ""


def conference_talks(info: ConferenceInfo, talks: Iterable[Talk]) -> list[Talk]:
    """The talks held on one of the conference's days, in the order given.

    A talk given elsewhere (no ``day``) is on the site but not on this
    conference's schedule; one without a date cannot be placed in a calendar.
    """
    return [talk for talk in talks if talk.day in info.days and talk.date is not None]


def reflow(text: str) -> list[str]:
    """The paragraphs of ``text``, each on one line, empty ones dropped.

    A talk's description is the text of its parsed RST, which keeps the
    source's line breaks; an app or a calendar shows those as ragged lines.
    Paragraphs (separated by a blank line) are what the writer meant, so each
    becomes one line with its whitespace collapsed.
    """
    paragraphs = re.split(r"\n[ \t]*\n", clean_text(text))
    return [line for line in (" ".join(p.split()) for p in paragraphs) if line]
