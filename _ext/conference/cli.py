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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the arguments of *command* only.

    Only that subcommand's module is imported, so one command runs even
    where another's module or its dependencies are missing.
    """
    parser = argparse.ArgumentParser(
        prog="conference",
        description="Tools for a Sphinx conference-notes site.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == command:
            import_module(module_name).add_arguments(sub)
        sub.set_defaults(module=module_name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; return its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # The top-level parser takes no option with a value: the first word is the command.
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser(command).parse_args(argv)
    status: int = import_module(args.module).run(args)
    return status


if __name__ == "__main__":  # pragma: no cover - ``python -m conference.cli``
    sys.exit(main())
