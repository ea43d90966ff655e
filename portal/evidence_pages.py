"""A unit's files in the portal: its evidence (data dukung) per LKE indicator, uploaded, served
back, removed and reviewed by the TPI; and its LKE workbook and survey respondent files.

Every rule is `services.portal_files`' (sizes, kinds by content, safe names, the store, the audit
entries) and `zi_domain.portal_access`'s (who may see and review); a page reads the form, calls
the service, and shows the outcome: a refusal lists every problem (status 400).
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.settings import today
from persistence.tables import AssessmentKind, SurveyKind, SurveySource, UnitKerja
from persistence.unit_of_work import UnitOfWork
from portal.web import (
    checked_form,
    flash_query,
    go,
    now_utc,
    path_id,
    portal_of,
    render,
    signed_in,
    visible_unit,
)
from services.file_kinds import ACCEPTED_WORDS
from services.lke_intake import IntakeRefused, IntakeScope
from services.portal_files import (
    ACCEPTED,
    REASON_LENGTH,
    REJECTED,
    DocumentFile,
    DocumentMissing,
    EvidenceUpload,
    FileRules,
    SurveyUpload,
    Upload,
    UploadRefused,
    document_file,
    evidence_view,
    remove_document,
    review_document,
    unit_workbook,
    upload_evidence,
    upload_survey,
    upload_workbook,
)
from services.portal_units import ChangeRefused
from zi_domain.evidence import indicator_of
from zi_domain.evidence_files import TITLE_LENGTH
from zi_domain.portal_access import Access, Need, Viewer, unit_access

MAX_FILES = 10  # files of one evidence upload
SMALL_FORM = 20_000  # bytes of a form without files
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.pptx,.odt,.ods,.csv,.txt"
DECISIONS = {"terima": ACCEPTED, "tolak": REJECTED}
KIND_WORDS = {AssessmentKind.SELF: "penilaian mandiri", AssessmentKind.TPI: "penilaian TPI"}


def _rules(request: Request) -> FileRules:
    portal = portal_of(request)
    settings = portal.settings
    return FileRules(
        framework=portal.framework,
        data_dir=settings.data_dir,
        max_bytes=settings.web_upload_max_bytes,
        max_age_years=settings.evidence_max_age_years,
    )


def _may_review(viewer: Viewer, unit: UnitKerja) -> bool:
    assert unit.id is not None
    access = unit_access(viewer, instansi_id=unit.instansi_id, unit_id=unit.id, need=Need.REVIEW)
    return access is Access.ALLOWED


def _uploads(form: FormData, field: str) -> list[Upload]:
    return [
        Upload(value.filename or "", value.file)
        for value in form.getlist(field)
        if isinstance(value, UploadFile) and value.filename
    ]


def _text(form: FormData, field: str, limit: int) -> str:
    return str(form.get(field, ""))[:limit].strip()


def _message(request: Request) -> str:
    return request.query_params.get("pesan", "")[:300]


def attachment(file: DocumentFile) -> Response:
    """The file as a download, never shown in the browser (RFC 6266 / 5987 name)."""
    disposition = (
        f"attachment; filename=\"{file.name}\"; filename*=UTF-8''{quote(file.name, safe='')}"
    )
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"content-disposition": disposition, "x-content-type-options": "nosniff"},
    )


# --- evidence ------------------------------------------------------------------------------------


def evidence_page(request: Request) -> Response:
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.WORK)
        return _evidence(request, uow, unit, viewer)


def _evidence(
    request: Request,
    uow: UnitOfWork,
    unit: UnitKerja,
    viewer: Viewer,
    *,
    problems: list[str] | None = None,
    typed: EvidenceUpload | None = None,
) -> Response:
    rules = _rules(request)
    focus = typed.code if typed is not None else ""
    return render(
        request,
        "bukti.html.j2",
        status_code=400 if problems else 200,
        title=f"Bukti dukung {unit.name}",
        unit=unit,
        view=evidence_view(uow, unit=unit, rules=rules, day=today()),
        reviewer=_may_review(viewer, unit),
        message=_message(request),
        problems=problems or [],
        focus=focus,
        typed=typed,
        focus_section=indicator_of(focus) if problems and focus else "",
        max_bytes=rules.max_bytes,
        max_files=MAX_FILES,
        accept=ACCEPT,
        accepted_words=ACCEPTED_WORDS,
        reason_length=REASON_LENGTH,
        title_length=TITLE_LENGTH,
    )


async def upload_evidence_page(request: Request) -> Response:
    rules = _rules(request)
    form = await checked_form(request, max_bytes=rules.max_bytes * MAX_FILES)
    viewer = signed_in(request)
    upload = EvidenceUpload(
        code=_text(form, "kode", 64),
        title=_text(form, "judul", TITLE_LENGTH + 1),
        written_date=_text(form, "tanggal", 20),
        files=_uploads(form, "berkas"),
    )
    return await run_in_threadpool(_store_evidence, request, viewer, upload, rules)


def _store_evidence(
    request: Request, viewer: Viewer, upload: EvidenceUpload, rules: FileRules
) -> Response:
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.WORK)
        try:
            if len(upload.files) > MAX_FILES:
                raise UploadRefused([f"paling banyak {MAX_FILES} berkas sekali unggah"])
            stored = upload_evidence(
                uow, unit=unit, upload=upload, rules=rules, actor=viewer.email, day=today()
            )
        except UploadRefused as refused:
            return _evidence(request, uow, unit, viewer, problems=refused.problems, typed=upload)
    message = f"{upload.code}: {stored.added} dokumen baru tersimpan"
    if stored.already:
        message += f", {stored.already} berkas sudah tersimpan sebelumnya"
    return go(f"/unit/{unit.id}/bukti{flash_query(message)}#i-{indicator_of(upload.code)}")


def download_page(request: Request) -> Response:
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.WORK)
        try:
            found = document_file(
                uow,
                unit=unit,
                document_id=path_id(request, "document_id"),
                data_dir=_rules(request).data_dir,
            )
        except DocumentMissing as missing:
            raise HTTPException(404) from missing
    return attachment(found)


async def remove_page(request: Request) -> Response:
    await checked_form(request, max_bytes=SMALL_FORM)
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.WORK)
        try:
            removed = remove_document(
                uow,
                unit=unit,
                document_id=path_id(request, "document_id"),
                rules=_rules(request),
                actor=viewer.email,
                day=today(),
            )
        except DocumentMissing as missing:
            raise HTTPException(404) from missing
    message = f"Dokumen {removed.title} dihapus dari {removed.code}"
    return go(f"/unit/{unit.id}/bukti{flash_query(message)}#i-{indicator_of(removed.code)}")


async def review_page(request: Request) -> Response:
    form = await checked_form(request, max_bytes=SMALL_FORM)
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.REVIEW)
        try:
            reviewed = review_document(
                uow,
                unit=unit,
                document_id=path_id(request, "document_id"),
                review=DECISIONS.get(_text(form, "keputusan", 10), ""),
                reason=_text(form, "alasan", REASON_LENGTH * 4),
                actor=viewer.email,
                at=now_utc(),
            )
        except DocumentMissing as missing:
            raise HTTPException(404) from missing
        except ChangeRefused as refused:
            return go(f"/unit/{unit.id}/bukti{flash_query(str(refused))}")
    words = "diterima" if reviewed.review == ACCEPTED else "ditolak"
    message = f"Dokumen {reviewed.title} {words}"
    return go(f"/unit/{unit.id}/bukti{flash_query(message)}#i-{indicator_of(reviewed.code)}")


# --- the LKE workbook and surveys ----------------------------------------------------------------


def files_page(request: Request) -> Response:
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.WORK)
    return _files(request, unit, viewer)


def _files(
    request: Request,
    unit: UnitKerja,
    viewer: Viewer,
    *,
    problems: list[str] | None = None,
    refused: str = "",
) -> Response:
    return render(
        request,
        "berkas.html.j2",
        status_code=400 if problems else 200,
        title=f"Berkas LKE dan survei {unit.name}",
        unit=unit,
        reviewer=_may_review(viewer, unit),
        message=_message(request),
        problems=problems or [],
        refused=refused,
        max_bytes=_rules(request).max_bytes,
    )


def _scope(request: Request, viewer: Viewer, kind: AssessmentKind) -> IntakeScope:
    return IntakeScope(
        framework=portal_of(request).framework, kind=kind, as_of=today(), actor=viewer.email
    )


def _kind(text: str) -> tuple[AssessmentKind, Need]:
    """The assessment a workbook is, and the access it needs (the TPI's is the TPI's)."""
    if text == "tpi":
        return AssessmentKind.TPI, Need.REVIEW
    return AssessmentKind.SELF, Need.WORK


def workbook_page(request: Request) -> Response:
    viewer = signed_in(request)
    kind, need = _kind(request.query_params.get("jenis", ""))
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), need)
        try:
            workbook = unit_workbook(
                uow,
                unit=unit,
                scope=_scope(request, viewer, kind),
                data_dir=_rules(request).data_dir,
            )
        except IntakeRefused as refusal:
            return _files(request, unit, viewer, problems=refusal.problems, refused="LKE")
    return attachment(workbook)


async def upload_workbook_page(request: Request) -> Response:
    rules = _rules(request)
    form = await checked_form(request, max_bytes=rules.max_bytes)
    viewer = signed_in(request)
    kind, need = _kind(_text(form, "jenis", 10))
    files = _uploads(form, "berkas")
    return await run_in_threadpool(_store_workbook, request, viewer, kind, need, files, rules)


def _store_workbook(
    request: Request,
    viewer: Viewer,
    kind: AssessmentKind,
    need: Need,
    files: list[Upload],
    rules: FileRules,
) -> Response:
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), need)
        try:
            if len(files) != 1:
                raise UploadRefused(["pilih satu berkas LKE (.xlsx)"])
            intake = upload_workbook(
                uow, unit=unit, file=files[0], scope=_scope(request, viewer, kind), rules=rules
            )
        except UploadRefused as refused:
            return _files(request, unit, viewer, problems=refused.problems, refused="LKE")
    imported = intake.imported
    message = (
        f"LKE {KIND_WORDS[kind]} tersimpan: versi {imported.version}"
        if imported.created
        else f"LKE {KIND_WORDS[kind]} sama dengan versi {imported.version}; tidak ada perubahan"
    )
    return go(f"/unit/{unit.id}/berkas{flash_query(message)}")


async def upload_survey_page(request: Request) -> Response:
    rules = _rules(request)
    form = await checked_form(request, max_bytes=rules.max_bytes)
    viewer = signed_in(request)
    files = _uploads(form, "berkas")
    kind = _text(form, "survei", 10)
    justification = _text(form, "alasan", 2000)
    return await run_in_threadpool(
        _store_survey, request, viewer, kind, justification, files, rules
    )


def _store_survey(
    request: Request,
    viewer: Viewer,
    kind: str,
    justification: str,
    files: list[Upload],
    rules: FileRules,
) -> Response:
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.WORK)
        tpi = _may_review(viewer, unit)
        try:
            if kind not in {k.value for k in SurveyKind}:
                raise UploadRefused(["pilih survei IPAK atau IPKP"])
            if len(files) != 1:
                raise UploadRefused(["pilih satu berkas responden (.csv atau .xlsx)"])
            upload = SurveyUpload(
                kind=SurveyKind(kind),
                source=SurveySource.TPI if tpi else SurveySource.MANDIRI,
                file=files[0],
                justification=justification if tpi else None,
            )
            imported = upload_survey(
                uow, unit=unit, upload=upload, rules=rules, actor=viewer.email, day=today()
            )
        except UploadRefused as refused:
            return _files(request, unit, viewer, problems=refused.problems, refused="survei")
    result = imported.result
    message = (
        f"Survei {result.kind.upper()} tersimpan: {result.respondents} responden, "
        f"{imported.lke_item} dicatat"
    )
    return go(f"/unit/{unit.id}/berkas{flash_query(message)}")


routes = [
    Route("/unit/{unit_id}/bukti", evidence_page, methods=["GET"]),
    Route("/unit/{unit_id}/bukti", upload_evidence_page, methods=["POST"]),
    Route("/unit/{unit_id}/bukti/{document_id}", download_page, methods=["GET"]),
    Route("/unit/{unit_id}/bukti/{document_id}/hapus", remove_page, methods=["POST"]),
    Route("/unit/{unit_id}/bukti/{document_id}/tinjau", review_page, methods=["POST"]),
    Route("/unit/{unit_id}/berkas", files_page, methods=["GET"]),
    Route("/unit/{unit_id}/berkas/lke", workbook_page, methods=["GET"]),
    Route("/unit/{unit_id}/berkas/lke", upload_workbook_page, methods=["POST"]),
    Route("/unit/{unit_id}/berkas/survei", upload_survey_page, methods=["POST"]),
]
