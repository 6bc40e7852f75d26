"""The distribution: the wheel and sdist that ``python -m build`` makes, installed for real.

The wheel is installed into fresh venvs with the pinned Sphinx 8.2 and 9.0
(the locks in ``requirements/`` and ``requirements.txt``), and a small project
that only names ``extensions = ["conference"]`` (no ``sys.path`` edit) is built
with ``-W`` there, with the navigation cache in verify mode. pip uses this
machine's ordinary configuration and cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar

REPO = Path(__file__).resolve().parent.parent

#: Sphinx version -> the lock its venv is installed from (as constraints).
LOCKS = {
    "8.2": REPO / "requirements" / "sphinx-8.2.txt",
    "9.0": REPO / "requirements-test.txt",  # includes requirements.txt
}

CONF = """\
project = "Held-out Conf"
extensions = ["conference"]
html_theme = "sphinx_rtd_theme"
conference_days = {"friday": "2013-03-15"}
conference_timezone = "America/Los_Angeles"
conference_nav_cache_verify = True
"""
PAGES = {
    "index.rst": "Held-out Conf\n=============\n\n.. schedule::\n",
    "friday/index.rst": "Friday\n======\n\n.. schedule::\n",
    "friday/keynote.rst": """\
        Keynote
        =======

        .. talk::
           :presenter: Ann Example (Example Corp)
           :kind: keynote
           :time: 09:00-09:45

           The opening keynote.
        """,
    "friday/lunch-talk.rst": """\
        Lunch Talk
        ==========

        .. talk::
           :presenter: Bo Example
           :time: 12:30-13:00

        See :talk:`keynote`.
        """,
    "friday/sprints.rst": """\
        Sprints
        =======

        .. talk::
           :presenter: Cy Example
           :kind: sprint
        """,
}

#: Friday's schedule: the timed talks by time, then the untimed ones by file name
#: (``open-spaces.rst`` is written by ``conference new-talk``).
SCHEDULE = ["Keynote", "Lunch Talk", "Open Spaces", "Sprints"]


def clean_env() -> dict[str, str]:
    """The environment without anything that would put _ext/ on sys.path."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", outdir, REPO, cwd=outdir)
    return outdir


def wheel(dist: Path) -> Path:
    (path,) = dist.glob("sphinx_conference_notes-*-py3-none-any.whl")
    return path


@pytest.mark.slow
def test_the_wheel_holds_the_package_its_data_and_metadata(dist: Path) -> None:
    with zipfile.ZipFile(wheel(dist)) as whl:
        names = set(whl.namelist())
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(whl.read(metadata_name).decode())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = whl.read(entry_points).decode()
    for name in (
        "conference/__init__.py",
        "conference/compat.py",
        "conference/newtalk.py",
        "conference/exporters/ical.py",
        "conference/static/conference.css",
        "conference/templates/talk.rst.tmpl",
        "conference/templates/talk.md.tmpl",
        "conference/py.typed",
    ):
        assert name in names, name
    assert not [n for n in names if n.startswith(("tests/", "bench/", "tools/", "_ext/"))]
    assert metadata["Name"] == "sphinx-conference-notes"
    assert metadata["Requires-Python"] == ">=3.11"
    requires = metadata.get_all("Requires-Dist") or []
    assert "sphinx>=8.1" in requires
    assert any(r.startswith("icalendar") for r in requires)
    assert any(r.startswith("tzdata") for r in requires)
    assert any(r.startswith("lxml") for r in requires)
    assert any(r.startswith("myst-parser") and 'extra == "markdown"' in r for r in requires)
    assert "conference = conference.cli:main" in scripts


@pytest.mark.slow
def test_the_sdist_holds_the_source_tree(dist: Path) -> None:
    (sdist,) = dist.glob("sphinx_conference_notes-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "_ext/conference/__init__.py"} <= names
    assert "_ext/conference/templates/talk.md.tmpl" in names


def write_project(srcdir: Path) -> None:
    (srcdir / "conf.py").parent.mkdir(parents=True)
    (srcdir / "conf.py").write_text(CONF, encoding="utf-8")
    for name, text in PAGES.items():
        path = srcdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("sphinx_version", sorted(LOCKS))
def test_the_installed_wheel_builds_a_project_with_W(
    dist: Path, tmp_path: Path, sphinx_version: str
) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    # The theme is the project's choice, not a dependency: its sidebar is the
    # one the navigation cache shares.
    lock = LOCKS[sphinx_version]
    run(python, "-m", "pip", "install", "-q", "-c", lock, wheel(dist), "sphinx-rtd-theme",
        cwd=tmp_path)

    probe = run(
        python,
        "-c",
        "import json, sphinx, conference; "
        "print(json.dumps([sphinx.__version__, conference.__file__]))",
        cwd=tmp_path,
    )
    version, module = json.loads(probe.stdout)
    assert version.startswith(f"{sphinx_version}.")
    assert Path(module).is_relative_to(venv)  # the installed copy, not _ext/

    srcdir = tmp_path / "project"
    write_project(srcdir)
    # the console script, with the talk template shipped in the wheel
    made = run(
        venv / "bin" / "conference", "new-talk", "--day", "friday", "--title", "Open Spaces",
        cwd=srcdir,
    )
    assert made.stdout == f"{Path('friday', 'open-spaces.rst')}\n"
    outdir = tmp_path / "html"
    done = run(
        # The page made by new-talk keeps the template's sample text, a
        # placeholder warning by design; nothing else may warn.
        venv / "bin" / "sphinx-build", "-W", "-n", "-v", "-D",
        "suppress_warnings=conference.placeholder", "-b", "html", srcdir, outdir, cwd=srcdir
    )
    assert "WARNING" not in done.stderr
    # verify mode compared every spliced sidebar with Sphinx's own
    assert "conference_nav_cache: friday/lunch-talk: cached" in done.stdout

    friday = BeautifulSoup((outdir / "friday" / "index.html").read_text("utf-8"), "html.parser")
    assert [a.get_text() for a in friday.select("table tbody a")] == SCHEDULE
    lunch = BeautifulSoup((outdir / "friday" / "lunch-talk.html").read_text("utf-8"), "html.parser")
    link = lunch.select_one('a[href="keynote.html#keynote"]')
    assert link is not None
    assert link.get_text() == "Keynote"
    assert (outdir / "_static" / "conference.css").is_file()
    calendar = Calendar.from_ical((outdir / "schedule.ics").read_bytes())
    summaries = sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    assert summaries == SCHEDULE
