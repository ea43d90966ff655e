"""Every number a person reads in a report goes through the one LKE rounding: two decimals,
half-up, decimal comma (`zi_domain.indonesian.angka`), and every computed number in the LKE
workbook holds that rounded value.

The numbers are made up, chosen for their rounding rather than their arithmetic: each ends in 5 at
the third decimal, and its binary float lies just below that half (2.675 is stored as
2.67499999999999982…) or exactly on it (6.625), so plain formatting ("%.2f", f"{x:.2f}", round())
shows the lower neighbour while the LKE rounds up. The expected strings are worked by hand;
`test_the_numbers_would_catch_plain_formatting` checks that each number does tell the two apart.
"""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date
from typing import Any

import jinja2
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from reports.lke_workbook import lke_workbook
from reports.monitoring import (
    MonitoringReport,
    UnitMonitoringRow,
    monitoring_markdown,
    monitoring_table,
    render_monitoring_html,
)
from reports.pdf import render_pdf
from reports.proposal_documents import UnitDossier, score_report_document
from tests.domain.worksheets import lke, top_answers
from zi_domain.evidence import evidence_index
from zi_domain.unit_score import AreaScore, score_answers

YEAR = 2026
ON = date(2026, 5, 18)

# (raw value, as the LKE shows it, as plain formatting would show it): worked by hand.
AREA_1_PEMENUHAN = (2.675, "2,68", "2,67")
AREA_1_REFORM = (1.005, "1,01", "1,00")
AREA_1_SCORE = (6.675, "6,68", "6,67")
AREA_1_PERCENT = (82.345, "82,35", "82,34")
AREA_2_PEMENUHAN = (0.285, "0,29", "0,28")
AREA_2_REFORM = (1.115, "1,12", "1,11")
AREA_2_SCORE = (6.625, "6,63", "6,62")  # the reported bug: laporan-nilai printed 6,62
AREA_2_PERCENT = (94.645, "94,65", "94,64")
IPAK = (16.005, "16,01", "16,00")
KINERJA = (2.485, "2,49", "2,48")
BERSIH = (18.115, "18,12", "18,11")
IPKP = (13.965, "13,97", "13,96")
PENGUNGKIT = (54.285, "54,29", "54,28")
HASIL = (39.285, "39,29", "39,28")
TOTAL = (96.455, "96,46", "96,45")
# The earlier monitoring runs are drawn (the history chart), not written.
MARCH = 60.285
APRIL = 75.285
PEMENUHAN = (20.005, "20,01", "20,00")
REFORM = (21.005, "21,01", "21,00")

REPORTED = (
    AREA_1_PEMENUHAN,
    AREA_1_REFORM,
    AREA_1_SCORE,
    AREA_1_PERCENT,
    AREA_2_PEMENUHAN,
    AREA_2_REFORM,
    AREA_2_SCORE,
    AREA_2_PERCENT,
    IPAK,
    KINERJA,
    BERSIH,
    IPKP,
    PENGUNGKIT,
    HASIL,
    TOTAL,
)

# The monitoring run: a unit at 76,005 (shown 76,01) after 75,004 (shown 75,00) went up by
# 76,01 − 75,00 = 1,01 (plain formatting: 76,00 − 75,00 = 1,00); one at 60,285 (60,29) after
# 64,285 (64,29) went down by 4,00 (plain: 60,28 and 64,28).
RISEN = (76.005, "76,01", "76,00")
RISEN_BEFORE = (75.004, "75,00", "75,00")
RISEN_PENGUNGKIT = (54.285, "54,29", "54,28")
RISEN_HASIL = (21.005, "21,01", "21,00")
FALLEN = (60.285, "60,29", "60,28")
FALLEN_BEFORE = (64.285, "64,29", "64,28")
EARLIER = (71.285, "71,29", "71,28")
MONITORED = (
    RISEN,
    RISEN_PENGUNGKIT,
    RISEN_HASIL,
    FALLEN,
    FALLEN_BEFORE,
    EARLIER,
    AREA_1_PERCENT,
    AREA_2_PERCENT,
)


