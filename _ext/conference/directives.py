"""The ``talk`` directive that records a talk, and the directives that list talks.

``talk`` describes one talk and stores it in the ``conf`` domain. ``schedule``,
``presenters`` and ``tracks`` render talks collected from every page; each
records a :class:`~conference.schedule.View` so that ``schedule`` can re-read
its page once all talks are known.

A mistake in a talk is a warning of type ``conference`` at the directive's
line, and the talk is still rendered and scheduled with whatever was
understood. Problems that only show once every page is read are deferred to
the consistency check (see ``schedule.check_consistency``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, TypeVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import render
from .config import conference_info
from .description import split_texts
from .domain import ConferenceDomain
from .labels import _, day_heading
from .model import (
    KINDS,
    ConferenceInfo,
    Presenter,
    Talk,
    TalkDataError,
    one_line,
    parse_date,
    parse_links,
    parse_presenters,
    parse_time,
    parse_url,
    salvage_presenters,
    stable_id,
    strip_controls,
)
from .options import PROBLEMS, LenientOptions, OptionProblem
from .schedule import (
    View,
    conference_order,
    day_talks,
    other_talks,
    unique_docnames,
    view_digest,
    view_talks,
)

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ConferenceDirective(SphinxDirective):
    """Shared plumbing: the domain, the conference, and located warnings."""

    @property
    def domain(self) -> ConferenceDomain:
        """The ``conf`` domain of this build."""
        return ConferenceDomain.of(self.env)

    @property
    def conference(self) -> ConferenceInfo | None:
        """The validated conference configuration, if there is one."""
        return conference_info(self.config)

    def warn(self, subtype: str, message: str) -> None:
        """A ``conference.<subtype>`` warning at this directive's line."""
        logger.warning(
            message, location=self.get_location(), type="conference", subtype=subtype
        )


