"""A conference full of mistakes and hostile text (issue 6)."""

# tests/conftest.py puts _ext/ on sys.path (sphinx.testing builds a copy of
# this folder elsewhere, so a path relative to this file would not find it).
project = "Hostile Conf"
extensions = ["conference"]
exclude_patterns = ["_build"]

conference_days = {"friday": "2013-03-15", "saturday": "2013-03-16"}
conference_timezone = "America/Los_Angeles"
html_theme = "sphinx_rtd_theme"
