"""Reading and writing under ``-j N``: fewer chunks, and writers that resolve their own pages.

Sphinx's ``Builder._write_parallel`` resolves every page (unpickling its
doctree, the post-transforms, ``doctree-resolved``) and indexes it for search
in the main process, one page after another, and forks ``N - 1`` writers to
render the resolved pages. Under ``-j 2`` that is one writer beside a main
process that is busy for as long as the writer is: the write phase of a
1000-talk site took 17 s against 25 s serially, where two cores could do it
in half.

Here ``N`` forked writers live for the whole write phase. Each is sent
batches of neighbouring pages (:class:`_Batches`) and runs Sphinx's own
serial writer on each (``Builder._write_serial``: resolve,
``write_doc_serialized``, ``write_doc``), then sends back what
``write_doc_serialized`` left in the builder for the main process: the
search index's data for those pages and the images they use. A writer
keeps to its own run of pages, so it fills the navigation cache of a group
of pages once (``navcache``); once its run is done it takes batches from the
end of the longest run left, so the writers end together. The main process
only hands out batches and merges the results, in the order of the pages,
so the index is the one a serial build makes (a page's index data depends
on that page alone: ``IndexBuilder.feed``). Log records and warnings come
back with each batch and are handled there, as ``ParallelTasks`` does with
Sphinx's writers. Reading is Sphinx's own, with fewer and larger chunks
(:func:`_chunks`): each chunk's reader sends the whole environment back. The
pages the schedule reads last (``schedule.read_last``) are read in the main
process once the readers are done.

What moves into the writers is what Sphinx's own ``-j 1`` build runs for
each page; anything an extension keeps in the main process at resolve time
would be lost. So the writer is used only when every extension of the
project is one whose resolve-time work was read and keeps no state
(``known.KNOWN_EXTENSIONS``); otherwise, on builders other than ``html`` and
``dirhtml``, on Sphinx versions other than those of ``conference.compat.PARALLEL``
and with ``conference_parallel = False``, Sphinx reads and writes as it
always does.

Sphinx internals this module depends on: ``Builder._read_parallel(docnames,
nproc)`` and the module-level ``make_chunks`` of ``sphinx.builders`` it calls
(replaced while it runs); ``_write_parallel(docnames, nproc)`` (called by
``write_documents`` with the sorted pages when ``parallel_ok``) and
``_write_serial(docnames)``, whose per-page progress comes from
``sphinx.builders.status_iterator`` (silenced in the writers);
``sphinx.util.parallel.ParallelTasks`` for reading, and Sphinx's way of
sending a forked process's log records back (``logging.LogCollector``,
``convert_serializable``) for writing; ``StandaloneHTMLBuilder.images`` and
``indexer``; ``IndexBuilder``'s ``_titles``, ``_filenames``, ``_all_titles``,
``_index_entries``, ``_mapping`` and ``_title_mapping``.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import traceback
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Final, TypeVar, cast

import sphinx.builders
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.errors import SphinxParallelError
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import status_iterator

from . import collector, compat, exports, schedule
from .known import unknown_extensions

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from logging import LogRecord

    from sphinx.application import Sphinx
    from sphinx.search import IndexBuilder
    from sphinx.util.typing import ExtensionMetadata

__version__: Final = "1.0"

_T = TypeVar("_T")

logger = logging.getLogger(__name__)

#: The builders whose ``write_doc_serialized`` was read: images and the index.
BUILDERS: Final = frozenset({"html", "dirhtml"})


@dataclasses.dataclass
class _Written:
    """What one writer's ``write_doc_serialized`` calls left in its builder."""

    titles: dict[str, str | None]
    filenames: dict[str, str]
    all_titles: dict[str, list[tuple[str, str | None]]]
    index_entries: dict[str, list[tuple[str, str, str]]]
    words: dict[str, list[str]]
    title_words: dict[str, list[str]]
    images: dict[str, str]


def _taken(indexer: IndexBuilder | None, images: dict[str, str]) -> _Written:
    """Everything a writer's indexer holds, moved out of it, with ``images``.

    A writer's indexer is emptied before its first batch and by each call of
    this, so it holds the data of the pages of one batch, fed in their order.
    """
    if indexer is None:
        return _Written({}, {}, {}, {}, {}, {}, images)
    written = _Written(
        titles=dict(indexer._titles),
        filenames=dict(indexer._filenames),
        all_titles=dict(indexer._all_titles),
        index_entries=dict(indexer._index_entries),
        words={word: sorted(found) for word, found in indexer._mapping.items()},
        title_words={word: sorted(found) for word, found in indexer._title_mapping.items()},
        images=images,
    )
    _forget(indexer)
    return written


