"""The build cache: what is unchanged is not parsed or rendered again, and never served stale."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
from conftest import ROOT, SVG, Run, add_page, stretch_md, tree_hash, write

from relief.load.markdown import Markup
from relief.pipeline import Builder, Options, build
from relief.workers import chunked

sys.path.insert(0, str(ROOT / "bench"))
from synth import Shape, generate

CACHE = ".relief-cache"
STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files whose Markdown was converted, in this process, since the test began."""
    paths: list[Path] = []
    convert = Markup.convert

    def counting(self: Markup, source: str, path: Path, first_line: int = 1) -> object:
        paths.append(path)
        return convert(self, source, path, first_line)

    monkeypatch.setattr(Markup, "convert", counting)
    return paths


def forget_the_last_build(project: Path) -> None:
    """Drop the record that lets a build with nothing changed skip all work (tests/test_unchanged.py),
    so that the next build really reads the entries of the cache."""
    records = list((project / CACHE).glob("built-*"))
    assert records
    for record in records:
        record.unlink()


def test_a_second_build_converts_no_markdown_and_writes_the_same_bundle(tiny: Path, rendered: list[Path]) -> None:
    build(tiny, tiny / "dist")
    first = tree_hash(tiny / "dist")
    assert rendered and (tiny / CACHE).is_dir()
    rendered.clear()
    forget_the_last_build(tiny)
    build(tiny, tiny / "dist")
    assert rendered == []
    assert tree_hash(tiny / "dist") == first


def test_an_edited_stretch_is_the_only_file_converted_again(tiny: Path, rendered: list[Path]) -> None:
    build(tiny, tiny / "dist")
    rendered.clear()
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck the chin, slowly."))
    build(tiny, tiny / "dist")
    assert rendered == [tiny / STRETCH]
    assert "Tuck the chin, slowly." in (tiny / "dist/index.html").read_text(encoding="utf-8")


def test_a_cached_build_is_byte_identical_to_an_uncached_one(shipped: Path) -> None:
    build(shipped, shipped / "cold")
    build(shipped, shipped / "warm")  # every entry and page from the cache
    build(shipped, shipped / "none", Options(cache=False))
    assert tree_hash(shipped / "warm") == tree_hash(shipped / "cold") == tree_hash(shipped / "none")


@pytest.mark.parametrize("damage", [None, b"", b"\xff\xfe not text", b'{"format": 2}\n', b"garbage\nabc {\n"])
def test_a_damaged_cache_is_ignored(tiny: Path, damage: bytes | None) -> None:
    build(tiny, tiny / "dist")
    expected = tree_hash(tiny / "dist")
    if damage is not None:
        for file in [tiny / CACHE / "index", *(tiny / CACHE / "entries").iterdir()]:
            file.write_bytes(damage)
    forget_the_last_build(tiny)
    build(tiny, tiny / "dist")
    assert tree_hash(tiny / "dist") == expected


def test_a_damaged_record_is_parsed_again(tiny: Path, rendered: list[Path]) -> None:
    build(tiny, tiny / "dist")
    for entries in (tiny / CACHE / "entries").iterdir():
        entries.write_text("".join(line[:80] + "\n" for line in entries.read_text(encoding="utf-8").splitlines()),
                           encoding="utf-8")
    rendered.clear()
    forget_the_last_build(tiny)
    build(tiny, tiny / "dist")
    page = tiny / "content/neck-relief/_page.md"
    assert sorted(rendered) == sorted([*tiny.glob("content/*/sitting/*.md"), page, page, page])


def test_no_cache_neither_reads_nor_writes_the_cache_folder(tiny: Path, cli: Callable[..., Run],
                                                            rendered: list[Path]) -> None:
    assert cli(tiny, "--no-cache").code == 0
    assert not (tiny / CACHE).exists()
    build(tiny, tiny / "dist")
    rendered.clear()
    assert cli(tiny, "build", "--no-cache").code == 0
    assert len(rendered) == 3 + 3  # three stretches; the page's body, disclaimer and instructions


