"""Repositories: the only code that writes SQL, one small class per aggregate of the domain.

Each repository has a Protocol (what services may call, so that their tests can use fakes) and a
`Sql...` implementation working in the session of a `SqlUnitOfWork`. Nothing here commits: the
unit of work does, or rolls everything back. Writes are flushed at once so that a constraint
violation surfaces at the call that caused it, not at commit.

Bulk paths (answers of a period, score snapshots) go through SQLAlchemy Core in one statement
executed with many parameter sets: at national scale (20,000 units × 113 answers) building one
ORM object per row would cost more than the scoring itself.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol, TypeVar, cast

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, select

from persistence.sqltypes import utc_now
from persistence.tables import (
    Answer,
    AnswerCreate,
    Assessment,
    AssessmentCreate,
    AssessmentKind,
    AssessmentPeriod,
    AssessmentPeriodCreate,
    AssessmentVersion,
    AssessmentVersionCreate,
    Complaint,
    ComplaintCreate,
    Deadline,
    DeadlineCreate,
    EvidenceDocument,
    EvidenceDocumentCreate,
    Instansi,
    InstansiCreate,
    InstansiPrerequisite,
    InstansiPrerequisiteCreate,
    LifecycleEvent,
    LifecycleEventCreate,
    Proposal,
    ProposalCreate,
    ProposalEvent,
    ProposalEventCreate,
    ScoreSnapshot,
    ScoreSnapshotCreate,
    SurveyKind,
    SurveyRespondent,
    SurveyRespondentCreate,
    SurveyResult,
    SurveyResultCreate,
    SurveySource,
    TeamMember,
    TeamMemberCreate,
    ThresholdCrossing,
    ThresholdCrossingCreate,
    UnitKerja,
    UnitKerjaCreate,
    UnitPrerequisite,
    UnitPrerequisiteCreate,
    WorkItem,
    WorkItemCreate,
)
from zi_domain.predicates import Predicate

ANSWER_FRAME_COLUMNS = ("unit_id", "code", "answer")
"""The columns of `tpi_answers_frame`, the input of the vectorised scorer."""

Row = TypeVar("Row", bound=SQLModel)


class PlannedItem(NamedTuple):
    """A work item as the daily reminders read it: what is due, when, whose, and whether done."""

    id: int
    unit_id: int
    year: int
    title: str
    due_on: date
    completed_on: date | None
    owner_member_id: int | None


class UnitStep(NamedTuple):
    """A unit's lifecycle event as the lifecycle guards read it: which move, and when."""

    unit_id: int
    from_state: str | None
    to_state: str
    occurred_at: datetime
    kind: str = ""
    year: int = 0
    decree_date: date | None = None  # an award's or a revocation's decree

    @property
    def effective_on(self) -> date:
        """The day the step takes effect: its decree's date when it has one."""
        return self.decree_date or self.occurred_at.date()


class SnapshotSummary(NamedTuple):
    """The columns of a score snapshot that the lifecycle guards and monitoring compare."""

    unit_id: int
    as_of: date
    total: float
    meets_wbk: bool
    meets_wbbm: bool


class PendingCrossing(NamedTuple):
    """A crossing whose proposal does not exist yet, with the unit's code and name."""

    crossing_id: int
    unit_id: int
    code: str
    name: str
    predicate: str
    as_of: date
    pending_reason: str | None


class FieldedSurvey(NamedTuple):
    """A stored survey and the last day its respondents were served (None with no respondents
    stored): the survey's date from its own data, never from when it was imported."""

    survey: SurveyResult
    last_served: date | None


class StateConflict(RuntimeError):
    """The row was not in the state a transition started from: someone else moved it first."""


class NotFound(LookupError):
    """A row that a write refers to does not exist."""


# --- protocols: what services see -----------------------------------------------------------


class InstansiRepository(Protocol):
    def add_instansi(self, *, instansi: InstansiCreate) -> Instansi: ...
    def get_instansi(self, *, instansi_id: int) -> Instansi | None: ...
    def get_instansi_by_name(self, *, name: str) -> Instansi | None: ...
    def get_instansi_by_code(self, *, code: str) -> Instansi | None: ...
    def all_instansi(self) -> list[Instansi]: ...
    def hold(self, *, instansi_id: int) -> None: ...
    def standings(self, *, instansi_id: int) -> list[InstansiPrerequisite]: ...
    def set_prerequisites(
        self, *, prerequisites: InstansiPrerequisiteCreate
    ) -> InstansiPrerequisite: ...
    def get_prerequisites(self, *, instansi_id: int, year: int) -> InstansiPrerequisite | None: ...


class UnitRepository(Protocol):
    def add_unit(self, *, unit: UnitKerjaCreate) -> UnitKerja: ...
    def get_unit(self, *, unit_id: int) -> UnitKerja | None: ...
    def get_unit_by_code(self, *, instansi_id: int, code: str) -> UnitKerja | None: ...
    def list_units(self, *, instansi_id: int, state: str | None = None) -> list[UnitKerja]: ...
    def set_prerequisites(self, *, prerequisites: UnitPrerequisiteCreate) -> UnitPrerequisite: ...
    def get_prerequisites(self, *, unit_id: int, year: int) -> UnitPrerequisite | None: ...
    def prerequisites_of(
        self, *, unit_ids: Sequence[int], year: int
    ) -> dict[int, UnitPrerequisite]: ...
    def add_team_member(self, *, member: TeamMemberCreate) -> TeamMember: ...
    def team(self, *, instansi_id: int, unit_id: int | None) -> list[TeamMember]: ...
    def members(self, *, instansi_id: int) -> list[TeamMember]: ...
    def standings(self, *, unit_ids: Sequence[int]) -> list[UnitPrerequisite]: ...
    def record_event(self, *, event: LifecycleEventCreate) -> LifecycleEvent: ...
    def move_unit(self, *, event: LifecycleEventCreate) -> LifecycleEvent: ...
    def move_units(self, *, unit_ids: Sequence[int], event: LifecycleEventCreate) -> None: ...
    def events(self, *, instansi_id: int, unit_id: int | None = None) -> list[LifecycleEvent]: ...
    def instansi_events(self, *, instansi_id: int) -> list[LifecycleEvent]: ...
    def steps(
        self,
        *,
        instansi_id: int,
        unit_ids: Sequence[int],
        to_states: Collection[str] | None = None,
    ) -> dict[int, list[UnitStep]]: ...
    def add_complaint(self, *, complaint: ComplaintCreate) -> Complaint: ...
    def complaints(
        self, *, instansi_id: int, unit_id: int | None = None, since: date | None = None
    ) -> list[Complaint]: ...


