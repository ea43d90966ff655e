"""Proposals to TPN: opening one for a unit that is ready and building its package, the
instansi's letter, submission, and TPN's results.

A package is built from what the database holds for the unit and year, and is written to disk
before the proposal row that records its checksum is committed; if that commit fails, the files
are removed. The same data always gives the same bytes (see `reports.proposal_package`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from persistence.evidence_store import EvidenceFileMissing, EvidenceStore
from persistence.repositories import SnapshotSummary
from persistence.tables import (
    AssessmentKind,
    Instansi,
    Proposal,
    ProposalCreate,
    ProposalEventCreate,
    UnitKerja,
)
from persistence.unit_of_work import UnitOfWork
from reports.archive import ContentChanged, FileOnDisk
from reports.package_store import StoredPackage, remove_package, store_package, volume_path
from reports.proposal_documents import InstansiLetter, ProposedUnit, Signatory, UnitDossier
from reports.proposal_package import MANIFEST, instansi_package, unit_package
from reports.survey_report import SurveyReport
from services.after_award import after_award
from services.evidence import evidence_documents
from services.lifecycle import Decree, at_noon, build_on, move, unit_facts
from services.standing import check_standing, read_standings, unit_standing
from services.survey_report import period_survey_report
from zi_domain.agency import INSTANSI_HEAD_ROLE, TPI_ROLE, UNIT_HEAD_ROLE
from zi_domain.evidence import evidence_index
from zi_domain.evidence_files import with_package_paths
from zi_domain.file_names import safe_file_name
from zi_domain.framework import Framework
from zi_domain.lifecycle import Action, IllegalTransition, Transition
from zi_domain.predicates import Predicate, next_predicate
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
    ProposalState.ANNULLED: Action.ANNUL,
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
    package: Path | None  # the zip of the unit's package (its first volume when split)
    volumes: tuple[Path, ...] = ()  # the zips of its further volumes (jilid 2, 3, ...)
    total_bytes: int | None = None  # the size of its files, all volumes; None: kept as it was


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
    evidence_max_age_years: int | None = None,
    package_max_bytes: int | None = None,
) -> ProposalStart:
    """Moves the unit to `proposed`, opens a draft proposal and builds its package: the
    documents and the evidence files, split into volumes of at most `package_max_bytes`.

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
        _settle_crossings(uow, replacing)
        uow.commit()
        letter_up_to_date(
            uow, instansi_id=unit.instansi_id, year=year, as_of=as_of, data_dir=data_dir
        )
        kept = _zip_of(replacing)
        return ProposalStart(
            proposal=replacing, created=False, package=kept, volumes=_volumes_of(kept)
        )
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
        evidence_max_age_years=evidence_max_age_years,
    )
    proposal = uow.proposals.add_proposal(
        proposal=ProposalCreate(
            unit_id=unit_id, year=year, predicate=Predicate(sought), state=ProposalState.DRAFT
        ),
        actor=actor,
    )
    _settle_crossings(uow, proposal)
    try:
        stored = _store_unit_package(
            dossier,
            folder=_instansi_folder(data_dir, year, _instansi_of(uow, unit.instansi_id)),
            data_dir=data_dir,
            unit=unit,
            max_bytes=package_max_bytes,
        )
    except (EvidenceFileMissing, ContentChanged) as missing:
        uow.rollback()
        raise ProposalRefused(unit, sought, [f"bukti dukung: {missing}"]) from missing
    proposal.package_path = str(stored.zip_path)
    proposal.package_sha256 = stored.zip_sha256
    proposal.tpi_total = dossier.report.total
    _commit_or_remove(uow, stored)
    build_instansi_letter(
        uow, instansi_id=unit.instansi_id, year=year, as_of=as_of, data_dir=data_dir
    )
    return ProposalStart(
        proposal=proposal,
        created=True,
        package=stored.zip_path,
        volumes=stored.volumes,
        total_bytes=stored.total_bytes,
    )


def _settle_crossings(uow: UnitOfWork, proposal: Proposal) -> None:
    """The monitoring crossings that led to this proposal are no longer pending."""
    assert proposal.id is not None
    uow.monitoring.settle_crossings(
        unit_id=proposal.unit_id,
        predicate=proposal.predicate,
        year=proposal.year,
        proposal_id=proposal.id,
    )


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


