"""The milestone calendar of a ZI year, made from a template of month-day dates.

A declaration for year Y creates the year's milestones (designation, work plan, self-surveys,
TPI monitoring rounds, internal evaluation, proposal deadline) from the template, so that an
instansi changes its calendar by changing data, not code.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MilestoneTemplate:
    kind: str
    title: str
    month: int
    day: int


@dataclass(frozen=True)
class Milestone:
    kind: str
    title: str
    due_on: date


def milestones_for(year: int, template: tuple[MilestoneTemplate, ...]) -> list[Milestone]:
    """The template's milestones in `year`, in date order; 29 February falls on the 28th."""
    found = [
        Milestone(kind=m.kind, title=m.title, due_on=_day_in(year, m.month, m.day))
        for m in template
    ]
    return sorted(found, key=lambda m: (m.due_on, m.kind))


def _day_in(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
