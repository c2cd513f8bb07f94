"""A group's guided routine: every countdown it runs, in order, and the checks of the fields it is made of.

``plan`` (``relief.model``, where a group makes its own when a template asks) turns a group's
routine stretches into segments (get ready in the stretch's position, hold it or go on moving,
rest between repetitions, move to the next position, change sides). The page's "takes N
minutes" is their sum, worked out without making them (``relief.model.total``), and
``assets/js/routine.js`` runs exactly these segments (``templates/_group.html`` hands them over
as JSON), so the label and the routine cannot disagree (tests/test_routine_plan.py). ``problems``
checks one stretch file's timing fields: they must make one routine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..model import Position, Stretch, run_seconds
from .frontmatter import Located
from .schema import MAX_SECONDS

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
    """How long the routine runs a stretch of checked front matter ``values``, its get-ready countdown aside
    (``relief.model.run_seconds``: the sum of its segments, worked out without making them)."""
    return run_seconds(stretch_of(values))


def positions_of(values: dict[str, Any]) -> tuple[Position, ...]:
    # an entry the schema found wanting still counts (as nothing) here: its own error says what is missing
    return tuple(Position(p.get("name", ""), p.get("hold", 0), p.get("cue")) for p in values.get("positions", ()))


_NOWHERE = Path()  # the source of a stretch made only to be timed (one Path, not one a call)


def stretch_of(values: dict[str, Any], **known: Any) -> Stretch:
    """The stretch of checked front matter ``values``, with what only the loader knows (its id, body, ...)."""
    return Stretch(**{"id": "", "title": values.get("title", ""), "body_html": "", "body_text": "",
                      "source": _NOWHERE, **known},
                   position=values.get("position"), hold=values.get("hold"), duration=values.get("duration"),
                   positions=positions_of(values), reps=values.get("reps"), rest=values.get("rest"),
                   sides=values.get("sides", False), extra=values.get("extra", False),
                   caution=values.get("caution"), draft=values.get("draft", False))
