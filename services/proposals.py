"""Proposals to TPN: opening one for a unit that is ready and building its package, the
instansi's letter, submission, and TPN's results.

A package is built from what the database holds for the unit and year, and is written to disk
before the proposal row that records its checksum is committed; if that commit fails, the files
are removed. The same data always gives the same bytes (see `reports.proposal_package`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from persistence.tables import (
    Predicate,
    Proposal,
    ProposalCreate,
    ProposalEventCreate,
    UnitKerja,
)
from persistence.unit_of_work import UnitOfWork
from reports.package_store import StoredPackage, remove_package, store_package
from reports.proposal_documents import InstansiLetter, ProposedUnit, UnitDossier
from reports.proposal_package import MANIFEST, instansi_package, unit_package
from services.lifecycle import at_noon, move, unit_facts
from services.standing import check_standing, read_standings, unit_standing
from zi_domain.agency import INSTANSI_HEAD_ROLE, UNIT_HEAD_ROLE
from zi_domain.evidence import EvidenceDocument, evidence_index
from zi_domain.file_names import safe_file_name
from zi_domain.framework import Framework
from zi_domain.lifecycle import Action, IllegalTransition, Transition, next_predicate
from zi_domain.prerequisites import prerequisite_checklist
from zi_domain.proposal import (
    OPEN_STATES,
    TPN_RESULTS,
    ProposalState,
    check_move,
)
from zi_domain.scoring import Shortfall
from zi_domain.unit_score import score_answers, shortfall_words

PACKAGES_FOLDER = "usulan"
"""Where packages go under the data folder: usulan/<year>/<instansi>/<unit>/<predicate>-r<n>."""

_TPN_ACTIONS = {
    ProposalState.TPN_ADMINISTRATIVE: Action.TPN_ADVANCE,
    ProposalState.TPN_DESK: Action.TPN_ADVANCE,
    ProposalState.TPN_FIELD: Action.TPN_ADVANCE,
    ProposalState.TPN_PANEL: Action.TPN_ADVANCE,
    ProposalState.AWARDED: Action.AWARD,
    ProposalState.REJECTED: Action.REJECT,
}


class UnitNotFound(LookupError):
    pass


class ProposalRefused(ValueError):
    """The unit cannot be proposed: every unmet floor, prerequisite and lifecycle rule listed."""

    def __init__(self, unit: UnitKerja, predicate: str, reasons: Sequence[str]) -> None:
        self.unit_code = unit.code
        self.predicate = predicate
        self.reasons = tuple(reasons)
        listed = "\n".join(f"  - {reason}" for reason in self.reasons)
        super().__init__(
            f"{unit.name} ({unit.code}) belum dapat diusulkan untuk {predicate}:\n{listed}"
        )


class ProposalLocked(ValueError):
    """A proposal already sent to TPN: its package is what TPN holds and is not rebuilt."""


@dataclass(frozen=True)
class Submission:
    letter: Path | None  # the zip of the letter that went out
    sent: list[Proposal]


@dataclass(frozen=True)
class ProposalStart:
    proposal: Proposal
    created: bool  # False: the open draft was kept as it is
    package: Path | None  # the zip of the unit's package


def propose_unit(
    uow: UnitOfWork,
    *,
    unit_id: int,
    year: int,
    as_of: date,
    actor: str,
    framework: Framework,
    data_dir: Path,
    predicate: str | None = None,
    new_revision: bool = False,
) -> ProposalStart:
    """Moves the unit to `proposed`, opens a draft proposal and builds its package.

    With an open draft, nothing changes unless `new_revision`: then a new revision with a new
    package replaces the draft, which is kept (superseded) with its files. Refused
    (ProposalRefused, nothing written) when the lifecycle's guards refuse; ProposalLocked when
    the proposal was already submitted.
    """
    unit = _unit(uow, unit_id)
    sought = predicate or next_predicate(unit.predicate.value if unit.predicate else None)
    existing = uow.proposals.latest_proposal(
        unit_id=unit_id, year=year, predicate=Predicate(sought)
    )
    replacing = existing if existing is not None and existing.state in OPEN_STATES else None
    if replacing is not None and not new_revision:
        return ProposalStart(proposal=replacing, created=False, package=_zip_of(replacing))
    if replacing is not None and replacing.state != ProposalState.DRAFT:
        raise ProposalLocked(
            f"usulan {sought} {unit.name} tahun {year} revisi {replacing.revision} sudah "
            f"dikirim ke TPN (status {replacing.state}); paketnya tidak dibuat ulang"
        )
    if replacing is None:
        _move_to_proposed(
            uow,
            unit=unit,
            predicate=sought,
            year=year,
            as_of=as_of,
            actor=actor,
            framework=framework,
        )
    else:
        _move_proposal(uow, replacing, ProposalState.SUPERSEDED, actor=actor, as_of=as_of)
    revision = 1 if existing is None else existing.revision + 1
    dossier = unit_dossier(
        uow,
        unit=unit,
        predicate=sought,
        year=year,
        as_of=as_of,
        revision=revision,
        framework=framework,
    )
    proposal = uow.proposals.add_proposal(
        proposal=ProposalCreate(
            unit_id=unit_id, year=year, predicate=Predicate(sought), state=ProposalState.DRAFT
        ),
        actor=actor,
    )
    stored = _store_unit_package(dossier, data_dir=data_dir, unit=unit)
    proposal.package_path = str(stored.zip_path)
    proposal.package_sha256 = stored.zip_sha256
    proposal.tpi_total = dossier.report.total
    _commit_or_remove(uow, stored)
    build_instansi_letter(
        uow, instansi_id=unit.instansi_id, year=year, as_of=as_of, data_dir=data_dir
    )
    return ProposalStart(proposal=proposal, created=True, package=stored.zip_path)


def _unit(uow: UnitOfWork, unit_id: int) -> UnitKerja:
    unit = uow.units.get_unit(unit_id=unit_id)
    if unit is None:
        raise UnitNotFound(f"unit kerja {unit_id} tidak ada")
    return unit


def _move_to_proposed(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    predicate: str,
    year: int,
    as_of: date,
    actor: str,
    framework: Framework,
) -> None:
    facts = unit_facts(uow, unit=unit, year=year, as_of=as_of)
    try:
        move(
            uow,
            unit=unit,
            action=Action.PROPOSE,
            facts=facts,
            year=year,
            actor=actor,
            predicate=predicate,
        )
    except IllegalTransition as refusal:
        uow.rollback()
        raise ProposalRefused(
            unit,
            predicate,
            [*refusal.reasons, *_floor_shortfalls(uow, unit, predicate, as_of, framework)],
        ) from refusal


def _floor_shortfalls(
    uow: UnitOfWork, unit: UnitKerja, predicate: str, as_of: date, framework: Framework
) -> list[str]:
    """Each floor of `predicate` that the unit's latest TPI score misses, in words."""
    assert unit.id is not None
    snapshots = [s for s in uow.snapshots.snapshots(unit_id=unit.id) if s.as_of <= as_of]
    if not snapshots:
        return []
    found = snapshots[-1].details.get("shortfalls", {}).get(predicate, [])
    return [f"batas nilai: {shortfall_words(Shortfall(**s), framework)}" for s in found]


