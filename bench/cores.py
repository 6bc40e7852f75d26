"""How many cores a command keeps busy, over its run: where a ``-j 2`` build waits on one.

Samples the machine's CPU counters (``/proc/stat``) every quarter second
while the command runs and prints one character per sample: `` `` idle,
``.`` half a core, ``:`` one core, ``+`` one and a half, ``#`` two. The
counters are the whole machine's, so run it when nothing else is. Linux only.

Usage::

    python bench/cores.py python -m sphinx -b html -q -j 2 SITE OUT
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

#: Seconds between samples.
STEP = 0.25
#: Busy cores, in halves, to the character shown.
SHADES = " .:+#"


def busy_and_total() -> tuple[int, int]:
    """The machine's busy and total CPU time so far, in clock ticks."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def main(command: list[str]) -> int:
    cores = len([line for line in Path("/proc/stat").read_text().splitlines()
                 if line.startswith("cpu") and line[3:4].isdigit()])
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    samples: list[float] = []
    before = busy_and_total()
    while process.poll() is None:
        time.sleep(STEP)
        now = busy_and_total()
        total = now[1] - before[1]
        samples.append(cores * (now[0] - before[0]) / total if total else 0.0)
        before = now
    wall = time.perf_counter() - start
    line = "".join(SHADES[min(len(SHADES) - 1, round(busy * 2))] for busy in samples)
    print(f"{wall:.1f} s, {STEP} s per character: "
          "' ' idle, '.' half a core, ':' one, '+' one and a half, '#' two")
    width = 100
    for first in range(0, len(line), width):
        print(f"{first * STEP:6.1f} s |{line[first:first + width]}|")
    idle = sum(max(0.0, cores - busy) * STEP for busy in samples)
    print(f"core-seconds idle: {idle:.1f} of {cores * wall:.1f}")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
