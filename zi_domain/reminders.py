"""Which deadline reminders go out today: the reminder policy, worked out on a calendar.

Pure: the caller gives the open items, today and a working-day test; nothing is read or sent
here. Each reminder has a nominal day that the policy names (T−14, T−7, T−1, the day itself,
then every few days while the item is late) and a send day. With `skip_non_working_days` a
nominal day that is not a working day is sent on the previous working day, so a reminder is
early rather than unread over a weekend or a holiday. A late notice is the one exception: it
never goes out before the item is late, so when the previous working day is the due day or
earlier it goes out on the next working day instead.

Two nominal days of one item can land on the same send day (a deadline on a Sunday: T−1 on the
Saturday and the day itself both move to Friday). Reminders of different classes are both sent,
since they speak to different people or say different things: a heads-up ("before" and
"on_day", to the unit team), a late notice ("overdue") and an escalation (to the unit head and
the TPI). Within a class only the reminder whose nominal day is nearest the send day is kept (on
a tie, the later nominal day), so a team never gets two heads-ups about one item on one day.

Escalations are capped (`escalation_cap`, default 3): after that many an item gets no more daily
reminders and is shown only in the weekly digest and the TPI summary, so a long-late item does not
become a message every few days for months.

Days are counted on nominal days: the kind and `days` of a reminder never depend on the
holiday calendar, so its idempotency key does not change when that calendar does.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

from holidays.countries.indonesia import Indonesia

ReminderKind = Literal["before", "on_day", "overdue", "escalation"]
IsWorkingDay = Callable[[date], bool]

# Public holidays, and the cuti bersama (joint leave) that the government sets for civil
# servants: the recipients are ASN, and on cuti bersama their office inbox is as unread as on a
# holiday.
HOLIDAY_CATEGORIES = ("public", "government")

# How far to look for a working day before calling the calendar broken. The longest run of
# days off in an Indonesian year (Lebaran with its cuti bersama and two weekends) is about ten.
MAX_SHIFT_DAYS = 31

# Reminders of one class landing on one send day collapse into one (see the module docstring).
_CLASS: Mapping[ReminderKind, str] = MappingProxyType(
    {"before": "heads_up", "on_day": "heads_up", "overdue": "overdue", "escalation": "escalation"}
)


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders go out; the defaults are the issue's (T−14, T−7, T−1, the day, every 3
    days late, escalated from 7 days late and at most 3 times, never on a weekend or a
    holiday)."""

    before_days: tuple[int, ...] = (14, 7, 1, 0)
    overdue_every_days: int = 3
    escalate_after_days: int = 7
    skip_non_working_days: bool = True
    escalation_cap: int = 3

    def __post_init__(self) -> None:
        if any(d < 0 for d in self.before_days) or len(set(self.before_days)) != len(
            self.before_days
        ):
            raise ValueError(f"before_days must be distinct and ≥ 0: {self.before_days}")
        if self.overdue_every_days < 1:
            raise ValueError(f"overdue_every_days must be ≥ 1: {self.overdue_every_days}")
        if self.escalate_after_days < 1:
            raise ValueError(f"escalate_after_days must be ≥ 1: {self.escalate_after_days}")
        if self.escalation_cap < 0:
            raise ValueError(f"escalation_cap must be ≥ 0: {self.escalation_cap}")

    def escalation_number(self, late: int) -> int:
        """Which escalation a late notice `late` days after the due day is (1 for the first),
        or 0 when it is not an escalation."""
        if late < self.escalate_after_days:
            return 0
        first = math.ceil(self.escalate_after_days / self.overdue_every_days)
        return late // self.overdue_every_days - first + 1


DEFAULT_POLICY = ReminderPolicy()


@dataclass(frozen=True)
class DeadlineItem:
    """Something with a due date that a unit (or, with no unit, the whole instansi) must meet."""

    key: str  # stable id, e.g. "milestone:12", "work_item:345"; part of the idempotency key
    kind: str  # e.g. "work_plan", "proposal", "work_item", "lke_window" (see notifications)
    title: str  # from data, Indonesian
    due_on: date
    unit_id: int | None  # None: an instansi-wide deadline, such as the proposal deadline
    done: bool


@dataclass(frozen=True)
class DueReminder:
    """One reminder to send today; `days` and `nominal_on` are the policy's, `send_on` the
    working day it goes out."""

    item: DeadlineItem
    kind: ReminderKind
    days: int  # days before the due day ("before", "on_day"), or days late
    nominal_on: date
    send_on: date

    @property
    def days_left(self) -> int:
        """Days from the send day to the due day (negative when late): what the message says,
        true on the day it is read, even when the reminder was moved."""
        return (self.item.due_on - self.send_on).days