def test_a_new_library_version_makes_every_entry_stale(tiny: Path, rendered: list[Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build(tiny, tiny / "dist")
    monkeypatch.setattr(markdown, "__version__", "99.0")
    rendered.clear()
    build(tiny, tiny / "dist")
    assert len(rendered) == 3 + 3


def test_allowing_html_renders_the_entries_again(tiny: Path) -> None:
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body='1. Tuck the <span class="x">chin</span>.'))
    build(tiny, tiny / "dist")
    assert '<span class="x">' not in (tiny / "dist/index.html").read_text(encoding="utf-8")
    site_yaml = tiny / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "allow_html: true\n", encoding="utf-8")
    build(tiny, tiny / "dist")
    assert '<span class="x">chin</span>' in (tiny / "dist/index.html").read_text(encoding="utf-8")


def test_a_template_change_renders_the_pages_again(tiny: Path) -> None:
    build(tiny, tiny / "dist")
    template = tiny / "templates/page.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</article>", "<p>Marker 7</p></article>"),
                        encoding="utf-8")
    build(tiny, tiny / "dist")
    assert "Marker 7" in (tiny / "dist/index.html").read_text(encoding="utf-8")


def test_a_builder_kept_between_builds_shows_each_edit(tiny: Path) -> None:
    builder = Builder(tiny, tiny / "preview", Options(preview=True), session=True)
    builder.build()
    for n in range(3):
        write(tiny / STRETCH, stretch_md("Chin tuck", 30, body=f"1. Tuck the chin {n} times."))
        builder.build()
        assert f"Tuck the chin {n} times." in (tiny / "preview/index.html").read_text(encoding="utf-8")
    picture = tiny / "content/neck-relief/sitting/roll.svg"
    picture.write_text(SVG.replace('width="120"', 'width="240"'), encoding="utf-8")
    builder.build()
    assert 'width="240"' in (tiny / "preview/index.html").read_text(encoding="utf-8")


def test_a_rebuild_links_unchanged_files_instead_of_writing_them(tiny: Path) -> None:
    build(tiny, tiny / "dist")
    before = {p.relative_to(tiny): p.stat().st_ino for p in (tiny / "dist").rglob("*") if p.is_file()}
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck the chin again."))
    build(tiny, tiny / "dist")
    after = {p.relative_to(tiny): p.stat().st_ino for p in (tiny / "dist").rglob("*") if p.is_file()}
    assert after[Path("dist/sitemap.xml")] == before[Path("dist/sitemap.xml")]
    assert after[Path("dist/index.html")] != before[Path("dist/index.html")]


def test_jobs_parse_in_worker_processes_and_give_the_same_bundle_in_the_same_order(tmp_path: Path) -> None:
    project = generate(tmp_path / "big", Shape(pages=2, groups=2, per_group=20))
    pooled = build(project, tmp_path / "pooled", Options(cache=False, jobs=2))
    serial = build(project, tmp_path / "serial", Options(cache=False, jobs=1))
    assert pooled.workers >= 1 and serial.workers == 0  # the records came from other processes, or from this one
    assert tree_hash(tmp_path / "pooled") == tree_hash(tmp_path / "serial")


def test_pages_render_on_forked_workers_and_give_the_same_bundle(tmp_path: Path) -> None:
    """A build process of its own: pages are rendered on forked workers only where no other thread runs
    (pytest-xdist runs one beside the tests), as in the command line."""
    project = generate(tmp_path / "big", Shape(pages=3, groups=2, per_group=5))
    runs = {jobs: subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), "--no-cache",
                                  "--jobs", jobs, "--out", str(tmp_path / jobs)], capture_output=True, text=True,
                                 check=True).stdout for jobs in ("1", "2")}
    # on the workers (both, unless one took every page before the other had started)
    assert re.search(r"rendering on (1 worker process|2 worker processes)\b", runs["2"])
    assert "rendering" not in runs["1"]
    assert tree_hash(tmp_path / "2") == tree_hash(tmp_path / "1")