def shows(text: str, number: str) -> bool:
    """Whether `number` (e.g. "2,68") is written in `text` as a number of its own."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d])", text) is not None


def assert_rounded_half_up(text: str, numbers: tuple[tuple[float, str, str], ...]) -> None:
    for raw, lke_shown, plain in numbers:
        assert shows(text, lke_shown), (raw, lke_shown)
        assert not shows(text, plain), (raw, plain)


@pytest.mark.parametrize("number", [*REPORTED, PEMENUHAN, REFORM, *MONITORED[:-3], EARLIER])
def test_the_numbers_would_catch_plain_formatting(number: tuple[float, str, str]) -> None:
    raw, lke_shown, plain = number
    assert f"{raw:.2f}".replace(".", ",") == plain != lke_shown
    old_template = jinja2.Environment().from_string('{{ "%.2f" | format(x) | replace(".", ",") }}')
    assert old_template.render(x=raw) == plain  # what laporan_nilai.html.j2 printed before


# --- the score report (laporan-nilai, with its measure charts) ------------------------------------


def made_up_dossier() -> UnitDossier:
    """A unit whose areas 1 and 2, hasil, totals and history carry the numbers above."""
    framework = lke()
    scored = score_answers(top_answers(framework), framework)
    top = scored.report
    areas = (
        AreaScore(
            number=1,
            name=top.areas[0].name,
            weight=8.0,
            halves={"pemenuhan": AREA_1_PEMENUHAN[0], "reform": AREA_1_REFORM[0]},
            score=AREA_1_SCORE[0],
            percent=AREA_1_PERCENT[0],
        ),
        AreaScore(
            number=2,
            name=top.areas[1].name,
            weight=7.0,
            halves={"pemenuhan": AREA_2_PEMENUHAN[0], "reform": AREA_2_REFORM[0]},
            score=AREA_2_SCORE[0],
            percent=AREA_2_PERCENT[0],
        ),
        *top.areas[2:],
    )
    components = {
        "ipak": IPAK[0],
        "kinerja": KINERJA[0],
        "bersih_akuntabel": BERSIH[0],
        "ipkp": IPKP[0],
        "pelayanan_prima": IPKP[0],
    }
    report = dataclasses.replace(
        top,
        total=TOTAL[0],
        pengungkit=PENGUNGKIT[0],
        hasil=HASIL[0],
        areas=areas,
        hasil_components=components,
        meets={"WBK": False, "WBBM": False},  # bersih, kinerja and pelayanan prima fall short
    )
    scores = scored.scores.copy()
    for key, value in {
        "total": TOTAL[0],
        "pengungkit": PENGUNGKIT[0],
        "hasil": HASIL[0],
        "pemenuhan": PEMENUHAN[0],
        "reform": REFORM[0],
        "area_1_pemenuhan": AREA_1_PEMENUHAN[0],
        "area_1_reform": AREA_1_REFORM[0],
        "area_1": AREA_1_SCORE[0],
        "area_1_percent": AREA_1_PERCENT[0],
        "area_2_pemenuhan": AREA_2_PEMENUHAN[0],
        "area_2_reform": AREA_2_REFORM[0],
        "area_2": AREA_2_SCORE[0],
        "area_2_percent": AREA_2_PERCENT[0],
        **components,
    }.items():
        scores[key] = value
    return UnitDossier(
        instansi="Kementerian Uji",
        unit_code="KPU-01",
        unit_name="Kantor Pelayanan Uji",
        unit_head="Budi Santoso",
        year=YEAR,
        predicate="WBK",
        revision=1,
        dated=ON,
        framework=framework,
        report=report,
        answers=top_answers(framework),
        values=scored.values,
        scores=scores,
        history=((date(2026, 3, 2), MARCH), (date(2026, 4, 6), APRIL), (ON, TOTAL[0])),
        evidence=evidence_index(framework, [], year=YEAR),
        checklist=(),
        waived=frozenset(),
    )


def score_report_lines() -> list[str]:
    """The lines of the score report's PDF, read back with pypdf, white space collapsed."""
    pdf = render_pdf(score_report_document(made_up_dossier()))
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return [" ".join(line.split()) for line in text.splitlines()]


