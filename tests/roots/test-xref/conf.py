# A small conference for tests/test_xref.py and tests/test_intersphinx.py:
# talks shared by people (Jason Carr gives two), co-presenters, non-ASCII and
# CJK names, an explicit :name:, and a page of references to all of them.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Xref Conf"
author = "Test Author"
copyright = "2013, Test Author"  # noqa: A001 - Sphinx's own option name
version = "1.0"
release = "1.0"
extensions = ["conference"]
html_theme = "sphinx_rtd_theme"

conference_days = {"friday": "2013-03-15", "saturday": "2013-03-16"}
conference_timezone = "America/Los_Angeles"
conference_name = "Xref Conf 2013"

exclude_patterns = ["_build"]
