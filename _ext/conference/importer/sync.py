"""The re-sync plan: which pages to add, update, move, mark cancelled or remove.

:func:`plan` compares the program with the pages already in DIR and returns
every file to write and delete, and what it means, without touching the disk;
:func:`apply` then carries it out. So an import that must be refused (a day
the site has no folder for) writes nothing, and a second run on the same
program finds every page already as it would write it and writes no file.

Pages are matched to sessions by the program's identity (the ``:guid:``
option), never by title. File names come from the session's slug (else its
title), are unique within their folder, and never change once written: a
retitled session keeps its file, a session moved to another day keeps its
name in the new folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from ..model import stable_id
from .markup import unescape
from .pages import Head, Page, new_page, option_value, parse, updated_page
from .program import Link, Program, Session, zone
from .project import Site, day_index

#: The options the importer writes, in the order it writes them.
ORDER: Final = ("guid", "presenter", "time", "date", "room", "track", "kind", "type",
                "subtitle", "language", "url", "video", "slides", "links", "status", "name")
#: Options that follow the program exactly: removed when it no longer has them.
#: Every other option keeps the page's value when the program has none.
OWNED: Final = frozenset({"guid", "time", "date", "status"})
#: Where the importer remembers the option values it wrote, by session: an
#: option the program drops is removed only if the page still has the value
#: the importer wrote (so it was not the writer's).
STATE_FILE: Final = ".conference-import.json"
#: Changes of these options move a talk (another time or day).
MOVING: Final = frozenset({"time", "date"})

_RESERVED: Final = frozenset({"index", "genindex", "search", "py-modindex", "con", "prn", "aux",
                              "nul", *(f"com{n}" for n in range(10)),
                              *(f"lpt{n}" for n in range(10))})
_MAX_STEM: Final = 60
_SKIPPED_DIRS: Final = frozenset({"_build", ".venv", "node_modules", "_static", "_templates"})
MAX_DURATION: Final = dt.timedelta(hours=12)
UNTITLED: Final = "Untitled session"
MAX_ID: Final = 80


@dataclasses.dataclass(frozen=True)
class Change:
    """One line of the report: ``action`` of the page at ``path`` (relative to DIR)."""

    action: str
    path: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.action:<9} {self.path}" + (f": {self.detail}" if self.detail else "")


@dataclasses.dataclass
class Plan:
    """Everything an import will do; nothing is done until :func:`apply`."""

    writes: dict[str, str] = dataclasses.field(default_factory=dict)
    deletes: list[str] = dataclasses.field(default_factory=list)
    changes: list[Change] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        """``3 added, 1 moved, ...``: the counts of the report."""
        counts = {action: 0 for action in ("added", "moved", "changed", "cancelled", "removed")}
        for change in self.changes:
            if change.action in counts:
                counts[change.action] += 1
        parts = [f"{count} {action}" for action, count in counts.items()]
        return ", ".join(parts) + f", {self.unchanged} unchanged"


@dataclasses.dataclass(frozen=True)
class Found:
    """A page of DIR that carries a program identity."""

    path: str
    fmt: str
    text: str
    page: Page


def file_stem(session: Session) -> str:
    r"""A readable, safe file name stem from the slug (else the title).

    Only ``a-z``, ``0-9`` and ``-`` survive (accents folded), so ``/``, ``\``,
    ``..`` and leading dots cannot make a path leave its folder.
    """
    for base in (session.slug, session.title):
        folded = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
        stem = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
        if len(stem) > _MAX_STEM:
            stem = stem[:_MAX_STEM].rsplit("-", 1)[0] or stem[:_MAX_STEM]
        if stem:
            return f"{stem}-session" if stem in _RESERVED else stem
    digest = hashlib.sha1(session.ident.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"session-{digest[:10]}"


def _unique(stem: str, taken: set[str]) -> str:
    candidate, number = stem, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem}-{number}"
    taken.add(candidate.casefold())
    return candidate


def find_pages(directory: Path, folders: Iterable[str], warnings: list[str]) -> list[Found]:
    """Every page in the day folders whose ``talk`` directive has a ``:guid:``."""
    found = []
    root = directory.resolve()
    for folder in folders:
        base = directory / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(directory)
            if path.suffix not in {".rst", ".md"} or not path.is_file():
                continue
            if any(part in _SKIPPED_DIRS or part.startswith(".") for part in relative.parts):
                continue
            if not path.resolve().is_relative_to(root):
                warnings.append(f"{relative.as_posix()}: links outside DIR; ignored")
                continue
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                warnings.append(f"{relative.as_posix()}: not UTF-8; ignored")
                continue
            fmt = path.suffix[1:]
            page = parse(fmt, text)
            if page is not None and page.option("guid"):
                found.append(Found(relative.as_posix(), fmt, text, page))
    return found


def _title_text(page: Page, fmt: str) -> str:
    for line in page.title_source.splitlines():
        if fmt == "md" and line.startswith("# "):
            return unescape(line[2:].strip())
        if fmt == "rst" and line.strip() and not re.fullmatch(r"([^\w\s])\1*\s*", line):
            return unescape(line.strip())
    return ""


class _Planner:
    """Builds a :class:`Plan`; one instance per import."""

    def __init__(self, program: Program, site: Site, directory: Path, fmt: str) -> None:
        self.program = program
        self.site = site
        self.directory = directory
        self.fmt = fmt
        self.plan = Plan(warnings=list(program.warnings))
        self.state = _read_state(directory / STATE_FILE)
        self.new_state: dict[str, dict[str, str]] = {}
        self.tz = zone(site.timezone or program.timezone)

    def warn(self, session: Session, message: str) -> None:
        self.plan.warnings.append(f"session {session.ident} ({session.title or 'untitled'}): "
                                  f"{message}")

    # -- what the program says -------------------------------------------------------

    def options(self, session: Session) -> dict[str, str]:
        """The option texts (not yet source) the program gives ``session``."""
        day_date = self.program.days[session.day]
        values = {"guid": session.ident, "presenter": self._presenters(session)}
        if session.start is not None:
            values.update(self._when(session, day_date))
        values.update(room=session.room, track=session.track, kind=session.kind,
                      subtitle=session.subtitle, language=session.language, url=session.url)
        if session.type and session.type != session.kind:
            values["type"] = session.type
        for kind in ("video", "slides"):
            links = [link for link in session.links if link.kind == kind]
            if links:
                values[kind] = links[0].url
        further = [link for link in session.links
                   if link.kind == "other" or link.url != values.get(link.kind, link.url)]
        if further:
            values["links"] = ", ".join(self._link(session, link) for link in further)
        return {name: value for name, value in values.items() if value}

    def _link(self, session: Session, link: Link) -> str:
        """``Title <url>`` for ``:links:`` (angle brackets in a title would end it)."""
        title = " ".join(re.sub(r"[<>]", " ", link.title).split()).strip(" ,")
        if title != link.title:
            self.warn(session, f"link title {link.title!r} written as {title!r}")
        return f"{title} <{link.url}>" if title else f"<{link.url}>"

    def _presenters(self, session: Session) -> str:
        names = []
        for name in session.persons:
            clean = " ".join(re.sub(r"[,()]", " ", name).split())
            if clean != name:
                self.warn(session, f"presenter {name!r} written as {clean!r} "
                          "(commas and parentheses separate people and affiliations)")
            if clean:
                names.append(clean)
        return ", ".join(names)

    def _when(self, session: Session, day_date: dt.date) -> dict[str, str]:
        assert session.start is not None
        start = session.start.astimezone(self.tz)
        if start.second or start.microsecond:
            self.warn(session, "start seconds dropped (times are HH:MM)")
        result: dict[str, str] = {}
        if start.date() == day_date + dt.timedelta(days=1):
            result["date"] = start.date().isoformat()  # after midnight
        elif start.date() != day_date:
            self.warn(session, f"starts on {start.date()}, neither on its day {day_date} nor "
                      "the night after; imported without a time")
            return {}
        text = start.strftime("%H:%M")
        duration = session.duration
        if duration is not None and duration > MAX_DURATION:
            self.warn(session, f"lasts {duration}, more than {MAX_DURATION}; only its start "
                      "is imported")
        elif duration:
            end = (start.astimezone(dt.UTC) + duration).astimezone(self.tz)
            if end.strftime("%H:%M") != text:
                text += "-" + end.strftime("%H:%M")
        result["time"] = text
        return result

    # -- the plan ----------------------------------------------------------------------

    def make(self) -> Plan:
        """Compare program and pages; fill and return the plan (errors refuse it all)."""
        plan = self.plan
        missing = sorted({self.program.days[s.day] for s in self.program.sessions}
                         - set(self.site.folders))
        if missing:
            plan.errors.append(
                "the site has no day folder for " + ", ".join(map(str, missing))
                + ": add them to conference_days in conf.py")
            return plan
        pages = find_pages(self.directory, self.site.folders.values(), plan.warnings)
        by_ident: dict[str, Found] = {}
        for found in pages:
            ident = found.page.option("guid") or ""
            if ident in by_ident:
                plan.warnings.append(f"{found.path}: same :guid: as {by_ident[ident].path}; "
                                     "ignored")
            else:
                by_ident[ident] = found
        sessions = self._unique_sessions()
        live = {session.ident: session for session in sessions if not session.cancelled}
        taken: dict[str, set[str]] = {}
        for folder in self.site.folders.values():
            base = self.directory / folder
            taken[folder] = {p.stem.casefold() for p in base.iterdir()} if base.is_dir() else set()
        self._check_overlaps(list(live.values()))
        ids = self._claimed_ids(by_ident, live)
        # Pages that exist keep their names and ids first; new sessions get what is left.
        for session in sorted(sessions, key=lambda s: s.ident not in by_ident):
            if session.ident in live:
                self._session(session, by_ident.get(session.ident), taken, ids)
        for ident, found in sorted(by_ident.items(), key=lambda item: item[1].path):
            if ident not in live:
                self._cancel(found)
                if found.path not in plan.deletes and ident in self.state:
                    self.new_state[ident] = self.state[ident]
        used = {path.split("/", 1)[0] for path in plan.writes}
        for date, folder in self.site.folders.items():
            if (self.site.new or folder in used) and not any(
                (self.directory / folder / f"index.{ext}").exists() for ext in ("rst", "md")
            ):
                plan.writes[f"{folder}/index.{self.fmt}"] = day_index(self.fmt, date)
        state = json.dumps({"version": 1, "sessions": self.new_state}, ensure_ascii=False,
                           indent=1, sort_keys=True) + "\n"
        old = self.directory / STATE_FILE
        if not old.is_file() or old.read_bytes() != state.encode("utf-8"):
            plan.writes[STATE_FILE] = state
        return plan

    def _check_overlaps(self, sessions: list[Session]) -> None:
        """Warn now about sessions the build will report as overlapping (one room, one time)."""
        slots = []
        for session in sessions:
            if session.start is not None and session.room:
                start = session.start.astimezone(dt.UTC)
                end = start + (session.duration or dt.timedelta(0))
                slots.append((session.room, start, end, session))
        slots.sort(key=lambda slot: slot[:3])
        for (room, start, _, session), (other_room, _, end, other) in zip(
                slots[1:], slots, strict=False):
            if room == other_room and start < end:
                self.warn(session, f"overlaps {other.ident} ({other.title}) in {room}; "
                          "the build will warn about it (conference.overlap)")

    def _unique_sessions(self) -> list[Session]:
        seen: set[str] = set()
        result = []
        for session in self.program.sessions:
            ident, number = session.ident, 1
            while ident in seen:
                number += 1
                ident = f"{session.ident}#{number}"
            if ident != session.ident:
                self.warn(session, f"identity used by an earlier session; imported as {ident!r}")
                session = dataclasses.replace(session, ident=ident)
            seen.add(ident)
            title = session.title
            if not title:
                self.warn(session, f"no title; titled {UNTITLED!r}")
                session = dataclasses.replace(session, title=UNTITLED)
            result.append(session)
        return result

    def _claimed_ids(self, by_ident: dict[str, Found], live: dict[str, Session]) -> set[str]:
        """Talk ids already fixed: explicit ``:name:`` options, and kept cancelled pages."""
        ids = set()
        for ident, found in by_ident.items():
            name = found.page.option("name")
            if name:
                ids.add(stable_id(name))
            elif ident not in live:
                ids.add(stable_id(_title_text(found.page, found.fmt)))
        return ids

    def _session(self, session: Session, found: Found | None, taken: dict[str, set[str]],
                 ids: set[str]) -> None:
        folder = self.site.folders[self.program.days[session.day]]
        texts = self.options(session)
        fmt = found.fmt if found is not None else self.fmt
        old_texts: dict[str, str] = {}
        if found is not None:
            old_texts = {name: value for name, value, _ in found.page.options}
            old_folder, _, old_file = found.path.rpartition("/")
            stem = old_file.rsplit(".", 1)[0]
            if old_folder != folder:
                stem = _unique(stem, taken[folder])
        else:
            stem = _unique(file_stem(session), taken[folder])
        path = f"{folder}/{stem}.{fmt}"
        name = old_texts.get("name")
        if name is None:
            talk_id = stable_id(session.title)
            # An id becomes file names (the talk's calendar): a very long one
            # would exceed what file systems allow, so such a talk is named
            # by its (short) file stem.
            if talk_id in ids or len(talk_id) > MAX_ID:
                name = _unique(stem, ids)  # the id a title shared with another talk
                texts["name"] = name
            ids.add(talk_id if name is None else stable_id(name))
        written = self.state.get(session.ident, {})
        self.new_state[session.ident] = {n: option_value(v) for n, v in texts.items()
                                         if n != "name"}
        options: list[tuple[str, str]] = []
        for option in ORDER:
            if option in texts:
                options.append((option, option_value(texts[option])))
            elif option not in OWNED and found is not None:
                # Kept, unless it is what the importer wrote and the program dropped it.
                options += [(n, v) for n, v, _ in found.page.options
                            if n == option and (n == "name" or written.get(n) != v)][:1]
        if found is not None:
            options += [(n, v) for n, v, _ in found.page.options if n not in ORDER]
        head = Head(session.title, tuple(options), session.abstract, session.description)
        if found is None:
            self.plan.writes[path] = new_page(fmt, head)
            self.plan.changes.append(Change("added", path))
            return
        text = updated_page(fmt, found.page, head)
        if text == found.text and path == found.path:
            self.plan.unchanged += 1
            return
        self.plan.writes[path] = text
        new_texts = dict(options)
        differs = sorted(n for n in set(new_texts) | set(old_texts)
                         if new_texts.get(n) != old_texts.get(n))
        if _title_text(found.page, fmt) != session.title:
            differs.append("title")
        moved = path != found.path or any(n in MOVING for n in differs)
        detail = ", ".join(differs) or "abstract"
        if path != found.path:
            self.plan.deletes.append(found.path)
            detail = f"from {found.path}; {detail}"
        self.plan.changes.append(Change("moved" if moved else "changed", path, detail))

    def _cancel(self, found: Found) -> None:
        status = (found.page.option("status") or "").strip().lower()
        if status in {"cancelled", "canceled"}:
            self.plan.unchanged += 1
            return
        if not found.page.has_notes:
            self.plan.deletes.append(found.path)
            self.plan.changes.append(Change("removed", found.path, "cancelled, had no notes"))
            return
        self.plan.writes[found.path] = _mark_cancelled(found)
        self.plan.changes.append(Change("cancelled", found.path, "kept: it has notes"))


def _read_state(path: Path) -> dict[str, dict[str, str]]:
    """The option values the last import wrote, by session; ``{}`` if unreadable."""
    try:
        sessions = json.loads(path.read_bytes()).get("sessions", {})
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(sessions, dict):
        return {}
    return {str(ident): {str(k): str(v) for k, v in values.items()}
            for ident, values in sessions.items() if isinstance(values, dict)}


def _mark_cancelled(found: Found) -> str:
    """The page with ``:status: cancelled`` added after its last option; nothing else moves."""
    page = found.page
    lines = re.split(r"(?<=\n)", page.directive_source)
    # The directive's first line, then its options' lines (see pages.parse_*).
    index = 1 + sum(raw.count("\n") or 1 for _, _, raw in page.options)
    ending = "\r\n" if "\r\n" in page.directive_source else "\n"
    if not lines[index - 1].endswith("\n"):
        lines[index - 1] += ending
    indent = "" if found.fmt == "md" else "   "
    lines.insert(index, f"{indent}:status: cancelled{ending}")
    return page.prefix + page.title_source + page.between + "".join(lines) + page.notes


def plan(program: Program, site: Site, directory: Path, fmt: str) -> Plan:
    """What importing ``program`` into ``directory`` (laid out as ``site``) would do."""
    return _Planner(program, site, directory, fmt).make()


def apply(result: Plan, directory: Path, extra: dict[str, str] | None = None) -> None:
    """Write and delete what ``result`` says, and the ``extra`` project files.

    A new project's files are written where absent, ``conf.py`` too when it
    gained days; a path is checked to stay inside ``directory`` before
    anything is done.
    """
    root = directory.resolve()
    writes = dict(result.writes)
    for path, text in (extra or {}).items():
        if path == "conf.py" or not (directory / path).exists():
            writes[path] = text
    for path in [*writes, *result.deletes]:
        target = (directory / path).resolve()
        if not target.is_relative_to(root):
            raise ValueError(f"{path} is outside {directory}")
    for path, text in sorted(writes.items()):
        target = directory / path
        data = text.encode("utf-8")
        if target.exists() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for path in result.deletes:
        if path not in writes:
            (directory / path).unlink(missing_ok=True)