def _volumes_of(package: Path | None) -> tuple[Path, ...]:
    """The further volumes written beside a package's zip (jilid 2, 3, ...)."""
    found: list[Path] = []
    while package is not None and (path := volume_path(package, len(found) + 2)).exists():
        found.append(path)
    return tuple(found)


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
    evidence_max_age_years: int | None = None,
) -> UnitDossier:
    """What the unit's package is made from: its latest TPI assessment (the stored answers,
    scored now), the year's snapshots, its evidence (old documents flagged under the policy
    age, never left out), its Tabel 5 standing and the chair of the TPI who signs its
    evaluation report (LHE)."""
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
            with_package_paths(evidence_documents(uow, unit_id=unit.id)),
            year=year,
            max_age_years=evidence_max_age_years,
        ),
        checklist=prerequisite_checklist(
            predicate,
            instansi=standings.instansi,
            unit=unit_standing(standings, unit=unit, predicate=predicate),
            as_of=as_of,
        ),
        waived=frozenset(w.rule for w in check.waived),
        tpi_chair=_tpi_chair(uow, instansi_id=unit.instansi_id),
        surveys=_surveys(uow, unit, snapshots[-1].assessment_id, as_of, framework)
        if snapshots
        else None,
    )


def _surveys(
    uow: UnitOfWork, unit: UnitKerja, assessment_id: int, as_of: date, framework: Framework
) -> SurveyReport | None:
    """The one-page report of the unit's surveys in the period of the TPI assessment the
    package scores (None when it has none)."""
    assert unit.id is not None
    for period in uow.assessments.periods(instansi_id=unit.instansi_id):
        assert period.id is not None
        found = uow.assessments.get_assessment(
            unit_id=unit.id, period_id=period.id, kind=AssessmentKind.TPI
        )
        if found is not None and found.id == assessment_id:
            report = period_survey_report(
                uow, unit=unit, period=period, framework=framework, dated=as_of
            )
            return report if report.sections else None
    return None


def _named(uow: UnitOfWork, *, instansi_id: int, unit_id: int | None, role: str) -> str | None:
    people = [
        m.name for m in uow.units.team(instansi_id=instansi_id, unit_id=unit_id) if m.role == role
    ]
    return people[0] if people else None


def _tpi_chair(uow: UnitOfWork, *, instansi_id: int) -> Signatory | None:
    """The Ketua TPI who signs the LHE: the team list has no chair role, so the instansi's first
    TPI member (the order they were entered in); None leaves a blank line to sign on."""
    members = [
        m for m in uow.units.team(instansi_id=instansi_id, unit_id=None) if m.role == TPI_ROLE
    ]
    if not members:
        return None
    return Signatory(members[0].name, "Ketua Tim Penilai Internal", nip=members[0].nip)


def _store_unit_package(
    dossier: UnitDossier, *, folder: Path, data_dir: Path, unit: UnitKerja, max_bytes: int | None
) -> StoredPackage:
    package = unit_package(
        dossier, evidence=evidence_files(dossier, data_dir=data_dir), max_bytes=max_bytes
    )
    unit_folder = folder / _unit_name(unit)
    name = f"{dossier.predicate}-r{dossier.revision}"
    top = f"{_unit_name(unit)}-{dossier.year}-{name}"
    return store_package(
        package.every_file,
        folder=unit_folder / name,
        zip_path=unit_folder / f"{top}.zip",
        top=top,
        volumes=package.volumes,
    )


def evidence_files(dossier: UnitDossier, *, data_dir: Path) -> dict[str, FileOnDisk]:
    """Every evidence file the dossier's index places in the package, left in the evidence
    store (copied, and checked against its SHA-256, as the package is written);
    EvidenceFileMissing when one is gone from the store or has another size."""
    store = EvidenceStore(data_dir)
    files: dict[str, FileOnDisk] = {}
    for d in dossier.evidence.documents:
        if d.stored_path is None or d.location in files:
            continue
        path = store.path_of(d.stored_path)
        size = path.stat().st_size if path.is_file() else None
        if size is None or size != d.size_bytes:
            raise EvidenceFileMissing(
                f"berkas {d.original_name or d.title} ({d.code}, SHA-256 {d.sha256}) tidak ada "
                f"lagi di penyimpanan bukti dukung ({path}) atau ukurannya berubah; impor "
                "ulang dengan `zi evidence import`"
            )
        files[d.location] = FileOnDisk(path, size, d.sha256)
    return files


