"""TPI monitoring of one assessment period: score every unit at once, keep the history, find
what changed, and name the units that newly meet a predicate with their prerequisites.

The whole run writes in one transaction: snapshots, TPI-evaluation moves and threshold crossings
commit together. A crossing is recorded once per unit, period and predicate (UNIQUE), so a rerun,
or a second run at the same time, finds nothing new and emits nothing twice.

A run reads and writes in bulk, a fixed number of statements whatever the number of units: the
lifecycle facts of all the units it moves or may propose at once (`units_facts`), the moves in
one write (`move_many`), the crossings in one INSERT. The rules stay the domain's: each unit's
move and proposal are still decided by `next_transition`.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from persistence.repositories import SnapshotSummary
from persistence.tables import AssessmentPeriod, ThresholdCrossingCreate, UnitKerja
from persistence.unit_of_work import UnitOfWork
from reports.monitoring import (
    ATTENTION_SHOWN,
    FIX_FIRST_SHOWN,
    FixFirstItem,
    MonitoringReport,
    UnitMonitoringRow,
    attention_units,
    newly_meets_change,
    no_longer_meets_change,
    shows_every_unit,
    write_monitoring_report,
)
from reports.survey_report import SurveySection
from services.lifecycle import facts_for_move, move_many, units_facts
from services.scoring import ScoredPeriod, snapshot_period
from services.survey_report import (
    indices_by_unit,
    method_reader,
    period_surveys_by_unit,
    survey_sections,
)
from zi_domain.evidence import indicator_of, oldest_recent_year
from zi_domain.framework import Framework
from zi_domain.gaps import lke_items
from zi_domain.indonesian import angka
from zi_domain.lifecycle import (
    AWARDED_STATES,
    STATE_LABELS,
    Action,
    IllegalTransition,
    UnitFacts,
    UnitState,
    allowed_actions,
    next_transition,
    stage_words,
)
from zi_domain.predicates import WBBM, Predicate, next_predicate, predicates_met
from zi_domain.rounding import lke_round, meets_minimum
from zi_domain.scoring import Shortfall, floor_measures, scoring_weights
from zi_domain.surveys import IndexInLke
from zi_domain.unit_score import UnitTotals, rule_name, shortfall_words

ACTOR = "TPI (pemantauan terjadwal)"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Crossing:
    """A unit that newly meets `predicate`'s floors and prerequisites in this period."""

    unit_id: int
    code: str
    name: str
    predicate: str
    total: float
    as_of: date


@dataclass(frozen=True)
class EvidenceStatus:
    """A unit's evidence as monitoring sees it: the LKE indicators with no document (gaps), and
    the documents of LKE indicators that the policy age flags as old (listed and counted all the
    same; 0 with no policy age)."""

    gaps: int
    old: int = 0
    max_age_years: int | None = None
    missing: tuple[str, ...] = ()  # the indicators without evidence, "code name", in LKE order


@dataclass(frozen=True)
class InFull:
    """What a run keeps to show its units in full (`detail`): its scores and answers, and
    where it reads the rest (history, surveys, evidence) for the units a report shows."""

    scored: ScoredPeriod
    framework: Framework
    period_id: int
    year: int
    as_of: date
    evidence_max_age_years: int | None

    def detail(self, uow: UnitOfWork, report: MonitoringReport) -> MonitoringReport:
        """`report` with the details of the units it shows in full (every unit of a one-page
        run; of a larger one, the first ATTENTION_SHOWN that ask for attention) that do not
        have them yet. Which units those are depends on the proposals still pending, known
        only once they are settled: a larger run details a few hundred units, not every one
        that may ask for attention (3,468 in a first run of 20,000 units, 0.5 s)."""
        every = shows_every_unit(len(report.units))
        shown = report.units if every else attention_units(report)[:ATTENTION_SHOWN]
        wanted = [unit for unit in shown if not unit.detailed]
        if not wanted:
            return report
        unit_ids = [unit.unit_id for unit in wanted]
        details = _details(
            uow,
            self.scored,
            self.framework,
            unit_ids=unit_ids,
            aims={unit.unit_id: _row_aim(unit) for unit in wanted},
            period_id=self.period_id,
            as_of=self.as_of,
            evidence=evidence_status(
                uow,
                unit_ids=unit_ids,
                framework=self.framework,
                year=self.year,
                max_age_years=self.evidence_max_age_years,
            ),
        )
        return replace(
            report,
            units=tuple(
                replace(unit, **vars(details[unit.unit_id]), detailed=True)
                if unit.unit_id in details
                else unit
                for unit in report.units
            ),
        )


