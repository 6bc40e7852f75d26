"""Tests for tools/new_talk.py, each on a tiny project written into tmp_path."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from docutils.core import publish_doctree
from docutils.nodes import make_id, section, title

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "tools" / "new_talk.py"

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


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("new_talk", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


new_talk = _load_tool()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "conf.py").write_text(CONF_PY, encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "talk.rst.tmpl").write_text(TEMPLATE, encoding="utf-8")
    return tmp_path


def run(root: Path, *args: str) -> int:
    return new_talk.main(["--root", str(root), *args])


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


def test_missing_template_is_an_error(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "templates" / "talk.rst.tmpl").unlink()
    assert run(root, "--day", "friday", "--title", "Python Profiling") == 1
    assert "template" in capsys.readouterr().err
    assert not (root / "friday" / "python-profiling.rst").exists()


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


def test_missing_arguments_exit_with_usage(root: Path) -> None:
    with pytest.raises(SystemExit) as excinfo:
        new_talk.main(["--root", str(root), "--day", "friday"])
    assert excinfo.value.code == 2


def test_command_line(root: Path) -> None:
    """Run the script as `make talk` does, in a subprocess."""
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--root",
            str(root),
            "--day",
            "friday",
            "--title",
            'Making "DISQUS" Realtime',
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = root / "friday" / "making-disqus-realtime.rst"
    assert done.stdout == f"{page}\n"
    assert page.read_text("utf-8").startswith('Making "DISQUS" Realtime\n' + "=" * 24 + "\n")

    again = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--root",
            str(root),
            "--day",
            "friday",
            "--title",
            'Making "DISQUS" Realtime',
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_the_project_template_renders_for_every_conference_day(tmp_path: Path) -> None:
    """The real conf.py and template: one page per day, each with its title."""
    template = REPO_ROOT / "templates" / "talk.rst.tmpl"
    if not template.is_file():
        pytest.skip("templates/talk.rst.tmpl is not written yet")
    shutil.copy(REPO_ROOT / "conf.py", tmp_path / "conf.py")
    shutil.copytree(REPO_ROOT / "templates", tmp_path / "templates")

    days = new_talk.read_conference_days(tmp_path / "conf.py")
    assert days
    for day in days:
        assert run(tmp_path, "--day", day, "--title", "Python Profiling") == 0
        text = (tmp_path / day / "python-profiling.rst").read_text("utf-8")
        assert "Python Profiling\n================\n" in text
