"""Chapters of a recording: sections whose title starts with a timestamp.

A section titled ``12:34 The benchmark`` in a talk's notes is a chapter of
that talk's recording. Once a page is read (``doctree-read``), its chapters are
stored in the ``conf`` domain (``chapters``: docname -> talk anchor ->
chapters), each talk with chapters gets a "Chapters" link in its header, and
HTML builds write ``chapters/<talk-id>.vtt``, a WebVTT chapters file that
players such as video.js and PeerTube load. A cue ends where the next chapter
begins; the last one at the end of the talk's ``:time:`` slot when it has
one, else at :data:`OPEN_END` (players stop at the recording's end).

The ``chapters/`` folder belongs to the extension: a ``.vtt`` file there that
the current talks do not produce is removed, so an incremental build leaves
the same files as a clean one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from docutils import nodes
from sphinx.util import logging

from .config import conference_info
from .domain import ConferenceDomain
from .exporters.paths import CHAPTERS_DIR, export_path
from .exports import write_if_changed
from .labels import _
from .model import Talk, TalkDataError
from .render import export_links, field, talk_export_reference
from .timestamps import format_timestamp, owners, page_talks, parse_timestamp, talk_of_blocks
from .transforms import EXPORTING_BUILDERS

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: End of the last cue when the talk's length is unknown, in seconds.
OPEN_END: Final = 100 * 3600 - 1

#: A title that begins like a timestamp (digits and colons), then a break.
_LEADING_TIME_RE: Final = re.compile(r"\s*([0-9]+(?::[0-9]+)+)(?=$|[\s\-–—:.,])[\s\-–—:.,]*(.*)",
                                     re.DOTALL)


@dataclasses.dataclass(frozen=True)
class Chapter:
    """One chapter: where it starts, its title (without the time), its section's id."""

    start: int
    title: str
    ident: str


def split_chapter_title(title: str) -> tuple[int, str] | None:
    """``"12:34 The benchmark"`` -> ``(754, "The benchmark")``; ``None`` if no time leads.

    A leading time that cannot be read (``12:75 …``) raises :class:`TalkDataError`.
    """
    match = _LEADING_TIME_RE.fullmatch(title)
    if match is None:
        return None
    start = parse_timestamp(match.group(1))
    return start, " ".join(match.group(2).split()) or format_timestamp(start)


def _cue_time(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02}:{minutes:02}:{secs:02}.000"


def _cue_text(text: str) -> str:
    """Cue text is markup in WebVTT: escape it (``-->`` cannot survive either)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt_chapters(chapters: Sequence[Chapter], duration: int | None) -> str:
    """The WebVTT file of ``chapters`` (in order), the last ending at ``duration``."""
    lines = ["WEBVTT", ""]
    for index, chapter in enumerate(chapters):
        if index + 1 < len(chapters):
            end = chapters[index + 1].start
        elif duration is not None and duration > chapter.start:
            end = duration
        else:
            end = OPEN_END
        lines += [chapter.ident, f"{_cue_time(chapter.start)} --> {_cue_time(end)}",
                  _cue_text(chapter.title), ""]
    return "\n".join(lines)


def talk_duration(talk: Talk) -> int | None:
    """The length of the talk's slot in seconds, when its ``:time:`` has an end."""
    if talk.time is None or talk.time.duration is None:
        return None
    return int(talk.time.duration.total_seconds())


# -- reading ---------------------------------------------------------------------


def _is_section(node: nodes.Node) -> bool:
    return isinstance(node, nodes.section)


def _warn(node: nodes.Node, message: str) -> None:
    logger.warning(message, location=node, type="conference", subtype="timestamp")


