"""Respondent files as survey teams produce them, for the survey tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from config.framework_files import load_framework
from config.survey_methods import load_survey_method
from persistence.tables import SurveyKind, SurveySource
from services.surveys import SurveyRequest

METHOD = load_survey_method()
IPAK_CODES = [item.code for item in METHOD.instrument("ipak").items]
IPKP_CODES = [item.code for item in METHOD.instrument("ipkp").items]


def respondent_rows(
    answer_sets: Sequence[Sequence[int | str]],
    *,
    types: Sequence[str] = ("perizinan", "pengaduan"),
    served_on: str = "2026-03-15",
    unit: str = "DPMPTSP",
) -> list[list[str]]:
    """One row per answer set: id R001.., the unit, service types in turn, one day served."""
    return [
        [f"R{n + 1:03d}", unit, types[n % len(types)], served_on, *map(str, answers)]
        for n, answers in enumerate(answer_sets)
    ]


def write_respondents(
    path: Path, rows: Sequence[Sequence[str]], codes: Sequence[str], *, delimiter: str = ","
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["responden", "unit", "jenis_layanan", "tanggal_layanan", *codes])
        writer.writerows(rows)
    return path


def ipkp_set(low: int = 0, high: int = 0, count: int = 30) -> list[list[int]]:
    """`count` respondents answering 3 to every unsur, except `low` of them giving U9 a 1 and
    `high` of them giving every unsur a 4."""
    sets = [[3] * 9 for _ in range(count)]
    for n in range(low):
        sets[n][8] = 1
    for n in range(low, low + high):
        sets[n] = [4] * 9
    return sets


def request(
    kind: SurveyKind = SurveyKind.IPKP,
    source: SurveySource = SurveySource.TPI,
    *,
    justification: str | None = None,
    mapping: Path | None = None,
    unit: str = "DPMPTSP",
) -> SurveyRequest:
    return SurveyRequest(
        kind=kind,
        source=source,
        unit_code=unit,
        method=METHOD,
        framework=load_framework("permenpanrb-90-2021"),
        as_of=date(2026, 5, 4),
        actor="Rina (TPI)",
        instansi="KABUJI",
        justification=justification,
        mapping=mapping,
    )
