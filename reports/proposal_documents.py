"""The documents of a proposal to TPN, as data for the Typst templates that `reports.pdf` turns
into PDFs.

What each holds:
- the instansi's letter to the Minister (PermenPANRB 5/2024, Lampiran II Bab II, Gambar 6):
  every unit proposed that year with the predicate sought and its TPI total as it stands on the
  letter's date, signed by the head of the instansi;
- the instansi's one SPTJM (5/2024, Gambar 7): the head of the instansi states, for all the
  units proposed in the year, that their data are true; no materai. It replaces 90/2021's SPTJM
  per unit, signed by the unit head;
- the TPI's evaluation report (LHE) per unit (90/2021, Lampiran II Bab I.A: the TPI "menyusun
  laporan hasil evaluasi internal yang memuat simpulan apakah unit kerja/satuan kerja memenuhi
  atau belum memenuhi kriteria"): the scores, each floor of the predicate, the conclusion and the
  ranked fixes, signed by the chair of the TPI;
- the score report: each area against its WBK and WBBM floors, the hasil components against
  theirs, the total over the year's monitoring snapshots, and every floor met or not;
- the evidence index: every document per LKE indicator, gaps marked;
- the prerequisite checklist: every Tabel 5 rule, met, unmet or waived by 5/2024.

Each document is a `reports.pdf.Document`: a static template and its data as JSON, every text
from data a string the template shows as text (never markup). Chart geometry is computed here
and drawn by the template. Numbers are shown as the LKE shows them: two decimals, half-up, with
a decimal comma (`angka`), all formatted here, none in the templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd

from reports.pdf import Document, Json
from reports.survey_report import SurveyReport
from zi_domain.evidence import EvidenceDocument, EvidenceIndex
from zi_domain.framework import Framework
from zi_domain.gaps import fix_first
from zi_domain.indonesian import angka, tanggal
from zi_domain.predicates import PREDICATES, TITLES
from zi_domain.prerequisites import ChecklistItem
from zi_domain.rounding import lke_round, meets_minimum
from zi_domain.unit_score import UnitScore, floor_results, rule_name, shortfall_words

PREDICATE_NAMES = TITLES
SHORT_PREDICATE_NAMES: dict[str, str] = {p: f"Menuju {p}" for p in PREDICATES}

# Measure chart geometry (CSS pixels, the templates' `px`): a label, a bar over 0..100 % of the
# measure's maximum.
LABEL_WIDTH = 250
PLOT_WIDTH = 270
VALUE_WIDTH = 110
ROW_HEIGHT = 24
BAR_HEIGHT = 13
CHART_TOP = 18

# History chart geometry.
HISTORY_WIDTH = 640
HISTORY_HEIGHT = 190
HISTORY_PAD = (44, 14, 26, 12)  # left, right, bottom, top


@dataclass(frozen=True)
class Signatory:
    """Who signs a document, as the signature block prints them."""

    name: str | None
    title: str | None = None
    elected: bool = False  # an elected head (Bupati, Gubernur) is no civil servant: no NIP
    nip: str | None = None

    @property
    def nip_line(self) -> str | None:
        """The line under the name: none for an elected head, else 'NIP. <nip>', or a bare
        'NIP.' to be written in by hand (PermenPANRB 5/2024, Gambar 6: "(nama) / NIP.")."""
        if self.elected:
            return None
        return f"NIP. {self.nip}" if self.nip else "NIP."


@dataclass(frozen=True)
class ProposedUnit:
    """One line of the instansi's letter and of its SPTJM."""

    code: str
    name: str
    predicate: str
    total: float  # the TPI total as it stands on the letter's date
    scored_on: date | None = None  # the day of the TPI snapshot that total comes from


@dataclass(frozen=True)
class InstansiLetter:
    """The instansi's letter (Gambar 6) and SPTJM (Gambar 7) of a year: both list the same
    units and are signed by the same head, on the same day."""

    instansi: str
    year: int
    dated: date
    units: tuple[ProposedUnit, ...]
    head_name: str | None  # the head of the instansi, from its record or the team list
    head_title: str | None = None  # e.g. "Bupati Uji"; "Pimpinan <instansi>" when unknown
    head_elected: bool = False
    head_nip: str | None = None

    @property
    def head(self) -> Signatory:
        return Signatory(self.head_name, self.head_title, self.head_elected, self.head_nip)

    @property
    def head_title_shown(self) -> str:
        return self.head_title or f"Pimpinan {self.instansi}"


