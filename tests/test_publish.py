"""Publishing never deletes or damages what the build did not write, and says what went wrong, where.

A deploy checkout's ``.git`` and ``CNAME`` stay; another unknown file stops the build with its
name; an output folder that is a link is published into; a lock file that is a link is never
truncated; a full disk, a mount point and a name too long are one line about the machine.
"""

from __future__ import annotations

import errno
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Run, stretch_md, tree_hash, write

from relief.publish import MANIFEST

STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"


def deploy_checkout(folder: Path) -> dict[str, str]:
    """What ``git clone --branch gh-pages`` leaves: a repository and a custom domain."""
    write(folder / ".git/HEAD", "ref: refs/heads/gh-pages\n")
    write(folder / ".git/objects/ab/cdef", "a git object\n")
    write(folder / "CNAME", "stretches.example.org\n")
    return {path: digest for path, digest in tree_hash(folder).items() if path.startswith((".git/", "CNAME"))}


def errors(result: Run) -> list[str]:
    return [line for line in result.err.splitlines() if ": error: " in line]


@pytest.mark.parametrize("built_before", [False, True], ids=["fresh-checkout", "checkout-with-a-bundle"])
def test_a_deploy_checkouts_git_and_cname_are_kept(tiny: Path, tmp_path: Path, cli: Callable[..., Run],
                                                  built_before: bool) -> None:
    out = tmp_path / "ghp-checkout"
    if built_before:
        assert cli(tiny, "--out", str(out)).code == 0
    kept = deploy_checkout(out)
    write(tiny / STRETCH, stretch_md("Chin tuck, published", 30))
    result = cli(tiny, "--out", str(out))
    assert result.code == 0, result.err
    assert {p: d for p, d in tree_hash(out).items() if p.startswith((".git/", "CNAME"))} == kept
    assert "Chin tuck, published" in (out / "index.html").read_text(encoding="utf-8")
    assert cli(tiny, "--out", str(out)).code == 0  # and again: the kept files are not taken for foreign ones
    assert (out / ".git/HEAD").read_text(encoding="utf-8").startswith("ref:")


def test_a_file_the_last_build_did_not_write_stops_the_build_and_is_named(tiny: Path, cli: Callable[..., Run]) -> None:
    assert cli(tiny).code == 0
    write(tiny / "dist/notes.txt", "the publisher's own notes\n")
    write(tiny / "dist/assets/extra/logo.txt", "someone put this here\n")
    before = tree_hash(tiny / "dist")
    write(tiny / STRETCH, stretch_md("Chin tuck, changed", 30))
    result = cli(tiny)
    assert result.code == 1
    [message] = errors(result)
    assert message.startswith("dist:1:1: error: holds 2 file(s) the last build did not write")
    assert "assets/extra/logo.txt" in message and "notes.txt" in message and "keep_files" in message
    assert tree_hash(tiny / "dist") == before


def test_keep_files_keeps_a_file_of_the_publisher(tiny: Path, cli: Callable[..., Run]) -> None:
    assert cli(tiny).code == 0
    write(tiny / "dist/ads.txt", "publisher's file\n")
    site = tiny / "content/site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "keep_files: [ads.txt]\n", encoding="utf-8")
    assert cli(tiny).code == 0
    assert (tiny / "dist/ads.txt").read_text(encoding="utf-8") == "publisher's file\n"
    assert "ads.txt" not in (tiny / f"dist/{MANIFEST}").read_text(encoding="utf-8")


def test_a_folder_of_another_generator_is_refused_not_replaced(tiny: Path, tmp_path: Path,
                                                               cli: Callable[..., Run]) -> None:
    out = tmp_path / "www"
    write(out / "index.html", "<p>the clinic's old site</p>\n")
    write(out / "about/index.html", "<p>about us</p>\n")
    before = tree_hash(out)
    result = cli(tiny, "--out", str(out))
    assert result.code == 1 and "is a folder that is not a relief bundle" in result.err
    assert tree_hash(out) == before


def test_an_output_folder_that_is_a_link_is_published_into_and_stays_a_link(tiny: Path, tmp_path: Path,
                                                                            cli: Callable[..., Run]) -> None:
    web_root = tmp_path / "srv/www"
    web_root.mkdir(parents=True)
    (tiny / "dist").symlink_to(web_root)
    for version in (1, 2):
        write(tiny / STRETCH, stretch_md(f"Chin tuck {version}", 30))
        assert cli(tiny).code == 0
        assert (tiny / "dist").is_symlink() and (tiny / "dist").resolve() == web_root
        assert f"Chin tuck {version}" in (web_root / "index.html").read_text(encoding="utf-8")


