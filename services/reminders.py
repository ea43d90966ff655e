"""What the product e-mails on a given day: one reminder per person with all their items due or
late that day, and on the first working day of the week a digest per unit team and a summary for
the TPI.

Deadlines come from the database: the instansi's milestones (including the proposal deadline),
each unit's work items, and the LKE fill-in window of the assessment period. There is no
objection (sanggah) deadline after a TPN rejection: PermenPANRB 90/2021 (Lampiran II) and 5/2024
set no objection window. Who receives what: a unit's deadlines go to its team (a work item to its
owner); an escalation also goes to the unit head and the TPI contacts; instansi milestones go to
the TPI and the heads of the units still building. The messages are built here;
`notifications.delivery` sends each of them once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from config.settings import Settings
from notifications.messages import (
    FIX_FIRST_SHOWN,
    FailedDelivery,
    FixFirst,
    InvalidAddress,
    NearPredicate,
    OutgoingMessage,
    OverdueRow,
    ReminderEntry,
    ScoreLine,
    StageCount,
    TpiComment,
    TpiSummary,
    UnitDigest,
    UnitSummaryRow,
    daily_reminder,
    tpi_summary,
    unit_digest,
)
from persistence.repositories import PlannedItem
from persistence.tables import Instansi, TeamMember, UnitKerja, WorkItem
from persistence.unit_of_work import UnitOfWork
from services.after_award import POST_AWARD_REPORT
from services.monitoring import evidence_status
from services.scoring import stored_tpi_answers
from services.survey_report import indices_by_unit, period_surveys_by_unit
from zi_domain.agency import TPI_ROLE, UNIT_HEAD_ROLE, address_key
from zi_domain.answers import AnswerSheet
from zi_domain.framework import Framework
from zi_domain.gaps import fix_first
from zi_domain.lifecycle import STATE_LABELS, UnitState
from zi_domain.predicates import next_predicate
from zi_domain.reminders import (
    DeadlineItem,
    DueReminder,
    ReminderPolicy,
    indonesian_working_day,
    reminders_due,
)
from zi_domain.scoring import Shortfall, score_units
from zi_domain.surveys import IndexInLke
from zi_domain.unit_score import shortfall_words

BUILDING = (UnitState.DESIGNATED, UnitState.DEVELOPING, UnitState.UNDER_TPI_EVALUATION)
NEAR_POINTS = 5.0
"""A unit within this many points of a predicate's total floor is "close" in the TPI summary."""


def reminder_policy(settings: Settings) -> ReminderPolicy:
    before = tuple(int(d) for d in settings.reminder_days_before.split(",") if d.strip())
    return ReminderPolicy(
        before_days=before,
        overdue_every_days=settings.reminder_overdue_every_days,
        escalate_after_days=settings.reminder_escalate_after_days,
        escalation_cap=settings.reminder_escalation_cap,
        skip_non_working_days=settings.reminder_skip_non_working_days,
    )


@dataclass(frozen=True)
class Invalid:
    recipient: str
    reason: str


@dataclass(frozen=True)
class DayMail:
    day: date
    messages: tuple[OutgoingMessage, ...]
    invalid: tuple[Invalid, ...]
    reminders: int
    digests: int


MAX_CATCH_UP_DAYS = 366  # `zi remind --days` allows a year
SENDING_HOUR = time(8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # the schedule's 08:00 (WIB)


def catch_up_days(as_of: date, days: int) -> list[date]:
    """`as_of` and the `days - 1` days before it, oldest first: each is composed as that day."""
    if not 1 <= days <= MAX_CATCH_UP_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_CATCH_UP_DAYS}: {days}")
    return [as_of - timedelta(days=back) for back in range(days - 1, -1, -1)]


def dated_on_its_day(mail: DayMail) -> DayMail:
    """The day's messages dated at the schedule's hour of that day, so a replayed year reads in
    a mailbox as the year it replays."""
    at = datetime.combine(mail.day, SENDING_HOUR)
    return replace(mail, messages=tuple(replace(m, dated=at) for m in mail.messages))


