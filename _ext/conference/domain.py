"""The ``conf`` domain: where talks are stored, merged, found and cross-referenced.

All collected state lives in ``domaindata`` keyed by the document it came from,
so ``clear_doc`` and ``merge_domaindata`` are exact and reading is
parallel-safe. Anything computed across documents (the id index, the people)
is derived on demand and never stored, so it cannot go stale.

Talks are also given std labels (see :func:`sync_std_labels`), which is what
lets a project *without* this extension write ``:ref:`pycon2013:talk-id```
through intersphinx.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, cast

from docutils import nodes
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from .ids import IdClash, assign_ids
from .labels import _
from .model import Presenter, Talk, one_line

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from .chapters import Chapter
    from .schedule import View


class ConferenceXRefRole(XRefRole):
    """A cross-reference role that also works without its domain prefix.

    ``:talk:`id``` must resolve in the ``conf`` domain whatever the project's
    default domain is, so the unqualified name is rewritten to ``conf:talk``.
    """

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """Qualify the role name, then let :class:`XRefRole` do the rest."""
        if ":" not in self.name:
            self.name = f"{ConferenceDomain.name}:{self.name}"
        return super().run()


def talk_role() -> ConferenceXRefRole:
    """``:talk:`` links text to a talk; unknown ids warn as ``ref.talk``."""
    return ConferenceXRefRole(innernodeclass=nodes.inline, warn_dangling=True)


def presenter_role() -> ConferenceXRefRole:
    """``:presenter:`` links a name to that person in the presenters index."""
    return ConferenceXRefRole(innernodeclass=nodes.inline, warn_dangling=True)


class ConferenceDomain(Domain):
    """Talks and presenters of a conference, as Sphinx objects.

    ``data`` layout (bump ``ENV_VERSION`` in ``__init__`` when it changes):

    ``talks``
        docname -> list of :class:`~conference.model.Talk`, in page order.
    ``views``
        docname -> list of :class:`~conference.schedule.View` (the
        data-dependent directives on that page and what they rendered from).
    ``problems``
        docname -> list of ``(lineno, subtype, message)`` found while reading
        but only reported after all documents are read.
    ``xrefs``
        docname -> the page's references, ``(domain, type, target,
        explicit)``, recorded when it is read (see ``dependencies``).
    ``flavours``
        docname -> the builder-dependent reading it was last read with
        (``dependencies.read_flavour``).
    ``written``
        output (``builder:outdir``) -> {docname: fingerprint of the inputs it
        was last written from there} (see ``dependencies.rewrite_changed``).
    ``outputs``
        output -> {docname: source file} of the pages it holds (see ``cleanup``).
    ``assets``
        output -> the ``_images``/``_downloads`` files it holds (see ``cleanup``).
    ``chapters``
        docname -> talk anchor -> the talk's chapters (see ``chapters``).
    ``labels``
        std label name -> the value :func:`sync_std_labels` gave it, so that
        exactly those can be taken away again.

    Only this class writes ``data``; other modules call its ``note_*`` and
    ``record_*`` methods.
    """

    name = "conf"
    label = "Conference"
    object_types: ClassVar[dict[str, ObjType]] = {
        "talk": ObjType(_("talk"), "talk"),
        "presenter": ObjType(_("presenter"), "presenter"),
    }
    roles: ClassVar[dict[str, Any]] = {"talk": talk_role(), "presenter": presenter_role()}
    initial_data: ClassVar[dict[str, Any]] = {
        "talks": {},
        "views": {},
        "problems": {},
        "xrefs": {},
        "flavours": {},
        "written": {},
        "outputs": {},
        "assets": {},
        "chapters": {},
        "labels": {},
    }

    #: The keys holding what each document contributed (cleared and merged per document).
    PER_DOCUMENT: ClassVar[tuple[str, ...]] = (
        "talks", "views", "problems", "chapters", "xrefs", "flavours")
    dangling_warnings: ClassVar[dict[str, str]] = {
        "talk": "unknown talk id %(target)r",
        "presenter": "unknown presenter %(target)r",
    }

    @classmethod
    def of(cls, env: BuildEnvironment) -> ConferenceDomain:
        """This build's ``conf`` domain, typed as such.

        ``env.domains[name]`` is typed as a plain ``Domain``; ``setup()``
        registers this class under ``name``, so the instance is one of it.
        """
        return cast("ConferenceDomain", env.domains[cls.name])

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        self._assigned: tuple[list[Talk], list[IdClash]] | None = None
        self._assigned_for: tuple[int, int] | None = None
        self._talk_index: dict[str, Talk] | None = None
        self._people: dict[str, tuple[Presenter, list[Talk]]] | None = None
        self._rereading: dict[str, list[Talk]] = {}

    # -- storing ---------------------------------------------------------------

    @property
    def talks_by_doc(self) -> dict[str, list[Talk]]:
        """Docname -> talks on that page (the stored data itself)."""
        talks: dict[str, list[Talk]] = self.data["talks"]
        return talks

    def note_talk(self, talk: Talk) -> None:
        """Record a talk read from ``talk.docname``."""
        self.talks_by_doc.setdefault(talk.docname, []).append(talk)
        self._forget_derived()

    def note_problem(self, docname: str, lineno: int, subtype: str, message: str) -> None:
        """Keep a warning that can only be judged once every page is read."""
        self.data["problems"].setdefault(docname, []).append((lineno, subtype, message))

    def note_view(self, docname: str, view: View) -> None:
        """Record a data-dependent directive on ``docname`` and what it rendered from."""
        self.data["views"].setdefault(docname, []).append(view)

    def views_on(self, docname: str) -> list[View]:
        """The views recorded on ``docname``, in page order."""
        views: list[View] = self.data["views"].get(docname, [])
        return list(views)

    def all_views(self) -> list[tuple[str, list[View]]]:
        """``(docname, views)`` for every page with views, by docname."""
        views: dict[str, list[View]] = self.data["views"]
        return sorted(views.items())

    def problems(self) -> list[tuple[str, list[tuple[int, str, str]]]]:
        """``(docname, deferred problems)`` for every page with some, by docname."""
        problems: dict[str, list[tuple[int, str, str]]] = self.data["problems"]
        return sorted(problems.items())

    def note_read(self, docname: str, xrefs: list[tuple[str, str, str, bool]],
                  flavour: str) -> None:
        """Record the references of a page just read, and how it was read."""
        self.data["xrefs"][docname] = xrefs
        self.data["flavours"][docname] = flavour

    def xrefs_on(self, docname: str) -> list[tuple[str, str, str, bool]]:
        """The references recorded on ``docname`` when it was last read."""
        xrefs: list[tuple[str, str, str, bool]] = self.data["xrefs"].get(docname, [])
        return list(xrefs)

    def read_flavours(self) -> dict[str, str]:
        """Docname -> the builder-dependent reading it was last read with."""
        flavours: dict[str, str] = self.data["flavours"]
        return dict(flavours)

    def record_written(self, output: str, fingerprints: dict[str, str]) -> dict[str, str] | None:
        """Remember what ``output``'s pages are written from; return the previous record."""
        written: dict[str, dict[str, str]] = self.data["written"]
        previous = written.get(output)
        written[output] = fingerprints
        return previous

    def record_outputs(self, output: str, sources: dict[str, str]) -> dict[str, str]:
        """Remember which pages ``output`` holds, with their source files; return the last."""
        outputs: dict[str, dict[str, str]] = self.data["outputs"]
        previous = outputs.get(output, {})
        outputs[output] = sources
        return dict(previous)

    def record_assets(self, output: str, files: list[str]) -> list[str]:
        """Remember the image and download files ``output`` holds; return the previous ones."""
        assets: dict[str, list[str]] = self.data["assets"]
        previous = assets.get(output, [])
        assets[output] = files
        return list(previous)

    def note_chapters(self, docname: str, chapters: dict[str, tuple[Chapter, ...]]) -> None:
        """Record the chapters of the talks on ``docname``, by talk anchor."""
        self.data["chapters"][docname] = chapters

    def chapters_of(self, talk: Talk) -> tuple[Chapter, ...]:
        """The chapters of ``talk``'s recording, in order (see ``chapters``)."""
        found: tuple[Chapter, ...] = self.data["chapters"].get(talk.docname, {}).get(
            talk.anchor, ())
        return found

    def process_doc(self, env: BuildEnvironment, docname: str, document: nodes.document) -> None:
        """Take each talk's title as the page finally shows it.

        The directive records the title before docutils' transforms run, so
        ``Shouldn't`` would stay straight while the heading, the sidebar and
        the search show ``Shouldn’t`` (smart quotes). Domains process a
        document after those transforms: re-read the titles here, on one line
        (a substitution may have brought line breaks into a heading).
        """
        # The std labels of this page may have changed too (see _ids).
        self._forget_derived()
        talks = self.talks_by_doc.get(docname)
        if not talks:
            return
        for index, talk in enumerate(talks):
            node = document.ids.get(talk.anchor)
            if isinstance(node, nodes.section) and isinstance(node[0], nodes.title):
                title = one_line(node[0].astext())
            elif node is not None and (rubric := next(iter(node.findall(nodes.rubric)), None)):
                title = one_line(rubric.astext())
            else:
                continue
            if title != talk.title:
                talks[index] = dataclasses.replace(talk, title=title)
        self._forget_derived()

    def clear_doc(self, docname: str) -> None:
        """Forget everything that ``docname`` contributed."""
        for key in self.PER_DOCUMENT:
            self.data[key].pop(docname, None)
        self._forget_derived()

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        """Take over what a parallel reader collected for ``docnames``."""
        for key in self.PER_DOCUMENT:
            for docname in docnames:
                if docname in otherdata[key]:
                    self.data[key][docname] = otherdata[key][docname]
        self._forget_derived()

    # -- derived views ---------------------------------------------------------

    def _forget_derived(self) -> None:
        """Drop the cached indices; the next lookup rebuilds them from ``data``."""
        self._assigned = None
        self._talk_index = None
        self._people = None

    def _stored_talks(self) -> list[Talk]:
        """Every talk as its page recorded it, in document then page order."""
        by_doc = {**self.talks_by_doc, **self._rereading}
        return [talk for docname in sorted(by_doc) for talk in by_doc[docname]]

    def _ids(self) -> tuple[list[Talk], list[IdClash]]:
        """Every talk with its final id, and the talks that lost theirs (see ``ids``).

        Depends on the std labels as well as on the talks, so the cache is
        also dropped whenever the number of labels changes.
        """
        labels = self.env.domains.standard_domain.labels
        key = (id(labels), len(labels))
        if self._assigned is None or self._assigned_for != key:
            stored = self._stored_talks()
            targets = _talk_targets(stored)
            others = {name: docname for name, (docname, anchor, title) in labels.items()
                      if (docname, anchor, title) not in targets}
            self._assigned, self._assigned_for = assign_ids(stored, others), key
            self._talk_index = None
            self._people = None
        return self._assigned

    def all_talks(self) -> list[Talk]:
        """Every talk, with its final id, in document then page order."""
        return self._ids()[0]

    def id_clashes(self) -> list[IdClash]:
        """Talks whose ``:name:`` another talk has, or whose id is another's label."""
        return self._ids()[1]

    def talk_at(self, docname: str, anchor: str) -> Talk | None:
        """The talk (with its final id) whose target is ``anchor`` on ``docname``."""
        return next((talk for talk in self.all_talks()
                     if talk.docname == docname and talk.anchor == anchor), None)

    @contextmanager
    def rereading(self, docname: str, talks: list[Talk]) -> Iterator[None]:
        """Read ``docname`` again with its own ``talks`` (as last read) in view.

        A list on a page (the overview on ``index``) is rendered before the
        talks further down that page are noted; re-read from scratch it would
        never see them, and never match the final data. So while the page is
        read again, every lookup sees the talks it had, which are the talks it
        will have: its source is the same.
        """
        self._rereading[docname] = talks
        self._forget_derived()
        try:
            yield
        finally:
            del self._rereading[docname]
            self._forget_derived()

    def _index(self) -> dict[str, Talk]:
        talks = self.all_talks()
        if self._talk_index is None:
            self._talk_index = {talk.id: talk for talk in talks}
        return self._talk_index

    def talk(self, talk_id: str) -> Talk | None:
        """The talk whose final id is ``talk_id``."""
        return self._index().get(talk_id)

    @property
    def talks(self) -> dict[str, Talk]:
        """Final id -> talk: every talk, as final ids are unique."""
        return dict(self._index())

    def presenters(self) -> dict[str, tuple[Presenter, list[Talk]]]:
        """Presenter id -> (the person, their talks), one entry per person.

        The same name on several talks is one person; the first affiliation
        given in document order is kept. Cached: every talk header resolves
        its presenters against it.
        """
        talks = self.all_talks()  # first: it drops this cache when ids change
        if self._people is not None:
            return self._people
        people: dict[str, tuple[Presenter, list[Talk]]] = {}
        for talk in talks:
            for person in talk.presenters:
                entry = people.setdefault(person.id, (person, []))
                if not entry[0].affiliation and person.affiliation:
                    entry = people[person.id] = (person, entry[1])
                entry[1].append(talk)
        self._people = people
        return people

    def index_page(self, kind: str) -> str | None:
        """The page holding the ``presenters`` or ``tracks`` index, if any."""
        for docname, views in self.all_views():
            if any(view.kind == kind for view in views):
                return docname
        return None

    # -- resolving -------------------------------------------------------------

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        """Resolve ``:talk:`` to the talk and ``:presenter:`` to the index entry."""
        if typ == "talk":
            talk = self.talk(target)
            if talk is None:
                return None
            if not node.get("refexplicit"):
                contnode = nodes.inline(talk.title, talk.title, classes=contnode["classes"])
            return make_refnode(
                builder, fromdocname, talk.docname, talk.anchor, contnode, talk.title
            )
        if typ == "entry":
            # Schedules link each listed talk itself, duplicates of an id included.
            return make_refnode(
                builder, fromdocname, node["talkdoc"], node["talkanchor"], contnode
            )
        if typ == "presenter":
            page = self.index_page("presenters")
            person = Presenter(target.strip())
            if page is None or person.id not in self.presenters():
                # A talk header names its presenters whether or not the site
                # has a presenters page; there, the name stays plain text.
                # Sphinx puts whatever node comes back in place of the xref.
                return cast("nodes.reference", contnode) if node.get("optional") else None
            return make_refnode(builder, fromdocname, page, person.id, contnode, person.name)
        return None

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        """Let ``:any:`` find talks (by id) and presenters (by name).

        A talk's id is also its std label (:func:`sync_std_labels`), which
        ``:any:`` already finds through the std domain; answering again here
        would make every talk an ambiguous ``:any:`` target.
        """
        results = []
        mirrored = _mirrored_label(env, self.talk(target))
        for typ in ("presenter",) if mirrored else ("talk", "presenter"):
            ref = self.resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
            if ref is not None:
                results.append((f"{self.name}:{typ}", ref))
        return results

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        """Talks and presenters for ``objects.inv`` (the title is the display name)."""
        for talk_id, talk in sorted(self.talks.items()):
            yield talk_id, talk.title, "talk", talk.docname, talk.anchor, 1
        page = self.index_page("presenters")
        if page is not None:
            for person_id, (person, _talks) in sorted(self.presenters().items()):
                yield person.name, person.name, "presenter", page, person_id, 1