class AssessmentRepository(Protocol):
    def add_period(self, *, period: AssessmentPeriodCreate) -> AssessmentPeriod: ...
    def get_period(self, *, period_id: int) -> AssessmentPeriod | None: ...
    def periods(self, *, instansi_id: int) -> list[AssessmentPeriod]: ...
    def periods_on(
        self, *, day: date, instansi_id: int | None = None
    ) -> list[AssessmentPeriod]: ...
    def add_assessment(self, *, assessment: AssessmentCreate) -> Assessment: ...
    def get_assessment(
        self, *, unit_id: int, period_id: int, kind: AssessmentKind
    ) -> Assessment | None: ...
    def replace_answers(
        self, *, assessment_id: int, answers: Sequence[AnswerCreate], at: datetime | None = None
    ) -> int: ...
    def answers(self, *, assessment_id: int) -> list[Answer]: ...
    def add_version(self, *, version: AssessmentVersionCreate) -> AssessmentVersion: ...
    def latest_version(self, *, assessment_id: int) -> AssessmentVersion | None: ...
    def tpi_assessment_ids(self, *, period_id: int) -> dict[int, int]: ...
    def tpi_answers_frame(self, *, period_id: int) -> pd.DataFrame: ...


class SnapshotRepository(Protocol):
    def add_snapshots(
        self, *, rows: Sequence[ScoreSnapshotCreate], at: datetime | None = None
    ) -> int: ...
    def snapshots(self, *, unit_id: int) -> list[ScoreSnapshot]: ...
    def latest_snapshot(self, *, unit_id: int) -> ScoreSnapshot | None: ...
    def latest_snapshots(
        self, *, unit_ids: Sequence[int], until: date
    ) -> dict[int, SnapshotSummary]: ...


class EvidenceRepository(Protocol):
    def add_document(self, *, document: EvidenceDocumentCreate) -> EvidenceDocument: ...
    def documents(self, *, unit_id: int, code: str | None = None) -> list[EvidenceDocument]: ...
    def remove_documents(
        self, *, unit_id: int, document_ids: Collection[int]
    ) -> list[EvidenceDocument]: ...
    def stored_paths_in_use(self, *, among: Collection[str] | None = None) -> set[str]: ...


class SurveyRepository(Protocol):
    def add_survey(self, *, result: SurveyResultCreate) -> SurveyResult: ...
    def surveys(self, *, unit_id: int, year: int) -> list[SurveyResult]: ...
    def add_respondents(self, *, respondents: Sequence[SurveyRespondentCreate]) -> int: ...
    def respondents(self, *, survey_id: int) -> list[SurveyRespondent]: ...
    def latest_survey(
        self, *, unit_id: int, period_id: int, kind: SurveyKind, source: SurveySource
    ) -> SurveyResult | None: ...
    def period_surveys(
        self, *, period_id: int, unit_id: int | None = None
    ) -> list[FieldedSurvey]: ...


class DeadlineRepository(Protocol):
    def add_deadline(self, *, deadline: DeadlineCreate) -> Deadline: ...
    def deadlines(self, *, instansi_id: int) -> list[Deadline]: ...
    def due_between(self, *, first: date, last: date) -> list[Deadline]: ...
    def move_deadlines(
        self, *, kind: str, year: int, due_on: date, instansi_id: int | None = None
    ) -> list[tuple[Deadline, date]]: ...


class WorkPlanRepository(Protocol):
    def add_items(self, *, items: Sequence[WorkItemCreate]) -> int: ...
    def items(self, *, unit_id: int, year: int) -> list[WorkItem]: ...
    def units_items(
        self, *, unit_ids: Sequence[int], years: Collection[int]
    ) -> dict[tuple[int, int], list[PlannedItem]]: ...
    def complete_item(self, *, item_id: int, on: date, by: str | None = None) -> None: ...
    def overdue_counts(self, *, unit_ids: Sequence[int], as_of: date) -> dict[int, int]: ...
    def overdue_items(self, *, unit_ids: Sequence[int], as_of: date) -> list[WorkItem]: ...


class MonitoringRepository(Protocol):
    def record_crossing(self, *, crossing: ThresholdCrossingCreate) -> bool: ...
    def record_crossings(
        self, *, crossings: Sequence[ThresholdCrossingCreate]
    ) -> set[tuple[int, Predicate]]: ...
    def crossings(self, *, period_id: int) -> list[ThresholdCrossing]: ...
    def pending_crossings(self, *, period_ids: Sequence[int]) -> list[PendingCrossing]: ...
    def settle_crossings(
        self, *, unit_id: int, predicate: Predicate, year: int, proposal_id: int
    ) -> None: ...
    def note_pending(self, *, crossing_id: int, reason: str) -> None: ...
    def previous_snapshots(
        self, *, unit_ids: Sequence[int], before: date
    ) -> dict[int, SnapshotSummary]: ...
    def history(
        self, *, unit_ids: Sequence[int], until: date
    ) -> dict[int, list[tuple[date, float]]]: ...
    def evidence_years(self, *, unit_ids: Sequence[int]) -> pd.DataFrame: ...


class ProposalRepository(Protocol):
    def add_proposal(self, *, proposal: ProposalCreate, actor: str) -> Proposal: ...
    def get_proposal(self, *, proposal_id: int) -> Proposal | None: ...
    def latest_proposal(
        self, *, unit_id: int, year: int, predicate: Predicate
    ) -> Proposal | None: ...
    def move_proposal(self, *, event: ProposalEventCreate) -> ProposalEvent: ...
    def proposal_events(self, *, proposal_id: int) -> list[ProposalEvent]: ...
    def proposals_of(
        self, *, instansi_id: int | None = None, year: int | None = None
    ) -> list[tuple[Proposal, UnitKerja]]: ...


# --- shared SQL helpers -----------------------------------------------------------------------


