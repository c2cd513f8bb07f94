"""The benchmark: ``python bench/run.py`` (``--quick`` for a smoke run of a few seconds).

For the real site (16 stretches) and synthetic sites of 1,000 and 10,000 stretches
(``bench/synth.py``) it times, as whole processes and as the median of ``--runs`` runs:
the naive single-pass script (``bench/naive.py``, the floor to beat); a cold
``build.py --no-cache``; a cold Hugo build of the same content (``bench/hugo_site.py``
writes the Hugo project; skipped, with a note, when ``hugo`` is not on PATH) -- these three
interleaved, one of each in turn per run, so the machine's noise hits them alike; a first
build, which writes the cache (neither it nor a cold build has a previous bundle); a rebuild
with nothing changed; a rebuild after one stretch changed, also inside one process through
the ``Builder`` that ``serve`` keeps (in a process of its own: a process's peak memory counts
that of the one it was started from); and peak memory (of the largest process, as
``/usr/bin/time`` shows it). Two more layouts of 10,000 stretches (all on one
page; on 1,000 pages) show whether any step grows faster than the content. Last, the
gzipped weight of the real page. Prints tables and writes ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import hugo_site
from synth import ROOT, Shape, copy_shipped, generate

NAIVE = [sys.executable, str(Path(__file__).with_name("naive.py"))]


@dataclass
class Sample:
    seconds: float
    peak_mb: float


@dataclass
class Size:
    name: str
    stretches: int
    naive: list[Sample] = field(default_factory=list)
    cold: list[Sample] = field(default_factory=list)
    first: list[Sample] = field(default_factory=list)
    unchanged: list[Sample] = field(default_factory=list)
    edit: list[Sample] = field(default_factory=list)
    edit_in_process: list[float] = field(default_factory=list)  # seconds of Builder.build()
    hugo: list[Sample] = field(default_factory=list)  # cold Hugo builds, empty when hugo is not on PATH
    hugo_stretches: int | None = None  # stretches found rendered in Hugo's output (hugo_site.check)


def measure(command: list[str]) -> Sample:
    """Run ``command`` to the end: wall time and the peak resident memory of its largest process."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own usage, not all children's so far
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode(errors='replace')}")
    return Sample(seconds, usage.ru_maxrss / 1024)


def reset(project: Path) -> None:
    """Cold: no cache, no previous bundle to link from."""
    for name in (".relief-cache", "dist"):
        shutil.rmtree(project / name, ignore_errors=True)


def edit(project: Path, number: int) -> None:
    """Change the words of one stretch (the same one each time), as an editor's save would."""
    path = sorted((project / "content").glob("*/*/*.md"))[-1]
    text = path.read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)
    path.write_text(f"{text[0]}\nEdited {number}: {text[1]}\n", encoding="utf-8")


def snapshot(code: Path) -> list[str]:
    """Copy the generator to ``code`` and return the command that runs the copy. Others may edit
    relief/ during the benchmark, and each edit would make the cache stale (its key hashes
    relief's own source). The copy is compiled to bytecode, as pip compiles an installed package (and as the
    naive script's libraries are): with ``PYTHONDONTWRITEBYTECODE`` set, as in many containers, Python would
    otherwise compile relief's modules again in every timed run (some 50 ms), and without it only in the first."""
    shutil.rmtree(code, ignore_errors=True)
    shutil.copytree(ROOT / "relief", code / "relief", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "build.py", code / "build.py")
    if not compileall.compile_dir(code / "relief", quiet=1):
        raise SystemExit(f"could not compile {code / 'relief'}")
    sys.path.insert(0, str(code))
    return [sys.executable, str(code / "build.py")]


def hugo_cold(hugo: str, site: Path, expected: list[str]) -> tuple[Sample, int]:
    """One cold Hugo build of ``site``: no public/ or resources/ left from before, a new empty cache
    directory. Then the stretches in its output are counted (outside the time)."""
    public = site / "public"
    for name in ("public", "resources"):
        shutil.rmtree(site / name, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="hugo-cache-") as cache:
        sample = measure([hugo, "--quiet", "--source", str(site), "--destination", str(public),
                          "--cacheDir", cache])
    return sample, hugo_site.check(public, expected)