def test_the_score_report_rounds_every_number_half_up() -> None:
    assert_rounded_half_up("\n".join(score_report_lines()), REPORTED)


def test_the_score_report_table_rows_show_the_lke_numbers() -> None:
    # The rows of "Rincian nilai": weight, pemenuhan, reform, score, % of the weight.
    lines = score_report_lines()
    rows = lines[lines.index("Rincian nilai") :]  # the charts name the areas too
    [area_1] = [r for r in rows if r.startswith("1. Manajemen Perubahan")]
    assert area_1 == "1. Manajemen Perubahan 8,00 2,68 1,01 6,68 82,35%"
    [area_2] = [r for r in rows if r.startswith("2. Penataan Tatalaksana")]
    assert area_2 == "2. Penataan Tatalaksana 7,00 0,29 1,12 6,63 94,65%"
    [total] = [r for r in rows if r.startswith("Total ")]
    assert total == "Total 100,00 96,46"


def test_the_score_report_charts_and_floors_show_the_lke_numbers() -> None:
    text = " ".join(score_report_lines())
    # Measure charts: area % of its weight; hasil points of their weight.
    assert "82,35%" in text and "94,65%" in text
    assert "16,01 / 17,50" in text and "2,49 / 5,00" in text and "13,97 / 17,50" in text
    # Floors (Tabel 6): the unit's value next to each floor.
    assert "≥ 75,00 96,46 Memenuhi" in text
    assert "≥ 15,75 16,01 Memenuhi" in text  # IPAK
    assert "≥ 14,00 13,97 Belum memenuhi" in text  # pelayanan prima
    # History: the last run as the LKE shows it.
    assert "3 kali pemantauan; terakhir 18 Mei 2026: 96,46." in text


# --- the monitoring page, its Markdown and its table ---------------------------------------------


def monitoring_report() -> MonitoringReport:
    areas = {1: "Manajemen Perubahan", 2: "Penataan Tatalaksana"}

    def row(unit_id: int, total: float, before: float, history: tuple[float, ...]) -> Any:
        return UnitMonitoringRow(
            unit_id=unit_id,
            code=f"UK-{unit_id:03d}",
            name=f"Unit {unit_id}",
            state_label="Pembangunan",
            total=total,
            pengungkit=RISEN_PENGUNGKIT[0],
            hasil=RISEN_HASIL[0],
            area_percent={1: AREA_1_PERCENT[0], 2: AREA_2_PERCENT[0]},
            meets={"WBK": True, "WBBM": True},
            previous_total=before,
            changes=("baru memenuhi batas WBBM",),
            shortfalls=(),
            overdue_items=0,
            evidence_problems=0,
            history=tuple((date(2026, 3 + index, 4), value) for index, value in enumerate(history)),
        )

    return MonitoringReport(
        instansi="Pemerintah Kabupaten Contoh",
        period="ZI 2026",
        as_of=date(2026, 5, 4),
        framework="PermenPANRB 90/2021",
        area_names=areas,
        total_floors={"WBK": 75, "WBBM": 85},
        area_floors={"WBK": 60, "WBBM": 75},
        units=(
            row(1, RISEN[0], RISEN_BEFORE[0], (EARLIER[0], RISEN_BEFORE[0], RISEN[0])),
            row(2, FALLEN[0], FALLEN_BEFORE[0], (FALLEN_BEFORE[0], FALLEN[0])),
        ),
    )