class _SqlRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _among(self, column: Any, ids: Collection[int]) -> sa.ColumnElement[bool]:
        """`column IN ids` with the ids as one bound value, however many there are: an array
        on PostgreSQL (`= ANY`), a JSON list on SQLite (`json_each`). A monitoring run asks for
        its 20,000 units in several statements; as 20,000 bound parameters each took 0.4-0.9 s
        to render and convert on PostgreSQL."""
        values = [int(i) for i in ids]
        if self._session.get_bind().dialect.name == "postgresql":
            array = sa.bindparam(None, values, type_=postgresql.ARRAY(sa.Integer))
            return cast(sa.ColumnElement[bool], column == sa.any_(array))
        listed = sa.func.json_each(sa.bindparam(None, json.dumps(values), type_=sa.String))
        return cast(
            sa.ColumnElement[bool],
            column.in_(sa.select(sa.column("value", sa.Integer)).select_from(listed)),
        )

    def _add(self, row: Row) -> Row:
        self._session.add(row)
        self._session.flush()
        return row

    def _upsert_by(self, model: type[Row], data: SQLModel, *, keys: Sequence[str]) -> Row:
        """Insert `data`, or overwrite the row with the same `keys` (a yearly prerequisite)."""
        values = data.model_dump()
        query = select(model).where(*(col(getattr(model, key)) == values[key] for key in keys))
        existing = self._session.exec(query).first()
        if existing is None:
            return self._add(model.model_validate(values))
        existing.sqlmodel_update(values)
        return self._add(existing)

    def _move_state(
        self, model: type[UnitKerja] | type[Proposal], *, row_id: int, from_state: str, to: str
    ) -> None:
        """Compare-and-set in one UPDATE, so that two concurrent transitions cannot both win."""
        moved = self._session.exec(
            sa.update(model)
            .where(col(model.id) == row_id, col(model.state) == from_state)
            .values(state=to)
        )
        if moved.rowcount != 1:
            raise StateConflict(
                f"{model.__name__} {row_id} is not in state {from_state!r}; nothing was moved"
            )

    def _execute_core(
        self, statement: Any, params: Sequence[dict[str, Any]] | None = None
    ) -> sa.CursorResult[Any]:
        """Run a Core statement in the session's transaction, after the pending ORM writes."""
        self._session.flush()
        return self._session.connection().execute(statement, params)

    def _newest_snapshots(
        self, unit_ids: Sequence[int], day_filter: Any
    ) -> dict[int, SnapshotSummary]:
        """Each unit's newest snapshot among those dated as `day_filter` allows, in one SELECT."""
        newest_first = sa.func.row_number().over(
            partition_by=col(ScoreSnapshot.unit_id), order_by=_snapshot_age(descending=True)
        )
        ranked = (
            sa.select(*(col(getattr(ScoreSnapshot, name)) for name in SnapshotSummary._fields))
            .add_columns(newest_first.label("newest"))
            .where(self._among(col(ScoreSnapshot.unit_id), unit_ids), day_filter)
            .subquery()
        )
        query = sa.select(*(ranked.c[name] for name in SnapshotSummary._fields)).where(
            ranked.c.newest == 1
        )
        return {row[0]: SnapshotSummary._make(row) for row in self._execute_core(query)}

    def _upsert_statement(self, model: type[SQLModel]) -> Any:
        """INSERT ... ON CONFLICT for the dialect in use (SQLite and PostgreSQL spell it alike)."""
        dialect = self._session.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql.insert(model)
        if dialect == "sqlite":
            return sqlite.insert(model)
        raise NotImplementedError(f"no upsert for the {dialect} dialect")


def _snapshot_age(*, descending: bool) -> list[Any]:
    """Snapshots by day, then by when they were written."""
    columns = (ScoreSnapshot.as_of, ScoreSnapshot.created_at, ScoreSnapshot.id)
    return [col(c).desc() if descending else col(c).asc() for c in columns]


# --- SQL implementations --------------------------------------------------------------------


class SqlInstansiRepository(_SqlRepository):
    def add_instansi(self, *, instansi: InstansiCreate) -> Instansi:
        return self._add(Instansi.model_validate(instansi))

    def get_instansi(self, *, instansi_id: int) -> Instansi | None:
        return self._session.get(Instansi, instansi_id)

    def get_instansi_by_name(self, *, name: str) -> Instansi | None:
        return self._session.exec(select(Instansi).where(Instansi.name == name)).first()

    def get_instansi_by_code(self, *, code: str) -> Instansi | None:
        return self._session.exec(select(Instansi).where(Instansi.code == code)).first()

    def all_instansi(self) -> list[Instansi]:
        return list(self._session.exec(select(Instansi).order_by(col(Instansi.id))))

    def hold(self, *, instansi_id: int) -> None:
        """Holds the instansi's row until this transaction ends, so that what is built once per
        instansi (its letter) is built by one run at a time, on any machine: a row lock on
        PostgreSQL, the database's write lock on SQLite (a write that changes nothing)."""
        table = Instansi.__table__  # type: ignore[attr-defined]
        self._session.execute(
            sa.update(table).where(table.c.id == instansi_id).values(id=table.c.id)
        )

    def standings(self, *, instansi_id: int) -> list[InstansiPrerequisite]:
        query = select(InstansiPrerequisite).where(InstansiPrerequisite.instansi_id == instansi_id)
        return list(self._session.exec(query.order_by(col(InstansiPrerequisite.year))))

    def set_prerequisites(
        self, *, prerequisites: InstansiPrerequisiteCreate
    ) -> InstansiPrerequisite:
        return self._upsert_by(InstansiPrerequisite, prerequisites, keys=("instansi_id", "year"))

    def get_prerequisites(self, *, instansi_id: int, year: int) -> InstansiPrerequisite | None:
        query = select(InstansiPrerequisite).where(
            InstansiPrerequisite.instansi_id == instansi_id, InstansiPrerequisite.year == year
        )
        return self._session.exec(query).first()


