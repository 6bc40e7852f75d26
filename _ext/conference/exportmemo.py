"""Make an export again only when what it is made from changed.

The exports are written at ``build-finished``, from every talk, by every
build: on a 1000-talk site that is a thousand calendar files, a tenth of a
clean build and half of an incremental one in which one talk moved. Each
file's bytes are a pure function of its inputs: the talks it holds (every
field, as ``repr`` shows it) and their page URLs, the conference, the
``DTSTAMP``, the language, and the code and libraries that write it. So each
file is recorded with a digest of those inputs and of the bytes written, and
a later build keeps a file whose inputs have the same digest and whose bytes
on disk are still the ones written.

The record lives in Sphinx's doctree directory (a build cache that is never
published), one file per output (builder and output directory), because
the page URLs differ between builders. It is written after the exports, at
``build-finished``, when Sphinx has already pickled the environment: so it
cannot live there. A record that cannot be read is no record: every file is
made again.
"""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from . import exporters
from .dependencies import output_file_key

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx

    from .exporters import TalkUrl
    from .model import ConferenceInfo, Talk

#: The distributions whose code or data writes the exports' bytes (``tzdata``
#: holds the time zone rules when the system has none).
_WRITERS = ("icalendar", "lxml", "tzdata")


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _code_digest(timezone: str) -> str:
    """The exporters' own source, the libraries they call, and the zone's rules.

    The calendars' ``VTIMEZONE`` comes from the system's zone file when there
    is one (``zoneinfo.TZPATH``), else from the ``tzdata`` package.
    """
    folder = Path(exporters.__file__).parent
    sources = [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.py"))]
    for base in zoneinfo.TZPATH:
        try:
            sources.append((timezone, (Path(base) / timezone).read_bytes()))
        except OSError:
            continue
        break
    versions: list[tuple[str, str | None]] = []
    for name in _WRITERS:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, None))
    return _sha1(repr((sources, versions)).encode("utf-8"))


class ExportMemo:
    """What each export file of one output was last made from."""

    def __init__(self, app: Sphinx, info: ConferenceInfo, common: object) -> None:
        self.path = Path(app.doctreedir) / f"conference-exports-{output_file_key(app)}.json"
        self._common = _sha1(repr((info, common, _code_digest(info.timezone))).encode("utf-8"))
        self._recorded = self._load()
        self._current: dict[str, tuple[str, str]] = {}
        # A talk is in up to five files (the whole schedule's three, its
        # day's, its own): its repr and URL are taken once. Keyed by
        # identity; the talk is kept with them, so its id is not reused.
        self._inputs: dict[int, tuple[Talk, str, str]] = {}

    def _load(self) -> dict[str, tuple[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {path: (inputs, output) for path, (inputs, output) in data.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def digest(self, path: str, held: Iterable[Talk], talk_url: TalkUrl) -> str:
        """Digest of everything the file at ``path`` is made from (one ``talk_url`` per memo)."""
        talks = [self._talk_inputs(talk, talk_url) for talk in held]
        return _sha1(repr((path, self._common, talks)).encode("utf-8"))

    def _talk_inputs(self, talk: Talk, talk_url: TalkUrl) -> tuple[str, str]:
        found = self._inputs.get(id(talk))
        if found is None:
            found = self._inputs[id(talk)] = (talk, repr(talk), talk_url(talk))
        return found[1], found[2]

    def unchanged(self, outdir: Path, path: str, digest: str) -> bool:
        """Whether ``path`` was made from these inputs and still holds what was written.

        Such a file is kept in the record.
        """
        recorded = self._recorded.get(path)
        if recorded is None or recorded[0] != digest:
            return False
        try:
            if _sha1((outdir / path).read_bytes()) != recorded[1]:
                return False
        except OSError:
            return False
        self._current[path] = recorded
        return True

    def record(self, path: str, digest: str, data: bytes) -> None:
        """Remember that ``path`` now holds ``data``, made from ``digest``'s inputs."""
        self._current[path] = (digest, _sha1(data))

    def save(self) -> None:
        """Keep the record of the files this build holds; a failure only costs a remake."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self._current, sort_keys=True), encoding="utf-8")
        except OSError:
            return