def test_a_lock_file_that_is_a_link_is_never_truncated(tiny: Path, tmp_path: Path, cli: Callable[..., Run]) -> None:
    assert cli(tiny).code == 0
    precious = write(tmp_path / "precious.txt", "do not truncate me\n")
    lock = tiny / ".dist.relief-lock"
    lock.unlink()
    lock.symlink_to(precious)
    result = cli(tiny)
    assert result.code == 1 and ".dist.relief-lock:1:1: error: cannot be used as the build's lock file" in result.err
    assert precious.read_text(encoding="utf-8") == "do not truncate me\n"


def test_a_killed_builds_pages_without_a_manifest_are_removed_and_dist_is_kept(tmp_path: Path) -> None:
    """Killed (SIGKILL) while its render workers were writing pages into the new bundle, before its manifest: the
    folder holds only pages that build wrote, dist/ is as it was, and the next build removes the folder."""
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import Shape, generate

    project = generate(tmp_path / "big", Shape(pages=6, groups=4, per_group=25))
    command = [sys.executable, str(ROOT / "build.py"), "--project", str(project), "--no-cache", "--jobs", "2"]
    subprocess.run(command, check=True, capture_output=True)
    before = tree_hash(project / "dist")
    template = project / "templates/page.html"  # every page changes, and each takes a while to render
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block main %}", "{% block main %}<p>Changed.</p>{% for _ in range(3000000) %}{% endfor %}", 1),
        encoding="utf-8")
    build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120  # a bound for a broken build, not a timing assertion
    staged: list[Path] = []
    while build.poll() is None and time.monotonic() < deadline and not staged:
        staged = [page for folder in project.glob(".dist.relief-new-*") for page in folder.glob("*/index.html")]
    build.kill()  # SIGKILL: its workers die with it
    build.wait()
    assert staged, "no page was seen in the new bundle before the build ended"
    left = list(project.glob(".dist.relief-new-*"))
    assert left and all(not (folder / MANIFEST).exists() for folder in left)
    assert tree_hash(project / "dist") == before
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% for _ in range(3000000) %}{% endfor %}", ""), encoding="utf-8")
    subprocess.run(command, check=True, capture_output=True)
    assert list(project.glob(".dist.relief-new-*")) == []
    assert "<p>Changed.</p>" in (project / "dist/index.html").read_text(encoding="utf-8")


def test_a_git_folder_left_in_a_killed_builds_staging_folder_is_put_back(tiny: Path, cli: Callable[..., Run]) -> None:
    """Killed after the kept files moved into the new bundle and before the swap: the next build restores them."""
    assert cli(tiny).code == 0
    kept = deploy_checkout(tiny / "dist")
    staging = tiny / ".dist.relief-new-killed"
    (staging / "assets").mkdir(parents=True)
    write(staging / MANIFEST, '{"generator": "relief", "files": ["index.html", "assets/css/style.css"]}\n')
    write(staging / "index.html", "<p>half a bundle</p>\n")
    (tiny / "dist/.git").rename(staging / ".git")
    (tiny / "dist/CNAME").rename(staging / "CNAME")
    assert cli(tiny).code == 0
    assert {p: d for p, d in tree_hash(tiny / "dist").items() if p.startswith((".git/", "CNAME"))} == kept
    assert not staging.exists()


def test_a_full_disk_is_one_line_about_the_disk_and_keeps_dist(tiny: Path, cli: Callable[..., Run],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli(tiny).code == 0
    before = tree_hash(tiny / "dist")
    write(tiny / STRETCH, stretch_md("Chin tuck, changed", 30))

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", full)
    result = cli(tiny)
    assert result.code == 1 and "Traceback" not in result.err and "bug in relief" not in result.err
    [message] = errors(result)
    # the tiny site's bundle is some 0.3 MB (its scripts and the plan maker among them)
    assert re.search(r"the disk is full: the bundle needs 0\.\d MB", message) and "dist/ was left as it was" in message
    assert tree_hash(tiny / "dist") == before


def test_a_mount_point_as_the_output_folder_is_refused_with_what_to_do(tiny: Path, cli: Callable[..., Run]) -> None:
    result = cli(tiny, "--out", "/proc")
    assert result.code == 1
    [message] = errors(result)
    assert message.startswith("/proc:1:1: error: is a mount point") and "--out /proc/site" in message


def test_a_picture_name_too_long_for_the_file_system_is_named(tiny: Path, cli: Callable[..., Run]) -> None:
    name = "p" * 245 + ".svg"  # fits the file system; with its hash in the bundle, it does not
    (tiny / "content/neck-relief/sitting/roll.svg").rename(tiny / f"content/neck-relief/sitting/{name}")
    write(tiny / "content/neck-relief/sitting/01-neck-roll.md",
          stretch_md("Neck roll", 45, image=name, alt="A person rolling the neck."))
    result = cli(tiny)
    assert result.code == 1 and "Traceback" not in result.err
    [message] = errors(result)
    assert "a file name is too long for this file system" in message and "shorten" in message