def _merge(builder: StandaloneHTMLBuilder, written: _Written) -> None:
    """Put one writer's results into the main process's builder."""
    builder.images.update(written.images)
    indexer = builder.indexer
    if indexer is None:
        return
    indexer._titles.update(written.titles)
    indexer._filenames.update(written.filenames)
    indexer._all_titles.update(written.all_titles)
    indexer._index_entries.update(written.index_entries)
    for mapping, words in ((indexer._mapping, written.words),
                           (indexer._title_mapping, written.title_words)):
        for word, docnames in words.items():
            mapping.setdefault(word, set()).update(docnames)


#: Chunks per reader. Each chunk is one fork and one whole environment sent
#: back; Sphinx's ``make_chunks`` makes 14 chunks of 1000 pages for two
#: readers. Two per reader still even out pages of unequal cost: at 1000
#: talks, two gave shorter reads than three in interleaved pairs.
CHUNKS_PER_READER: Final = 2

#: Pages a writer is sent at a time. A batch costs a round trip (the names
#: out, the batch's index data back); small batches even out the writers'
#: ends.
BATCH: Final = 8


def _chunks(docnames: list[str], count: int) -> list[list[str]]:
    """``docnames`` cut into ``count`` runs of neighbouring pages, as even as can be."""
    count = max(1, min(len(docnames), count))
    size, extra = divmod(len(docnames), count)
    chunks, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        chunks.append(docnames[start:end])
        start = end
    return [chunk for chunk in chunks if chunk]


class _Batches:
    """The pages still to write, as batches of neighbours, one region per writer.

    Why regions: a writer fills the navigation cache of each group its pages
    are in (see ``navcache``), so each writer keeps to a run of neighbouring
    pages. Writer ``i`` takes the batches of region ``i`` from the front;
    once its region is done it takes the last batch of the region with the
    most left, so writers end together whatever their pages cost.
    """

    def __init__(self, docnames: list[str], writers: int) -> None:
        self.regions = [[chunk[start:start + BATCH] for start in range(0, len(chunk), BATCH)]
                        for chunk in _chunks(docnames, writers)]
        self.total = sum(len(region) for region in self.regions)

    def next_for(self, writer: int) -> list[str] | None:
        """The next batch writer ``writer`` is to write; ``None`` once there is none."""
        if writer < len(self.regions) and self.regions[writer]:
            return self.regions[writer].pop(0)
        fullest = max(self.regions, key=len, default=[])
        return fullest.pop() if fullest else None


def _write_batches(builder: StandaloneHTMLBuilder, connection: Connection) -> None:
    """A forked writer: write each batch it is sent, send back what the main process needs."""
    # This forked process only: no per-page progress from the serial
    # writer; the main process shows each batch, as Sphinx's -j does.
    sphinx.builders.status_iterator = _silent  # type: ignore[attr-defined]
    if builder.indexer is not None:
        # What the main process loaded from the old index stays there.
        _forget(builder.indexer)
    while (batch := connection.recv()) is not None:
        collector = logging.LogCollector()
        try:
            with collector.collect():
                known = set(builder.images)
                builder._write_serial(batch)
                written = _taken(builder.indexer, {key: value for key, value
                                                   in builder.images.items()
                                                   if key not in known})
        except BaseException as exc:
            message = traceback.format_exception_only(exc.__class__, exc)[0].strip()
            connection.send((True, _records(collector), (message, traceback.format_exc())))
            return
        connection.send((False, _records(collector), written))


def _records(collector: logging.LogCollector) -> list[LogRecord]:
    """The log records a batch made, each once, ready to be sent.

    ``_write_serial`` holds back its warnings (``logging.pending_warnings``)
    and hands each to the logger again at its end, so the collector, which
    buffers every record handed to the logger, holds each warning twice.
    """
    records = list({id(record): record for record in collector.logs}.values())
    logging.convert_serializable(records)
    return records


def _forget(indexer: IndexBuilder) -> None:
    """Empty a writer's index data (the main process keeps its own copy)."""
    for mapping in (indexer._titles, indexer._filenames, indexer._all_titles,
                    indexer._index_entries, indexer._mapping, indexer._title_mapping):
        mapping.clear()


def _silent(iterable: Iterable[_T], *args: object, **kwargs: object) -> Iterator[_T]:
    """``status_iterator`` that says nothing."""
    return iter(iterable)