def bench_size(name: str, project: Path, runs: int, command: list[str], hugo: str | None) -> Size:
    size = Size(name, sum(1 for _ in (project / "content").glob("*/*/*.md")))
    build = [*command, "--project", str(project)]
    site = project.with_name(project.name + "-hugo")
    expected = hugo_site.convert(project, site) if hugo else []
    for _ in range(runs):  # interleaved: naive, ours cold, Hugo cold, in turn
        size.naive.append(measure([*NAIVE, str(project), str(project.with_name(project.name + "-naive"))]))
        reset(project)
        size.cold.append(measure([*build, "--no-cache"]))
        if hugo:
            sample, size.hugo_stretches = hugo_cold(hugo, site, expected)
            size.hugo.append(sample)
    for _ in range(runs):
        reset(project)
        size.first.append(measure(build))
    for _ in range(runs):
        size.unchanged.append(measure(build))
    for run in range(runs):
        edit(project, run)
        size.edit.append(measure(build))
    # in a process of its own: a process's peak memory counts that of the process it was started from, so a
    # session grown here would inflate every later measurement
    session = subprocess.run([sys.executable, __file__, "--session", str(project), str(runs), command[-1]],
                             capture_output=True, text=True, check=True)
    size.edit_in_process = json.loads(session.stdout)
    return size


def session(project: Path, runs: int, build_py: Path) -> list[float]:
    """The seconds of each rebuild after one stretch changed, in the ``Builder`` that ``serve`` keeps."""
    sys.path.insert(0, str(build_py.parent))  # the snapshot's relief
    from relief.pipeline import Builder, Options

    builder = Builder(project, project.with_name(project.name + "-serve"), Options(preview=True), session=True)
    builder.build()  # the first build of a serve session: from the disk cache
    seconds = []
    for run in range(runs):
        edit(project, runs + run)
        started = time.perf_counter()
        builder.build()
        seconds.append(time.perf_counter() - started)
    return seconds


def shape_check(name: str, project: Path, runs: int, command: list[str]) -> dict[str, object]:
    cold = []
    for _ in range(runs):
        reset(project)
        cold.append(measure([*command, "--project", str(project), "--no-cache"]))
    seconds = statistics.median(s.seconds for s in cold)
    return {"shape": name, "cold_seconds": seconds, "peak_mb": statistics.median(s.peak_mb for s in cold)}


def page_weight(project: Path) -> dict[str, int]:
    """Bytes of the real page as a browser fetches it, gzipped: its HTML, CSS and JS."""
    dist = project / "dist"
    weight = {"html": _gzipped([dist / "index.html"]), "css": _gzipped(sorted(dist.glob("assets/**/*.css"))),
              "js": _gzipped(sorted(dist.glob("assets/**/*.js")))}
    return weight


def _gzipped(files: list[Path]) -> int:
    return sum(len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files)


def median(samples: list[Sample], what: str = "seconds") -> float:
    return statistics.median(getattr(s, what) for s in samples)


def medians(size: Size) -> dict[str, float]:
    timed = {name: median(getattr(size, name)) for name in ("naive", "cold", "first", "unchanged", "edit")}
    hugo = {"hugo": median(size.hugo)} if size.hugo else {}
    return timed | {"edit_in_process": statistics.median(size.edit_in_process)} | hugo


def ratios(size: Size) -> dict[str, float]:
    """Cold builds: ours over naive and ours over Hugo (a ratio of the medians; below 1, ours is faster)."""
    cold = median(size.cold)
    hugo = {"ours_over_hugo": cold / median(size.hugo)} if size.hugo else {}
    return {"ours_over_naive": cold / median(size.naive)} | hugo


