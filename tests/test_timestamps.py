"""Timestamps into the recording (issue 16): the ``at`` role and WebVTT chapters.

The parsers and URL builders are tested on their own; the builds use
``roots/test-myst`` (talks in both syntaxes, videos on YouTube, Vimeo,
PeerTube and media.ccc.de, and talks without one). WebVTT files are read
back with ``webvtt-py``, an independent parser.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import webvtt
from bs4 import BeautifulSoup
from test_bad_input import warnings_of
from test_incremental import MakeApp, build, write

from conference.chapters import OPEN_END, Chapter, split_chapter_title, webvtt_chapters
from conference.model import TalkDataError
from conference.timestamps import format_timestamp, parse_timestamp, video_url_at

MIXED = Path(__file__).resolve().parent / "roots" / "test-myst"


# -- parsing ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [
    ("12:34", 754), ("0:05", 5), ("00:00", 0), ("59:59", 3599), ("1:02:03", 3723),
    ("10:00:00", 36000), (" 12:34 ", 754),
])
def test_parse_timestamp(text: str, seconds: int) -> None:
    assert parse_timestamp(text) == seconds


@pytest.mark.parametrize("text", [
    "12:75", "1:60:00", "75:00", "12", "12:3", "a:bc", "", "1:02:03:04", "-1:00",
    "١٢:٣٤", "12:34s", "1h2m",
])
def test_parse_timestamp_rejects(text: str) -> None:
    with pytest.raises(TalkDataError):
        parse_timestamp(text)


@pytest.mark.parametrize(("seconds", "text"), [(754, "12:34"), (5, "0:05"), (3723, "1:02:03")])
def test_format_timestamp_round_trips(seconds: int, text: str) -> None:
    assert format_timestamp(seconds) == text
    assert parse_timestamp(text) == seconds


# -- the right second for each host -------------------------------------------------


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_youtube_takes_t_in_the_query() -> None:
    url = video_url_at("https://www.youtube.com/watch?v=E708csv4XgY", 754)
    assert urlsplit(url).netloc == "www.youtube.com"
    assert query(url) == {"v": ["E708csv4XgY"], "t": ["754s"]}
    short = video_url_at("https://youtu.be/E708csv4XgY", 754)
    assert urlsplit(short).path == "/E708csv4XgY"
    assert query(short) == {"t": ["754s"]}
    # A time already in the link is replaced, not doubled.
    again = video_url_at("https://www.youtube.com/watch?v=x&t=10s", 3723)
    assert query(again) == {"v": ["x"], "t": ["3723s"]}


def test_vimeo_takes_a_fragment_in_seconds() -> None:
    assert video_url_at("https://vimeo.com/61234567", 754) == "https://vimeo.com/61234567#t=754s"
    assert (video_url_at("https://player.vimeo.com/video/1#t=3s", 60)
            == "https://player.vimeo.com/video/1#t=60s")


def test_media_ccc_de_takes_a_plain_fragment() -> None:
    assert (video_url_at("https://media.ccc.de/v/32c3-7399-netzpolitik", 754)
            == "https://media.ccc.de/v/32c3-7399-netzpolitik#t=754")


@pytest.mark.parametrize(("seconds", "start"), [(754, "12m34s"), (3723, "1h2m3s"),
                                                (34, "34s"), (3600, "1h0m0s")])
def test_peertube_takes_start_in_minutes_and_seconds(seconds: int, start: str) -> None:
    for page in ("https://peertube.example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
                 "https://tube.example.net/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d"):
        url = video_url_at(page, seconds)
        assert urlsplit(url).path == urlsplit(page).path
        assert query(url) == {"start": [start]}


def test_any_other_host_gets_the_w3c_media_fragment() -> None:
    assert video_url_at("https://example.org/talk.mp4", 754) == "https://example.org/talk.mp4#t=754"
    assert (video_url_at("https://example.org/v?id=3#old", 5)
            == "https://example.org/v?id=3#t=5")


# -- chapters, pure --------------------------------------------------------------------


@pytest.mark.parametrize(("title", "split"), [
    ("12:34 The benchmark", (754, "The benchmark")),
    ("1:02:03 — Questions", (3723, "Questions")),
    ("0:00: Welcome", (0, "Welcome")),
    ("5:00", (300, "5:00")),
    ("Introduction", None),
    ("2013: A Year", None),
    ("10:00am coffee", None),
])
def test_split_chapter_title(title: str, split: tuple[int, str] | None) -> None:
    assert split_chapter_title(title) == split


def test_a_chapter_title_with_a_broken_time_raises() -> None:
    with pytest.raises(TalkDataError):
        split_chapter_title("12:75 Broken")


def cues(text: str) -> list[tuple[str, int, int, str]]:
    """``(identifier, start, end, text)`` of each cue, read by webvtt-py."""
    return [(cue.identifier, cue.start_in_seconds, cue.end_in_seconds, html.unescape(cue.text))
            for cue in webvtt.from_string(text).captions]


def test_webvtt_cues_end_where_the_next_begins_and_at_the_duration() -> None:
    chapters = [Chapter(0, "Welcome", "welcome"), Chapter(754, "Q&A <live> -->", "qa")]
    assert cues(webvtt_chapters(chapters, 1800)) == [
        ("welcome", 0, 754, "Welcome"), ("qa", 754, 1800, "Q&A <live> -->")]
    assert "-->" not in webvtt_chapters(chapters, 1800).splitlines()[-1]
    # Without a known length (or a slot shorter than the chapters) the last
    # cue stays open to the end of the recording.
    assert cues(webvtt_chapters(chapters, None))[-1][2] == OPEN_END
    assert cues(webvtt_chapters(chapters, 600))[-1][2] == OPEN_END


# -- in a build ------------------------------------------------------------------------


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "src"
    shutil.copytree(MIXED, path)
    return path


def moments(outdir: Path, page: str) -> list[tuple[str, str | None]]:
    soup = BeautifulSoup((outdir / page).read_text("utf-8"), "html.parser")
    return [(node.get_text(), node.get("href"))
            for node in soup.select("div[itemprop=articleBody] .conference-at")]


def test_at_links_to_the_right_second_of_each_host(make_app: MakeApp, tmp_path: Path,
                                                   src: Path) -> None:
    app = build(make_app, src, tmp_path / "build")
    assert app.warning.getvalue() == ""
    outdir = Path(app.outdir)
    assert moments(outdir, "thursday/keynote.html") == [
        ("12:34", "https://www.youtube.com/watch?v=keynote123&t=754s"),
        ("1:02:03", "https://www.youtube.com/watch?v=keynote123&t=3723s"),
    ]
    assert moments(outdir, "friday/async.html") == [
        ("21:30", "https://vimeo.com/61234567#t=1290s")]
    assert moments(outdir, "friday/web.html") == [
        ("33:20", "https://media.ccc.de/v/pycon2013-web-scale#t=2000")]
    # On a page of two talks, each moment goes to its own talk: the second
    # talk has no video, so its moment is text.
    assert moments(outdir, "friday/lightning.html") == [
        ("2:10", "https://peertube.example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d"
                 "?start=2m10s"),
        ("1:00", None),
    ]
    assert moments(outdir, "thursday/packaging.html") == [("5:00", None)]


def test_chapters_are_webvtt_files_linked_from_the_talk(make_app: MakeApp, tmp_path: Path,
                                                        src: Path) -> None:
    app = build(make_app, src, tmp_path / "build")
    outdir = Path(app.outdir)
    assert sorted(path.name for path in (outdir / "chapters").iterdir()) == [
        "async-io-in-practice.vtt", "opening-keynote.vtt"]
    keynote = (outdir / "chapters/opening-keynote.vtt").read_text("utf-8")
    # 09:00-09:45: the last chapter ends at 45 minutes.
    assert cues(keynote) == [
        ("welcome", 0, 754, "Welcome"),
        ("the-benchmark", 754, 1800, "The benchmark"),
        ("questions-answers", 1800, 2700, "Questions & answers"),
    ]
    assert cues((outdir / "chapters/async-io-in-practice.vtt").read_text("utf-8")) == [
        ("why-async", 60, 1200, "Why async"), ("demo", 1200, 1800, "Demo")]
    # Each cue's identifier is the id of its section on the talk's page.
    page = BeautifulSoup((outdir / "thursday/keynote.html").read_text("utf-8"), "html.parser")
    for identifier, *_ in cues(keynote):
        assert page.find("section", id=identifier) is not None
    link = page.find("a", string="WebVTT")
    assert link is not None
    target = urljoin("thursday/keynote.html", link["href"])
    assert (outdir / target).read_text("utf-8") == keynote
    # A talk without chapters has no link.
    web = BeautifulSoup((outdir / "friday/web.html").read_text("utf-8"), "html.parser")
    assert web.find("a", string="WebVTT") is None


def test_text_builder_spells_out_each_video_once_per_page(make_app: MakeApp, tmp_path: Path,
                                                          src: Path) -> None:
    app = build(make_app, src, tmp_path / "build", "text")
    assert app.warning.getvalue() == ""
    outdir = Path(app.outdir)
    keynote = (outdir / "thursday/keynote.txt").read_text("utf-8")
    video = "https://www.youtube.com/watch?v=keynote123"
    notes = keynote[keynote.index("At 12:34"):]
    assert " ".join(notes.split()).startswith(
        f"At 12:34 ({video}) she shows the benchmark; the questions start at 1:02:03.")
    assert "t=754s" not in keynote
    assert notes.count(video) == 1
    lightning = (outdir / "friday/lightning.txt").read_text("utf-8")
    assert "The demo at 2:10 (https://peertube.example.org/w/" in " ".join(lightning.split())
    # An e-book and a PDF get no chapter files; the text output none either.
    assert not (outdir / "chapters").exists()


def test_latex_shows_the_time_and_the_url_once(make_app: MakeApp, tmp_path: Path,
                                               src: Path) -> None:
    app = build(make_app, src, tmp_path / "build", "latex")
    tex = next(Path(app.outdir).glob("*.tex")).read_text("utf-8")
    video = r"(\sphinxurl{https://www.youtube.com/watch?v=keynote123})"
    assert rf"At \DUrole{{conference-at}}{{12:34}} {video} she shows" in tex
    assert tex.count(video) == 1
    assert "t=754s" not in tex and "WebVTT" not in tex


def test_epub_has_no_chapter_files(make_app: MakeApp, tmp_path: Path, src: Path) -> None:
    app = build(make_app, src, tmp_path / "build", "epub")
    assert not (Path(app.outdir) / "chapters").exists()


def test_misplaced_moments_and_chapters_are_located_warnings(make_app: MakeApp,
                                                             tmp_path: Path,
                                                             src: Path) -> None:
    write(src / "about.md", "\n# About\n\nThe keynote at {at}`3:00`.\n\n## 4:00 Not a chapter\n")
    write(src / "friday/async.md", (src / "friday/async.md").read_text("utf-8").replace(
        "## 20:00 Demo", "## 40:00 Demo"))
    (src / "index.rst").write_text((src / "index.rst").read_text("utf-8")
                                   + "   about\n", encoding="utf-8")
    app = build(make_app, src, tmp_path / "build")
    found = {(w.file, w.line, w.type, w.message.split(";")[0]) for w in warnings_of(app)}
    assert found == {
        ("about.md", 4, "conference.timestamp", ":at: is only meaningful on a talk's page"),
        ("about.md", 6, "conference.timestamp",
         "a chapter (a section titled with a time) is only meaningful on a talk's page"),
        ("friday/async.md", 18, "conference.timestamp",
         "chapter at 40:00 starts after the talk's 30:00"),
    }
    outdir = Path(app.outdir)
    assert moments(outdir, "about.html") == [("3:00", None)]
    assert cues((outdir / "chapters/async-io-in-practice.vtt").read_text("utf-8")) == [
        ("why-async", 60, 1800, "Why async")]


def test_a_talk_titled_with_a_time_is_not_its_own_chapter(make_app: MakeApp, tmp_path: Path,
                                                          src: Path) -> None:
    write(src / "saturday/coffee.md", "\n# 10:50 Coffee\n\n```{talk}\n:presenter: Cy Cup\n"
          ":time: 10:50-11:00\n:video: https://youtu.be/cup\n```\n\n## 1:00 Beans\n")
    app = build(make_app, src, tmp_path / "build")
    assert app.warning.getvalue() == ""
    vtt = (Path(app.outdir) / "chapters/coffee.vtt").read_text("utf-8")
    assert cues(vtt) == [("beans", 60, 600, "Beans")]


def test_each_moment_and_chapter_belongs_to_the_nearest_talk_above(
        make_app: MakeApp, tmp_path: Path, src: Path) -> None:
    write(src / "saturday/pair.rst", """\