@dataclass(frozen=True)
class UnitDossier:
    """Everything a unit's package is made from, gathered by the proposal service."""

    instansi: str
    unit_code: str
    unit_name: str
    unit_head: str | None
    year: int
    predicate: str
    revision: int
    dated: date
    framework: Framework
    report: UnitScore
    answers: Mapping[str, str]  # item code → the answer as stored
    values: pd.Series  # item code → value 0..1, NaN when missing
    scores: pd.Series  # the unit's row of `score_units`
    history: tuple[tuple[date, float], ...]  # the year's TPI snapshots: (as_of, total)
    evidence: EvidenceIndex
    checklist: tuple[ChecklistItem, ...]
    waived: frozenset[str]  # Tabel 5 rules that the 5/2024 exemption waives for this unit
    tpi_chair: Signatory | None = None  # the Ketua TPI who signs the LHE; a blank line if None
    surveys: SurveyReport | None = None  # the one-page report of the period's surveys, if any


# --- charts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FloorMark:
    predicate: str
    x: float


@dataclass(frozen=True)
class _MeasureRow:
    label: str
    y: float
    width: float  # the bar, in user units
    shown: str  # e.g. "13,96 / 17,50"
    status: str  # "wbbm", "wbk" or "belum": which floors the value meets
    floors: tuple[_FloorMark, ...]


@dataclass(frozen=True)
class _MeasureChart:
    rows: tuple[_MeasureRow, ...]
    width: int
    height: int
    plot_left: int
    plot_width: int
    bar_height: int


@dataclass(frozen=True)
class _Measure:
    label: str
    value: float
    maximum: float
    floors: Mapping[str, float]  # predicate → minimum, in the value's own unit
    shown: str


def _measure_chart(measures: Sequence[_Measure]) -> _MeasureChart:
    scale = PLOT_WIDTH / 100.0
    rows = []
    for index, m in enumerate(measures):
        rows.append(
            _MeasureRow(
                label=m.label,
                y=CHART_TOP + index * ROW_HEIGHT,
                width=round(min(max(m.value / m.maximum, 0.0), 1.0) * 100.0 * scale, 2),
                shown=m.shown,
                status=_status(m.value, m.floors),
                floors=tuple(
                    _FloorMark(p, round(LABEL_WIDTH + m.floors[p] / m.maximum * 100.0 * scale, 2))
                    for p in PREDICATES
                    if p in m.floors
                ),
            )
        )
    return _MeasureChart(
        rows=tuple(rows),
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH,
        height=CHART_TOP + len(rows) * ROW_HEIGHT + 6,
        plot_left=LABEL_WIDTH,
        plot_width=PLOT_WIDTH,
        bar_height=BAR_HEIGHT,
    )


def _status(value: float, floors: Mapping[str, float]) -> str:
    met = [p for p in PREDICATES if p in floors and bool(meets_minimum(value, floors[p]))]
    return met[-1].lower() if met else "belum"


def _floors_of(framework: Framework, rule: str) -> dict[str, float]:
    """Each predicate's minimum for `rule` (`area_percent` for every area)."""
    return {
        p.name: f.minimum
        for p in framework.predicates
        for f in p.floors
        if f.rule == rule and p.name in PREDICATES
    }


def area_measures(dossier: UnitDossier) -> list[_Measure]:
    floors = _floors_of(dossier.framework, "area_percent")
    return [
        _Measure(
            label=f"{a.number}. {a.name}",
            value=lke_round(a.percent),
            maximum=100.0,
            floors=floors,
            shown=f"{angka(lke_round(a.percent))}%",
        )
        for a in dossier.report.areas
    ]