class SqlUnitRepository(_SqlRepository):
    def add_unit(self, *, unit: UnitKerjaCreate) -> UnitKerja:
        return self._add(UnitKerja.model_validate(unit))

    def get_unit(self, *, unit_id: int) -> UnitKerja | None:
        return self._session.get(UnitKerja, unit_id)

    def get_unit_by_code(self, *, instansi_id: int, code: str) -> UnitKerja | None:
        query = select(UnitKerja).where(
            UnitKerja.instansi_id == instansi_id, UnitKerja.code == code
        )
        return self._session.exec(query).first()

    def list_units(self, *, instansi_id: int, state: str | None = None) -> list[UnitKerja]:
        query = select(UnitKerja).where(UnitKerja.instansi_id == instansi_id)
        if state is not None:
            query = query.where(UnitKerja.state == state)
        return list(self._session.exec(query.order_by(col(UnitKerja.code))))

    def set_prerequisites(self, *, prerequisites: UnitPrerequisiteCreate) -> UnitPrerequisite:
        return self._upsert_by(UnitPrerequisite, prerequisites, keys=("unit_id", "year"))

    def get_prerequisites(self, *, unit_id: int, year: int) -> UnitPrerequisite | None:
        query = select(UnitPrerequisite).where(
            UnitPrerequisite.unit_id == unit_id, UnitPrerequisite.year == year
        )
        return self._session.exec(query).first()

    def prerequisites_of(
        self, *, unit_ids: Sequence[int], year: int
    ) -> dict[int, UnitPrerequisite]:
        """`get_prerequisites` of many units in one SELECT; a unit without any is left out."""
        query = select(UnitPrerequisite).where(
            self._among(col(UnitPrerequisite.unit_id), unit_ids), UnitPrerequisite.year == year
        )
        return {row.unit_id: row for row in self._session.exec(query)}

    def add_team_member(self, *, member: TeamMemberCreate) -> TeamMember:
        return self._add(TeamMember.model_validate(member))

    def team(self, *, instansi_id: int, unit_id: int | None) -> list[TeamMember]:
        """A unit's team, or the instansi's TPI when `unit_id` is None."""
        unit_filter = (
            col(TeamMember.unit_id).is_(None) if unit_id is None else TeamMember.unit_id == unit_id
        )
        query = select(TeamMember).where(TeamMember.instansi_id == instansi_id, unit_filter)
        return list(self._session.exec(query.order_by(col(TeamMember.id))))

    def members(self, *, instansi_id: int) -> list[TeamMember]:
        """Everyone of the instansi: every unit's team, the TPI and the head."""
        query = select(TeamMember).where(TeamMember.instansi_id == instansi_id)
        return list(self._session.exec(query.order_by(col(TeamMember.id))))

    def standings(self, *, unit_ids: Sequence[int]) -> list[UnitPrerequisite]:
        """Every year's prerequisites of the units."""
        query = select(UnitPrerequisite).where(self._among(col(UnitPrerequisite.unit_id), unit_ids))
        order = (col(UnitPrerequisite.unit_id), col(UnitPrerequisite.year))
        return list(self._session.exec(query.order_by(*order)))

    def record_event(self, *, event: LifecycleEventCreate) -> LifecycleEvent:
        """Append to the history without moving anything (a declaration, an SK on file)."""
        return self._add(LifecycleEvent.model_validate(event))

    def move_unit(self, *, event: LifecycleEventCreate) -> LifecycleEvent:
        """Move the unit from `event.from_state` to `event.to_state`, and record why."""
        if event.unit_id is None or event.from_state is None:
            raise ValueError("moving a unit needs the event's unit_id and from_state")
        self._move_state(
            UnitKerja, row_id=event.unit_id, from_state=event.from_state, to=event.to_state
        )
        return self.record_event(event=event)

    def move_units(self, *, unit_ids: Sequence[int], event: LifecycleEventCreate) -> None:
        """The same move of many units, each recorded by `event` with its own unit_id: one
        compare-and-set UPDATE and one INSERT ... SELECT, whatever the number of units. If any
        unit was not in `event.from_state`, StateConflict names them; the transaction must then
        be rolled back (some may have moved).

        The events are written by the database from the moved rows: built and sent a row at a
        time (a validated model, its bind processing, a COPY row), 20,000 took 1.1-1.5 s."""
        if event.unit_id is not None or event.from_state is None:
            raise ValueError("moving units needs the event's from_state and no unit_id of its own")
        if not unit_ids:
            return
        moved = self._execute_core(
            sa.update(UnitKerja)
            .where(
                self._among(col(UnitKerja.id), unit_ids), col(UnitKerja.state) == event.from_state
            )
            .values(state=event.to_state)
            .returning(col(UnitKerja.id))
        )
        stale = set(unit_ids) - set(moved.scalars())
        if stale:
            raise StateConflict(
                f"UnitKerja {sorted(stale)} not in state {event.from_state!r}; nothing was moved"
            )
        # What `move_unit`'s ORM UPDATE does for one row: the loaded rows see the move.
        for unit_id in unit_ids:
            loaded = self._session.identity_map.get(self._session.identity_key(UnitKerja, unit_id))
            if loaded is not None:
                set_committed_value(loaded, "state", event.to_state)
        table = cast(sa.Table, LifecycleEvent.__table__)  # type: ignore[attr-defined]
        shared = event.model_dump(exclude={"unit_id"})
        # Each value through its column's own type (UTC instants, JSON), as an INSERT binds it.
        given = [
            sa.literal(value, table.c[name].type).label(name) for name, value in shared.items()
        ]
        self._execute_core(
            sa.insert(LifecycleEvent).from_select(
                ["unit_id", *shared],
                sa.select(col(UnitKerja.id), *given)
                .where(self._among(col(UnitKerja.id), unit_ids))
                .order_by(col(UnitKerja.id)),
            )
        )

    def events(self, *, instansi_id: int, unit_id: int | None = None) -> list[LifecycleEvent]:
        query = select(LifecycleEvent).where(LifecycleEvent.instansi_id == instansi_id)
        if unit_id is not None:
            query = query.where(LifecycleEvent.unit_id == unit_id)
        return self._in_order(query)

    def instansi_events(self, *, instansi_id: int) -> list[LifecycleEvent]:
        """The instansi's own events (a declaration), without those of its units."""
        query = select(LifecycleEvent).where(
            LifecycleEvent.instansi_id == instansi_id, col(LifecycleEvent.unit_id).is_(None)
        )
        return self._in_order(query)

    def _in_order(self, query: Any) -> list[LifecycleEvent]:
        order = (col(LifecycleEvent.occurred_at), col(LifecycleEvent.id))
        return list(self._session.exec(query.order_by(*order)))

    def steps(
        self,
        *,
        instansi_id: int,
        unit_ids: Sequence[int],
        to_states: Collection[str] | None = None,
    ) -> dict[int, list[UnitStep]]:
        """Each unit's events (those into `to_states` only, when given), oldest first, as
        `events` orders them: one SELECT of the columns the guards read, for a whole run."""
        query = (
            sa.select(
                col(LifecycleEvent.unit_id),
                col(LifecycleEvent.from_state),
                col(LifecycleEvent.to_state),
                col(LifecycleEvent.occurred_at),
                col(LifecycleEvent.kind),
                col(LifecycleEvent.year),
                col(LifecycleEvent.decree_date),
            )
            .where(
                col(LifecycleEvent.instansi_id) == instansi_id,
                self._among(col(LifecycleEvent.unit_id), unit_ids),
            )
            .order_by(col(LifecycleEvent.occurred_at), col(LifecycleEvent.id))
        )
        if to_states is not None:
            query = query.where(col(LifecycleEvent.to_state).in_([str(s) for s in to_states]))
        found: dict[int, list[UnitStep]] = {unit_id: [] for unit_id in unit_ids}
        for row in self._execute_core(query):
            found[row[0]].append(UnitStep._make(row))
        return found

    def add_complaint(self, *, complaint: ComplaintCreate) -> Complaint:
        return self._add(Complaint.model_validate(complaint))

    def complaints(
        self, *, instansi_id: int, unit_id: int | None = None, since: date | None = None
    ) -> list[Complaint]:
        """The instansi's (or one unit's) complaints, oldest first; from `since` when given."""
        query = select(Complaint).where(Complaint.instansi_id == instansi_id)
        if unit_id is not None:
            query = query.where(Complaint.unit_id == unit_id)
        if since is not None:
            query = query.where(col(Complaint.received_on) >= since)
        order = (col(Complaint.received_on), col(Complaint.id))
        return list(self._session.exec(query.order_by(*order)))


