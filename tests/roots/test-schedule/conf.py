# A small conference for tests/test_schedule.py. The days are given out of date
# order (and their folder names sort neither way) so that date order shows.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Tiny Conf"
author = "Test Author"
copyright = "2024, Test Author"  # noqa: A001 - Sphinx's own option name
version = "1.0"
release = "1.0"
extensions = ["conference"]

conference_days = {
    "second": "2024-05-11",
    "first": "2024-05-10",
    "third": "2024-05-12",
}
conference_timezone = "Europe/Berlin"
conference_name = "Tiny Conf 2024"
conference_location = "Berlin, Germany"

exclude_patterns = ["_build"]
html_theme = "sphinx_rtd_theme"