# A build in a process of its own (forked workers need one without other threads), which reports what the
# build handed to Staging.finish: the type of each file's value by path, or the build's one-line problems.
_SPY = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from relief import publish
from relief.errors import BuildFailed
from relief.pipeline import Options, build
if sys.argv[4] == "full":  # the disk fills up once pages are written: in the workers, which inherit this
    import errno
    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))
    Path.write_bytes = full
handed = {}
finish = publish.Staging.finish
def spy(self, files):
    handed.update((path, type(value).__name__) for path, value in files.items())
    finish(self, files)
publish.Staging.finish = spy
try:
    report = build(Path(sys.argv[2]), Path(sys.argv[3]), Options(cache=False, jobs=2))
    print(json.dumps({"handed": handed, "renderers": report.renderers, "bytes": report.bytes}))
except BuildFailed as failed:
    print(json.dumps({"problems": [str(problem) for problem in failed.errors]}))
"""


def spied_build(project: Path, out: Path, mode: str = "") -> dict:
    run = subprocess.run([sys.executable, "-c", _SPY, str(ROOT), str(project), str(out), mode],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_render_workers_write_their_pages_into_the_new_bundle_themselves(tmp_path: Path) -> None:
    """The build process never holds every page (at 10,000 stretches they are 55 MB): each worker puts its
    pages into the new bundle and sends back only their size and hash. The bundle is the one --jobs 1 makes."""
    project = generate(tmp_path / "big", Shape(pages=3, groups=2, per_group=5))
    told = spied_build(project, tmp_path / "pooled")
    assert told["renderers"] in (1, 2)  # on the workers (both, unless one took every page before the other started)
    pages = {path for path in told["handed"] if path.endswith(".html")}
    assert len(pages) >= 5 and {told["handed"][path] for path in pages} == {"Written"}
    assert {kind for path, kind in told["handed"].items() if path not in pages} == {"bytes"}
    serial = build(project, tmp_path / "serial", Options(cache=False, jobs=1))
    assert tree_hash(tmp_path / "pooled") == tree_hash(tmp_path / "serial")
    assert told["bytes"] == serial.bytes  # the report counts what the workers wrote
    again = spied_build(project, tmp_path / "pooled")  # over the last bundle: unchanged pages are linked from it
    assert again["handed"] == told["handed"] and tree_hash(tmp_path / "pooled") == tree_hash(tmp_path / "serial")


def test_a_render_worker_that_cannot_write_is_one_line_and_the_last_bundle_stays(tmp_path: Path) -> None:
    project = generate(tmp_path / "big", Shape(pages=3, groups=2, per_group=5))
    out = tmp_path / "dist"
    spied_build(project, out)
    before = tree_hash(out)
    template = project / "templates/page.html"  # every page changes: none can be linked from the last bundle
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block main %}", "{% block main %}<p>Changed.</p>", 1), encoding="utf-8")
    told = spied_build(project, out, "full")
    [problem] = told["problems"]
    assert problem.startswith(f"{out}:1:1: error: the disk is full: ") and "dist/ was left as it was" in problem
    assert tree_hash(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist.relief-") and p.is_dir()] == []


_DURING = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from relief import pipeline
from relief.errors import BuildFailed
project, out, what = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
builder = pipeline.Builder(project, out, pipeline.Options(cache=False, jobs=2))
if what == "twice":  # one Builder, two builds, a page of the bundle deleted between them
    builder.build()
    (out / "index.html").unlink()
elif what == "saved":  # a file saved into the bundle while its pages render
    from relief import render
    render_site = render.render_site
    def saving(*args, **kwargs):
        (out / "page-0001/notes.txt").write_text("mine")
        return render_site(*args, **kwargs)
    render.render_site = saving  # the build imports it from relief.render when it renders
try:
    print("renderers", builder.build().renderers)
except BuildFailed as failed:
    print("\\n".join(str(problem) for problem in failed.errors))
"""