def test_the_monitoring_page_rounds_every_number_half_up() -> None:
    page = render_monitoring_html(monitoring_report())
    assert_rounded_half_up(page, MONITORED)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "76,01 ▲ +1,01 pengungkit 54,29 · hasil 21,01" in text
    assert "60,29 ▼ −4,00" in text
    assert "Riwayat total: 71,29 (4 Maret 2026) → 76,01 (4 Mei 2026), 3 pemantauan" in page


def test_the_monitoring_markdown_rounds_every_number_half_up() -> None:
    markdown = monitoring_markdown(monitoring_report())
    assert "(total 76,01)" in markdown
    assert "| UK-002 | Unit 2 | 64,29 | 60,29 | −4,00 |" in markdown
    assert_rounded_half_up(markdown, (RISEN, FALLEN, FALLEN_BEFORE))


def test_the_monitoring_table_holds_the_shown_numbers() -> None:
    rows = {row["kode"]: row for row in monitoring_table(monitoring_report()).rows}
    assert rows["UK-001"]["total"] == pytest.approx(76.01, abs=1e-9)
    assert rows["UK-001"]["perubahan"] == pytest.approx(1.01, abs=1e-9)
    assert rows["UK-002"]["total"] == pytest.approx(60.29, abs=1e-9)
    assert rows["UK-002"]["perubahan"] == pytest.approx(-4.0, abs=1e-9)


# --- the LKE workbook --------------------------------------------------------------------------

NO, TEXT, TYPE, ANSWER, VALUE, WEIGHT, SCORE, NOTE = range(8)


def workbook_lines(data: bytes, title: str) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(data))[title]
    assert isinstance(sheet, Worksheet)
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def made_up_workbook() -> bytes:
    # A.II.3.iii.a (the fall in discipline violations, the only question of A.II.3.iii, 2,00)
    # answered 28,5 %: its value 0,285 shows 0,29; the indicator 2 × 0,285 = 0,57.
    dossier = made_up_dossier()
    answers = dict(dossier.answers) | {"A.II.3.iii.a": "28,5%"}
    values = score_answers(answers, dossier.framework).values
    assert f"{values['A.II.3.iii.a']:.2f}" == "0.28"  # the value's float lies below 0,285
    return lke_workbook(
        dossier.framework,
        instansi_name=dossier.instansi,
        unit_code=dossier.unit_code,
        unit_name=dossier.unit_name,
        year=YEAR,
        predicate="WBK",
        answers=answers,
        values=values,
        scores=dossier.scores,
        report=dossier.report,
    )


def test_workbook_cells_hold_the_numbers_the_lke_shows() -> None:
    lines = workbook_lines(made_up_workbook(), "LKE")
    by_code = {line[NO]: line for line in lines if line[NO]}
    by_text = {line[TEXT]: line for line in lines if line[TEXT]}
    expected = {
        # (row, column): the number in the cell, worked by hand
        (by_code["A.I"], SCORE): 20.01,  # pemenuhan 20,005
        (by_code["A.II"], SCORE): 21.01,  # reform 21,005
        (by_code["A.I.1"], SCORE): 2.68,  # area 1 pemenuhan 2,675
        (by_code["A.II.1"], SCORE): 1.01,  # area 1 reform 1,005
        (by_code["A.I.2"], SCORE): 0.29,  # area 2 pemenuhan 0,285
        (by_code["A.II.2"], SCORE): 1.12,  # area 2 reform 1,115
        (by_code["A.II.3.iii.a"], VALUE): 0.29,  # 28,5 % → 0,285
        (by_code["A.II.3.iii"], VALUE): 0.29,  # the mean of one question
        (by_code["A.II.3.iii"], SCORE): 0.57,  # 2 × 0,285
        (by_code["1"], SCORE): 6.68,  # area 1 6,675
        (by_code["1"], VALUE): 0.8235,  # 82,345 % shown 82,35 %
        (by_code["2"], SCORE): 6.63,  # area 2 6,625
        (by_code["2"], VALUE): 0.9465,  # 94,645 % shown 94,65 %
        (by_text["Jumlah Pemenuhan"], SCORE): 20.01,
        (by_text["Jumlah Reform"], SCORE): 21.01,
        (by_text["TOTAL PENGUNGKIT"], SCORE): 54.29,  # 54,285
        (by_code["B.I"], SCORE): 18.12,  # bersih dan akuntabel 18,115
        (by_code["B.I.a"], SCORE): 16.01,  # IPAK 16,005
        (by_code["B.I.b"], SCORE): 2.49,  # kinerja 2,485
        (by_code["B.II"], SCORE): 13.97,  # pelayanan prima 13,965
        (by_code["B.II.a"], SCORE): 13.97,  # IPKP 13,965
        (by_text["TOTAL HASIL"], SCORE): 39.29,  # 39,285
        (by_text["NILAI TOTAL"], SCORE): 96.46,  # 96,455
    }
    for (line, column), number in expected.items():
        assert line[column] == pytest.approx(number, abs=1e-9), (line[NO] or line[TEXT], column)
    # The answer is kept as given: 28,5 %.
    assert by_code["A.II.3.iii.a"][ANSWER] == pytest.approx(0.285, abs=1e-12)


