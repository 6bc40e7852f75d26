# A two-day conference for tests/test_exports_build.py: timed, start-only and
# untimed talks, one crossing midnight, one with a hostile title. conftest.py
# puts the repository's _ext on sys.path.
project = "Exports test"
extensions = ["conference"]
exclude_patterns = ["_build"]

conference_days = {
    "friday": "2013-03-15",
    "saturday": "2013-03-16",
}
conference_timezone = "America/Los_Angeles"
conference_name = "PyCon US 2013"
conference_acronym = "pycon2013"
conference_location = "Santa Clara, CA"