def during(project: Path, out: Path, what: str) -> str:
    run = subprocess.run([sys.executable, "-c", _DURING, str(ROOT), str(project), str(out), what],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_a_builder_that_builds_again_writes_every_page_again(tmp_path: Path) -> None:
    """Pages its workers wrote out are not kept for the next build of the same Builder: that one renders and
    writes them all again, however the output folder was changed in between."""
    project = generate(tmp_path / "big", Shape(pages=3, groups=2, per_group=5))
    told = during(project, tmp_path / "twice", "twice")
    assert told in ("renderers 1", "renderers 2")  # workers wrote the pages (how many took some: the machine's say)
    build(project, tmp_path / "serial", Options(cache=False, jobs=1))
    assert tree_hash(tmp_path / "twice") == tree_hash(tmp_path / "serial")


def test_a_file_saved_into_the_bundle_while_pages_render_is_refused_not_deleted(tmp_path: Path) -> None:
    project = generate(tmp_path / "big", Shape(pages=3, groups=2, per_group=5))
    out = tmp_path / "dist"
    build(project, out, Options(cache=False, jobs=1))
    told = during(project, out, "saved")
    assert told.startswith(f"{out}:1:1: error: holds 1 file(s) the last build did not write (page-0001/notes.txt)")
    assert (out / "page-0001/notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir() if p.is_dir() and ".relief-" in p.name] == []


def test_a_template_error_is_told_before_an_output_folder_that_cannot_take_the_bundle(tmp_path: Path) -> None:
    project = generate(tmp_path / "big", Shape(pages=3, groups=1, per_group=3))
    foreign = tmp_path / "foreign"
    write(foreign / "essay.txt", "not a bundle")
    template = project / "templates/page.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block main %}", "{% block main %}{{ page.no_such_field.x }}", 1), encoding="utf-8")
    runs = [subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), "--no-cache",
                            "--jobs", jobs, "--out", str(foreign)], capture_output=True, text=True) for jobs in "12"]
    assert [run.returncode for run in runs] == [1, 1] and runs[0].stderr == runs[1].stderr
    assert "page.html" in runs[1].stderr and "no_such_field" in runs[1].stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["essay.txt"]


_STREAMED = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from relief import pipeline
from relief.load import batch, tree
parsed = batch._read_chunk
def _read_chunk(*args):
    done = parsed(*args)
    time.sleep(0.05)  # slow workers: the build process prepares the templates and assets in less time than they parse
    with open(sys.argv[3] + ".chunks", "a") as log:
        log.write(f"{time.monotonic()} {os.getpid()}\\n")
    return done
batch._read_chunk = _read_chunk
checked = []
load_page = tree._load_page
def _load_page(loader, folder, page_file):
    checked.append((time.monotonic(), folder.name))
    if sys.argv[4] == "interrupt" and len(checked) == 2:
        raise KeyboardInterrupt
    return load_page(loader, folder, page_file)
tree._load_page = _load_page
try:
    pipeline.build(Path(sys.argv[2]), Path(sys.argv[3]), pipeline.Options(cache=False, jobs=2))
except KeyboardInterrupt:
    print("interrupted")
ends = sorted(float(line.split()[0]) for line in open(sys.argv[3] + ".chunks"))
workers = {int(line.split()[1]) for line in open(sys.argv[3] + ".chunks")}
def state(pid):  # a stopped worker not yet reaped is a zombie ("Z"): not running
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
deadline = time.monotonic() + 10  # a bound: a stopped worker ends at once
while (alive := [pid for pid in workers if state(pid) not in ("Z", "gone")]) and time.monotonic() < deadline:
    time.sleep(0.02)
