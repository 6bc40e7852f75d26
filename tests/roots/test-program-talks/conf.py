# Talks as an imported program writes them, for tests/test_import_directive.py:
# program identities, a session after midnight, a cancellation, a separate
# description, a session without people. conftest.py puts _ext on sys.path.
project = "Program talks"
extensions = ["conference"]
exclude_patterns = ["_build"]

conference_days = {"day1": "2019-09-20", "day2": "2019-09-21"}
conference_timezone = "Europe/Berlin"
conference_name = "Kieler Linux-Tage 2019"
conference_acronym = "klt19"