class TalkDirective(ConferenceDirective):
    """``.. talk:: [title]``: the talk this page (or this block) describes."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    # Lenient: a typo in an option is a warning, not a lost talk (see .options).
    option_spec: ClassVar[LenientOptions] = LenientOptions({
        name: directives.unchanged
        for name in ("presenter", "track", "room", "kind", "url", "video", "slides",
                     "time", "date", "name", "guid", "subtitle", "language", "type",
                     "status", "links")
    })

    def run(self) -> list[nodes.Node]:
        """Record the talk in the domain and render its header and description."""
        self._option_problems(self.options.pop(PROBLEMS, ()))
        # Control characters are invisible and invalid in HTML and XML: no
        # value typed into a talk may carry one to a page or an export.
        self.options = {name: strip_controls(value) if isinstance(value, str) else value
                        for name, value in self.options.items()}
        section = self._enclosing_section()
        title = self._title(section)
        named = bool(self.options.get("name", "").strip())
        talk_id = stable_id(self.options["name"] if named else title)
        anchor = self._claim_anchor(talk_id, section)
        day, date = self._day_and_date()
        info = self.conference
        description = self._description()
        abstract, details = split_texts(description)
        talk = Talk(
            id=talk_id,
            title=title,
            docname=self.env.docname,
            lineno=self.lineno,
            anchor=anchor,
            named=named,
            day=day,
            date=date,
            time=self._parsed("time", parse_time, "time"),
            presenters=self._presenters(),
            track=self._text("track"),
            room=self._text("room"),
            kind=self._kind(),
            url=self._url("url"),
            video=self._url("video"),
            slides=self._url("slides"),
            description=abstract,
            details=details,
            guid=self._text("guid"),
            subtitle=self._text("subtitle"),
            language=self._text("language"),
            session_type=self._text("type"),
            cancelled=self._cancelled(),
            # A substitution in the heading is only resolved later: then the
            # title as the page shows it (process_doc) is the one to export.
            raw_title="" if self._substituted(section) else title,
            links=self._parsed("links", parse_links, "url") or (),
        )
        self.domain.note_talk(talk)

        block = nodes.container(classes=["conference-talk"])
        if talk.cancelled:
            block["classes"].append("conference-talk-cancelled")
        self.set_source_info(block)
        if self.arguments:
            block["ids"].append(anchor)
            # Register it, so the next talk on this page (or a later section)
            # does not take the same id (see _claim_anchor).
            self.state.document.ids[anchor] = block
            block += nodes.rubric(title, title, classes=["conference-talk-title"])
        block += self._index_entries(talk)
        block += render.talk_header(talk, info, self.config.language)
        block += description
        return [block]

    # -- where the talk sits -----------------------------------------------------

    def _enclosing_section(self) -> nodes.section | None:
        # The state machine's node, not ``self.state.parent``: MyST's MockState
        # has no ``parent``, its MockStateMachine holds the renderer's current node.
        node: nodes.Element | None = self.state_machine.node
        while node is not None and not isinstance(node, nodes.section):
            node = node.parent
        return node

    def _substituted(self, section: nodes.section | None) -> bool:
        if self.arguments or section is None or not isinstance(section[0], nodes.title):
            return False
        return any(True for _ in section[0].findall(nodes.substitution_reference))

    def _option_problems(self, problems: tuple[OptionProblem, ...]) -> None:
        """Warn about each typo in the option block, at its own line."""
        for problem in problems:
            location = (f"{problem.source}:{problem.line}" if problem.source and problem.line
                        else self.get_location())
            logger.warning(problem.message, location=location, type="conference",
                           subtype="option")

    def _title(self, section: nodes.section | None) -> str:
        if self.arguments:
            return one_line(self.arguments[0])
        if section is not None and isinstance(section[0], nodes.title):
            _strip_controls_in(section[0])
            return one_line(section[0].astext())
        self.warn("title", "talk has neither a section title nor a title argument")
        return self.env.docname.rsplit("/", 1)[-1]

    def _claim_anchor(self, talk_id: str, section: nodes.section | None) -> str:
        """Use ``talk_id`` as the HTML id, made unique within this page.

        The section's own id is usually ``make_id(title)`` already, so a talk
        titled by its section simply shares it.
        """
        document = self.state.document
        if not self.arguments and section is not None and talk_id in section["ids"]:
            return talk_id
        anchor, number = talk_id, 1
        while anchor in document.ids:
            number += 1
            anchor = f"{talk_id}-{number}"
        if not self.arguments and section is not None:
            section["ids"].append(anchor)
            document.ids[anchor] = section
        return anchor

    def _day_and_date(self) -> tuple[str | None, dt.date | None]:
        info = self.conference
        folder = self.env.docname.split("/", 1)[0] if "/" in self.env.docname else None
        day = folder if info is not None and folder in info.days else None
        date = self._parsed("date", parse_date, "date")
        if day is not None and info is not None:
            if date == info.days[day] + dt.timedelta(days=1):
                return day, date  # after midnight: the day's session, the next date
            if date is not None and date != info.days[day]:
                self.warn(
                    "date",
                    f":date: {date} disagrees with the day folder {day!r} "
                    f"({info.days[day]}); the folder wins",
                )
            return day, info.days[day]
        if date is not None and info is not None:
            for name, day_date in info.days.items():
                if day_date == date:
                    return name, date
        if date is None and info is not None:
            self.warn(
                "no-day",
                "talk is outside every day folder and has no :date: of another "
                "conference; it is listed under 'Talks without a day'",
            )
        return None, date

    # -- options -------------------------------------------------------------------

    def _text(self, name: str) -> str:
        return one_line(self.options.get(name, ""))

    def _parsed(self, name: str, parse: Callable[[str], T], subtype: str) -> T | None:
        if name not in self.options:
            return None
        try:
            return parse(self.options[name])
        except TalkDataError as exc:
            self.warn(subtype, f"invalid :{name}: {exc}")
            return None

    def _presenters(self) -> tuple[Presenter, ...]:
        if "presenter" not in self.options:
            if not self._text("guid"):  # a program may list a session without people
                self.warn("presenter", "talk has no :presenter:")
            return ()
        text = self.options["presenter"]
        try:
            return parse_presenters(text)
        except TalkDataError as exc:
            # Keep whatever names can be read: the page and the schedule still
            # show (as text) what was typed.
            self.warn("presenter", f"invalid :presenter: {exc}")
            return salvage_presenters(text)

    def _kind(self) -> str:
        kind = " ".join(self.options.get("kind", "talk").lower().split())
        if kind not in KINDS:
            self.warn(
                "kind", f"unknown :kind: {kind!r}; expected one of {', '.join(KINDS)}"
            )
            return "talk"
        return kind

    def _cancelled(self) -> bool:
        status = self._text("status").lower()
        if status in {"cancelled", "canceled"}:
            return True
        if status:
            self.warn("status", f"unknown :status: {status!r}; expected 'cancelled'")
        return False

    def _url(self, name: str) -> str:
        return self._parsed(name, parse_url, "url") or ""

    def _description(self) -> nodes.container:
        """The talk's abstract, parsed as reStructuredText, with raw markup removed.

        An abstract is text, never markup: a ``raw`` block in it would let a
        pasted abstract inject HTML, so it is dropped with a warning.
        """
        container = nodes.container(classes=["conference-talk-description"])
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, container)
        _strip_controls_in(container)
        raws = list(container.findall(nodes.raw))
        for raw in raws:
            raw.parent.remove(raw)
        if raws:
            self.warn("raw", "raw markup is not allowed in a talk description; dropped")
        return container

    def _index_entries(self, talk: Talk) -> addnodes.index:
        entries = [("single", f"{talk.title}", talk.anchor, "", None)]
        for person in talk.presenters:
            entries.append(("single", f"{_inverted(person)}; {talk.title}", talk.anchor, "",
                            None))
        return addnodes.index(entries=entries)


def _strip_controls_in(node: nodes.Element) -> None:
    """Remove control characters from the text under ``node``, in place."""
    for text in list(node.findall(nodes.Text)):
        cleaned = strip_controls(text.astext())
        if cleaned != text.astext():
            text.parent.replace(text, nodes.Text(cleaned))


def _inverted(person: Presenter) -> str:
    """``Branson, Rick``: how an index lists a person. Commas would split entries."""
    parts = person.name.replace(",", " ").replace(";", " ").split()
    if len(parts) < 2:
        return " ".join(parts)
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


class ViewDirective(ConferenceDirective):
    """A directive whose output is made from talks on other pages.

    It accepts any argument text and content, so that a stray word or an
    indented line is a warning (see :meth:`ignore_extras`) rather than a
    docutils error that drops the schedule, and with it the toctree that
    holds the talks.
    """

    kind: ClassVar[str]
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def ignore_extras(self, name: str, takes_argument: bool) -> None:
        """Warn (deferred) about what this directive does not read: content, an argument."""
        if self.content:
            self.defer(self.subtype, f"{name} directive takes no content; ignored")
        if self.arguments and not takes_argument:
            self.defer(self.subtype, f"{name} directive takes no argument; "
                       f"{self.arguments[0]!r} ignored")

    @property
    def subtype(self) -> str:
        """The warning subtype of this directive's own problems."""
        return "schedule" if self.kind == "day" else "index"

    def record(self, kind: str, key: str = "") -> None:
        """Remember what this view rendered from, so a stale page can be re-read."""
        view = View(kind, key, self.lineno, view_digest(self.env, kind, key))
        self.domain.note_view(self.env.docname, view)

    def defer(self, subtype: str, message: str) -> None:
        """Warn after reading: the page may be read twice, the warning must show once."""
        self.domain.note_problem(self.env.docname, self.lineno, subtype, message)

    def already_on_page(self) -> bool:
        """Whether this page already has a view of this kind (the second one is ignored)."""
        return any(view.kind == self.kind for view in self.domain.views_on(self.env.docname))