def _instansi_folder(data_dir: Path, year: int, instansi: Instansi) -> Path:
    """The instansi's name for people, its number for uniqueness: two names that fold to the
    same file name (long names cut, punctuation folded) must not share a folder."""
    return data_dir / PACKAGES_FOLDER / str(year) / f"{safe_file_name(instansi.name)}-{instansi.id}"


def _instansi_of(uow: UnitOfWork, instansi_id: int) -> Instansi:
    instansi = uow.instansi.get_instansi(instansi_id=instansi_id)
    if instansi is None:
        raise LookupError(f"instansi {instansi_id} tidak ada")
    return instansi


def _unit_name(unit: UnitKerja) -> str:
    return safe_file_name(f"{unit.code} {unit.name}")


# --- the instansi's letter -----------------------------------------------------------------


def build_instansi_letter(
    uow: UnitOfWork, *, instansi_id: int, year: int, as_of: date, data_dir: Path
) -> Path | None:
    """The letter (PermenPANRB 5/2024, Gambar 6) with the instansi's one SPTJM (Gambar 7), both
    dated `as_of`, listing every unit proposed in `year` (drafts and later, not superseded or
    rejected) with its TPI total as it stands on `as_of`; a new revision when their contents
    changed; None when no unit is proposed. Runs proposing units of the instansi at once (on
    several workers) build it one after the other, each reading what the one before wrote."""
    uow.instansi.hold(instansi_id=instansi_id)
    instansi = _instansi_of(uow, instansi_id)
    listed = _letter_units(uow, instansi_id=instansi_id, year=year)
    if not listed:
        return None
    standing = _tpi_scores_on(
        uow, unit_ids=[unit.id for _, unit in listed if unit.id], year=year, day=as_of
    )
    proposed = [
        ProposedUnit(
            code=unit.code,
            name=unit.name,
            predicate=p.predicate.value,
            # The score of the day the letter is signed, not the one its package was built
            # with weeks before; the package's only when the year has no snapshot by then.
            total=found.total if (found := standing.get(unit.id or 0)) else p.tpi_total or 0.0,
            scored_on=found.as_of if found else None,
        )
        for p, unit in listed
    ]
    head = instansi_head(uow, instansi)
    letter = InstansiLetter(
        instansi=instansi.name,
        year=year,
        dated=as_of,
        units=tuple(proposed),
        head_name=head.name,
        head_title=head.title,
        head_elected=head.elected,
        head_nip=head.nip,
    )
    folder = _instansi_folder(data_dir, year, instansi)
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


def _tpi_scores_on(
    uow: UnitOfWork, *, unit_ids: Sequence[int], year: int, day: date
) -> dict[int, SnapshotSummary]:
    """Each unit's latest TPI score snapshot of `year` dated `day` or before (one SELECT); a
    unit without one in the year is absent."""
    found = uow.snapshots.latest_snapshots(unit_ids=unit_ids, until=min(day, date(year, 12, 31)))
    return {unit_id: s for unit_id, s in found.items() if s.as_of.year == year}


def instansi_head(uow: UnitOfWork, instansi: Instansi) -> Signatory:
    """Who signs the letter and the SPTJM: the head's name and title from the instansi's record
    (the team member of role pimpinan_instansi when the record names nobody). An elected head
    (a Bupati) signs without a NIP; a civil servant's NIP is that of the pimpinan_instansi
    member of the same name, or left blank to be written in."""
    assert instansi.id is not None
    heads = [
        m
        for m in uow.units.team(instansi_id=instansi.id, unit_id=None)
        if m.role == INSTANSI_HEAD_ROLE
    ]
    name = (instansi.head_name or "").strip() or (heads[0].name if heads else None)
    nip = None
    if name and not instansi.head_elected:
        nip = next((m.nip for m in heads if m.nip and _same_name(m.name, name)), None)
    title = (instansi.head_title or "").strip() or None
    return Signatory(name, title, elected=instansi.head_elected, nip=nip)


