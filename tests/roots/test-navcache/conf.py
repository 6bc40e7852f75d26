# A small plain-toctree project for tests/test_navcache.py: the test puts
# /work/main/_ext on sys.path and copies this folder into a temp dir.
project = "navcache test"
html_theme = "sphinx_rtd_theme"
extensions = ["conference.navcache"]
