"""The ``conference`` command line: ``python -m conference`` or the console script.

Each subcommand lives in its own module, imported only when it runs, so
``conference new-talk`` never loads the program importer and neither loads
Sphinx. A subcommand module provides two functions:

``add_arguments(parser: argparse.ArgumentParser) -> None``
    declares its arguments;
``run(args: argparse.Namespace) -> int``
    does the work and returns the exit status (0 done, 1 refused, 2 usage).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Final

#: Subcommand -> (module that implements it, one-line help).
COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "import": ("conference.importer", "import or re-sync an official program (frab, pyvideo)"),
    "new-talk": ("conference.newtalk", "start a new talk page from the template"),
}


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand's arguments."""
    parser = argparse.ArgumentParser(
        prog="conference",
        description="Tools for a Sphinx conference-notes site.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        import_module(module_name).add_arguments(sub)
        sub.set_defaults(module=module_name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; return its exit status."""
    args = build_parser().parse_args(argv)
    status: int = import_module(args.module).run(args)
    return status


if __name__ == "__main__":  # pragma: no cover - ``python -m conference.cli``
    sys.exit(main())