def _same_name(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def _letter_units(
    uow: UnitOfWork, *, instansi_id: int, year: int
) -> list[tuple[Proposal, UnitKerja]]:
    """The proposals the instansi's letter of `year` lists: drafts and later, not superseded,
    rejected or annulled."""
    return [
        (p, unit)
        for p, unit in uow.proposals.proposals_of(instansi_id=instansi_id, year=year)
        if p.state in OPEN_STATES | {ProposalState.AWARDED}
    ]


def letter_up_to_date(
    uow: UnitOfWork, *, instansi_id: int, year: int, as_of: date, data_dir: Path
) -> Path | None:
    """The instansi's letter, rebuilt (dated `as_of`) only when its latest revision is missing
    or lists other units than those proposed now: a proposal whose letter build failed after it
    committed (a full disk, a killed process) is caught up by the next run, and a run with
    nothing new makes no new revision."""
    instansi = _instansi_of(uow, instansi_id)
    folder = _instansi_folder(data_dir, year, instansi)
    latest = max(_letter_revisions(folder), default=0)
    wanted = sorted(
        (unit.code, p.predicate.value)
        for p, unit in _letter_units(uow, instansi_id=instansi_id, year=year)
    )
    manifest = folder / f"surat-pengajuan-r{latest}" / MANIFEST
    zip_path = folder / f"{_letter_top(instansi.name, year, latest)}.zip"
    if latest and manifest.exists() and zip_path.exists():
        listed = json.loads(manifest.read_bytes()).get("unit_diusulkan", [])
        if sorted((u["kode"], u["predikat"]) for u in listed) == wanted:
            return zip_path
    if not wanted and not latest:
        return None
    return build_instansi_letter(
        uow, instansi_id=instansi_id, year=year, as_of=as_of, data_dir=data_dir
    )


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
    """Marks every draft of the instansi's year as sent to TPN with the letter and its SPTJM,
    rebuilt first, dated `as_of`, so that they list exactly what is sent with each unit's TPI
    score as it stands on the day of submission."""
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


@dataclass(frozen=True)
class TpnScore:
    """TPN's own result for a unit: its field evaluation and survey replace the TPI's score
    (Lampiran II Bab II); the components it states (pengungkit, hasil, IPAK, IPKP...)."""

    total: float
    components: Mapping[str, float] = field(default_factory=dict)


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
    decree: Decree | None = None,
    score: TpnScore | None = None,
) -> Transition:
    """TPN's outcome for the unit's proposal: a stage reached, an award or a rejection.

    The proposal must have been submitted. An award needs the Minister's decree; it sets the
    unit's predicate, and a WBK unit then builds on toward WBBM from the decree's date. A
    rejected unit goes back to development, proposable again in a later year.
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
    if score is not None:
        proposal.tpn_total = score.total
        proposal.tpn_scores = dict(score.components)
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
        decree=decree if target == ProposalState.AWARDED else None,
    )
    if target == ProposalState.AWARDED:
        assert decree is not None  # the award's guard requires it
        after_award(uow, unit=unit, decree=decree, actor=actor)
    elif target == ProposalState.REJECTED:
        build_on(uow, unit=unit, year=year, on=as_of, actor=actor, note=_BACK_TO_BUILDING)
    uow.commit()
    return transition


_BACK_TO_BUILDING = "tidak ditetapkan TPN: kembali ke pembangunan"


@dataclass(frozen=True)
class Annulment:
    annulled: list[str]  # the codes of the units whose proposals were dropped


def annul_proposals(
    uow: UnitOfWork, *, instansi_id: int, year: int, as_of: date, actor: str, reason: str
) -> Annulment:
    """Drops every proposal of the instansi's `year` that is with TPN (submitted, not yet
    decided) after a KKN offence in the proposal year (Lampiran II Bab IV: "usulan TPI yang
    telah disampaikan pada TPN akan digugurkan"); the units go back to development, proposable
    again in a later year. Drafts not sent are left alone. Committed, all or nothing."""
    sent = [
        (proposal, unit)
        for proposal, unit in uow.proposals.proposals_of(instansi_id=instansi_id, year=year)
        if proposal.state in OPEN_STATES - {ProposalState.DRAFT}
    ]
    for proposal, unit in sent:
        _move_proposal(uow, proposal, ProposalState.ANNULLED, actor=actor, as_of=as_of)
        facts = unit_facts(
            uow, unit=unit, year=year, as_of=as_of, predicate_sought=proposal.predicate.value
        )
        move(uow, unit=unit, action=Action.ANNUL, facts=facts, year=year, actor=actor, note=reason)
        build_on(
            uow,
            unit=unit,
            year=year,
            on=as_of,
            actor=actor,
            note="usulan digugurkan: kembali ke pembangunan",
        )
    uow.commit()
    return Annulment(annulled=[unit.code for _, unit in sent])


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
