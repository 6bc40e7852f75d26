"""Navigation cache: share the sidebar toctree work between sibling pages.

Why: with the Read the Docs theme, every page's sidebar resolves and renders
the whole branch of the toctree it sits in, so a day with N talks costs N²
list items. On pages under the same toctree of the same parent (a "group"),
the sidebar is one string in which only the page's own ``<li>`` differs: the
page's entry is marked ``current``, links to ``#`` and is expanded. So, per
group, we render one sidebar with Sphinx's own helper and swap the page's
entry into it; per page, we render only that entry, twice (as current, and as
a sibling sees it), both through Sphinx's own resolver and renderer.

Sphinx internals this module depends on (verified on the Sphinx versions of
``conference.compat.NAV_CACHE``; on others the cache is off and
``conference.compat`` warns):

* ``StandaloneHTMLBuilder.handle_page`` puts a ``toctree`` helper into the
  page context (a lambda calling ``_get_local_toctree``) before it emits
  ``html-page-context``; we wrap that helper and call it for every page we do
  not splice. Its defaults (``collapse=True``, ``includehidden=False``,
  ``maxdepth=''`` meaning 0) are replicated in ``_Options``.
* ``sphinx.environment.adapters.toctree``: ``global_toctree_for_doc``
  resolves each toctree of the root page with ``_resolve_toctree``, whose
  ``maxdepth``, ``titlesonly`` and ``includehidden`` come from that *root*
  toctree and apply to the whole branch (a nested toctree only contributes
  ``hidden``); entries of ancestors are copied whole, others are cut with
  ``_toctree_copy``; ``_toctree_add_classes`` adds ``toctree-lN`` by list
  depth and ``current`` along the branch of the page. ``TocTree.resolve``
  (the adapter's wrapper of ``_resolve_toctree``) renders one entry the same
  way when handed a one-entry toctree shifted by the entry's depth.
* ``env.toctree_includes`` (who lists whom), ``env.tocs`` (where a toctree
  sits in its parent) and ``env.master_doctree`` (the root's toctrees).
* ``builder.render_partial`` renders a list item the same wherever its list
  sits (``<ul>`` and ``<li>`` markup carries no context from enclosing lists).

Fallbacks: a page gets Sphinx's own sidebar, unspliced, when

* the builder is not ``html`` (other builders compute URIs and sidebars
  differently, and none of them was verified);
* Sphinx is not a version the cache was verified on (the internals above
  may change in any minor version; ``conference.compat`` warns then);
* another extension replaced the ``toctree`` helper (its output is not ours
  to reproduce);
* it is the root page, or not a document (their sidebars have no branch to
  share), or it, or one of its ancestors, is listed in no toctree or in more
  than one, or the root is listed in one (Sphinx then picks one branch by
  dict order, and sibling entries could contain the page);
* the group's first sidebar does not contain the page's entry exactly once in
  the expected markup (e.g. a ``maxdepth`` that hides the page), which
  disables the whole group;
* the page's entry is not found exactly once in the group's sidebar.

Groups are keyed by (parent docname, index of the parent's toctree that
lists the page, the ``toctree()`` keywords, the page's output folder, builder
name): the index because two toctrees of one parent, in different sections,
make two lists that expand and collapse separately; the folder because links
are relative. The cache lives for one write phase (it is replaced on
``write-started``, after all reading), so nothing crosses builds; under
``-j N`` each forked writer fills its own copy. At verbose level (``-v``)
each page's outcome is logged with the id of the process that wrote it
(Sphinx passes a forked writer's log records back to the main process), so
the cache's work under ``-j N`` can be seen.

``conference_nav_cache_verify = True`` renders every spliced sidebar both
ways and raises ``ExtensionError`` at the first difference, naming the page
and the position. It is raised while the theme's template runs, so Sphinx
reports it as the cause of a ``ThemeError`` for that page.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from docutils import nodes
from sphinx import addnodes
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment.adapters.toctree import TocTree
from sphinx.errors import ExtensionError
from sphinx.util import logging

from . import compat

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.util.typing import ExtensionMetadata

__version__ = "1.0"

logger = logging.getLogger(__name__)

#: A docname no document can have: used to render an entry as seen from a
#: sibling page in the same folder (no branch is current for it).
_NOBODY = "\x00navcache"

#: The page's own entry inside a rendered sidebar; its depth is the group's.
_CURRENT_ENTRY = re.compile(
    r'<li class="toctree-l(\d+) current"><a class="current reference internal" href="#">'
)
_DEPTH_CLASS = re.compile(r"toctree-l(\d+)")

_caches: WeakKeyDictionary[Builder, NavCache] = WeakKeyDictionary()


class _Fallback(Exception):
    """A page, or a group, that must be left to Sphinx; the text says why."""


@dataclass(frozen=True)
class _Options:
    """The ``toctree()`` keywords, with ``_get_local_toctree``'s defaults."""

    collapse: bool
    includehidden: bool
    maxdepth: int
    titles_only: bool

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> _Options:
        """Normalise like Sphinx; unknown keywords are Sphinx's to reject."""
        unknown = set(kwargs) - {"collapse", "includehidden", "maxdepth", "titles_only"}
        if unknown:
            msg = f"unknown toctree() keywords {sorted(unknown)}"
            raise _Fallback(msg)
        maxdepth = kwargs.get("maxdepth", 0)
        return cls(
            collapse=bool(kwargs.get("collapse", True)),
            includehidden=bool(kwargs.get("includehidden", False)),
            maxdepth=0 if maxdepth == "" else int(maxdepth),
            titles_only=bool(kwargs.get("titles_only", False)),
        )


