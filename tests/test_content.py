"""Loading content: the schema, errors with file positions, and encodings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import stretch_md, tree_hash, write

from relief.errors import BuildFailed
from relief.load import load_site

STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"


def errors_of(project: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        load_site(project)
    return [e.format(project) for e in failed.value.errors]


def test_broken_yaml_is_reported_at_its_line_in_the_file(tiny: Path, cli) -> None:
    assert cli(tiny).code == 0
    before = tree_hash(tiny / "dist")
    # line 1 '---', 2 title, 3 duration, 4 the broken line
    write(tiny / STRETCH, "---\ntitle: Chin tuck\nduration: 30\nhold: [5, 6\n---\n1. Tuck.\n")
    result = cli(tiny)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if ": error: " in line]
    assert len(lines) == 1
    assert re.match(rf"{STRETCH}:4:7: error: YAML error: while parsing a flow sequence", lines[0])
    assert tree_hash(tiny / "dist") == before


def test_yaml_error_line_counts_from_the_file_not_the_front_matter(tiny: Path) -> None:
    write(tiny / STRETCH, "---\ntitle: Chin tuck\nduration: 30\nhold: 5: 6\n---\n1. Tuck.\n")
    [message] = errors_of(tiny)
    assert message.startswith(f"{STRETCH}:4:")


def test_three_mistakes_in_three_files_are_reported_in_one_run(tiny: Path, cli) -> None:
    assert cli(tiny).code == 0
    before = tree_hash(tiny / "dist")
    write(tiny / STRETCH, stretch_md("Chin tuck", duration="'thirty'"))
    write(tiny / "content/neck-relief/sitting/01-neck-roll.md", stretch_md("Neck roll", 30, titel="x"))
    write(tiny / "content/neck-relief/sitting/03-shoulder-drop.md", "---\nduration: 10\n---\nbody\n")
    result = cli(tiny)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert len(errors) == 3
    assert any(e.startswith(f"{STRETCH}:3:1: error: 'duration' must be a whole number") for e in errors)
    assert any("01-neck-roll.md:4:1: error: unknown key 'titel'" in e and "did you mean 'title'?" in e
               for e in errors)
    assert any("03-shoulder-drop.md:2:1: error:" in e and "missing 'title'" in e for e in errors)
    assert tree_hash(tiny / "dist") == before


def test_unknown_key_suggests_the_closest_field(tiny: Path) -> None:
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, duraton=5))
    [message] = errors_of(tiny)
    assert "unknown key 'duraton'" in message and "did you mean 'duration'?" in message


def test_routine_stretch_needs_a_hold_a_duration_or_positions_but_an_extra_does_not(tiny: Path) -> None:
    write(tiny / STRETCH, stretch_md("Chin tuck", None))
    [message] = errors_of(tiny)
    assert message.startswith(f"{STRETCH}:2:1:") and "needs 'hold:'" in message and "'positions:'" in message


def test_bom_and_crlf_files_just_work(tiny: Path) -> None:
    text = stretch_md("Chin tuck", 30, body="1. Tuck the chin.\n2. Hold it.").replace("\n", "\r\n")
    (tiny / STRETCH).write_bytes(b"\xef\xbb\xbf" + text.encode())
    site, warnings = load_site(tiny)
    stretch = next(s for s in site.pages[0].stretches if s.id == "chin-tuck")
    assert stretch.title == "Chin tuck" and stretch.duration == 30
    assert "<li>Hold it.</li>" in stretch.body_html
    assert not warnings


def test_group_time_is_the_sum_of_its_routine_plan(tiny: Path) -> None:
    site, _ = load_site(tiny)
    [group] = site.pages[0].groups
    # neck roll: 20 s into position, 45 s; chin tuck (no position given: counted as a change): 20 s, 3 x 5 s
    assert (group.seconds, group.minutes, group.label_seconds) == (100, 2, 100)
    assert group.seconds == sum(segment.seconds for segment in group.plan)
    assert [s.id for s in group.routine] == ["neck-roll", "chin-tuck"]
    assert [s.id for s in group.extras] == ["shoulder-drop"]


def test_stretches_are_ordered_by_file_name(tiny: Path) -> None:
    (tiny / "content/neck-relief/sitting/01-neck-roll.md").rename(tiny / "content/neck-relief/sitting/09-neck-roll.md")
    site, _ = load_site(tiny)
    assert [s.id for s in site.pages[0].groups[0].routine] == ["chin-tuck", "neck-roll"]


def test_image_size_is_read_from_the_file(tiny: Path) -> None:
    site, _ = load_site(tiny)
    image = site.pages[0].groups[0].routine[0].image
    assert image is not None and (image.width, image.height) == (120, 90)
    assert image.logical == "media/neck-relief/sitting/roll.svg"
