"""Generative incremental test: random edit sequences, incremental == clean after each edit.

A few short sequences on a copy of the real site run with the suite; ``make
fuzz SEED=... COUNT=...`` runs many more (see ``editgrammar``). The grammar
itself is tested without Sphinx: every kind of edit applies and changes the
sources, a replayed sequence skips edits whose target is gone, and shrinking
finds the edit that matters.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import editgrammar
import pytest
from editgrammar import KINDS, Edit, Failure, Runner


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real site's sources, shared by the tests of this module (read-only)."""
    return editgrammar.copy_real_site(tmp_path_factory.mktemp("fuzz") / "site")


def sources(src: Path) -> dict[str, bytes]:
    return {path.relative_to(src).as_posix(): path.read_bytes()
            for path in sorted(src.rglob("*")) if path.is_file()}


# -- the grammar, without Sphinx -----------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_of_edit_applies_and_changes_the_sources(
    site: Path, tmp_path: Path, kind: str
) -> None:
    src = tmp_path / "src"
    shutil.copytree(site, src)
    generate, _apply = KINDS[kind]
    rng = random.Random(kind)
    if kind == "rename-section":
        Edit("add-section", ("friday/index.rst", "Evening")).apply(src)
    before = sources(src)
    args = generate(rng, src)
    assert args is not None
    edit = Edit(kind, args)
    for _attempt in range(20):
        if edit.apply(src):
            break
        edit = Edit(kind, generate(rng, src) or ())
    assert sources(src) != before, edit


def test_a_replayed_edit_whose_target_is_gone_does_not_apply(site: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(site, src)
    assert Edit("delete-talk", ("friday/python-profiling.rst",)).apply(src)
    before = sources(src)
    assert not Edit("title", ("friday/python-profiling.rst", "Lunch")).apply(src)
    assert not Edit("delete-talk", ("friday/python-profiling.rst",)).apply(src)
    assert sources(src) == before


def test_conf_edits_accumulate_in_one_block(site: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(site, src)
    Edit("conf", ("theme.collapse_navigation", 0)).apply(src)
    Edit("conf", ("theme.titles_only", True)).apply(src)
    Edit("conf", ("theme.collapse_navigation", "False")).apply(src)
    namespace: dict[str, object] = {"__file__": str(src / "conf.py")}
    exec(compile((src / "conf.py").read_text(), "conf.py", "exec"), namespace)
    assert namespace["html_theme_options"] == {"collapse_navigation": "False",
                                               "titles_only": True}


class FailsWithTitleEdits(Runner):
    """A runner whose "builds" fail after any title edit: shrinking must keep just one."""

    def run(self, edits=None, *, rng=None, length=0):  # type: ignore[no-untyped-def]
        done = list(edits or [])
        for step, edit in enumerate(done):
            if edit.kind == "title":
                return done, Failure(step, "html", ["differs"])
        return done, None


def test_shrinking_keeps_only_the_edit_that_fails() -> None:
    edits = [Edit("notes", ("a.rst", "x")), Edit("title", ("b.rst", "T")),
             Edit("notes", ("c.rst", "y")), Edit("title", ("d.rst", "U"))]
    runner = FailsWithTitleEdits(Path("."), Path("."))
    shortest, failure = runner.shrink(edits, Failure(1, "html", ["differs"]))
    assert shortest == [Edit("title", ("b.rst", "T"))]
    assert failure.step == 0


# -- sequences, built ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "length", "builders", "parallel"),
    [
        (1, 4, ("html",), 0),
        (2, 4, ("html",), 0),
        (3, 3, ("html", "epub"), 0),
        (4, 3, ("dirhtml",), 2),
    ],
    ids=["seed1-html", "seed2-html", "seed3-html+epub-shared-doctrees", "seed4-dirhtml-j2"],
)
def test_random_edit_sequence_incremental_equals_clean(
    site: Path, tmp_path: Path, seed: int, length: int, builders: tuple[str, ...], parallel: int
) -> None:
    runner = Runner(site, tmp_path, builders, parallel)
    edits, failure = runner.run(rng=random.Random(seed), length=length)
    assert len(edits) == length
    assert failure is None, failure.report(edits)