def _row_aim(unit: UnitMonitoringRow) -> Predicate:
    assert unit.next_predicate is not None, "a run's rows name their aim (`_row`)"
    return Predicate(unit.next_predicate)


@dataclass(frozen=True)
class MonitoringOutcome:
    report: MonitoringReport
    crossings: tuple[Crossing, ...]
    report_path: Path | None
    in_full: InFull  # for a report of the run that changes what it shows (pending proposals)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off in the body, and as it was after.

    A run builds millions of objects that live until its end (scores, snapshot rows, report
    rows, the HTML): each full collection walks all of them again, and at 20,000 units that
    took as long as the rest of the run. They hold no reference cycles; reference counting
    frees them, and the collector, back on, finds any cycle left.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cycle_collection_paused(work: Callable[P, R]) -> Callable[P, R]:
    """`work` run under `collector_paused`."""

    @functools.wraps(work)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return work(*args, **kwargs)

    return paused


@contextmanager
def collector_spares_the_run() -> Iterator[Callable[[], None]]:
    """For a caller that keeps a run's outcome while it goes on (the monitoring flow proposes,
    writes the report and publishes after `monitor_period`): the cycle collector never walks
    the run's objects. Paused while the body builds them; once the body calls the function it
    gets (`built()`), everything alive is frozen (`gc.freeze`) and the collector is back on for
    what comes after. Everything is as it was on leaving.

    Re-enabled with the run's millions of objects still young, the collector walked them all
    at its next collections of each generation, once the run had returned."""
    enabled = gc.isenabled()
    frozen = False

    def built() -> None:
        nonlocal frozen
        gc.freeze()
        frozen = True
        if enabled:
            gc.enable()

    gc.disable()
    try:
        yield built
    finally:
        if frozen:
            gc.unfreeze()
        if enabled:
            gc.enable()
        else:
            gc.disable()


@_cycle_collection_paused
def monitor_period(
    uow: UnitOfWork,
    *,
    period_id: int,
    framework: Framework,
    as_of: date,
    report_dir: Path | None,
    evidence_max_age_years: int | None = None,
) -> MonitoringOutcome:
    """One monitoring run of the period; commits once, then writes the HTML report.

    Without `report_dir` the report is left to the caller, which shows it once it knows more
    (the flow: the proposals still pending), and its rows carry no details until the caller
    asks `outcome.in_full.detail` for those of the units it shows in full: built here too,
    they were built twice (0.1 s at 20,000 units).

    `evidence_max_age_years` is the setting of that name: evidence older than that many years
    before the period's year is flagged as old, never counted as missing."""
    period = uow.assessments.get_period(period_id=period_id)
    if period is None:
        raise LookupError(f"periode penilaian {period_id} tidak ada")
    instansi = uow.instansi.get_instansi(instansi_id=period.instansi_id)
    assert instansi is not None
    units = {u.id: u for u in uow.units.list_units(instansi_id=period.instansi_id)}
    scored = snapshot_period(uow, period_id=period_id, framework=framework, as_of=as_of)
    unit_ids = [int(u) for u in scored.totals]
    _start_tpi_evaluation(uow, units=[units[u] for u in unit_ids], year=period.year, as_of=as_of)
    previous = uow.monitoring.previous_snapshots(unit_ids=unit_ids, before=as_of)
    overdue = uow.work_plans.overdue_counts(unit_ids=unit_ids, as_of=as_of)
    # Counted for every unit; listed for the units shown in full (`InFull`).
    evidence = evidence_status(
        uow,
        unit_ids=unit_ids,
        framework=framework,
        year=period.year,
        max_age_years=evidence_max_age_years,
        listed=False,
    )
    complaints = _complaints(uow, units=[units[u] for u in unit_ids], as_of=as_of)
    refusals = _proposal_refusals(
        uow, units=[units[u] for u in unit_ids], totals=scored.totals, period=period, as_of=as_of
    )
    crossings = _record_crossings(
        uow,
        [(units[u], scored.totals[u]) for u, refusal in refusals.items() if refusal is None],
        period=period,
        as_of=as_of,
    )
    rows = {
        unit_id: _row(
            units[unit_id],
            scored.totals[unit_id],
            previous.get(unit_id),
            crossings.get(unit_id),
            overdue.get(unit_id, 0),
            evidence[unit_id],
            _held_back(
                units[unit_id],
                scored.totals[unit_id],
                refusals.get(unit_id),
                crossings.get(unit_id),
            ),
            complaints.get(unit_id, 0),
        )
        for unit_id in unit_ids
    }
    in_full = InFull(
        scored=scored,
        framework=framework,
        period_id=period_id,
        year=period.year,
        as_of=as_of,
        evidence_max_age_years=evidence_max_age_years,
    )
    monitoring = MonitoringReport(
        instansi=instansi.name,
        period=period.name,
        as_of=as_of,
        framework=framework.title,
        area_names={a.number: a.name for a in framework.areas},
        total_floors=_floors(framework, "total"),
        area_floors=_floors(framework, "area_percent"),
        units=tuple(rows.values()),
    )
    if report_dir is not None:  # else its caller details the report it writes (`InFull`)
        monitoring = in_full.detail(uow, monitoring)
    uow.commit()
    path = write_monitoring_report(monitoring, report_dir) if report_dir is not None else None
    return MonitoringOutcome(
        report=monitoring, crossings=tuple(crossings.values()), report_path=path, in_full=in_full
    )


