"""Benchmark clean and incremental builds of generated conferences.

Every build is a fresh ``python -m sphinx -b html`` subprocess, run through a
small wrapper process (``run.py _measure``) that reports the wall time and the
peak RSS of its children (``resource.getrusage(RUSAGE_CHILDREN)``: under
``-j 2`` that is the largest single process, not the sum). Runs of different
flavours are interleaved and medians reported, because other work on the
machine makes single timings noisy. Nothing here asserts on a timing.

Examples::

    python bench/run.py --n 100 300 --runs 3          # clean builds, 3 flavours
    python bench/run.py --n 1000 --runs 1
    python bench/run.py --n 1000 --flavours floor ext --base floor   # the floor
    python bench/run.py --n 300 --parallel            # -j 2 against -j 1
    python bench/run.py --n 300 --incremental         # edits, then rebuilds
    python bench/run.py --n 1000 --incremental --check --seed 7 --day saturday  # held out
    python bench/run.py --n 300 --profile             # where the time goes

Flavours: ``plain`` (no extension, hand-written toctrees and tables),
``ext`` (the conference extension, navigation cache on), ``ext-nocache``
(``-D conference_nav_cache=0``) and, on request, ``plain-cache`` (the plain
site with only ``conference.navcache`` loaded).
"""

from __future__ import annotations

import argparse
import json
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

FLAVOURS = {
    # name: (generator flavour, plain site loads conference.navcache, no sidebar, -D options)
    "plain": ("plain", False, False, []),
    "plain-cache": ("plain", True, False, []),
    "floor": ("plain", False, True, []),
    "ext": ("extension", False, False, []),
    "ext-nocache": ("extension", False, False, ["-D", "conference_nav_cache=0"]),
}


def measure_main(argv: list[str]) -> None:
    """``run.py _measure CMD...``: run CMD, print JSON wall time and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    json.dump(
        {
            "wall": wall,
            "rss_mb": rss_kb / 1024,
            "rc": proc.returncode,
            "stdout": proc.stdout,
            "stderr": proc.stderr,
        },
        sys.stdout,
    )


def sphinx_build(
    src: Path, out: Path, *options: str, quiet: bool = True, check: bool = True
) -> dict:
    """Build *src* into *out* (doctrees in out/.doctrees) in a measured subprocess."""
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", *(["-q"] if quiet else []), *options]
    cmd += ["-d", str(out / ".doctrees"), str(src), str(out)]
    wrapper = [sys.executable, str(Path(__file__).resolve()), "_measure", *cmd]
    result = json.loads(subprocess.run(wrapper, capture_output=True, text=True, check=True).stdout)
    if check and result["rc"]:
        sys.exit(f"build failed: {' '.join(cmd)}\n{result['stderr'][-3000:]}")
    warnings = [line for line in result["stderr"].splitlines() if "WARNING" in line]
    result["warnings"] = len(warnings)
    return result


#: The generator's default seed (``--seed``): another seed is another
#: conference of the same shape, for a held-out check.
SEED = 2013


def make_sources(work: Path, n: int, flavours: list[str], seed: int) -> dict[str, Path]:
    """Generate each flavour's sources once; builds never write into them."""
    sources: dict[str, Path] = {}
    for name in flavours:
        kind, navcache, nosidebar, _ = FLAVOURS[name]
        key = kind + ("-navcache" if navcache else "") + ("-nosidebar" if nosidebar else "")
        src = work / f"src-{key}-{n}-seed{seed}"
        if not src.exists():
            generate.generate(src, n, kind, seed, navcache=navcache, nosidebar=nosidebar)
        sources[name] = src
    return sources