class ScheduleDirective(ViewDirective):
    """``.. schedule:: [day]``: a day's table and toctree, or the overview.

    In a day folder's page (or given a day as argument) it renders that day;
    in the ``index`` page of another folder, that folder's talks from other
    conferences; anywhere else (the root page) the whole conference by day.
    """

    kind = "day"

    def run(self) -> list[nodes.Node]:
        """Render the day or overview schedule and its hidden toctree."""
        self.ignore_extras("schedule", takes_argument=True)
        info = self.conference
        if info is None and not self.config.conference_days:
            self.defer("config", "schedule directive needs conference_days in conf.py")
            return []
        if any(view.kind in {"day", "overview", "folder"}
               for view in self.domain.views_on(self.env.docname)):
            self.defer("schedule", "a page can hold only one schedule directive; "
                       "this one is ignored")
            return []
        if info is None:
            # conference_days names no usable day (reported once at start-up).
            return self._without_days()
        day = self._day(info)
        if day is not None:
            return self._day_schedule(info, day)
        folder = self._folder()
        if folder is not None and folder not in self.config.conference_days:
            return self._folder_schedule(folder)
        if folder in self._unusable_days(info):
            # Reported at start-up; the overview lists this page and its talks.
            note = _("This day has no valid date in conference_days; its talks are "
                     "listed on the overview under 'Talks without a day'.")
            return [render.text_paragraph(note, ["conference-empty-day"])]
        return self._overview(info)

    def _folder(self) -> str | None:
        return self.env.docname.split("/", 1)[0] if "/" in self.env.docname else None

    def _unusable_days(self, info: ConferenceInfo | None) -> list[str]:
        """Folders that ``conference_days`` names with a date that could not be used."""
        days = self.config.conference_days
        if not isinstance(days, Mapping):
            return []
        return [folder for folder in days
                if isinstance(folder, str) and (info is None or folder not in info.days)]

    def _without_days(self) -> list[nodes.Node]:
        """With no usable day, list every talk (and the day pages) all the same.

        Nothing can be scheduled, but no talk may drop out of the navigation
        over a typo in ``conf.py``: the overview lists them all, as talks
        without a day, and its toctree holds them; a day page says why it is
        empty.
        """
        if self._folder() in self._unusable_days(None):
            note = _("This day has no valid date in conference_days; its talks are "
                     "listed on the overview under 'Talks without a day'.")
            return [render.text_paragraph(note, ["conference-empty-day"])]
        self.record("overview")
        talks = other_talks(self.domain)
        result: list[nodes.Node] = []
        if talks:
            result.append(render.day_rubric(_("Talks without a day"), None))
            result.append(render.talk_list(talks, with_day=True, language=self.config.language))
        entries = [doc for doc in (f"{folder}/index" for folder in self._unusable_days(None))
                   if doc in self.env.found_docs and doc != self.env.docname]
        entries.extend(unique_docnames(talks, self.env.docname))
        result.append(render.hidden_toctree(self.env.docname, list(dict.fromkeys(entries))))
        return result

    def _day(self, info: ConferenceInfo) -> str | None:
        folder = self.env.docname.split("/", 1)[0]
        page_day = folder if "/" in self.env.docname and folder in info.days else None
        if self.arguments:
            day = self.arguments[0].strip()
            if day in info.days:
                return day
            # A typo must not turn a day page into a second overview (whose
            # toctree would give every day page a second parent): ignore it.
            self.defer("schedule", f"unknown day {day!r}; expected one of "
                       f"{', '.join(info.days)}. Showing "
                       f"{repr(page_day) if page_day else 'the overview'} instead")
        return page_day

    def _day_schedule(self, info: ConferenceInfo, day: str) -> list[nodes.Node]:
        self.record("day", day)
        talks = day_talks(self.domain, day)
        if not talks:
            note = _("No talks are scheduled for %s.") % day_heading(info.days[day],
                                                                     self.config.language)
            return [render.text_paragraph(note, ["conference-empty-day"])]
        links = render.export_links()
        paragraph = nodes.paragraph()
        paragraph += render.export_reference(_("Add this day to your calendar"), "day", day)
        links += paragraph
        return [
            *render.day_schedule(talks, day_heading(info.days[day], self.config.language)),
            links,
            render.hidden_toctree(self.env.docname, unique_docnames(talks, self.env.docname)),
        ]

    def _overview(self, info: ConferenceInfo) -> list[nodes.Node]:
        self.record("overview")
        language = self.config.language
        result: list[nodes.Node] = [render.conference_summary(info, language)]
        entries: list[str] = []
        for day in info.days:
            day_doc = f"{day}/index"
            has_page = day_doc in self.env.found_docs and day_doc != self.env.docname
            result.append(render.day_rubric(day_heading(info.days[day], language),
                                            day_doc if has_page else None))
            talks = day_talks(self.domain, day)
            if talks:
                result.append(render.talk_list(talks, with_day=False, language=language))
            else:
                result.append(render.text_paragraph(_("No talks are scheduled for this day.")))
            if has_page:
                entries.append(day_doc)
            else:
                entries.extend(unique_docnames(talks, self.env.docname))
        elsewhere = other_talks(self.domain)
        dated = [talk for talk in elsewhere if talk.date is not None]
        undated = [talk for talk in elsewhere if talk.date is None]
        for heading, talks in ((_("Talks from other conferences"), dated),
                               (_("Talks without a day"), undated)):
            if talks:
                result.append(render.day_rubric(heading, None))
                result.append(render.talk_list(talks, with_day=True, language=language))
                entries.extend(self._folder_pages(unique_docnames(talks, self.env.docname)))
        entries.extend(doc for doc in (f"{folder}/index" for folder in self._unusable_days(info))
                       if doc in self.env.found_docs)
        result.append(self._export_links())
        result.append(render.hidden_toctree(self.env.docname, list(dict.fromkeys(entries))))
        return result

    def _folder_schedule(self, folder: str) -> list[nodes.Node]:
        """A folder of talks from other conferences (``pycon2012/``): its talks and toctree.

        The overview's toctree takes this page instead of the talks, so they
        are its children: a part of their own in print.
        """
        self.record("folder", folder)
        talks = view_talks(self.domain, "folder", folder)
        if not talks:
            return [render.text_paragraph(_("No talks yet."), ["conference-empty-day"])]
        return [
            render.talk_list(talks, with_day=True, language=self.config.language),
            render.hidden_toctree(self.env.docname, unique_docnames(talks, self.env.docname)),
        ]

    def _folder_pages(self, docnames: list[str]) -> list[str]:
        """Each page, or its folder's ``index`` page when the folder has one.

        Talks from another conference in a folder with an index page (say
        ``pycon2012/index.rst``, holding ``.. schedule::``) are that page's
        children, a part of their own in print, rather than siblings of the
        day pages.
        """
        pages = []
        for docname in docnames:
            folder = docname.rsplit("/", 1)[0] if "/" in docname else ""
            folder_index = f"{folder}/index"
            # A day folder's page (even one with an unusable date) lists no talks.
            usable = (folder not in self.config.conference_days
                      and folder_index in self.env.found_docs
                      and folder_index != self.env.docname)
            pages.append(folder_index if usable else docname)
        return pages

    def _export_links(self) -> render.export_links:
        holder = render.export_links()
        holder += render.day_rubric(_("Take the schedule with you"), None)
        items = nodes.bullet_list()
        for label, kind in ((_("Calendar (iCalendar, .ics)"), "ics"),
                            (_("Conference apps (frab JSON)"), "json"),
                            (_("Conference apps (frab XML)"), "xml")):
            paragraph = nodes.paragraph()
            paragraph += render.export_reference(label, kind)
            items += nodes.list_item("", paragraph)
        holder += items
        return holder