def _floors(framework: Framework, rule: str) -> dict[str, float]:
    return {p.name: f.minimum for p in framework.predicates for f in p.floors if f.rule == rule}


def _start_tpi_evaluation(
    uow: UnitOfWork, *, units: list[UnitKerja], year: int, as_of: date
) -> None:
    """Units in development whose TPI assessment is being scored are under TPI evaluation."""
    developing = [unit for unit in units if unit.state == UnitState.DEVELOPING]
    facts = facts_for_move(
        uow,
        units=developing,
        state=UnitState.DEVELOPING,
        action=Action.START_TPI_EVALUATION,
        year=year,
        as_of=as_of,
    )
    move_many(
        uow,
        units=developing,
        action=Action.START_TPI_EVALUATION,
        facts=facts,
        year=year,
        actor=ACTOR,
    )


def _proposal_refusals(
    uow: UnitOfWork,
    *,
    units: list[UnitKerja],
    totals: dict[int, UnitTotals],
    period: AssessmentPeriod,
    as_of: date,
) -> dict[int, IllegalTransition | None]:
    """For each unit that meets its next predicate's floors and is not proposed (see
    `_awaits_proposal`), at whatever stage: the lifecycle's refusal to propose it, or None when
    it would let it be proposed (only under TPI evaluation)."""
    candidates = [
        unit for unit in units if unit.id is not None and _awaits_proposal(unit, totals[unit.id])
    ]
    facts = units_facts(uow, units=candidates, year=period.year, as_of=as_of)
    return {
        unit_id: _refusal(unit, facts[unit_id])
        for unit in candidates
        if (unit_id := unit.id) is not None
    }


# A unit at one of these stages is proposed: TPN holds its proposal.
_WITH_TPN = frozenset(
    {
        UnitState.PROPOSED,
        UnitState.TPN_ADMINISTRATIVE,
        UnitState.TPN_DESK,
        UnitState.TPN_FIELD,
        UnitState.TPN_PANEL,
    }
)


def _awaits_proposal(unit: UnitKerja, totals: UnitTotals) -> bool:
    """The unit meets the floors of the predicate it builds toward and is not proposed for it:
    the report must say why it is not proposed, or that it is ready. A unit that holds WBBM
    builds toward nothing higher."""
    return (
        unit.predicate != WBBM
        and UnitState(unit.state) not in _WITH_TPN
        and bool(totals.meets.get(next_predicate(unit.predicate)))
    )


def _refusal(unit: UnitKerja, facts: UnitFacts) -> IllegalTransition | None:
    try:
        next_transition(
            UnitState(unit.state), Action.PROPOSE, facts, predicate=next_predicate(unit.predicate)
        )
    except IllegalTransition as refusal:
        return refusal
    return None