def _write_parallel(
    app: Sphinx, builder: StandaloneHTMLBuilder, jobs: int, docnames: Sequence[str]
) -> None:
    """Write ``docnames`` in ``jobs`` forked writers, each resolving its own pages.

    Each writer lives for the whole write phase and is sent batches of pages
    (:class:`_Batches`) until none are left; its log records and warnings
    come back with each batch and are handled here, as ``ParallelTasks``
    does. The index data is merged once all are written, in the order of
    the pages.
    """
    batches = _Batches(list(docnames), jobs)
    # Each step of the progress line shows the batch just written.
    written: list[list[str]] = []
    progress = status_iterator((written.pop() for _batch in range(batches.total)),
                               __("writing output... "), "darkgreen", batches.total,
                               app.verbosity)
    # Keep the collector of each forked writer off the objects it inherits:
    # walking them would copy every page of the main process's memory. They
    # stay frozen until ``build-finished`` (``conference.collector``).
    collector.before_forking(app)
    context = multiprocessing.get_context("fork")
    connections: dict[Connection, int] = {}
    processes = []
    results: dict[str, _Written] = {}
    sent: dict[Connection, list[str]] = {}
    try:
        for writer in range(jobs):
            batch = batches.next_for(writer)
            if batch is None:
                break
            ours, theirs = context.Pipe()
            process = context.Process(target=_write_batches, args=(builder, theirs))
            process.start()
            theirs.close()
            processes.append(process)
            connections[ours] = writer
            ours.send(batch)
            sent[ours] = batch
        while connections:
            for ready in wait(list(connections)):
                connection = cast("Connection", ready)
                try:
                    failed, logs, result = connection.recv()
                except EOFError:
                    raise SphinxParallelError(
                        "a writer process ended without a word", "") from None
                for record in logs:
                    logger.handle(record)
                if failed:
                    raise SphinxParallelError(*result)
                results[sent[connection][0]] = result
                written.append(sent[connection])
                next(progress)
                batch = batches.next_for(connections[connection])
                connection.send(batch)
                if batch is None:
                    del connections[connection]
                    connection.close()
                else:
                    sent[connection] = batch
    finally:
        for process in processes:
            if process.is_alive() and connections:
                process.terminate()
            process.join()
    order = {docname: index for index, docname in enumerate(docnames)}
    for first in sorted(results, key=order.__getitem__):
        _merge(builder, results[first])
    for _rest in progress:
        pass  # ends the progress line, as Sphinx's does


def _read_parallel(
    app: Sphinx, builder: StandaloneHTMLBuilder, docnames: list[str], nproc: int
) -> None:
    """Sphinx's parallel reader, with :func:`_chunks` instead of ``make_chunks``.

    Each chunk's reader sends the whole environment back, pickled, and the
    main process unpickles and merges it while the readers run: 15 chunks
    of 1000 pages cost two readers a fifth of their time. The pages the
    schedule wants read after all others (``schedule.read_last``: the root
    page's overview of every talk) are read here once the readers are done,
    as a serial build reads them; the exports start being made ahead first
    (``exports.make_ahead``, which ``env-updated`` would start after that
    read), so the root page is read on one core while they are made on the
    other.
    """
    last = [docname for docname in schedule.read_last(builder.env) if docname in docnames]
    original = sphinx.builders.make_chunks  # type: ignore[attr-defined]
    sphinx.builders.make_chunks = (  # type: ignore[attr-defined]
        lambda arguments, nproc, maxbatch=10: _chunks(list(arguments),
                                                      nproc * CHUNKS_PER_READER))
    try:
        type(builder)._read_parallel(
            builder, [docname for docname in docnames if docname not in last], nproc)
    finally:
        sphinx.builders.make_chunks = original  # type: ignore[attr-defined]
    exports.make_ahead(app, builder.env)
    for docname in last:
        schedule.read_page(app, builder.env, docname)


def install(app: Sphinx) -> None:
    """``builder-inited``: use this writer when this build may (see the module docstring)."""
    builder = app.builder
    if not (
        app.config.conference_parallel
        and compat.enabled(compat.PARALLEL)
        and isinstance(builder, StandaloneHTMLBuilder)
        and builder.name in BUILDERS
    ):
        return
    unknown = unknown_extensions(app)
    if unknown:
        logger.verbose("conference_parallel: off, for the extensions %s",
                       ", ".join(unknown))
        return
    jobs = app.parallel

    def write_parallel(docnames: Sequence[str], nproc: int) -> None:
        # Sphinx passes -j N minus one for its busy main process; here the
        # main process only waits and merges, so N writers run.
        _write_parallel(app, builder, jobs, docnames)

    builder._write_parallel = write_parallel  # type: ignore[method-assign]
    builder._read_parallel = (  # type: ignore[method-assign]
        lambda docnames, nproc: _read_parallel(app, builder, docnames, nproc))


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the switch, the reader and the writer."""
    app.add_config_value("conference_parallel", True, "", types=[bool])
    app.connect("builder-inited", install)
    compat.connect_warning(app, compat.PARALLEL)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
