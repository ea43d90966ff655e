"""A unit's own pages, for its team (and the TPI of its instansi): the score with its floors and
history, what to fix first, the work items, the audit trail, and the LKE to answer online.

An answer is saved on its own: a form per question (the page works without JavaScript); with
JavaScript, `portal.js` posts it as it changes and puts the new score on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from config.settings import today
from persistence.tables import UnitKerja
from portal.web import (
    ENVIRONMENT,
    checked_form,
    flash_query,
    go,
    path_id,
    portal_of,
    render,
    signed_in,
    visible_unit,
)
from reports.monitoring import sparkline
from services.portal_units import (
    AnswerChange,
    ChangeRefused,
    UnitView,
    complete_work_item,
    save_answer,
    unit_view,
)
from zi_domain.answers import COUNT_SEPARATOR
from zi_domain.framework import CountInput, Framework, HasilItem, Indicator, Question
from zi_domain.indonesian import angka
from zi_domain.lifecycle import STATE_LABELS, UnitState
from zi_domain.portal_access import Need
from zi_domain.surveys import LKE_ITEM
from zi_domain.unit_score import ScoredAnswers, shortfall_words

FIX_FIRST_SHOWN = 10


def _framework(request: Request) -> Framework:
    return portal_of(request).framework


def _view(request: Request, need: Need = Need.WORK) -> tuple[UnitKerja, UnitView]:
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), need)
        view = unit_view(uow, unit=unit, framework=_framework(request), day=today())
    return unit, view


def unit_page(request: Request) -> Response:
    unit, view = _view(request)
    framework = _framework(request)
    history = [(s.as_of, s.total) for s in view.history]
    return render(
        request,
        "unit.html.j2",
        title=unit.name,
        view=view,
        stage=STATE_LABELS.get(UnitState(unit.state), unit.state),
        tpi=_score_card(view.tpi_scored, view.target, framework),
        mine=_score_card(view.self_scored, view.target, framework),
        chart=sparkline(history),
        fixes=view.fix_first[:FIX_FIRST_SHOWN],
        message=request.query_params.get("pesan", "")[:300],
    )


@dataclass(frozen=True)
class ScoreCard:
    total: str
    meets: bool
    shortfalls: tuple[str, ...]
    missing: int


def _score_card(
    scored: ScoredAnswers | None, target: str, framework: Framework
) -> ScoreCard | None:
    if scored is None:
        return None
    report = scored.report
    return ScoreCard(
        total=angka(report.total),
        meets=report.meets.get(target, False),
        shortfalls=tuple(shortfall_words(s, framework) for s in report.shortfalls.get(target, [])),
        missing=len(report.missing),
    )


# --- the LKE online -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionRow:
    item: Question | HasilItem
    inputs: tuple[CountInput, ...]  # a count question's inputs (answered instead of the %)
    choices: tuple[tuple[str, str], ...]  # a choice question's answers and their texts
    answer: str  # the answer as stored ("" when none)
    counts: dict[str, str]  # a count question's inputs, key → value
    tpi_answer: str
    from_survey: bool  # B.I.a / B.II.a: the survey's index (changed by importing a survey)


def lke_page(request: Request) -> Response:
    unit, view = _view(request)
    framework = _framework(request)
    sections = [
        (f"{half.code} {half.name} · Area {area.number} {area.name}", indicators)
        for half in framework.halves
        for area in framework.areas
        if (indicators := _indicators(view, framework, half.key, area.number))
    ]
    hasil = [
        (f"{group.code} {group.name}", list(_rows(view, group.items)))
        for group in framework.hasil_groups
    ]
    return render(
        request,
        "lke.html.j2",
        title=f"LKE {unit.name}",
        view=view,
        sections=sections,
        hasil=hasil,
        mine=_score_card(view.self_scored, view.target, framework),
        message=request.query_params.get("pesan", "")[:300],
    )


def _indicators(
    view: UnitView, framework: Framework, half_key: str, area_number: int
) -> list[tuple[Indicator, list[QuestionRow]]]:
    return [
        (indicator, list(_rows(view, indicator.questions)))
        for indicator in framework.indicators
        if indicator.half_key == half_key and indicator.area_number == area_number
    ]


def _rows(
    view: UnitView, items: tuple[Question, ...] | tuple[HasilItem, ...]
) -> Iterator[QuestionRow]:
    for question in items:
        prefix = question.code + COUNT_SEPARATOR
        yield QuestionRow(
            item=question,
            inputs=_leaf_inputs(question.inputs) if isinstance(question, Question) else (),
            choices=_choices(question),
            answer=view.self_answers.get(question.code, ""),
            counts={
                code.removeprefix(prefix): text
                for code, text in view.self_answers.items()
                if code.startswith(prefix)
            },
            tpi_answer=view.tpi_answers.get(question.code, ""),
            from_survey=question.code in LKE_ITEM.values(),
        )


def _choices(item: Question | HasilItem) -> tuple[tuple[str, str], ...]:
    if item.options:
        return tuple(item.options.items())
    if item.answer_type.kind == "choice":
        return tuple((answer, "") for answer in item.answer_type.values)
    return ()


def _leaf_inputs(inputs: tuple[CountInput, ...]) -> tuple[CountInput, ...]:
    """The counts a person types: an input with parts is the sum of its parts."""
    return tuple(leaf for i in inputs for leaf in (_leaf_inputs(i.parts) if i.parts else (i,)))


async def save_answer_page(request: Request) -> Response:
    form = await checked_form(request, max_bytes=100_000)
    viewer = signed_in(request)
    code = str(request.path_params["code"])[:64]
    framework = _framework(request)
    if code not in {q.code for q in framework.questions} | {h.code for h in framework.hasil_items}:
        raise HTTPException(404)
    values = {
        key: str(value)[:200]
        for key, value in form.items()
        if key == code or key.startswith(code + COUNT_SEPARATOR)
    }
    wants_json = request.headers.get("accept", "").startswith("application/json")
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.WORK)
        try:
            saved = save_answer(
                uow,
                unit=unit,
                change=AnswerChange(code, values),
                framework=framework,
                actor=viewer.email,
                day=today(),
            )
        except ChangeRefused as refused:
            if wants_json:
                return JSONResponse({"ok": False, "pesan": str(refused)}, status_code=400)
            return go(f"/unit/{unit.id}/lke{flash_query(str(refused))}#q-{code}")
        view = unit_view(uow, unit=unit, framework=framework, day=today())
    if wants_json:
        card = ENVIRONMENT.get_template("skor.html.j2").render(
            mine=_score_card(view.self_scored, view.target, framework), target=view.target
        )
        return JSONResponse(
            {"ok": True, "total": angka(saved.total), "kartu": card, "pesan": f"{code} tersimpan"}
        )
    return go(f"/unit/{unit.id}/lke{flash_query(f'{code} tersimpan')}#q-{code}")


async def complete_item_page(request: Request) -> Response:
    await checked_form(request, max_bytes=10_000)
    viewer = signed_in(request)
    with portal_of(request).new_uow() as uow:
        unit = visible_unit(uow, viewer, path_id(request, "unit_id"), Need.WORK)
        try:
            item = complete_work_item(
                uow, unit=unit, item_id=path_id(request, "item_id"), actor=viewer.email, day=today()
            )
        except ChangeRefused as refused:
            return go(f"/unit/{unit.id}{flash_query(str(refused))}")
    return go(f"/unit/{unit.id}{flash_query(f'{item.code} ditandai selesai')}")


routes = [
    Route("/unit/{unit_id}", unit_page, methods=["GET"]),
    Route("/unit/{unit_id}/lke", lke_page, methods=["GET"]),
    Route("/unit/{unit_id}/lke/{code}", save_answer_page, methods=["POST"]),
    Route("/unit/{unit_id}/pekerjaan/{item_id}/selesai", complete_item_page, methods=["POST"]),
]