def hasil_measures(dossier: UnitDossier) -> list[_Measure]:
    """The hasil items and groups that carry floors, in points of their weight."""
    framework = dossier.framework
    weights = {i.key: i.weight for i in framework.hasil_items} | {
        g.key: g.weight for g in framework.hasil_groups
    }
    components = dossier.report.hasil_components
    return [
        _Measure(
            label=rule_name(key, framework),
            value=lke_round(components[key]),
            maximum=weights[key],
            floors=floors,
            shown=f"{angka(components[key])} / {angka(weights[key])}",
        )
        for key in components
        if (floors := _floors_of(framework, key))
    ]


@dataclass(frozen=True)
class _HistoryChart:
    points: tuple[tuple[float, float], ...]  # x, y of each run: a line, a dot on each
    floors: tuple[tuple[str, float], ...]  # predicate, y
    ticks: tuple[tuple[str, float], ...]  # label, y
    dates: tuple[tuple[str, float, str], ...]  # first and last date, x, text-anchor
    width: int
    height: int
    left: int
    right: int


def history_chart(
    history: Sequence[tuple[date, float]], floors: Mapping[str, float]
) -> _HistoryChart | None:
    """The total at each monitoring run of the year, on a 0..100 axis with the total floors."""
    if not history:
        return None
    left, right, bottom, top = HISTORY_PAD
    plot_w = HISTORY_WIDTH - left - right
    plot_h = HISTORY_HEIGHT - top - bottom
    first, last = history[0][0], history[-1][0]
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(left + ((day - first).days / span if len(history) > 1 else 0.5) * plot_w, 2)

    def y(total: float) -> float:
        return round(top + (1.0 - min(max(total, 0.0), 100.0) / 100.0) * plot_h, 2)

    return _HistoryChart(
        points=tuple((x(d), y(t)) for d, t in history),
        floors=tuple((p, y(floors[p])) for p in PREDICATES if p in floors),
        ticks=tuple((str(v), y(v)) for v in (0, 25, 50, 75, 100)),
        dates=((tanggal(first), x(first), "start"), (tanggal(last), x(last), "end")),
        width=HISTORY_WIDTH,
        height=HISTORY_HEIGHT,
        left=left,
        right=HISTORY_WIDTH - right,
    )


# --- tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FloorLine:
    rule: str
    required: str
    actual: str
    met: bool


def floor_lines(dossier: UnitDossier, predicate: str) -> tuple[_FloorLine, ...]:
    """Every floor of `predicate` with the unit's value as the LKE shows it."""
    return tuple(
        _FloorLine(
            rule=result.name,
            required=f"≥ {angka(result.minimum)}{_unit_of(result.rule)}",
            actual=f"{angka(result.value)}{_unit_of(result.rule)}",
            met=result.met,
        )
        for result in floor_results(dossier.scores, dossier.framework, predicate)
    )


def _unit_of(rule: str) -> str:
    return "%" if rule.startswith("area_percent") else ""


@dataclass(frozen=True)
class _ChecklistLine:
    level: str
    subject: str
    required: str
    actual: str
    status: str  # "terpenuhi", "belum terpenuhi" or "dikecualikan"
    css: str


def checklist_lines(dossier: UnitDossier) -> tuple[_ChecklistLine, ...]:
    def status(item: ChecklistItem) -> tuple[str, str]:
        if item.holds:
            return "Terpenuhi", "met"
        if item.rule in dossier.waived:
            return "Dikecualikan (PermenPANRB 5/2024)", "waived"
        return "Belum terpenuhi", "unmet"

    return tuple(
        _ChecklistLine(
            level="Instansi" if item.level == "instansi" else "Unit kerja",
            subject=item.subject[:1].upper() + item.subject[1:],
            required=item.required,
            actual=item.actual,
            status=status(item)[0],
            css=status(item)[1],
        )
        for item in dossier.checklist
    )


# --- the TPI's evaluation report (LHE) ----------------------------------------------------------

LHE_FIXES_SHOWN = 15  # the ranked fixes listed by name; the rest are counted


@dataclass(frozen=True)
class _HasilLine:
    label: str
    index: float | None  # the survey index (0..4) of IPAK and IPKP; None for the others
    points: float
    weight: float
    group: bool  # a group's subtotal (bersih dan akuntabel, pelayanan prima)


