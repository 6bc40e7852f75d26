"""The Read the Docs configuration and the requirement locks it installs."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).resolve().parent / "schemas" / "readthedocs-v2.schema.json"

PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)$")
DIRECT_BUILD_PINS = {"sphinx": "9.0.4", "docutils": "0.22.4", "sphinx-rtd-theme": "3.1.0"}
DIRECT_BUILD_DEPS = {*DIRECT_BUILD_PINS, "icalendar", "tzdata", "myst-parser"}
DIRECT_TEST_DEPS = {
    "pytest",
    "hypothesis",
    "jsonschema",
    "lxml",
    "beautifulsoup4",
    "selenium",
    "ruff",
    "sphinx-lint",
    "sphinx-autobuild",
    "mypy",
    "build",
    "axe-selenium-python",
    "webvtt-py",
    "types-docutils",
}


def requirement_lines(name: str) -> list[str]:
    """The lines of a requirements file, without comments and blank lines."""
    text = (REPO_ROOT / name).read_text(encoding="utf-8")
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def pins(lines: list[str]) -> dict[str, str]:
    """Map canonical project name to pinned version; every line must be `name==version`."""
    found: dict[str, str] = {}
    for line in lines:
        match = PINNED.match(line)
        assert match, f"not pinned with ==: {line!r}"
        name = canonicalize_name(match["name"])
        assert name not in found, f"{name} is pinned twice"
        found[name] = match["version"]
    return found


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load((REPO_ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def build_pins() -> dict[str, str]:
    return pins(requirement_lines("requirements.txt"))


@pytest.fixture(scope="module")
def test_pins() -> dict[str, str]:
    lines = requirement_lines("requirements-test.txt")
    assert lines[0] == "-r requirements.txt", "requirements-test.txt must start from the build"
    return pins(lines[1:])


@pytest.fixture(scope="module")
def installed_lock(build_pins: dict[str, str], test_pins: dict[str, str]) -> dict[str, str]:
    """The pins of the lock this environment was installed from.

    ``.venv`` holds the Sphinx 9.0 lock (requirements.txt and requirements-test.txt);
    a ``make test-matrix`` venv of another Sphinx holds requirements/sphinx-X.Y.txt.
    """
    installed = metadata.version("sphinx")
    if installed == build_pins["sphinx"]:
        return {**build_pins, **test_pins}
    major, minor = installed.split(".")[:2]
    return pins(requirement_lines(f"requirements/sphinx-{major}.{minor}.txt"))


def test_schema_copy_is_a_valid_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_config_validates_against_the_v2_schema(config: dict) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(config)]
    assert errors == []


def test_schema_rejects_a_broken_config(config: dict) -> None:
    """The schema really constrains the file: a wrong value does not slip through."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**config, "formats": ["pdf", "docx"]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_config_builds_strictly_with_python_311(config: dict) -> None:
    assert config["version"] == 2
    assert config["build"]["os"] == "ubuntu-24.04"
    assert config["build"]["tools"]["python"] == "3.11"
    assert config["sphinx"]["configuration"] == "conf.py"
    assert config["sphinx"]["fail_on_warning"] is True
    assert (REPO_ROOT / config["sphinx"]["configuration"]).is_file()


def test_config_builds_pdf_epub_and_htmlzip(config: dict) -> None:
    assert {"pdf", "epub"} <= set(config["formats"])
    assert sorted(config["formats"]) == ["epub", "htmlzip", "pdf"]


def test_config_installs_the_build_lock(config: dict) -> None:
    assert config["python"]["install"] == [{"requirements": "requirements.txt"}]
    assert (REPO_ROOT / "requirements.txt").is_file()


def test_every_build_requirement_is_pinned(build_pins: dict[str, str]) -> None:
    # pins() asserts `name==version` on each line; the direct pins are the agreed ones.
    assert {name: build_pins[name] for name in DIRECT_BUILD_PINS} == DIRECT_BUILD_PINS
    assert not DIRECT_BUILD_DEPS - build_pins.keys()


def test_every_test_requirement_is_pinned_once(
    build_pins: dict[str, str], test_pins: dict[str, str]
) -> None:
    assert not DIRECT_TEST_DEPS - test_pins.keys()
    assert not build_pins.keys() & test_pins.keys(), "repeated from requirements.txt"


def _unpinned_dependencies(locked: set[str]) -> dict[str, list[str]]:
    """For each locked project installed here, its dependencies missing from the lock."""
    missing: dict[str, list[str]] = {}
    for name in sorted(locked):
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            pytest.fail(f"{name} is locked but not installed: pip install -r requirements-test.txt")
        for spec in requires:
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            if canonicalize_name(req.name) not in locked:
                missing.setdefault(name, []).append(spec)
    return missing


def test_build_lock_is_closed_under_dependencies(
    build_pins: dict[str, str], installed_lock: dict[str, str]
) -> None:
    """Read the Docs installs only requirements.txt: it must pin every dependency.

    The dependencies are read from what is installed, so in a venv of another
    Sphinx (make test-matrix) the check is made on that venv's lock instead.
    """
    on_main_lock = installed_lock["sphinx"] == build_pins["sphinx"]
    assert _unpinned_dependencies(set(build_pins if on_main_lock else installed_lock)) == {}


def test_test_lock_is_closed_under_dependencies(installed_lock: dict[str, str]) -> None:
    assert _unpinned_dependencies(set(installed_lock)) == {}


def _installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def test_installed_versions_match_the_locks(installed_lock: dict[str, str]) -> None:
    """The environment running the tests is the locked one."""
    stale = {
        name: {"locked": version, "installed": _installed_version(name)}
        for name, version in installed_lock.items()
        if _installed_version(name) != version
    }
    assert stale == {}, "reinstall: .venv/bin/pip install -r requirements-test.txt"
