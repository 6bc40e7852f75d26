"""Which id each talk gets: unique, stable, and never another object's.

A talk asks for an id: ``make_id`` of its ``:name:``, else of its title
(:attr:`Talk.id <conference.model.Talk.id>`). This module decides, from every
talk of the site at once and the labels that already exist, the id each one
actually gets. The rules (documented in the README):

* A title that only one talk has gives that talk its id, as before.
* Talks that share a title ("Lunch" on two days) are each given
  ``<day>-<id>`` (``thursday-lunch``), or ``<date>-<id>`` for a talk of
  another conference, and no warning: every real programme repeats titles.
  Two that are still alike (two lunches on one day) are numbered ``-2``,
  ``-3``, … in document order.
* An explicit ``:name:`` is honoured unless another talk asks for the same id.
  Then a talk that asks for it by its title keeps it (if it is the only one);
  with none, the first ``:name:`` in document order does. Every other talk
  that asked for it by ``:name:`` is warned about (``duplicate``) and given a
  derived id as above.
* An id that is already a label (``search``, ``genindex``, an explicit
  ``.. _my-label:``) is never taken over: every talk asking for it is
  warned about (``label``) and given a derived id as above.

Derived ids never equal an id some talk asks for, so adding a talk changes
only the ids of the talks that share its title. Document order is docname
order, then page order: the same for every read order and ``-j``. Nothing
here imports Sphinx.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from .model import Talk


class IdClash(NamedTuple):
    """A talk that did not get the id it asked for, and why (a warning to emit)."""

    talk: Talk  # as stored, with the id it asked for
    subtype: str  # ``duplicate`` or ``label``
    message: str


def assign_ids(
    talks: Sequence[Talk], labels: Mapping[str, str]
) -> tuple[list[Talk], list[IdClash]]:
    """The ``talks`` (in document order) with their final ids, and the clashes.

    ``labels`` maps every label that is not a talk's to the page that defines
    it. Each returned talk is the stored one, or a copy with another ``id``.
    """
    groups: dict[str, list[int]] = {}
    for index, talk in enumerate(talks):
        groups.setdefault(talk.id, []).append(index)
    final: dict[int, str] = {}
    reasons: dict[int, tuple[str, str]] = {}  # index -> (subtype, what it collides with)
    for requested, members in groups.items():
        titled = [index for index in members if not talks[index].named]
        named = [index for index in members if talks[index].named]
        if requested in labels:
            for index in members:
                reasons[index] = ("label", f"the label {requested!r} of {labels[requested]}")
            continue
        owner = titled[0] if len(titled) == 1 else named[0] if named and not titled else None
        if owner is not None:
            final[owner] = requested
        first = talks[owner if owner is not None else members[0]]
        for index in named:
            if index != owner:
                reasons[index] = ("duplicate", f"{first.title!r} in {first.docname}")
    used = set(groups) | set(labels)
    for index, talk in enumerate(talks):
        if index not in final:
            final[index] = _derived_id(talk, used)
            used.add(final[index])
    result = [talk if final[index] == talk.id else dataclasses.replace(talk, id=final[index])
              for index, talk in enumerate(talks)]
    clashes = [
        IdClash(talks[index], subtype,
                f"talk id {talks[index].id!r} is already {other}; this talk's id is "
                f"{final[index]!r}" if subtype == "label" else
                f"duplicate talk id {talks[index].id!r} (its :name:), already used by "
                f"{other}; this talk's id is {final[index]!r}")
        for index, (subtype, other) in sorted(reasons.items())
    ]
    return result, clashes


def _derived_id(talk: Talk, used: set[str]) -> str:
    """``<day>-<id>`` (or ``<date>-<id>``), numbered from 2 while it is taken."""
    prefix = talk.day or (talk.date.isoformat() if talk.date is not None else "")
    base = f"{prefix}-{talk.id}" if prefix else talk.id
    if base not in used:
        return base
    number = 2
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"