def hasil_lines(dossier: UnitDossier) -> tuple[_HasilLine, ...]:
    """Each hasil group with its items: points of its weight, and the survey index behind the
    IPAK and IPKP points (points = index / 4 × weight, Lampiran III)."""
    components = dossier.report.hasil_components
    lines = []
    for group in dossier.framework.hasil_groups:
        lines.append(_HasilLine(group.name, None, components[group.key], group.weight, group=True))
        for item in group.items:
            value = dossier.values.get(item.code)
            index = (
                float(value) * item.answer_type.maximum
                if item.answer_type.kind == "index" and value is not None and pd.notna(value)
                else None
            )
            label = rule_name(item.key, dossier.framework)
            lines.append(_HasilLine(label, index, components[item.key], item.weight, group=False))
    return tuple(lines)


@dataclass(frozen=True)
class _FixLine:
    rank: int
    code: str
    text: str
    answer: str  # the answer as stored, or "belum dijawab"
    top_answer: str
    gain: float  # points the total gains at the top answer
    helps: str  # the failing floors it closes, in words; "" when none


def ranked_fixes(dossier: UnitDossier) -> tuple[_FixLine, ...]:
    """What to fix first (`zi_domain.gaps.fix_first`), worded for the LHE."""
    framework = dossier.framework
    ranked = fix_first(dossier.values, dossier.scores, framework, dossier.predicate)
    # A survey index's top is a number (4), shown as the LKE shows numbers.
    index_tops = {
        i.code: angka(i.answer_type.maximum)
        for i in framework.hasil_items
        if i.answer_type.kind == "index"
    }
    return tuple(
        _FixLine(
            rank=rank,
            code=gap.code,
            text=gap.text,
            answer=dossier.answers.get(gap.code) or "belum dijawab",
            top_answer=index_tops.get(gap.code, gap.top_answer),
            gain=gap.gain,
            helps="; ".join(rule_name(rule, framework) for rule in gap.helps),
        )
        for rank, gap in enumerate(ranked, start=1)
    )


# --- documents ---------------------------------------------------------------------------------


def letter_document(letter: InstansiLetter) -> Document:
    """The Surat Pengajuan Evaluasi (PermenPANRB 5/2024, Lampiran II Bab II, Gambar 6)."""
    head = letter.head
    return Document(
        "surat_usulan.typ",
        {
            "title": f"Surat Pengajuan Evaluasi ZI {letter.year} · {letter.instansi}",
            "instansi": letter.instansi,
            "year": str(letter.year),
            "dated": tanggal(letter.dated),
            "units": [
                [
                    f"{number}.",
                    f"{u.name}/ {SHORT_PREDICATE_NAMES[u.predicate]} (nilai TPI {angka(u.total)})",
                ]
                for number, u in enumerate(letter.units, start=1)
            ],
            "head": {
                "title": letter.head_title_shown,
                "below": signature_lines(head.name or "(nama)", head),
            },
        },
        dated=letter.dated,
    )


def sptjm_document(letter: InstansiLetter) -> Document:
    """The instansi's one SPTJM for every unit of the letter (PermenPANRB 5/2024, Gambar 7)."""
    head = letter.head
    return Document(
        "sptjm.typ",
        {
            "title": f"SPTJM · {letter.instansi} · {letter.year}",
            "footer": f"SPTJM {letter.instansi} tahun {letter.year}",
            "instansi": letter.instansi,
            "year": str(letter.year),
            "dated": tanggal(letter.dated),
            "count": str(len(letter.units)),
            "head": {
                "name": head.name or "........................................",
                "title": letter.head_title_shown,
                "below": signature_lines(head.name or "(nama lengkap)", head),
            },
            "rows": [
                [f"{number}.", u.name, SHORT_PREDICATE_NAMES[u.predicate], angka(u.total)]
                for number, u in enumerate(letter.units, start=1)
            ],
        },
        dated=letter.dated,
    )


def signature_lines(name: str, who: Signatory) -> list[Json]:
    """The lines under a signature: the name, then the NIP line if the signatory has one."""
    return [name] if who.nip_line is None else [name, who.nip_line]