print(len(ends), sum(1 for end in ends if end > checked[0][0]), checked[0][1], "alive", len(alive))
"""


def test_the_first_page_is_checked_while_the_workers_parse_the_last(tmp_path: Path) -> None:
    """The loader takes each entry as soon as its worker has parsed it: the first page is checked while the last
    files are still being parsed, and the bundle is the one --jobs 1 makes. A build interrupted while it checks
    the pages stops its workers: none goes on parsing, and no bundle is written."""
    project = generate(tmp_path / "big", Shape(pages=4, groups=2, per_group=40))
    run = subprocess.run([sys.executable, "-c", _STREAMED, str(ROOT), str(project), str(tmp_path / "streamed"),
                          "build"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    chunks, after, first, _, alive = run.stdout.split()
    assert int(chunks) >= 8 and int(after) >= 1 and first == "page-0001" and alive == "0", run.stdout
    build(project, tmp_path / "serial", Options(cache=False, jobs=1))
    assert tree_hash(tmp_path / "streamed") == tree_hash(tmp_path / "serial")
    run = subprocess.run([sys.executable, "-c", _STREAMED, str(ROOT), str(project), str(tmp_path / "stopped"),
                          "interrupt"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("interrupted\n"), run.stdout + run.stderr
    assert run.stdout.split()[-1] == "0" and not (tmp_path / "stopped").exists()  # no worker alive, no bundle


_AHEAD = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from relief import pipeline, render
events = []
made = render.environment
def environment(*args, **kwargs):
    events.append("templates compiled")
    return made(*args, **kwargs)
render.environment = environment
load_site = pipeline.load_site
def loaded(*args, **kwargs):
    site = load_site(*args, **kwargs)
    events.append("content loaded")
    return site
pipeline.load_site = loaded
pipeline.build(Path(sys.argv[2]), Path(sys.argv[3]), pipeline.Options(cache=False, jobs=2))
print(" / ".join(events))
"""


def test_while_workers_parse_the_build_compiles_the_templates_and_prepares_the_assets(tmp_path: Path) -> None:
    """The build process does what the content does not change while its workers parse: the templates are
    compiled once, before the content is loaded, and never again; the bundle is the one --jobs 1 makes. A
    problem found ahead of time is still reported in its place, as --jobs 1 reports it."""
    project = generate(tmp_path / "big", Shape(pages=2, groups=2, per_group=10))
    run = subprocess.run([sys.executable, "-c", _AHEAD, str(ROOT), str(project), str(tmp_path / "ahead")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() and run.stdout.strip() == "templates compiled / content loaded"
    build(project, tmp_path / "serial", Options(cache=False, jobs=1))
    assert tree_hash(tmp_path / "ahead") == tree_hash(tmp_path / "serial")
    (project / "assets/icons/icon-192.png").write_bytes(b"not a picture")
    template = project / "templates/page.html"
    template.write_text(template.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}{%", 1),
                        encoding="utf-8")
    runs = {jobs: subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), "--no-cache",
                                  "--jobs", jobs, "--out", str(tmp_path / jobs)], capture_output=True, text=True)
            for jobs in ("1", "2")}
    told = {jobs: r.stderr.replace(f"{tmp_path / jobs}", "OUT").replace(f"{jobs}/ was", "OUT/ was")
            for jobs, r in runs.items()}
    assert [r.returncode for r in runs.values()] == [1, 1] and told["2"] == told["1"]
    assert "icon-192.png:1:1: error: is named .png but is not a PNG image" in told["2"]


