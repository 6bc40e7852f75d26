"""Where a build's wall time goes, phase by phase, in the main process.

Runs ``sphinx-build`` in this process with timers around Sphinx's phases
(reading, the events between reading and writing, writing, finishing) and,
under ``-j N``, around the main process's own share of the parallel write:
resolving each doctree and indexing it for search (``write_doc_serialized``)
happen serially in the main process while forked writers render pages; the
time spent waiting for them is ``ParallelTasks.join``. Unlike ``--profile``
in ``run.py`` it adds no overhead worth counting, so ``-j 1`` and ``-j 2``
can be compared.

Usage::

    python bench/phases.py SITE OUT [sphinx-build options, e.g. -j 2]
"""

from __future__ import annotations

import functools
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.cmd.build import main as sphinx_build
from sphinx.environment import BuildEnvironment
from sphinx.events import EventManager
from sphinx.util.parallel import ParallelTasks

SECONDS: defaultdict[str, float] = defaultdict(float)
EVENTS = ("env-updated", "env-get-updated", "env-check-consistency", "write-started",
          "build-finished")


def timed(owner: type, name: str, label: str) -> None:
    """Add the wall time of every call of ``owner.name`` to ``SECONDS[label]``."""
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SECONDS[label] += time.perf_counter() - start

    setattr(owner, name, wrapper)


def timed_events() -> None:
    """Time the handlers of the events that run between and after the phases."""
    original = EventManager.emit

    def emit(self: EventManager, name: str, *args: Any, **kwargs: Any) -> Any:
        if name not in EVENTS:
            return original(self, name, *args, **kwargs)
        start = time.perf_counter()
        try:
            return original(self, name, *args, **kwargs)
        finally:
            SECONDS[f"event {name}"] += time.perf_counter() - start

    EventManager.emit = emit  # type: ignore[method-assign]


def main() -> int:
    timed(Builder, "read", "read (incl. env-updated)")
    timed(Builder, "write", "write (incl. write-started)")
    timed(StandaloneHTMLBuilder, "finish", "finish (indices, search index dump)")
    timed(BuildEnvironment, "get_and_resolve_doctree", "  resolve doctrees (main process)")
    timed(StandaloneHTMLBuilder, "write_doc_serialized", "  index pages (main process)")
    timed(ParallelTasks, "join", "  wait for the forked processes")
    timed_events()
    start = time.perf_counter()
    status = sphinx_build(["-b", "html", "-q", *sys.argv[1:]])
    total = time.perf_counter() - start
    print(f"total {total:.1f} s (exit status {status})")
    for label, seconds in SECONDS.items():
        print(f"{label:45} {seconds:6.1f} s  {seconds / total:4.0%}")
    return status


if __name__ == "__main__":
    sys.exit(main())