class SqlAssessmentRepository(_SqlRepository):
    def add_period(self, *, period: AssessmentPeriodCreate) -> AssessmentPeriod:
        return self._add(AssessmentPeriod.model_validate(period))

    def get_period(self, *, period_id: int) -> AssessmentPeriod | None:
        return self._session.get(AssessmentPeriod, period_id)

    def periods(self, *, instansi_id: int) -> list[AssessmentPeriod]:
        query = select(AssessmentPeriod).where(AssessmentPeriod.instansi_id == instansi_id)
        order = (col(AssessmentPeriod.starts_on), col(AssessmentPeriod.id))
        return list(self._session.exec(query.order_by(*order)))

    def periods_on(self, *, day: date, instansi_id: int | None = None) -> list[AssessmentPeriod]:
        """The assessment periods that `day` falls in (of one instansi, or of all)."""
        query = select(AssessmentPeriod).where(
            col(AssessmentPeriod.starts_on) <= day, col(AssessmentPeriod.ends_on) >= day
        )
        if instansi_id is not None:
            query = query.where(AssessmentPeriod.instansi_id == instansi_id)
        return list(self._session.exec(query.order_by(col(AssessmentPeriod.id))))

    def add_assessment(self, *, assessment: AssessmentCreate) -> Assessment:
        return self._add(Assessment.model_validate(assessment))

    def get_assessment(
        self, *, unit_id: int, period_id: int, kind: AssessmentKind
    ) -> Assessment | None:
        query = select(Assessment).where(
            Assessment.unit_id == unit_id,
            Assessment.period_id == period_id,
            Assessment.kind == kind,
        )
        return self._session.exec(query).first()

    def replace_answers(
        self, *, assessment_id: int, answers: Sequence[AnswerCreate], at: datetime | None = None
    ) -> int:
        """The assessment's answers become exactly `answers` (an import of the whole sheet)."""
        at = at or utc_now()
        self._session.exec(sa.delete(Answer).where(col(Answer.assessment_id) == assessment_id))
        touched = self._session.exec(
            sa.update(Assessment).where(col(Assessment.id) == assessment_id).values(updated_at=at)
        )
        if touched.rowcount != 1:
            raise NotFound(f"assessment {assessment_id} does not exist")
        rows = [
            {**answer.model_dump(), "assessment_id": assessment_id, "updated_at": at}
            for answer in answers
        ]
        if rows:
            self._session.exec(sa.insert(Answer), params=rows)
        return len(rows)

    def answers(self, *, assessment_id: int) -> list[Answer]:
        query = select(Answer).where(Answer.assessment_id == assessment_id)
        return list(self._session.exec(query.order_by(col(Answer.code))))

    def add_version(self, *, version: AssessmentVersionCreate) -> AssessmentVersion:
        return self._add(AssessmentVersion.model_validate(version))

    def latest_version(self, *, assessment_id: int) -> AssessmentVersion | None:
        query = select(AssessmentVersion).where(AssessmentVersion.assessment_id == assessment_id)
        return self._session.exec(query.order_by(col(AssessmentVersion.version).desc())).first()

    def tpi_assessment_ids(self, *, period_id: int) -> dict[int, int]:
        """unit_id → id of its TPI assessment in the period, to label the scores it yields."""
        query = select(col(Assessment.unit_id), col(Assessment.id)).where(
            Assessment.period_id == period_id, Assessment.kind == AssessmentKind.TPI
        )
        # `id` is typed optional only for rows not yet flushed; stored rows always have one.
        rows = self._session.exec(query)
        return {unit_id: assessment_id for unit_id, assessment_id in rows if assessment_id}

    def tpi_answers_frame(self, *, period_id: int) -> pd.DataFrame:
        """Every TPI answer of the period as columns unit_id, code, answer, in one SELECT."""
        query = (
            sa.select(col(Assessment.unit_id), col(Answer.code), col(Answer.answer))
            .join_from(Answer, Assessment, col(Answer.assessment_id) == col(Assessment.id))
            .where(
                col(Assessment.period_id) == period_id, col(Assessment.kind) == AssessmentKind.TPI
            )
        )
        result = self._execute_core(query)
        # The driver's plain tuples: building SQLAlchemy Row objects would take twice as long
        # at two million rows, and integer and text columns need no result processing.
        rows = result.cursor.fetchall()
        result.close()
        frame = pd.DataFrame.from_records(rows, columns=list(ANSWER_FRAME_COLUMNS))
        return frame.astype({"unit_id": "int64", "code": "str", "answer": "str"})