def test_files_the_workers_cannot_read_get_the_same_messages_as_in_one_process(tmp_path: Path) -> None:
    """A cold build has the pooled workers read the files themselves: a FIFO, a link out of the project, a file
    over the size limit and one without permission are each still one message at the file, as with --jobs 1."""
    project = generate(tmp_path / "big", Shape(pages=1, groups=2, per_group=10))
    group = sorted((project / "content/page-0001").glob("group-*"))[0]
    os.mkfifo(group / "0090-pipe.md")
    outside = tmp_path / "outside.md"
    outside.write_text((group / "0001-stretch-1.md").read_text(encoding="utf-8"), encoding="utf-8")
    (group / "0091-elsewhere.md").symlink_to(outside)
    (group / "0092-huge.md").write_bytes(b"---\ntitle: Huge\nhold: 5\n---\n" + b"word " * 250_000)
    locked = group / "0093-locked.md"
    locked.write_text((group / "0001-stretch-1.md").read_text(encoding="utf-8"), encoding="utf-8")
    locked.chmod(0)
    runs = {jobs: subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), "--no-cache",
                                  "--jobs", jobs, "--out", str(tmp_path / jobs)], capture_output=True, text=True,
                                 timeout=60)
            for jobs in ("1", "2")}
    assert [run.returncode for run in runs.values()] == [1, 1]
    problems = {jobs: [line for line in run.stderr.splitlines() if ": error: " in line] for jobs, run in runs.items()}
    assert problems["2"] == problems["1"] and "Traceback" not in runs["2"].stderr
    lines = "\n".join(problems["2"])
    assert "0090-pipe.md:1:1: error: is a FIFO" in lines and "0091-elsewhere.md:1:1: error: is a link" in lines
    assert "0092-huge.md:1:1: error: is 1.3 MB" in lines
    if os.geteuid() != 0:  # root reads any file
        assert "0093-locked.md:1:1: error: cannot be read" in lines


def test_a_template_error_in_a_render_worker_is_the_same_one_line_message(tmp_path: Path) -> None:
    project = generate(tmp_path / "big", Shape(pages=3, groups=1, per_group=3))
    template = project / "templates/page.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block main %}", "{% block main %}{{ page.no_such_field }}", 1), encoding="utf-8")
    runs = {jobs: subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), "--no-cache",
                                  "--jobs", jobs, "--out", str(tmp_path / jobs)], capture_output=True, text=True)
            for jobs in ("1", "2")}
    assert [run.returncode for run in runs.values()] == [1, 1]
    assert runs["1"].stderr.splitlines()[0] == runs["2"].stderr.splitlines()[0] and "page.html" in runs["2"].stderr
    assert "no_such_field" in runs["2"].stderr and "Traceback" not in runs["2"].stderr
    assert not (tmp_path / "2").exists()
    assert [p.name for p in tmp_path.iterdir() if p.is_dir() and ".relief-" in p.name] == []  # no half bundle


def test_without_jobs_a_small_site_is_parsed_in_this_process(tiny: Path) -> None:
    assert build(tiny, tiny / "dist", Options(cache=False)).workers == 0


def test_jobs_on_the_command_line_reach_the_pool(tmp_path: Path, cli: Callable[..., Run]) -> None:
    project = generate(tmp_path / "big", Shape(pages=1, groups=2, per_group=10))
    pooled = cli(project, "build", "--jobs", "2", "--no-cache")
    assert pooled.code == 0 and "parsing on" in pooled.out and "worker process" in pooled.out
    assert "worker" not in cli(project, "build", "--jobs", "1", "--no-cache").out
    assert cli(project, "build", "--jobs", "0").code == 2


def records_on_disk(project: Path) -> list[str]:
    """The keys of the parsed files kept (a JSON record each; the pictures' copies are kept beside them)."""
    return [line.split(" ", 1)[0] for shard in sorted((project / CACHE / "entries").iterdir())
            for line in shard.read_text(encoding="utf-8").splitlines() if line.split(" ", 1)[1].startswith("{")]


