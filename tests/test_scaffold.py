"""``relief new``: scaffolded stretches and pages build, explain themselves, and never overwrite."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, write

from relief.load.schema import STRETCH


def test_new_stretch_gets_the_next_number_a_title_and_every_field_explained(tiny: Path, cli) -> None:
    result = cli(tiny, "new", "neck-relief/sitting/doorway-stretch")

    path = tiny / "content/neck-relief/sitting/04-doorway-stretch.md"
    assert result.code == 0, result.err
    assert "content/neck-relief/sitting/04-doorway-stretch.md" in result.out
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Doorway stretch ")
    for key, spec in STRETCH.items():
        assert f"{key}:" in text and spec.help in text, key
    assert "\n# image: " in text and "\n# alt: " in text
    assert "\n1. " in text.split("---")[-1]


def test_a_new_stretch_is_a_draft_shown_in_preview_and_left_out_of_the_published_site(tiny: Path, cli) -> None:
    cli(tiny, "new", "neck-relief/sitting/doorway-stretch")

    result = cli(tiny, "build", "--strict")

    assert result.code == 0, result.err
    assert "Doorway stretch" not in (tiny / "dist/index.html").read_text(encoding="utf-8")
    assert cli(tiny, "build", "--drafts", "--strict").code == 0
    assert "Doorway stretch" in (tiny / "dist/index.html").read_text(encoding="utf-8")


def test_numbers_follow_the_highest_in_the_group_with_two_digits(tiny: Path, cli) -> None:
    write(tiny / "content/neck-relief/sitting/09-side-bend.md", "---\ntitle: Side bend\nduration: 20\n---\n1. Bend.\n")

    cli(tiny, "new", "neck-relief/sitting/doorway-stretch")

    assert (tiny / "content/neck-relief/sitting/10-doorway-stretch.md").is_file()


def test_a_title_that_yaml_would_read_as_a_number_stays_text(tiny: Path, cli) -> None:
    assert cli(tiny, "new", "neck-relief/sitting/90").code == 0
    assert cli(tiny, "build", "--drafts").code == 0


def test_new_refuses_to_overwrite_or_duplicate_a_stretch_name(tiny: Path, cli) -> None:
    before = (tiny / "content/neck-relief/sitting/02-chin-tuck.md").read_bytes()

    result = cli(tiny, "new", "neck-relief/sitting/chin-tuck")

    assert result.code == 1
    assert "already has a stretch 'chin-tuck'" in result.err and "02-chin-tuck.md" in result.err
    assert (tiny / "content/neck-relief/sitting/02-chin-tuck.md").read_bytes() == before
    assert sorted(p.name for p in (tiny / "content/neck-relief/sitting").glob("*.md")) == [
        "01-neck-roll.md", "02-chin-tuck.md", "03-shoulder-drop.md"]


@pytest.mark.parametrize(("target", "message"), [
    ("no-such-page/sitting/neck-tilt", "there is no page 'no-such-page'"),
    ("neck-relief/standing/neck-tilt", "has no group 'standing'; its groups: sitting"),
    ("neck-relief/sitting/Neck Tilt", "e.g. neck-tilt"),
    ("neck-relief/sitting", "neither PAGE nor PAGE/GROUP/NAME"),
])
def test_new_refuses_an_unknown_page_group_or_bad_name_as_wrong_usage(tiny: Path, cli, target: str,
                                                                        message: str) -> None:
    before = sorted(p.relative_to(tiny) for p in (tiny / "content").rglob("*"))

    result = cli(tiny, "new", target)

    assert result.code == 2
    assert message in result.err
    assert sorted(p.relative_to(tiny) for p in (tiny / "content").rglob("*")) == before


def test_new_page_scaffolds_a_page_with_one_group_that_builds(tiny: Path, cli) -> None:
    result = cli(tiny, "new", "back-care")

    assert result.code == 0, result.err
    page = (tiny / "content/back-care/_page.md").read_text(encoding="utf-8")
    assert "title: Back care " in page and "# reviewed_by:" in page
    assert (tiny / "content/back-care/routine/01-first-stretch.md").is_file()
    assert "\ndraft: true " in page
    assert cli(tiny, "build", "--strict").code == 0
    assert not (tiny / "dist/back-care").exists()  # a draft, with the texts to replace still in it
    assert cli(tiny, "build", "--strict", "--drafts").code == 0
    assert "Back care" in (tiny / "dist/back-care/index.html").read_text(encoding="utf-8")
    assert cli(tiny, "new", "back-care/routine/neck-tilt").code == 0
    assert cli(tiny, "new", "back-care").code == 1


def test_the_relief_console_script_runs_the_same_commands(capsys: pytest.CaptureFixture[str]) -> None:
    target = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["relief"]
    module, _, name = target.partition(":")
    main = getattr(importlib.import_module(module), name)

    for command in ("serve", "new"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        assert f"usage: relief {command}" in capsys.readouterr().out
