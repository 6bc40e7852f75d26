"""The pure parsers of ``conference.model``, without Sphinx.

Example-based tests pin the documented syntax; property-based tests
(hypothesis) check that arbitrary text never raises anything but
``TalkDataError`` and that every valid value survives a round trip.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import string

import pytest
from docutils.nodes import make_id
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conference.model import (
    MAX_DURATION,
    Presenter,
    TalkDataError,
    TimeSlot,
    format_presenters,
    one_line,
    parse_conference_days,
    parse_date,
    parse_presenters,
    parse_time,
    parse_timezone,
    parse_url,
    salvage_presenters,
    stable_id,
    strip_controls,
)

# -- presenters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rick Branson", (Presenter("Rick Branson"),)),
        (
            "Graham Dumpleton (New Relic), Dana Bauer, Idan Gazit",
            (
                Presenter("Graham Dumpleton", "New Relic"),
                Presenter("Dana Bauer"),
                Presenter("Idan Gazit"),
            ),
        ),
        (
            "  Ada   Lovelace  (Analytical   Engines)  ",
            (Presenter("Ada Lovelace", "Analytical Engines"),),
        ),
        ("Ada (Analytical Engines, Ltd)", (Presenter("Ada", "Analytical Engines, Ltd"),)),
        ("Ada(ACME)", (Presenter("Ada", "ACME"),)),
        ("Ada (), Bob", (Presenter("Ada"), Presenter("Bob"))),
        ("Ada,, Bob,", (Presenter("Ada"), Presenter("Bob"))),
        ("Łukasz Langa (Facebook)", (Presenter("Łukasz Langa", "Facebook"),)),
        ("Ada\n   Lovelace", (Presenter("Ada Lovelace"),)),
    ],
)
def test_parse_presenters(text: str, expected: tuple[Presenter, ...]) -> None:
    assert parse_presenters(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (",,,", "empty"),
        ("Ada (Lovelace", "unclosed"),
        ("Ada Lovelace)", "unbalanced"),
        ("Ada ((Lovelace))", "nested"),
        ("(ACME)", "without a name"),
        ("Ada (ACME) Ltd", "cannot read"),
        ("<script>alert(1)</script>", "cannot read"),
    ],
)
def test_parse_presenters_rejects(text: str, reason: str) -> None:
    with pytest.raises(TalkDataError, match=re.escape(reason)):
        parse_presenters(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ada (Lovelace", (Presenter("Ada (Lovelace"),)),
        (",,,", ()),
        ("", ()),
        ("<script>alert(1)</script>", (Presenter("<script>alert(1)</script>"),)),
        (
            "<script>alert(1)</script>, Eve (<b>Corp</b>)",
            (Presenter("<script>alert(1)</script>"), Presenter("Eve", "<b>Corp</b>")),
        ),
        ("Ada (ACME, Bob", (Presenter("Ada (ACME"), Presenter("Bob"))),
        ("Grace Hopper (Navy)", (Presenter("Grace Hopper", "Navy"),)),
    ],
)
def test_salvage_presenters_keeps_what_was_typed(
    text: str, expected: tuple[Presenter, ...]
) -> None:
    assert salvage_presenters(text) == expected


def test_presenter_text_and_sort_key() -> None:
    person = Presenter("Guido van Rossum", "Dropbox")
    assert str(person) == "Guido van Rossum (Dropbox)"
    assert str(Presenter("Guido")) == "Guido"
    people = [person, Presenter("Ana Zed"), Presenter("Zoe Ant"), Presenter("Ala Łabędzka")]
    ordered = sorted(people, key=lambda presenter: presenter.sort_key)
    assert [presenter.name for presenter in ordered] == [
        "Zoe Ant", "Ala Łabędzka", "Guido van Rossum", "Ana Zed",
    ]
    assert person.id == "presenter-guido-van-rossum"


# -- times ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("10:50", dt.time(10, 50), None),
        ("9:05", dt.time(9, 5), None),
        ("10:50-11:20", dt.time(10, 50), dt.time(11, 20)),
        (" 10:50 - 11:20 ", dt.time(10, 50), dt.time(11, 20)),
        ("23:30-00:30", dt.time(23, 30), dt.time(0, 30)),
        ("12:00-23:59", dt.time(12, 0), dt.time(23, 59)),
    ],
)
def test_parse_time(text: str, start: dt.time, end: dt.time | None) -> None:
    assert parse_time(text) == TimeSlot(start, end)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "25:99",
        "24:00",
        "12:60",
        "11:00-10:00",  # 23 hours, not an hour backwards
        "10:00-10:00",
        "00:00-23:59",
        "10:00-",
        "-10:00",
        "10:00-11:00-12:00",
        "10h50",
        "1050",
        "10:5",
        "123:45",
        "10:50–11:20",  # an en dash is not the syntax
        "\u0661\u0660:\u0665\u0660",  # Arabic-Indic digits
        "\uff11\uff10:\uff15\uff10",  # fullwidth digits
    ],
)
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(TalkDataError):
        parse_time(text)


@pytest.mark.parametrize(
    ("slot", "duration"),
    [
        (TimeSlot(dt.time(10, 50)), None),
        (TimeSlot(dt.time(10, 50), dt.time(11, 20)), dt.timedelta(minutes=30)),
        (TimeSlot(dt.time(23, 30), dt.time(0, 30)), dt.timedelta(hours=1)),
        (TimeSlot(dt.time(23, 59), dt.time(0, 0)), dt.timedelta(minutes=1)),
        (TimeSlot(dt.time(11, 0), dt.time(10, 0)), dt.timedelta(hours=23)),
        (TimeSlot(dt.time(10, 0), dt.time(10, 0)), dt.timedelta(0)),
    ],
)
def test_timeslot_duration(slot: TimeSlot, duration: dt.timedelta | None) -> None:
    assert slot.duration == duration


def test_twelve_hours_is_the_limit_across_midnight() -> None:
    assert parse_time("20:00-08:00").duration == MAX_DURATION
    assert parse_time("08:00-20:00").duration == MAX_DURATION
    with pytest.raises(TalkDataError, match="ends before it starts"):
        parse_time("20:00-08:01")


# -- dates, urls, configuration ---------------------------------------------------


def test_parse_date() -> None:
    assert parse_date("2013-03-15") == dt.date(2013, 3, 15)
    assert parse_date(" 2012-03-09\n") == dt.date(2012, 3, 9)


@pytest.mark.parametrize(
    "text",
    ["", "2013-02-30", "2013-13-01", "0000-01-01", "15/03/2013", "2013-3-15", "20130315",
     "2013-03-15T10:00", "2013-W11-5", "\uff12\uff10\uff11\uff13-03-15", "March 15, 2013"],
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(TalkDataError):
        parse_date(text)


@pytest.mark.parametrize(
    "url",
    ["https://us.pycon.org/2013/schedule/presentation/106/", "http://example.org",
     "https://example.org/X?Y=1#Z", "https://example.org/path?"],
)
def test_parse_url_accepts_http(url: str) -> None:
    assert parse_url(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("HTTPS://EXAMPLE.ORG/x?y=1#z", "https://example.org/x?y=1#z"),
        ("Http://Example.Org", "http://example.org"),
        ("https://User:Secret@Example.ORG:8443/A/B", "https://User:Secret@example.org:8443/A/B"),
    ],
)
def test_parse_url_lowers_scheme_and_host_only(url: str, normalised: str) -> None:
    assert parse_url(url) == normalised


def test_one_line_folds_whitespace_and_drops_controls() -> None:
    every_c0 = "".join(chr(code) for code in range(32)) + "\x7f"
    assert one_line(f"Multi\n   Line{every_c0}Title ") == "Multi Line Title"
    assert strip_controls(f"a{every_c0}b") == "a\t\n\rb"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "ftp://files.example.org/slides.pdf",
        "mailto:someone@example.org",
        "../index.html",
        "slides.pdf",
        "//evil.example.org/video",
        "http:///no-host",
        "https://exa mple.org/",
        "https://example.org/\x00",
        "http://[::1",
        "",
    ],
)
def test_parse_url_rejects(url: str) -> None:
    with pytest.raises(TalkDataError):
        parse_url(url)


def test_parse_timezone() -> None:
    assert parse_timezone("America/Los_Angeles") == "America/Los_Angeles"
    assert parse_timezone("UTC") == "UTC"


@pytest.mark.parametrize(
    "name",
    ["", "Mars/Olympus_Mons", "America", "America/", "../etc/passwd", "/etc/passwd",
     "x" * 5000, "a\x00b", None, 5, ["UTC"]],
)
def test_parse_timezone_rejects(name: object) -> None:
    with pytest.raises(TalkDataError, match="conference_timezone"):
        parse_timezone(name)


def test_parse_conference_days_orders_by_date() -> None:
    days = parse_conference_days({"sunday": "2013-03-17", "friday": dt.date(2013, 3, 15)})
    assert list(days) == ["friday", "sunday"]
    assert days == {"friday": dt.date(2013, 3, 15), "sunday": dt.date(2013, 3, 17)}


@pytest.mark.parametrize(
    "days",
    [
        ["friday"],
        "2013-03-15",
        None,
        {"friday": "2013-02-30"},
        {"friday": "15/03/2013"},
        {"friday": 20130315},
        {"friday": dt.datetime(2013, 3, 15, 9, 0)},
        {"friday": "2013-03-15", "saturday": dt.datetime(2013, 3, 16)},
        {"friday": "2013-03-15", "also-friday": "2013-03-15"},
        {"": "2013-03-15"},
        {"..": "2013-03-15"},
        {"a/b": "2013-03-15"},
        {"a\\b": "2013-03-15"},
        {"friday ": "2013-03-15"},
        {5: "2013-03-15"},
    ],
)
def test_parse_conference_days_rejects(days: object) -> None:
    with pytest.raises(TalkDataError):
        parse_conference_days(days)


# -- ids --------------------------------------------------------------------------


def test_stable_id() -> None:
    assert stable_id("Messaging at Scale at Instagram") == "messaging-at-scale-at-instagram"
    assert stable_id("Łukasz") == "lukasz"
    # Nothing transliterable, or a reserved word: a digest keeps ids distinct.
    first, second = stable_id("データ"), stable_id("パイソン")
    assert first != second
    assert first == stable_id("データ")
    assert re.fullmatch(r"id-[0-9a-f]{10}", first)
    assert re.fullmatch(r"talk-[0-9a-f]{10}", stable_id("Talk"))
    assert stable_id("") == stable_id("")


# -- properties -------------------------------------------------------------------

# Text that goes near the syntax: digits, separators, parentheses, commas,
# whitespace of every kind, and the odd letter from other scripts.
syntax_text = st.text(
    alphabet=st.sampled_from(
        "0123456789:-–,()[] \t\n\u00a0\u2028abz\u00c5\u0661\u0662<>&\"'/;.\x00\x1c"
    ),
    max_size=30,
)
any_text = st.one_of(st.text(max_size=60), syntax_text)

name_chars = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="(),"
)
names = st.text(name_chars, min_size=1, max_size=20).filter(lambda text: text.strip() != "")
affiliations = st.one_of(
    st.just(""),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="()"),
            max_size=20),
)


@settings(max_examples=300)
@given(any_text)
@example("Ada (Lovelace")
@example("<script>alert(1)</script>")
@example(",,,")
def test_parse_presenters_raises_only_its_own_error(text: str) -> None:
    try:
        people = parse_presenters(text)
    except TalkDataError:
        return
    assert people
    assert all(person.name and person.name == person.name.strip() for person in people)


@settings(max_examples=300)
@given(any_text)
def test_salvage_presenters_never_raises(text: str) -> None:
    people = salvage_presenters(text)
    assert all(person.name.strip() for person in people)
    with contextlib.suppress(TalkDataError):
        assert people == parse_presenters(text)


@settings(max_examples=300)
@given(st.lists(st.tuples(names, affiliations), min_size=1, max_size=4))
def test_presenters_round_trip(people: list[tuple[str, str]]) -> None:
    text = ", ".join(f"{name} ({affiliation})" if affiliation else name
                     for name, affiliation in people)
    parsed = parse_presenters(text)
    assert len(parsed) == len(people)
    assert parse_presenters(format_presenters(parsed)) == parsed
    assert [person.name for person in parsed] == [" ".join(name.split()) for name, _ in people]


@settings(max_examples=300)
@given(any_text)
@example("25:99")
@example("11:00-10:00")
def test_parse_time_raises_only_its_own_error(text: str) -> None:
    try:
        slot = parse_time(text)
    except TalkDataError:
        return
    assert slot.duration is None or dt.timedelta(0) < slot.duration <= MAX_DURATION


@st.composite
def time_texts(draw: st.DrawFn) -> tuple[str, str]:
    """A valid ``:time:`` written loosely, and its normalized form."""
    start = draw(st.times())
    end = draw(st.one_of(st.none(), st.times()))
    pad = st.sampled_from(["", " ", "  "])

    def loose(value: dt.time) -> str:
        hour = f"{value.hour}" if draw(st.booleans()) else f"{value.hour:02d}"
        return f"{hour}:{value.minute:02d}"

    text = draw(pad) + loose(start)
    normal = f"{start:%H:%M}"
    if end is not None:
        text += draw(pad) + "-" + draw(pad) + loose(end)
        normal += f"-{end:%H:%M}"
    return text + draw(pad), normal


@settings(max_examples=300)
@given(time_texts())
def test_parse_time_round_trips(case: tuple[str, str]) -> None:
    text, normal = case
    try:
        slot = parse_time(text)
    except TalkDataError:
        # Only an empty or longer-than-12-hours range may be refused.
        start, _, end = normal.partition("-")
        length = TimeSlot(dt.time.fromisoformat(start), dt.time.fromisoformat(end)).duration
        assert end and (not length or length > MAX_DURATION)
        return
    assert str(slot) == normal
    assert parse_time(str(slot)) == slot


@settings(max_examples=300)
@given(any_text)
@example("2013-02-30")
@example("0000-00-00")
def test_parse_date_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(TalkDataError):
        parse_date(text)


@given(st.dates())
def test_parse_date_round_trips(date: dt.date) -> None:
    assert parse_date(date.isoformat()) == date


@settings(max_examples=200)
@given(any_text)
def test_parse_url_raises_only_its_own_error(text: str) -> None:
    try:
        url = parse_url(text)
    except TalkDataError:
        return
    assert url.lower().startswith(("http://", "https://"))


@settings(max_examples=100)
@given(st.one_of(st.text(string.ascii_letters + "/_+-.", max_size=30), any_text))
def test_parse_timezone_raises_only_its_own_error(name: str) -> None:
    with contextlib.suppress(TalkDataError):
        assert parse_timezone(name) == name


config_values = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=12), st.dates(), st.datetimes()),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


@settings(max_examples=200)
@given(st.one_of(config_values,
                 st.dictionaries(st.text(max_size=8), st.one_of(st.dates(), st.datetimes(),
                                                                st.text(max_size=12)),
                                 max_size=4)))
def test_parse_conference_days_raises_only_its_own_error(days: object) -> None:
    try:
        parsed = parse_conference_days(days)
    except TalkDataError:
        return
    assert list(parsed.values()) == sorted(parsed.values())


@given(st.text(max_size=40))
def test_stable_id_is_a_stable_html_id(text: str) -> None:
    ident = stable_id(text)
    assert ident == stable_id(text)
    assert re.fullmatch(r"[a-z][a-z0-9-]*", ident)
    if make_id(text) not in {"", "talk", "presenter"}:
        assert ident == make_id(text)