def test_forked_workers_keep_records_as_json_only_where_a_cache_folder_holds_them(tmp_path: Path) -> None:
    """A cold build's workers send records back as values when nothing keeps them (--no-cache) and as JSON
    when the cache folder does: every file's record is there, and the next build parses nothing again."""
    project = generate(tmp_path / "big", Shape(pages=1, groups=2, per_group=10))
    command = [sys.executable, str(ROOT / "build.py"), "--project", str(project), "--jobs", "2"]
    subprocess.run([*command, "--no-cache", "--out", str(tmp_path / "plain")], check=True, capture_output=True)
    assert not (project / CACHE).exists()
    first = subprocess.run([*command, "--out", str(tmp_path / "cached")], check=True, capture_output=True, text=True)
    assert re.search(r"parsing on (1 worker process|2 worker processes)\b", first.stdout)
    kept = [json.loads(line.split(" ", 1)[1]) for shard in sorted((project / CACHE / "entries").iterdir())
            for line in shard.read_text(encoding="utf-8").splitlines() if line.split(" ", 1)[1].startswith("{")]
    assert len(kept) == len(list((project / "content").rglob("*.md"))) and all(r["parsed"] for r in kept)
    assert tree_hash(tmp_path / "cached") == tree_hash(tmp_path / "plain")
    template = project / "templates/page.html"  # the pages change; every record is taken from the folder
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block main %}", "{% block main %}<p>Changed.</p>", 1), encoding="utf-8")
    again = subprocess.run([*command, "--out", str(tmp_path / "cached")], check=True, capture_output=True, text=True)
    assert "parsing on" not in again.stdout and "<p>Changed.</p>" in (tmp_path / "cached/index.html").read_text()


def test_the_cache_keeps_only_what_the_last_build_used(tiny: Path) -> None:
    build(tiny, tiny / "dist")
    first = records_on_disk(tiny)
    assert len(first) == 4  # a page, three stretches
    (tiny / "content/neck-relief/sitting/03-shoulder-drop.md").unlink()
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck the chin, pruned."))
    build(tiny, tiny / "dist")
    second = records_on_disk(tiny)
    assert len(second) == 3 and len(set(first) & set(second)) == 2  # the page and the neck roll stay


def test_a_script_written_into_the_cache_folder_never_reaches_the_page(tiny: Path, cli: Callable[..., Run]) -> None:
    build(tiny, tiny / "dist")
    for shard in (tiny / CACHE / "entries").iterdir():  # as whoever can write the folder could
        shard.write_text(shard.read_text(encoding="utf-8").replace(
            "<li>Roll the neck.</li>", '<li>Roll the neck.<script>alert(1)</script><img src=x onerror=alert(2)></li>'),
            encoding="utf-8")
    assert "alert(1)" in "".join(p.read_text(encoding="utf-8") for p in (tiny / CACHE / "entries").iterdir())
    forget_the_last_build(tiny)
    assert cli(tiny, "build").code == 0
    page = (tiny / "dist/index.html").read_text(encoding="utf-8")
    assert "Roll the neck." in page and "alert(" not in page and "onerror" not in page


def test_check_never_reads_the_cache_folder(tiny: Path, cli: Callable[..., Run], rendered: list[Path]) -> None:
    build(tiny, tiny / "dist")
    rendered.clear()
    assert cli(tiny, "check").code == 0
    assert len(rendered) == 3 + 3  # every file converted afresh


@pytest.mark.parametrize("linked", [CACHE, f"{CACHE}/entries", f"{CACHE}/index", f"{CACHE}/lock"])
def test_a_cache_folder_or_file_that_is_a_link_is_never_followed(tiny: Path, tmp_path: Path, linked: str) -> None:
    build(tiny, tiny / "dist")
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "keep.txt", "someone's file\n")
    write(elsewhere / "ab", "someone's file named like a shard\n")
    target = elsewhere if not linked.endswith(("index", "lock")) else elsewhere / "keep.txt"
    shutil.rmtree(tiny / linked) if (tiny / linked).is_dir() else (tiny / linked).unlink()
    (tiny / linked).symlink_to(target)
    before = tree_hash(elsewhere)
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck the chin, once more."))
    build(tiny, tiny / "dist")
    build(tiny, tiny / "dist")
    assert tree_hash(elsewhere) == before
    assert "once more" in (tiny / "dist/index.html").read_text(encoding="utf-8")