def collect_chapters(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: record this page's chapters and link each talk's file.

    A chapter belongs to the nearest talk before it on the page (the page's
    first talk when it comes before every talk). Chapters must follow each
    other in time, and start within the talk's slot when it has one; a
    chapter that does not, or whose time cannot be read, is a located
    warning and is left out.
    """
    if not any(_LEADING_TIME_RE.fullmatch(node[0].astext())
               for node in doctree.findall(nodes.section)
               if node.children and isinstance(node[0], nodes.title)):
        return  # no title starts with a time: no chapter, no warning (one walk, not two)
    talks = page_talks(app)
    found: dict[str, list[Chapter]] = {}
    anchors = {talk.anchor for talk in talks}
    for node, current in owners(talks, doctree, _is_section):
        if not node.children or not isinstance(node[0], nodes.title):
            continue
        if anchors.intersection(node["ids"]):
            continue  # the talk's own section ("10:50 Coffee" is a title, not a chapter)
        title = node[0]
        try:
            split = split_chapter_title(title.astext())
        except TalkDataError as exc:
            _warn(title, f"chapter title with an invalid time: {exc}")
            continue
        if split is None:
            continue
        if current is None:
            _warn(title, "a chapter (a section titled with a time) is only meaningful on "
                  "a talk's page; ignored")
            continue
        start, text = split
        chapters = found.setdefault(current.anchor, [])
        duration = talk_duration(current)
        if chapters and start <= chapters[-1].start:
            _warn(title, f"chapter at {format_timestamp(start)} does not come after the one "
                  f"at {format_timestamp(chapters[-1].start)}; ignored")
            continue
        if duration is not None and start >= duration:
            _warn(title, f"chapter at {format_timestamp(start)} starts after the talk's "
                  f"{format_timestamp(duration)}; ignored")
            continue
        ident = node["ids"][0] if node["ids"] else f"chapter-{len(chapters) + 1}"
        chapters.append(Chapter(start, text, ident))
    if not found:
        return
    domain = cast(ConferenceDomain, app.env.domains[ConferenceDomain.name])
    domain.note_chapters(app.env.docname, {anchor: tuple(chapters)
                                           for anchor, chapters in found.items() if chapters})
    for block_line, talk in talk_of_blocks(talks, doctree).items():
        if found.get(talk.anchor):
            _link_chapters(doctree, block_line, talk)


def _link_chapters(doctree: nodes.document, block_line: int, talk: Talk) -> None:
    """Add "Chapters: WebVTT" to the header of the talk block at ``block_line``."""
    for block in doctree.findall(nodes.container):
        if "conference-talk" not in block["classes"] or block.line != block_line:
            continue
        for header in block.findall(nodes.field_list):
            if "conference-talk-meta" in header["classes"]:
                holder = export_links()
                holder += field(_("Chapters"), talk_export_reference(_("WebVTT"), "chapters",
                                                                     talk))
                header += holder
                return


# -- writing ---------------------------------------------------------------------


def chapter_files(domain: ConferenceDomain) -> dict[str, str]:
    """Outdir-relative path -> WebVTT text, for every talk (id owner) with chapters."""
    files: dict[str, str] = {}
    for talk in domain.talks.values():
        chapters = domain.chapters_of(talk)
        if not chapters:
            continue
        try:
            path = export_path("chapters", talk.id)
        except ValueError:
            continue
        files[path] = webvtt_chapters(chapters, talk_duration(talk))
    return files


def write_chapters(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: write ``chapters/*.vtt`` and remove the stale ones."""
    if exception is not None or app.builder.name not in EXPORTING_BUILDERS:
        return
    if conference_info(app.config) is None:
        return
    outdir = Path(app.outdir)
    files = chapter_files(cast(ConferenceDomain, app.env.domains[ConferenceDomain.name]))
    for path, text in files.items():
        write_if_changed(outdir / path, text.encode("utf-8"))
    folder = outdir / CHAPTERS_DIR
    if folder.is_dir():
        keep = {outdir / path for path in files}
        for stale in sorted(path for path in folder.glob("*.vtt") if path not in keep):
            stale.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()
