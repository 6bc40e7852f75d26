"""Which id each talk gets (``conference.ids``), and the file it names: no Sphinx."""

from __future__ import annotations

import datetime as dt

import pytest

from conference.exporters import export_path
from conference.exporters.paths import MAX_STEM
from conference.ids import assign_ids
from conference.model import Talk

FRIDAY = dt.date(2013, 3, 15)


def talk(talk_id: str, docname: str, *, named: bool = False, day: str | None = "friday",
         date: dt.date | None = FRIDAY, lineno: int = 4) -> Talk:
    return Talk(id=talk_id, title=talk_id.title(), docname=docname, lineno=lineno,
                anchor=talk_id, named=named, day=day, date=date)


def ids(talks: list[Talk], labels: dict[str, str] | None = None) -> list[str]:
    return [assigned.id for assigned in assign_ids(talks, labels or {})[0]]


def test_a_unique_title_keeps_its_id() -> None:
    talks = [talk("keynote", "friday/keynote"), talk("lunch", "friday/lunch")]
    assert ids(talks) == ["keynote", "lunch"]
    assert assign_ids(talks, {})[1] == []


def test_shared_titles_get_day_ids_without_a_warning() -> None:
    talks = [talk("lunch", "friday/lunch"),
             talk("lunch", "saturday/lunch", day="saturday", date=FRIDAY.replace(day=16)),
             talk("lunch", "thursday/lunch", day="thursday", date=FRIDAY.replace(day=14))]
    assert ids(talks) == ["friday-lunch", "saturday-lunch", "thursday-lunch"]
    assert assign_ids(talks, {})[1] == []


def test_alike_on_one_day_are_numbered_in_document_order() -> None:
    talks = [talk("break", "friday/a", lineno=3), talk("break", "friday/a", lineno=9),
             talk("break", "friday/b")]
    assert ids(talks) == ["friday-break", "friday-break-2", "friday-break-3"]


def test_other_conferences_and_undated_talks() -> None:
    talks = [talk("intro", "pycon2012/intro", day=None, date=dt.date(2012, 3, 9)),
             talk("intro", "misc/intro", day=None, date=None),
             talk("intro", "misc/other", day=None, date=None)]
    assert ids(talks) == ["2012-03-09-intro", "intro-2", "intro-3"]


def test_a_derived_id_never_takes_an_id_a_talk_asks_for() -> None:
    talks = [talk("lunch", "friday/a"), talk("lunch", "friday/b"),
             talk("friday-lunch", "friday/c")]
    assert ids(talks) == ["friday-lunch-2", "friday-lunch-3", "friday-lunch"]


def test_a_repeated_name_warns_and_the_first_keeps_it() -> None:
    talks = [talk("shared", "saturday/named", named=True, lineno=4),
             talk("shared", "saturday/named", named=True, lineno=10)]
    assigned, clashes = assign_ids(talks, {})
    assert [each.id for each in assigned] == ["shared", "friday-shared"]
    assert [(clash.talk.lineno, clash.subtype) for clash in clashes] == [(10, "duplicate")]
    assert "'shared'" in clashes[0].message
    assert "'friday-shared'" in clashes[0].message


def test_a_name_never_takes_a_titled_talk_over() -> None:
    talks = [talk("lunch", "friday/lunch"), talk("lunch", "friday/named", named=True)]
    assigned, clashes = assign_ids(talks, {})
    assert [each.id for each in assigned] == ["lunch", "friday-lunch"]
    assert [(clash.talk.docname, clash.subtype) for clash in clashes] == [
        ("friday/named", "duplicate")]


def test_a_label_is_never_taken_over() -> None:
    talks = [talk("search", "friday/search"), talk("my-label", "friday/x", named=True)]
    assigned, clashes = assign_ids(talks, {"search": "search", "my-label": "index"})
    assert [each.id for each in assigned] == ["friday-search", "friday-my-label"]
    assert [clash.subtype for clash in clashes] == ["label", "label"]
    assert "index" in clashes[1].message


def test_ids_do_not_depend_on_anything_but_document_order() -> None:
    talks = [talk("lunch", f"{day}/lunch", day=day) for day in ("friday", "saturday")]
    assert ids(talks) == ids(list(talks))
    assert [each.id for each in assign_ids(talks[::-1], {})[0]][::-1] == ids(talks)


@pytest.mark.parametrize("length", [MAX_STEM + 1, 300, 1000])
def test_long_ids_name_bounded_unique_files(length: int) -> None:
    first, second = "a" * length, "a" * (length - 1) + "b"
    paths = {export_path("talk", first), export_path("talk", second)}
    assert len(paths) == 2
    for path in paths:
        stem = path.removeprefix("calendar/").removesuffix(".ics")
        assert len(stem.encode("utf-8")) <= MAX_STEM
    assert export_path("talk", first) == export_path("talk", first)


def test_long_non_ascii_keys_are_cut_on_a_character() -> None:
    path = export_path("day", "é" * 200)
    assert len(path.removeprefix("calendar/").encode("utf-8")) <= MAX_STEM + len(".ics")
    path.encode("utf-8")  # no half character


def test_short_ids_are_file_names_as_they_are() -> None:
    assert export_path("talk", "a" * MAX_STEM) == f"calendar/{'a' * MAX_STEM}.ics"
