"""`zi survey template` and `zi survey import` on a real database (SQLite and PostgreSQL): the
questionnaire written, respondents brought in from the workbook, a CSV or an online form's
export, what users read, exit statuses, and nothing stored from a bad file."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import URL
from typer.testing import CliRunner, Result

from config.framework_files import load_framework
from persistence.tables import SurveyRespondent, SurveyResult
from persistence.unit_of_work import SqlUnitOfWork
from tests.builders import Agency, record_tpi_answers, top_answers
from tests.cli.cli_world import registered_for_cli
from tests.survey_builders import (
    IPAK_CODES,
    IPKP_CODES,
    ipkp_set,
    respondent_rows,
    write_respondents,
)
from zi_cli.main import app

runner = CliRunner()
WIDE = {"COLUMNS": "300"}
FRAMEWORK = load_framework("permenpanrb-90-2021")


def zi(*args: object) -> Result:
    """`zi survey ...`."""
    return runner.invoke(app, ["survey", *(str(a) for a in args)], env=WIDE)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def agency(
    engine: Engine,
    database_url: URL,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    new_uow: Callable[[], SqlUnitOfWork],
) -> Agency:
    """The builders' agency (DPMPTSP: perizinan, pengaduan; period 2026) with DPMPTSP's TPI
    answers at the top (IPAK 3,85, IPKP 3,80), the CLI pointed at its database."""
    registered = registered_for_cli(new_uow, database_url, monkeypatch)
    with new_uow() as uow:
        record_tpi_answers(
            uow,
            unit_id=registered.units["DPMPTSP"],
            period_id=registered.period_id,
            answers=top_answers(FRAMEWORK),
        )
    return registered


def stored(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            int(connection.execute(select(func.count()).select_from(model)).scalar_one())
            for model in (SurveyResult, SurveyRespondent)
        )


def import_args(file: Path, *extra: object, kind: str = "ipkp") -> list[object]:
    return ["import", file, "--kind", kind, "--unit", "DPMPTSP", "--source", "tpi", *extra]


def test_the_template_is_the_questionnaire_and_comes_back_filled(
    agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "kuesioner-ipak.xlsx"

    written = zi("template", out, "--kind", "ipak", "--csv")

    assert written.exit_code == 0, written.output
    assert "Kuesioner Survei Persepsi Anti Korupsi (IPAK) (ipak-ipkp-2024 versi 2024.1)" in flat(
        written.output
    )
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Responden", "Butir", "Petunjuk"]
    header = [c.value for c in workbook["Responden"][1]]
    assert header == ["responden", "unit", "jenis_layanan", "tanggal_layanan", *IPAK_CODES]
    items = {row[0]: row[1] for row in workbook["Butir"].iter_rows(min_row=5, values_only=True)}
    assert items["AK1"] == "Diskriminasi pelayanan" and items["AK10"] == "Pungutan liar"
    with out.with_suffix(".csv").open(encoding="utf-8-sig") as file:
        assert next(csv.reader(file)) == header

    # 30 respondents typed in: every item 4 except AK9 and AK10 (pungli) at 2 for all:
    # aspects 4, 4, 4, 4, 2 -> index (4 x 4 + 2) / 5 = 3.60; points 3.60 / 4 x 17.5 = 15.75
    sheet = workbook["Responden"]
    for n, cells in enumerate(respondent_rows([[4] * 8 + [2, 2]] * 30), start=2):
        for column, value in enumerate(cells, start=1):
            sheet.cell(n, column, int(value) if value.isdigit() else value)
        sheet.cell(n, 4, datetime(2026, 3, n % 28 + 1))  # a date cell, as Excel stores it
    workbook.save(out)

    imported = zi(*import_args(out, kind="ipak"))

    assert imported.exit_code == 0, imported.output
    text = flat(imported.output)
    assert "IPAK unit DPMPTSP, periode Penilaian 2026, survei TPI; disimpan" in text
    assert "metode: ipak-ipkp-2024 versi 2024.1" in text
    assert "indeks: 3,60; n = 30; nilai B.I.a: 3,6000 / 4 × 17,50 = 15,75" in text
    assert "perizinan: 15 responden pengaduan: 15 responden" in text
    assert "Diskriminasi pelayanan: 4,00" in text and "Pungutan liar: 2,00" in text
    assert stored(engine) == (1, 30)


def test_an_ipkp_survey_below_3_20_fails_the_floor_and_one_above_meets_it(
    agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    # index 79/27 = 2.93 (worked in tests/services/test_surveys.py): points 12.80 < 14.00
    low = write_respondents(tmp_path / "rendah.csv", respondent_rows(ipkp_set(low=10)), IPKP_CODES)
    first = zi(*import_args(low))
    assert first.exit_code == 0, first.output
    assert "indeks: 2,93 (IKM 73,15); n = 30; nilai B.II.a: 2,9259 / 4 × 17,50 = 12,80" in flat(
        first.output
    )
    assert "belum memenuhi batas WBK (versi 1)" in flat(first.output)
    assert (
        "belum memenuhi WBK: Pelayanan publik yang prima (IPKP): minimal 14,00, tercapai 12,80"
    ) in flat(first.output)

    # index 10/3 = 3.33: points 14.58 >= 14.00
    high = write_respondents(tmp_path / "baik.csv", respondent_rows(ipkp_set(high=10)), IPKP_CODES)
    second = zi(*import_args(high))
    assert second.exit_code == 0, second.output
    # hasil 16.84375 + 5 + 14.58333 = 36.43; total 96.43
    assert "LKE TPI: hasil 36,43, total 96,43, memenuhi WBK (versi 2)" in flat(second.output)
    assert "belum memenuhi" not in second.output


def test_an_online_forms_export_is_read_through_a_mapping_file(
    agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    export = tmp_path / "formulir.csv"
    labels = {3: "Baik", 4: "Sangat baik"}
    with export.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["Timestamp", "Nomor", "Layanan", "Selesai dilayani", *(f"P{n}" for n in range(1, 10))]
        )
        for n in range(30):
            answers = [labels[4 if n % 3 == 0 else 3]] * 9
            service = ("perizinan", "pengaduan")[n % 2]
            writer.writerow([f"15/03/2026 10:{n:02d}:00", n + 1, service, "15/03/2026", *answers])
    mapping = tmp_path / "pemetaan.csv"
    with mapping.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["form column", "item"])
        writer.writerows(
            [["Nomor", "responden"], ["Layanan", "jenis_layanan"]]
            + [["Selesai dilayani", "tanggal_layanan"]]
            + [[f"P{n}", f"U{n}"] for n in range(1, 10)]
        )

    imported = zi(*import_args(export, "--mapping", mapping))

    # 10 of 30 answer "Sangat baik" (4), 20 "Baik" (3): every unsur (10 x 4 + 20 x 3) / 30 = 10/3
    assert imported.exit_code == 0, imported.output
    assert "indeks: 3,33 (IKM 83,33); n = 30" in flat(imported.output)


def test_a_bad_file_exits_2_with_every_problem_and_stores_nothing(
    agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    rows = respondent_rows(ipkp_set(count=30))
    rows[4][2] = "parkir"
    rows[9][12] = "lima"
    file = write_respondents(tmp_path / "salah.csv", rows, IPKP_CODES)

    refused = zi(*import_args(file))

    assert refused.exit_code == 2
    text = flat(refused.output)
    assert "Ditolak: 3 masalah, tidak ada yang disimpan:" in text
    assert (
        "salah.csv: baris 6, kolom 'jenis_layanan': jenis layanan tidak dikenal untuk unit "
        'DPMPTSP (yang ada: perizinan; pengaduan) (tertulis: "parkir")'
    ) in text
    assert "salah.csv: baris 11, kolom 'U9': jawaban harus 1 sampai 4 (tertulis: \"lima\")" in text
    assert "salah.csv: hanya 28 responden" in text
    assert stored(engine) == (0, 0)


def test_a_file_without_the_columns_is_told_which(
    agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    file = write_respondents(tmp_path / "ipak.csv", respondent_rows([[4] * 9] * 30), IPKP_CODES)

    refused = zi(*import_args(file, kind="ipak"))

    assert refused.exit_code == 2
    assert "ipak.csv: kolom 'AK1' tidak ada di kepala kolom" in flat(refused.output)
    assert stored(engine) == (0, 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--kind", "ikm"], "--kind 'ikm': pilih ipak atau ipkp"),
        (["--source", "bps"], "--source 'bps': pilih mandiri, tpi, atau tpn"),
        (["--unit", "TIDAKADA"], "unit kerja 'TIDAKADA' tidak ditemukan"),
        (["--period", "2030"], "periode '2030' tidak ada ('Penilaian 2026')"),
        (["--method", "lama"], "metode survei 'lama' tidak terpasang"),
    ],
)
def test_bad_options_exit_2_and_say_why(
    agency: Agency, engine: Engine, tmp_path: Path, change: list[str], message: str
) -> None:
    file = write_respondents(tmp_path / "ok.csv", respondent_rows(ipkp_set()), IPKP_CODES)
    args = import_args(file)
    for option, value in zip(change[::2], change[1::2], strict=True):
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]

    refused = zi(*args)

    assert refused.exit_code == 2
    assert message in flat(refused.output)
    assert stored(engine) == (0, 0)


def test_the_one_page_report_shows_each_survey_of_the_period(
    agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    file = write_respondents(tmp_path / "ipkp.csv", respondent_rows(ipkp_set(low=10)), IPKP_CODES)
    assert zi(*import_args(file)).exit_code == 0
    html = tmp_path / "survei.html"

    written = zi("report", "--unit", "DPMPTSP", "--out", html, "--as-of", "2026-05-04")

    assert written.exit_code == 0, written.output
    page = flat(html.read_text(encoding="utf-8"))
    assert "Survei Persepsi Kualitas Pelayanan (IPKP), unsur SKM — survei TPI" in page
    # index 79/27 = 2.93, IKM 73.15, points 12.80 (worked in tests/services/test_surveys.py)
    assert "2,93</span>indeks (0–4)<br>IKM 73,15" in page
    assert "12,80</span>nilai B.II.a" in page
    assert '<td>perizinan</td><td class="num">15</td>' in page
    assert "<td>Penanganan pengaduan, saran, dan masukan</td>" in page
    assert "Metode ipak-ipkp-2024 versi 2024.1" in page

    pdf = tmp_path / "survei.pdf"
    assert zi("report", "--unit", "DPMPTSP", "--out", pdf, "--as-of", "2026-05-04").exit_code == 0
    first = pdf.read_bytes()
    assert zi("report", "--unit", "DPMPTSP", "--out", pdf, "--as-of", "2026-05-04").exit_code == 0
    assert first.startswith(b"%PDF") and pdf.read_bytes() == first


def test_a_mapping_naming_what_does_not_exist_is_refused_with_its_rows(
    agency: Agency, engine: Engine, tmp_path: Path
) -> None:
    file = write_respondents(tmp_path / "ekspor.csv", respondent_rows(ipkp_set()), IPKP_CODES)
    mapping = tmp_path / "pemetaan.csv"
    mapping.write_text("form column,item\nU1,U99\nUmur,U2\n,U3\n", encoding="utf-8")

    refused = zi(*import_args(file, "--mapping", mapping))

    assert refused.exit_code == 2
    text = flat(refused.output)
    assert (
        "pemetaan.csv: baris 2, kolom 'item': butir atau kolom tujuan tidak dikenal "
        '(tertulis: "U99")'
    ) in text
    assert (
        "pemetaan.csv: baris 3, kolom 'form column': kolom formulir tidak ada di berkas "
        '(tertulis: "Umur")'
    ) in text
    assert "pemetaan.csv: baris 4: baris pemetaan tidak lengkap" in text
    assert stored(engine) == (0, 0)
