# Another documentation project that links to the notes site through
# intersphinx alone (no conference extension). tests/test_intersphinx.py sets
# intersphinx_mapping to the inventory of a fresh build of the site:
#     intersphinx_mapping = {"pycon2013": ("https://pycon2013.example.org/", "<objects.inv>")}
project = "Plain Consumer"
author = "Test Author"
copyright = "2024, Test Author"  # noqa: A001 - Sphinx's own option name
extensions = ["sphinx.ext.intersphinx"]
intersphinx_mapping: dict = {}
exclude_patterns = ["_build"]