class IndexDirective(ViewDirective):
    """A page-wide index of talks (people, tracks): one per page, re-read when stale."""

    def run(self) -> list[nodes.Node]:
        """Record the view and render the index, or warn about a second one."""
        self.ignore_extras(self.kind, takes_argument=False)
        if self.already_on_page():
            self.defer("index", f"a page can hold only one {self.kind} index")
            return []
        self.record(self.kind)
        return self.render()

    def render(self) -> list[nodes.Node]:
        """The index's nodes."""
        raise NotImplementedError


class PresentersDirective(IndexDirective):
    """``.. presenters::``: every person once, by family name, with their talks."""

    kind = "presenters"

    def render(self) -> list[nodes.Node]:
        """Every person as a term (with affiliation) over the list of their talks."""
        people = sorted(self.domain.presenters().values(), key=lambda item: item[0].sort_key)
        if not people:
            return [render.text_paragraph(_("No presenters yet."))]
        listing = nodes.definition_list(classes=["conference-presenters"])
        for person, talks in people:
            body = render.talk_list(conference_order(talks), with_day=True,
                                    language=self.config.language, with_presenters=False)
            listing += render.index_item(person.name, person.id, body, person.affiliation)
        return [listing]


class TracksDirective(IndexDirective):
    """``.. tracks::``: each track with its talks, in schedule order."""

    kind = "tracks"

    def render(self) -> list[nodes.Node]:
        """Every track as a term over the list of its talks."""
        tracks: dict[str, list[Talk]] = {}
        for talk in view_talks(self.domain, "tracks", ""):
            tracks.setdefault(talk.track or _("No track"), []).append(talk)
        if not tracks:
            return [render.text_paragraph(_("No talks yet."))]
        listing = nodes.definition_list(classes=["conference-tracks"])
        for track in sorted(tracks, key=str.casefold):
            body = render.talk_list(tracks[track], with_day=True, language=self.config.language)
            listing += render.index_item(track, stable_id("track-" + track), body)
        return [listing]
