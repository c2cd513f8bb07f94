"""A build killed at any moment (SIGKILL, so no clean-up runs) leaves the last complete ``dist/``.

Real ``build.py`` processes are killed while they write a bundle of many files; ``dist/`` must
then be exactly the previous bundle (or, killed after the swap, exactly the new one), and the
next build removes what the killed one left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, make_tiny_site, stretch_md, tree_hash, write

ASSETS = 1000  # enough files that writing them takes a while even on a fast disk
STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"


@pytest.fixture
def large(tmp_path: Path) -> Path:
    root = make_tiny_site(tmp_path / "site")
    for n in range(ASSETS):
        write(root / f"assets/docs/note-{n:04}.txt", f"note {n}\n" * 50)
    return root


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if p.name.startswith(".dist.relief-") and p.is_dir()]


def files_in(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def build_and_kill(root: Path, files_written: int | None) -> int:
    """Start a real build and SIGKILL it once its new bundle holds ``files_written`` files (None: at
    once). Returns how many files the unfinished bundle held when it was killed (0: none started)."""
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--project", str(root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60  # a bound for a broken build, not a timing assertion
        while files_written is not None and process.poll() is None and time.monotonic() < deadline:
            written = [files_in(staging) for staging in root.glob(".dist.relief-new-*")]
            if written and written[0] >= files_written:
                break
            time.sleep(0.002)
    finally:
        process.kill()
        process.wait()
    return max((files_in(staging) for staging in leftovers(root)), default=0)


def test_a_build_killed_at_any_moment_leaves_the_last_complete_bundle(large: Path, cli, tmp_path: Path) -> None:
    assert cli(large).code == 0
    write(large / "dist/.git/HEAD", "ref: refs/heads/gh-pages\n")  # a deploy checkout: never lost
    previous = tree_hash(large / "dist")
    total = len(previous)
    killed_mid_write = 0
    for version, files_written in enumerate([None, 0, total // 4, total // 2, 3 * total // 4, total], start=1):
        write(large / STRETCH, stretch_md(f"Chin tuck, version {version}", 30))
        unfinished = build_and_kill(large, files_written)
        if not (large / "dist/.git/HEAD").exists():  # in a leftover between the move and the swap: the next
            assert cli(large, "--out", str(tmp_path / "check")).code == 0  # build of dist puts it back
            assert cli(large).code == 0
        now = tree_hash(large / "dist")
        if now != previous:  # killed after the swap: it must be the whole new bundle
            assert cli(large, "--out", str(tmp_path / f"v{version}")).code == 0
            assert {p: d for p, d in now.items() if not p.startswith(".git/")} == tree_hash(tmp_path / f"v{version}")
        elif 0 < unfinished < total:
            killed_mid_write += 1
        previous = now
    assert killed_mid_write >= 2  # the kills really hit half-written bundles

    assert cli(large).code == 0  # the next build cleans up after the killed ones
    assert leftovers(large) == []
    assert "Chin tuck, version 6" in (large / "dist/index.html").read_text(encoding="utf-8")
    assert (large / "dist/.git/HEAD").read_text(encoding="utf-8") == "ref: refs/heads/gh-pages\n"


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


@pytest.fixture
def many(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import Shape, generate

    return generate(tmp_path / "many", Shape(pages=2, groups=2, per_group=150))


def _default_ctrl_c() -> None:
    """A shell's Ctrl-C: the build gets SIGINT's default action even where the test runner ignores it (as
    pytest-xdist's workers do, and a child inherits an ignored signal)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_pooled_build(project: Path) -> tuple[subprocess.Popen[str], set[int]]:
    """A real build parsing on two workers, and the workers, once they run."""
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--project", str(project), "--no-cache",
                                "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_default_ctrl_c)
    deadline = time.monotonic() + 60  # a bound for a broken build, not a timing assertion
    workers: set[int] = set()
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers |= children(process.pid)
        time.sleep(0.005)
    assert len(workers) >= 2, "the build never started its workers"
    return process, workers


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_ctrl_c_is_one_line_exit_130_and_no_worker_is_left(many: Path) -> None:
    process, workers = start_pooled_build(many)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip().splitlines() == ["Stopped (Ctrl-C); the output folder holds the last complete bundle."]
    assert alive(workers) == set()
    assert not (many / "dist").exists() and leftovers(many) == []


_STOPPED_POOL = """
import sys, time
sys.path.insert(0, sys.argv[1])
from relief.workers import shared_map
def slow(chunk):
    time.sleep(0.1)
    return chunk
if __name__ == "__main__":
    for round in range(6):
        try:
            for index, _ in enumerate(shared_map(slow, list(range(40)), 2, "fork")):
                if index == 1:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="forks")
def test_a_pool_stopped_with_chunks_left_prints_nothing_after_the_build(tmp_path: Path) -> None:
    """Ctrl-C while the workers still have chunks to parse: the pool's chunks are cancelled and its workers
    stopped, and nothing of the pool's own threads (a cancelled chunk failed) reaches the terminal after the
    build's one line."""
    script = tmp_path / "stopped.py"
    script.write_text(_STOPPED_POOL, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), str(ROOT)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stderr.splitlines() == ["stopped"] * 6, run.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_workers_die_with_a_killed_build(many: Path) -> None:
    process, workers = start_pooled_build(many)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10  # a bound: the kernel kills them at once
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert alive(workers) == set()
