"""Survey respondent files and evidence archives dropped in the LKE inbox.

`survei/<KODE-UNIT>_<ipak|ipkp>[_keterangan].csv|.xlsx` is the unit's own survey (mandiri),
`tpi/survei/...` the TPI's: imported as `zi survey import` does, for the period the run's day
falls in, with the configured method. `bukti/<KODE-UNIT>.zip` holds the unit's evidence laid
out as `zi evidence import FOLDER` reads it (code folders or manifest.csv, at the root or in one
top folder): unpacked without trusting it (`services.safe_zip`) into a scratch folder under the
data folder, which is always removed, then imported.

Each file meets the fate of a workbook (`services.inbox`): filed under `diterima/` or `ditolak/`
beside it, and answered to the unit team once per content and place.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings
from config.survey_methods import load_survey_method
from notifications.file_receipts import (
    EvidenceReceipt,
    ReceivedFile,
    RefusedFile,
    SurveyReceipt,
    evidence_receipt,
    refused_file_receipt,
    survey_receipt,
)
from notifications.messages import OutgoingMessage
from persistence.tables import AssessmentKind, SurveyKind, SurveySource, UnitKerja
from persistence.unit_of_work import UnitOfWork
from services.evidence import EvidenceRefused, EvidenceRequest, ImportedEvidence, import_evidence
from services.inbox import (
    EVIDENCE_FOLDER,
    SURVEY_FOLDER,
    DroppedFile,
    FileKind,
    InboxOutcome,
    content_digest,
    take_in,
    to_team,
)
from services.lke_intake import IntakeScope
from services.lookup import NotFoundInData, find_unit
from services.safe_zip import ArchiveRefused, Unpacked, ZipLimits, unpack
from services.surveys import ImportedSurvey, SurveyRefused, SurveyRequest, import_survey
from zi_domain.indonesian import angka

SURVEY_NAME = re.compile(
    r"^(?P<unit>[^_].*?)_(?P<kind>ipak|ipkp)(?:_.*)?\.(?:csv|xlsx)$", re.IGNORECASE
)
EVIDENCE_NAME = re.compile(r"^(?P<unit>[^.][^/\\]*?)\.zip$", re.IGNORECASE)
SURVEY_NAME_HELP = (
    "nama berkas survei harus <KODE-UNIT>_ipak atau <KODE-UNIT>_ipkp, boleh ditambah "
    "_keterangan, berakhiran .csv atau .xlsx (mis. DPMPTSP_ipkp.csv, DPMPTSP_ipak_2026.xlsx)"
)
EVIDENCE_NAME_HELP = "nama arsip bukti dukung harus <KODE-UNIT>.zip (mis. DPMPTSP.zip)"
SCRATCH_FOLDER = "sementara"  # under the data folder: archives are unpacked here, then removed
SCRATCH_PREFIX = "kotak-masuk-"
STALE_SECONDS = 86_400.0
SOURCE_WORDS = {SurveySource.MANDIRI: "survei mandiri unit", SurveySource.TPI: "survei TPI"}
JUSTIFICATION_FLAG = "--justification"  # the sample problem that a recorded reason would lift


@dataclass(frozen=True)
class FileRules:
    """What survey files and evidence archives need beyond the LKE scope."""

    data_dir: Path
    limits: ZipLimits
    survey_method: str | None = None  # None: the installed default, as `zi survey import`
    max_age_years: int | None = None


def file_rules(settings: Settings) -> FileRules:
    return FileRules(
        data_dir=settings.data_dir,
        limits=ZipLimits(
            max_entries=settings.inbox_zip_max_entries,
            max_bytes=settings.inbox_zip_max_bytes,
            max_ratio=settings.inbox_zip_max_ratio,
        ),
        max_age_years=settings.evidence_max_age_years,
    )


def receive(
    new_uow: Callable[[], UnitOfWork], dropped: DroppedFile, scope: IntakeScope, rules: FileRules
) -> InboxOutcome:
    """Takes in one dropped file of any kind (it stays where it is; `file_away` moves it)."""
    if dropped.content == FileKind.SURVEY:
        return take_in_survey(new_uow, dropped, scope, rules)
    if dropped.content == FileKind.EVIDENCE:
        return take_in_evidence(new_uow, dropped, scope, rules)
    return take_in(new_uow, dropped, scope)


# --- surveys -------------------------------------------------------------------------------------


def take_in_survey(
    new_uow: Callable[[], UnitOfWork], dropped: DroppedFile, scope: IntakeScope, rules: FileRules
) -> InboxOutcome:
    """Imports one respondent file named for its unit and survey, and composes its receipts."""
    source = SurveySource.TPI if dropped.kind == AssessmentKind.TPI else SurveySource.MANDIRI
    digest = content_digest(dropped.path, f"{SURVEY_FOLDER}/{source.value}")
    named = SURVEY_NAME.match(dropped.path.name)
    if named is None:
        return _refused(dropped, [SURVEY_NAME_HELP], ())
    method = load_survey_method(rules.survey_method)
    request = SurveyRequest(
        kind=SurveyKind(named["kind"].lower()),
        source=source,
        unit_code=named["unit"],
        method=method,
        framework=scope.framework,
        as_of=scope.as_of,
        actor=scope.actor,
    )
    received = _received(dropped, digest, scope)
    with new_uow() as uow:
        try:
            imported = import_survey(uow, path=dropped.path, request=request)
        except SurveyRefused as refusal:
            uow.rollback()
            problems = _survey_problems(refusal, method.min_respondents)
            what = f"Survei {request.kind.value.upper()}"
            receipts = _refused_receipts(
                uow,
                request.unit_code,
                received,
                lambda file: RefusedFile(file, what, SURVEY_FOLDER, tuple(problems)),
            )
            return _refused(dropped, problems, receipts)
        receipt = _survey_receipt(received(imported.unit, uow), imported)
        messages = to_team(
            uow,
            imported.unit,
            lambda email, name: survey_receipt(receipt, recipient=email, recipient_name=name),
        )
    result = imported.result
    stored = "disimpan" if imported.created else "tidak berubah"
    return InboxOutcome(
        dropped.path,
        True,
        (),
        messages,
        f"{dropped.path.name}: {imported.unit.code} survei {result.kind.upper()} "
        f"{source.value} diterima ({stored}), n = {result.respondents}, indeks "
        f"{angka(result.index)}",
    )


def _survey_problems(refusal: SurveyRefused, minimum: int) -> list[str]:
    """The service's problems, and what to do instead of `--justification`, which the inbox
    cannot take: add respondents, or have the TPI import the file with the reason."""
    problems = list(refusal.problems)
    if any(JUSTIFICATION_FLAG in p for p in problems):
        problems.append(
            f"kotak masuk tidak dapat mencatat alasan jumlah responden: tambahkan responden "
            f"hingga paling sedikit {minimum}, atau minta TPI mengimpor berkas ini dengan "
            '`zi survey import ... --justification "alasannya"`'
        )
    return problems


def _survey_receipt(file: ReceivedFile, imported: ImportedSurvey) -> SurveyReceipt:
    result = imported.result
    assessment = imported.assessment
    return SurveyReceipt(
        file=file,
        kind=result.kind.upper(),
        source=SOURCE_WORDS.get(imported.survey.source, imported.survey.source.value),
        respondents=result.respondents,
        coverage=tuple(result.coverage.items()),
        index=result.index,
        ikm=result.ikm,
        lke_item=imported.lke_item,
        points=imported.points,
        method=result.method,
        changed=imported.created,
        total=imported.score.total if assessment is not None else None,
        version=assessment.version if assessment is not None else None,
    )


# --- evidence ------------------------------------------------------------------------------------


def take_in_evidence(
    new_uow: Callable[[], UnitOfWork], dropped: DroppedFile, scope: IntakeScope, rules: FileRules
) -> InboxOutcome:
    """Unpacks one evidence archive named for its unit, imports it, and composes its
    receipts; the unpacked files are removed whatever happens."""
    digest = content_digest(dropped.path, EVIDENCE_FOLDER)
    named = EVIDENCE_NAME.match(dropped.path.name)
    if named is None:
        return _refused(dropped, [EVIDENCE_NAME_HELP], ())
    request = EvidenceRequest(
        unit_code=named["unit"],
        framework=scope.framework,
        year=scope.as_of.year,
        actor=scope.actor,
        max_age_years=rules.max_age_years,
    )
    received = _received(dropped, digest, scope)
    with new_uow() as uow:
        try:
            find_unit(uow, request.unit_code, None)
        except NotFoundInData as error:
            return _refused(dropped, [str(error)], ())
        try:
            with scratch_folder(rules.data_dir) as folder:
                unpacked = unpack(dropped.path, folder, rules.limits)
                imported = import_evidence(
                    uow, folder=unpacked.root, request=request, data_dir=rules.data_dir
                )
        except (ArchiveRefused, EvidenceRefused) as refusal:
            uow.rollback()
            problems = tuple(refusal.problems)
            receipts = _refused_receipts(
                uow,
                request.unit_code,
                received,
                lambda file: RefusedFile(file, "Bukti dukung", EVIDENCE_FOLDER, problems),
            )
            return _refused(dropped, list(problems), receipts)
        receipt = _evidence_receipt(received(imported.unit, uow), imported, unpacked)
        messages = to_team(
            uow,
            imported.unit,
            lambda email, name: evidence_receipt(receipt, recipient=email, recipient_name=name),
        )
    return InboxOutcome(
        dropped.path,
        True,
        (),
        messages,
        f"{dropped.path.name}: {imported.unit.code} bukti dukung diterima, {imported.files} "
        f"berkas ({imported.added} baru, {imported.already} sudah tersimpan), "
        f"{receipt.covered} dari {receipt.indicators} indikator berbukti",
    )


@contextmanager
def scratch_folder(data_dir: Path, *, now: float | None = None) -> Iterator[Path]:
    """An empty folder under the data folder's scratch area, removed with all it holds. What
    a killed run left there a day ago or more goes first (a run at the same moment is young)."""
    parent = data_dir / SCRATCH_FOLDER
    parent.mkdir(parents=True, exist_ok=True)
    moment = time.time() if now is None else now
    for left in parent.glob(f"{SCRATCH_PREFIX}*"):
        if moment - left.lstat().st_mtime >= STALE_SECONDS:
            shutil.rmtree(left, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def _evidence_receipt(
    file: ReceivedFile, imported: ImportedEvidence, unpacked: Unpacked
) -> EvidenceReceipt:
    index = imported.index
    return EvidenceReceipt(
        file=file,
        files=imported.files,
        added=imported.added,
        already=imported.already,
        unlisted=imported.unlisted,
        size_bytes=unpacked.size_bytes,
        covered=sum(1 for i in index.indicators if not i.gap),
        indicators=len(index.indicators),
        gaps=tuple(f"{i.code} {i.name}" for i in index.gaps),
    )


# --- shared --------------------------------------------------------------------------------------


def _received(
    dropped: DroppedFile, digest: str, scope: IntakeScope
) -> Callable[[UnitKerja, UnitOfWork], ReceivedFile]:
    """The receipt's file part, once the unit is known."""

    def of(unit: UnitKerja, uow: UnitOfWork) -> ReceivedFile:
        instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
        assert instansi is not None
        return ReceivedFile(digest, dropped.path.name, instansi.name, unit.name, scope.as_of)

    return of


def _refused_receipts(
    uow: UnitOfWork,
    unit_code: str,
    received: Callable[[UnitKerja, UnitOfWork], ReceivedFile],
    refused: Callable[[ReceivedFile], RefusedFile],
) -> tuple[OutgoingMessage, ...]:
    """A refused file whose unit is known is answered to its team; otherwise it is only
    filed, with its reasons, for the TPI to see."""
    try:
        unit = find_unit(uow, unit_code, None)
    except NotFoundInData:
        return ()
    refusal = refused(received(unit, uow))
    return to_team(
        uow,
        unit,
        lambda email, name: refused_file_receipt(refusal, recipient=email, recipient_name=name),
    )


def _refused(
    dropped: DroppedFile, problems: list[str], messages: tuple[OutgoingMessage, ...]
) -> InboxOutcome:
    return InboxOutcome(
        dropped.path,
        False,
        tuple(problems),
        messages,
        f"{dropped.path.name}: ditolak, {len(problems)} masalah",
    )
