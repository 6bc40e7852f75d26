"""Generate a synthetic conference of N talks, for the benchmarks.

Two flavours of the same pages, deterministic for a given N and seed:

* ``extension``: talk pages use ``.. talk::``; the root and day pages hold
  ``.. schedule::``, which the ``conference`` extension fills in.
* ``plain``: no extension; each talk has a field list and ``.. index::``
  entries instead of the directive, and the toctrees, day tables, overview,
  ``presenters.rst`` and ``tracks.rst`` are written out by hand, in the order
  the extension's schedule uses (timed talks by start, then untimed ones by
  file name).

``nosidebar`` adds a ``_templates/layout.html`` that extends the theme's and
empties its ``navigation`` block: the pages' cost when navigation is free,
the floor a sidebar cache can at best reach.

Titles, speakers and abstracts come from the 181 real PyCon US 2013 sessions
in ``shared/data/pycon-us-2013-pyvideo.json`` (CC0), cycled with suffixes to
reach N; times, tracks, affiliations and the notes (600-1000 words each) are
drawn from a seeded generator.

Usage: ``python bench/generate.py --n 300 --flavour plain OUTDIR``
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
EXT_DIR = BENCH.parent / "_ext"
DATA = BENCH.parent.parent / "shared" / "data" / "pycon-us-2013-pyvideo.json"
if not DATA.exists():  # the main checkout may sit elsewhere than beside shared/
    DATA = Path("/work/shared/data/pycon-us-2013-pyvideo.json")

DAYS = {
    "thursday": "2013-03-14",
    "friday": "2013-03-15",
    "saturday": "2013-03-16",
    "sunday": "2013-03-17",
}
DAY_TITLES = {
    "thursday": "Thursday, March 14",
    "friday": "Friday, March 15",
    "saturday": "Saturday, March 16",
    "sunday": "Sunday, March 17",
}
TRACKS = ["I", "II", "III", "IV", "V"]
AFFILIATIONS = [
    "New Relic",
    "Continuum Analytics",
    "Mozilla",
    "Google",
    "Dropbox",
    "Red Hat",
    "Canonical",
    "Enthought",
    "Disqus",
    "Eventbrite",
    "Caktus Group",
    "Rackspace",
]
_VOCABULARY = """
python interpreter generator iterator decorator closure module package import
namespace class instance method attribute property descriptor metaclass mixin
protocol buffer stream socket thread process lock queue event loop callback
coroutine future greenlet reactor deferred request response session cookie
template view model query index table column schema migration cache memory
allocator garbage collector reference counter profile benchmark latency
throughput deploy container server client proxy balancer cluster node graph
vector matrix array frame series pipeline transform filter reduce map sort
search hash tree heap list dict set tuple string bytes unicode encoding codec
parser lexer token grammar compiler bytecode optimizer debugger tracer test
fixture mock assertion coverage build release version dependency wheel install
virtualenv config logging monitor alert metric dashboard team community mentor
beginner tutorial example pattern design tradeoff the a of to and in is it that
for with as on be this by are we can you not from at or an will which but more
when all if about one so also there
"""
WORDS = _VOCABULARY.split()


@dataclass
class Talk:
    """One generated talk and where it goes."""

    day: str
    slug: str
    title: str
    presenters: list[str]
    track: str
    url: str
    video: str
    start: str | None  # "HH:MM", None when untimed
    end: str | None
    summary: str
    notes: str

    @property
    def docname(self) -> str:
        return f"{self.day}/{self.slug}"

    @property
    def time(self) -> str:
        return f"{self.start}-{self.end}" if self.start else ""


def escape(text: str) -> str:
    """Make plain text safe as reST inline text."""
    return re.sub(r"([\\*`|_\[\]<>])", r"\\\1", text)


def heading(title: str, char: str) -> str:
    return f"{title}\n{char * len(title)}\n"


def paragraphs(text: str) -> list[str]:
    """Abstract paragraphs, each on one line, escaped."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return [escape(p).lstrip(".:>#-+=") or "(empty)" for p in paras if p]


