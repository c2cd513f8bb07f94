"""A group's guided routine: every countdown it runs, in order, and the checks of the fields it is made of.

``plan`` (``relief.model``, where a group makes its own when a template asks) turns a group's
routine stretches into segments (get ready in the stretch's position, hold it or go on moving,
rest between repetitions, move to the next position, change sides). The page's "takes N
minutes" is their sum, worked out here without making them (``total``), and
``assets/js/routine.js`` runs exactly these segments (``templates/_group.html`` hands them over
as JSON), so the label and the routine cannot disagree (tests/test_routine_plan.py). ``problems``
checks one stretch file's timing fields: they must make one routine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..model import PACE, Position, Stretch
from ..model import plan as plan  # the segments live with the model: a group makes its own when asked
from .frontmatter import Located
from .schema import MAX_SECONDS

# Seconds chosen for the clinician's review (README.md, "The guided routine"), kept in the model because the
# patient's view of a clinician's plan plans with the same numbers (relief/model.py, ``Pace``):
GET_READY = PACE.get_ready
CHANGE_POSITION = PACE.change_position
CHANGE_SIDE = PACE.change_side
NEXT_POSITION = PACE.next_position
TIMINGS = ("hold", "duration", "positions")


def problems(values: dict[str, Any], doc: Located) -> list[ContentError]:
    """What is wrong with one stretch file's timing: a routine stretch needs exactly one of ``hold``,
    ``duration`` and ``positions``; ``rest`` needs ``reps``; the whole stretch takes at most an hour."""
    given = [name for name in TIMINGS if name in values or name in (doc.data or {})]
    errors: list[ContentError] = []
    if len(given) > 1:
        errors.append(doc.error((given[1],), f"give one of 'hold', 'duration' and 'positions', not both "
                                f"'{given[0]}' and '{given[1]}': the routine runs one of them"))
    elif not given and not values.get("extra"):
        errors.append(doc.error((), "a routine stretch needs 'hold:' (seconds to hold it), 'duration:' "
                                "(seconds of a movement) or 'positions:'; or set 'extra: true'"))
    if "positions" in values and len(values["positions"]) == 1:
        errors.append(doc.error(("positions",), "'positions' lists one position; give its seconds as "
                                "'hold:' instead, or list two or more"))
    if "rest" in values and values.get("reps", 1) < 2:
        errors.append(doc.error(("rest",), "'rest' is the pause between repetitions; give 'reps:' of 2 or "
                                "more, or remove 'rest'"))
    valid = not errors and all(name in values or name not in (doc.data or {}) for name in (*TIMINGS, "reps", "rest"))
    if valid and seconds(values) > MAX_SECONDS:
        errors.append(doc.error((), f"this stretch would take more than an hour ({MAX_SECONDS} seconds) in "
                                "the routine; check 'reps', 'hold' and 'positions'"))
    return errors


def seconds(values: dict[str, Any]) -> int:
    """How long the routine runs a stretch of checked front matter ``values``, its get-ready countdown aside:
    the sum of its segments (``relief.model.plan``), worked out without making them (the loader checks every
    file)."""
    holds = [p.get("hold", 0) for p in values.get("positions", ())]
    holds = holds or [values.get("hold") or values.get("duration") or 0]
    return _run(holds, values.get("reps") or 1, values.get("rest") or 0, bool(values.get("sides")))


def total(routine: tuple[Stretch, ...]) -> int:
    """How long a group's routine runs: the sum of its ``plan``, without making the plan (a big site's
    groups have a hundred thousand segments; the renderer makes each group's when its page asks)."""
    seconds, before = 0, None
    for index, stretch in enumerate(routine):
        changed = index == 0 or stretch.position is None or stretch.position != before
        holds = [p.hold for p in stretch.positions] or [stretch.hold or stretch.duration or 0]
        seconds += (CHANGE_POSITION if changed else GET_READY) + _run(holds, stretch.reps or 1, stretch.rest or 0,
                                                                      stretch.sides)
        before = stretch.position
    return seconds


def _run(holds: list[int], reps: int, rest: int, sides: bool) -> int:
    """The seconds of a stretch's segments (``relief.model.plan``): each repetition's holds and moves between
    positions, the rests between repetitions, all on each side with the change of side between."""
    one_rep = sum(holds) + (len(holds) - 1) * NEXT_POSITION
    each_side = reps * one_rep + (reps - 1) * rest
    return 2 * each_side + CHANGE_SIDE if sides else each_side


def positions_of(values: dict[str, Any]) -> tuple[Position, ...]:
    # an entry the schema found wanting still counts (as nothing) here: its own error says what is missing
    return tuple(Position(p.get("name", ""), p.get("hold", 0), p.get("cue")) for p in values.get("positions", ()))


def stretch_of(values: dict[str, Any], **known: Any) -> Stretch:
    """The stretch of checked front matter ``values``, with what only the loader knows (its id, body, ...)."""
    return Stretch(**{"id": "", "title": values.get("title", ""), "body_html": "", "body_text": "",
                      "source": Path(), **known},
                   position=values.get("position"), hold=values.get("hold"), duration=values.get("duration"),
                   positions=positions_of(values), reps=values.get("reps"), rest=values.get("rest"),
                   sides=values.get("sides", False), extra=values.get("extra", False),
                   caution=values.get("caution"), draft=values.get("draft", False))