def lhe_document(dossier: UnitDossier) -> Document:
    """The TPI's Laporan Hasil Evaluasi of the unit for the predicate it is proposed for."""
    d, report, framework = dossier, dossier.report, dossier.framework
    fixes = ranked_fixes(dossier)
    more = fixes[LHE_FIXES_SHOWN:]
    chair = dossier.tpi_chair or Signatory(None)
    return Document(
        "lhe.typ",
        {
            **_unit_heading(d),
            "title": f"Laporan Hasil Evaluasi TPI · {d.unit_name} · {d.year}",
            "footer": f"LHE TPI {d.unit_code} · {d.year} · revisi {d.revision}",
            "unit": f"{d.unit_name} ({d.unit_code})",
            "predicate_name": PREDICATE_NAMES[d.predicate],
            "short_name": SHORT_PREDICATE_NAMES[d.predicate],
            "framework_title": framework.title,
            "tiles": [
                [angka(value), f"{label} (dari {angka(weight)})", None]
                for value, label, weight in (
                    (report.total, "Nilai total", framework.total_weight),
                    (report.pengungkit, "Pengungkit", framework.pengungkit_weight),
                    (report.hasil, "Hasil", framework.hasil_weight),
                )
            ],
            "halves": [half.name for half in framework.halves],
            "areas": _area_rows(dossier),
            "area_totals": [
                ["Jumlah pengungkit", angka(framework.pengungkit_weight), angka(report.pengungkit)]
            ],
            "hasil": [
                {
                    "label": line.label,
                    "index": "" if line.index is None else angka(line.index),
                    "weight": angka(line.weight),
                    "points": angka(line.points),
                    "group": line.group,
                }
                for line in hasil_lines(dossier)
            ],
            "hasil_total": [angka(framework.hasil_weight), angka(report.hasil)],
            "missing": len(report.missing),
            "floors": [
                {
                    "rule": floor.name,
                    "required": f"{angka(floor.minimum)}{_unit_of(floor.rule)}",
                    "actual": f"{angka(floor.value)}{_unit_of(floor.rule)}",
                    "met": floor.met,
                }
                for floor in floor_results(dossier.scores, framework, dossier.predicate)
            ],
            "meets": report.meets[dossier.predicate],
            "shortfalls": [
                shortfall_words(s, framework) for s in report.shortfalls[dossier.predicate]
            ],
            "fixes": [
                {
                    "rank": f"{fix.rank}.",
                    "item": f"{fix.code} {fix.text}",
                    "answers": f"{fix.answer} → {fix.top_answer}",
                    "gain": f"+{angka(fix.gain)}",
                    "helps": fix.helps or "–",
                }
                for fix in fixes[:LHE_FIXES_SHOWN]
            ],
            "more_fixes": (
                f"Dan {len(more)} butir LKE lain di bawah nilai tertinggi, dengan tambahan nilai "
                f"total seluruhnya {angka(sum(fix.gain for fix in more))}."
                if more
                else None
            ),
            "chair": {
                "name": chair.name or "(........................................)",
                "nip_line": chair.nip_line,
            },
        },
        dated=d.dated,
    )


def _unit_heading(dossier: UnitDossier) -> dict[str, Json]:
    """What every unit document names: the unit, its instansi, the year and the date."""
    return {
        "instansi": dossier.instansi,
        "unit_name": dossier.unit_name,
        "unit_code": dossier.unit_code,
        "year": str(dossier.year),
        "dated": tanggal(dossier.dated),
        "footer": f"{dossier.unit_code} · revisi {dossier.revision}",
    }


def _area_rows(dossier: UnitDossier) -> list[Json]:
    """Each area: name, weight, each half, score and % of the weight, as the LKE shows them."""
    halves = dossier.framework.halves
    return [
        [
            f"{a.number}. {a.name}",
            angka(a.weight),
            *(angka(a.halves[half.key]) for half in halves),
            angka(a.score),
            f"{angka(a.percent)}%",
        ]
        for a in dossier.report.areas
    ]