@dataclass(frozen=True)
class _Place:
    """Where a page is listed, as far as its sidebar entry depends on it.

    The title and the toctree (by index in the parent's table of contents)
    that list the page, and the root toctree heading its branch, whose
    options govern the whole branch.
    """

    parent: str
    toctree_index: int
    title: str | None
    root_toctree: addnodes.toctree


@dataclass(frozen=True)
class _Group:
    """The sidebar shared by a group's pages.

    It is the sidebar of the group's first page, with that page's entry put
    back as its siblings see it; ``depth`` is the N of the entries'
    ``toctree-lN`` class. ``siblings`` holds the entries of the group's
    pages as a sibling sees them, and ``currents`` as each sees its own,
    each rendered at once (see ``NavCache._siblings``).
    """

    template: str
    depth: int
    siblings: dict[str, str]
    currents: dict[str, str]


class _Index:
    """Who lists whom, read once per write phase from the final env."""

    def __init__(self, builder: StandaloneHTMLBuilder) -> None:
        env = builder.env
        self.root = env.config.root_doc
        self.docs = env.all_docs
        includes = env.toctree_includes
        self.counts = Counter(ref for refs in includes.values() for ref in refs)
        self.parent = {ref: doc for doc, refs in includes.items() for ref in refs}
        self.root_toctrees = {
            ref: toctree
            for toctree in env.master_doctree.findall(addnodes.toctree)
            for ref in toctree["includefiles"]
        }
        self.listing: dict[str, tuple[str, int, str | None]] = {}
        for doc in includes:
            if doc not in env.tocs:
                continue
            toctrees = env.tocs[doc].findall(addnodes.toctree)
            for index, toctree in enumerate(toctrees):
                for title, ref in toctree["entries"]:
                    self.listing.setdefault(ref, (doc, index, title))
        self._places: dict[str, _Place | str] = {}

    def place(self, docname: str) -> _Place:
        """Return where *docname* is listed, or raise why it is not usable."""
        if docname not in self._places:
            self._places[docname] = self._find(docname)
        place = self._places[docname]
        if isinstance(place, str):
            raise _Fallback(place)
        return place

    def _find(self, docname: str) -> _Place | str:
        if docname == self.root:
            return "root page"
        if docname not in self.docs:
            return "not a document"
        if self.counts[self.root]:
            return "the root page is listed in a toctree"
        chain = [docname]
        while chain[-1] != self.root:
            doc = chain[-1]
            if self.counts[doc] != 1:
                return f"{doc!r} is listed in {self.counts[doc]} toctrees"
            if self.parent[doc] in chain:
                return "circular toctree"
            chain.append(self.parent[doc])
        if docname not in self.listing or chain[-2] not in self.root_toctrees:
            return "toctree outside the table of contents"
        parent, index, title = self.listing[docname]
        return _Place(parent, index, title, self.root_toctrees[chain[-2]])


