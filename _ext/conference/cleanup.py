"""Remove the output of pages whose source was deleted or renamed.

Sphinx leaves ``old-name.html`` in the output directory when ``old-name.rst``
goes away, so an incremental build would hold a page (and its calendar file)
that a clean build does not. For HTML-family builders this module deletes the
page, its copied source and its talk calendars, so that the output directory
of an incremental build equals that of a clean build.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util import logging

from .domain import ConferenceDomain
from .exporters.paths import export_path
from .transforms import EXPORTING_BUILDERS

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Attribute on the builder holding the outputs to delete once the build is done.
_PENDING = "_conference_removed_outputs"


def note_removed_docs(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """``env-get-outdated``: remember the outputs of removed pages, before purging."""
    if app.builder.name not in EXPORTING_BUILDERS or not removed:
        return []
    domain: ConferenceDomain = env.domains[ConferenceDomain.name]
    outputs: set[Path] = set()
    for docname in removed:
        if app.builder.name != "singlehtml":
            outputs.add(Path(app.builder.get_outfilename(docname)))
        suffix = env.doc2path(docname).suffix
        outputs.add(Path(app.outdir, "_sources", docname + suffix + ".txt"))
        for talk in domain.talks_by_doc.get(docname, []):
            outputs.add(Path(app.outdir, export_path("talk", talk.id)))
    setattr(app.builder, _PENDING, outputs)
    return []


def remove_outputs(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: delete what :func:`note_removed_docs` recorded.

    Runs after the exports were written, and skips a talk calendar that a
    remaining talk of the same id still owns.
    """
    if exception is not None:
        return
    domain: ConferenceDomain = app.env.domains[ConferenceDomain.name]
    kept = {Path(app.outdir, export_path("talk", talk_id)) for talk_id in domain.talks}
    for path in sorted(getattr(app.builder, _PENDING, ())):
        if path in kept or not path.is_file():
            continue
        path.unlink()
        logger.info("removed %s (its source is gone)", path.relative_to(app.outdir))
        # dirhtml keeps each page in a folder of its own; a clean build has none.
        folder = path.parent
        while folder != Path(app.outdir) and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
