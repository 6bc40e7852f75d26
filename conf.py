"""Sphinx configuration for "PyCon 2013 Schedule & Notes".

The schedule is not written here: every talk page describes itself with the
``talk`` directive, and the ``conference`` extension (in ``_ext/``) builds the
day schedules, their toctrees and the calendar exports from those pages.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "PyCon 2013 Schedule & Notes"
author = "Mark Ransom"
copyright = "2013, Mark Ransom"  # noqa: A001 - Sphinx's own option name
version = "2013"
release = "2013"
language = "en"
# Read the Docs builds with -W but not -n: be nitpicky there too.
nitpicky = True

# Talk pages may be Markdown (MyST) as well as reStructuredText. The theme is an
# extension too: loaded with the others, before the environment is compared
# with the last build's, the options it sets (the permalink icon, jQuery's) are
# the same on every build, so a rebuild with no change reports no
# configuration change.
extensions = ["myst_parser", "conference", "sphinx_rtd_theme"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

conference_days = {
    "thursday": "2013-03-14",
    "friday": "2013-03-15",
    "saturday": "2013-03-16",
    "sunday": "2013-03-17",
}
conference_timezone = "America/Los_Angeles"
conference_name = "PyCon US 2013"
conference_acronym = "pycon2013"
conference_location = "Santa Clara, CA"
conference_venue = "Santa Clara Convention Center"
conference_city = "Santa Clara, CA"

exclude_patterns = [
    # Hidden folders (.pytest_cache, .git, ...): their README.md is no page.
    ".*",
    "_build",
    ".venv",
    ".venv-sphinx*",
    "_ext",
    "tests",
    "bench",
    "templates",
    "README.md",
    "BENCHMARKS.md",
    "Thumbs.db",
    ".DS_Store",
]

pygments_style = "sphinx"
html_theme = "sphinx_rtd_theme"
html_title = project
html_show_sourcelink = False

# Read the Docs injects nothing into conf.py since 2024: it only exports the
# canonical URL, so every page gets <link rel="canonical"> from it.
if os.environ.get("READTHEDOCS_CANONICAL_URL"):
    html_baseurl = os.environ["READTHEDOCS_CANONICAL_URL"]

# The date that the PDF's title page (and the man and Texinfo pages) show:
# the conference's, not the build's, so every build gives the same pages.
_first, _last = (dt.date.fromisoformat(day) for day in (min(conference_days.values()),
                                                         max(conference_days.values())))
today = f"{_first:%B} {_first.day}\u2013{_last.day}, {_last.year}"  # one month: March 14–17

# The LaTeX title is LaTeX markup: the project's "&" must be escaped.
latex_documents = [
    ("index", "pycon2013-notes.tex", project.replace("&", r"\&"), author, "manual"),
]
# Each day is a part of the book and each talk a chapter; the talks from other
# conferences are a part of their own, after the days.
latex_toplevel_sectioning = "part"
# Long spelled-out links (slides, videos) may break at their hyphens too.
latex_elements = {"passoptionstopackages": r"\PassOptionsToPackage{hyphens}{url}"}
man_pages = [("index", "pycon2013-notes", project, [author], 7)]
texinfo_documents = [
    ("index", "pycon2013-notes", project, author, "pycon2013-notes",
     "Schedule and notes of PyCon US 2013.", "Miscellaneous"),
]
epub_show_urls = "no"
