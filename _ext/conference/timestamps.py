"""Moments of a talk's recording: ``:at:`12:34``` and the links into the video.

A note such as "at 12:34 he shows the benchmark" should take the reader to
that second of the recording. The role only records the moment (a
``nodes.inline`` with the time in seconds); once the whole page is read
(``doctree-read``), it becomes a link into the ``:video:`` of the talk it
belongs to, or stays text when that talk has no video. A page's talks are
only all known then: a note may sit before a talk's directive, or inside its
description, which is parsed before the talk is recorded.

Builders that cannot follow a link (text, man, texinfo, LaTeX) show the time
as text and spell out the video's URL once per page, after its first moment.

:func:`parse_timestamp` and :func:`video_url_at` are pure (no Sphinx), so
they are tested on their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Final, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from .domain import ConferenceDomain
from .model import Talk, TalkDataError

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: Class of every rendered moment (link or text).
AT_CLASS: Final = "conference-at"
#: Attribute of a moment: its offset into the recording, in seconds.
SECONDS: Final = "conference_seconds"
#: Attribute of a linked moment: the talk's ``:video:`` URL, for print builders.
VIDEO: Final = "conference_video"

# ASCII digits only, as for :time: (see model._TIME_RE).
_TIMESTAMP_RE: Final = re.compile(r"(?:([0-9]{1,2}):)?([0-9]{1,2}):([0-9]{2})")
_YOUTUBE_HOSTS: Final = frozenset({"youtube.com", "m.youtube.com", "youtu.be",
                                   "youtube-nocookie.com", "music.youtube.com"})
_VIMEO_HOSTS: Final = frozenset({"vimeo.com", "player.vimeo.com"})
_CCC_HOSTS: Final = frozenset({"media.ccc.de"})
#: PeerTube runs on any host; its watch pages are ``/w/<id>`` or ``/videos/watch/<id>``.
_PEERTUBE_PATH_RE: Final = re.compile(r"/(?:w|videos/watch|videos/embed)/[^/]+/?")


def parse_timestamp(text: str) -> int:
    """Seconds into a recording of ``M:SS``, ``MM:SS`` or ``H:MM:SS``.

    Minutes and seconds stay below 60 (``75:00`` is written ``1:15:00``), so
    a typo such as ``12:75`` is reported rather than read as 13:15.
    """
    match = _TIMESTAMP_RE.fullmatch(text.strip())
    if match is None:
        raise TalkDataError(f"{text.strip()!r} is not a time such as 12:34 or 1:02:03")
    hours, minutes, seconds = (int(group) if group else 0 for group in match.groups())
    if minutes > 59 or seconds > 59:
        raise TalkDataError(f"{text.strip()!r}: minutes and seconds must be below 60")
    return hours * 3600 + minutes * 60 + seconds


def format_timestamp(seconds: int) -> str:
    """``754`` -> ``12:34``; ``3723`` -> ``1:02:03``: how notes write a moment."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _peertube_start(seconds: int) -> str:
    """PeerTube's ``start`` value: ``12m34s``, ``1h2m3s``, ``34s``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


def _with_query(parts: tuple[str, str, str, str, str], name: str, value: str) -> str:
    """The URL with query parameter ``name`` set to ``value`` (replacing any)."""
    scheme, netloc, path, query, fragment = parts
    pairs = [(key, val) for key, val in parse_qsl(query, keep_blank_values=True) if key != name]
    pairs.append((name, value))
    return urlunsplit((scheme, netloc, path, urlencode(pairs), fragment))


def video_url_at(video: str, seconds: int) -> str:
    """The URL of ``video`` at ``seconds``, in the form its host understands.

    YouTube ``t=754s``, Vimeo ``#t=754s``, media.ccc.de ``#t=754``, PeerTube
    ``?start=12m34s``, anything else the W3C media fragment ``#t=754``.
    """
    parts = urlsplit(video)
    host = (parts.hostname or "").removeprefix("www.")
    if host in _YOUTUBE_HOSTS:
        return _with_query(parts, "t", f"{seconds}s")
    if host in _VIMEO_HOSTS:
        return urlunsplit(parts._replace(fragment=f"t={seconds}s"))
    if host in _CCC_HOSTS:
        return urlunsplit(parts._replace(fragment=f"t={seconds}"))
    if _PEERTUBE_PATH_RE.fullmatch(parts.path):
        return _with_query(parts, "start", _peertube_start(seconds))
    return urlunsplit(parts._replace(fragment=f"t={seconds}"))


class AtRole(SphinxRole):
    """``:at:`12:34```: a moment of this page's talk, linked into its video later."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """Record the moment, or warn and keep the text as typed."""
        node = nodes.inline(self.text, self.text, classes=[AT_CLASS])
        self.set_source_info(node)
        try:
            node[SECONDS] = parse_timestamp(self.text)
        except TalkDataError as exc:
            logger.warning("invalid :at: time %s", exc, location=self.get_location(),
                           type="conference", subtype="timestamp")
        return [node], []