def score_report_document(dossier: UnitDossier) -> Document:
    """The score report: areas and hasil against their floors, the year's history, the floors."""
    d, report, framework = dossier, dossier.report, dossier.framework
    history = history_chart(d.history, _floors_of(framework, "total"))
    last = d.history[-1] if d.history else None
    return Document(
        "laporan_nilai.typ",
        {
            **_unit_heading(d),
            "title": f"Laporan Nilai LKE · {d.unit_name} · {d.year}",
            "subtitle": (
                f"Tahun {d.year} · diusulkan untuk predikat {PREDICATE_NAMES[d.predicate]} · "
                f"nilai Tim Penilai Internal per {tanggal(d.dated)} · kerangka {framework.title}"
            ),
            "tiles": [
                *([angka(v), label, None] for label, v in _headline(report)),
                *(
                    ["Ya" if ok else "Belum", f"Memenuhi batas {p}", "met" if ok else "unmet"]
                    for p, ok in report.meets.items()
                ),
            ],
            "areas": asdict(_measure_chart(area_measures(d))),
            "hasil": asdict(_measure_chart(hasil_measures(d))),
            "history": asdict(history) if history else None,
            "history_note": (
                f"{len(d.history)} kali pemantauan; terakhir {tanggal(last[0])}: {angka(last[1])}."
                if last
                else ""
            ),
            "halves": [half.name for half in framework.halves],
            "areas_rows": _area_rows(d),
            "totals": [
                ["Pengungkit", angka(framework.pengungkit_weight), angka(report.pengungkit)],
                ["Hasil", angka(framework.hasil_weight), angka(report.hasil)],
                ["Total", angka(framework.total_weight), angka(report.total)],
            ],
            "missing": len(report.missing),
            "floors": [[p, [asdict(line) for line in floor_lines(d, p)]] for p in PREDICATES],
        },
        dated=d.dated,
    )


def _headline(report: UnitScore) -> tuple[tuple[str, float], ...]:
    return (
        ("Nilai total", report.total),
        ("Pengungkit", report.pengungkit),
        ("Hasil", report.hasil),
    )


def evidence_index_document(dossier: UnitDossier) -> Document:
    """Every LKE indicator with its documents, gaps marked, old documents flagged."""
    index = dossier.evidence
    old_flag = f"lama (lebih dari {index.max_age_years} tahun)"

    def rows(label: str, documents: Sequence[EvidenceDocument]) -> list[Json]:
        return [
            {
                "indicator": label if first else "",
                "gap": False,
                "title": doc.title,
                "old": index.is_old(doc),
                "reference": f"{doc.code} · {doc.location}",
                "year": str(doc.year),
                "sha": doc.sha256,
            }
            for first, doc in zip((True, *(False for _ in documents[1:])), documents, strict=True)
        ]

    indicator_rows: list[Json] = []
    for indicator in index.indicators:
        label = f"{indicator.code} {indicator.name}"
        if indicator.gap:
            indicator_rows.append({"indicator": label, "gap": True})
        else:
            indicator_rows.extend(rows(label, indicator.documents))
    hasil_rows = [
        row for item in index.hasil for row in rows(f"{item.code} {item.name}", item.documents)
    ]
    return Document(
        "indeks_bukti.typ",
        {
            **_unit_heading(dossier),
            "title": f"Indeks Bukti Dukung · {dossier.unit_name} · {dossier.year}",
            "old_flag": old_flag,
            "old_before": (
                None if index.max_age_years is None else str(index.year - index.max_age_years)
            ),
            "flagged": str(len(index.flagged)),
            "documents": str(index.document_count),
            "covered": str(len(index.indicators) - len(index.gaps)),
            "indicators": str(len(index.indicators)),
            "gaps": str(len(index.gaps)),
            "rows": indicator_rows,
            "hasil": {"count": str(len(hasil_rows)), "rows": hasil_rows} if hasil_rows else None,
            "without": [
                {"code": doc.code, "title": doc.title, "year": str(doc.year)}
                for doc in index.without_indicator
            ],
        },
        dated=dossier.dated,
    )


def checklist_document(dossier: UnitDossier) -> Document:
    """Every Tabel 5 rule: met, unmet, or waived by PermenPANRB 5/2024."""
    return Document(
        "prasyarat.typ",
        {
            **_unit_heading(dossier),
            "title": f"Daftar Periksa Syarat Pengusulan · {dossier.unit_name} · {dossier.year}",
            "predicate_name": PREDICATE_NAMES[dossier.predicate],
            "lines": [asdict(line) for line in checklist_lines(dossier)],
            "waived": bool(dossier.waived),
        },
        dated=dossier.dated,
    )
