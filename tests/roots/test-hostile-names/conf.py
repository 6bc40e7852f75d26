"""Typos, titles and ids that must neither crash a build nor lose a talk (issue 11)."""

# tests/conftest.py puts _ext/ on sys.path.
project = "Hostile Names"
extensions = ["conference"]
exclude_patterns = ["_build"]

conference_days = {"friday": "2013-03-15", "saturday": "2013-03-16"}
conference_timezone = "America/Los_Angeles"
conference_acronym = "hostile"