def report(sizes: list[Size], shapes: list[dict[str, object]], weight: dict[str, int], hugo: str) -> str:
    lines = ["| stretches | naive | cold build (--no-cache) | first build (writes cache) | no-change rebuild | "
             "one-stretch edit (process) | one-stretch edit (in process) | peak memory (cold) |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in sizes:
        naive = median(s.naive)

        def timed(samples: list[Sample], naive: float = naive) -> str:
            return f"{median(samples):.2f} s ({median(samples) / naive:.2f}x)"

        lines.append(f"| {s.stretches:,} | {naive:.2f} s | {timed(s.cold)} | {timed(s.first)} | {timed(s.unchanged)} | "
                     f"{median(s.edit):.2f} s | {statistics.median(s.edit_in_process) * 1000:.0f} ms | "
                     f"{median(s.cold, 'peak_mb'):.0f} MB |")
    lines += ["", f"Cold builds, interleaved (naive, ours, Hugo in turn per run), medians; Hugo: {hugo}", "",
              "| stretches | naive | ours cold | Hugo cold | ours/naive | ours/Hugo | Hugo peak memory |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in sizes:
        ratio = ratios(s)
        seconds, over, peak = ((f"{median(s.hugo):.2f} s", f"{ratio['ours_over_hugo']:.2f}x",
                                f"{median(s.hugo, 'peak_mb'):.0f} MB") if s.hugo else ("skipped", "-", "-"))
        lines.append(f"| {s.stretches:,} | {median(s.naive):.2f} s | {median(s.cold):.2f} s | {seconds} | "
                     f"{ratio['ours_over_naive']:.2f}x | {over} | {peak} |")
    if len(sizes) >= 3:
        (a, b, c) = sizes[-3:]
        per_k = [(median(y.cold, "peak_mb") - median(x.cold, "peak_mb")) / ((y.stretches - x.stretches) / 1000)
                 for x, y in ((a, b), (b, c))]
        lines.append(f"\nPeak memory grows {per_k[0]:.1f} MB per 1,000 stretches from {a.stretches:,} to "
                     f"{b.stretches:,}, {per_k[1]:.1f} MB per 1,000 from {b.stretches:,} to {c.stretches:,}.")
    if shapes:
        lines += ["", "| the same stretches laid out as | cold build | peak memory |", "| --- | ---: | ---: |"]
        lines += [f"| {s['shape']} | {s['cold_seconds']:.2f} s | {s['peak_mb']:.0f} MB |" for s in shapes]
    lines.append(f"\nThe real page, gzipped: HTML {weight['html']:,} B, CSS {weight['css']:,} B, "
                 f"JS {weight['js']:,} B.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: small sites, one run each")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 5; 1 with --quick)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench/out/work", help="where the sites are generated")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/out/results.json", help="where results go")
    parser.add_argument("--session", nargs=3, metavar=("PROJECT", "RUNS", "BUILD_PY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.session:  # bench_size's serve session, in a process of its own
        project, count, build_py = args.session
        print(json.dumps(session(Path(project), int(count), Path(build_py))))
        return 0
    runs = args.runs or (1 if args.quick else 5)
    sizes = {"16": None, "1,000": Shape(10, 4, 25), "10,000": Shape(100, 4, 25)}
    shapes = {"1 page of 4 groups of 2,500": Shape(1, 4, 2500), "1,000 pages of 10": Shape(1000, 1, 10)}
    if args.quick:
        sizes = {"16": None, "40": Shape(2, 4, 5)}
        shapes = {"1 page of 40": Shape(1, 1, 40)}
    args.work.mkdir(parents=True, exist_ok=True)
    command = snapshot(args.work / "code")
    hugo = shutil.which("hugo")
    if hugo:
        hugo_version = subprocess.run([hugo, "version"], capture_output=True, text=True, check=True).stdout.strip()
    else:
        hugo_version = "skipped, `hugo` is not on PATH (apt-get install hugo to compare with it)"
        print(f"Note: Hugo {hugo_version}.", flush=True)
    started = time.time()
    results = []
    for name, shape in sizes.items():
        project = args.work / f"site-{name.replace(',', '')}"
        if shape is None:
            copy_shipped(project)
        else:
            generate(project, shape)
        print(f"{name} stretches ...", file=sys.stderr, flush=True)
        results.append(bench_size(name, project, runs, command, hugo))
    checks = []
    for name, shape in shapes.items():
        project = generate(args.work / "shape", shape)
        print(f"{name} ...", file=sys.stderr, flush=True)
        checks.append(shape_check(name, project, runs, command))
    weight = page_weight(args.work / "site-16")
    table = report(results, checks, weight, hugo_version)
    print(table)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        "minutes": round((time.time() - started) / 60, 1), "runs": runs,
        "hugo": {"path": hugo, "version": hugo_version} if hugo else {"path": None, "skipped": hugo_version},
        "sizes": [asdict(s) | {"median": medians(s), "cold_ratios": ratios(s)} for s in results],
        "shapes": checks, "page_gzipped_bytes": weight, "table": table}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