def _is_moment(node: nodes.Node) -> bool:
    return isinstance(node, nodes.inline) and SECONDS in node


def _is_talk_block(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and "conference-talk" in node["classes"]


def page_talks(app: Sphinx) -> list[Talk]:
    """The talks of the page being read, in page order."""
    domain = cast(ConferenceDomain, app.env.domains[ConferenceDomain.name])
    return domain.talks_by_doc.get(app.env.docname, [])


def talk_of_blocks(talks: list[Talk], doctree: nodes.document) -> dict[int, Talk]:
    """Line of each talk block on the page -> its talk (the directive's line)."""
    by_line = {talk.lineno: talk for talk in talks}
    return {block.line: by_line[block.line] for block in doctree.findall(_is_talk_block)
            if block.line is not None and block.line in by_line}


def owners(talks: list[Talk], doctree: nodes.document,
           wanted: Callable[[nodes.Node], bool]) -> Iterator[tuple[nodes.Element, Talk | None]]:
    """Each ``wanted`` element of the page, in page order, with the talk it belongs to.

    That is the nearest talk before it on the page, or the page's first talk
    when it comes before every talk (``None`` on a page without talks).
    """
    blocks = talk_of_blocks(talks, doctree)
    current: Talk | None = talks[0] if talks else None
    for node in doctree.findall(lambda n: wanted(n) or _is_talk_block(n)):
        if not isinstance(node, nodes.Element):
            continue
        if _is_talk_block(node):
            if node.line is not None:
                current = blocks.get(node.line, current)
            continue
        yield node, current


def link_moments(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: turn each moment into a link into its talk's video.

    A moment belongs to the nearest talk before it on the page, or to the
    page's first talk when it comes before every talk. Outside a talk page it
    is a located warning and stays text.
    """
    if next(doctree.findall(_is_moment), None) is None:
        return
    for node, current in list(owners(page_talks(app), doctree, _is_moment)):
        if current is None:
            logger.warning(":at: is only meaningful on a talk's page; left as text",
                           location=node, type="conference", subtype="timestamp")
            continue
        if not current.video:
            continue
        text = node.astext()
        link = nodes.reference(text, text, refuri=video_url_at(current.video, node[SECONDS]),
                               classes=[AT_CLASS])
        link[VIDEO] = current.video
        link[SECONDS] = node[SECONDS]
        link.source, link.line = node.source, node.line
        node.replace_self(link)


def adapt_moments(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: builders that cannot follow links get the moments spelled out."""
    if app.builder.format != "html":
        spell_out_moments(doctree)


def spell_out_moments(doctree: nodes.document) -> None:
    """Each moment as text, and each video's URL once, after its first moment."""
    spelled: set[str] = set()
    for link in list(doctree.findall(nodes.reference)):
        if AT_CLASS not in link["classes"] or VIDEO not in link:
            continue
        text = link.astext()
        replacement: list[nodes.Node] = [nodes.inline(text, text, classes=[AT_CLASS])]
        video = link[VIDEO]
        if video not in spelled:
            spelled.add(video)
            replacement += [nodes.Text(" ("), nodes.reference(video, video, refuri=video),
                            nodes.Text(")")]
        link.replace_self(replacement)
