"""Random edit sequences for a conference site, and incremental-versus-clean checks.

Why: hand-written edit cases only test the inputs someone thought of. This
module draws edits from a grammar of what a note taker (and a site
maintainer) does to a site, applies them to a copy of the sources, builds
incrementally after each one, and compares every output file byte for byte
with a clean build of the same sources. The grammar (:data:`KINDS`):

* talks: add, delete, rename (same day), move to another day, change the
  title (ids follow titles), the time, the presenter, the track, the kind,
  the room and the links, add notes, add an image and a download;
* day pages: add or rename a section;
* ``index.rst``: add, change or drop the toctree caption, give the
  presenters entry an explicit title or take it away, show or hide the
  toctree;
* references between pages: ``:talk:``, ``:ref:``, ``:doc:``, ``:presenter:``
  to existing (or just deleted) targets;
* ``conf.py``: theme options (``collapse_navigation`` as ``True``, ``False``,
  ``0``, ``1``, ``"False"``...), navigation depth, source links, conference name.

An :class:`Edit` is plain data (its kind and concrete arguments), so a
failing sequence can be printed, replayed and shrunk: an edit whose target no
longer exists in a shortened sequence is skipped.

Used by ``tests/test_fuzz_incremental.py`` (a few short sequences in ``make
test``) and, as a script, by ``make fuzz SEED=... COUNT=...``::

    python tests/editgrammar.py --seed 1 --count 200 --length 5

which runs sequences on a copy of the real site and prints the shortest
failing sequence it finds.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from docutils.nodes import make_id

REPO = Path(__file__).resolve().parent.parent
DAYS = ("thursday", "friday", "saturday", "sunday")

#: Dates for SOURCE_DATE_EPOCH: ePub stamps its package with the build time otherwise.
SOURCE_DATE_EPOCH = "1363219200"

TITLES = (
    "Don't Panic", 'The "Zen" of Python', "Async IO -- Now", "Lunch", "Packaging Today",
    "Testing Everything", "Web Scale", "Lightning Talks", "A Tiny Parser", "Keynote",
)
PEOPLE = ("Ada Lovelace", "Grace Hopper (Navy)", "Alan Turing", "Barbara Liskov (MIT)",
          "Guido van Rossum, Raymond Hettinger")
TIMES = ("09:00-09:30", "09:30-10:00", "10:00-10:45", "11:00", "13:15-14:00", "23:30-00:30")
TRACKS = ("I", "II", "III", "Core")
SECTIONS = ("Evening", "Q & A", "Hallway", "Don't miss")
CAPTIONS = ("Indices", "More pages", "The \"index\" pages")
THEME_OPTIONS = {
    "collapse_navigation": (True, False, 0, 1, "False", "True"),
    "navigation_depth": (4, 2, -1),
    "titles_only": (False, True),
}

FUZZ_BEGIN = "# -- fuzz: begin --"
FUZZ_END = "# -- fuzz: end --"


# -- edits ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Edit:
    """One edit: a kind from :data:`KINDS` and its concrete arguments."""

    kind: str
    args: tuple[Any, ...]

    def __str__(self) -> str:
        return f"{self.kind}{self.args!r}"

    def apply(self, src: Path) -> bool:
        """Make the edit in ``src``; False when it no longer applies (its target is gone)."""
        applied = KINDS[self.kind][1](src, *self.args)
        return applied is not False


def _touch(path: Path) -> None:
    """An mtime from the fine clock, so Sphinx sees an edit made right after a build."""
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _touch(path)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def talk_page(title: str, presenter: str, time_: str | None, track: str) -> str:
    """A talk page as ``make talk`` would start it, with some notes."""
    options = [f":presenter: {presenter}", f":track: {track}"]
    if time_:
        options.append(f":time: {time_}")
    fields = "".join(f"   {option}\n" for option in options)
    return (f"{title}\n{'=' * len(title)}\n\n.. talk::\n{fields}\n   An abstract.\n\n"
            f"Notes\n-----\n\nNotes taken during {title}.\n")


def talk_files(src: Path) -> list[str]:
    """The pages (``day/name.rst``) that hold a ``talk`` directive, sorted."""
    return sorted(
        path.relative_to(src).as_posix()
        for path in src.glob("*/*.rst")
        if path.name != "index.rst" and ".. talk::" in _read(path)
    )


def page_title(text: str) -> str:
    return text.split("\n", 1)[0]


def talk_ids(src: Path) -> list[str]:
    ids = []
    for name in talk_files(src):
        text = _read(src / name)
        explicit = re.search(r"^   :name: (.+)$", text, re.MULTILINE)
        ids.append(make_id(explicit[1] if explicit else page_title(text)))
    return ids


def docnames(src: Path) -> list[str]:
    return sorted(path.relative_to(src).with_suffix("").as_posix()
                  for path in src.glob("**/*.rst") if "_build" not in path.parts)


def _add_talk(src: Path, path: str, title: str, presenter: str, time_: str | None,
              track: str) -> bool:
    if (src / path).exists():
        return False
    _write(src / path, talk_page(title, presenter, time_, track))
    return True


def _delete(src: Path, path: str) -> bool:
    if not (src / path).is_file():
        return False
    (src / path).unlink()
    return True


def _move(src: Path, path: str, new: str) -> bool:
    if not (src / path).is_file() or (src / new).exists():
        return False
    (src / new).parent.mkdir(parents=True, exist_ok=True)
    (src / path).rename(src / new)
    _touch(src / new)
    return True


def _retitle(src: Path, path: str, title: str) -> bool:
    if not (src / path).is_file():
        return False
    lines = _read(src / path).split("\n")
    lines[0:2] = [title, "=" * len(title)]
    _write(src / path, "\n".join(lines))
    return True


def _set_option(src: Path, path: str, name: str, value: str | None) -> bool:
    """Set, replace or (``value`` None) remove ``:name:`` of the page's first talk."""
    if not (src / path).is_file():
        return False
    lines = _read(src / path).split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith(".. talk::"))
    except StopIteration:
        return False
    end = start + 1
    while end < len(lines) and lines[end].startswith("   :"):
        end += 1
    options = [line for line in lines[start + 1:end] if not line.startswith(f"   :{name}:")]
    if value is not None:
        options.append(f"   :{name}: {value}")
    lines[start + 1:end] = options
    _write(src / path, "\n".join(lines))
    return True