def fmt_row(cells: list[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def clean_builds(
    work: Path, ns: list[int], runs: int, flavours: list[str], jobs: list[str], base: str,
    seed: int,
) -> None:
    """Interleaved clean builds; a table of medians, and ratios to ``base`` run by run.

    The ratio column is the median over runs of (this build / the base build
    of the same round), so a slow minute on the shared machine weighs on both
    sides of a ratio. The base is ``base`` at the first ``-j`` given.
    """
    rows = []
    for n in ns:
        sources = make_sources(work, n, flavours, seed)
        variants = [(f, j) for f in flavours for j in jobs]
        results: dict[tuple[str, str], list[dict]] = {v: [] for v in variants}
        for run in range(runs):
            # rotate the order so no flavour always runs first (or last)
            order = variants[run % len(variants) :] + variants[: run % len(variants)]
            for flavour, job in order:
                out = work / f"out-{flavour}-{n}-j{job}-{run}"
                shutil.rmtree(out, ignore_errors=True)  # a clean build, even after a crash
                opts = [*FLAVOURS[flavour][3], "-j", job]
                r = sphinx_build(sources[flavour], out, *opts)
                results[(flavour, job)].append(r)
                print(
                    f"  N={n} run {run + 1}/{runs} {flavour} -j {job}: "
                    f"{r['wall']:.1f} s, {r['rss_mb']:.0f} MB, {r['warnings']} warnings",
                    flush=True,
                )
                shutil.rmtree(out)
        base_runs = results.get((base, jobs[0]))
        for flavour, job in variants:
            rs = results[(flavour, job)]
            t = statistics.median(r["wall"] for r in rs)
            m = statistics.median(r["rss_mb"] for r in rs)
            spread = f"{min(r['wall'] for r in rs):.1f}–{max(r['wall'] for r in rs):.1f}"
            if base_runs:
                paired = list(zip(rs, base_runs, strict=True))
                ratio = statistics.median(r["wall"] / b["wall"] for r, b in paired)
                pairs = ", ".join(f"{r['wall'] / b['wall']:.2f}" for r, b in paired)
                mem = statistics.median(r["rss_mb"] / b["rss_mb"] for r, b in paired)
                ratio_cell, mem_cell = f"{ratio:.2f}x ({pairs})", f"{mem:.2f}x"
            else:
                ratio_cell = mem_cell = "–"
            rows.append([n, flavour, job, len(rs), f"{t:.1f}", spread, ratio_cell, f"{m:.0f}",
                         mem_cell])
    print()
    print(
        fmt_row(
            [
                "N",
                "flavour",
                "-j",
                "runs",
                "time (s, median)",
                "range",
                f"time/{base} -j {jobs[0]} (per run)",
                "peak RSS (MB)",
                f"RSS/{base}",
            ]
        )
    )
    print(fmt_row(["---"] * 9))
    for row in rows:
        print(fmt_row(row))


ALWAYS_WRITTEN = {"genindex.html", "search.html"}


def output_mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.html")}


def log_docs(stdout: str, phase: str) -> set[str]:
    """Docnames from Sphinx's non-quiet ``reading sources``/``writing output`` lines."""
    return set(re.findall(rf"^{phase}\.\.\. \[\s*\d+%\] (\S+)$", stdout, re.M))


def incremental(work: Path, n: int, check: bool, day: str, seed: int) -> None:
    """Clean build of the extension site, then three edits (on ``day``) and rebuilds."""
    src = work / f"src-incremental-{n}-seed{seed}"
    generate.generate(src, n, "extension", seed)
    out = work / f"out-incremental-{n}"
    clean = sphinx_build(src, out)
    print(f"  clean build: {clean['wall']:.1f} s")
    talks = generate.make_talks(n, seed)
    talk = next(t for t in generate.schedule_order(talks, day)[5:] if t.start)
    page = src / f"{talk.docname}.rst"

    def notes_edit() -> None:
        with page.open("a", encoding="utf-8") as f:
            f.write("\nOne more paragraph of notes, added by the benchmark.\n")

    def time_edit() -> None:
        # from the middle of Thursday to the very first slot of it
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(f":time: {talk.time}", ":time: 07:00-07:30"), "utf-8")

    rows = []
    rewritten_by: dict[str, set[str]] = {}
    times: dict[str, float] = {}
    for label, change in [
        ("notes-only edit of one talk", notes_edit),
        (REORDER, time_edit),
        ("no-op rebuild", None),
    ]:
        time.sleep(1.1)  # a new mtime, whatever the filesystem's resolution
        if change:
            change()
        before = output_mtimes(out)
        r = sphinx_build(src, out, quiet=False)
        after = output_mtimes(out)
        # genindex.html and search.html are written by every build: not counted
        rewritten_by[label] = {
            k for k, v in after.items() if before.get(k) != v and k not in ALWAYS_WRITTEN
        }
        times[label] = r["wall"]
        read = log_docs(r["stdout"], "reading sources")
        written = log_docs(r["stdout"], "writing output")
        rows.append([label, f"{r['wall']:.1f}", len(read), len(written),
                     len(rewritten_by[label])])
        print(f"  {label}: {r['wall']:.1f} s, read {len(read)}, "
              f"rewrote {len(rewritten_by[label])} pages")
    print()
    print(f"Incremental builds, extension flavour, N={n}, -j 1 (clean: {clean['wall']:.1f} s)")
    print()
    print(
        fmt_row(["change", "time (s)", "docs read (log)", "docs written (log)", "pages rewritten"])
    )
    print(fmt_row(["---"] * 5))
    for row in rows:
        print(fmt_row(row))
    day_pages = {p for p in output_mtimes(out) if p.startswith(f"{talk.day}/")}
    others = sorted(rewritten_by[REORDER] - day_pages)
    print()
    print(f"reorder: {len(rewritten_by[REORDER])} pages rewritten; {talk.day} has "
          f"{len(day_pages)} pages; rewritten outside it: {len(others)} {others[:12]}")
    if check:
        fresh = sphinx_build(src, work / f"out-incremental-{n}-clean")
        a, b = output_files(out), output_files(Path(work / f"out-incremental-{n}-clean"))
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print()
        print(f"incremental output vs a clean build of the same sources ({fresh['wall']:.1f} s):")
        print(f"{len(differ)} of {len(a)} files differ {differ[:5]}")
        print(f"reorder / clean: {times[REORDER]:.1f} / {fresh['wall']:.1f} s = "
              f"{times[REORDER] / fresh['wall']:.2f}x")


REORDER = ":time: change that reorders a day"


def output_files(out: Path) -> dict[str, bytes]:
    """Every output file but Sphinx's doctree cache, by relative path."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and ".doctrees" not in p.relative_to(out).parts
    }


SHARES = {
    # label: functions (file suffix, function name) whose cumulative time counts
    "read (parse, collectors)": [("sphinx/builders/__init__.py", "read")],
    "write (all pages)": [("sphinx/builders/__init__.py", "write")],
    "  sidebar toctree (in write)": [
        ("conference/navcache.py", "toctree"),
        ("sphinx/builders/html/__init__.py", "_get_local_toctree"),
    ],
    "  page templates incl. sidebar (in write)": [("sphinx/jinja2glue.py", "render")],
    "  search index feed (in write)": [("sphinx/search/__init__.py", "feed")],
    "finish (indices, search index dump)": [("sphinx/builders/html/__init__.py", "finish")],
}


def profile(work: Path, n: int, flavour: str, seed: int) -> None:
    """One profiled build (in-process, -j 1); shares of the total time."""
    kind, navcache, nosidebar, options = FLAVOURS[flavour]
    src = work / f"src-profile-{flavour}-{n}"
    generate.generate(src, n, kind, seed, navcache=navcache, nosidebar=nosidebar)
    out = work / f"out-profile-{n}"
    prof = work / "build.prof"
    cmd = ["-m", "sphinx", "-b", "html", "-q", *options, str(src), str(out)]
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), *cmd], check=True)
    stats = pstats.Stats(str(prof))
    total = stats.total_tt  # type: ignore[attr-defined]
    print()
    print(f"cProfile of one clean build, {flavour}, N={n}: {total:.1f} s under the profiler")
    print()
    print(fmt_row(["part", "cumulative s", "share"]))
    print(fmt_row(["---"] * 3))
    for label, functions in SHARES.items():
        seconds = 0.0
        for (filename, _, name), (_, _, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
            if any(filename.endswith(f) and name == fn for f, fn in functions):
                seconds = max(seconds, ct)  # the outermost of nested entries
        print(fmt_row([label, f"{seconds:.1f}", f"{seconds / total:.0%}"]))


def main() -> None:
    if sys.argv[1:2] == ["_measure"]:
        measure_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100], help="numbers of talks")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs per flavour")
    parser.add_argument(
        "--flavours", nargs="+", choices=list(FLAVOURS), default=["plain", "ext", "ext-nocache"]
    )
    parser.add_argument("--parallel", action="store_true", help="-j 2 vs -j 1, extension only")
    parser.add_argument("--base", choices=list(FLAVOURS), default="plain",
                        help="the flavour the ratios are taken to (clean builds)")
    parser.add_argument("--incremental", action="store_true", help="edits and rebuilds")
    parser.add_argument(
        "--check", action="store_true", help="with --incremental: compare with a clean build"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one build")
    parser.add_argument("--profile-flavour", choices=list(FLAVOURS), default="ext")
    parser.add_argument("--workdir", type=Path, help="keep sources and outputs here")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="the generator's seed: another conference of the same shape")
    parser.add_argument("--day", default="thursday", choices=list(generate.DAYS),
                        help="with --incremental: the day whose talk the edits move")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="conference-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"Sphinx builds in {work}; python {sys.version.split()[0]}", flush=True)
    try:
        for n in args.n:
            if args.incremental:
                incremental(work, n, args.check, args.day, args.seed)
            elif args.profile:
                profile(work, n, args.profile_flavour, args.seed)
        if args.parallel:
            clean_builds(work, args.n, args.runs, ["ext"], ["1", "2"], "ext", args.seed)
        elif not (args.incremental or args.profile):
            clean_builds(work, args.n, args.runs, args.flavours, ["1"], args.base, args.seed)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