def test_workbook_floor_sheet_holds_the_numbers_the_lke_shows() -> None:
    found = workbook_lines(made_up_workbook(), "Batas Nilai")
    wbk = {line[1]: line[3] for line in found if line[0] == "Menuju WBK"}
    expected = {
        "Nilai total": 96.46,
        "Nilai pengungkit": 54.29,
        "Area 1 Manajemen Perubahan (% bobot)": 82.35,
        "Area 2 Penataan Tatalaksana (% bobot)": 94.65,
        "Birokrasi yang bersih dan akuntabel": 18.12,
        "Survei persepsi anti korupsi (IPAK)": 16.01,
        "Capaian kinerja lebih baik": 2.49,
        "Pelayanan publik yang prima (IPKP)": 13.97,
    }
    for rule, number in expected.items():
        assert wbk[rule] == pytest.approx(number, abs=1e-9), rule


def test_workbook_numbers_print_as_the_lke_shows_them() -> None:
    # A reader that prints the cells with plain formatting (a script, pandas) sees the LKE's
    # numbers too: the cell holds 6,63, not 6,625.
    frame = pd.DataFrame(workbook_lines(made_up_workbook(), "LKE"))
    printed = {f"{c:.2f}" for c in frame[SCORE] if isinstance(c, float)}
    assert {"6.68", "6.63", "54.29", "39.29", "96.46", "13.97"} <= printed
    assert not {"6.67", "6.62", "54.28", "39.28", "96.45", "13.96"} & printed


# --- no template formats a number itself ----------------------------------------------------------

_NUMBER_CONVERSION = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?[dieEfFgG]")


def _number_formatting(env: jinja2.Environment, name: str) -> list[str]:
    """The filters of template `name` that format or round a number by themselves."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    found = []
    for node in env.parse(source).find_all(jinja2.nodes.Filter):
        if node.name == "round":
            found.append("round")
        elif (
            node.name == "format"
            and isinstance(node.node, jinja2.nodes.Const)
            and _NUMBER_CONVERSION.search(str(node.node.value))
        ):
            found.append(f"{node.node.value!r} | format")
    return found


def test_no_template_formats_a_number_but_through_angka() -> None:
    # Every template of the reports and the e-mails, those being rewritten included: a number is
    # `x | angka` (or formatted by `angka` in Python), never "%.2f" | format or | round.
    from notifications.messages import _environment
    from reports.rendering import environment

    for env in (environment(), _environment(True)):
        names = env.list_templates(extensions=["j2"])
        assert names
        offenders = {name: found for name in names if (found := _number_formatting(env, name))}
        assert offenders == {}
