"""A two-day conference in several rooms, for tests/test_reader.py.

The first day uses three rooms (a grid), the second one (a table). The tests
copy this folder, so ``_ext`` comes from ``tests/conftest.py``.
"""

project = "Grid Conf"
author = "Test"
copyright = "2024, Test"  # noqa: A001 - Sphinx's own option name
version = "2024"
release = "2024"
language = "en"

extensions = ["conference"]

conference_days = {"day1": "2024-06-01", "day2": "2024-06-02"}
conference_timezone = "Europe/Berlin"
conference_name = "Grid Conf 2024"

html_theme = "sphinx_rtd_theme"
