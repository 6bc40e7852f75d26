"""``python -m conference import PROGRAM DIR``: start a site from the official program.

Reads a frab XML (pentabarf, frab, pretalx), frab JSON or pyvideo program
(``detect``), turns it into the neutral model (``program``), and writes or
re-syncs one page per session (``sync``, ``pages``, ``markup``) in a new or
existing Sphinx project (``project``). Prints what it added, moved, changed
and cancelled; problems with single sessions are printed as warnings naming
the session. Exit status: 0 done, 1 refused (nothing written), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .detect import read_program
from .pages import FORMATS
from .program import ProgramError, zone
from .project import add_days, existing_site, new_site, project_files
from .sync import Change, apply, plan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``PROGRAM DIR [--timezone NAME] [--format rst|md]``."""
    parser.add_argument("program", type=Path, help="the program file (frab XML or JSON, pyvideo)")
    parser.add_argument("directory", type=Path, metavar="DIR",
                        help="the Sphinx project (created when it has no conf.py)")
    parser.add_argument("--timezone", metavar="NAME",
                        help="IANA zone of a program that gives only UTC offsets "
                             "(overrides the program's zone)")
    parser.add_argument("--format", choices=FORMATS, default="rst",
                        help="page format of new pages (default: rst; md writes MyST)")


def run(args: argparse.Namespace) -> int:
    """Import ``args.program`` into ``args.directory``; see the module docstring."""
    try:
        data = Path(args.program).read_bytes()
    except OSError as exc:
        print(f"conference import: cannot read {args.program}: {exc.strerror}", file=sys.stderr)
        return 1
    directory: Path = args.directory
    try:
        if args.timezone:
            zone(args.timezone)
        site = existing_site(directory) if directory.is_dir() else None
        program = read_program(data, args.timezone, site.timezone if site else None)
        extra: dict[str, str] | None = None
        added: list[dt.date] = []
        if site is None:
            site = new_site(program)
            extra = project_files(program, site, args.format)
        elif set(program.days) - set(site.folders):
            grown = add_days(directory, site, program)
            if grown is not None:  # a program that gained a day: conf.py learns it
                added = sorted(set(grown[0].folders) - set(site.folders))
                site, conf = grown
                extra = {"conf.py": conf}
        result = plan(program, site, directory, args.format)
    except ProgramError as exc:
        print(f"conference import: {args.program}: {exc}; nothing written", file=sys.stderr)
        return 1
    for warning in result.warnings:
        print(f"{args.program}: warning: {warning}", file=sys.stderr)
    if result.errors:
        for error in result.errors:
            print(f"conference import: {error}; nothing written", file=sys.stderr)
        return 1
    if extra is not None and not site.new:
        days = ", ".join(f"{site.folders[day]} ({day})" for day in added)
        result.changes.insert(0, Change("changed", "conf.py", f"conference_days: added {days}"))
    apply(result, directory, extra)
    print(f"{program.format} program {program.name!r}: {len(program.sessions)} sessions, "
          f"{len(program.days)} days -> {directory}")
    for change in result.changes:
        print(change)
    print(result.summary())
    return 0
