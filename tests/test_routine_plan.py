"""The guided routine's plan: the timing fields of a stretch, checked; the countdowns they make; the
group's time that is their sum; the doses and steps of the shipped page (issues 14 and 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, stretch_md, write

from relief.errors import BuildFailed
from relief.load import load_site
from relief.load.routine import seconds, stretch_of
from relief.model import PACE, plan

GET_READY, CHANGE_POSITION, CHANGE_SIDE, NEXT_POSITION = (PACE.get_ready, PACE.change_position, PACE.change_side,
                                                       PACE.next_position)

STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"
PAGE = "content/neck-relief/_page.md"


def errors_of(project: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        load_site(project)
    return [e.format(project) for e in failed.value.errors]


@pytest.mark.parametrize(("front", "where", "message"), [
    ("hold: 5\nduration: 30", "4:1", "give one of 'hold', 'duration' and 'positions', not both 'hold' and 'duration'"),
    ("positions:\n  - name: up\n    hold: 5", "3:1", "'positions' lists one position; give its seconds as 'hold:'"),
    ("hold: 5\nrest: 3", "4:1", "'rest' is the pause between repetitions; give 'reps:' of 2 or more"),
    ("hold: 5\nposition: kneeling", "4:1",
     "'position' must be one of sitting, standing, on-back, face-down, all-fours"),
    ("positions:\n  - name: up\n  - name: down\n    hold: 5", "4:5", "entry 1 of 'positions' is missing 'hold'"),
    ("positions:\n  - name: up\n    hold: 5\n    cues: Up.\n  - name: down\n    hold: 5", "6:5",
     "unknown key 'cues' in entry 1 of 'positions'; did you mean 'cue'?"),
    ("hold: 60\nreps: 100", "2:1", "this stretch would take more than an hour (3600 seconds) in the routine"),
    ("reps: 1000\npositions:" + "\n  - name: a\n    hold: 1" * 50, "2:1", "more than an hour"),
    ("hold: 5\nsides: yes please", "4:1", "'sides' must be true or false"),
])
def test_timing_fields_that_do_not_make_one_routine_are_errors_at_their_line(
        tiny: Path, front: str, where: str, message: str) -> None:
    write(tiny / STRETCH, f"---\ntitle: Chin tuck\n{front}\n---\n1. Tuck.\n")
    [error] = errors_of(tiny)
    assert error.startswith(f"{STRETCH}:{where}: error: ") and message in error, error


def test_a_routine_of_positions_reps_rests_and_sides_runs_each_in_turn(tiny: Path) -> None:
    write(tiny / "content/neck-relief/sitting/01-neck-roll.md",
          stretch_md("Neck roll", None, hold=20, position="sitting"))
    write(tiny / STRETCH, "---\ntitle: Chin tuck\nposition: sitting\nsides: true\nreps: 2\nrest: 3\npositions:\n"
          "  - name: chin in\n    hold: 5\n  - name: chin down\n    hold: 6\n    cue: Now drop the chin.\n"
          "---\n1. Tuck.\n")
    site, _ = load_site(tiny)
    [group] = site.pages[0].groups
    steps = [(s.kind, s.seconds, s.rep, s.side, s.name) for s in group.plan if s.stretch == "chin-tuck"]
    one_side = [("hold", 5, 1, "right", "chin in"), ("change", NEXT_POSITION, 1, "right", "chin down"),
                ("hold", 6, 1, "right", "chin down"), ("rest", 3, 2, "right", None),
                ("hold", 5, 2, "right", "chin in"), ("change", NEXT_POSITION, 2, "right", "chin down"),
                ("hold", 6, 2, "right", "chin down")]
    left = [(kind, seconds, rep, "left", name) for kind, seconds, rep, _, name in one_side]
    assert steps == [("ready", GET_READY, 1, "right", None), *one_side, ("side", CHANGE_SIDE, 1, "left", None), *left]
    assert next(s.cue for s in group.plan if s.kind == "change") == "Now drop the chin."
    assert group.plan[0].kind == "ready" and group.plan[0].seconds == CHANGE_POSITION and group.plan[0].changed
    assert group.seconds == sum(s.seconds for s in group.plan) == CHANGE_POSITION + 20 + GET_READY + 2 * (
        2 * (5 + NEXT_POSITION + 6) + 3) + CHANGE_SIDE


@pytest.mark.parametrize("timing", [{"hold": 30}, {"duration": 45}, {"positions": [{"name": "up", "hold": 5},
                                     {"name": "down", "hold": 7}, {"name": "side", "hold": 3}]}, {}])
@pytest.mark.parametrize("reps", [None, 1, 3])
@pytest.mark.parametrize("rest", [None, 4])
@pytest.mark.parametrize("sides", [False, True])
def test_the_seconds_the_loader_checks_are_those_the_routine_runs(timing: dict, reps: int | None, rest: int | None,
                                                                   sides: bool) -> None:
    """The hour limit is checked on every stretch by arithmetic (``seconds``): it must be the sum of the
    segments that ``plan`` makes for the stretch, less its get-ready countdown."""
    values = {"title": "T", **timing, "sides": sides, **({"reps": reps} if reps else {}),
              **({"rest": rest} if rest and reps and reps > 1 else {})}
    segments = plan((stretch_of(values, id="t"),))
    assert seconds(values) == sum(s.seconds for s in segments if s.kind != "ready")
    assert seconds(values) > 0 or not timing


def test_the_shipped_groups_take_the_seeds_2_4_and_4_minutes_within_5_percent() -> None:
    site, _ = load_site(ROOT)
    groups = site.pages[0].groups
    assert [(g.id, g.label_seconds) for g in groups] == [("sitting", 120), ("lying-down", 240), ("standing", 240)]
    for group in groups:
        assert abs(group.seconds - group.label_seconds) <= 0.05 * group.label_seconds
        assert group.seconds == sum(segment.seconds for segment in group.plan)
        assert all(stretch.position for stretch in group.routine)


def test_a_group_tip_is_checked_and_shown_under_its_heading(tiny: Path, cli) -> None:
    page = (tiny / PAGE).read_text(encoding="utf-8")
    write(tiny / PAGE, page.replace("    extra_title: Add this whenever sitting\n",
                                    "    extra_title: Add this whenever sitting\n    tip: [roll, over]\n"))
    [error] = errors_of(tiny)
    assert error.startswith(f"{PAGE}:9:5: error: 'tip' must be non-empty text")
    write(tiny / PAGE, page.replace("    extra_title: Add this whenever sitting\n",
                                    "    extra_title: Add this whenever sitting\n    tip: Sit near a wall.\n"))
    assert cli(tiny).code == 0
    html = (tiny / "dist/index.html").read_text(encoding="utf-8")
    assert '<p class="group-tip">Sit near a wall.</p>' in html


SHIPPED = sorted((ROOT / "content").glob("*/*/*.md"))
# a step that says to hold, and the seconds it gives, in each shipped language (the .es.md translations)
_HOLD = {"en": (re.compile(r"\bhold\b", re.I), re.compile(r"(\d+) seconds?")),
         "es": (re.compile(r"\bmantenga\b", re.I), re.compile(r"(\d+) segundos?"))}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_step_that_says_hold_gives_the_seconds_of_its_front_matter(path: Path) -> None:
    site, _ = load_site(ROOT)
    language = path.suffixes[0].lstrip(".") if len(path.suffixes) > 1 else "en"
    edition = next(e for e in site.editions if e.language == language)
    stretch = next(s for s in edition.pages[0].stretches if s.source == path)
    holds = {p.hold for p in stretch.positions} | {stretch.hold, stretch.rest} - {None}
    says_hold, seconds = _HOLD[language]
    for step in re.findall(r"<li>(.*?)</li>", stretch.body_html, re.S):
        if says_hold.search(step) and not stretch.extra:
            said = {int(n) for n in seconds.findall(step)}
            assert said and said <= holds, f"{path.name}: '{step}' gives no time or another one than {holds}"
    assert not re.search(r"hold position\.", stretch.body_text, re.I), "a 'hold position' without a time"


def test_the_lying_group_has_a_tip_for_getting_down_to_the_floor_and_up_again() -> None:
    site, _ = load_site(ROOT)
    lying = next(g for g in site.pages[0].groups if g.id == "lying-down")
    assert lying.tip and "Getting down" in lying.tip and "Getting up" in lying.tip
