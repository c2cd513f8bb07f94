"""A group's guided routine, worked out once: every countdown it runs, in order.

``plan`` turns a group's routine stretches into segments (get ready in the stretch's
position, hold it or go on moving, rest between repetitions, move to the next position,
change sides). The page's "takes N
minutes" is their sum and ``assets/js/routine.js`` runs exactly these segments
(``templates/_group.html`` hands them over as JSON), so the label and the routine cannot
disagree. ``problems`` checks one stretch file's timing fields: they must make one routine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..model import PACE, Position, Segment, Stretch
from .frontmatter import Located
from .schema import MAX_SECONDS

# Seconds chosen for the clinician's review (README.md, "The guided routine"), kept in the model because the
# patient's view of a clinician's plan plans with the same numbers (relief/model.py, ``Pace``):
GET_READY = PACE.get_ready
CHANGE_POSITION = PACE.change_position
CHANGE_SIDE = PACE.change_side
NEXT_POSITION = PACE.next_position
SIDES = ("right", "left")
TIMINGS = ("hold", "duration", "positions")


def plan(routine: tuple[Stretch, ...]) -> tuple[Segment, ...]:
    """Every countdown of a group's routine, in order."""
    segments: list[Segment] = []
    before: str | None = None
    for index, stretch in enumerate(routine):
        changed = index == 0 or stretch.position is None or stretch.position != before
        segments.append(Segment("ready", stretch.id, CHANGE_POSITION if changed else GET_READY,
                                reps=stretch.reps or 1, side=SIDES[0] if stretch.sides else None,
                                posture=stretch.position, changed=changed))
        segments += _stretch(stretch)
        before = stretch.position
    return tuple(segments)


def _stretch(stretch: Stretch) -> Iterator[Segment]:
    reps = stretch.reps or 1
    holds = ([(p.name, p.hold, p.cue) for p in stretch.positions] if stretch.positions
             else [(None, stretch.hold or stretch.duration or 0, None)])
    kind = "go" if stretch.duration else "hold"  # a movement for a time, or a position held
    for side in SIDES if stretch.sides else (None,):
        if side == SIDES[1]:
            yield Segment("side", stretch.id, CHANGE_SIDE, reps=reps, side=side)
        for rep in range(1, reps + 1):
            if rep > 1 and stretch.rest:
                yield Segment("rest", stretch.id, stretch.rest, rep=rep, reps=reps, side=side)
            for number, (name, seconds, cue) in enumerate(holds):
                if number:
                    yield Segment("change", stretch.id, NEXT_POSITION, rep, reps, side, name, cue or name)
                yield Segment(kind, stretch.id, seconds, rep, reps, side, name)


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
    if not errors and all(name in values or name not in (doc.data or {}) for name in (*TIMINGS, "reps", "rest")):
        # every hold is a second or more: count them before working the stretch out
        if seconds(values) > MAX_SECONDS:
            errors.append(doc.error((), f"this stretch would take more than an hour ({MAX_SECONDS} seconds) in "
                                    "the routine; check 'reps', 'hold' and 'positions'"))
    return errors


def seconds(values: dict[str, Any]) -> int:
    """How long the routine runs a stretch of checked front matter ``values``: the sum of its segments
    (``_stretch``), worked out without making them (the loader checks every stretch file)."""
    reps, sides = values.get("reps") or 1, 2 if values.get("sides") else 1
    holds = [p.get("hold", 0) for p in values.get("positions", ())] or [values.get("hold") or values.get("duration") or 0]
    one_rep = sum(holds) + (len(holds) - 1) * NEXT_POSITION
    return sides * (reps * one_rep + (reps - 1) * (values.get("rest") or 0)) + (sides - 1) * CHANGE_SIDE


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
