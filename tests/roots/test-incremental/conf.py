"""A small conference for the incremental and parallel build tests.

The tests copy this folder into ``tmp_path``, so ``_ext`` cannot be found from
``__file__`` here: ``tests/conftest.py`` puts it on ``sys.path``.
"""

project = "Incremental Conf"
author = "Test"
copyright = "2013, Test"  # noqa: A001 - Sphinx's own option name
version = "2013"
release = "2013"
language = "en"

extensions = ["conference"]

conference_days = {
    "thursday": "2013-03-14",
    "friday": "2013-03-15",
    "saturday": "2013-03-16",
    "sunday": "2013-03-17",
}
conference_timezone = "America/Los_Angeles"
conference_name = "Incremental Conf 2013"

html_theme = "sphinx_rtd_theme"