def test_a_page_rendered_again_in_one_process_never_shows_a_stale_site_wide_figure(tiny: Path) -> None:
    """A template may show anything of any page: the total of stretches on the whole site, say."""
    add_page(tiny, "back-relief", "Back Relief")
    template = tiny / "templates/page.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "</article>", "<p>Stretches on this site: {{ site.pages | map(attribute='stretches') | map('length') "
        "| sum }}</p></article>"), encoding="utf-8")
    builder = Builder(tiny, tiny / "preview", Options(preview=True), session=True)
    builder.build()
    assert "Stretches on this site: 6" in (tiny / "preview/neck-relief/index.html").read_text(encoding="utf-8")
    write(tiny / "content/back-relief/sitting/04-side-bend.md", stretch_md("Side bend", 20))
    builder.build()
    assert "Stretches on this site: 7" in (tiny / "preview/neck-relief/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("count", [0, 1, 7, 100, 1010, 10_100])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_work_is_shared_in_chunks_that_taper_so_the_workers_end_together(count: int, workers: int) -> None:
    """Every item once, in order, in chunks of one size, then the last ``workers`` chunks' worth in chunks four
    times smaller: a worker that takes the last big chunk does not leave the others idle for long."""
    items = list(range(count))
    chunks = chunked(items, workers, per_worker=16)
    assert [item for chunk in chunks for item in chunk] == items and all(chunks)
    if count >= 1000:
        sizes = [len(chunk) for chunk in chunks]
        small = [size for size in sizes if size <= -(-sizes[0] // 4)]
        assert sizes[0] == -(-count // (workers * 16)) and len(small) >= workers and sizes[-len(small):] == small
        assert sizes == sorted(sizes, reverse=True)


RENDERING_ONLY = "{'segno', 'urllib.request', 'http.client', 'jinja2', 'babel.messages', 'relief.render'}"


def test_the_command_line_starts_without_what_only_rendering_needs() -> None:
    """The parse workers start as soon as the files are listed: what only rendering needs (Jinja, Babel's
    catalogs, the QR codes' library and the URL and mail modules it brings) is loaded while they parse."""
    run = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import relief.cli; "
                          f"print(sorted({RENDERING_ONLY} & set(sys.modules)))", str(ROOT)],
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


_POOL_START = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from relief import workers
started = []
shared_map = workers.shared_map
def noting(*args, **kwargs):
    started.append(sorted(RENDERING_ONLY & set(sys.modules)))
    return shared_map(*args, **kwargs)
workers.shared_map = noting  # before anything imports it: the parse and render stages take this one
from relief.pipeline import Builder, Options
report = Builder(Path(sys.argv[2]), Path(sys.argv[3]), Options(cache=False, jobs=2)).build()
print(started, report.workers, report.renderers)
"""


def test_the_parse_workers_start_before_jinja_and_babel_s_catalogs_are_loaded(tmp_path: Path) -> None:
    """In a build, the parse workers start (the first pool) with none of what only rendering needs loaded; the
    render workers (the second pool) find all of it, loaded by this process while the first parsed."""
    project = generate(tmp_path / "site", Shape(pages=2, groups=2, per_group=5))
    code = _POOL_START.replace("RENDERING_ONLY", RENDERING_ONLY)
    run = subprocess.run([sys.executable, "-c", code, str(ROOT), str(project), str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    pools, parsers, renderers = run.stdout.strip().rsplit(" ", 2)
    assert (parsers, renderers) == ("2", "2"), run.stdout  # both pools ran
    assert pools.startswith("[[], [") and "'jinja2'" in pools and "'relief.render'" in pools, pools