def is_digest_day(day: date) -> bool:
    """The first working day of the week (Monday, or the next working day after a holiday)."""
    monday = day - timedelta(days=day.weekday())
    first = monday
    while not indonesian_working_day(first) and first < monday + timedelta(days=5):
        first += timedelta(days=1)
    return day == first


def addresses_of(people: Iterable[TeamMember]) -> frozenset[str]:
    """The e-mail addresses of an instansi's people, as the outbox compares them
    (`address_key`). The outbox keeps no instansi: a message or a failure is the instansi's when
    it goes to one of these addresses."""
    return frozenset(address_key(person.email) for person in people)


def own_addresses(uow: UnitOfWork, *, instansi_id: int) -> frozenset[str]:
    """`addresses_of` every member of the instansi (each unit's team, the TPI, the head)."""
    return addresses_of(uow.units.members(instansi_id=instansi_id))


def mail_for_day(
    uow: UnitOfWork,
    *,
    instansi: Instansi,
    as_of: date,
    policy: ReminderPolicy,
    framework: Framework,
    failures: Iterable[FailedDelivery] = (),
    portal_url: str | None = None,
) -> DayMail:
    """Every message the instansi's people should get today, each with its idempotency key;
    with `portal_url` (the agency runs the portal), the digests link to the units' pages. Of
    `failures` (every instansi's), the TPI summary lists those to the instansi's own people."""
    assert instansi.id is not None
    day_off = policy.skip_non_working_days and not indonesian_working_day(as_of)
    if day_off and not is_digest_day(as_of):
        return DayMail(day=as_of, messages=(), invalid=(), reminders=0, digests=0)  # a day off
    units = {u.id: u for u in uow.units.list_units(instansi_id=instansi.id) if u.id is not None}
    members = uow.units.members(instansi_id=instansi.id)
    # The outbox keeps no instansi: the TPI reads the failed deliveries of its own people only.
    ours = addresses_of(members)
    failures = [f for f in failures if address_key(f.recipient) in ours]
    tpi = [m for m in members if m.unit_id is None and m.role == TPI_ROLE]
    teams: dict[int, list[TeamMember]] = {unit_id: [] for unit_id in units}
    for member in members:  # each unit's team as `team` gives it, from one query
        if member.unit_id in teams:
            teams[member.unit_id].append(member)
    items, owners = deadline_items(uow, instansi_id=instansi.id, units=units, as_of=as_of)
    built = _Built()
    for member, entries in daily_entries(
        reminders_due(items, today=as_of, policy=policy), units, teams, tpi, owners
    ):
        build = partial(
            daily_reminder,
            entries,
            recipient=member.email,
            recipient_name=member.name,
            instansi_id=instansi.id,
            instansi=instansi.name,
            portal_url=_portal_page(portal_url, entries),
        )
        built.add(build, member.email)
    reminder_count = len(built.messages)
    if is_digest_day(as_of):
        _weekly(
            built,
            uow,
            instansi=instansi,
            units=units,
            teams=teams,
            tpi=tpi,
            items=items,
            as_of=as_of,
            framework=framework,
            failures=tuple(failures),
            portal_url=portal_url,
        )
    return DayMail(
        day=as_of,
        messages=tuple(built.messages),
        invalid=tuple(built.invalid),
        reminders=reminder_count,
        digests=len(built.messages) - reminder_count,
    )


class _Built:
    """Messages built so far; a recipient whose address is unusable is noted, not fatal."""

    def __init__(self) -> None:
        self.messages: list[OutgoingMessage] = []
        self.invalid: list[Invalid] = []

    def add(self, build: Callable[[], OutgoingMessage], recipient: str) -> None:
        try:
            self.messages.append(build())
        except InvalidAddress as error:
            self.invalid.append(Invalid(recipient=recipient, reason=str(error)))