def _append(src: Path, path: str, text: str) -> bool:
    if not (src / path).is_file():
        return False
    _write(src / path, _read(src / path).rstrip("\n") + "\n\n" + text + "\n")
    return True


def _add_section(src: Path, path: str, title: str) -> bool:
    return _append(src, path, f"{title}\n{'-' * len(title)}\n\nAdded by an edit.")


def _rename_section(src: Path, path: str, old: str, new: str) -> bool:
    if not (src / path).is_file():
        return False
    text = _read(src / path)
    block = f"\n{old}\n{'-' * len(old)}\n"
    if block not in text:
        return False
    _write(src / path, text.replace(block, f"\n{new}\n{'-' * len(new)}\n", 1))
    return True


def _add_asset(src: Path, path: str, number: int) -> bool:
    """An image and a download on a talk page, each a file of its own."""
    if not (src / path).is_file():
        return False
    folder = (src / path).parent
    _write(folder / f"diagram-{number}.svg",
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{number}" height="10"/>\n')
    _write(folder / f"slides-{number}.txt", f"Slides {number}\n")
    return _append(src, path, f".. image:: diagram-{number}.svg\n\n"
                              f"Get :download:`the slides <slides-{number}.txt>`.")


def _toctree(src: Path, caption: str | None, people: str | None, hidden: bool) -> bool:
    """Rewrite the root toctree: its caption, the presenters entry's title, hidden."""
    index = src / "index.rst"
    text = _read(index)
    match = re.search(r"^\.\. toctree::\n(?:   .*\n|\n)*", text, re.MULTILINE)
    if match is None:
        return False
    options = [":hidden:"] if hidden else []
    if caption:
        options.append(f":caption: {caption}")
    entry = f"{people} <presenters>" if people else "presenters"
    block = ".. toctree::\n" + "".join(f"   {o}\n" for o in options) + f"\n   {entry}\n   tracks\n"
    _write(index, text[:match.start()] + block + text[match.end():])
    return True


def _conf(src: Path, setting: str, value: Any) -> bool:
    """Set one fuzzed configuration value in a block at the end of ``conf.py``."""
    conf = src / "conf.py"
    text = _read(conf)
    settings: dict[str, Any] = {}
    if FUZZ_BEGIN in text:
        head, _, rest = text.partition(FUZZ_BEGIN + "\n")
        block, _, _tail = rest.partition(FUZZ_END + "\n")
        settings = json.loads(block.removeprefix("# ").split("\n", 1)[0])
        text = head
    settings[setting] = value
    theme = {key[len("theme."):]: val for key, val in settings.items() if key.startswith("theme.")}
    lines = [f"# {json.dumps(settings, sort_keys=True)}"]
    if theme:
        lines.append(f"html_theme_options = {theme!r}")
    lines.extend(f"{key} = {val!r}" for key, val in sorted(settings.items())
                 if not key.startswith("theme."))
    _write(conf, text + FUZZ_BEGIN + "\n" + "\n".join(lines) + "\n" + FUZZ_END + "\n")
    return True


#: kind -> (generator of concrete arguments from the current sources, or None
#: when the kind cannot apply now; the function that applies it).
Generator = Callable[[random.Random, Path], tuple[Any, ...] | None]


def _pick_talk(rng: random.Random, src: Path) -> str | None:
    files = talk_files(src)
    return rng.choice(files) if files else None


def _gen_add(rng: random.Random, src: Path) -> tuple[Any, ...]:
    day = rng.choice(DAYS)
    return (f"{day}/fuzz-{rng.randrange(1000)}.rst", rng.choice(TITLES), rng.choice(PEOPLE),
            rng.choice((*TIMES, None)), rng.choice(TRACKS))


def _gen_talk(extra: Callable[[random.Random, Path, str], tuple[Any, ...] | None]) -> Generator:
    def generate(rng: random.Random, src: Path) -> tuple[Any, ...] | None:
        path = _pick_talk(rng, src)
        if path is None:
            return None
        more = extra(rng, src, path)
        return None if more is None else (path, *more)
    return generate


def _gen_move(rng: random.Random, src: Path, path: str) -> tuple[Any, ...]:
    day = rng.choice(DAYS)
    return (f"{day}/{Path(path).name}",)


def _gen_rename(rng: random.Random, src: Path, path: str) -> tuple[Any, ...]:
    return (f"{Path(path).parent.as_posix()}/renamed-{rng.randrange(1000)}.rst",)


def _gen_option(rng: random.Random, src: Path, path: str) -> tuple[Any, ...]:
    name, values = rng.choice((
        ("time", (*TIMES, None)),
        ("presenter", PEOPLE),
        ("track", (*TRACKS, None)),
        ("room", ("Grand Ballroom", "Room 2", None)),
        ("kind", ("keynote", "lightning", "talk", None)),
        ("url", ("https://us.pycon.org/2013/schedule/", None)),
        ("video", ("https://www.youtube.com/watch?v=abc", None)),
        ("name", ("keynote", "my-talk", None)),
    ))
    return (name, rng.choice(values))


def _gen_section(rng: random.Random, src: Path) -> tuple[Any, ...]:
    page = rng.choice((*(f"{day}/index.rst" for day in DAYS), *talk_files(src)))
    return (page, rng.choice(SECTIONS))


def _gen_rename_section(rng: random.Random, src: Path) -> tuple[Any, ...] | None:
    found = [(path.relative_to(src).as_posix(), title)
             for path in sorted(src.glob("*/*.rst"))
             for title in SECTIONS if f"\n{title}\n{'-' * len(title)}\n" in _read(path)]
    if not found:
        return None
    page, old = rng.choice(found)
    return (page, old, rng.choice([title for title in SECTIONS if title != old]))


def _gen_reference(rng: random.Random, src: Path) -> tuple[Any, ...] | None:
    pages = [f"{doc}.rst" for doc in docnames(src)]
    ids, docs = talk_ids(src), docnames(src)
    role = rng.choice(("talk", "ref", "doc", "presenter"))
    if role in {"talk", "ref"} and ids:
        target = rng.choice(ids)
    elif role == "presenter":
        target = rng.choice(PEOPLE).split(" (")[0].split(",")[0]
    else:
        target = "/" + rng.choice(docs)
    text = f":{role}:`{target}`" if rng.random() < 0.7 else f":{role}:`see this <{target}>`"
    return (rng.choice(pages), f"See {text}.")


def _gen_toctree(rng: random.Random, src: Path) -> tuple[Any, ...]:
    return (rng.choice((None, *CAPTIONS)), rng.choice((None, "People", "Who's who")),
            rng.random() < 0.8)


def _gen_conf(rng: random.Random, src: Path) -> tuple[Any, ...]:
    choice = rng.randrange(4)
    if choice < 2:
        name = rng.choice(sorted(THEME_OPTIONS))
        return (f"theme.{name}", rng.choice(THEME_OPTIONS[name]))
    if choice == 2:
        return ("html_show_sourcelink", rng.choice((True, False)))
    return ("conference_name", rng.choice(("PyCon US 2013", "PyCon \"2013\"")))


KINDS: dict[str, tuple[Generator, Callable[..., bool]]] = {
    "add-talk": (_gen_add, _add_talk),
    "delete-talk": (_gen_talk(lambda rng, src, path: ()), _delete),
    "rename-talk": (_gen_talk(_gen_rename), _move),
    "move-talk": (_gen_talk(_gen_move), _move),
    "title": (_gen_talk(lambda rng, src, path: (rng.choice(TITLES),)), _retitle),
    "option": (_gen_talk(_gen_option), _set_option),
    "notes": (_gen_talk(lambda rng, src, path: ("More notes: it's \"fast\".",)), _append),
    "asset": (_gen_talk(lambda rng, src, path: (rng.randrange(100),)), _add_asset),
    "add-section": (_gen_section, _add_section),
    "rename-section": (_gen_rename_section, _rename_section),
    "reference": (_gen_reference, _append),
    "toctree": (_gen_toctree, _toctree),
    "conf": (_gen_conf, _conf),
}


def random_edit(rng: random.Random, src: Path) -> Edit:
    """One edit that applies to ``src`` as it is now."""
    while True:
        kind = rng.choice(sorted(KINDS))
        args = KINDS[kind][0](rng, src)
        if args is not None:
            return Edit(kind, args)


# -- building and comparing ------------------------------------------------------------


def build(src: Path, builddir: Path, buildername: str, *, freshenv: bool = False,
          parallel: int = 0) -> None:
    """One in-process ``sphinx-build`` run; outdir ``builddir/<builder>``."""
    from sphinx.testing.util import SphinxTestApp

    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    app = SphinxTestApp(buildername, srcdir=src, builddir=builddir, freshenv=freshenv,
                        status=io.StringIO(), warning=io.StringIO(), parallel=parallel)
    try:
        app.build()
    finally:
        app.cleanup()


#: Sphinx's backup of the previous build's configuration record, which the
#: HTML builder makes on purpose whenever the configuration changed: by design
#: only an incremental build has it, and no page or reader uses it.
NOT_OUTPUT = frozenset({".buildinfo.bak"})


def snapshot(outdir: Path) -> dict[str, bytes]:
    """Every file under ``outdir`` by relative path; an ``.epub`` by its members.

    A zip archive stores each member's mtime, which differs between any two
    builds; its members (in order) and their bytes are what the book is.
    """
    files: dict[str, bytes] = {}
    for path in sorted(outdir.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(outdir).as_posix()
        if name in NOT_OUTPUT:
            continue
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                files[f"{name}!order"] = "\n".join(book.namelist()).encode()
                for member in book.namelist():
                    files[f"{name}!{member}"] = book.read(member)
        else:
            files[name] = path.read_bytes()
    return files


def search_index(data: bytes) -> dict[str, Any]:
    """The object in ``searchindex.js`` (``Search.setIndex({...})``); ValueError if none."""
    text = data.decode("utf-8")
    prefix, suffix = "Search.setIndex(", ")"
    if not (text.startswith(prefix) and text.endswith(suffix)):
        raise ValueError(f"not a search index: {text[:40]!r} ... {text[-40:]!r}")
    return json.loads(text[len(prefix):-len(suffix)])


def readable(name: str, data: bytes) -> str:
    """A file's text for a diff: ``searchindex.js``, one line of JSON, indented."""
    if name == "searchindex.js":
        try:
            return json.dumps(search_index(data), indent=1, sort_keys=True)
        except ValueError:
            pass  # not an index (that is the difference): show it as it is
    return data.decode("utf-8", "replace")


def compare(got: Mapping[str, bytes], want: Mapping[str, bytes], limit: int = 40) -> list[str]:
    """What differs between two snapshots: missing, extra and changed files.

    ``got`` is the incremental build's, ``want`` the clean one's. The one
    comparison of ``make fuzz`` and of ``tests/test_incremental.py``, so that
    both judge (and report) incremental output the same way; a changed file is
    shown as the first ``limit`` lines of a diff.
    """
    problems = []
    if extra := sorted(got.keys() - want.keys()):
        problems.append(f"only in the incremental build: {extra}")
    if missing := sorted(want.keys() - got.keys()):
        problems.append(f"only in the clean build: {missing}")
    for name in sorted(got.keys() & want.keys()):
        if got[name] == want[name]:
            continue
        diff = difflib.unified_diff(
            readable(name, want[name]).splitlines(), readable(name, got[name]).splitlines(),
            f"clean/{name}", f"incremental/{name}", n=1, lineterm="",
        )
        problems.append("\n".join(list(diff)[:limit]))
    return problems


def differences(incremental: Path, clean: Path) -> list[str]:
    """What differs between two output directories, as :func:`snapshot` sees them."""
    return compare(snapshot(incremental), snapshot(clean))


@dataclasses.dataclass
class Failure:
    """An edit after which an incremental build differed from a clean one."""

    step: int
    builder: str
    problems: list[str]

    def report(self, edits: Sequence[Edit]) -> str:
        lines = [f"after edit {self.step + 1} ({self.builder}):"]
        lines += [f"  {number}. {edit}" for number, edit in enumerate(edits[:self.step + 1], 1)]
        lines += ["", *self.problems[:5]]
        return "\n".join(lines)


class Runner:
    """Runs edit sequences on copies of one source tree, in a scratch folder."""

    def __init__(self, template: Path, work: Path, builders: Sequence[str] = ("html",),
                 parallel: int = 0) -> None:
        self.template = template
        self.work = work
        self.builders = tuple(builders)
        self.parallel = parallel
        self.runs = 0

    def _fresh(self, name: str) -> Path:
        folder = self.work / name
        if folder.exists():
            shutil.rmtree(folder)
        return folder

    def run(self, edits: Iterable[Edit] | None = None, *, rng: random.Random | None = None,
            length: int = 0) -> tuple[list[Edit], Failure | None]:
        """Replay ``edits`` or draw ``length`` new ones from ``rng``; the first failure.

        After the initial build and after each edit, every builder builds
        incrementally (one doctree folder, as Read the Docs shares it), and
        each output is compared with a clean build of a copy of the sources.
        """
        self.runs += 1
        src = self._fresh("src")
        shutil.copytree(self.template, src, ignore=shutil.ignore_patterns("_build"))
        inc = self._fresh("inc")
        for builder in self.builders:
            build(src, inc, builder, parallel=self.parallel)
        done: list[Edit] = []
        todo = list(edits) if edits is not None else None
        step = 0
        while (todo is not None and step < len(todo)) or (todo is None and step < length):
            if todo is not None:
                edit = todo[step]
                if not edit.apply(src):
                    todo.pop(step)
                    continue
            else:
                assert rng is not None
                edit = random_edit(rng, src)
                if not edit.apply(src):
                    continue
            done.append(edit)
            failure = self._check(src, inc, step)
            if failure is not None:
                return done, failure
            step += 1
        return done, None

    def _check(self, src: Path, inc: Path, step: int) -> Failure | None:
        for builder in self.builders:
            build(src, inc, builder, parallel=self.parallel)
        clean_src = self._fresh("clean-src")
        shutil.copytree(src, clean_src)
        clean = self._fresh("clean")
        for builder in self.builders:
            build(clean_src, clean, builder, freshenv=True)
            problems = differences(inc / builder, clean / builder)
            if problems:
                return Failure(step, builder, problems)
        return None

    def shrink(self, edits: list[Edit], failure: Failure) -> tuple[list[Edit], Failure]:
        """A shorter sequence that still fails: cut after the failure, drop edits one by one."""
        best, best_failure = edits[:failure.step + 1], failure
        index = 0
        while index < len(best):
            trial = best[:index] + best[index + 1:]
            done, trial_failure = self.run(trial)
            if trial_failure is not None:
                best, best_failure = done[:trial_failure.step + 1], trial_failure
            else:
                index += 1
        return best, best_failure


# -- make fuzz ----------------------------------------------------------------------------


def copy_real_site(dest: Path) -> Path:
    """The site's sources, as the end-to-end tests copy them."""
    sys.path.insert(0, str(REPO / "tests"))
    from sitebuild import copy_site

    return copy_site(dest)


def main(argv: Sequence[str] | None = None) -> int:
    """``make fuzz``: random sequences on the real site; print the shortest failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=20, help="number of sequences")
    parser.add_argument("--length", type=int, default=5, help="edits per sequence")
    parser.add_argument("--builders", default="html", help="comma-separated builder names")
    parser.add_argument("-j", "--parallel", type=int, default=0)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "_ext"))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="conference-fuzz-") as scratch:
        template = copy_real_site(Path(scratch) / "site")
        runner = Runner(template, Path(scratch), args.builders.split(","), args.parallel)
        failures: list[tuple[int, list[Edit], Failure]] = []
        edits_run = 0
        for number in range(args.count):
            seed = args.seed + number
            edits, failure = runner.run(rng=random.Random(seed), length=args.length)
            edits_run += len(edits)
            status = "ok" if failure is None else f"FAILED at edit {failure.step + 1}"
            print(f"sequence {number + 1}/{args.count} (seed {seed}): {status}", flush=True)
            if failure is not None:
                failures.append((seed, edits, failure))
        print(f"{args.count} sequences, {edits_run} edits, {len(failures)} failing, "
              f"builders {args.builders}, {time.monotonic() - started:.0f} s")
        if not failures:
            return 0
        seed, edits, failure = min(failures, key=lambda item: item[2].step)
        shortest, shortest_failure = runner.shrink(edits, failure)
        print(f"\nshortest failing sequence (from seed {seed}):")
        print(shortest_failure.report(shortest))
        return 1


if __name__ == "__main__":
    sys.exit(main())