Pair of Talks
=============

Before any talk, :at:`0:01` belongs to the first.

.. talk:: First Half
   :presenter: Al One
   :time: 10:00-10:20
   :video: https://youtu.be/first

   Its description points at :at:`0:02`.

.. talk:: Second Half
   :presenter: Bo Two
   :time: 10:20-10:40
   :video: https://vimeo.com/2

   And this one at :at:`0:03`.

1:00 Opening of the second
--------------------------

After both, :at:`0:04` belongs to the second.
""")
    app = build(make_app, src, tmp_path / "build")
    assert app.warning.getvalue() == ""
    outdir = Path(app.outdir)
    assert moments(outdir, "saturday/pair.html") == [
        ("0:01", "https://youtu.be/first?t=1s"),
        ("0:02", "https://youtu.be/first?t=2s"),
        ("0:03", "https://vimeo.com/2#t=3s"),
        ("0:04", "https://vimeo.com/2#t=4s"),
    ]
    assert not (outdir / "chapters/first-half.vtt").exists()
    assert cues((outdir / "chapters/second-half.vtt").read_text("utf-8")) == [
        ("opening-of-the-second", 60, 1200, "Opening of the second")]
    page = BeautifulSoup((outdir / "saturday/pair.html").read_text("utf-8"), "html.parser")
    [link] = page.find_all("a", string="WebVTT")
    assert link["href"] == "../chapters/second-half.vtt"
    assert link.find_parent(class_="conference-talk").find(
        class_="conference-talk-title").get_text() == "Second Half"
