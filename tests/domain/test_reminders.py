"""The reminder policy, checked against calendars worked out by hand.

Each test walks the days of a stretch of the calendar, asks which reminders go out on each day,
and compares with the list written below it. The Indonesian calendars used (from the `holidays`
package; * marks a day off):

    Jul 2027   Mo Tu We Th Fr Sa Su
                           1  2  3* 4*
                  5  6  7  8  9 10*11*
                 12 13 14 15 16 17*18*
                 19 20 21 22 23 24*25*
                 26 27 28 29 30 31*
    Aug 2027                        1*
                  2  3  4  5  6  7* 8*
                  9 10 11 12 13 14*15*
                 16 17*18 19 20 21*22*    (17 Aug: Hari Kemerdekaan)
    Dec 2025     22 23 24 25*26*27*28*    (25 Dec: Natal; 26 Dec: cuti bersama Natal)
                 29 30 31
    Mon 31 May 2027, Tue 1 Jun 2027* (Hari Lahir Pancasila)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from zi_domain.reminders import (
    DEFAULT_POLICY,
    DeadlineItem,
    DueReminder,
    ReminderPolicy,
    indonesian_working_day,
    previous_working_day,
    reminders_due,
)

Send = tuple[date, str, int]  # (send day, kind, days)


def item(due_on: date, *, key: str = "work_item:1", done: bool = False) -> DeadlineItem:
    return DeadlineItem(
        key=key, kind="work_item", title="Butir", due_on=due_on, unit_id=7, done=done
    )


def walk(
    items: list[DeadlineItem],
    first: date,
    last: date,
    policy: ReminderPolicy = DEFAULT_POLICY,
    is_working_day: Callable[[date], bool] | None = None,
) -> list[Send]:
    """Every reminder sent from `first` to `last`, as the daily run would find them."""
    sent: list[Send] = []
    day = first
    while day <= last:
        found = reminders_due(items, today=day, policy=policy, is_working_day=is_working_day)
        for reminder in found:
            assert reminder.send_on == day
            sent.append((day, reminder.kind, reminder.days))
        day += timedelta(days=1)
    return sent


def test_before_the_deadline_on_working_days() -> None:
    # Due Wednesday 28 July 2027: T−14, T−7, T−1 and the day are all working days.
    assert walk([item(date(2027, 7, 28))], date(2027, 7, 1), date(2027, 7, 28)) == [
        (date(2027, 7, 14), "before", 14),
        (date(2027, 7, 21), "before", 7),
        (date(2027, 7, 27), "before", 1),
        (date(2027, 7, 28), "on_day", 0),
    ]


def test_a_reminder_due_on_a_saturday_goes_out_the_friday_before() -> None:
    # Due Tuesday 27 July 2027, three days ahead: Saturday 24 July, so Friday 23 July.
    policy = ReminderPolicy(before_days=(3,))
    found = reminders_due([item(date(2027, 7, 27))], today=date(2027, 7, 23), policy=policy)
    assert found == [
        DueReminder(
            item=item(date(2027, 7, 27)),
            kind="before",
            days=3,
            nominal_on=date(2027, 7, 24),
            send_on=date(2027, 7, 23),
        )
    ]
    assert found[0].days_left == 4  # what the message says: true on the Friday
    assert reminders_due([item(date(2027, 7, 27))], today=date(2027, 7, 24), policy=policy) == []


def test_without_skipping_a_saturday_reminder_goes_out_on_saturday() -> None:
    policy = ReminderPolicy(before_days=(3,), skip_non_working_days=False)
    assert walk([item(date(2027, 7, 27))], date(2027, 7, 20), date(2027, 7, 27), policy) == [
        (date(2027, 7, 24), "before", 3),
    ]


def test_a_sunday_deadline_gets_one_heads_up_on_the_friday() -> None:
    # Due Sunday 1 August 2027. T−14 (Sun 18 Jul) and T−7 (Sun 25 Jul) move to the Fridays.
    # T−1 (Sat 31 Jul) and the day (Sun 1 Aug) both move to Friday 30 July; both are heads-ups,
    # so only the one whose nominal day is nearer the Friday is sent: T−1.
    assert walk([item(date(2027, 8, 1))], date(2027, 7, 1), date(2027, 8, 1)) == [
        (date(2027, 7, 16), "before", 14),
        (date(2027, 7, 23), "before", 7),
        (date(2027, 7, 30), "before", 1),
    ]


def test_independence_day_moves_a_reminder_to_the_previous_working_day() -> None:
    # Due Wednesday 18 August 2027; T−1 is Tuesday 17 August, a holiday: Monday 16 August.
    assert walk([item(date(2027, 8, 18))], date(2027, 8, 1), date(2027, 8, 18)) == [
        (date(2027, 8, 4), "before", 14),
        (date(2027, 8, 11), "before", 7),
        (date(2027, 8, 16), "before", 1),
        (date(2027, 8, 18), "on_day", 0),
    ]


@pytest.mark.parametrize(
    ("due_on", "send_on"),
    [
        (date(2027, 6, 1), date(2027, 5, 31)),  # Hari Lahir Pancasila, a Tuesday: Monday
        (date(2027, 8, 17), date(2027, 8, 16)),  # Hari Kemerdekaan, a Tuesday: Monday
        (date(2025, 12, 25), date(2025, 12, 24)),  # Natal, a Thursday: Wednesday
        (date(2025, 12, 26), date(2025, 12, 24)),  # cuti bersama, then Natal: Wednesday
    ],
)
def test_a_deadline_on_a_holiday_is_reminded_on_the_previous_working_day(
    due_on: date, send_on: date
) -> None:
    policy = ReminderPolicy(before_days=(0,))
    assert walk([item(due_on)], due_on - timedelta(days=7), due_on, policy) == [
        (send_on, "on_day", 0)
    ]


def test_overdue_every_three_days_then_escalated() -> None:
    # Due Monday 5 July 2027. Late by 3 (Thu 8 Jul), 6 (Sun 11 Jul: Fri 9 Jul), then from 7
    # days late each notice is an escalation: 9 (Wed 14 Jul), 12 (Sat 17 Jul: Fri 16 Jul),
    # 15 (Tue 20 Jul), 18 (Fri 23 Jul), 21 (Mon 26 Jul), 24 (Thu 29 Jul), with no cap.
    policy = ReminderPolicy(escalation_cap=100)
    assert walk([item(date(2027, 7, 5))], date(2027, 7, 6), date(2027, 7, 29), policy) == [
        (date(2027, 7, 8), "overdue", 3),
        (date(2027, 7, 9), "overdue", 6),
        (date(2027, 7, 14), "escalation", 9),
        (date(2027, 7, 16), "escalation", 12),
        (date(2027, 7, 20), "escalation", 15),
        (date(2027, 7, 23), "escalation", 18),
        (date(2027, 7, 26), "escalation", 21),
        (date(2027, 7, 29), "escalation", 24),
    ]


def test_escalations_stop_after_the_cap() -> None:
    # The same item with the default cap of 3: escalations at 9, 12 and 15 days late, then none
    # (the item stays in the weekly digest); a cap of 1 keeps only the first, 0 none at all.
    due, until = date(2027, 7, 5), date(2027, 9, 30)
    late_notices = [
        (date(2027, 7, 8), "overdue", 3),
        (date(2027, 7, 9), "overdue", 6),
    ]
    escalations = [
        (date(2027, 7, 14), "escalation", 9),
        (date(2027, 7, 16), "escalation", 12),
        (date(2027, 7, 20), "escalation", 15),
    ]
    assert walk([item(due)], date(2027, 7, 6), until) == late_notices + escalations
    capped = ReminderPolicy(escalation_cap=1)
    assert walk([item(due)], date(2027, 7, 6), until, capped) == late_notices + escalations[:1]
    none = ReminderPolicy(escalation_cap=0)
    assert walk([item(due)], date(2027, 7, 6), until, none) == late_notices


def test_escalation_from_the_seventh_day_late() -> None:
    policy = ReminderPolicy(
        before_days=(), overdue_every_days=1, skip_non_working_days=False, escalation_cap=2
    )
    due = date(2027, 7, 5)
    assert walk([item(due)], due, due + timedelta(days=8), policy) == [
        (due + timedelta(days=n), "overdue", n) for n in range(1, 7)
    ] + [(due + timedelta(days=n), "escalation", n) for n in (7, 8)]


def test_a_late_notice_never_goes_out_before_the_item_is_late() -> None:
    # Due Friday 23 July 2027, a notice every day late. Saturday's and Sunday's would move back
    # to the Friday, the due day itself: they go forward to Monday 26 July instead, where Monday's
    # own notice (3 days late) is the nearest of the three and the only one sent.
    policy = ReminderPolicy(before_days=(), overdue_every_days=1)
    assert walk([item(date(2027, 7, 23))], date(2027, 7, 23), date(2027, 7, 27), policy) == [
        (date(2027, 7, 26), "overdue", 3),
        (date(2027, 7, 27), "overdue", 4),
    ]


def test_christmas_folds_two_late_notices_into_one() -> None:
    # Due Monday 22 December 2025. 3 days late is Thu 25 Dec (Natal): Wed 24 Dec. 6 days late is
    # Sun 28 Dec; Sat 27, Fri 26 (cuti bersama) and Thu 25 are off too: also Wed 24 Dec, where
    # the notice for 3 days late is nearer its own day and is the one sent. 9 days late is
    # Wed 31 Dec, an escalation.
    assert walk([item(date(2025, 12, 22))], date(2025, 12, 23), date(2025, 12, 31)) == [
        (date(2025, 12, 24), "overdue", 3),
        (date(2025, 12, 31), "escalation", 9),
    ]


def test_overdue_and_escalation_on_one_day_are_both_sent() -> None:
    # A made-up calendar: every day works but 12 to 14 July. Due 5 July: 3 days late on 8 July,
    # 6 days late on 11 July, and 9 days late (an escalation) on 14 July, which is off, so back
    # to 11 July too. A late notice to the team and an escalation to the unit head and the TPI
    # are not the same message: both go out.
    off = {date(2027, 7, 12), date(2027, 7, 13), date(2027, 7, 14)}

    def working(day: date) -> bool:
        return day not in off

    sent = walk(
        [item(date(2027, 7, 5))], date(2027, 7, 6), date(2027, 7, 15), DEFAULT_POLICY, working
    )
    assert sent == [
        (date(2027, 7, 8), "overdue", 3),
        (date(2027, 7, 11), "overdue", 6),
        (date(2027, 7, 11), "escalation", 9),
    ]


def test_done_items_send_nothing() -> None:
    done = [item(date(2027, 7, 28), done=True), item(date(2027, 7, 5), key="m:2", done=True)]
    assert walk(done, date(2027, 7, 1), date(2027, 8, 20)) == []


def test_order_is_by_due_day_then_key() -> None:
    items = [
        item(date(2027, 7, 29), key="work_item:b"),
        item(date(2027, 7, 28), key="work_item:z"),
        item(date(2027, 7, 28), key="milestone:a"),
    ]
    found = reminders_due(items, today=date(2027, 7, 28))
    assert [(r.item.key, r.kind) for r in found] == [
        ("milestone:a", "on_day"),
        ("work_item:z", "on_day"),
        ("work_item:b", "before"),
    ]


def test_an_item_late_for_years_is_reminded_only_without_a_cap() -> None:
    uncapped = ReminderPolicy(skip_non_working_days=False, escalation_cap=1000)
    due = date(2027, 7, 5)
    found = reminders_due([item(due)], today=due + timedelta(days=600), policy=uncapped)
    assert [(r.kind, r.days) for r in found] == [("escalation", 600)]
    capped = ReminderPolicy(skip_non_working_days=False)
    assert reminders_due([item(due)], today=due + timedelta(days=600), policy=capped) == []


def test_the_indonesian_working_day() -> None:
    assert indonesian_working_day(date(2027, 7, 30))  # Friday
    assert not indonesian_working_day(date(2027, 7, 31))  # Saturday
    assert not indonesian_working_day(date(2027, 8, 1))  # Sunday
    assert not indonesian_working_day(date(2027, 8, 17))  # Hari Kemerdekaan
    assert not indonesian_working_day(date(2027, 6, 1))  # Hari Lahir Pancasila
    assert not indonesian_working_day(date(2025, 12, 25))  # Natal
    assert not indonesian_working_day(date(2025, 12, 26))  # cuti bersama Natal
    assert previous_working_day(date(2027, 8, 18)) == date(2027, 8, 16)
    assert previous_working_day(date(2027, 8, 2)) == date(2027, 7, 30)
    assert previous_working_day(date(2025, 12, 29)) == date(2025, 12, 24)


def test_a_key_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="given twice"):
        reminders_due([item(date(2027, 7, 28)), item(date(2027, 7, 29))], today=date(2027, 7, 1))


@pytest.mark.parametrize(
    "settings",
    [
        {"before_days": (7, 7)},
        {"before_days": (-1,)},
        {"overdue_every_days": 0},
        {"escalate_after_days": 0},
        {"escalation_cap": -1},
    ],
)
def test_a_nonsensical_policy_is_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ReminderPolicy(**settings)  # type: ignore[arg-type]


def _moved(nominal: date, due_on: date, late: bool, policy: ReminderPolicy) -> date:
    """The send day of one nominal day, worked out the plain way: back to the previous working
    day, or, for a late notice that would then not be late yet, forward to the next one."""
    if not policy.skip_non_working_days or indonesian_working_day(nominal):
        return nominal
    send_on = previous_working_day(nominal)
    if late and send_on <= due_on:
        send_on = nominal + timedelta(days=1)
        while not indonesian_working_day(send_on):
            send_on += timedelta(days=1)
    return send_on


def _planned(due_on: date, policy: ReminderPolicy, last: date) -> list[Send]:
    """Every nominal day of an item moved on its own, then one per class and send day kept."""
    nominal: list[tuple[str, int, date]] = [
        ("on_day" if d == 0 else "before", d, due_on - timedelta(days=d))
        for d in policy.before_days
    ]
    late, escalations = policy.overdue_every_days, 0
    while due_on + timedelta(days=late) <= last + timedelta(days=40):
        kind = "escalation" if late >= policy.escalate_after_days else "overdue"
        escalations += kind == "escalation"
        if escalations > policy.escalation_cap:
            break
        nominal.append((kind, late, due_on + timedelta(days=late)))
        late += policy.overdue_every_days
    kept: dict[tuple[date, str], tuple[str, int, date]] = {}
    for kind, days, day in nominal:
        send_on = _moved(day, due_on, kind in ("overdue", "escalation"), policy)
        cls = "heads_up" if kind in ("before", "on_day") else kind
        distance = (abs((day - send_on).days), -day.toordinal())
        other = kept.get((send_on, cls))
        if other is None or distance < (abs((other[2] - send_on).days), -other[2].toordinal()):
            kept[(send_on, cls)] = (kind, days, day)
    return sorted((send_on, kind, days) for (send_on, _), (kind, days, day) in kept.items())


@pytest.mark.parametrize(
    "policy",
    [
        ReminderPolicy(),
        ReminderPolicy(before_days=(3, 2, 1, 0), overdue_every_days=1, escalate_after_days=4),
        ReminderPolicy(overdue_every_days=2, escalate_after_days=5),
        ReminderPolicy(skip_non_working_days=False),
        ReminderPolicy(escalation_cap=50),
    ],
    ids=["default", "daily", "every-2", "no-skip", "uncapped"],
)
def test_the_daily_runs_agree_with_moving_each_nominal_day(policy: ReminderPolicy) -> None:
    # Every due day from late February to early April 2027, across Nyepi and Lebaran (8 to 15
    # March 2027 are nearly all days off), and the daily runs over the whole stretch.
    first, last = date(2027, 2, 1), date(2027, 5, 15)
    for offset in range(0, 45):
        due_on = date(2027, 2, 25) + timedelta(days=offset)
        planned = [s for s in _planned(due_on, policy, last) if first <= s[0] <= last]
        assert sorted(walk([item(due_on)], first, last, policy)) == planned, due_on
