"""The unit teams' LKE, both ways: the workbook each team fills in, and what comes back.

Out: one workbook per unit, prefilled with its latest stored answers and its work items.
In: a filled workbook (or the long CSV of many units) becomes a new version of the unit's
assessment, and the work items marked done are closed with who and when, in one transaction per
file. A file with any problem writes nothing and comes back with every problem and its cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from persistence.tables import AssessmentKind, AssessmentPeriod, Instansi, UnitKerja
from persistence.unit_of_work import UnitOfWork
from services.assessments import (
    AnswersRejected,
    AssessmentImport,
    ImportedAssessment,
    period_on,
    store_assessments,
    stored_answers,
)
from services.lookup import NotFoundInData, find_instansi
from spreadsheets.lke_form import (
    LkeFormContent,
    LkeFormError,
    LkeFormUnit,
    WorkItemLine,
    WorkItemStatus,
    read_lke_form,
    write_lke_form,
)
from zi_domain.answers import read_answers
from zi_domain.framework import Framework
from zi_domain.gaps import Gap, fix_first
from zi_domain.predicates import next_predicate
from zi_domain.scoring import score_units

KINDS = {"mandiri": AssessmentKind.SELF, "tpi": AssessmentKind.TPI}
FIX_FIRST_SHOWN = 5


class IntakeRefused(ValueError):
    """A file that cannot be imported; `problems` lists every one with its place."""

    def __init__(self, source: str, problems: Sequence[str], unit: UnitKerja | None = None) -> None:
        self.source = source
        self.problems = list(problems)
        self.unit = unit  # the unit the file is for, when it could be told
        listed = "\n".join(f"  {source}: {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} masalah, tidak ada yang disimpan:\n{listed}")


@dataclass(frozen=True)
class IntakeScope:
    """What an import is: which kind of assessment, which period (by name, or the one that
    `as_of` falls in), by whom and on which day."""

    framework: Framework
    kind: AssessmentKind
    as_of: date
    actor: str
    period_name: str | None = None


@dataclass(frozen=True)
class WorkbookIntake:
    """One workbook taken in: the unit, its new version (or unchanged), the work items closed,
    and what to fix first toward its next predicate."""

    instansi: Instansi
    unit: UnitKerja
    period: AssessmentPeriod
    imported: ImportedAssessment
    closed_items: int
    fix_first: tuple[Gap, ...] = field(default=())


# --- out -----------------------------------------------------------------------------------------


def write_unit_workbook(
    uow: UnitOfWork, *, unit: UnitKerja, folder: Path, scope: IntakeScope
) -> Path:
    """The unit's LKE workbook in `folder`, prefilled with its latest answers of the period."""
    from zi_domain.file_names import safe_file_name

    instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert instansi is not None and instansi.id is not None and unit.id is not None
    period = _period(uow, instansi, scope)
    answers = stored_answers(uow, unit_id=unit.id, period_id=_id(period), kind=scope.kind)
    owners = {m.id: m.name for m in uow.units.team(instansi_id=instansi.id, unit_id=unit.id)}
    items = [
        WorkItemLine(
            code=i.code,
            title=i.title,
            due_on=i.due_on,
            owner=owners.get(i.owner_member_id),
            completed_on=i.completed_on,
            completed_by=i.completed_by,
        )
        for i in uow.work_plans.items(unit_id=unit.id, year=period.year)
    ]
    path = folder / f"{safe_file_name(f'LKE-{unit.code}-{period.year}')}.xlsx"
    write_lke_form(
        path,
        framework=scope.framework,
        unit=LkeFormUnit(
            instansi_code=instansi.code or instansi.name,
            instansi_name=instansi.name,
            unit_code=unit.code,
            unit_name=unit.name,
            year=period.year,
            period_name=period.name,
        ),
        answers=answers,
        work_items=items,
    )
    return path


# --- in ------------------------------------------------------------------------------------------


def import_workbook(uow: UnitOfWork, *, path: Path, scope: IntakeScope) -> WorkbookIntake:
    """Imports one filled workbook and commits; IntakeRefused (nothing written) otherwise."""
    try:
        content = read_lke_form(path, framework=scope.framework)
    except LkeFormError as error:
        raise IntakeRefused(path.name, [str(error)]) from error
    if not content.unit_code or not content.instansi_code:
        problems = [str(p) for p in content.problems]
        raise IntakeRefused(path.name, problems or ["kode unit kerja atau instansi kosong"])
    instansi, unit = _owner(uow, content, path.name)
    if content.problems:
        raise IntakeRefused(path.name, [str(p) for p in content.problems], unit)
    try:
        period = _period(uow, instansi, scope)
    except IntakeRefused as refusal:
        raise IntakeRefused(path.name, refusal.problems, unit) from refusal
    context = AssessmentImport(_id(period), scope.kind, scope.framework, path.name, scope.actor)
    rows = content.answers.assign(unit=_id(unit))
    if rows.empty:  # a workbook sent back unfilled: no version of nothing
        raise IntakeRefused(path.name, ["belum ada jawaban yang diisi di kolom jawaban"], unit)
    try:
        (imported,) = store_assessments(uow, context=context, answers=rows)
    except AnswersRejected as refusal:
        raise IntakeRefused(path.name, [str(e) for e in refusal.errors], unit) from refusal
    closed = _close_items(uow, unit, period.year, content.work_items, scope)
    uow.commit()
    return WorkbookIntake(
        instansi=instansi,
        unit=unit,
        period=period,
        imported=imported,
        closed_items=closed,
        fix_first=_fix_first(rows, unit, scope.framework),
    )


