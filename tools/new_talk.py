#!/usr/bin/env python3
"""Create a new talk page, ``<day>/<slug>.rst``, from ``templates/talk.rst.tmpl``.

Usage (normally through ``make talk DAY=friday TITLE="Some Talk"``)::

    python tools/new_talk.py --day friday --title "Some Talk"

The slug is ``docutils.nodes.make_id(title)``, the id docutils would give a
section with that title. The day must be a key of ``conference_days`` in
``conf.py``; that dict is read with :mod:`ast`, so ``conf.py`` is never
executed and neither Sphinx nor the extension is imported. An existing page is
never overwritten. On success the path written is printed.

The template is a :class:`string.Template`; it may use ``$title`` and
``$underline`` (``=`` as wide as the title), and also ``$day``, ``$date``
(the day's ISO date from ``conference_days``) and ``$slug``.
"""

from __future__ import annotations

import argparse
import ast
import string
import sys
from collections.abc import Sequence
from pathlib import Path

from docutils.nodes import make_id
from docutils.utils import column_width

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path("templates", "talk.rst.tmpl")
UNDERLINE_CHAR = "="


class NewTalkError(Exception):
    """A talk page cannot be created; the message says why."""


def read_conference_days(conf_path: Path) -> dict[str, str]:
    """Return the ``conference_days`` dict of a Sphinx ``conf.py`` without running it.

    Args:
        conf_path: The ``conf.py`` to read.

    Returns:
        The mapping of day folder to ISO date, as written in ``conf.py``.

    Raises:
        NewTalkError: If the file is missing or unparsable, or has no top-level
            ``conference_days`` assignment whose value is a literal dict of strings.
    """
    try:
        source = conf_path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(conf_path))
    except (OSError, SyntaxError, ValueError) as exc:
        raise NewTalkError(f"cannot read {conf_path}: {exc}") from exc

    value: ast.expr | None = None
    for stmt in tree.body:  # the last top-level assignment wins, as when run
        if isinstance(stmt, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == "conference_days" for t in stmt.targets):
                value = stmt.value
        elif (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "conference_days"
            and stmt.value is not None
        ):
            value = stmt.value
    if value is None:
        raise NewTalkError(f"{conf_path} has no top-level `conference_days = {{...}}`")

    try:
        days = ast.literal_eval(value)
    except ValueError as exc:
        raise NewTalkError(f"`conference_days` in {conf_path} is not a literal dict") from exc
    if not isinstance(days, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in days.items()
    ):
        raise NewTalkError(f"`conference_days` in {conf_path} must map day folders to dates")
    return days


def render_talk(template_text: str, *, title: str, day: str, date: str, slug: str) -> str:
    """Fill in the talk page template.

    Args:
        template_text: A :class:`string.Template` source.
        title: The talk's title, one line.
        day: The day folder.
        date: The day's date as written in ``conference_days``.
        slug: The page's file name without ``.rst``.

    Returns:
        The page's reStructuredText, ending with one newline.

    Raises:
        NewTalkError: If the template uses a placeholder that is not provided
            or contains an invalid ``$``.
    """
    underline = UNDERLINE_CHAR * column_width(title)
    try:
        text = string.Template(template_text).substitute(
            title=title, underline=underline, day=day, date=date, slug=slug
        )
    except (KeyError, ValueError) as exc:
        raise NewTalkError(f"bad template placeholder: {exc}") from exc
    return text.rstrip("\n") + "\n"


def create_talk(root: Path, day: str, title: str) -> Path:
    """Write ``<root>/<day>/<slug>.rst`` from ``<root>/templates/talk.rst.tmpl``.

    Args:
        root: The project root, holding ``conf.py`` and ``templates/``.
        day: A key of ``conference_days`` in ``conf.py``.
        title: The talk's title.

    Returns:
        The path of the page written.

    Raises:
        NewTalkError: On an unknown day, a title that gives no slug or spans
            lines, a missing template, or a page that already exists.
    """
    title = title.strip()
    if not title or "\n" in title or "\r" in title:
        raise NewTalkError("the title must be one non-empty line")
    slug = make_id(title)
    if not slug:
        raise NewTalkError(f"the title {title!r} gives an empty slug; add letters or digits")

    days = read_conference_days(root / "conf.py")
    if day not in days:
        known = ", ".join(days) or "none"
        raise NewTalkError(f"unknown day {day!r}: conference_days in conf.py has {known}")

    template_path = root / TEMPLATE
    try:
        template_text = template_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NewTalkError(f"cannot read the template {template_path}: {exc}") from exc
    text = render_talk(template_text, title=title, day=day, date=days[day], slug=slug)

    page = root / day / f"{slug}.rst"
    page.parent.mkdir(exist_ok=True)  # git keeps no empty folder; `day` was checked above
    try:
        with page.open("x", encoding="utf-8") as f:  # "x": never overwrite
            f.write(text)
    except FileExistsError:
        raise NewTalkError(f"{page} already exists; not overwriting it") from None
    return page


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="new_talk.py",
        description="Create <day>/<slug>.rst from templates/talk.rst.tmpl.",
    )
    parser.add_argument("--day", required=True, help="a day folder: a key of conference_days")
    parser.add_argument("--title", required=True, help="the talk's title")
    parser.add_argument(
        "--root",
        type=Path,
        default=REPO_ROOT,
        help="the project root holding conf.py and templates/ (default: %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 written, 1 refused).

    Args:
        argv: The arguments, without the program name; ``sys.argv[1:]`` if None.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        page = create_talk(args.root, args.day, args.title)
    except NewTalkError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