def _record_crossings(
    uow: UnitOfWork,
    ready: list[tuple[UnitKerja, UnitTotals]],
    *,
    period: AssessmentPeriod,
    as_of: date,
) -> dict[int, Crossing]:
    """Records that each unit in `ready` newly meets its next predicate (one INSERT); returns
    the crossings that no run before recorded, by unit id."""
    assert period.id is not None
    crossings = [
        Crossing(
            unit_id=unit.id,
            code=unit.code,
            name=unit.name,
            predicate=next_predicate(unit.predicate),
            total=totals.total,
            as_of=as_of,
        )
        for unit, totals in ready
        if unit.id is not None
    ]
    recorded = uow.monitoring.record_crossings(
        crossings=[
            ThresholdCrossingCreate(
                unit_id=c.unit_id,
                period_id=period.id,
                predicate=Predicate(c.predicate),
                as_of=as_of,
                total=c.total,
            )
            for c in crossings
        ]
    )
    return {c.unit_id: c for c in crossings if (c.unit_id, Predicate(c.predicate)) in recorded}


def _held_back(
    unit: UnitKerja,
    totals: UnitTotals,
    refusal: IllegalTransition | None,
    crossing: Crossing | None,
) -> tuple[str, ...]:
    """Why a unit that meets floors is not proposed for them, in sentences the TPI reads.

    Every unit that meets its next predicate's floors and is not proposed says why: the
    lifecycle's reasons (`refusal`, see `_proposal_refusals`), at whatever stage the unit is;
    or, with no refusal, that its proposal is made (a new `crossing` says so in its own
    sentence). A unit without a predicate that meets WBBM's floors is told that WBBM comes
    after WBK."""
    notes = []
    predicate = next_predicate(unit.predicate)
    if _awaits_proposal(unit, totals):
        if refusal is not None:
            notes.append(f"memenuhi batas nilai {predicate}, tetapi {_why_not(unit, refusal)}")
        elif crossing is None:
            notes.append(
                f"memenuhi batas nilai {predicate} sejak pemantauan sebelumnya; usulannya ke TPN "
                "dibuat, atau dicoba lagi, setelah pemantauan ini"
            )
    if totals.meets.get(WBBM) and unit.predicate is None:
        notes.append(
            "memenuhi batas nilai WBBM, tetapi WBBM hanya untuk unit yang telah berpredikat WBK; "
            "unit diusulkan untuk WBK lebih dulu"
        )
    return tuple(notes)


def _why_not(unit: UnitKerja, refusal: IllegalTransition) -> str:
    """The lifecycle's refusal to propose the unit, worded for the row that shows its stage."""
    state = UnitState(unit.state)
    if Action.PROPOSE in allowed_actions(state):
        return f"belum dapat diusulkan: {'; '.join(refusal.reasons)}"
    proposing = [s for s in UnitState if Action.PROPOSE in allowed_actions(s)]
    return (
        f"belum dapat diusulkan dari tahap {stage_words(state)}; usulan dibuat dari tahap "
        f"{', '.join(stage_words(s) for s in proposing)}"
    )


def evidence_status(
    uow: UnitOfWork,
    *,
    unit_ids: list[int],
    framework: Framework,
    year: int,
    max_age_years: int | None = None,
    listed: bool = True,
) -> dict[int, EvidenceStatus]:
    """Per unit, the LKE indicators with no evidence at all, and the documents of LKE indicators
    dated more than `max_age_years` before `year` (none flagged when it is None). Without
    `listed`, only counted: `missing` stays empty (naming them for 20,000 units took 0.2 s)."""
    documents = uow.monitoring.evidence_years(unit_ids=unit_ids)
    indicator_codes = [i.code for i in framework.indicators]
    held: dict[int, set[str]] = {}
    labels = [(i.code, f"{i.code} {i.name}") for i in framework.indicators]
    oldest = oldest_recent_year(year, max_age_years)
    units = pd.Index(unit_ids, name="unit_id")
    covered = pd.Series(0, index=units)
    old = pd.Series(0, index=units)
    if not documents.empty:
        # PermenPANRB 90/2021 sets no date window for data dukung (Lampiran II): a document of
        # any year covers its indicator; an old one is only flagged.
        # Each distinct code's indicator once, not once per document.
        codes = documents["code"].unique()
        indicator = documents["code"].map({code: indicator_of(code) for code in codes})
        of_lke = documents.assign(indicator=indicator)
        of_lke = of_lke[of_lke["indicator"].isin(indicator_codes)]
        pairs = of_lke.drop_duplicates(["unit_id", "indicator"])
        covered = pairs.groupby("unit_id").size().reindex(units, fill_value=0)
        listing = zip(pairs["unit_id"].tolist(), pairs["indicator"].tolist(), strict=True)
        for unit, code in listing if listed else ():
            held.setdefault(int(unit), set()).add(str(code))
        if oldest is not None:
            aged = of_lke[of_lke["year"] < oldest]
            old = aged.groupby("unit_id").size().reindex(units, fill_value=0)
    return {
        int(u): EvidenceStatus(
            gaps=len(indicator_codes) - int(n),
            old=int(flagged),
            max_age_years=max_age_years,
            missing=tuple(label for code, label in labels if code not in held.get(int(u), set()))
            if listed
            else (),
        )
        for u, n, flagged in zip(unit_ids, covered.tolist(), old.tolist(), strict=True)
    }


