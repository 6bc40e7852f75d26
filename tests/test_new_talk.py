"""Tests for ``conference new-talk`` (``conference.newtalk``), each on a tiny project."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docutils.core import publish_doctree
from docutils.nodes import make_id, section, title
from inprocess import build_once

from conference import newtalk as new_talk
from conference.domain import ConferenceDomain

REPO_ROOT = Path(__file__).resolve().parent.parent

CONF_PY = """\
project = "Test"
extensions = ["conference"]
conference_days = {
    "thursday": "2013-03-14",
    "friday": "2013-03-15",
}
"""
TEMPLATE = """\
$title
$underline

Notes go here.
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "conf.py").write_text(CONF_PY, encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "talk.rst.tmpl").write_text(TEMPLATE, encoding="utf-8")
    return tmp_path


def parse(*args: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="new-talk")
    new_talk.add_arguments(parser)
    return parser.parse_args(args)


def run(root: Path, *args: str) -> int:
    return new_talk.run(parse("--root", str(root), *args))


def test_creates_the_page_from_the_template(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(root, "--day", "friday", "--title", "Python Profiling") == 0

    page = root / "friday" / "python-profiling.rst"
    assert (
        page.read_text(encoding="utf-8") == "Python Profiling\n================\n\nNotes go here.\n"
    )
    out, err = capsys.readouterr()
    assert out == f"{page}\n"
    assert err == ""


def test_the_page_parses_with_the_title_as_its_only_section(root: Path) -> None:
    title_text = "Who's there? - Home Automation with Arduino/RaspberryPi"
    assert run(root, "--day", "friday", "--title", title_text) == 0

    page = root / "friday" / f"{make_id(title_text)}.rst"
    doctree = publish_doctree(
        page.read_text(encoding="utf-8"), settings_overrides={"halt_level": 2}
    )
    assert doctree["title"] == title_text
    assert not list(doctree.findall(section))  # the one section became the document title
    assert next(iter(doctree.findall(title))).astext() == title_text


@pytest.mark.parametrize(
    ("title_text", "slug"),
    [
        ("Python Profiling", "python-profiling"),
        (
            "Twisted Logic: Endpoints and Why You Shouldn't Be Scared of Twisted",
            "twisted-logic-endpoints-and-why-you-shouldn-t-be-scared-of-twisted",
        ),
        (
            "Designers + Developers: Collaborating on your Python project",
            "designers-developers-collaborating-on-your-python-project",
        ),
        ("  Messaging at Scale at Instagram  ", "messaging-at-scale-at-instagram"),
        ("2013: Ünïcode Tälk", "unicode-talk"),
    ],
)
def test_slug_is_docutils_make_id(root: Path, title_text: str, slug: str) -> None:
    assert make_id(title_text) == slug
    assert run(root, "--day", "thursday", "--title", title_text) == 0
    assert (root / "thursday" / f"{slug}.rst").is_file()


def test_underline_is_as_wide_as_the_title_in_columns(root: Path) -> None:
    # East Asian wide characters take two columns; docutils warns on a short underline.
    assert run(root, "--day", "friday", "--title", "Python 日本語") == 0
    page = root / "friday" / "python.rst"
    first, second = page.read_text(encoding="utf-8").splitlines()[:2]
    assert first == "Python 日本語"
    assert second == "=" * 13


def test_refuses_to_overwrite(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = root / "friday" / "python-profiling.rst"
    page.parent.mkdir()
    page.write_text("my notes\n", encoding="utf-8")

    assert run(root, "--day", "friday", "--title", "Python Profiling") == 1

    assert page.read_text(encoding="utf-8") == "my notes\n"
    out, err = capsys.readouterr()
    assert out == ""
    assert "already exists" in err


def test_refuses_a_second_talk_with_the_same_slug(root: Path) -> None:
    assert run(root, "--day", "friday", "--title", "Python Profiling") == 0
    assert run(root, "--day", "friday", "--title", "Python profiling!") == 1


@pytest.mark.parametrize("day", ["monday", "Friday", "", "../friday", "friday/", "templates"])
def test_rejects_a_day_that_is_not_in_conference_days(
    root: Path, day: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(root, "--day", day, "--title", "Python Profiling") == 1

    assert "unknown day" in capsys.readouterr().err
    assert not list(root.rglob("*.rst"))


@pytest.mark.parametrize("title_text", ["", "   ", "!!!", "line one\nline two"])
def test_rejects_a_title_without_a_slug_or_on_several_lines(root: Path, title_text: str) -> None:
    assert run(root, "--day", "friday", "--title", title_text) == 1
    assert not list(root.rglob("*.rst"))


def test_reads_conference_days_without_executing_conf_py(root: Path) -> None:
    (root / "conf.py").write_text(
        textwrap.dedent(
            """\
            import this_module_does_not_exist
            raise SystemExit("conf.py must not be executed")
            conference_days: dict[str, str] = {"saturday": "2013-03-16"}
            """
        ),
        encoding="utf-8",
    )
    assert new_talk.read_conference_days(root / "conf.py") == {"saturday": "2013-03-16"}
    assert run(root, "--day", "saturday", "--title", "Lightning Talks") == 0
    assert run(root, "--day", "friday", "--title", "Lightning Talks") == 1


def test_the_last_assignment_of_conference_days_wins(root: Path) -> None:
    (root / "conf.py").write_text(
        'conference_days = {"friday": "x"}\nconference_days = {"sunday": "2013-03-17"}\n',
        encoding="utf-8",
    )
    assert new_talk.read_conference_days(root / "conf.py") == {"sunday": "2013-03-17"}


@pytest.mark.parametrize(
    "conf",
    [
        "project = 'no days here'\n",
        "conference_days = dict(friday='2013-03-15')\n",
        "conference_days = {'friday': 15}\n",
        "conference_days = ['friday']\n",
        "def f(:\n",
    ],
)
def test_rejects_a_conf_py_without_a_literal_conference_days(root: Path, conf: str) -> None:
    (root / "conf.py").write_text(conf, encoding="utf-8")
    with pytest.raises(new_talk.NewTalkError):
        new_talk.read_conference_days(root / "conf.py")
    assert run(root, "--day", "friday", "--title", "Python Profiling") == 1


def test_without_a_project_template_the_package_template_is_used(root: Path) -> None:
    shutil.rmtree(root / "templates")
    assert run(root, "--day", "friday", "--title", "Python Profiling") == 0
    text = (root / "friday" / "python-profiling.rst").read_text("utf-8")
    packaged = (new_talk.PACKAGE_TEMPLATES / "talk.rst.tmpl").read_text("utf-8")
    assert packaged.startswith("..\n")  # the comment above the title
    assert "Python Profiling\n================\n\n.. talk::\n" in text


def test_missing_template_is_an_error(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "templates" / "talk.rst.tmpl").unlink()
    monkeypatch.setattr(new_talk, "PACKAGE_TEMPLATES", root / "nowhere")
    assert run(root, "--day", "friday", "--title", "Python Profiling") == 1
    assert "template" in capsys.readouterr().err
    assert not (root / "friday" / "python-profiling.rst").exists()


def test_refuses_a_page_in_the_other_format(root: Path) -> None:
    """``a.rst`` and ``a.md`` would be one docname: the second is refused."""
    assert run(root, "--day", "friday", "--title", "Python Profiling") == 0
    assert run(root, "--day", "friday", "--title", "Python Profiling", "--format", "md") == 1
    assert not (root / "friday" / "python-profiling.md").exists()


def test_template_with_an_unknown_placeholder_is_an_error(root: Path) -> None:
    (root / "templates" / "talk.rst.tmpl").write_text("$title\n$underline\n$speaker\n", "utf-8")
    assert run(root, "--day", "friday", "--title", "Python Profiling") == 1
    assert not (root / "friday" / "python-profiling.rst").exists()


def test_template_may_use_day_date_and_slug(root: Path) -> None:
    (root / "templates" / "talk.rst.tmpl").write_text(
        "$title\n$underline\n\n:day: $day\n:date: $date\n:slug: $slug\n", "utf-8"
    )
    assert run(root, "--day", "thursday", "--title", "Python Profiling") == 0
    text = (root / "thursday" / "python-profiling.rst").read_text("utf-8")
    assert ":day: thursday\n:date: 2013-03-14\n:slug: python-profiling\n" in text


@pytest.mark.parametrize(
    "args", [("--day", "friday"), ("--day", "friday", "--title", "X", "--format", "txt")]
)
def test_bad_arguments_exit_with_usage(root: Path, args: tuple[str, ...]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        parse("--root", str(root), *args)
    assert excinfo.value.code == 2


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m conference new-talk``, the console script's code, in a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "_ext")}
    return subprocess.run(
        [sys.executable, "-m", "conference", "new-talk", "--root", str(root), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_command_line(root: Path) -> None:
    """Run the command as `make talk` does, in a subprocess."""
    done = cli(root, "--day", "friday", "--title", 'Making "DISQUS" Realtime')
    assert done.returncode == 0, done.stderr
    page = root / "friday" / "making-disqus-realtime.rst"
    assert done.stdout == f"{page}\n"
    assert page.read_text("utf-8").startswith('Making "DISQUS" Realtime\n' + "=" * 24 + "\n")

    again = cli(root, "--day", "friday", "--title", 'Making "DISQUS" Realtime')
    assert again.returncode == 1
    assert "conference new-talk: error:" in again.stderr
    assert "already exists" in again.stderr


@pytest.mark.parametrize("fmt", ["rst", "md"])
def test_the_package_template_renders_for_every_conference_day(tmp_path: Path, fmt: str) -> None:
    """The real conf.py and the shipped template: one page per day, each with its title."""
    shutil.copy(REPO_ROOT / "conf.py", tmp_path / "conf.py")
    days = new_talk.read_conference_days(tmp_path / "conf.py")
    assert days
    for day in days:
        assert run(tmp_path, "--day", day, "--title", "Python Profiling", "--format", fmt) == 0
        text = (tmp_path / day / f"python-profiling.{fmt}").read_text("utf-8")
        heading = "Python Profiling\n================\n" if fmt == "rst" else "# Python Profiling\n"
        assert heading in text


SITE_CONF = """\
project = "New Talk Site"
extensions = ["myst_parser", "conference"]
# Given here, not left to the default: Sphinx 8.1 adds ".md" to the default
# dict itself, and every later build in this process would then read .md files.
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
conference_days = {"friday": "2013-03-15"}
conference_timezone = "America/Los_Angeles"
exclude_patterns = ["_build", "templates"]
"""


@pytest.mark.slow
def test_pages_from_both_templates_build_without_warnings(tmp_path: Path) -> None:
    """A page from each shipped template, filled in, is a talk in a real Sphinx build."""
    srcdir = tmp_path / "site"
    (srcdir / "friday").mkdir(parents=True)
    (srcdir / "conf.py").write_text(SITE_CONF, encoding="utf-8")
    (srcdir / "index.rst").write_text("Site\n====\n\n.. schedule::\n", encoding="utf-8")
    (srcdir / "friday" / "index.rst").write_text("Friday\n======\n\n.. schedule::\n", "utf-8")
    pages = {}
    for fmt, title_text in (("rst", "Written in reST"), ("md", "Written in MyST")):
        assert run(srcdir, "--day", "friday", "--title", title_text, "--format", fmt) == 0
        page = srcdir / "friday" / f"{make_id(title_text)}.{fmt}"
        page.write_text(
            page.read_text("utf-8").replace("Speaker Name (Company)", f"Ann {fmt.upper()}"),
            "utf-8",
        )
        pages[f"friday/{make_id(title_text)}"] = (title_text, f"Ann {fmt.upper()}")

    warnings = StringIO()
    # The sample abstract and notes are left in (and checked below): they are
    # placeholder warnings by design (conference.placeholder), nothing else may warn.
    app = build_once(srcdir=srcdir, status=StringIO(), warning=warnings,
                     confoverrides={"suppress_warnings": ["conference.placeholder"]})
    assert warnings.getvalue() == ""
    talks = ConferenceDomain.of(app.env).talks_by_doc
    for docname, (title_text, presenter) in pages.items():
        (talk,) = talks[docname]
        assert talk.title == title_text
        assert [person.name for person in talk.presenters] == [presenter]
        assert talk.kind == "talk"
        assert "official description" in talk.description
        soup = BeautifulSoup((app.outdir / f"{docname}.html").read_text("utf-8"), "html.parser")
        assert soup.h1 is not None
        assert soup.h1.get_text().rstrip("¶") == title_text
        assert soup.find(string="First Notes Section") is not None
    friday = BeautifulSoup((app.outdir / "friday/index.html").read_text("utf-8"), "html.parser")
    listed = {a.get_text() for a in friday.select("table a")}
    assert {"Written in reST", "Written in MyST"} <= listed


def test_new_talk_does_not_load_the_importer(root: Path) -> None:
    """The dispatcher imports only the module of the command that runs."""
    code = (
        "import sys; from conference import cli; "
        f"status = cli.main(['new-talk', '--root', {str(root)!r}, '--day', 'friday', "
        "'--title', 'Lazy']); "
        "print(status, 'conference.importer' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "_ext")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 False"
    assert (root / "friday" / "lazy.rst").is_file()
