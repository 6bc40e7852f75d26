"""What each written page took from other pages, and which pages must be written again.

A page's output is made from its own doctree and from data that lives on
other pages. Plain Sphinx writes a page again only when its own source, or a
page its toctree includes, changed; everything else a page shows goes stale.
Instead of a hand-kept list of "fields that matter", this module fingerprints,
for every page, exactly the inputs Sphinx renders it from:

* **the talks it lists**: the digests of the page's views (see
  ``schedule.View``), which cover the talk fields each view renders. Those
  are rendered at read time, so ``schedule.refresh_views`` re-reads a stale
  page; the digest here makes the other outputs on shared doctrees write it;
* **its talks' context**: what runs at the same time and next in the room,
  rendered at write time from other pages' talks (``context``);
* **the references it resolved** at write time: every ``pending_xref`` of the
  page, recorded when it is read (:func:`note_read`), looked up in the
  environment as the resolver would (target page, anchor and title of a
  ``:ref:`` or ``:talk:``, the title of a ``:doc:``, the presenters page and
  the person of a ``:presenter:``, the whole target page for ``:numref:``,
  the matching objects of any other domain);
* **the names of its images** in ``_images/``, which ``assets`` may change;
* **its navigation**: Sphinx's own data for every document that the page's
  sidebar, prev/next links, breadcrumbs and body toctrees can show: the
  ``env.tocs`` entry (toctree nodes with all their attributes, captions and
  explicit entry titles included), the title, the toctree includes, section
  and figure numbers, and the page's relations, plus the effective theme
  options. With the Read the Docs theme and ``collapse_navigation`` true (read
  with ``tobool``, as the theme reads it) a sidebar only expands the page's
  own branch: the page depends on all of that data for its ancestors, and on
  only what a collapsed entry shows (its title line) for their other
  children and for its neighbours. So reordering one day rewrites that day's
  pages and the neighbours of the moved talk, not the other days. With any
  other theme or setting, a page depends on every document.

The fingerprints are kept per output (``builder:outdir``, see
:func:`output_key`): html, latex and text builds on shared doctrees each
compare with what *they* last wrote. ``env-get-updated``
(:func:`rewrite_changed`) returns every page whose fingerprint differs from
that output's record. Over-approximating an input only costs a rewrite;
missing one would leave a stale page, so every choice here errs on the side
of more inputs. A fingerprint is two digests, ``body:navigation``: the
pages whose body part is unchanged are written again for their navigation
only (:func:`same_body`), which lets ``searchindex`` keep their index data.

Pages are also re-read when they were last read under another builder's
settings (:func:`reread_other_flavour`): a ``text`` build reads with smart
quotes off, and html must not write that pickle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final
from weakref import WeakKeyDictionary

from docutils import nodes
from sphinx import addnodes
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import docname_join

from .assets import images_by_doc
from .domain import ConferenceDomain
from .known import unknown_extensions
from .model import Presenter

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: A reference as recorded at read time: domain, type, target, explicit title.
Xref = tuple[str, str, str, bool]

#: Themes whose sidebar was checked to expand only the current page's branch
#: when ``collapse_navigation`` is true (see ``sphinx_rtd_theme/layout.html``).
COLLAPSING_THEMES: Final = frozenset({"sphinx_rtd_theme"})


def output_key(app: Sphinx) -> str:
    """Which output a record describes: the builder's name and output directory.

    Builders switched on shared doctrees (html, then latex, then html, as Read
    the Docs does) share the environment but not their outputs, so what was
    written is remembered per output.
    """
    return f"{app.builder.name}:{app.outdir}"


def output_file_key(app: Sphinx) -> str:
    """:func:`output_key` as a short name for this output's files in the doctree directory."""
    return hashlib.sha1(output_key(app).encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def _digest(payload: object) -> str:
    return hashlib.sha1(repr(payload).encode("utf-8"), usedforsecurity=False).hexdigest()


# -- read time -------------------------------------------------------------------


def read_flavour(app: Sphinx) -> str:
    """The builder-dependent part of reading: whether smart quotes are applied.

    Mirrors ``SphinxSmartQuotes.is_available`` (its other inputs, the
    configuration and the language, make Sphinx re-read everything anyway).
    """
    excluded = app.config.smartquotes_excludes.get("builders", [])
    smart = bool(app.config.smartquotes) and app.builder.name not in excluded
    return "smartquotes" if smart else "plain"


def note_read(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: record the page's references and how it was read."""
    xrefs: set[Xref] = {
        (node.get("refdomain", ""), node.get("reftype", ""), node.get("reftarget", ""),
         bool(node.get("refexplicit")))
        for node in doctree.findall(addnodes.pending_xref)
    }
    domain = ConferenceDomain.of(app.env)
    domain.note_read(app.env.docname, sorted(xrefs), read_flavour(app))


def reread_other_flavour(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """``env-get-outdated``: pages last read under another builder's settings."""
    domain = ConferenceDomain.of(env)
    flavour = read_flavour(app)
    return sorted(
        docname
        for docname, read_as in domain.read_flavours().items()
        if read_as != flavour and docname in env.found_docs and docname not in removed
    )


# -- references --------------------------------------------------------------------


class _References:
    """Looks up what resolving each recorded reference reads from the environment."""

    def __init__(self, env: BuildEnvironment) -> None:
        self.env = env
        self.std = env.domains.standard_domain
        self.conf = ConferenceDomain.of(env)
        self._objects: dict[str, list[tuple[str, ...]]] | None = None

    def objects(self, target: str) -> list[tuple[str, ...]]:
        """Objects of every domain whose last dotted name part is the target's."""
        if self._objects is None:
            index: dict[str, list[tuple[str, ...]]] = {}
            for domain in self.env.domains.sorted():
                for name, dispname, typ, docname, anchor, _prio in domain.get_objects():
                    key = name.rsplit(".", 1)[-1].lower()
                    index.setdefault(key, []).append(
                        (domain.name, name, dispname, typ, docname, anchor))
            self._objects = index
        return self._objects.get(target.rsplit(".", 1)[-1].lower(), [])

    def label(self, target: str) -> object:
        """A std label as ``:ref:``/``:numref:`` read it, and its page's numbers."""
        anon = self.std.anonlabels.get(target)
        numbers = None
        if anon is not None:
            page = anon[0]
            numbers = (self.env.toc_secnumbers.get(page), self.env.toc_fignumbers.get(page))
        return (self.std.labels.get(target), anon, numbers)

    def doc(self, fromdoc: str, target: str) -> object:
        """A ``:doc:`` target: whether it exists, and its title."""
        docname = docname_join(fromdoc, target)
        title = self.env.titles.get(docname)
        return (docname, docname in self.env.all_docs, title.astext() if title else None)

    def whole_page(self, target: str) -> object:
        """When resolution reads the target's doctree: the time it was last read."""
        anon = self.std.anonlabels.get(target)
        return self.env.all_docs.get(anon[0]) if anon is not None else None

    def talk(self, target: str) -> object:
        talk = self.conf.talk(target)
        return (talk.docname, talk.anchor, talk.title) if talk is not None else None

    def presenter(self, target: str) -> object:
        person = Presenter(target.strip())
        return (self.conf.index_page("presenters"), person.id in self.conf.presenters())

    def inputs(self, fromdoc: str, xref: Xref) -> object:
        """Everything the resolution of ``xref`` on ``fromdoc`` depends on."""
        domain, typ, target, _explicit = xref
        if domain == ConferenceDomain.name:
            if typ == "talk":
                return self.talk(target)
            if typ == "presenter":
                return self.presenter(target)
            if typ == "entry":
                return None  # the node carries its page and anchor
        if domain == "std":
            if typ == "ref":
                return self.label(target)
            if typ == "numref":
                return (self.label(target), self.whole_page(target))
            if typ == "doc":
                return self.doc(fromdoc, target)
        # ``:any:``, and every other type: all that could answer it.
        return (
            self.label(target), self.label(target.lower()), self.doc(fromdoc, target),
            self.talk(target), self.presenter(target), self.objects(target),
            self.std.objects.get(("term", target.lower())),
        )


# -- navigation --------------------------------------------------------------------


class _Navigation:
    """The navigation inputs of each page, from Sphinx's own toctree data."""

    def __init__(self, app: Sphinx, env: BuildEnvironment) -> None:
        self.env = env
        self.root = env.config.root_doc
        self.relations = env.collect_relations()
        self.parents: dict[str, set[str]] = {}
        for parent, children in env.toctree_includes.items():
            for child in children:
                self.parents.setdefault(child, set()).add(parent)
        self.options, self.collapse = _theme_reading(app)
        self._entries: dict[str, str] = {}
        self._collapsed: dict[str, str] = {}
        self._all: str | None = None

    def entry(self, docname: str) -> str:
        """Digest of every toctree datum Sphinx keeps for one document."""
        if docname not in self._entries:
            env = self.env
            toc = env.tocs.get(docname)
            title = env.titles.get(docname)
            longtitle = env.longtitles.get(docname)
            self._entries[docname] = _digest((
                docname,
                docname in env.all_docs,
                toc.pformat() if toc is not None else None,
                title.astext() if title is not None else None,
                longtitle.astext() if longtitle is not None else None,
                env.toctree_includes.get(docname),
                sorted(env.toc_secnumbers.get(docname, {}).items()),
                sorted((key, sorted(value.items()))
                       for key, value in env.toc_fignumbers.get(docname, {}).items()),
                docname in env.glob_toctrees,
                docname in env.numbered_toctrees,
            ))
        return self._entries[docname]

    def everything(self) -> str:
        """Digest of every document's toctree data."""
        if self._all is None:
            docs = sorted(set(self.env.all_docs) | set(self.env.tocs))
            self._all = _digest([self.entry(doc) for doc in docs])
        return self._all

    def ancestors(self, docname: str) -> set[str]:
        """The page and every page that lists it, transitively."""
        found, todo = {docname}, [docname]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found

    def descendants(self, docnames: Iterable[str]) -> set[str]:
        """The pages listed by ``docnames``, transitively."""
        found: set[str] = set()
        todo = list(docnames)
        while todo:
            doc = todo.pop()
            if doc in found:
                continue
            found.add(doc)
            todo.extend(self.env.toctree_includes.get(doc, ()))
        return found

    def collapsed(self, docname: str) -> str:
        """Digest of what a collapsed sidebar entry, or a prev/next link, shows of a page.

        Its title, and the top level of its table of contents without the
        sub-lists (``_toctree_copy`` drops them from every entry off the
        current branch). A top level holding anything but plain entries (a
        toctree before the first section, an ``only``) is taken whole, with
        every page it lists.
        """
        if docname not in self._collapsed:
            env = self.env
            toc = env.tocs.get(docname)
            title = env.titles.get(docname)
            items = list(toc.children) if toc is not None else []
            plain = all(isinstance(item, nodes.list_item) for item in items)
            top = [
                "".join(child.pformat() for child in item.children
                        if not isinstance(child, nodes.bullet_list))
                for item in items
            ]
            if not plain:
                self._collapsed[docname] = _digest(
                    [self.entry(doc) for doc in sorted(self.descendants([docname]))])
            else:
                self._collapsed[docname] = _digest((
                    docname,
                    docname in env.all_docs,
                    title.astext() if title is not None else None,
                    top,
                    sorted(env.toc_secnumbers.get(docname, {}).items()),
                ))
        return self._collapsed[docname]

    def visible(self, docname: str) -> tuple[set[str], set[str]]:
        """The documents a collapsed sidebar, the relations and the body show.

        Two sets: the documents shown whole (the page's branch, where every
        toctree is expanded, and the subtrees of the body's own visible
        toctrees), and those shown as one collapsed entry (the other children
        of the branch, and the page's neighbours).
        """
        branch = self.ancestors(docname) | {self.root}
        whole = set(branch)
        toc = self.env.tocs.get(docname)
        if toc is not None:
            body = [ref for node in toc.findall(addnodes.toctree) if not node.get("hidden")
                    for ref in node["includefiles"]]
            whole |= self.descendants(body)
        entries: set[str] = set()
        for doc in branch:
            entries.update(self.env.toctree_includes.get(doc, ()))
        entries.update(doc for doc in self.relations.get(docname, ()) if doc)
        return whole, entries - whole

    def inputs(self, docname: str) -> object:
        """The navigation inputs of one page."""
        relations = self.relations.get(docname)
        if not self.collapse:
            return (self.options, relations, self.everything())
        whole, entries = self.visible(docname)
        return (self.options, relations, [self.entry(doc) for doc in sorted(whole)],
                [self.collapsed(doc) for doc in sorted(entries)])


def tobool(value: object) -> bool:
    """A theme option as the ``tobool`` template filter reads it (``sphinx.jinja2glue``).

    Strings are true only when they say so (``"False"`` and ``"0"`` are
    false); anything else by its truth value (``0`` is false).
    """
    if isinstance(value, str):
        return value.lower() in {"true", "1", "yes", "on"}
    return bool(value)


def _theme_reading(app: Sphinx) -> tuple[object, bool]:
    """The effective theme options, and whether sidebars show only the current branch.

    Read as the theme reads them: ``sphinx_rtd_theme`` passes
    ``collapse_navigation`` through ``tobool``, so ``0`` and ``"False"`` are
    false. Builders without a theme, other themes and custom sidebars are
    taken to show every document.
    """
    builder = app.builder
    theme = getattr(builder, "theme", None)
    if not isinstance(builder, StandaloneHTMLBuilder) or theme is None:
        return None, False
    options = theme.get_options(builder.theme_options)
    collapse = (
        theme.name in COLLAPSING_THEMES
        and not app.config.html_sidebars
        and tobool(options.get("collapse_navigation", True))
    )
    return sorted((key, repr(value)) for key, value in options.items()), collapse


# -- the decision ------------------------------------------------------------------


def page_fingerprints(
    app: Sphinx, env: BuildEnvironment, *page_inputs: Callable[[str], object]
) -> dict[str, str]:
    """Docname -> digest of everything that page's output is made from, outside it.

    ``page_inputs`` give what the extension renders on a page from other
    pages' talks (the views' digests, the talk context), by docname.
    """
    domain = ConferenceDomain.of(env)
    references = _References(env)
    navigation = _Navigation(app, env)
    images = images_by_doc(env)
    # A talk's final id depends on the other pages (a title shared with
    # another talk gives both a day prefix), and its page writes it (the
    # calendar and chapter links), so the page's own final ids are inputs too.
    own_ids: dict[str, list[str]] = {}
    for talk in domain.all_talks():
        own_ids.setdefault(talk.docname, []).append(talk.id)
    return {
        docname: _digest((
            [inputs(docname) for inputs in page_inputs],
            own_ids.get(docname),
            images.get(docname),
            [(xref, references.inputs(docname, xref)) for xref in domain.xrefs_on(docname)],
            # When the page was read: its own doctree is an input of its body.
            env.all_docs.get(docname),
        )) + ":" + _digest(navigation.inputs(docname))
        for docname in sorted(env.found_docs)
    }


def _body(fingerprint: str) -> str:
    """The part of a page's fingerprint that its body is made from (without navigation)."""
    return fingerprint.partition(":")[0]


#: Per build: the pages written again only because their navigation changed.
_SAME_BODY: WeakKeyDictionary[Sphinx, frozenset[str]] = WeakKeyDictionary()


def same_body(app: Sphinx) -> frozenset[str]:
    """The pages this build writes again only for their navigation, so with the same body.

    Their own doctree was not read again, nothing the body takes from other
    pages changed, and they have no toctree (a body toctree shows other
    pages' titles, which are navigation inputs): so the resolved doctree,
    and everything made from it alone, such as the page's search index
    data, is what the last build of this output made. Empty when a project
    extension's write-time work is unknown (``known.unknown_extensions``).
    """
    return _SAME_BODY.get(app, frozenset())


def rewrite_changed(
    app: Sphinx, env: BuildEnvironment, *page_inputs: Callable[[str], object]
) -> list[str]:
    """The pages whose recorded inputs differ from what this output last wrote.

    Every page when this output has no record yet (first build here), and
    every page an interrupted build of this output meant to write
    (:func:`note_unwritten`).
    """
    domain = ConferenceDomain.of(env)
    current = page_fingerprints(app, env, *page_inputs)
    previous = domain.record_written(output_key(app), current)
    leftover = set(_unwritten(app))
    if previous is None:
        changed = sorted(current)
    else:
        changed = sorted(docname for docname, digest in current.items()
                         if previous.get(docname) != digest or docname in leftover)
    note_unwritten(app, changed)
    if previous is None or unknown_extensions(app):
        _SAME_BODY[app] = frozenset()
    else:
        # A leftover page's search data is that of the build before the
        # interrupted one, whose body may differ.
        _SAME_BODY[app] = frozenset(
            docname for docname in changed
            if docname in previous and _body(previous[docname]) == _body(current[docname])
            and docname not in env.toctree_includes and docname not in leftover
        )
    return changed


# -- an interrupted build ------------------------------------------------------------
#
# Sphinx pickles the environment, with the record above, before it writes a
# page. When a build fails it deletes that pickle, so the next build starts
# afresh; an interrupted one (Ctrl-C, a killed process) leaves it, and the
# next build would take every page it recorded as written. So the pages each
# build means to write are kept in a file of the doctree directory until
# ``build-finished`` says it is over.


def _unwritten_file(app: Sphinx) -> Path:
    return Path(app.doctreedir) / f"conference-unwritten-{output_file_key(app)}.json"


def _unwritten(app: Sphinx) -> list[str]:
    """The pages the last build of this output meant to write, if it never finished."""
    try:
        pages = json.loads(_unwritten_file(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [page for page in pages if isinstance(page, str)] if isinstance(pages, list) else []


def note_unwritten(app: Sphinx, docnames: list[str]) -> None:
    """Keep the pages this build is about to write until it finishes."""
    path = _unwritten_file(app)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sorted(docnames)), encoding="utf-8")
    except OSError:
        # Sphinx is about to pickle the environment into the same folder,
        # and says so, with its own error, if it cannot.
        return


def forget_unwritten(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: what this build meant to write is written, or Sphinx starts afresh."""
    try:
        _unwritten_file(app).unlink(missing_ok=True)
    except OSError:
        return  # the next build writes those pages again, which is only slower