def deadline_items(
    uow: UnitOfWork,
    *,
    instansi_id: int,
    units: dict[int, UnitKerja],
    as_of: date,
) -> tuple[list[DeadlineItem], dict[str, int]]:
    """The deadlines, and the owner (team member id) of each work item that has one."""
    owners: dict[str, int] = {}
    items = [
        DeadlineItem(
            key=f"milestone:{d.id}",
            kind=d.kind,
            title=d.title,
            due_on=d.due_on,
            unit_id=d.unit_id,
            done=d.due_on < as_of,
        )  # a passed milestone is history
        for d in uow.deadlines.deadlines(instansi_id=instansi_id)
    ]
    building = [unit_id for unit_id, unit in units.items() if unit.state in BUILDING]
    years = (as_of.year - 1, as_of.year)
    plans = uow.work_plans.units_items(unit_ids=building, years=years)
    for unit_id in building:
        for year in years:
            for work in plans.get((unit_id, year), []):
                item = _work_deadline(work, as_of)
                items.append(item)
                if work.owner_member_id is not None:
                    owners[item.key] = work.owner_member_id
    for period in uow.assessments.periods_on(day=as_of, instansi_id=instansi_id):
        items += [
            DeadlineItem(
                key=f"lke_window:{period.id}:{unit_id}",
                kind="lke_window",
                title=f"Pengisian LKE {period.name}",
                due_on=period.ends_on,
                unit_id=unit_id,
                done=False,
            )
            for unit_id in building
        ]
    # No deadline follows a TPN rejection: the regulation has no objection (sanggah) window
    # (PermenPANRB 90/2021 Lampiran II, as amended by 5/2024).
    return items, owners


def daily_entries(
    reminders: Iterable[DueReminder],
    units: dict[int, UnitKerja],
    teams: dict[int, list[TeamMember]],
    tpi: list[TeamMember],
    owners: dict[str, int],
) -> list[tuple[TeamMember, tuple[ReminderEntry, ...]]]:
    """Each person's items of the day, for their one daily reminder; a person is one address,
    whatever teams they are on."""
    people: dict[str, TeamMember] = {}
    entries: dict[str, list[ReminderEntry]] = defaultdict(list)
    for reminder in reminders:
        unit_name = _unit_name(units, reminder.item.unit_id)
        for member, role in recipients(reminder, units, teams, tpi, owners):
            address = address_key(member.email)
            people.setdefault(address, member)
            entries[address].append(ReminderEntry(reminder, unit_name, role))
    return [(people[address], tuple(found)) for address, found in entries.items()]


def recipients(
    reminder: DueReminder,
    units: dict[int, UnitKerja],
    teams: dict[int, list[TeamMember]],
    tpi: list[TeamMember],
    owners: dict[str, int],
) -> list[tuple[TeamMember, str | None]]:
    """Who gets this reminder, and in which role (for the wording of an escalation)."""
    unit_id = reminder.item.unit_id
    if unit_id is None:  # an instansi milestone
        heads = [
            m
            for u, team in teams.items()
            if units[u].state in BUILDING
            for m in team
            if m.role == UNIT_HEAD_ROLE
        ]
        milestone: list[tuple[TeamMember, str | None]] = [(m, "narahubung TPI") for m in tpi]
        return milestone + [(m, "kepala unit kerja") for m in heads]
    team = teams.get(unit_id, [])
    if reminder.item.kind == POST_AWARD_REPORT:  # the TPI reports on the awarded unit
        reporters: list[tuple[TeamMember, str | None]] = [(m, None) for m in tpi]
        return reporters + [(m, "kepala unit kerja") for m in team if m.role == UNIT_HEAD_ROLE]
    owner = owners.get(reminder.item.key)
    addressed = [m for m in team if m.id == owner] or team
    found: list[tuple[TeamMember, str | None]] = [(m, None) for m in addressed]
    if reminder.kind == "escalation":
        found += [(m, "kepala unit kerja") for m in team if m.role == UNIT_HEAD_ROLE]
        found += [(m, "narahubung TPI") for m in tpi]
    unique: dict[str, tuple[TeamMember, str | None]] = {}
    for member, role in found:
        unique.setdefault(member.email.lower(), (member, role))
    return list(unique.values())


def _unit_name(units: dict[int, UnitKerja], unit_id: int | None) -> str | None:
    unit = units.get(unit_id) if unit_id is not None else None
    return unit.name if unit else None


