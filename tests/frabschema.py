"""The c3voc schedule XSD, as every test that checks a ``schedule.xml`` applies it.

The c3voc schema (``schemas/frab-schedule.xml.xsd``, unchanged) has no place
for the conference's venue and city, but ConfClerk and the other pentabarf
readers take the place from ``<conference><venue>`` and ``<city>`` and from
nowhere else, so the export writes those two elements too.
:func:`validate_schedule_xml` therefore checks two things: the file minus those
two elements is valid against the unchanged schema, and the two elements are
where pentabarf put them (plain text children of ``<conference>``, at most one
each). Nothing else may deviate from the schema.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Final

from lxml import etree

XSD_PATH: Final = Path(__file__).resolve().parent / "schemas" / "frab-schedule.xml.xsd"
#: The pentabarf elements of ``<conference>`` the c3voc schema does not list.
PENTABARF_PLACE: Final = ("venue", "city")
DECLARATION: Final = b"<?xml version='1.0' encoding='utf-8'?>\n"


@cache
def c3voc_schema() -> etree.XMLSchema:
    """The unchanged c3voc schema."""
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def validate_schedule_xml(data: bytes) -> etree._Element:
    """Parse ``data``, assert it is a valid schedule as described above; the root."""
    assert data.startswith(DECLARATION)
    root = etree.fromstring(data)
    strict = copy.deepcopy(root)
    (conference,) = strict.findall("conference")
    for tag in PENTABARF_PLACE:
        found = conference.findall(tag)
        assert len(found) <= 1, f"more than one <{tag}>"
        for element in found:
            assert len(element) == 0 and element.text, f"<{tag}> is not plain text"
            conference.remove(element)
    schema = c3voc_schema()
    assert schema.validate(strict), schema.error_log
    return root