def _row(
    unit: UnitKerja,
    totals: UnitTotals,
    previous: SnapshotSummary | None,
    crossing: Crossing | None,
    overdue: int,
    evidence: EvidenceStatus,
    held_back: tuple[str, ...],
    complaints: int,
) -> UnitMonitoringRow:
    """The unit's row without the details that only a view of the unit in full shows
    (`_details`)."""
    assert unit.id is not None
    complained = complaint_change(complaints, unit.predicate)
    aim = _aim(unit)
    return UnitMonitoringRow(
        unit_id=unit.id,
        code=unit.code,
        name=unit.name,
        state_label=STATE_LABELS[UnitState(unit.state)],
        total=totals.total,
        pengungkit=totals.pengungkit,
        hasil=totals.hasil,
        area_percent=totals.area_percent,
        meets=totals.meets,
        previous_total=previous.total if previous else None,
        changes=(
            *changes(totals, previous, crossing, overdue, evidence, held_back),
            *([complained] if complained else []),
        ),
        shortfalls=(),  # worded for the units shown in full (`_details`)
        missed_floors=totals.missed[aim],
        overdue_items=overdue,
        evidence_problems=evidence.gaps,
        history=(),
        complaints=complaints,
        next_predicate=aim,
        detailed=False,
    )


@dataclass(frozen=True)
class _UnitDetails:
    """What a view of one unit in full adds to its row (the fields of UnitMonitoringRow)."""

    shortfalls: tuple[str, ...]
    history: tuple[tuple[date, float], ...]
    fix_first: tuple[FixFirstItem, ...]
    evidence_missing: tuple[str, ...]
    indices: tuple[IndexInLke, ...]
    surveys: tuple[SurveySection, ...]


def _details(
    uow: UnitOfWork,
    scored: ScoredPeriod,
    framework: Framework,
    *,
    unit_ids: list[int],
    aims: dict[int, Predicate],
    period_id: int,
    as_of: date,
    evidence: dict[int, EvidenceStatus],
) -> dict[int, _UnitDetails]:
    """Each unit's details, read and computed for these units only: at 20,000 units, what to
    fix first, the survey indices, the evidence lists and the histories of every unit cost
    about a second a run, for the few hundred a report shows in full."""
    history = uow.monitoring.history(unit_ids=unit_ids, until=as_of)
    fixes = _fix_first(scored, framework, aims=aims)
    words = _shortfall_words(framework)
    surveys = period_surveys_by_unit(uow, period_id=period_id)
    indices = indices_by_unit(scored.sheet.values.loc[unit_ids], surveys, framework)
    methods = method_reader()
    return {
        unit_id: _UnitDetails(
            shortfalls=tuple(words(s) for s in scored.report(unit_id).shortfalls[aims[unit_id]]),
            history=tuple(history.get(unit_id, [])),
            fix_first=fixes[unit_id],
            evidence_missing=evidence[unit_id].missing,
            indices=indices.get(unit_id, ()),
            surveys=survey_sections(surveys.get(unit_id, ()), framework, methods),
        )
        for unit_id in unit_ids
    }


def _aim(unit: UnitKerja) -> Predicate:
    """What a unit's shortfalls and what to fix first aim at: the predicate it builds toward,
    or, for a unit that holds WBBM, the floors it must go on meeting."""
    return WBBM if unit.predicate == WBBM else next_predicate(unit.predicate)


