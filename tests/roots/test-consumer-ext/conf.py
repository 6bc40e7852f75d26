# Another documentation project that loads intersphinx *and* the conference
# extension, but is no conference itself: it sets no conference_days.
# tests/test_intersphinx.py sets intersphinx_mapping to a fresh build of the site.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Extension Consumer"
author = "Test Author"
copyright = "2024, Test Author"  # noqa: A001 - Sphinx's own option name
extensions = ["sphinx.ext.intersphinx", "conference"]
intersphinx_mapping: dict = {}
exclude_patterns = ["_build"]