@dataclass
class NavCache:
    """The cache of one write phase.

    ``outcomes`` maps each page whose sidebar was asked for to ``"cached"``
    (spliced), ``"seed"`` (rendered by Sphinx, then shared with its group) or
    ``"fallback: <why>"``; ``stats`` counts the same, for the build summary
    and the tests.
    """

    builder: StandaloneHTMLBuilder
    verify: bool
    outcomes: dict[str, str] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)
    _index: _Index | None = None
    _groups: dict[Hashable, _Group | str] = field(default_factory=dict)

    def toctree(self, pagename: str, native: Callable[..., str], kwargs: dict[str, Any]) -> str:
        """The page context's ``toctree()``: spliced, else Sphinx's own."""
        try:
            options = _Options.from_kwargs(kwargs)
            if self._index is None:
                self._index = _Index(self.builder)
            place = self._index.place(pagename)
            folder = posixpath.dirname(self.builder.get_target_uri(pagename))
            key = (
                place.parent,
                place.toctree_index,
                tuple(sorted(kwargs.items())),
                folder,
                self.builder.name,
            )
            hash(key)
        except (_Fallback, TypeError, ValueError) as exc:
            return self._native(pagename, native, kwargs, f"fallback: {exc}")
        group = self._groups.get(key)
        if group is None:
            html = native(**kwargs)
            try:
                self._groups[key] = self._seed(pagename, place, options, html)
            except _Fallback as exc:
                self._groups[key] = f"group disabled: {exc}"
                self._note(pagename, f"fallback: {exc}")
            else:
                self._note(pagename, "seed")
            return html
        try:
            if isinstance(group, str):
                raise _Fallback(group)
            html = self._splice(group, pagename, place, options)
        except _Fallback as exc:
            return self._native(pagename, native, kwargs, f"fallback: {exc}")
        self._note(pagename, "cached")
        if self.verify:
            _compare(pagename, html, native(**kwargs))
        return html

    def _native(
        self,
        pagename: str,
        native: Callable[..., str],
        kwargs: dict[str, Any],
        outcome: str,
    ) -> str:
        self._note(pagename, outcome)
        return native(**kwargs)

    def _note(self, pagename: str, outcome: str) -> None:
        self.outcomes[pagename] = outcome
        self.stats[outcome.partition(":")[0]] += 1
        logger.verbose(
            "conference_nav_cache: %s: %s (process %d)", pagename, outcome, os.getpid()
        )

    def _seed(self, pagename: str, place: _Place, options: _Options, html: str) -> _Group:
        """Make a group from Sphinx's sidebar of its first page."""
        depths = _CURRENT_ENTRY.findall(html)
        if len(depths) != 1:
            msg = "the page's own entry is not in its sidebar exactly once"
            raise _Fallback(msg)
        depth = int(depths[0])
        current = self._entry(pagename, place, options, depth, current=True)
        if html.count(current) != 1:
            msg = "the page's entry renders differently alone"
            raise _Fallback(msg)
        sibling = self._entry(pagename, place, options, depth, current=False)
        siblings, currents = self._siblings(pagename, place, options, depth)
        if currents.get(pagename, current) != current:
            currents = {}  # rendered together, they came out otherwise
        return _Group(html.replace(current, sibling), depth, siblings, currents)

    def _siblings(
        self, pagename: str, place: _Place, options: _Options, depth: int
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The entries of the pages beside *pagename*, as a sibling and as their own page sees them.

        ``builder.render_partial`` is a whole docutils publish, so each kind is
        rendered once for all pages instead of once per page, and cut into its
        items: the sibling view as one toctree of all of them, the own views as
        one list of each page's resolved entry. Only documents listed once, in
        the page's folder, are taken; if the items do not match them one to
        one, none is (each page then renders its own, as before). An entry is
        used only where the group's sidebar holds it exactly once, as before.
        """
        env = self.builder.env
        assert self._index is not None
        folder = posixpath.dirname(pagename)
        toctrees = list(env.tocs[place.parent].findall(addnodes.toctree))
        entries = [
            (title, ref) for title, ref in toctrees[place.toctree_index]["entries"]
            if ref in env.all_docs and self._index.counts[ref] == 1
            and posixpath.dirname(ref) == folder
        ]
        if not entries:
            return {}, {}
        refs = [ref for _title, ref in entries]
        try:
            seen = self._resolve(entries, posixpath.join(folder, _NOBODY), place, options, depth)
            own = nodes.bullet_list()
            for entry in entries:
                own.extend(_top_items(self._resolve([entry], entry[1], place, options, depth)))
        except _Fallback:
            return {}, {}
        return (_by_ref(refs, _items(self._fragment(seen))),
                _by_ref(refs, _items(self._fragment(own))))

    def _splice(self, group: _Group, pagename: str, place: _Place, options: _Options) -> str:
        """Swap the page's entry, as current, into its group's sidebar."""
        sibling = group.siblings.get(pagename) or self._entry(
            pagename, place, options, group.depth, current=False)
        if group.template.count(sibling) != 1:
            msg = "the page's entry is not in its group's sidebar exactly once"
            raise _Fallback(msg)
        current = group.currents.get(pagename) or self._entry(
            pagename, place, options, group.depth, current=True)
        return group.template.replace(sibling, current)

    def _entry(
        self,
        docname: str,
        place: _Place,
        options: _Options,
        depth: int,
        *,
        current: bool,
    ) -> str:
        """Render the ``<li>`` of *docname* as Sphinx would at list depth *depth*.

        As on its own page if *current*, else as a sibling page sees it.

        It resolves a one-entry toctree with the root toctree's options, so
        the entry sits at depth 1: ``maxdepth`` is shifted by ``depth - 1``
        and the ``toctree-lN`` classes are shifted back afterwards.
        """
        # A sibling's view: same folder (same relative links), nothing current.
        viewer = docname if current else posixpath.join(posixpath.dirname(docname), _NOBODY)
        resolved = self._resolve([(place.title, docname)], viewer, place, options, depth)
        fragment = self._fragment(resolved)
        head, _, entry = fragment.partition(">\n")
        if not (head.startswith("<ul") and entry.startswith("<li ") and entry.endswith("</ul>\n")):
            msg = "unexpected markup of a single entry"
            raise _Fallback(msg)
        return entry.removesuffix("</ul>\n")

    def _fragment(self, node: nodes.Element) -> str:
        """*node* rendered as HTML, by the builder's own renderer."""
        fragment: str = self.builder.render_partial(node)["fragment"]
        return fragment

    def _resolve(
        self,
        entries: list[tuple[str | None, str]],
        viewer: str,
        place: _Place,
        options: _Options,
        depth: int,
    ) -> nodes.Element:
        """Resolve a toctree of *entries* as *viewer* sees it, shifted to list depth *depth*."""
        env = self.builder.env
        root = place.root_toctree
        maxdepth = options.maxdepth or root.get("maxdepth", -1)
        if maxdepth > 0:
            maxdepth -= depth - 1
        toctree = addnodes.toctree(
            parent=place.parent,
            entries=entries,
            includefiles=[ref for _title, ref in entries],
            maxdepth=maxdepth,
            glob=False,
            hidden=False,
            titlesonly=root.get("titlesonly", False),
            includehidden=root.get("includehidden", False),
        )
        resolved = TocTree(env).resolve(
            viewer,
            self.builder,
            toctree,
            prune=True,
            maxdepth=0,
            titles_only=options.titles_only,
            collapse=options.collapse,
            includehidden=options.includehidden,
        )
        if resolved is None:
            msg = "the page's entry resolves to nothing"
            raise _Fallback(msg)
        for element in resolved.findall(nodes.Element):
            element["classes"] = [_shift_depth(name, depth - 1) for name in element["classes"]]
        return resolved


#: The markup that opens or closes a list, or closes an item, in rendered HTML.
_LIST_MARKUP = re.compile(r"<ul\b[^>]*>|</ul>|</li>\n")


def _items(fragment: str) -> list[str]:
    """The top-level ``<li>`` items of one rendered ``<ul>``, each with its newline.

    ``[]`` unless the fragment is one list of items and nothing else.
    """
    items: list[str] = []
    depth, start = 0, None
    for match in _LIST_MARKUP.finditer(fragment):
        token = match.group()
        if token.startswith("<ul"):
            depth += 1
            if depth == 1:
                if match.start() != 0 or not token.endswith(">"):
                    return []
                start = match.end() + 1  # after the list's own newline
        elif token == "</ul>":
            depth -= 1
        elif depth == 1 and start is not None:
            items.append(fragment[start:match.end()])
            start = match.end()
    if depth != 0 or fragment[start or 0:] != "</ul>\n" or not all(
            item.startswith("<li ") for item in items):
        return []
    return items


def _top_items(resolved: nodes.Element) -> list[nodes.list_item]:
    """The items of the one list a resolved toctree holds (raises if it holds more)."""
    lists = [child for child in resolved.children if isinstance(child, nodes.bullet_list)]
    if len(lists) != 1 or len(resolved.children) != 1:
        msg = "unexpected shape of a single entry"
        raise _Fallback(msg)
    items = [child for child in lists[0].children if isinstance(child, nodes.list_item)]
    lists[0].children = []  # the items move to the list that renders them together
    return items


def _by_ref(refs: list[str], items: list[str]) -> dict[str, str]:
    """Each page's rendered item, or nothing when the items do not match the pages."""
    return dict(zip(refs, items, strict=True)) if len(items) == len(refs) else {}


def _shift_depth(name: str, shift: int) -> str:
    """Turn class ``toctree-lN`` into ``toctree-l(N+shift)``; keep others."""
    match = _DEPTH_CLASS.fullmatch(name)
    return f"toctree-l{int(match[1]) + shift}" if match else name


def _compare(pagename: str, ours: str, sphinxs: str) -> None:
    """Verify mode: fail the build on the first difference from Sphinx."""
    if ours == sphinxs:
        return
    pos = next(
        (i for i, (a, b) in enumerate(zip(ours, sphinxs, strict=False)) if a != b),
        min(len(ours), len(sphinxs)),
    )
    msg = (
        f"conference_nav_cache_verify: the sidebar of page {pagename!r} differs "
        f"from Sphinx's at character {pos}: cache has {ours[pos : pos + 60]!r}, "
        f"Sphinx has {sphinxs[pos : pos + 60]!r}"
    )
    raise ExtensionError(msg)


def cache_for(builder: Builder) -> NavCache | None:
    """The cache of *builder*'s last write phase in this process, if any."""
    return _caches.get(builder)


def _start_write(app: Sphinx, builder: Builder) -> None:
    """``write-started``: a fresh cache per write phase, when it may apply."""
    _caches.pop(builder, None)
    if not app.config.conference_nav_cache:
        return
    if not compat.enabled(compat.NAV_CACHE):
        return  # compat.warn_if_off said so at builder-inited
    if builder.name == "html" and isinstance(builder, StandaloneHTMLBuilder):
        _caches[builder] = NavCache(builder, app.config.conference_nav_cache_verify)


def _page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """``html-page-context``: wrap Sphinx's ``toctree`` helper of the page."""
    cache = _caches.get(app.builder)
    native = context.get("toctree")
    if cache is None or native is None:
        return
    if getattr(native, "__qualname__", "") != compat.TOCTREE_HELPER:
        cache._note(pagename, "fallback: toctree helper replaced")
        return
    context["toctree"] = lambda **kwargs: cache.toctree(pagename, native, kwargs)


def _summary(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: say what the cache did (in this process)."""
    cache = _caches.get(app.builder)
    if cache is not None and exception is None:
        logger.verbose(
            "conference_nav_cache (main process): %s",
            ", ".join(f"{n} {what}" for what, n in sorted(cache.stats.items())) or "unused",
        )


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the config values and the handlers."""
    app.add_config_value("conference_nav_cache", True, "html", types=[bool])
    app.add_config_value("conference_nav_cache_verify", False, "html", types=[bool])
    app.connect("write-started", _start_write)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _summary)
    compat.connect_warning(app, compat.NAV_CACHE)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
