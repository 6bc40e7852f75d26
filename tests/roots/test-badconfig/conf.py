"""A valid conference; tests break conference_days or conference_timezone."""

# tests/conftest.py puts _ext/ on sys.path.
project = "Config Conf"
extensions = ["conference"]
exclude_patterns = ["_build"]

conference_days = {"friday": "2013-03-15"}
conference_timezone = "America/Los_Angeles"