def _zip_of(proposal: Proposal) -> Path | None:
    return Path(proposal.package_path) if proposal.package_path else None


def _commit_or_remove(uow: UnitOfWork, stored: StoredPackage) -> None:
    try:
        uow.commit()
    except BaseException:
        remove_package(stored)
        raise


# --- the unit's dossier --------------------------------------------------------------------


def unit_dossier(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    predicate: str,
    year: int,
    as_of: date,
    revision: int,
    framework: Framework,
) -> UnitDossier:
    """What the unit's package is made from: its latest TPI assessment (the stored answers,
    scored now), the year's snapshots, its evidence and its Tabel 5 standing."""
    assert unit.id is not None
    instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert instansi is not None
    snapshots = [
        s
        for s in uow.snapshots.snapshots(unit_id=unit.id)
        if s.as_of <= as_of and s.as_of.year == year
    ]
    answers = (
        {
            a.code: a.answer
            for a in uow.assessments.answers(assessment_id=snapshots[-1].assessment_id)
        }
        if snapshots
        else {}
    )
    scored = score_answers(answers, framework)
    standings = read_standings(uow, instansi_id=unit.instansi_id, unit_ids=[unit.id], year=year)
    check = check_standing(standings, unit=unit, predicate=predicate, as_of=as_of)
    return UnitDossier(
        instansi=instansi.name,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_head=_named(uow, instansi_id=unit.instansi_id, unit_id=unit.id, role=UNIT_HEAD_ROLE),
        year=year,
        predicate=predicate,
        revision=revision,
        dated=as_of,
        framework=framework,
        report=scored.report,
        answers=answers,
        values=scored.values,
        scores=scored.scores,
        history=tuple((s.as_of, s.total) for s in snapshots),
        evidence=evidence_index(
            framework,
            (
                EvidenceDocument(d.code, d.title, d.year, d.sha256, d.location)
                for d in uow.evidence.documents(unit_id=unit.id)
            ),
            year=year,
        ),
        checklist=prerequisite_checklist(
            predicate,
            instansi=standings.instansi,
            unit=unit_standing(standings, unit=unit, predicate=predicate),
            as_of=as_of,
        ),
        waived=frozenset(w.rule for w in check.waived),
    )