def words(rng: random.Random, n: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def make_notes(rng: random.Random) -> str:
    """600-1000 words of notes: sections, bullets, a code block, links."""
    target = rng.randint(600, 1000)
    out: list[str] = []
    count = 0
    for section in range(rng.randint(3, 5)):
        out.append(heading(words(rng, rng.randint(2, 4)).rstrip("."), "-"))
        for _ in range(rng.randint(1, 3)):
            n = rng.randint(40, 90)
            link = f"`{rng.choice(WORDS)} docs <https://docs.python.org/3/library/{rng.choice(WORDS)}.html>`__"
            out.append(f"{words(rng, n)} See {link}.\n")
            count += n + 3
        out.append(
            "\n".join(f"* {words(rng, k)}" for k in [rng.randint(5, 12) for _ in range(4)]) + "\n"
        )
        count += 35
        if section == 1:
            out.append(
                ".. code-block:: python\n\n"
                f"   def {rng.choice(WORDS)}_{section}(items):\n"
                f"       return [item for item in items if item.{rng.choice(WORDS)}]\n"
            )
        if count >= target:
            break
    while count < target:
        n = min(80, target - count + 5)
        out.append(words(rng, n) + "\n")
        count += n
    return "\n".join(out)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def make_talks(n: int, seed: int) -> list[Talk]:
    """N talks over four days, in the schedule order of each day."""
    sessions = json.loads(DATA.read_text(encoding="utf-8"))["talks"]
    titles: list[str] = []
    for src in sessions:
        title = " ".join(src["title"].split()).rstrip(".")
        if title in titles:  # two "Keynote"s: the extension wants unique titles
            title = f"{title}: {src['speakers'][0]}"
        titles.append(title)
    rng = random.Random(seed)
    days = list(DAYS)
    talks: list[Talk] = []
    for i in range(n):
        src = sessions[i % len(sessions)]
        cycle = i // len(sessions)
        title = titles[i % len(sessions)]
        slug = src["slug"][:60].rstrip("-")
        if cycle:
            title, slug = f"{title} (part {cycle + 1})", f"{slug}-{cycle + 1}"
        presenters = []
        for name in src["speakers"] or ["Anonymous"]:
            if rng.random() < 0.6:
                name = f"{name} ({rng.choice(AFFILIATIONS)})"
            presenters.append(name)
        video = next((v["url"] for v in src["videos"] if v["type"] == "youtube"), "")
        talks.append(
            Talk(
                day=days[i % len(days)],
                slug=slug,
                title=title,
                presenters=presenters,
                track="",
                url=f"https://us.pycon.org/2013/schedule/presentation/{src['id']}/",
                video=video,
                start=None,
                end=None,
                summary=src["summary"] or src["description"] or title,
                notes=make_notes(random.Random(f"{seed}-{i}")),
            )
        )
    # Times: one distinct start per timed talk of a day, 08:00-22:00, tracks
    # round-robin so a track never overlaps itself; one talk in ten untimed.
    for day in days:
        day_talks = [t for t in talks if t.day == day]
        timed = [t for k, t in enumerate(day_talks) if k % 10 != 7]
        rng.shuffle(timed)
        step = max(1, 840 // max(1, len(timed)))
        for k, talk in enumerate(timed):
            start = 8 * 60 + k * step
            end = start + max(1, min(45, len(TRACKS) * step - 5))
            talk.start, talk.end = (
                f"{start // 60:02d}:{start % 60:02d}",
                f"{end // 60:02d}:{end % 60:02d}",
            )
            talk.track = TRACKS[k % len(TRACKS)]
        for talk in day_talks:
            talk.track = talk.track or rng.choice(TRACKS)
    return talks


def schedule_order(talks: list[Talk], day: str) -> list[Talk]:
    """The extension's order: timed by start, then untimed by file name."""
    day_talks = [t for t in talks if t.day == day]
    timed = sorted((t for t in day_talks if t.start), key=lambda t: (t.start, t.slug))
    untimed = sorted((t for t in day_talks if not t.start), key=lambda t: t.slug)
    return timed + untimed


CONF = """\
import sys

sys.path.insert(0, {ext!r})

project = "Synthetic conference ({n} talks)"
author = "bench/generate.py"
copyright = "2013, bench"
version = release = "2013"
html_theme = "sphinx_rtd_theme"
html_show_sourcelink = False
extensions = {extensions!r}
"""

EXT_CONF = """
conference_days = {days!r}
conference_timezone = "America/Los_Angeles"
"""


def talk_page_extension(talk: Talk) -> str:
    options = [
        f":presenter: {', '.join(talk.presenters)}",
        f":track: {talk.track}",
        ":kind: talk",
        f":url: {talk.url}",
    ]
    if talk.start:
        options.append(f":time: {talk.time}")
    if talk.video:
        options.append(f":video: {talk.video}")
    body = "\n\n".join("   " + p for p in paragraphs(talk.summary))
    directive = ".. talk::\n" + "".join(f"   {o}\n" for o in options) + "\n" + body + "\n"
    return f"{heading(escape(talk.title), '=')}\n{directive}\n{talk.notes}"


def talk_page_plain(talk: Talk) -> str:
    when = f"{DAY_TITLES[talk.day]}, {talk.start}–{talk.end}" if talk.start else "not scheduled"
    index = [f"   single: {escape(talk.title).replace(';', ',')}"]
    index += [f"   single: {p.split(' (')[0]}; talks" for p in talk.presenters]
    fields = (
        f":Presenters: {escape(', '.join(talk.presenters))}\n"
        f":Track: {talk.track}\n"
        f":Time: {when}\n"
        f":URL: {talk.url}\n"
    )
    if talk.video:
        fields += f":Video: {talk.video}\n"
    body = "\n\n".join(paragraphs(talk.summary))
    return (
        f"{heading(escape(talk.title), '=')}\n"
        ".. index::\n" + "\n".join(index) + "\n\n"
        f"{fields}\n{body}\n\n{talk.notes}"
    )


def day_page_plain(talks: list[Talk], day: str) -> str:
    order = schedule_order(talks, day)
    rows = ["   * - Time\n     - Talk\n     - Presenters\n     - Track"]
    for t in order:
        when = f"{t.start}–{t.end}" if t.start else "—"
        rows.append(
            f"   * - {when}\n     - :doc:`{t.slug}`\n"
            f"     - {escape(', '.join(t.presenters))}\n     - {t.track}"
        )
    toctree = "".join(f"   {t.slug}\n" for t in order)
    return (
        f"{heading(DAY_TITLES[day], '=')}\n"
        f".. list-table:: Schedule of {DAY_TITLES[day]}\n   :header-rows: 1\n"
        f"   :widths: 15 45 25 15\n\n" + "\n".join(rows) + "\n\n"
        f".. toctree::\n   :hidden:\n\n{toctree}"
    )


def root_page_plain(talks: list[Talk]) -> str:
    lines = [heading("Synthetic Conference", "="), f"{len(talks)} talks over four days.\n"]
    for day in DAYS:
        order = schedule_order(talks, day)
        first = next((t for t in order if t.start), None)
        span = f", from {first.start}" if first else ""
        lines.append(f"* :doc:`{day}/index`: {len(order)} talks{span}")
    lines.append("\n.. toctree::\n   :maxdepth: 1\n\n" + "".join(f"   {d}/index\n" for d in DAYS))
    lines.append("   presenters\n   tracks\n")
    return "\n".join(lines)


def presenters_page(talks: list[Talk]) -> str:
    by_name: dict[str, list[Talk]] = {}
    for t in talks:
        for p in t.presenters:
            by_name.setdefault(p.split(" (")[0], []).append(t)
    out = [heading("Presenters", "=")]
    for name in sorted(by_name):
        links = ", ".join(f":doc:`/{t.docname}`" for t in by_name[name])
        out.append(f"* {escape(name)}: {links}")
    return "\n".join(out) + "\n"


def tracks_page(talks: list[Talk]) -> str:
    out = [heading("Tracks", "=")]
    for track in TRACKS:
        out.append(heading(f"Track {track}", "-"))
        for day in DAYS:
            for t in schedule_order(talks, day):
                if t.track == track:
                    out.append(f"* {DAY_TITLES[day]} {t.start or ''}: :doc:`/{t.docname}`")
        out.append("")
    return "\n".join(out) + "\n"


NOSIDEBAR_LAYOUT = """\
{% extends "!layout.html" %}
{% block navigation %}{% endblock %}
"""


def generate(
    outdir: Path,
    n: int,
    flavour: str,
    seed: int = 2013,
    navcache: bool = False,
    nosidebar: bool = False,
) -> None:
    """Write the site; ``navcache`` adds ``conference.navcache`` to plain."""
    talks = make_talks(n, seed)
    if outdir.exists():
        shutil.rmtree(outdir)
    for day in DAYS:
        (outdir / day).mkdir(parents=True)
    if flavour == "extension":
        conf = CONF.format(ext=str(EXT_DIR), n=n, extensions=["conference"])
        conf += EXT_CONF.format(days=DAYS)
        (outdir / "index.rst").write_text(
            heading("Synthetic Conference", "=") + "\n.. schedule::\n", encoding="utf-8"
        )
        for day in DAYS:
            (outdir / day / "index.rst").write_text(
                heading(DAY_TITLES[day], "=") + "\n.. schedule::\n", encoding="utf-8"
            )
        for t in talks:
            (outdir / f"{t.docname}.rst").write_text(talk_page_extension(t), encoding="utf-8")
    else:
        extensions = ["conference.navcache"] if navcache else []
        conf = CONF.format(ext=str(EXT_DIR), n=n, extensions=extensions)
        (outdir / "index.rst").write_text(root_page_plain(talks), encoding="utf-8")
        (outdir / "presenters.rst").write_text(presenters_page(talks), encoding="utf-8")
        (outdir / "tracks.rst").write_text(tracks_page(talks), encoding="utf-8")
        for day in DAYS:
            (outdir / day / "index.rst").write_text(day_page_plain(talks, day), encoding="utf-8")
        for t in talks:
            (outdir / f"{t.docname}.rst").write_text(talk_page_plain(t), encoding="utf-8")
    if nosidebar:
        (outdir / "_templates").mkdir()
        (outdir / "_templates" / "layout.html").write_text(NOSIDEBAR_LAYOUT, encoding="utf-8")
        conf += 'templates_path = ["_templates"]\n'
    (outdir / "conf.py").write_text(conf, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--n", type=int, default=100, help="number of talks")
    parser.add_argument("--flavour", choices=["extension", "plain"], default="extension")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument(
        "--navcache",
        action="store_true",
        help="plain flavour only: load conference.navcache (the cache alone)",
    )
    parser.add_argument(
        "--nosidebar",
        action="store_true",
        help="empty the theme's navigation block (the floor of a sidebar cache)",
    )
    args = parser.parse_args()
    generate(args.outdir, args.n, args.flavour, args.seed, args.navcache, args.nosidebar)


if __name__ == "__main__":
    main()