def _weekly(
    built: _Built,
    uow: UnitOfWork,
    *,
    instansi: Instansi,
    units: dict[int, UnitKerja],
    teams: dict[int, list[TeamMember]],
    tpi: list[TeamMember],
    items: list[DeadlineItem],
    as_of: date,
    framework: Framework,
    failures: tuple[FailedDelivery, ...],
    portal_url: str | None,
) -> None:
    """The weekly digest of each building unit's team, and the TPI summary."""
    assert instansi.id is not None
    sheets = _tpi_sheets(uow, instansi_id=instansi.id, as_of=as_of, framework=framework)
    fixes = _fix_first(sheets, units=units, framework=framework)
    indices = _indices(uow, sheets, framework=framework)
    open_items: dict[int | None, list[DeadlineItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i.due_on):
        if not item.done:
            open_items[item.unit_id].append(item)
    rows, near = [], []
    building = [u for u, unit in units.items() if unit.state in BUILDING]
    evidence = evidence_status(uow, unit_ids=building, framework=framework, year=as_of.year)
    # Late items counted as the monitoring report counts them, so the two agree on a day.
    late = uow.work_plans.overdue_counts(unit_ids=list(units), as_of=as_of)
    comments = _week_comments(uow, building, as_of)
    for unit_id, unit in units.items():
        assert unit_id is not None
        latest = uow.snapshots.latest_snapshot(unit_id=unit_id)
        score = (
            ScoreLine(
                as_of=latest.as_of,
                total=latest.total,
                meets_wbk=latest.meets_wbk,
                meets_wbbm=latest.meets_wbbm,
                indices=indices.get(unit_id, ()),
            )
            if latest
            else None
        )
        overdue = late.get(unit_id, 0)
        rows.append(
            UnitSummaryRow(
                unit_name=unit.name,
                stage_label=STATE_LABELS[UnitState(unit.state)],
                total=latest.total if latest else None,
                meets_wbk=bool(latest and latest.meets_wbk),
                meets_wbbm=bool(latest and latest.meets_wbbm),
                overdue_items=overdue,
            )
        )
        if latest is not None:
            near += _near(unit, latest.details, latest.total, framework)
        if unit.state not in BUILDING:
            continue
        digest = UnitDigest(
            instansi=instansi.name,
            unit_id=unit_id,
            unit_name=unit.name,
            as_of=as_of,
            open_items=tuple(open_items[unit_id]),
            score=score,
            fix_first=fixes.get(unit_id, ()),
            target=next_predicate(unit.predicate),
            overdue=overdue,
            evidence_missing=evidence[unit_id].missing,
            comments=comments.get(unit_id, ()),
            portal_url=f"{portal_url.rstrip('/')}/unit/{unit_id}" if portal_url else None,
        )
        for member in teams.get(unit_id, []):
            build = partial(unit_digest, digest, recipient=member.email, recipient_name=member.name)
            built.add(build, member.email)
    stages = Counter(STATE_LABELS[UnitState(u.state)] for u in units.values())
    summary = TpiSummary(
        instansi_id=instansi.id,
        instansi=instansi.name,
        as_of=as_of,
        stages=tuple(
            StageCount(label=STATE_LABELS[s], units=stages[STATE_LABELS[s]])
            for s in UnitState
            if stages[STATE_LABELS[s]]
        ),
        units=tuple(rows),
        overdue=tuple(
            OverdueRow(unit_name=_unit_name(units, w.unit_id), item=_work_deadline(w, as_of))
            for w in uow.work_plans.overdue_items(unit_ids=list(units), as_of=as_of)
        ),
        near=tuple(near),
        failed=failures,
    )
    for member in tpi:
        summary_for = partial(
            tpi_summary, summary, recipient=member.email, recipient_name=member.name
        )
        built.add(summary_for, member.email)


def _portal_page(portal_url: str | None, entries: Sequence[ReminderEntry]) -> str | None:
    """Where a reminder's reader works on its items: the unit's page when they are all of one
    unit, else the portal's first page (which lists the reader's units)."""
    if portal_url is None:
        return None
    base = portal_url.rstrip("/")
    units = {e.reminder.item.unit_id for e in entries}
    only = units.pop() if len(units) == 1 else None
    return f"{base}/unit/{only}" if only is not None else f"{base}/"


def _week_comments(
    uow: UnitOfWork, unit_ids: list[int], as_of: date
) -> dict[int, tuple[TpiComment, ...]]:
    """Each unit's TPI comments of the seven days before `as_of`: the weekly digest tells the
    team what the TPI wrote since the last one (the portal keeps them all)."""
    until = datetime.combine(as_of, time(0), tzinfo=SENDING_HOUR.tzinfo)
    found: dict[int, list[TpiComment]] = defaultdict(list)
    for c in uow.comments.written_between(
        unit_ids=unit_ids, since=until - timedelta(days=7), until=until
    ):
        written_on = c.created_at.astimezone(SENDING_HOUR.tzinfo).date()
        found[c.unit_id].append(TpiComment(c.code, c.body, c.author, written_on))
    return {unit_id: tuple(listed) for unit_id, listed in found.items()}


def _tpi_sheets(
    uow: UnitOfWork, *, instansi_id: int, as_of: date, framework: Framework
) -> list[tuple[int, AnswerSheet]]:
    """(period id, its TPI answers) of each period that `as_of` falls in and that has answers:
    read once for what to fix first and for where IPAK and IPKP come from."""
    found = []
    for period in uow.assessments.periods_on(day=as_of, instansi_id=instansi_id):
        assert period.id is not None
        sheet = stored_tpi_answers(uow, period_id=period.id, framework=framework)
        if not sheet.values.empty:
            found.append((period.id, sheet))
    return found


def _indices(
    uow: UnitOfWork, sheets: list[tuple[int, AnswerSheet]], *, framework: Framework
) -> dict[int, tuple[IndexInLke, ...]]:
    """Each answered unit's IPAK and IPKP with their sources: one survey query a period."""
    found: dict[int, tuple[IndexInLke, ...]] = {}
    for period_id, sheet in sheets:
        surveys = period_surveys_by_unit(uow, period_id=period_id)
        found |= indices_by_unit(sheet.values, surveys, framework)
    return found


def _fix_first(
    sheets: list[tuple[int, AnswerSheet]], *, units: dict[int, UnitKerja], framework: Framework
) -> dict[int, tuple[FixFirst, ...]]:
    """What each scored unit should fix first toward its next predicate, from its TPI answers."""
    found: dict[int, tuple[FixFirst, ...]] = {}
    for _, sheet in sheets:
        scores = score_units(sheet.values, framework)
        for unit_id in scores.index:
            unit = units.get(int(unit_id))
            if unit is None:
                continue
            gaps = fix_first(
                sheet.values.loc[[unit_id]].iloc[0],
                scores.loc[[unit_id]].iloc[0],
                framework,
                next_predicate(unit.predicate),
            )
            found[int(unit_id)] = tuple(FixFirst.of(g, framework) for g in gaps[:FIX_FIRST_SHOWN])
    return found


def _work_deadline(work: WorkItem | PlannedItem, as_of: date) -> DeadlineItem:
    return DeadlineItem(
        key=f"work_item:{work.id}",
        kind="work_item",
        title=work.title,
        due_on=work.due_on,
        unit_id=work.unit_id,
        done=work.completed_on is not None and work.completed_on <= as_of,
    )


def _near(
    unit: UnitKerja, details: dict[str, object], total: float, framework: Framework
) -> list[NearPredicate]:
    """The unit is within NEAR_POINTS of its next predicate's total floor and misses it."""
    target = next_predicate(unit.predicate)
    floor = next(
        (
            f.minimum
            for p in framework.predicates
            if p.name == target
            for f in p.floors
            if f.rule == "total"
        ),
        None,
    )
    stored = details.get("shortfalls", {}) if isinstance(details, dict) else {}
    missing = stored.get(target, []) if isinstance(stored, dict) else []
    if floor is None or not missing or total < floor - NEAR_POINTS:
        return []
    # Worded as the report and a refused proposal word a floor (the rule's name, the minimum
    # and what was reached, each as the LKE rounds it), never the rule's key.
    words = tuple(
        shortfall_words(Shortfall(**s), framework) for s in missing if isinstance(s, dict)
    )
    return [NearPredicate(unit_name=unit.name, predicate=target, total=total, missing=words)]
