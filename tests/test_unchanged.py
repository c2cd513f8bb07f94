"""A build with nothing changed does nothing, fast, and says so; any change at all builds again.

The promise "never stale" is tried here by every kind of change a careless editor, a publisher
or another tool could make between two builds.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, stretch_md, tree_hash, write

import relief.cache.stamp as stamp_module
import relief.pipeline as pipeline
from relief.cache.stamp import Stamp, _same_inputs
from relief.pipeline import Options

STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"
UNCHANGED = "Nothing changed since the last build"


def built(cli: Callable[..., Run], project: Path, *args: str) -> Run:
    run = cli(project, "build", *args)
    assert run.code == 0, run.err
    return run


def test_a_build_with_nothing_changed_writes_nothing_and_says_so(tiny: Path, cli: Callable[..., Run]) -> None:
    first = built(cli, tiny)
    assert UNCHANGED not in first.out
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (tiny / "dist").rglob("*")}
    files = tree_hash(tiny / "dist")
    again = built(cli, tiny)
    assert UNCHANGED in again.out and "dist/ already holds its 1 page with 3 stretches" in again.out
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (tiny / "dist").rglob("*")} == before
    assert tree_hash(tiny / "dist") == files


def test_the_warnings_of_the_last_build_are_told_again(tiny: Path, cli: Callable[..., Run]) -> None:
    write(tiny / "content/neck-relief/sitting/04-side-bend.MD", stretch_md("Side bend", 20))
    first = built(cli, tiny)
    assert "04-side-bend.MD" in first.err
    again = built(cli, tiny)
    assert UNCHANGED in again.out and again.err == first.err
    assert cli(tiny, "build", "--strict").code == 1  # --strict is another build: the warning stops it


def _edit_stretch(project: Path) -> str:
    write(project / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck the chin, edited."))
    return "Tuck the chin, edited."


def _same_size_same_time(project: Path) -> str:
    """An edit that keeps the size and puts the modification time back (as ``cp -p`` or ``rsync -t`` do)."""
    path = project / STRETCH
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    new = text.replace("Chin tuck", "Chin duck")
    assert len(new) == len(text) and new != text
    path.write_text(new, encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    return "Chin duck"


def _new_stretch(project: Path) -> str:
    write(project / "content/neck-relief/sitting/04-side-bend.md", stretch_md("Side bend", 20))
    return "Side bend"


def _removed_stretch(project: Path) -> str:
    (project / STRETCH).unlink()
    return "!Chin tuck"


def _template(project: Path) -> str:
    template = project / "templates/page.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</article>", "<p>Marker 9</p></article>"),
                        encoding="utf-8")
    return "Marker 9"


def _stylesheet(project: Path) -> str:
    sheet = next((project / "assets").rglob("*.css"))
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\n.marker-11 { color: red; }\n", encoding="utf-8")
    return "css:.marker-11"


def _site_yaml(project: Path) -> str:
    site = project / "content/site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "footer: Marker 13 footer\n", encoding="utf-8")
    return "Marker 13 footer"


def _deleted_output(project: Path) -> str:
    (project / "dist/sitemap.xml").unlink()
    return "file:sitemap.xml"


def _edited_output(project: Path) -> str:
    page = project / "dist/index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- someone's edit -->", encoding="utf-8")
    return "!someone's edit"


@pytest.mark.parametrize("racy", [True, False], ids=["just-now", "a-while-ago"])
@pytest.mark.parametrize("change", [_edit_stretch, _same_size_same_time, _new_stretch, _removed_stretch, _template,
                                    _stylesheet, _site_yaml, _deleted_output, _edited_output])
def test_any_change_to_what_a_build_reads_or_wrote_builds_again(tiny: Path, cli: Callable[..., Run],
                                                                change: Callable[[Path], str], racy: bool,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if not racy:  # as if each change were made more than two seconds before the build: only stats tell
        monkeypatch.setattr(stamp_module, "_RACY_NS", 0)
    built(cli, tiny)
    expect = change(tiny)
    again = built(cli, tiny)
    assert UNCHANGED not in again.out
    page = (tiny / "dist/index.html").read_text(encoding="utf-8")
    if expect.startswith("!"):
        assert expect[1:] not in page
    elif expect.startswith("css:"):
        assert any(expect[4:] in p.read_text(encoding="utf-8") for p in (tiny / "dist").rglob("*.css"))
    elif expect.startswith("file:"):
        assert (tiny / "dist" / expect[5:]).is_file()
    else:
        assert expect in page
    assert UNCHANGED in built(cli, tiny).out  # and the build after that has nothing to do again


def test_an_unknown_file_in_the_output_folder_is_still_refused(tiny: Path, cli: Callable[..., Run]) -> None:
    built(cli, tiny)
    write(tiny / "dist/notes.txt", "the publisher's notes\n")
    run = cli(tiny, "build")
    assert run.code == 1 and "notes.txt" in run.err and UNCHANGED not in run.out
    assert (tiny / "dist/notes.txt").read_text(encoding="utf-8") == "the publisher's notes\n"


@pytest.mark.parametrize("args", [("--base-url", "https://clinic.example/back/"), ("--drafts",),
                                  ("--out", "elsewhere")])
def test_other_options_are_another_build(tiny: Path, cli: Callable[..., Run], args: tuple[str, ...]) -> None:
    built(cli, tiny)
    args = tuple(str(tiny / arg) if arg == "elsewhere" else arg for arg in args)
    assert UNCHANGED not in built(cli, tiny, *args).out
    assert UNCHANGED in built(cli, tiny, *args).out
    if args[0] == "--base-url":
        assert "https://clinic.example/back/" in (tiny / "dist/index.html").read_text(encoding="utf-8")
        assert UNCHANGED not in built(cli, tiny).out  # and back: the bundle in dist/ was the other one


def test_another_day_or_another_relief_builds_again(tiny: Path, cli: Callable[..., Run],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    built(cli, tiny)

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    monkeypatch.setattr(stamp_module, "today", lambda: tomorrow)
    assert UNCHANGED not in built(cli, tiny).out
    assert UNCHANGED in built(cli, tiny).out
    fingerprint = pipeline.renderer_fingerprint()
    monkeypatch.setattr(pipeline, "renderer_fingerprint", lambda: fingerprint + "-changed code")
    assert UNCHANGED not in built(cli, tiny).out


def test_no_cache_always_builds_and_keeps_no_record(tiny: Path, cli: Callable[..., Run]) -> None:
    built(cli, tiny, "--no-cache")
    assert UNCHANGED not in built(cli, tiny, "--no-cache").out
    assert not (tiny / ".relief-cache").exists()


def test_a_linked_input_always_builds_again(tiny: Path, cli: Callable[..., Run]) -> None:
    (tiny / "content/neck-relief/sitting/roll-link.svg").symlink_to("roll.svg")
    built(cli, tiny)
    assert UNCHANGED not in built(cli, tiny).out


def test_a_record_written_into_the_cache_folder_cannot_skip_a_changed_build(tiny: Path,
                                                                          cli: Callable[..., Run]) -> None:
    built(cli, tiny)
    expect = _edit_stretch(tiny)
    for record in (tiny / ".relief-cache").glob("built-*"):  # as whoever can write the folder could
        record.write_text(record.read_text(encoding="utf-8").replace('"inputs":{', '"inputs":{"x":[1],'),
                          encoding="utf-8")
    assert expect in (built(cli, tiny), (tiny / "dist/index.html").read_text(encoding="utf-8"))[1]


def test_a_file_changed_just_before_its_stamp_is_told_by_its_bytes(tiny: Path) -> None:
    """On a file system whose times are coarse, an edit can keep size and times: the stamp of a
    file changed within two seconds holds its digest, and the next stamp compares the bytes."""
    out = tiny / "dist"
    recorded = Stamp.take(tiny, out, "renderer", Options())
    assert recorded is not None and len(recorded.inputs[STRETCH]) == 5  # just written: its bytes are kept
    _same_size_same_time(tiny)
    now = Stamp.take(tiny, out, "renderer", Options())
    assert now is not None
    as_if_coarse = {**now.inputs, STRETCH: recorded.inputs[STRETCH][:4]}  # the same stats, no digest
    assert not _same_inputs(recorded.inputs, Stamp(now.key, now.slot, tiny, as_if_coarse))
    assert _same_inputs(recorded.inputs, Stamp.take(tiny, out, "renderer", Options())) is False
    unchanged = Stamp.take(tiny, out, "renderer", Options())
    assert _same_inputs(unchanged.inputs, Stamp(unchanged.key, unchanged.slot, tiny,
                                                {k: v[:4] for k, v in unchanged.inputs.items()}))
