"""A clinician's plan for one patient: what the plan maker (``plan/index.html``) offers and what the
patient's view of a plan link (``assets/js/plan-view.js`` on a page) needs to show and time it.

Pure, like the rest of ``render``. The plan itself is never in the bundle: the maker writes it into the
fragment of a link to a page (``#plan=1.``, then base64url of a small JSON array, README.md "A plan for one
patient"), which no browser sends to a server. So the page carries, as JSON, each stretch's timing facts,
the routine's pace and the limits a dose must keep: the view checks a link against them and plans its
countdowns with the same rules as ``relief.load.routine``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..model import PACE, Page, Stretch

PREFIX = "plan="  # the fragment of a plan link: #plan=<VERSION>.<base64url>
VERSION = 1


@dataclass(frozen=True, slots=True)
class Limits:
    """What a plan may ask for, chosen for a clinician's review (README.md lists them): the maker's number
    fields keep to them and a link outside them is refused as damaged."""

    seconds: tuple[int, int] = (1, 300)  # a hold, a movement or each position: up to 5 minutes
    reps: tuple[int, int] = (1, 30)
    per_day: tuple[int, int] = (1, 10)  # the page's own instructions say "as much as 10x/day"
    routine: int = 3600  # the whole routine of a plan, in seconds: an hour, as a group's stretch at most
    note: int = 500  # characters of the clinician's note
    name: int = 40  # characters of the patient's first name
    link: int = 6000  # characters of the fragment: more is not a link the maker made


LIMITS = Limits()


def kind(stretch: Stretch) -> str:
    """How a stretch is timed: "hold", "go" (a movement for a time), "positions" or "extra" (not timed)."""
    if stretch.positions:
        return "positions"
    if stretch.hold:
        return "hold"
    return "go" if stretch.duration else "extra"


def seconds(stretch: Stretch) -> list[int]:
    """The content's seconds of a stretch: one per position, else its hold or movement; none for an extra."""
    if stretch.positions:
        return [p.hold for p in stretch.positions]
    return [value for value in (stretch.hold or stretch.duration,) if value]


def facts(page: Page) -> dict[str, Any]:
    """What the patient's view of a plan on ``page`` needs, as plain JSON: every stretch by id (its group,
    timing and position), the routine's pace and the limits."""
    stretches: dict[str, dict[str, Any]] = {}
    for group in page.groups:
        for stretch in group.stretches:
            entry: dict[str, Any] = {"group": group.id, "kind": kind(stretch), "seconds": seconds(stretch),
                                     "reps": stretch.reps or 1, "sides": stretch.sides}
            if stretch.position:
                entry["position"] = stretch.position
            if stretch.rest:
                entry["rest"] = stretch.rest
            if stretch.positions:
                entry["names"] = [p.name for p in stretch.positions]
                entry["cues"] = [p.cue or p.name for p in stretch.positions]
            stretches[stretch.id] = entry
    return {"version": VERSION, "prefix": PREFIX, "pace": asdict(PACE), "limits": asdict(LIMITS),
            "stretches": stretches}


def prefilled(stretch: Stretch) -> dict[str, Any]:
    """The maker's starting dose of a stretch: the content's own, kept within the limits."""
    low, high = LIMITS.seconds
    reps_low, reps_high = LIMITS.reps
    return {"seconds": [min(high, max(low, value)) for value in seconds(stretch)],
            "reps": min(reps_high, max(reps_low, stretch.reps or 1)), "per_day": LIMITS.per_day[0]}