class SqlSnapshotRepository(_SqlRepository):
    def add_snapshots(
        self, *, rows: Sequence[ScoreSnapshotCreate], at: datetime | None = None
    ) -> int:
        """One bulk INSERT; a row for an existing (unit, assessment, as_of) replaces it."""
        if not rows:
            return 0
        at = at or utc_now()
        # dict(row), not model_dump(): the fields as they are, without copying each `details`.
        values = [{**dict(row), "created_at": at} for row in rows]
        statement = self._upsert_statement(ScoreSnapshot)
        replaced = ("unit_id", "assessment_id", "as_of")
        statement = statement.on_conflict_do_update(
            index_elements=list(replaced),
            set_={name: statement.excluded[name] for name in values[0] if name not in replaced},
        )
        self._execute_core(statement, values)
        return len(values)

    def snapshots(self, *, unit_id: int) -> list[ScoreSnapshot]:
        """The unit's score history, oldest first."""
        query = select(ScoreSnapshot).where(ScoreSnapshot.unit_id == unit_id)
        return list(self._session.exec(query.order_by(*_snapshot_age(descending=False))))

    def latest_snapshot(self, *, unit_id: int) -> ScoreSnapshot | None:
        query = select(ScoreSnapshot).where(ScoreSnapshot.unit_id == unit_id)
        return self._session.exec(query.order_by(*_snapshot_age(descending=True))).first()

    def latest_snapshots(
        self, *, unit_ids: Sequence[int], until: date
    ) -> dict[int, SnapshotSummary]:
        """Each unit's newest snapshot dated `until` or before (the newest of a day is the one
        written last, as `snapshots` orders them); one SELECT, without the details."""
        return self._newest_snapshots(unit_ids, col(ScoreSnapshot.as_of) <= until)


class SqlEvidenceRepository(_SqlRepository):
    def add_document(self, *, document: EvidenceDocumentCreate) -> EvidenceDocument:
        return self._add(EvidenceDocument.model_validate(document))

    def documents(self, *, unit_id: int, code: str | None = None) -> list[EvidenceDocument]:
        query = select(EvidenceDocument).where(EvidenceDocument.unit_id == unit_id)
        if code is not None:
            query = query.where(EvidenceDocument.code == code)
        order = (col(EvidenceDocument.code), col(EvidenceDocument.year), col(EvidenceDocument.id))
        return list(self._session.exec(query.order_by(*order)))

    def remove_documents(
        self, *, unit_id: int, document_ids: Collection[int]
    ) -> list[EvidenceDocument]:
        """Deletes the unit's documents among `document_ids` (another unit's are left alone);
        the rows deleted."""
        query = select(EvidenceDocument).where(
            EvidenceDocument.unit_id == unit_id, col(EvidenceDocument.id).in_(document_ids)
        )
        found = list(self._session.exec(query.order_by(col(EvidenceDocument.id))))
        for document in found:
            self._session.delete(document)
        self._session.flush()
        return found

    def stored_paths_in_use(self, *, among: Collection[str] | None = None) -> set[str]:
        """The store files some document of any unit still names (of `among`, or all)."""
        query = select(EvidenceDocument.stored_path).where(
            col(EvidenceDocument.stored_path).is_not(None)
        )
        if among is not None:
            query = query.where(col(EvidenceDocument.stored_path).in_(list(among)))
        return {path for path in self._session.exec(query.distinct()) if path is not None}


class SqlSurveyRepository(_SqlRepository):
    def add_survey(self, *, result: SurveyResultCreate) -> SurveyResult:
        return self._add(SurveyResult.model_validate(result))

    def surveys(self, *, unit_id: int, year: int) -> list[SurveyResult]:
        query = select(SurveyResult).where(
            SurveyResult.unit_id == unit_id, SurveyResult.year == year
        )
        return list(self._session.exec(query.order_by(col(SurveyResult.id))))

    def add_respondents(self, *, respondents: Sequence[SurveyRespondentCreate]) -> int:
        """One INSERT executed with every respondent (a 20,000-respondent survey is one
        statement, not 20,000 ORM objects)."""
        if not respondents:
            return 0
        self._execute_core(sa.insert(SurveyRespondent), [dict(r) for r in respondents])
        return len(respondents)

    def respondents(self, *, survey_id: int) -> list[SurveyRespondent]:
        query = select(SurveyRespondent).where(SurveyRespondent.survey_id == survey_id)
        return list(self._session.exec(query.order_by(col(SurveyRespondent.row))))

    def latest_survey(
        self, *, unit_id: int, period_id: int, kind: SurveyKind, source: SurveySource
    ) -> SurveyResult | None:
        """The unit's newest survey of `kind` by `source` in the period."""
        query = select(SurveyResult).where(
            SurveyResult.unit_id == unit_id,
            SurveyResult.period_id == period_id,
            SurveyResult.kind == kind,
            SurveyResult.source == source,
        )
        return self._session.exec(query.order_by(col(SurveyResult.id).desc())).first()

    def period_surveys(self, *, period_id: int, unit_id: int | None = None) -> list[FieldedSurvey]:
        """Every survey of the period (of one unit, or of all), oldest first, each with its
        respondents' last service date: one SELECT however many units, so that a monitoring
        run of 20,000 units does not ask once per unit."""
        last_served = (
            sa.select(sa.func.max(col(SurveyRespondent.served_on), type_=sa.Date))
            .where(col(SurveyRespondent.survey_id) == col(SurveyResult.id))
            .scalar_subquery()
        )
        query = select(SurveyResult, last_served).where(SurveyResult.period_id == period_id)
        if unit_id is not None:
            query = query.where(SurveyResult.unit_id == unit_id)
        rows = self._session.exec(query.order_by(col(SurveyResult.id)))
        return [FieldedSurvey(survey, served) for survey, served in rows]


