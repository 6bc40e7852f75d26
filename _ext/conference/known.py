"""The extensions whose work while a page is written this package has read.

Two optimisations move or skip what Sphinx does for each page it writes:
``conference.parallel`` resolves and indexes pages in forked writers, and
``conference.searchindex`` keeps the old search data of a page rewritten for
its navigation alone (``dependencies.same_body``). Each is right only if no
extension keeps state from that work, or makes a page's search data from
anything but its body; so each is used only when every extension of the
project is one whose resolve-time work was read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Extensions (module names, or prefixes ending in ``.``) whose work while a
#: page is resolved and indexed keeps no state in the builder, the
#: environment or the application beyond what ``conference.parallel`` sends back.
KNOWN_EXTENSIONS: Final = (
    "alabaster",
    "conference",
    "conference.",
    "myst_parser",
    "sphinx_rtd_theme",
    "sphinx.addnodes",
    "sphinx.builders.",
    "sphinx.config",
    "sphinx.directives",
    "sphinx.directives.",
    "sphinx.domains.",
    "sphinx.environment.collectors.",
    "sphinx.extension",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.parsers",
    "sphinx.registry",
    "sphinx.roles",
    "sphinx.transforms",
    "sphinx.transforms.",
    "sphinx.versioning",
    "sphinxcontrib.applehelp",
    "sphinxcontrib.devhelp",
    "sphinxcontrib.htmlhelp",
    "sphinxcontrib.jquery",
    "sphinxcontrib.jsmath",
    "sphinxcontrib.qthelp",
    "sphinxcontrib.serializinghtml",
)


def unknown_extensions(app: Sphinx) -> list[str]:
    """The project's extensions this module has not read."""
    return sorted(
        name for name in app.extensions
        if not any(name == known or (known.endswith(".") and name.startswith(known))
                   for known in KNOWN_EXTENSIONS)
    )