def _fix_first(
    scored: ScoredPeriod, framework: Framework, *, aims: dict[int, Predicate]
) -> dict[int, tuple[FixFirstItem, ...]]:
    """Per unit, the first FIX_FIRST_SHOWN items of `zi_domain.gaps.fix_first` toward its aim,
    from the same answers and scores as the report's numbers.

    The same ranking for every unit at once: `fix_first` walks the LKE item by item for one
    unit (about 3 ms, a minute for 20,000 units); here each of its steps is one array operation
    over all the units that aim at a predicate. tests/services/test_monitoring_reasons.py
    checks that both give the same items, numbers and floors."""
    units = list(aims)
    items = list(lke_items(framework))
    codes = [code for code, *_ in items]
    weights = scoring_weights(framework)
    points = dict(zip(weights.question_codes, weights.per_question, strict=True))
    points |= {i.code: i.weight for i in framework.hasil_items}
    # A missing answer counts 0, as the LKE scores it (and as fix_first reads it).
    values = scored.sheet.values.reindex(index=units, columns=codes).to_numpy(dtype=float)
    gains = (1.0 - np.nan_to_num(values, nan=0.0)) * np.array([points[c] for c in codes])
    by_code = {code: rank for rank, code in enumerate(sorted(codes))}
    code_order = np.array([by_code[c] for c in codes])
    found: dict[int, tuple[FixFirstItem, ...]] = {}
    scores = scored.scores.reindex(index=units)
    for predicate in sorted(set(aims.values())):
        rows = np.array([aims[u] == predicate for u in units])
        failing = _failing_floors(scores[rows], framework, predicate)
        toward, helps = _toward_floors(gains[rows], failing, [feeds for *_, feeds in items])
        unit_gains = gains[rows]
        # gap_analysis lists an item that feeds a failing floor and gains anything; then
        # question_gains every other item that gains more than binary noise.
        closing = (unit_gains > 0) & (helps != 0)
        group = np.where(closing, 0, np.where(unit_gains > _GAIN_NOISE, 1, 2))
        toward = np.where(closing, toward, 0.0)
        order = np.lexsort(
            (np.broadcast_to(code_order, unit_gains.shape), -unit_gains, -toward, group), axis=-1
        )[:, :FIX_FIRST_SHOWN]
        words = _helps_words([rule for rule, *_ in failing], framework)
        for unit, first, kind, toward_row, gain_row, helps_row in zip(
            [u for u, chosen in zip(units, rows, strict=True) if chosen],
            order,
            group,
            toward,
            unit_gains,
            helps,
            strict=True,
        ):
            found[unit] = tuple(
                FixFirstItem(
                    code=codes[j],
                    text=items[j][1],
                    toward_floors=float(toward_row[j]),
                    gain=float(gain_row[j]),
                    helps=words(int(helps_row[j])),
                )
                for j in first
                if kind[j] < 2
            )
    return found


_GAIN_NOISE = 1e-9  # zi_domain.gaps.question_gains: a gain below it is a value at the top

# A floor rule (`area_percent.3`), whether each unit fails it, and the points each misses.
_Failing = tuple[str, npt.NDArray[np.bool_], npt.NDArray[np.float64]]


def _failing_floors(scores: pd.DataFrame, framework: Framework, predicate: str) -> list[_Failing]:
    """`zi_domain.scoring.shortfalls` of every unit at once, in its order, with the points
    that `zi_domain.gaps` counts as missing (an area's percentage times its weight)."""
    columns = {str(name): scores[name].to_numpy(dtype=float) for name in scores.columns}
    found = []
    for floor in framework.predicate(predicate).floors:
        for rule, measure in floor_measures(columns, framework, floor).items():
            missing = floor.minimum - measure
            if rule.startswith("area_percent."):
                missing = missing / 100.0 * framework.area(int(rule.split(".")[1])).weight
            found.append((rule, ~meets_minimum(measure, floor.minimum), missing))
    return found