def _named(uow: UnitOfWork, *, instansi_id: int, unit_id: int | None, role: str) -> str | None:
    people = [
        m.name for m in uow.units.team(instansi_id=instansi_id, unit_id=unit_id) if m.role == role
    ]
    return people[0] if people else None


def _store_unit_package(dossier: UnitDossier, *, data_dir: Path, unit: UnitKerja) -> StoredPackage:
    package = unit_package(dossier)
    unit_folder = _instansi_folder(data_dir, dossier.year, dossier.instansi) / _unit_name(unit)
    name = f"{dossier.predicate}-r{dossier.revision}"
    top = f"{_unit_name(unit)}-{dossier.year}-{name}"
    return store_package(
        package.files, folder=unit_folder / name, zip_path=unit_folder / f"{top}.zip", top=top
    )


def _instansi_folder(data_dir: Path, year: int, instansi: str) -> Path:
    return data_dir / PACKAGES_FOLDER / str(year) / safe_file_name(instansi)


def _unit_name(unit: UnitKerja) -> str:
    return safe_file_name(f"{unit.code} {unit.name}")


# --- the instansi's letter -----------------------------------------------------------------


def build_instansi_letter(
    uow: UnitOfWork, *, instansi_id: int, year: int, as_of: date, data_dir: Path
) -> Path | None:
    """The letter that lists every unit proposed in `year` (drafts and later, not superseded
    or rejected), as a new revision when its contents changed; None when no unit is proposed."""
    instansi = uow.instansi.get_instansi(instansi_id=instansi_id)
    if instansi is None:
        raise LookupError(f"instansi {instansi_id} tidak ada")
    proposed = [
        ProposedUnit(
            code=unit.code, name=unit.name, predicate=p.predicate.value, total=p.tpi_total or 0.0
        )
        for p, unit in uow.proposals.proposals_of(instansi_id=instansi_id, year=year)
        if p.state in OPEN_STATES | {ProposalState.AWARDED}
    ]
    if not proposed:
        return None
    letter = InstansiLetter(
        instansi=instansi.name,
        year=year,
        dated=as_of,
        units=tuple(proposed),
        head_name=_named(uow, instansi_id=instansi_id, unit_id=None, role=INSTANSI_HEAD_ROLE),
    )
    folder = _instansi_folder(data_dir, year, instansi.name)
    latest = max(_letter_revisions(folder), default=0)
    revision = latest + 1
    package = instansi_package(letter, revision=revision)  # rendered once, compared, kept
    if latest and _same_but_revision(
        (folder / f"surat-pengajuan-r{latest}" / MANIFEST).read_bytes(), package.manifest
    ):
        return folder / f"{_letter_top(instansi.name, year, latest)}.zip"
    top = _letter_top(instansi.name, year, revision)
    stored = store_package(
        package.files,
        folder=folder / f"surat-pengajuan-r{revision}",
        zip_path=folder / f"{top}.zip",
        top=top,
    )
    return stored.zip_path


