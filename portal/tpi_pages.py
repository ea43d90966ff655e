"""The TPI's pages: the instansi dashboard (what the weekly monitoring report shows, live), a
unit's review (its team's answers beside the TPI's, accepted one by one or all at once, with
comments), the instansi's proposals, and the button that runs the weekly monitoring now.

Only the instansi's TPI opens them (`Need.REVIEW`, `instansi_access`); a unit team gets 403,
anyone of another instansi 404. Every change goes through `services.portal_review`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.settings import today
from persistence.tables import AssessmentKind, Instansi, QuestionComment, UnitKerja
from portal.unit_pages import QuestionRow, _indicators, _rows, _score_card
from portal.web import (
    checked_form,
    flash_query,
    go,
    path_id,
    portal_of,
    render,
    signed_in,
    visible_instansi,
    visible_unit,
)
from services.portal_review import (
    accept_answers,
    add_comment,
    differs,
    instansi_dashboard,
    instansi_proposals,
    record_stage_run,
)
from services.portal_units import (
    AnswerScope,
    ChangeRefused,
    UnitView,
    current_period,
    shown_answer,
    unit_view,
)
from zi_domain.framework import Framework
from zi_domain.indonesian import angka, tanggal
from zi_domain.lifecycle import STATE_LABELS
from zi_domain.plain_text import one_line
from zi_domain.portal_access import Need
from zi_domain.proposal import PROPOSAL_STATE_LABELS, ProposalState

MONITOR_STAGE = "Pemantauan TPI dijalankan dari portal"
LOG = logging.getLogger(__name__)


def _framework(request: Request) -> Framework:
    return portal_of(request).framework


def _message(request: Request) -> str:
    return request.query_params.get("pesan", "")[:300]


# --- the instansi dashboard ----------------------------------------------------------------


def dashboard_page(request: Request) -> Response:
    viewer = signed_in(request)
    portal = portal_of(request)
    with portal.new_uow() as uow:
        instansi = visible_instansi(uow, viewer, path_id(request, "instansi_id"))
        board = instansi_dashboard(
            uow,
            instansi=instansi,
            framework=_framework(request),
            day=today(),
            evidence_max_age_years=portal.settings.evidence_max_age_years,
        )
    return render(
        request,
        "instansi.html.j2",
        title=f"Dasbor {instansi.name}",
        board=board,
        stages=STATE_LABELS,
        predicates=[p.name for p in _framework(request).predicates],
        message=_message(request),
    )


def proposals_page(request: Request) -> Response:
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        instansi = visible_instansi(uow, viewer, path_id(request, "instansi_id"))
        assert instansi.id is not None
        proposals = instansi_proposals(uow, instansi_id=instansi.id)
    return render(
        request,
        "usulan.html.j2",
        title=f"Usulan {instansi.name}",
        instansi=instansi,
        proposals=proposals,
        labels={state.value: label for state, label in PROPOSAL_STATE_LABELS.items()},
        superseded=ProposalState.SUPERSEDED.value,
    )


async def monitor_page(request: Request) -> Response:
    """Runs the weekly monitoring of the instansi now, as `zi monitor --instansi` does, and
    says what it found."""
    await checked_form(request, max_bytes=10_000)
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        instansi = visible_instansi(uow, viewer, path_id(request, "instansi_id"))
    outcome = await run_in_threadpool(_run_monitoring, instansi)
    with portal_of(request).new_uow() as uow:
        assert instansi.id is not None
        record_stage_run(
            uow, instansi_id=instansi.id, actor=viewer.email, stage=MONITOR_STAGE, outcome=outcome
        )
    return go(f"/instansi/{instansi.id}{flash_query(outcome)}")


def _run_monitoring(instansi: Instansi) -> str:
    """The `zi monitor` stage: embedded, or the deployment when PREFECT_API_URL names a server
    (whose trigger then proposes, as with `zi monitor --server`)."""
    from services.pending_proposals import ProposalsPending
    from zi_cli.stages import MONITOR, StageFailed, run_stage

    server = bool(os.environ.get("PREFECT_API_URL"))
    on = today()
    parameters: dict[str, Any] = {
        "instansi": instansi.code or instansi.name,  # as `zi monitor --instansi` passes it
        "as_of": on,
        "propose_directly": not server,
    }
    try:
        result = run_stage(MONITOR, parameters, server=server)
    except ProposalsPending as waiting:
        said = one_line(str(waiting))[:240]
        return f"Pemantauan {tanggal(on)} selesai, tetapi ada usulan tertunda: {said}"
    except StageFailed as failed:
        return f"Pemantauan {tanggal(on)} gagal: {one_line(str(failed))[:300]}"
    except Exception:  # the page says so; the server's log has the traceback
        LOG.exception("pemantauan dari portal gagal")
        return f"Pemantauan {tanggal(on)} gagal; rinciannya ada di log server portal."
    if not result["periods"]:
        return f"Tidak ada periode penilaian pada {tanggal(on)}; pemantauan tidak menilai apa pun."
    pending = result["pending_count"]
    return (
        f"Pemantauan {tanggal(on)} selesai: {result['periods']} periode, "
        f"{angka(result['crossing_count'], 0)} unit baru memenuhi batas nilai"
        + (f", {angka(pending, 0)} usulan tertunda." if pending else ".")
    )


# --- a unit's review ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    """A question with the team's and the TPI's answers side by side, and its comments."""

    row: QuestionRow
    mine: str
    tpi: str
    differs: bool
    comments: tuple[QuestionComment, ...]


def _reviewed(
    request: Request,
) -> tuple[UnitKerja, UnitView, Mapping[str, list[QuestionComment]]]:
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.REVIEW)
        view = unit_view(uow, unit=unit, framework=_framework(request), day=today())
    return unit, view, view.comments


def review_page(request: Request) -> Response:
    unit, view, comments = _reviewed(request)
    framework = _framework(request)
    only_differing = request.query_params.get("beda") == "1"

    def reviewed(rows: list[QuestionRow]) -> list[ReviewRow]:
        every = [_review_row(view, row, comments) for row in rows]
        return [r for r in every if r.differs] if only_differing else every

    sections = [
        (
            f"{half.code} {half.name} · Area {area.number} {area.name}",
            [(indicator, shown) for indicator, rows in found if (shown := reviewed(rows))],
        )
        for half in framework.halves
        for area in framework.areas
        if (found := _indicators(view, framework, half.key, area.number))
    ]
    hasil = [
        (f"{group.code} {group.name}", reviewed(list(_rows(view, group.items))))
        for group in framework.hasil_groups
    ]
    differing = [
        code for code in framework.item_codes if differs(view.self_answers, view.tpi_answers, code)
    ]
    return render(
        request,
        "tinjau.html.j2",
        title=f"Tinjau {unit.name}",
        view=view,
        sections=[(title, found) for title, found in sections if found],
        hasil=[(title, rows) for title, rows in hasil if rows],
        differing=len(differing),
        only_differing=only_differing,
        tpi=_score_card(view.tpi_scored, view.target, framework),
        mine=_score_card(view.self_scored, view.target, framework),
        message=_message(request),
    )


def _review_row(
    view: UnitView, row: QuestionRow, comments: Mapping[str, list[QuestionComment]]
) -> ReviewRow:
    code = row.item.code
    return ReviewRow(
        row=row,
        mine=shown_answer(view.self_answers, code),
        tpi=shown_answer(view.tpi_answers, code),
        differs=differs(view.self_answers, view.tpi_answers, code),
        comments=tuple(comments.get(code, ())),
    )


def _question_code(request: Request) -> str:
    code = str(request.path_params["code"])[:64]
    if code not in _framework(request).item_codes:
        raise HTTPException(404)
    return code


async def accept_page(request: Request) -> Response:
    await checked_form(request, max_bytes=10_000)
    return _accept(request, _question_code(request))


async def accept_all_page(request: Request) -> Response:
    await checked_form(request, max_bytes=10_000)
    return _accept(request, None)


def _accept(request: Request, code: str | None) -> Response:
    viewer = signed_in(request)
    anchor = f"#q-{code}" if code else ""
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.REVIEW)
        scope = AnswerScope(unit, AssessmentKind.TPI, _framework(request), viewer.email, today())
        try:
            imported, taken = accept_answers(uow, scope=scope, codes=[code] if code else None)
        except ChangeRefused as refused:
            return go(f"/unit/{unit.id}/tinjau{flash_query(str(refused))}{anchor}")
    said = f"{taken[0]} diterima" if code else f"{len(taken)} jawaban tim diterima"
    message = f"{said}; nilai TPI {angka(imported.total)}"
    return go(f"/unit/{unit.id}/tinjau{flash_query(message)}{anchor}")


async def comment_page(request: Request) -> Response:
    form = await checked_form(request, max_bytes=20_000)
    code = _question_code(request)
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.REVIEW)
        period = current_period(uow, instansi_id=unit.instansi_id, day=today())
        try:
            add_comment(
                uow,
                unit=unit,
                period=period,
                code=code,
                body=str(form.get("komentar", "")),
                author=viewer.email,
            )
        except ChangeRefused as refused:
            return go(f"/unit/{unit.id}/tinjau{flash_query(str(refused))}#q-{code}")
    return go(f"/unit/{unit.id}/tinjau{flash_query(f'Komentar {code} tersimpan')}#q-{code}")


routes = [
    Route("/instansi/{instansi_id}", dashboard_page, methods=["GET"]),
    Route("/instansi/{instansi_id}/usulan", proposals_page, methods=["GET"]),
    Route("/instansi/{instansi_id}/pemantauan", monitor_page, methods=["POST"]),
    Route("/unit/{unit_id}/tinjau", review_page, methods=["GET"]),
    Route("/unit/{unit_id}/tinjau/terima-semua", accept_all_page, methods=["POST"]),
    Route("/unit/{unit_id}/tinjau/{code}/terima", accept_page, methods=["POST"]),
    Route("/unit/{unit_id}/tinjau/{code}/komentar", comment_page, methods=["POST"]),
]