class SqlDeadlineRepository(_SqlRepository):
    def add_deadline(self, *, deadline: DeadlineCreate) -> Deadline:
        return self._add(Deadline.model_validate(deadline))

    def deadlines(self, *, instansi_id: int) -> list[Deadline]:
        query = select(Deadline).where(Deadline.instansi_id == instansi_id)
        return list(self._session.exec(query.order_by(col(Deadline.due_on), col(Deadline.id))))

    def due_between(self, *, first: date, last: date) -> list[Deadline]:
        """Deadlines due from `first` to `last`, both included: what the reminders look at."""
        query = select(Deadline).where(col(Deadline.due_on).between(first, last))
        return list(self._session.exec(query.order_by(col(Deadline.due_on), col(Deadline.id))))

    def move_deadlines(
        self, *, kind: str, year: int, due_on: date, instansi_id: int | None = None
    ) -> list[tuple[Deadline, date]]:
        """Moves the stored milestones of `kind` due in `year` (of one instansi, or of all) to
        `due_on`; returns each with its old date. Reminders are composed from these rows, so
        they follow."""
        query = select(Deadline).where(
            Deadline.kind == kind,
            col(Deadline.due_on).between(date(year, 1, 1), date(year, 12, 31)),
        )
        if instansi_id is not None:
            query = query.where(Deadline.instansi_id == instansi_id)
        moved = [(d, d.due_on) for d in self._session.exec(query.order_by(col(Deadline.id)))]
        for deadline, _ in moved:
            deadline.due_on = due_on
            self._session.add(deadline)
        return moved


class SqlProposalRepository(_SqlRepository):
    def add_proposal(self, *, proposal: ProposalCreate, actor: str) -> Proposal:
        """A new revision for (unit, year, predicate), with its first event in the history."""
        latest = self.latest_proposal(
            unit_id=proposal.unit_id, year=proposal.year, predicate=proposal.predicate
        )
        revision = 1 if latest is None else latest.revision + 1
        row = self._add(Proposal.model_validate(proposal, update={"revision": revision}))
        first = ProposalEvent(proposal_id=_id(row), to_state=row.state, actor=actor)
        self._add(first)
        return row

    def get_proposal(self, *, proposal_id: int) -> Proposal | None:
        return self._session.get(Proposal, proposal_id)

    def latest_proposal(self, *, unit_id: int, year: int, predicate: Predicate) -> Proposal | None:
        query = select(Proposal).where(
            Proposal.unit_id == unit_id, Proposal.year == year, Proposal.predicate == predicate
        )
        return self._session.exec(query.order_by(col(Proposal.revision).desc())).first()

    def move_proposal(self, *, event: ProposalEventCreate) -> ProposalEvent:
        """Move the proposal from `event.from_state` to `event.to_state`, and record it."""
        if event.from_state is None:
            raise ValueError("moving a proposal needs the event's from_state")
        self._move_state(
            Proposal, row_id=event.proposal_id, from_state=event.from_state, to=event.to_state
        )
        return self._add(ProposalEvent.model_validate(event))

    def proposal_events(self, *, proposal_id: int) -> list[ProposalEvent]:
        query = select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id)
        order = (col(ProposalEvent.occurred_at), col(ProposalEvent.id))
        return list(self._session.exec(query.order_by(*order)))

    def proposals_of(
        self, *, instansi_id: int | None = None, year: int | None = None
    ) -> list[tuple[Proposal, UnitKerja]]:
        """Every revision with its unit, newest year first, then by unit code and revision."""
        query = select(Proposal, UnitKerja).join(UnitKerja, col(Proposal.unit_id) == UnitKerja.id)
        if instansi_id is not None:
            query = query.where(UnitKerja.instansi_id == instansi_id)
        if year is not None:
            query = query.where(Proposal.year == year)
        order = (
            col(Proposal.year).desc(),
            col(UnitKerja.code),
            col(Proposal.predicate),
            col(Proposal.revision),
        )
        return [(proposal, unit) for proposal, unit in self._session.exec(query.order_by(*order))]


