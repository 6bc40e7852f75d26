"""A mixed site: the talks of ``test-myst-rst``, some written in Markdown (MyST).

See tests/test_myst.py. The tests copy this folder into ``tmp_path``;
``tests/conftest.py`` puts ``_ext`` on ``sys.path``.
"""

project = "MyST Conf"
author = "Test"
copyright = "2013, Test"  # noqa: A001 - Sphinx's own option name
version = "2013"
release = "2013"
language = "en"

extensions = ["myst_parser", "conference"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

conference_days = {
    "thursday": "2013-03-14",
    "friday": "2013-03-15",
    "saturday": "2013-03-16",
}
conference_timezone = "America/Los_Angeles"
conference_name = "MyST Conf 2013"

html_theme = "sphinx_rtd_theme"
