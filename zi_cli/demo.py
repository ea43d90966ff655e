"""The demo: a fictional regency and a dozen units, assessed by its TPI, scored and stored.

Everything goes through the same service layer and database code as real use, on a SQLite file
of its own under the data folder (`demo.db`), made anew at every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from persistence.database import make_engine
from persistence.migrate import upgrade_database
from persistence.tables import (
    AssessmentKind,
    AssessmentPeriodCreate,
    BpkOpinion,
    InstansiCreate,
    InstansiKind,
    InstansiPrerequisiteCreate,
    UnitKerjaCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.assessments import record_answers
from services.scoring import ScoredPeriod, score_period
from zi_domain.framework import Framework
from zi_domain.gaps import gap_analysis
from zi_domain.indonesian import angka, tanggal
from zi_domain.unit_score import rule_name

INSTANSI = "Pemerintah Kabupaten Sukamaju (fiktif)"
YEAR = 2026


@dataclass(frozen=True)
class DemoUnit:
    """A unit of the story: how good its work is (0..1) and answers fixed by the story."""

    code: str
    name: str
    quality: float
    fixed: dict[str, str] = field(default_factory=dict)


TOP_HASIL = {"B.I.a": "3,85", "B.I.b": "A", "B.II.a": "3,80"}
UNITS = (
    DemoUnit("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", 1.0, TOP_HASIL),
    DemoUnit("RSUD", "RSUD Sukamaju", 0.97, TOP_HASIL | {"B.I.b": "B"}),
    DemoUnit(
        "DPMPTSP",
        "Dinas Penanaman Modal dan PTSP",
        0.93,
        {"B.I.a": "3,70", "B.I.b": "B", "B.II.a": "3,50"},
    ),
    DemoUnit(
        "BAPENDA", "Badan Pendapatan Daerah", 0.9, {"B.I.a": "3,65", "B.I.b": "C", "B.II.a": "3,30"}
    ),
    DemoUnit("DISDIK", "Dinas Pendidikan", 0.95, {"B.I.a": "3,75", "B.I.b": "B", "B.II.a": "3,19"}),
    DemoUnit(
        "DISNAKER", "Dinas Tenaga Kerja", 0.95, {"B.I.a": "3,72", "B.I.b": "D", "B.II.a": "3,6"}
    ),
    DemoUnit(
        "DINKES",
        "Dinas Kesehatan",
        0.96,
        TOP_HASIL
        | {
            "A.II.1.i.a": "10%",
            "A.II.1.i.b": "0%",
            "A.II.1.ii.a": "D",
            "A.II.1.iii.a": "D",
            "A.I.1.iv.a": "Tidak",
            "A.I.1.iii.a": "D",
            "A.I.1.ii.c": "C",
        },
    ),
    DemoUnit(
        "KEC-KOTA", "Kecamatan Sukamaju Kota", 0.8, {"B.I.a": "3,55", "B.I.b": "C", "B.II.a": "3,4"}
    ),
    DemoUnit("DISHUB", "Dinas Perhubungan", 0.7, {"B.I.a": "3,3", "B.I.b": "C", "B.II.a": "3,1"}),
    DemoUnit("DINSOS", "Dinas Sosial", 0.6, {"B.I.a": "3,2", "B.I.b": "D", "B.II.a": "3,0"}),
    DemoUnit(
        "SATPOLPP",
        "Satuan Polisi Pamong Praja",
        0.45,
        {"B.I.a": "3,0", "B.I.b": "D", "B.II.a": "2,9"},
    ),
    DemoUnit("KEL-MEKAR", "Kelurahan Mekarjaya", 0.3, {"B.I.b": "E"}),
)


def demo_answers(framework: Framework, unit: DemoUnit, rng: np.random.Generator) -> pd.DataFrame:
    """A TPI worksheet for the unit: each answer at the top with probability `quality`,
    otherwise one step or more below, and a few left blank in weaker units."""
    rows: list[tuple[str, str]] = []
    for question in framework.questions:
        if question.code in unit.fixed:
            rows.append((question.code, unit.fixed[question.code]))
            continue
        if rng.random() > 0.5 + unit.quality / 2:
            continue  # not answered yet
        kind = question.answer_type
        if kind.kind == "choice":
            letters = sorted(kind.values, key=lambda k: -kind.values[k])
            steps = 0 if rng.random() < unit.quality else int(rng.integers(1, len(letters)))
            rows.append((question.code, letters[steps]))
        else:
            low = int(unit.quality * 100 * rng.uniform(0.7, 1.0))
            rows.append((question.code, "100%" if rng.random() < unit.quality else f"{low}%"))
    for item in framework.hasil_items:
        rows.append(
            (
                item.code,
                unit.fixed.get(item.code, "3,4" if item.answer_type.kind == "index" else "C"),
            )
        )
    frame = pd.DataFrame(rows, columns=["code", "answer"])
    return frame.assign(row=range(2, len(frame) + 2))


def run_demo(framework: Framework, data_dir: Path, console: Console) -> ScoredPeriod:
    database = data_dir / "demo.db"
    data_dir.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    upgrade_database(url)
    engine = make_engine(url)
    rng = np.random.default_rng(2026)
    with SqlUnitOfWork(engine) as uow:
        instansi = uow.instansi.add_instansi(
            instansi=InstansiCreate(name=INSTANSI, kind=InstansiKind.PEMERINTAH_DAERAH)
        )
        assert instansi.id is not None
        uow.instansi.set_prerequisites(
            prerequisites=InstansiPrerequisiteCreate(
                instansi_id=instansi.id,
                year=YEAR,
                bpk_opinion=BpkOpinion.WTP,
                sakip_grade="B",
                indeks_rb="BB",
                spip_level=3,
            )
        )
        period = uow.assessments.add_period(
            period=AssessmentPeriodCreate(
                instansi_id=instansi.id,
                year=YEAR,
                name=f"Penilaian TPI {YEAR}",
                starts_on=date(YEAR, 1, 2),
                ends_on=date(YEAR, 5, 31),
            )
        )
        units = [
            uow.units.add_unit(
                unit=UnitKerjaCreate(
                    instansi_id=instansi.id,
                    code=u.code,
                    name=u.name,
                    core_service=True,
                    high_corruption_risk=True,
                    wide_public_impact=True,
                    state="designated",
                )
            )
            for u in UNITS
        ]
        uow.commit()
        assert period.id is not None
        period_id = period.id
        unit_ids = [u.id for u in units]
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("TPI mengisi LKE", total=len(UNITS))
        for story, unit_id in zip(UNITS, unit_ids, strict=True):
            assert unit_id is not None
            with SqlUnitOfWork(engine) as uow:
                record_answers(
                    uow,
                    unit_id=unit_id,
                    period_id=period_id,
                    kind=AssessmentKind.TPI,
                    framework=framework,
                    rows=demo_answers(framework, story, rng),
                    reviewer="Inspektorat Kabupaten Sukamaju",
                )
            progress.advance(task)
    as_of = date(YEAR, 5, 4)
    with SqlUnitOfWork(engine) as uow:
        scored = score_period(uow, period_id=period_id, framework=framework, as_of=as_of)
    engine.dispose()
    print_summary(console, scored, framework, unit_ids, as_of)
    console.print(f"Basis data demo: {database}")
    return scored


def print_summary(
    console: Console,
    scored: ScoredPeriod,
    framework: Framework,
    unit_ids: list[int | None],
    as_of: date,
) -> None:
    table = Table(title=f"{INSTANSI}: nilai LKE oleh TPI per {tanggal(as_of)}")
    for column, justify in (
        ("Unit kerja", "left"),
        ("Pengungkit", "right"),
        ("Hasil", "right"),
        ("Total", "right"),
        ("WBK", "center"),
        ("WBBM", "center"),
        ("Kekurangan / perbaiki dulu", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for story, unit_id in zip(UNITS, unit_ids, strict=True):
        report = scored.reports[int(unit_id or 0)]
        table.add_row(
            story.name,
            angka(report.pengungkit),
            angka(report.hasil),
            angka(report.total),
            "[green]ya[/]" if report.meets["WBK"] else "[red]tidak[/]",
            "[green]ya[/]" if report.meets["WBBM"] else "[red]tidak[/]",
            _advice(scored, framework, int(unit_id or 0)),
        )
    console.print(table)


def _advice(scored: ScoredPeriod, framework: Framework, unit_id: int) -> str:
    """The first shortfall and the answer that would help most, for the predicate next in line."""
    report = scored.reports[unit_id]
    target = "WBK" if not report.meets["WBK"] else "WBBM"
    if report.meets[target]:
        return "memenuhi semua batas nilai"
    first = report.shortfalls[target][0]
    gaps = gap_analysis(*scored.unit_rows(unit_id), framework, target)
    hint = f"; perbaiki dulu {gaps[0].code} (+{angka(gaps[0].gain)})" if gaps else ""
    count = len(report.shortfalls[target])
    more = f" (+{count - 1} lagi)" if count > 1 else ""
    return f"{target}: {rule_name(first.rule, framework)}{more}{hint}"