def _id(row: SQLModel) -> int:
    """The primary key of a flushed row (SQLModel types it as optional until then)."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise RuntimeError(f"{type(row).__name__} has no id yet: it was not flushed")
    return value


class SqlWorkPlanRepository(_SqlRepository):
    def add_items(self, *, items: Sequence[WorkItemCreate]) -> int:
        """Adds the items not there yet (one statement); returns how many were new."""
        if not items:
            return 0
        statement = self._upsert_statement(WorkItem).on_conflict_do_nothing(
            index_elements=["unit_id", "year", "code"]
        )
        result = self._execute_core(statement, [item.model_dump() for item in items])
        return max(int(result.rowcount), 0)

    def items(self, *, unit_id: int, year: int) -> list[WorkItem]:
        query = select(WorkItem).where(WorkItem.unit_id == unit_id, WorkItem.year == year)
        return list(self._session.exec(query.order_by(col(WorkItem.id))))

    def units_items(
        self, *, unit_ids: Sequence[int], years: Collection[int]
    ) -> dict[tuple[int, int], list[PlannedItem]]:
        """`items` of every (unit, year) asked for that has any, in order, as the columns the
        daily reminders read, in one SELECT: they read every building unit's plans of two years
        each day, a query per unit and year and an ORM object per item before (2,600 items a
        day for the demo's 13 units)."""
        query = (
            sa.select(*(col(getattr(WorkItem, name)) for name in PlannedItem._fields))
            .where(
                self._among(col(WorkItem.unit_id), unit_ids), col(WorkItem.year).in_(list(years))
            )
            .order_by(col(WorkItem.id))
        )
        found: dict[tuple[int, int], list[PlannedItem]] = defaultdict(list)
        for row in self._execute_core(query):
            item = PlannedItem._make(row)
            found[(item.unit_id, item.year)].append(item)
        return dict(found)

    def complete_item(self, *, item_id: int, on: date, by: str | None = None) -> None:
        item = self._session.get(WorkItem, item_id)
        if item is None:
            raise NotFound(f"work item {item_id} does not exist")
        item.completed_on = on
        item.completed_by = by
        self._add(item)

    def overdue_counts(self, *, unit_ids: Sequence[int], as_of: date) -> dict[int, int]:
        """Per unit, the items due before `as_of` and not completed by then."""
        query = (
            sa.select(col(WorkItem.unit_id), sa.func.count())
            .where(*_overdue(self._among(col(WorkItem.unit_id), unit_ids), as_of))
            .group_by(col(WorkItem.unit_id))
        )
        rows = (tuple(row) for row in self._execute_core(query))
        return {int(unit): int(count) for unit, count in rows}

    def overdue_items(self, *, unit_ids: Sequence[int], as_of: date) -> list[WorkItem]:
        """The items `overdue_counts` counts, the earliest due first."""
        query = (
            select(WorkItem)
            .where(*_overdue(self._among(col(WorkItem.unit_id), unit_ids), as_of))
            .order_by(col(WorkItem.due_on), col(WorkItem.unit_id), col(WorkItem.id))
        )
        return list(self._session.exec(query))


def _overdue(among: sa.ColumnElement[bool], as_of: date) -> tuple[sa.ColumnElement[bool], ...]:
    """Late on `as_of`: due before it and not completed by then, of the items `among` selects
    (one definition for the monitoring report, the status table and the e-mails)."""
    return (
        among,
        col(WorkItem.due_on) < as_of,
        sa.or_(col(WorkItem.completed_on).is_(None), col(WorkItem.completed_on) > as_of),
    )


class SqlMonitoringRepository(_SqlRepository):
    def record_crossing(self, *, crossing: ThresholdCrossingCreate) -> bool:
        """True when this call recorded the crossing; False when a run before (or beside) did."""
        return bool(self.record_crossings(crossings=[crossing]))

    def record_crossings(
        self, *, crossings: Sequence[ThresholdCrossingCreate]
    ) -> set[tuple[int, Predicate]]:
        """(unit_id, predicate) of the crossings this call recorded, in one INSERT; those that
        a run before (or beside) recorded are left as they are.

        The new rows are told by RETURNING: with SQLAlchemy 2.1, psycopg reports no rowcount
        (-1) for an INSERT.
        """
        if not crossings:
            return set()
        statement = (
            self._upsert_statement(ThresholdCrossing)
            .on_conflict_do_nothing(index_elements=["unit_id", "period_id", "predicate"])
            .returning(col(ThresholdCrossing.unit_id), col(ThresholdCrossing.predicate))
        )
        at = utc_now()
        values = [{**crossing.model_dump(), "recorded_at": at} for crossing in crossings]
        recorded = (tuple(row) for row in self._execute_core(statement, values))
        return {(int(unit), Predicate(predicate)) for unit, predicate in recorded}

    def crossings(self, *, period_id: int) -> list[ThresholdCrossing]:
        query = select(ThresholdCrossing).where(ThresholdCrossing.period_id == period_id)
        return list(self._session.exec(query.order_by(col(ThresholdCrossing.id))))

    def pending_crossings(self, *, period_ids: Sequence[int]) -> list[PendingCrossing]:
        """The crossings of these periods whose proposal does not exist yet, oldest first: the
        columns only (thousands of them every week while a server's proposals catch up)."""
        query = (
            sa.select(
                col(ThresholdCrossing.id),
                col(ThresholdCrossing.unit_id),
                col(UnitKerja.code),
                col(UnitKerja.name),
                col(ThresholdCrossing.predicate),
                col(ThresholdCrossing.as_of),
                col(ThresholdCrossing.pending_reason),
            )
            .join(UnitKerja, col(UnitKerja.id) == col(ThresholdCrossing.unit_id))
            .where(
                col(ThresholdCrossing.period_id).in_(period_ids),
                col(ThresholdCrossing.proposal_id).is_(None),
            )
            .order_by(col(ThresholdCrossing.id))
        )
        return [PendingCrossing._make(row) for row in self._execute_core(query)]

    def settle_crossings(
        self, *, unit_id: int, predicate: Predicate, year: int, proposal_id: int
    ) -> None:
        """The unit's pending crossings of `predicate` in `year`'s periods now have their
        proposal; written in the proposal's own transaction, so neither exists without the other."""
        periods = select(AssessmentPeriod.id).where(AssessmentPeriod.year == year)
        self._session.execute(
            sa.update(ThresholdCrossing)
            .where(
                col(ThresholdCrossing.unit_id) == unit_id,
                col(ThresholdCrossing.predicate) == predicate,
                col(ThresholdCrossing.period_id).in_(periods),
                col(ThresholdCrossing.proposal_id).is_(None),
            )
            .values(proposal_id=proposal_id, pending_reason=None)
        )

    def note_pending(self, *, crossing_id: int, reason: str) -> None:
        self._session.execute(
            sa.update(ThresholdCrossing)
            .where(col(ThresholdCrossing.id) == crossing_id)
            .values(pending_reason=reason)
        )

    def previous_snapshots(
        self, *, unit_ids: Sequence[int], before: date
    ) -> dict[int, SnapshotSummary]:
        """Each unit's newest snapshot dated before `before`: what this run is compared with."""
        return self._newest_snapshots(unit_ids, col(ScoreSnapshot.as_of) < before)

    def history(
        self, *, unit_ids: Sequence[int], until: date
    ) -> dict[int, list[tuple[date, float]]]:
        """(as_of, total) of each unit's snapshots up to `until`, oldest first."""
        query = (
            sa.select(
                col(ScoreSnapshot.unit_id), col(ScoreSnapshot.as_of), col(ScoreSnapshot.total)
            )
            .where(
                self._among(col(ScoreSnapshot.unit_id), unit_ids), col(ScoreSnapshot.as_of) <= until
            )
            .order_by(col(ScoreSnapshot.unit_id), col(ScoreSnapshot.as_of))
        )
        found: dict[int, list[tuple[date, float]]] = {unit: [] for unit in unit_ids}
        for unit, as_of, total in (tuple(row) for row in self._execute_core(query)):
            found[int(unit)].append((as_of, float(total)))
        return found

    def evidence_years(self, *, unit_ids: Sequence[int]) -> pd.DataFrame:
        """Columns unit_id, code, year of every evidence document of the units (one SELECT)."""
        query = sa.select(
            col(EvidenceDocument.unit_id), col(EvidenceDocument.code), col(EvidenceDocument.year)
        ).where(self._among(col(EvidenceDocument.unit_id), unit_ids))
        result = self._execute_core(query)
        rows = result.cursor.fetchall()  # plain tuples, as in `tpi_answers_frame`
        result.close()
        return pd.DataFrame.from_records(rows, columns=["unit_id", "code", "year"])