def reminders_due(
    items: Iterable[DeadlineItem],
    *,
    today: date,
    policy: ReminderPolicy = DEFAULT_POLICY,
    is_working_day: IsWorkingDay | None = None,
) -> list[DueReminder]:
    """The reminders to send on `today`, ordered by due day, item key and nominal day.

    The calendar is read once per call, not per item: the nominal days that land on `today` are
    today itself and the days off that follow it (moved back to today), and, for late notices
    only, the days off just before it (moved forward). A day on which the schedule does not run
    is not caught up later. `is_working_day` defaults to `indonesian_working_day`.
    """
    working = is_working_day or indonesian_working_day
    day = timedelta(days=1)
    if not policy.skip_non_working_days:
        window = _Window(today, today + day, today - day)
    elif working(today):
        window = _Window(
            today, _working_day_from(today, 1, working), _working_day_from(today, -1, working)
        )
    else:
        window = None  # nothing goes out on a day off
    found: list[DueReminder] = []
    seen: set[str] = set()
    for item in items:
        if item.key in seen:
            raise ValueError(f"deadline key {item.key!r} given twice")
        seen.add(item.key)
        if window is not None and not item.done:
            found.extend(_one_per_class(list(window.reminders(item, policy))))
    return sorted(found, key=lambda r: (r.item.due_on, r.item.key, r.nominal_on))


@dataclass(frozen=True)
class _Window:
    """The nominal days sent on `today`: [today, ahead) moved back (or not moved), and
    (behind, today) moved forward; `ahead` and `behind` are the working days around today."""

    today: date
    ahead: date
    behind: date

    def reminders(self, item: DeadlineItem, policy: ReminderPolicy) -> Iterator[DueReminder]:
        for days in policy.before_days:
            nominal = item.due_on - timedelta(days=days)
            if self.today <= nominal < self.ahead:
                yield self._reminder(item, "on_day" if days == 0 else "before", days, nominal)
        if self.today <= item.due_on:
            return  # a late notice goes out only once the item is late
        # Late by [late_from, late_until) days on the nominal day. When the working day before
        # today is the due day or earlier, the days off in between could not move back (not
        # late yet) and moved forward to today: every late day since the due day counts.
        late_from = 1 if self.behind <= item.due_on else (self.today - item.due_on).days
        late_until = (self.ahead - item.due_on).days
        every = policy.overdue_every_days
        for k in range(math.ceil(late_from / every), math.ceil(late_until / every)):
            late = k * every
            escalation = policy.escalation_number(late)
            if escalation > policy.escalation_cap:
                return  # from here on the item is only in the weekly digest
            kind: ReminderKind = "escalation" if escalation else "overdue"
            yield self._reminder(item, kind, late, item.due_on + timedelta(days=late))

    def _reminder(
        self, item: DeadlineItem, kind: ReminderKind, days: int, nominal: date
    ) -> DueReminder:
        return DueReminder(item=item, kind=kind, days=days, nominal_on=nominal, send_on=self.today)


def _one_per_class(reminders: list[DueReminder]) -> list[DueReminder]:
    """Of the reminders of one item and one send day, the nearest nominal day of each class."""
    kept: dict[str, DueReminder] = {}
    for reminder in reminders:
        cls = _CLASS[reminder.kind]
        if cls not in kept or _nearness(reminder) < _nearness(kept[cls]):
            kept[cls] = reminder
    return list(kept.values())


def _nearness(reminder: DueReminder) -> tuple[int, int]:
    return abs((reminder.nominal_on - reminder.send_on).days), -reminder.nominal_on.toordinal()


def indonesian_working_day(day: date) -> bool:
    """Monday to Friday, and neither an Indonesian public holiday nor a cuti bersama day."""
    return day.weekday() < 5 and day not in _holidays(day.year)


@functools.lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    """The year's holidays, computed once: the package builds them per year, slowly."""
    found = Indonesia(years=year, categories=HOLIDAY_CATEGORIES)
    return frozenset(found.keys())


def previous_working_day(day: date, is_working_day: IsWorkingDay | None = None) -> date:
    """The last working day strictly before `day` (by default an Indonesian working day)."""
    return _working_day_from(day, -1, is_working_day or indonesian_working_day)


def _working_day_from(day: date, step: int, is_working_day: IsWorkingDay) -> date:
    for distance in range(1, MAX_SHIFT_DAYS + 1):
        candidate = day + timedelta(days=step * distance)
        if is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {MAX_SHIFT_DAYS} days of {day.isoformat()}")