def _talk_targets(talks: Iterable[Talk]) -> set[tuple[str, str, str]]:
    """The std label value :func:`sync_std_labels` gives each of ``talks``.

    A label with one of these values is a talk's mirror (or a label of the
    page pointing at exactly that talk), never another object's.
    """
    return {(talk.docname, talk.anchor, talk.title) for talk in talks}


def _mirrored_label(env: BuildEnvironment, talk: Talk | None) -> bool:
    """Whether the std domain holds the label :func:`sync_std_labels` gave ``talk``."""
    if talk is None:
        return False
    label = env.domains.standard_domain.labels.get(talk.id)
    return label == (talk.docname, talk.anchor, talk.title)


def before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: pages are read without the talks' labels."""
    remove_std_labels(env)


def remove_std_labels(env: BuildEnvironment) -> None:
    """Take away the std labels :func:`sync_std_labels` gave talks (``env-before-read-docs``).

    While pages are read, the std domain must hold only the labels pages
    define: a page that now defines a label a talk had would otherwise get
    Sphinx's duplicate-label warning, which a clean build does not print, and
    a talk must never look like the owner of a page's label. Only labels still
    exactly as they were given are removed, so a page's own label survives.
    """
    std = env.domains.standard_domain
    domain = ConferenceDomain.of(env)
    for name, value in domain.data["labels"].items():
        if std.labels.get(name) == value:
            del std.labels[name]
            if std.anonlabels.get(name) == value[:2]:
                del std.anonlabels[name]
    domain.data["labels"] = {}
    domain._forget_derived()


def sync_std_labels(env: BuildEnvironment) -> None:
    """Give every talk a titled std label named by its final id.

    A project that loads only intersphinx resolves ``:ref:`` against std
    labels, so each talk needs one. They are set after reading, from the
    deterministic ids (see :mod:`conference.ids`), rather than by each
    directive: under ``-j`` read order is arbitrary. A label some page defines
    is never replaced (the talk got another id). The labels given are
    recorded, so the next build can take exactly those away again: ids can
    change without their page being read again.
    """
    remove_std_labels(env)
    std = env.domains.standard_domain
    domain = ConferenceDomain.of(env)
    given: dict[str, tuple[str, str, str]] = {}
    for talk_id, talk in domain.talks.items():
        value = (talk.docname, talk.anchor, talk.title)
        if std.labels.get(talk_id) == value:
            continue  # the page's own label for this very talk: it stays the page's
        std.labels[talk_id] = value
        std.anonlabels[talk_id] = value[:2]
        given[talk_id] = value
    domain.data["labels"] = given
