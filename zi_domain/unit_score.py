"""One unit's score as people and scripts read it: the `zi score --json` contract lives here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from zi_domain.answers import AnswerError, read_answers
from zi_domain.framework import Framework
from zi_domain.indonesian import angka
from zi_domain.rounding import lke_round, meets_minimum
from zi_domain.scoring import Shortfall, floor_measures, score_units, shortfalls


@dataclass(frozen=True)
class AreaScore:
    number: int
    name: str
    weight: float
    halves: dict[str, float]  # pemenuhan and reform points, by half key
    score: float
    percent: float

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AreaScore:
        fixed = {"number", "name", "weight", "score", "percent"}
        return cls(
            number=data["number"],
            name=data["name"],
            weight=data["weight"],
            halves={key: value for key, value in data.items() if key not in fixed},
            score=data["score"],
            percent=data["percent"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "weight": self.weight,
            **self.halves,
            "score": self.score,
            "percent": self.percent,
        }


@dataclass(frozen=True)
class UnitScore:
    """Everything that `zi score` reports for one unit, numbers unrounded."""

    framework: str
    total: float
    pengungkit: float
    hasil: float
    areas: tuple[AreaScore, ...]
    hasil_components: dict[str, float]
    meets: dict[str, bool]
    shortfalls: dict[str, list[Shortfall]]
    missing: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UnitScore:
        """The report that `to_json` wrote (a snapshot's details, `score_details`)."""
        return cls(
            framework=data["framework"],
            total=data["total"],
            pengungkit=data["pengungkit"],
            hasil=data["hasil"],
            areas=tuple(AreaScore.from_json(area) for area in data["areas"]),
            hasil_components=dict(data["hasil_components"]),
            meets=dict(data["meets"]),
            shortfalls={
                name: [Shortfall(**s) for s in found] for name, found in data["shortfalls"].items()
            },
            missing=tuple(data["missing"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "total": self.total,
            "pengungkit": self.pengungkit,
            "hasil": self.hasil,
            "areas": [area.to_json() for area in self.areas],
            "hasil_components": self.hasil_components,
            "meets": self.meets,
            "shortfalls": {
                name: [vars(s) for s in found] for name, found in self.shortfalls.items()
            },
            "missing": list(self.missing),
        }


@dataclass(frozen=True)
class UnitTotals:
    """What a monitoring run reads of every unit's score; the rest stays in the unit's details
    (`UnitScore.from_json` gives the whole report of the few units shown in full)."""

    total: float
    pengungkit: float
    hasil: float
    area_percent: dict[int, float]  # area number -> score as % of the area's weight
    meets: dict[str, bool]
    missed: dict[str, int]  # floors not met, per predicate

    @classmethod
    def of(cls, details: Mapping[str, Any]) -> UnitTotals:
        """From a unit's details (`UnitScore.to_json`, `score_details`)."""
        return cls(
            total=details["total"],
            pengungkit=details["pengungkit"],
            hasil=details["hasil"],
            area_percent={area["number"]: area["percent"] for area in details["areas"]},
            meets=dict(details["meets"]),
            missed={name: len(found) for name, found in details["shortfalls"].items()},
        )


def unit_score(scores: pd.Series, missing: list[str], framework: Framework) -> UnitScore:
    """The report of one unit from its row of `score_units`."""
    areas = tuple(
        AreaScore(
            number=a.number,
            name=a.name,
            weight=a.weight,
            halves={h.key: float(scores[f"area_{a.number}_{h.key}"]) for h in framework.halves},
            score=float(scores[f"area_{a.number}"]),
            percent=float(scores[f"area_{a.number}_percent"]),
        )
        for a in framework.areas
    )
    components = [key for g in framework.hasil_groups for key in (*(i.key for i in g.items), g.key)]
    return UnitScore(
        framework=framework.name,
        total=float(scores["total"]),
        pengungkit=float(scores["pengungkit"]),
        hasil=float(scores["hasil"]),
        areas=areas,
        hasil_components={key: float(scores[key]) for key in components},
        meets={p.name: bool(scores[f"meets_{p.name}"]) for p in framework.predicates},
        shortfalls={p.name: shortfalls(scores, framework, p.name) for p in framework.predicates},
        missing=tuple(missing),
    )


def unit_scores(
    scores: pd.DataFrame, missing: Sequence[Sequence[str]], framework: Framework
) -> list[UnitScore]:
    """`unit_score` of every row of `score_units` at once, in row order (`missing`: each row's
    unanswered codes): the objects of `score_details`."""
    return [UnitScore.from_json(details) for details in score_details(scores, missing, framework)]


def score_details(
    scores: pd.DataFrame, missing: Sequence[Sequence[str]], framework: Framework
) -> list[dict[str, Any]]:
    """`unit_score(...).to_json()` of every row of `score_units`, in row order, built from the
    columns: what a run stores for every unit (a snapshot's details) without an object per
    unit, area and shortfall (0.25 s at 20,000 units against 0.65 s through `UnitScore`).

    Each score column is read once as a list and each floor compared once on its whole column;
    only the assembly is a loop. Reading row by row (`unit_score`) looked every value up by
    name and compared every floor per unit: 10 s for 20,000 units."""
    n = len(scores)
    column = {str(name): scores[name].to_numpy(dtype=float) for name in scores.columns}

    def values(name: str) -> list[float]:
        return column[name].tolist()

    halves = [h.key for h in framework.halves]
    areas = [
        (
            {"number": a.number, "name": a.name, "weight": a.weight},
            [values(f"area_{a.number}_{key}") for key in halves],
            values(f"area_{a.number}"),
            values(f"area_{a.number}_percent"),
        )
        for a in framework.areas
    ]
    components = [key for g in framework.hasil_groups for key in (*(i.key for i in g.items), g.key)]
    component_columns = [values(key) for key in components]
    meets = [
        (p.name, scores[f"meets_{p.name}"].to_numpy(dtype=bool).tolist())
        for p in framework.predicates
    ]
    short = {p.name: _shortfalls_by_row(column, framework, p.name, n) for p in framework.predicates}
    totals, pengungkit, hasil = values("total"), values("pengungkit"), values("hasil")
    return [
        {
            "framework": framework.name,
            "total": totals[row],
            "pengungkit": pengungkit[row],
            "hasil": hasil[row],
            "areas": [
                {
                    **fixed,
                    **{key: half[row] for key, half in zip(halves, by_half, strict=True)},
                    "score": score[row],
                    "percent": percent[row],
                }
                for fixed, by_half, score, percent in areas
            ],
            "hasil_components": {
                key: values_[row]
                for key, values_ in zip(components, component_columns, strict=True)
            },
            "meets": {name: met[row] for name, met in meets},
            "shortfalls": {name: by_row[row] for name, by_row in short.items()},
            "missing": list(missing[row]),
        }
        for row in range(n)
    ]


def _shortfalls_by_row(
    columns: Mapping[str, Any], framework: Framework, predicate: str, rows: int
) -> list[list[dict[str, Any]]]:
    """`shortfalls` of every row as `to_json` writes them, each floor compared on its whole
    column, in floor order."""
    found: list[list[dict[str, Any]]] = [[] for _ in range(rows)]
    for floor in framework.predicate(predicate).floors:
        for rule, measure in floor_measures(columns, framework, floor).items():
            failing = np.flatnonzero(~meets_minimum(measure, floor.minimum))
            for row, actual in zip(failing.tolist(), measure[failing].tolist(), strict=True):
                found[row].append({"rule": rule, "required": floor.minimum, "actual": actual})
    return found


RULE_NAMES = {
    "total": "Nilai total",
    "pengungkit": "Nilai pengungkit",
    "hasil": "Nilai hasil",
    "bersih_akuntabel": "Birokrasi yang bersih dan akuntabel",
    "ipak": "Survei persepsi anti korupsi (IPAK)",
    "kinerja": "Capaian kinerja lebih baik",
    "pelayanan_prima": "Pelayanan publik yang prima (IPKP)",
    "ipkp": "Survei persepsi kualitas pelayanan (IPKP)",
}


def rule_name(rule: str, framework: Framework) -> str:
    """A floor rule in words, e.g. 'area_percent.3' → 'Area 3 Penataan Sistem Manajemen SDM (%)'."""
    if rule.startswith("area_percent."):
        area = framework.area(int(rule.split(".")[1]))
        return f"Area {area.number} {area.name} (% bobot)"
    return RULE_NAMES.get(rule, rule)


def shortfall_words(shortfall: Shortfall, framework: Framework) -> str:
    """A floor not met, in words, as both the TPI summary and a refused proposal list it."""
    return (
        f"{rule_name(shortfall.rule, framework)}: minimal {angka(shortfall.required)}, "
        f"tercapai {angka(shortfall.actual)}"
    )


@dataclass(frozen=True)
class FloorResult:
    """One Tabel 6 floor applied to a unit, as the LKE shows it (an area floor: one per area)."""

    rule: str  # e.g. "total", "area_percent.3"
    name: str  # the rule in words
    minimum: float
    value: float  # rounded as the LKE shows it
    met: bool


def floor_results(scores: pd.Series, framework: Framework, predicate: str) -> list[FloorResult]:
    """Every floor of `predicate` against the unit's row of `score_units`."""
    row = {str(name): value for name, value in scores.items()}
    return [
        FloorResult(
            rule=rule,
            name=rule_name(rule, framework),
            minimum=floor.minimum,
            value=lke_round(float(measure)),
            met=bool(meets_minimum(float(measure), floor.minimum)),
        )
        for floor in framework.predicate(predicate).floors
        for rule, measure in floor_measures(row, framework, floor).items()
    ]


@dataclass(frozen=True)
class ScoredAnswers:
    """One unit's answers scored: its values, its row of `score_units` and its report."""

    values: pd.Series  # item code → value 0..1, NaN when missing
    scores: pd.Series
    report: UnitScore
    errors: tuple[AnswerError, ...]  # answers that could not be read (scored as missing)


def score_answers(answers: Mapping[str, str], framework: Framework) -> ScoredAnswers:
    """Scores one unit's answers (item code → the answer as written)."""
    rows = pd.DataFrame(
        {
            "unit": [UNIT] * len(answers),
            "code": list(answers),
            "answer": list(answers.values()),
            "row": range(1, len(answers) + 1),
        }
    )
    sheet = read_answers(rows, framework)
    values = sheet.values.reindex(index=pd.Index([UNIT], name="unit"))
    row = score_units(values, framework).iloc[0]
    missing = [str(code) for code in values.columns[values.iloc[0].isna()]]
    return ScoredAnswers(
        values=values.iloc[0],
        scores=row,
        report=unit_score(row, missing, framework),
        errors=tuple(sheet.errors),
    )


UNIT = "unit"  # the row label of the single unit `score_answers` scores