def _same_but_revision(stored: bytes, built: bytes) -> bool:
    """Whether two manifests list the same letter (its PDF's checksum included), whatever
    their revision numbers."""
    first, second = json.loads(stored), json.loads(built)
    first.pop("revisi"), second.pop("revisi")
    return bool(first == second)


def _letter_revisions(folder: Path) -> list[int]:
    names = (
        found.name.removeprefix("surat-pengajuan-r") for found in folder.glob("surat-pengajuan-r*")
    )
    return [int(name) for name in names if name.isdigit()]


def _letter_top(instansi: str, year: int, revision: int) -> str:
    return f"surat-pengajuan-{safe_file_name(instansi)}-{year}-r{revision}"


# --- submission and TPN's results ----------------------------------------------------------


def submit_proposals(
    uow: UnitOfWork, *, instansi_id: int, year: int, as_of: date, actor: str, data_dir: Path
) -> Submission:
    """Marks every draft of the instansi's year as sent to TPN with the letter, rebuilt first so
    that it lists exactly what is sent."""
    letter = build_instansi_letter(
        uow, instansi_id=instansi_id, year=year, as_of=as_of, data_dir=data_dir
    )
    drafts = [
        p
        for p, _ in uow.proposals.proposals_of(instansi_id=instansi_id, year=year)
        if p.state == ProposalState.DRAFT
    ]
    for proposal in drafts:
        _move_proposal(uow, proposal, ProposalState.SUBMITTED, actor=actor, as_of=as_of)
    uow.commit()
    return Submission(letter=letter, sent=drafts)


def record_tpn_result(
    uow: UnitOfWork,
    *,
    unit_id: int,
    year: int,
    predicate: str,
    result: str,
    as_of: date,
    actor: str,
    note: str | None = None,
) -> Transition:
    """TPN's outcome for the unit's proposal: a stage reached, an award or a rejection.

    The proposal must have been submitted; an award sets the unit's predicate (and so opens
    the way to WBBM after WBK).
    """
    if result not in TPN_RESULTS:
        raise ValueError(f"hasil TPN tidak dikenal: {result!r}; pilih {', '.join(TPN_RESULTS)}")
    target = ProposalState(result)
    unit = _unit(uow, unit_id)
    proposal = uow.proposals.latest_proposal(
        unit_id=unit_id, year=year, predicate=Predicate(predicate)
    )
    if proposal is None:
        raise LookupError(f"{unit.name} tidak mempunyai usulan {predicate} tahun {year}")
    # The proposal's move first: its refusal ("not yet submitted") says more than the unit's.
    _move_proposal(uow, proposal, target, actor=actor, as_of=as_of)
    facts = unit_facts(uow, unit=unit, year=year, as_of=as_of, predicate_sought=predicate)
    transition = move(
        uow,
        unit=unit,
        action=_TPN_ACTIONS[target],
        facts=facts,
        year=year,
        actor=actor,
        predicate=predicate,
        note=note,
    )
    uow.commit()
    return transition


def _move_proposal(
    uow: UnitOfWork, proposal: Proposal, target: ProposalState, *, actor: str, as_of: date
) -> None:
    assert proposal.id is not None
    check_move(ProposalState(proposal.state), target)
    uow.proposals.move_proposal(
        event=ProposalEventCreate(
            proposal_id=proposal.id,
            from_state=proposal.state,
            to_state=target,
            actor=actor,
            occurred_at=at_noon(as_of),
        )
    )
    proposal.state = target