def _toward_floors(
    gains: npt.NDArray[np.float64], failing: list[_Failing], feeds: list[set[str]]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """(the missing floor points each item's gain supplies, the failing floors it feeds as bits
    in the order of `failing`), per unit and item; summed floor by floor, as gap_analysis does."""
    assert len(failing) < 63, "more floor rules than bits"
    toward = np.zeros_like(gains)
    helps = np.zeros(gains.shape, dtype=np.int64)
    for bit, (rule, fails, missing) in enumerate(failing):
        fed = fails[:, None] & np.array([rule in f for f in feeds])[None, :]
        toward += np.where(fed, np.minimum(gains, missing[:, None]), 0.0)
        helps |= fed.astype(np.int64) << bit
    return toward, helps


def _helps_words(rules: list[str], framework: Framework) -> Callable[[int], tuple[str, ...]]:
    """The floors of a bit set (see `_toward_floors`) in words, each set worded once."""
    names = [rule_name(rule, framework) for rule in rules]

    @functools.cache
    def words(bits: int) -> tuple[str, ...]:
        return tuple(name for bit, name in enumerate(names) if bits >> bit & 1)

    return words


def _shortfall_words(framework: Framework) -> Callable[[Shortfall], str]:
    """`shortfall_words`, each distinct shortfall as shown worded once a run, not once a unit.

    The words show the numbers as the LKE does (two decimals), so shortfalls whose values show
    the same share their words: keyed by the raw value, nearly every unit's shortfalls were
    new (70,000 wordings at 20,000 units), by the shown one a few thousand."""
    worded: dict[tuple[str, float, float], str] = {}

    def words(shortfall: Shortfall) -> str:
        key = (shortfall.rule, shortfall.required, lke_round(shortfall.actual))
        if key not in worded:
            worded[key] = shortfall_words(shortfall, framework)
        return worded[key]

    return words


def _complaints(uow: UnitOfWork, *, units: list[UnitKerja], as_of: date) -> dict[int, int]:
    """Complaints of maladministration per unit up to `as_of`: since its latest award for a
    unit that holds a predicate (what the TPI weighs before it reports that the unit no longer
    meets it, Lampiran II Bab III), else in `as_of`'s year. Two queries for the whole run."""
    if not units:
        return {}
    instansi_id = units[0].instansi_id
    awards = uow.units.steps(
        instansi_id=instansi_id,
        unit_ids=[u.id for u in units if u.id],
        to_states=AWARDED_STATES.values(),
    )
    since = {
        unit.id: max(
            (e.effective_on for e in awards[unit.id]),
            default=date(as_of.year, 1, 1),
        )
        for unit in units
        if unit.id is not None
    }
    counted: dict[int, int] = {}
    for complaint in uow.units.complaints(instansi_id=instansi_id):
        first = since.get(complaint.unit_id)
        if first is not None and first <= complaint.received_on <= as_of:
            counted[complaint.unit_id] = counted.get(complaint.unit_id, 0) + 1
    return counted


def complaint_change(count: int, held: str | None) -> str | None:
    """The sentence a unit's complaints make in the report, if it has any."""
    if not count:
        return None
    if held is None:
        return f"{count} pengaduan maladministrasi tahun ini"
    return (
        f"{count} pengaduan maladministrasi sejak penetapan {held}: bila terbukti setelah "
        "klarifikasi, TPI melaporkan bahwa unit tidak lagi memenuhi kriteria (dasar pencabutan)"
    )


def changes(
    totals: UnitTotals,
    previous: SnapshotSummary | None,
    crossing: Crossing | None,
    overdue: int,
    evidence: EvidenceStatus,
    held_back: tuple[str, ...] = (),
) -> list[str]:
    """What changed since the previous run, in sentences the TPI reads."""
    found = []
    if crossing is not None:
        found.append(f"{newly_meets_change(crossing.predicate)}; siap diusulkan ke TPN")
    if previous is not None:
        delta = lke_round(totals.total) - lke_round(previous.total)
        if abs(delta) >= 0.005:
            found.append(f"nilai {'naik' if delta > 0 else 'turun'} {angka(abs(delta))}")
        was = predicates_met(wbk=previous.meets_wbk, wbbm=previous.meets_wbbm)
        found += [
            no_longer_meets_change(p) for p, met in was.items() if met and not totals.meets.get(p)
        ]
    found += held_back
    if overdue:
        found.append(f"{overdue} butir rencana kerja terlambat")
    if evidence.gaps:
        found.append(f"{evidence.gaps} indikator tanpa bukti dukung")
    if evidence.old:
        found.append(
            f"{evidence.old} dokumen bukti dukung ditandai lama "
            f"(lebih dari {evidence.max_age_years} tahun)"
        )
    return found


__all__ = [
    "Crossing",
    "EvidenceStatus",
    "InFull",
    "MonitoringOutcome",
    "ScoredPeriod",
    "collector_paused",
    "collector_spares_the_run",
    "monitor_period",
]
