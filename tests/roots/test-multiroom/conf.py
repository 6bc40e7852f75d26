# A larger conference for tests/test_clients.py: three rooms and a track
# standing in for one, two days, sessions running past midnight, presenters
# shared between talks, links of every kind and abstracts with the source's
# line breaks. conftest.py puts the repository's _ext on sys.path.
project = "Multi-room test"
extensions = ["conference"]
exclude_patterns = ["_build"]

conference_days = {
    "thursday": "2013-10-24",
    "friday": "2013-10-25",
}
conference_timezone = "America/Chicago"
conference_name = "PyData Chicago 2013"
conference_acronym = "pydatachi2013"
conference_venue = "Hyatt Regency"
conference_city = "Chicago, IL"
