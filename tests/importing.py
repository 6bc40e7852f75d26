"""Helpers for the import tests: run the importer, build the result, read exports.

The importer runs in-process through the same ``add_arguments``/``run`` pair
the ``conference`` CLI dispatches to. A generated project is built in a
subprocess (``python -m sphinx -W``), as a user would build it, with the
extension on ``PYTHONPATH`` (the packaging branch makes it installable).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conference import importer

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "import"
#: Copies of ../shared/data/pycon-us-2013-pyvideo.json (181 real sessions, CC0)
#: and ../shared/schemas/example-pretalx-democon.json, so CI needs neither.
PYVIDEO = DATA / "pycon-us-2013-pyvideo.json"
DEMOCON = DATA / "example-pretalx-democon.json"


def run_import(*argv: object) -> tuple[int, str, str]:
    """``conference import ARGV``: (exit status, stdout, stderr)."""
    parser = argparse.ArgumentParser(prog="conference import")
    importer.add_arguments(parser)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = importer.run(parser.parse_args([str(arg) for arg in argv]))
    return status, out.getvalue(), err.getvalue()


def build(directory: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``python -m sphinx -W --keep-going`` on ``directory``; fails the test on a warning."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "_ext")}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", *options,
         str(directory), str(directory / "_build" / "html")],
        capture_output=True, text=True, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def frab_events(directory: Path) -> list[dict[str, Any]]:
    """Every event of the built site's ``schedule.json``, with its day index added."""
    document = json.loads((directory / "_build" / "html" / "schedule.json").read_text("utf-8"))
    return [
        {**event, "day_index": day["index"]}
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` except the build output, by relative path."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and "_build" not in path.relative_to(directory).parts
    }
