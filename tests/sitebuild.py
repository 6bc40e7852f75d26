"""Build a copy of the real site with ``python -m sphinx``, as a person or Read the Docs does.

Used by the end-to-end tests (builders, Read the Docs, links, browser). Each of
them copies the repository's sources into a temporary folder, so a build never
writes into the working tree, and runs Sphinx in a subprocess, so every build
starts from a fresh interpreter exactly like the command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

#: Top-level entries of the repository that are not part of the site's sources.
NOT_SOURCES = frozenset({
    ".git", ".venv", "_build", "tests", "bench", ".ruff_cache", ".pytest_cache", ".hypothesis",
})
#: The Makefile's SPHINXOPTS: warnings are errors, every reference must resolve.
STRICT = ("-W", "--keep-going", "-n")
#: How long one Sphinx build may take on a loaded 2-core machine.
BUILD_TIMEOUT = 300


def copy_site(dest: Path) -> Path:
    """Copy the site's sources (conf.py, pages, ``_ext``, templates...) to ``dest``."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {name for name in names if name == "__pycache__" or name.endswith(".pyc")}
        if Path(folder).resolve() == REPO:
            skip |= NOT_SOURCES.intersection(names)
            skip |= {name for name in names if name.startswith(".venv-sphinx")}  # test-matrix
        return skip

    shutil.copytree(REPO, dest, ignore=ignore)
    return dest


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without Read the Docs' variables, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("READTHEDOCS")}
    env.update(extra or {})
    return env


def run_sphinx(
    args: Iterable[str], *, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m sphinx ARGS`` in ``cwd``, with this interpreter (the project's venv)."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *args],
        cwd=cwd,
        env=clean_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """The command, its exit status and the end of its output, for an assertion message."""
    command = " ".join(str(arg) for arg in result.args)
    return (
        f"$ {command}\nexit status {result.returncode}\n"
        f"--- stdout (end)\n{result.stdout[-3000:]}\n--- stderr (end)\n{result.stderr[-6000:]}"
    )


def assert_succeeded(result: subprocess.CompletedProcess[str]) -> None:
    """Fail with the build's own output unless it exited 0 without a warning."""
    assert result.returncode == 0, describe(result)
    assert "WARNING" not in result.stderr, describe(result)


class SiteBuilds:
    """Builds of one copy of the site, one per builder, sharing one doctree folder.

    The first build reads every page; later builders reuse the pickled
    environment and doctrees, as ``make html latex`` or Read the Docs do. Each
    builder runs at most once per instance; ``result(name)`` keeps its outcome.
    """

    def __init__(self, srcdir: Path, root: Path, options: Iterable[str] = STRICT) -> None:
        self.srcdir = srcdir
        self.root = root
        self.doctrees = root / "doctrees"
        self.options = tuple(options)
        self._results: dict[str, subprocess.CompletedProcess[str]] = {}

    def result(self, builder: str) -> subprocess.CompletedProcess[str]:
        """Run (once) the ``builder`` build and return its completed process."""
        if builder not in self._results:
            self._results[builder] = run_sphinx(
                ["-T", *self.options, "-b", builder, "-d", str(self.doctrees),
                 str(self.srcdir), str(self.outdir(builder))],
                cwd=self.srcdir,
            )
        return self._results[builder]

    def outdir(self, builder: str) -> Path:
        """Where ``builder`` writes (``<root>/<builder>``, like ``sphinx-build -M``)."""
        return self.root / builder

    def __call__(self, builder: str) -> Path:
        """The output folder of a successful, warning-free ``builder`` build."""
        assert_succeeded(self.result(builder))
        return self.outdir(builder)


class _RecordingApp:
    """Stands in for ``Sphinx`` while the extension's ``setup()`` runs: records connections."""

    def __init__(self) -> None:
        self.connections: list[tuple[str, Callable[..., Any]]] = []

    def connect(self, event: str, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
        self.connections.append((event, callback))
        return len(self.connections)

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def exports_wired() -> bool:
    """Whether the extension's ``setup()`` connects the schedule exports writer.

    Decides whether checks of the calendar files are expected to pass yet; those
    checks are strict xfails otherwise, so they fail as soon as exports work. When
    ``setup()`` needs more of Sphinx than this stand-in offers, the answer is "wired":
    the checks then run for real instead of being expected to fail.
    """
    if str(REPO / "_ext") not in sys.path:
        sys.path.insert(0, str(REPO / "_ext"))
    import conference
    from conference import exports

    app = _RecordingApp()
    try:
        conference.setup(app)  # type: ignore[arg-type]
    except Exception:
        return True
    return any(
        event == "build-finished" and callback is exports.write_exports
        for event, callback in app.connections
    )
