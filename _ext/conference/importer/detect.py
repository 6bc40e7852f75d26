"""Which format a program file is in, from its content alone (never its name).

XML whose root is ``<schedule>`` is frab XML; JSON with
``schedule.conference`` is frab JSON; JSON made of pyvideo session objects is
pyvideo. Anything else is refused with a message saying what was found.
"""

from __future__ import annotations

import json

from . import frab_json, frab_xml, pyvideo
from .program import Program, ProgramError


def read_program(data: bytes, timezone: str | None, site_timezone: str | None) -> Program:
    """Detect the format of ``data`` and read it; :class:`ProgramError` when unknown."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        root = frab_xml.parse(data)
        if not frab_xml.is_frab_xml(root):
            raise ProgramError(f"XML with root <{root.tag}> is not a frab schedule "
                               "(expected <schedule> with <conference> and <day>)")
        return frab_xml.read(root, timezone, site_timezone)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProgramError(f"neither XML nor JSON: {exc}") from None
    if frab_json.is_frab_json(document):
        return frab_json.read(document, timezone, site_timezone)
    if pyvideo.sessions_of(document) is not None:
        return pyvideo.read(document, timezone, site_timezone)
    raise ProgramError("JSON that is neither a frab schedule (schedule.conference) "
                       "nor pyvideo sessions (title, speakers, recorded)")
