"""``conference new-talk``: start a new talk page, ``<day>/<slug>.rst`` or ``.md``.

Usage (``make talk DAY=friday TITLE="Some Talk" [FORMAT=md]`` runs it)::

    conference new-talk --day friday --title "Some Talk" [--format md] [--root DIR]

The slug is ``docutils.nodes.make_id(title)``, the id docutils would give a
section with that title. The day must be a key of ``conference_days`` in the
project's ``conf.py``; that dict is read with :mod:`ast`, so ``conf.py`` is
never executed and Sphinx is never started. An existing page is never
overwritten. On success the path written is printed.

The page is made from ``templates/talk.<format>.tmpl`` in the project when it
has one, so a site can keep its own; otherwise from the template shipped in
this package (``conference/templates/``), so a project that only installed the
extension gets a page that builds. A template is a :class:`string.Template`; it
may use ``$title`` and ``$underline`` (``=`` as wide as the title, for
reStructuredText), and also ``$day``, ``$date`` (the day's ISO date from
``conference_days``) and ``$slug``. The Markdown template is MyST: the talk
directive is a fenced ``{talk}`` block with ``:option:`` lines, and the page
needs ``myst_parser`` in the project's extensions.
"""

from __future__ import annotations

import argparse
import ast
import string
import sys
from pathlib import Path
from typing import Final

from docutils.nodes import make_id
from docutils.utils import column_width

#: ``--format`` -> the page's file suffix (also the template's middle name).
FORMATS: Final = {"rst": ".rst", "md": ".md"}

#: Where a project keeps its own templates, relative to its root.
PROJECT_TEMPLATES: Final = Path("templates")

#: The templates shipped with the package (package data).
PACKAGE_TEMPLATES: Final = Path(__file__).parent / "templates"

UNDERLINE_CHAR: Final = "="

#: The name error messages start with.
PROG: Final = "conference new-talk"


class NewTalkError(Exception):
    """A talk page cannot be created; the message says why."""


def read_conference_days(conf_path: Path) -> dict[str, str]:
    """Return the ``conference_days`` dict of a Sphinx ``conf.py`` without running it.

    Running it would import the project's extensions and whatever else it
    imports; a literal dict is all that is needed, and a ``conf.py`` whose
    ``conference_days`` is computed is refused rather than guessed at.

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
    """Fill in a talk page template.

    Args:
        template_text: A :class:`string.Template` source.
        title: The talk's title, one line.
        day: The day folder.
        date: The day's date as written in ``conference_days``.
        slug: The page's file name without its suffix.

    Returns:
        The page's text, ending with one newline.

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


def template_path(root: Path, fmt: str) -> Path:
    """The project's own template for *fmt* if it has one, else the package's."""
    name = f"talk{FORMATS[fmt]}.tmpl"
    own = root / PROJECT_TEMPLATES / name
    return own if own.exists() else PACKAGE_TEMPLATES / name


def create_talk(root: Path, day: str, title: str, fmt: str = "rst") -> Path:
    """Write ``<root>/<day>/<slug>.<fmt>`` from the talk template of that format.

    Args:
        root: The project root, holding ``conf.py`` (and maybe ``templates/``).
        day: A key of ``conference_days`` in ``conf.py``.
        title: The talk's title.
        fmt: ``rst`` or ``md`` (MyST Markdown).

    Returns:
        The path of the page written.

    Raises:
        NewTalkError: On an unknown day, a title that gives no slug or spans
            lines, an unreadable template, or a page that already exists (in
            either format: both would claim the same docname).
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

    template = template_path(root, fmt)
    try:
        template_text = template.read_text(encoding="utf-8")
    except OSError as exc:
        raise NewTalkError(f"cannot read the template {template}: {exc}") from exc
    text = render_talk(template_text, title=title, day=day, date=days[day], slug=slug)

    page = root / day / f"{slug}{FORMATS[fmt]}"
    for other in FORMATS.values():
        twin = page.with_suffix(other)
        if twin != page and twin.exists():
            raise NewTalkError(f"{twin} already exists; not adding {page.name} beside it")
    page.parent.mkdir(exist_ok=True)  # git keeps no empty folder; `day` was checked above
    try:
        with page.open("x", encoding="utf-8") as f:  # "x": never overwrite
            f.write(text)
    except FileExistsError:
        raise NewTalkError(f"{page} already exists; not overwriting it") from None
    return page


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``new-talk``'s arguments."""
    parser.add_argument("--day", required=True, help="a day folder: a key of conference_days")
    parser.add_argument("--title", required=True, help="the talk's title")
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="rst",
        help="reStructuredText or MyST Markdown (default: %(default)s)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(),
        help="the project root holding conf.py (default: the current folder)",
    )


def run(args: argparse.Namespace) -> int:
    """Create the page; print its path. Return 0 when written, 1 when refused."""
    try:
        page = create_talk(args.root, args.day, args.title, args.format)
    except NewTalkError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    print(page)
    return 0
