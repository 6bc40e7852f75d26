#!/usr/bin/env python3
"""Old entry point of ``conference new-talk``, kept for the instructions that name it.

``python tools/new_talk.py --day friday --title "Some Talk"``, run from the
project root, does what ``conference new-talk`` does (:mod:`conference.newtalk`).
It needs the extension installed, as ``make venv`` does.
"""

from __future__ import annotations

import argparse
import sys

from conference import newtalk

if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="new_talk.py", description="Start a new talk page.")
    newtalk.add_arguments(parser)
    sys.exit(newtalk.run(parser.parse_args()))