def import_long_answers(
    uow: UnitOfWork, *, instansi: Instansi, rows: pd.DataFrame, source: str, scope: IntakeScope
) -> list[tuple[UnitKerja, ImportedAssessment]]:
    """Many units' answers (columns unit = unit code, code, answer, row) as one transaction."""
    assert instansi.id is not None
    units = {u.code: u for u in uow.units.list_units(instansi_id=instansi.id)}
    unknown = sorted(set(rows["unit"]) - set(units))
    if unknown:
        first_rows = rows.drop_duplicates("unit").set_index("unit")["row"]
        raise IntakeRefused(
            source,
            [f"baris {first_rows[c]}: unit kerja {c!r} tidak ada di instansi" for c in unknown],
        )
    period = _period(uow, instansi, scope)
    by_id = {_id(u): u for u in units.values()}
    coded = rows.assign(unit=rows["unit"].map(lambda c: _id(units[c])))
    context = AssessmentImport(_id(period), scope.kind, scope.framework, source, scope.actor)
    try:
        imported = store_assessments(uow, context=context, answers=coded)
    except AnswersRejected as refusal:
        raise IntakeRefused(source, [str(e) for e in refusal.errors]) from refusal
    uow.commit()
    return [(by_id[i.unit_id], i) for i in imported]


def _owner(uow: UnitOfWork, content: LkeFormContent, source: str) -> tuple[Instansi, UnitKerja]:
    try:
        instansi = find_instansi(uow, content.instansi_code)
    except NotFoundInData as error:
        raise IntakeRefused(source, [str(error)]) from error
    unit = uow.units.get_unit_by_code(instansi_id=_id(instansi), code=content.unit_code)
    if unit is None:
        raise IntakeRefused(
            source, [f"unit kerja {content.unit_code!r} tidak ada di instansi {instansi.name}"]
        )
    return instansi, unit


def _period(uow: UnitOfWork, instansi: Instansi, scope: IntakeScope) -> AssessmentPeriod:
    periods = uow.assessments.periods(instansi_id=_id(instansi))
    if scope.period_name is not None:
        named = [p for p in periods if p.name == scope.period_name]
        if not named:
            known = ", ".join(repr(p.name) for p in periods) or "belum ada"
            raise IntakeRefused(
                "--period", [f"periode {scope.period_name!r} tidak ada (yang ada: {known})"]
            )
        return named[-1]
    found = period_on(uow, instansi_id=_id(instansi), day=scope.as_of)
    if found is None:
        raise IntakeRefused(
            instansi.code or instansi.name,
            ["belum ada periode penilaian; buka dengan `zi period open` atau `zi develop`"],
        )
    return found


def _close_items(
    uow: UnitOfWork,
    unit: UnitKerja,
    year: int,
    statuses: Sequence[WorkItemStatus],
    scope: IntakeScope,
) -> int:
    """Closes the open items the team marked done (so reminders stop); returns how many."""
    done = {s.code: s for s in statuses if s.done}
    closed = 0
    for item in uow.work_plans.items(unit_id=_id(unit), year=year):
        status = done.get(item.code)
        if status is None or item.completed_on is not None:
            continue
        assert item.id is not None
        uow.work_plans.complete_item(
            item_id=item.id,
            on=status.completed_on or scope.as_of,
            by=status.completed_by or scope.actor,
        )
        closed += 1
    return closed


def _fix_first(rows: pd.DataFrame, unit: UnitKerja, framework: Framework) -> tuple[Gap, ...]:
    sheet = read_answers(rows, framework)
    scores = score_units(sheet.values, framework)
    held = unit.predicate.value if unit.predicate else None
    gaps = fix_first(sheet.values.iloc[0], scores.iloc[0], framework, next_predicate(held))
    return tuple(gaps[:FIX_FIRST_SHOWN])


def _id(row: Instansi | UnitKerja | AssessmentPeriod) -> int:
    assert row.id is not None
    return row.id
